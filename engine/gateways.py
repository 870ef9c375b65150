"""What the shop asks of services outside it, as Protocols; `bot/adapters/` implements them.

- `PayPalGateway`: PayPal Checkout (open a PayPal order, capture it, look a capture up); it
  answers with `PayPalCheckout` and `PayPalCapture`, and refuses to capture an order the
  payer has not approved with `PayPalNotApproved`.
- `Mailer`: sends the outbox's email rows; `EmailRefused` (never retry) and
  `EmailUnavailable` (retry later) are the two ways a send fails.

The refund and reconciliation Protocols (`RefundProvider`, `KeyedRefunds`, `ChargeSource`,
`CaptureLookup`) live in engine/base.py beside `Deps`, which holds the providers by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from engine.errors import ProviderFailed


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


@runtime_checkable
class PayPalGateway(Protocol):
    """PayPal Checkout as the chat's payment step uses it. A PayPal order found to be for
    another of our orders than `order_id` is refused with `ProviderFailed` before any money
    moves (a forged "I have paid")."""

    async def create(
        self, order_id: int, amount: Decimal, currency: str, *, request_id: str
    ) -> PayPalCheckout:
        """A PayPal order for one of ours; the same `request_id` returns the same one."""
        ...

    async def capture(self, paypal_order_id: str, order_id: int) -> PayPalCapture:
        """Take the money of an approved PayPal order (`PayPalNotApproved` if it is not)."""
        ...

    async def captured(self, paypal_order_id: str, order_id: int) -> PayPalCapture | None:
        """The capture of a PayPal order if its money was taken already; never takes any."""
        ...


class EmailRefused(Exception):
    """The mail server will never take this message (a bad address): do not retry."""


class EmailUnavailable(Exception):
    """The mail server could not take it now (down, busy, 4xx): retry later."""


class Mailer(Protocol):
    """Sends one email whose body is the Telegram notification's HTML text; raises
    `EmailRefused` or `EmailUnavailable` when it could not."""

    async def send(self, to: str, subject: str, html_text: str) -> None: ...
