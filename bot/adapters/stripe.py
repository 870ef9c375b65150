"""Stripe, through the stripe library (async, over aiohttp): card refunds (`RefundProvider`,
`KeyedRefunds`) and the list of recent card charges (`ChargeSource`) for the reconciliation
job (engine/reconcile.py).

Telegram has no refund for card payments: the refund goes to Stripe by the provider charge id
that Telegram's successful_payment carried. Every keyed refund carries the refund's key
(`refund-<refund_id>`) as Stripe's idempotency key and our refund id in its metadata; a retry
looks there first, so a server that ignores the key (localstripe) still refunds once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe

from engine.base import ProviderCharge, RefundRequest, RefundResult
from engine.errors import ProviderFailed
from storage.vocabulary import from_minor_units, to_minor_units

STRIPE_PAGES = 20  # at most this many pages of 100 PaymentIntents per reconciliation
DONE = ("succeeded", "pending")  # a refund in either state is made


class StripeRefunds:
    """Card refunds, and the card charges the reconciliation job compares with our payments."""

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        self._http = stripe.AIOHTTPClient()
        options: dict[str, Any] = {"http_client": self._http}
        if api_base:
            options["base_addresses"] = {"api": api_base.rstrip("/")}
        self.client = stripe.StripeClient(api_key, max_network_retries=2, **options)

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        params = {**_target(transaction_ref), "amount": to_minor_units(amount, currency)}
        with _failures():
            refund = await self.client.v1.refunds.create_async(params)  # type: ignore[arg-type]
        return _made(refund)

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        """Refund with the request's idempotency key and our refund id in the metadata; a
        retry first takes a refund already made for it on this charge, if there is one."""
        target = _target(request.transaction_ref)
        with _failures():
            if request.attempt > 1:
                earlier = await self._made_for(request, target)
                if earlier is not None:
                    return earlier
            refund = await self.client.v1.refunds.create_async(
                {  # type: ignore[arg-type]
                    **target,
                    "amount": to_minor_units(request.amount, request.currency),
                    "metadata": {"refund_id": str(request.refund_id)},
                },
                {"idempotency_key": request.key},
            )
        return _made(refund)

    async def _made_for(
        self, request: RefundRequest, target: dict[str, Any]
    ) -> RefundResult | None:
        """The refund of this charge that carries our refund id, made by an earlier attempt."""
        refunds = await self.client.v1.refunds.list_async({**target, "limit": 100})  # type: ignore[arg-type]
        for refund in refunds.data:
            if (
                _metadata(refund).get("refund_id") == str(request.refund_id)
                and refund.status in DONE
            ):
                return RefundResult(provider_ref=refund.id)
        return None

    async def charges_since(self, since: datetime) -> list[ProviderCharge]:
        """Succeeded PaymentIntents created since `since`, with what their metadata says they
        paid for (the invoice payload). Stripe lists newest first, so paging stops at the
        first page that reaches past `since`; a server listing oldest first is read whole."""
        floor = int(since.timestamp())
        params: dict[str, Any] = {"limit": 100}
        found: list[ProviderCharge] = []
        with _failures():
            for _ in range(STRIPE_PAGES):
                page = await self.client.v1.payment_intents.list_async(params)  # type: ignore[arg-type]
                intents = list(page.data)
                found += [
                    charge
                    for intent in intents
                    if intent.status == "succeeded" and intent.created >= floor
                    if (charge := _charge(intent)) is not None
                ]
                if not intents or not page.has_more:
                    break
                newest_first = intents[0].created >= intents[-1].created
                if newest_first and intents[-1].created < floor:
                    break
                params["starting_after"] = intents[-1].id
        return found

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]


def _target(transaction_ref: str) -> dict[str, Any]:
    # Telegram reports Stripe's charge id ("ch_…"); a PaymentIntent id ("pi_…") works too
    key = "payment_intent" if transaction_ref.startswith("pi_") else "charge"
    return {key: transaction_ref}


@contextmanager
def _failures() -> Iterator[None]:
    """Stripe's errors as the engine's `ProviderFailed`."""
    try:
        yield
    except stripe.StripeError as exc:
        raise ProviderFailed(provider="stripe", detail=str(exc.user_message or exc)) from exc


def _made(refund: stripe.Refund) -> RefundResult:
    if refund.status not in DONE:
        raise ProviderFailed(provider="stripe", detail=f"refund {refund.id} {refund.status}")
    return RefundResult(provider_ref=refund.id)


def _charge(intent: stripe.PaymentIntent) -> ProviderCharge | None:
    """A succeeded PaymentIntent as the charge a Payment row records (None: no charge yet)."""
    charge = intent.latest_charge
    charge_id = charge if isinstance(charge, str) else getattr(charge, "id", None)
    if not charge_id:
        return None
    currency = str(intent.currency).upper()
    return ProviderCharge(
        provider="stripe",
        transaction_ref=str(charge_id),
        amount=from_minor_units(int(intent.amount), currency),
        currency=currency,
        payload=_metadata(intent).get("invoice_payload"),
        created_at=datetime.fromtimestamp(intent.created, UTC),
        aliases=(str(intent.id),),
    )


def _metadata(stripe_object: Any) -> dict[str, str]:
    """A Stripe object's metadata as plain strings (absent: empty)."""
    raw = getattr(stripe_object, "metadata", None) or {}
    plain = raw.to_dict() if hasattr(raw, "to_dict") else dict(raw)
    return {str(key): str(value) for key, value in plain.items()}
