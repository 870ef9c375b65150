"""Refund providers: how money goes back through the payment's own provider.

`Deps.refunds` maps a payment's provider name ("stripe", "paypal", "cod", "bank_transfer")
to one of these; a provider without an entry is refunded by hand (`ManualRefunds`, which the
ledger records with who decided it). Telegram has no refund for card payments: the refund
goes to Stripe by the provider charge id that Telegram's successful_payment carried. PayPal
payments are refunded through PayPal by their capture id (`PayPal`).

Every refund call carries the refund's key (`refund-<refund_id>`): Stripe's idempotency key,
PayPal's PayPal-Request-Id, so a call repeated after a crash returns the first refund. Stripe
refunds also carry our refund id in their metadata, and a retry looks there first (a server
that ignores the key, such as localstripe, still refunds once). The same classes tell the
reconciliation job (engine/reconcile.py) what the provider charged: Stripe lists its recent
PaymentIntents, PayPal says whether the checkout it opened for an order was captured.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from engine.base import ProviderCharge, RefundRequest, RefundResult
from engine.errors import ProviderFailed
from storage.vocabulary import from_minor_units, to_minor_units

STRIPE_PAGES = 20  # at most this many pages of 100 PaymentIntents per reconciliation


class StripeRefunds:
    """Card refunds through the stripe library (async, over aiohttp), and the list of recent
    card charges the reconciliation job compares with our payments."""

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        import stripe

        self._http = stripe.AIOHTTPClient()
        options: dict[str, Any] = {"http_client": self._http}
        if api_base:
            options["base_addresses"] = {"api": api_base.rstrip("/")}
        self._stripe = stripe
        self.client = stripe.StripeClient(api_key, max_network_retries=2, **options)

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        params: dict[str, Any] = {"amount": to_minor_units(amount, currency)}
        params |= self._target(transaction_ref)
        try:
            refund = await self.client.v1.refunds.create_async(params)  # type: ignore[arg-type]
        except self._stripe.StripeError as exc:
            raise ProviderFailed(provider="stripe", detail=str(exc.user_message or exc)) from exc
        if refund.status not in ("succeeded", "pending"):
            raise ProviderFailed(provider="stripe", detail=f"refund {refund.id} {refund.status}")
        return RefundResult(provider_ref=refund.id)

    @staticmethod
    def _target(transaction_ref: str) -> dict[str, Any]:
        # Telegram reports Stripe's charge id ("ch_…"); a PaymentIntent id ("pi_…") works too
        key = "payment_intent" if transaction_ref.startswith("pi_") else "charge"
        return {key: transaction_ref}

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        """Refund with the request's idempotency key and our refund id in the metadata; a
        retry first takes a refund already made for it on this charge, if there is one."""
        target = self._target(request.transaction_ref)
        try:
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
        except self._stripe.StripeError as exc:
            raise ProviderFailed(provider="stripe", detail=str(exc.user_message or exc)) from exc
        if refund.status not in ("succeeded", "pending"):
            raise ProviderFailed(provider="stripe", detail=f"refund {refund.id} {refund.status}")
        return RefundResult(provider_ref=refund.id)

    async def _made_for(
        self, request: RefundRequest, target: dict[str, Any]
    ) -> RefundResult | None:
        """The refund of this charge that carries our refund id, made by an earlier attempt."""
        refunds = await self.client.v1.refunds.list_async({**target, "limit": 100})  # type: ignore[arg-type]
        for refund in refunds.data:
            if _metadata(refund).get("refund_id") == str(request.refund_id) and refund.status in (
                "succeeded",
                "pending",
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
        try:
            for _ in range(STRIPE_PAGES):
                page = await self.client.v1.payment_intents.list_async(params)  # type: ignore[arg-type]
                intents = list(page.data)
                for intent in intents:
                    charge = intent.latest_charge
                    charge_id = charge if isinstance(charge, str) else getattr(charge, "id", None)
                    if intent.status != "succeeded" or intent.created < floor or not charge_id:
                        continue
                    currency = str(intent.currency).upper()
                    found.append(
                        ProviderCharge(
                            provider="stripe",
                            transaction_ref=str(charge_id),
                            amount=from_minor_units(int(intent.amount), currency),
                            currency=currency,
                            payload=_metadata(intent).get("invoice_payload"),
                            created_at=datetime.fromtimestamp(intent.created, UTC),
                            aliases=(str(intent.id),),
                        )
                    )
                if not intents or not page.has_more:
                    break
                newest_first = intents[0].created >= intents[-1].created
                if newest_first and intents[-1].created < floor:
                    break
                params["starting_after"] = intents[-1].id
        except self._stripe.StripeError as exc:
            raise ProviderFailed(provider="stripe", detail=str(exc.user_message or exc)) from exc
        return found

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]


def _metadata(stripe_object: Any) -> dict[str, str]:
    """A Stripe object's metadata as plain strings (absent: empty)."""
    raw = getattr(stripe_object, "metadata", None) or {}
    plain = raw.to_dict() if hasattr(raw, "to_dict") else dict(raw)
    return {str(key): str(value) for key, value in plain.items()}


@dataclass(frozen=True)
class PayPalCheckout:
    """A PayPal order waiting for the customer: they approve it at `approve_url`."""

    paypal_order_id: str
    approve_url: str


@dataclass(frozen=True)
class PayPalCapture:
    capture_id: str
    amount: Decimal
    currency: str


class PayPalNotApproved(ProviderFailed):
    """The customer has not approved the PayPal order (yet)."""

    code = "paypal_not_approved"


class PayPal:
    """PayPal Checkout through PayPal's own SDK (paypal-server-sdk): create an order the
    customer approves on PayPal's site, capture it, refund captures. The SDK is synchronous,
    so its calls run in a worker thread. `api_base` points it at another server (tests use a
    local PayPal-compatible one); otherwise `environment` is "sandbox" or "production"."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        environment: str = "sandbox",
        api_base: str | None = None,
        timeout: float = 30,
    ) -> None:
        from paypalserversdk.configuration import Configuration, Environment
        from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
        from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

        class _Configuration(Configuration):  # type: ignore[misc]
            def get_base_uri(self, server: Any = None) -> str:
                return api_base.rstrip("/") if api_base else str(super().get_base_uri())

        env = Environment.PRODUCTION if environment == "production" else Environment.SANDBOX
        self.client = PaypalServersdkClient(
            config=_Configuration(
                environment=env,
                timeout=timeout,
                client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
                    o_auth_client_id=client_id, o_auth_client_secret=client_secret
                ),
            )
        )

    @staticmethod
    def _body(response: Any) -> dict[str, Any]:
        data = json.loads(response.text or "{}")
        return data if isinstance(data, dict) else {}

    async def _call(self, fn: Any, options: dict[str, Any]) -> dict[str, Any]:
        from paypalserversdk.exceptions.api_exception import ApiException

        try:
            response = await asyncio.to_thread(fn, options)
        except ApiException as exc:
            detail = f"{exc.response_code}: {str(exc)[:200]}"
            if exc.response_code == 422 and "ORDER_NOT_APPROVED" in str(exc.response.text):
                raise PayPalNotApproved(provider="paypal", detail=detail) from exc
            raise ProviderFailed(provider="paypal", detail=detail) from exc
        except OSError as exc:  # the network: requests' errors are OSErrors
            raise ProviderFailed(provider="paypal", detail=str(exc)[:200]) from exc
        return self._body(response)

    async def create(
        self, order_id: int, amount: Decimal, currency: str, *, request_id: str
    ) -> PayPalCheckout:
        """A PayPal order for one of ours (its id in custom_id); the same request_id returns
        the same PayPal order, so a double tap makes one."""
        from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
        from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
        from paypalserversdk.models.order_request import OrderRequest
        from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest

        body = OrderRequest(
            intent=CheckoutPaymentIntent.CAPTURE,
            purchase_units=[
                PurchaseUnitRequest(
                    amount=AmountWithBreakdown(currency_code=currency, value=f"{amount:.2f}"),
                    reference_id=f"order-{order_id}",
                    custom_id=str(order_id),
                    description=f"Order #{order_id}",
                )
            ],
        )
        data = await self._call(
            self.client.orders.create_order, {"body": body, "paypal_request_id": request_id}
        )
        links = {link.get("rel"): link.get("href") for link in data.get("links", [])}
        url = links.get("payer-action") or links.get("approve")
        if not data.get("id") or not url:
            raise ProviderFailed(provider="paypal", detail="no approval link in PayPal's answer")
        return PayPalCheckout(str(data["id"]), str(url))

    async def capture(self, paypal_order_id: str, order_id: int) -> PayPalCapture:
        """Take the money of an approved PayPal order, after checking it is for `order_id`
        (a forged PayPal id of someone else's order is refused before anything moves)."""
        order = await self._order_of(paypal_order_id, order_id)
        if order.get("status") != "COMPLETED":
            order = await self._call(
                self.client.orders.capture_order,
                {"id": paypal_order_id, "paypal_request_id": f"capture-{paypal_order_id}"},
            )
        done = self._capture_in(order)
        if done is None:
            raise PayPalNotApproved(provider="paypal", detail=f"order {order.get('status')}")
        return done

    async def captured(self, paypal_order_id: str, order_id: int) -> PayPalCapture | None:
        """The capture of a PayPal order for `order_id` if its money was taken already; never
        takes any (for an order of ours that can no longer be paid)."""
        return self._capture_in(await self._order_of(paypal_order_id, order_id))

    async def find_capture(
        self, order_id: int, amount: Decimal, currency: str, *, request_id: str
    ) -> ProviderCharge | None:
        """Was the PayPal order opened for `order_id` under `request_id` captured? Creating
        with the same request id answers with the PayPal order made then (PayPal keeps request
        ids for 6 hours; after that this opens a new, unapproved one, which is harmless)."""
        checkout = await self.create(order_id, amount, currency, request_id=request_id)
        done = await self.captured(checkout.paypal_order_id, order_id)
        if done is None:
            return None
        return ProviderCharge(
            provider="paypal",
            transaction_ref=done.capture_id,
            amount=done.amount,
            currency=done.currency,
            payload=None,
            created_at=datetime.now(UTC),
            aliases=(checkout.paypal_order_id,),
        )

    async def _order_of(self, paypal_order_id: str, order_id: int) -> dict[str, Any]:
        """A PayPal order, after checking it is for our `order_id` (a forged PayPal id of
        someone else's order is refused before anything moves)."""
        if not paypal_order_id.isalnum() or len(paypal_order_id) > 36:
            raise ProviderFailed(provider="paypal", detail="not a PayPal order id")
        order = await self._call(self.client.orders.get_order, {"id": paypal_order_id})
        units = order.get("purchase_units") or [{}]
        if str(units[0].get("custom_id")) != str(order_id):
            raise ProviderFailed(provider="paypal", detail="that PayPal order is for another order")
        return order

    @staticmethod
    def _capture_in(order: dict[str, Any]) -> PayPalCapture | None:
        units = order.get("purchase_units") or [{}]
        captures = (units[0].get("payments") or {}).get("captures") or []
        done = [c for c in captures if c.get("status") in ("COMPLETED", "PENDING")]
        if not done:
            return None
        amount = done[0].get("amount") or {}
        return PayPalCapture(
            str(done[0]["id"]), Decimal(str(amount.get("value"))), str(amount.get("currency_code"))
        )

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        """Give back part or all of a capture (the payment's transaction_ref)."""
        from paypalserversdk.models.money import Money
        from paypalserversdk.models.refund_request import RefundRequest

        body = RefundRequest(amount=Money(currency_code=currency, value=f"{amount:.2f}"))
        data = await self._call(
            self.client.payments.refund_captured_payment,
            {"capture_id": transaction_ref, "body": body},
        )
        if data.get("status") not in ("COMPLETED", "PENDING"):
            raise ProviderFailed(provider="paypal", detail=f"refund {data.get('status')}")
        return RefundResult(provider_ref=str(data.get("id")))

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        """`refund` under the request's key as PayPal-Request-Id: PayPal answers a repeat
        (for 45 days) with the refund it made the first time."""
        from paypalserversdk.models.money import Money
        from paypalserversdk.models.refund_request import RefundRequest as PayPalRefund

        body = PayPalRefund(
            amount=Money(currency_code=request.currency, value=f"{request.amount:.2f}"),
            custom_id=request.key,
        )
        data = await self._call(
            self.client.payments.refund_captured_payment,
            {"capture_id": request.transaction_ref, "body": body, "paypal_request_id": request.key},
        )
        if data.get("status") not in ("COMPLETED", "PENDING"):
            raise ProviderFailed(provider="paypal", detail=f"refund {data.get('status')}")
        return RefundResult(provider_ref=str(data.get("id")))
