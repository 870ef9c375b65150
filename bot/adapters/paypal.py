"""PayPal, through PayPal's own SDK (paypal-server-sdk): Checkout (`PayPalGateway`: create an
order the customer approves on PayPal's site, capture it), refunds of captures
(`RefundProvider`, `KeyedRefunds`) and, for the reconciliation job, whether the checkout
opened for one of our orders was captured (`CaptureLookup`).

The SDK is synchronous, so its calls run in a worker thread. Its answers are read into the
pydantic models below: an answer that does not have the shape PayPal documents is a
`ProviderFailed` saying where it went wrong, like any other refusal. Every refund carries the
refund's key (`refund-<refund_id>`) as PayPal-Request-Id, so PayPal answers a repeat (for 45
days) with the refund it made the first time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from paypalserversdk.configuration import Configuration, Environment
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.money import Money
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest as PayPalRefund
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient
from pydantic import BaseModel, ValidationError

from bot.adapters._json import why
from engine.base import ProviderCharge, RefundRequest, RefundResult
from engine.errors import ProviderFailed
from engine.gateways import PayPalCapture, PayPalCheckout, PayPalNotApproved

TAKEN = ("COMPLETED", "PENDING")  # a capture or refund in either state has moved the money


# --- PayPal's answers, as much of them as the shop reads --------------------------------------
class _Link(BaseModel):
    rel: str
    href: str


class _Amount(BaseModel):
    currency_code: str
    value: Decimal


class _Capture(BaseModel):
    id: str
    status: str
    amount: _Amount


class _Payments(BaseModel):
    captures: list[_Capture] = []


class _Unit(BaseModel):
    custom_id: str | None = None
    payments: _Payments = _Payments()


class _Order(BaseModel):
    id: str
    status: str
    purchase_units: list[_Unit] = []
    links: list[_Link] = []

    def for_order(self) -> str | None:
        """Our order id, as the PayPal order's first purchase unit carries it."""
        return self.purchase_units[0].custom_id if self.purchase_units else None

    def taken(self) -> PayPalCapture | None:
        """The capture that took this order's money, if one did."""
        captures = self.purchase_units[0].payments.captures if self.purchase_units else []
        done = next((c for c in captures if c.status in TAKEN), None)
        if done is None:
            return None
        return PayPalCapture(done.id, done.amount.value, done.amount.currency_code)


class _Refund(BaseModel):
    id: str
    status: str


_Answer = TypeVar("_Answer", bound=BaseModel)


class PayPal:
    """PayPal Checkout and refunds. `api_base` points the SDK at another server (tests and the
    sandbox use a local PayPal-compatible one); otherwise `environment` is "sandbox" or
    "production"."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        environment: str = "sandbox",
        api_base: str | None = None,
        timeout: float = 30,
    ) -> None:
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

    async def _call(
        self, fn: Callable[[dict[str, Any]], Any], options: dict[str, Any], answer: type[_Answer]
    ) -> _Answer:
        try:
            response = await asyncio.to_thread(fn, options)
        except ApiException as exc:
            detail = f"{exc.response_code}: {str(exc)[:200]}"
            if exc.response_code == 422 and "ORDER_NOT_APPROVED" in str(exc.response.text):
                raise PayPalNotApproved(provider="paypal", detail=detail) from exc
            raise ProviderFailed(provider="paypal", detail=detail) from exc
        except OSError as exc:  # the network: requests' errors are OSErrors
            raise ProviderFailed(provider="paypal", detail=str(exc)[:200]) from exc
        try:
            return answer.model_validate_json(response.text or "{}")
        except ValidationError as exc:
            detail = f"unexpected answer to {fn.__name__}: {why(exc)}"
            raise ProviderFailed(provider="paypal", detail=detail) from exc

    async def create(
        self, order_id: int, amount: Decimal, currency: str, *, request_id: str
    ) -> PayPalCheckout:
        """A PayPal order for one of ours (its id in custom_id); the same request_id returns
        the same PayPal order, so a double tap makes one."""
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
        order = await self._call(
            self.client.orders.create_order,
            {"body": body, "paypal_request_id": request_id},
            _Order,
        )
        links = {link.rel: link.href for link in order.links}
        url = links.get("payer-action") or links.get("approve")
        if not url:
            raise ProviderFailed(provider="paypal", detail="no approval link in PayPal's answer")
        return PayPalCheckout(order.id, url)

    async def capture(self, paypal_order_id: str, order_id: int) -> PayPalCapture:
        """Take the money of an approved PayPal order, after checking it is for `order_id`
        (a forged PayPal id of someone else's order is refused before anything moves)."""
        order = await self._order_of(paypal_order_id, order_id)
        if order.status != "COMPLETED":
            order = await self._call(
                self.client.orders.capture_order,
                {"id": paypal_order_id, "paypal_request_id": f"capture-{paypal_order_id}"},
                _Order,
            )
        done = order.taken()
        if done is None:
            raise PayPalNotApproved(provider="paypal", detail=f"order {order.status}")
        return done

    async def captured(self, paypal_order_id: str, order_id: int) -> PayPalCapture | None:
        """The capture of a PayPal order for `order_id` if its money was taken already; never
        takes any (for an order of ours that can no longer be paid)."""
        return (await self._order_of(paypal_order_id, order_id)).taken()

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

    async def _order_of(self, paypal_order_id: str, order_id: int) -> _Order:
        """A PayPal order, after checking it is for our `order_id` (a forged PayPal id of
        someone else's order is refused before anything moves)."""
        if not paypal_order_id.isalnum() or len(paypal_order_id) > 36:
            raise ProviderFailed(provider="paypal", detail="not a PayPal order id")
        order = await self._call(self.client.orders.get_order, {"id": paypal_order_id}, _Order)
        if order.for_order() != str(order_id):
            raise ProviderFailed(provider="paypal", detail="that PayPal order is for another order")
        return order

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        """Give back part or all of a capture (the payment's transaction_ref)."""
        return await self._refund(transaction_ref, amount, currency, key=None)

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        """`refund` under the request's key as PayPal-Request-Id (and custom_id)."""
        return await self._refund(
            request.transaction_ref, request.amount, request.currency, key=request.key
        )

    async def _refund(
        self, capture_id: str, amount: Decimal, currency: str, *, key: str | None
    ) -> RefundResult:
        keyed = {} if key is None else {"custom_id": key}
        body = PayPalRefund(amount=Money(currency_code=currency, value=f"{amount:.2f}"), **keyed)
        options: dict[str, Any] = {"capture_id": capture_id, "body": body}
        if key is not None:
            options["paypal_request_id"] = key
        refund = await self._call(self.client.payments.refund_captured_payment, options, _Refund)
        if refund.status not in TAKEN:
            raise ProviderFailed(provider="paypal", detail=f"refund {refund.status}")
        return RefundResult(provider_ref=refund.id)
