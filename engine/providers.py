"""Refund providers: how money goes back through the payment's own provider.

`Deps.refunds` maps a payment's provider name ("stripe", "paypal", "cod", "bank_transfer")
to one of these; a provider without an entry is refunded by hand (`ManualRefunds`, which the
ledger records with who decided it). Telegram has no refund for card payments: the refund
goes to Stripe by the provider charge id that Telegram's successful_payment carried.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.base import RefundResult
from engine.errors import ProviderFailed
from storage.vocabulary import to_minor_units


class StripeRefunds:
    """Card refunds through the stripe library (async, over aiohttp)."""

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
        # Telegram reports Stripe's charge id ("ch_…"); a PaymentIntent id ("pi_…") works too
        key = "payment_intent" if transaction_ref.startswith("pi_") else "charge"
        params[key] = transaction_ref
        try:
            refund = await self.client.v1.refunds.create_async(params)  # type: ignore[arg-type]
        except self._stripe.StripeError as exc:
            raise ProviderFailed(provider="stripe", detail=str(exc.user_message or exc)) from exc
        if refund.status not in ("succeeded", "pending"):
            raise ProviderFailed(provider="stripe", detail=f"refund {refund.id} {refund.status}")
        return RefundResult(provider_ref=refund.id)

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]
