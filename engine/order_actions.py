"""What a customer can still ask of an order: cancel it, follow it, return or review its items.

One answer for the buttons on the order card, for free text ("cancel my order", "where is my
order") and for the operations themselves, read from the order machine's table
(`engine.transitions.ORDER`) and the order's shipments:

- **cancel**: the table allows `cancel` from the order's status and nothing has left a
  seller yet (every shipment still pending), as `Orders.cancel` requires;
- **track**: any order can be looked at ("order 15" shows it, whatever its status); the ones
  *on their way* are those from whose status the table still reaches `delivered`, and "where
  is my order" means one of them. Its delivery can be *followed* (the Track button,
  `followed`) when its status lies on the table's way to `delivered` (before it, at it or
  after it) and no seller waits for its money: a cancelled order never left a seller, and an
  order waiting for its payment (card, PayPal, bank transfer) is not a seller's to send yet;
- **return**: a line has units neither refunded nor asked back by an open return, and its
  seller's parcel was delivered, within the return window when one is given, as
  `Returns.request` requires;
- **review**: a parcel of the order was delivered, as `Reviews.write` requires.

`line_acts_of` says the same per line: a line can be returned or reviewed only when its own
seller's parcel was delivered (an order from two sellers may have only one parcel delivered).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from engine.transitions import ORDER, E, allowed_events
from storage.vocabulary import OrderPaymentStatus, OrderStatus, PaymentMethod, ShipmentStatus


class OrderAct(StrEnum):
    """A request a customer makes about one of their orders."""

    cancel = "cancel"
    track = "track"
    return_items = "return"
    review = "review"


def _reaching(
    table: dict[tuple[OrderStatus, E], OrderStatus], goal: OrderStatus
) -> frozenset[OrderStatus]:
    """The statuses other than `goal` from which some path of the table reaches it."""
    reach = {goal}
    grew = True
    while grew:
        before = len(reach)
        reach |= {source for (source, _), target in table.items() if target in reach}
        grew = len(reach) > before
    return frozenset(reach - {goal})


def _reached(
    table: dict[tuple[OrderStatus, E], OrderStatus], start: OrderStatus
) -> frozenset[OrderStatus]:
    """The statuses other than `start` that some path of the table reaches from it."""
    reach = {start}
    grew = True
    while grew:
        before = len(reach)
        reach |= {target for (source, _), target in table.items() if source in reach}
        grew = len(reach) > before
    return frozenset(reach - {start})


#: Statuses of an order still coming to the customer (pending, paid, shipped).
ON_ITS_WAY: Final[frozenset[OrderStatus]] = _reaching(ORDER, OrderStatus.delivered)

#: Statuses of an order with a delivery to follow: on its way, delivered, or past it
#: (returned); not a cancelled order, which never left a seller.
FOLLOWED: Final[frozenset[OrderStatus]] = (
    ON_ITS_WAY | {OrderStatus.delivered} | _reached(ORDER, OrderStatus.delivered)
)


def followed(status: OrderStatus, payment: PaymentState | None = None) -> bool:
    """Whether an order in `status`, its money in `payment` (`payment_state`), has a
    delivery to follow (its Track button): not a cancelled order, nor one whose payment is
    still awaited (no seller works on it before it is paid; cash on delivery is sent first)."""
    return status in FOLLOWED and payment not in AWAITING_PAYMENT


def overdue(status: OrderStatus, expires_at: datetime | None, now: datetime) -> bool:
    """Still unpaid after its deadline: the sweep (engine/orders/expiry.py) expires it."""
    return status == OrderStatus.pending and expires_at is not None and expires_at < now


def status_at(status: OrderStatus, expires_at: datetime | None, now: datetime) -> OrderStatus:
    """The order's status as of `now`: an order `overdue` is what expiring it makes it (the
    table's `expire`), even in the seconds before the sweep records it."""
    return ORDER[(status, E.expire)] if overdue(status, expires_at, now) else status


class ShipmentFacts(Protocol):
    @property
    def seller_id(self) -> int: ...
    @property
    def status(self) -> ShipmentStatus: ...
    @property
    def delivered_at(self) -> datetime | None: ...


class LineFacts(Protocol):
    @property
    def seller_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def refunded_quantity(self) -> int: ...
    @property
    def asked_back(self) -> int:
        """Units an open return (requested or approved) already asks back."""
        ...


def acts_of(
    status: OrderStatus,
    shipments: Iterable[ShipmentFacts],
    lines: Iterable[LineFacts],
    *,
    now: datetime | None = None,
    return_window: timedelta | None = None,
) -> frozenset[OrderAct]:
    """What the order can still take. Without `now` and `return_window` the return window is
    not looked at (the operation that takes the return checks it)."""
    parcels = list(shipments)
    acts = {OrderAct.track}
    if E.cancel in allowed_events(ORDER, status) and all(
        s.status == ShipmentStatus.pending for s in parcels
    ):
        acts.add(OrderAct.cancel)
    delivered = {s.seller_id: s for s in parcels if s.status == ShipmentStatus.delivered}
    if delivered:
        acts.add(OrderAct.review)
    if any(
        OrderAct.return_items in line_acts_of(line, parcels, now=now, return_window=return_window)
        for line in lines
    ):
        acts.add(OrderAct.return_items)
    return frozenset(acts)


def line_acts_of(
    line: LineFacts,
    shipments: Iterable[ShipmentFacts],
    *,
    now: datetime | None = None,
    return_window: timedelta | None = None,
) -> frozenset[OrderAct]:
    """What one line of the order can take: `review` once its own seller's parcel was
    delivered, and `return_items` too while it has units neither refunded nor asked back
    (and, given `now` and `return_window`, the window is open)."""
    parcel = next(
        (
            s
            for s in shipments
            if s.seller_id == line.seller_id and s.status == ShipmentStatus.delivered
        ),
        None,
    )
    if parcel is None:
        return frozenset()
    acts = {OrderAct.review}
    window_open = (
        now is None
        or return_window is None
        or (parcel.delivered_at is not None and now <= parcel.delivered_at + return_window)
    )
    if line.refunded_quantity + line.asked_back < line.quantity and window_open:
        acts.add(OrderAct.return_items)
    return frozenset(acts)


class PaymentState(StrEnum):
    """Where the money of an order stands, in the customer's terms: one answer from the
    order's status, its payment status and its payment method."""

    awaiting = "awaiting"  # card or PayPal: the order waits for the payment
    awaiting_transfer = "awaiting_transfer"  # bank transfer: waits for the money to arrive
    on_delivery = "on_delivery"  # cash on delivery: paid to the courier when it arrives
    paid = "paid"
    failed = "failed"  # the last attempt failed; the order can still be paid
    not_paid = "not_paid"  # cancelled or expired before any money was taken
    partly_refunded = "partly_refunded"
    refunded = "refunded"


#: Where the money of an order stands while no seller may send it yet: it waits to be paid.
AWAITING_PAYMENT: Final = frozenset(
    {PaymentState.awaiting, PaymentState.awaiting_transfer, PaymentState.failed}
)


def payment_state(
    status: OrderStatus, payment: OrderPaymentStatus, method: PaymentMethod
) -> PaymentState:
    if payment == OrderPaymentStatus.refunded:
        return PaymentState.refunded
    if payment == OrderPaymentStatus.partially_refunded:
        return PaymentState.partly_refunded
    if payment == OrderPaymentStatus.paid:
        return PaymentState.paid
    if status in (OrderStatus.cancelled, OrderStatus.returned):
        return PaymentState.not_paid
    if method == PaymentMethod.cod:
        return PaymentState.on_delivery
    if payment == OrderPaymentStatus.failed:
        return PaymentState.failed
    if method == PaymentMethod.bank_transfer:
        return PaymentState.awaiting_transfer
    return PaymentState.awaiting
