"""Refund providers: how money goes back through the payment's own provider.

`Deps.refunds` maps a payment's provider name ("stripe", "paypal", "cod", "bank_transfer")
to one of these; a provider without an entry is refunded by hand (`ManualRefunds`, which the
ledger records with who decided it). Telegram has no refund for card payments: the refund
goes to Stripe by the provider charge id that Telegram's successful_payment carried. PayPal
payments are refunded through PayPal by their capture id (`PayPal`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
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
        if not paypal_order_id.isalnum() or len(paypal_order_id) > 36:
            raise ProviderFailed(provider="paypal", detail="not a PayPal order id")
        order = await self._call(self.client.orders.get_order, {"id": paypal_order_id})
        units = order.get("purchase_units") or [{}]
        if str(units[0].get("custom_id")) != str(order_id):
            raise ProviderFailed(provider="paypal", detail="that PayPal order is for another order")
        if order.get("status") != "COMPLETED":
            order = await self._call(
                self.client.orders.capture_order,
                {"id": paypal_order_id, "paypal_request_id": f"capture-{paypal_order_id}"},
            )
        units = order.get("purchase_units") or [{}]
        captures = (units[0].get("payments") or {}).get("captures") or []
        done = [c for c in captures if c.get("status") in ("COMPLETED", "PENDING")]
        if not done:
            raise PayPalNotApproved(provider="paypal", detail=f"order {order.get('status')}")
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
