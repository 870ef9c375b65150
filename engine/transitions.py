"""State machines as tables: (status, event) -> next status.

`next_status` looks a pair up or raises `IllegalTransition`; `allowed_events` and the
diagrams in docs/engine.md are derived from the same tables (`python -m engine.docs`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, TypeVar

from engine.errors import IllegalTransition
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentStatus,
    PayoutStatus,
    ReturnStatus,
    SellerStatus,
    ShipmentStatus,
    SupportStatus,
)


class E(StrEnum):
    """Events that move the machines."""

    pay = "pay"
    cancel = "cancel"
    expire = "expire"
    ship = "ship"
    ship_cod = "ship_cod"  # cash on delivery ships before it is paid
    deliver = "deliver"
    return_all = "return_all"
    succeed = "succeed"
    fail = "fail"
    refund_part = "refund_part"
    refund_all = "refund_all"
    approve = "approve"
    reject = "reject"
    suspend = "suspend"
    reinstate = "reinstate"
    close = "close"
    dispatch = "dispatch"
    send_back = "send_back"
    refund = "refund"
    mark_paid = "mark_paid"
    mark_failed = "mark_failed"
    reopen = "reopen"  # a customer writes back to the team's answer


O, P, R = OrderStatus, OrderPaymentStatus, PaymentStatus  # noqa: E741 - short names keep the tables readable

ORDER: Final = {
    (O.pending, E.pay): O.paid,
    (O.pending, E.cancel): O.cancelled,
    (O.pending, E.expire): O.cancelled,
    (O.pending, E.ship_cod): O.shipped,
    (O.paid, E.cancel): O.cancelled,
    (O.paid, E.ship): O.shipped,
    (O.shipped, E.deliver): O.delivered,
    (O.delivered, E.return_all): O.returned,
}

ORDER_PAYMENT: Final = {
    (P.pending, E.succeed): P.paid,
    (P.pending, E.fail): P.failed,
    (P.failed, E.succeed): P.paid,
    (P.paid, E.refund_part): P.partially_refunded,
    (P.paid, E.refund_all): P.refunded,
    (P.partially_refunded, E.refund_part): P.partially_refunded,
    (P.partially_refunded, E.refund_all): P.refunded,
}

PAYMENT: Final = {
    (R.pending, E.succeed): R.successful,
    (R.pending, E.fail): R.failed,
    (R.successful, E.refund_all): R.refunded,
}

SELLER: Final = {
    (SellerStatus.pending, E.approve): SellerStatus.active,
    (SellerStatus.pending, E.reject): SellerStatus.rejected,
    (SellerStatus.active, E.suspend): SellerStatus.suspended,
    (SellerStatus.suspended, E.reinstate): SellerStatus.active,
    (SellerStatus.active, E.close): SellerStatus.closed,
    (SellerStatus.suspended, E.close): SellerStatus.closed,
}

SHIPMENT: Final = {
    (ShipmentStatus.pending, E.dispatch): ShipmentStatus.in_transit,
    (ShipmentStatus.in_transit, E.deliver): ShipmentStatus.delivered,
    (ShipmentStatus.in_transit, E.fail): ShipmentStatus.failed,
    (ShipmentStatus.pending, E.cancel): ShipmentStatus.failed,
    (ShipmentStatus.failed, E.send_back): ShipmentStatus.returned,
}

RETURN: Final = {
    (ReturnStatus.requested, E.approve): ReturnStatus.approved,
    (ReturnStatus.requested, E.reject): ReturnStatus.rejected,
    (ReturnStatus.approved, E.refund): ReturnStatus.refunded,
}

PAYOUT: Final = {
    (PayoutStatus.pending, E.mark_paid): PayoutStatus.paid,
    (PayoutStatus.pending, E.mark_failed): PayoutStatus.failed,
    (PayoutStatus.failed, E.mark_paid): PayoutStatus.paid,
}

# a customer's conversation with the shop's team (engine/support.py): an admin's answer closes
# the request, another admin (or the same) may answer it again, and the customer's message
# back reopens it, so that it waits for the team again
SUPPORT: Final = {
    (SupportStatus.open, E.close): SupportStatus.answered,
    (SupportStatus.answered, E.close): SupportStatus.answered,
    (SupportStatus.answered, E.reopen): SupportStatus.open,
}

MACHINES: Final[dict[str, dict[tuple[StrEnum, E], StrEnum]]] = {
    "order": ORDER,  # type: ignore[dict-item]
    "order_payment": ORDER_PAYMENT,  # type: ignore[dict-item]
    "payment": PAYMENT,  # type: ignore[dict-item]
    "seller": SELLER,  # type: ignore[dict-item]
    "shipment": SHIPMENT,  # type: ignore[dict-item]
    "return": RETURN,  # type: ignore[dict-item]
    "payout": PAYOUT,  # type: ignore[dict-item]
    "support_request": SUPPORT,  # type: ignore[dict-item]
}


S = TypeVar("S", bound=StrEnum)


def next_status(machine: str, table: dict[tuple[S, E], S], status: S, event: E) -> S:
    try:
        return table[(status, event)]
    except KeyError:
        raise IllegalTransition(machine=machine, status=status.value, event=event.value) from None


def allowed_events(table: dict[tuple[S, E], S], status: S) -> list[E]:
    return [event for (source, event) in table if source == status]
