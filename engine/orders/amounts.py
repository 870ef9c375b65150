"""What an order's rows are worth when money goes back: a line's units, the shipping, and the
whole of a cancellation (by the rules of engine/pricing.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from engine.pricing import ZERO, allocate, refundable_units
from storage.models import Order, OrderItem, Shipment
from storage.vocabulary import OrderPaymentStatus

#: an order in these payment statuses holds money of the customer's
PAID_STATUSES = (OrderPaymentStatus.paid, OrderPaymentStatus.partially_refunded)


def refundable(line: OrderItem, quantity: int) -> Decimal:
    """What returning `quantity` more units of a line gives back (see refundable_units)."""
    return refundable_units(
        line.price * line.quantity - line.discount_amount,
        line.quantity,
        line.refunded_quantity,
        line.refunded_amount,
        quantity,
    )


def unrefunded(items: Iterable[OrderItem]) -> dict[OrderItem, int]:
    """Every line's units not refunded yet."""
    return {item: item.quantity - item.refunded_quantity for item in items}


def shipping_part(order: Order, items: Iterable[OrderItem]) -> Decimal:
    """The part of the order's total that no line carries: its shipping, after a discount."""
    return order.total_amount - sum((i.price * i.quantity - i.discount_amount for i in items), ZERO)


def cancel_refund(order: Order, items: Sequence[OrderItem]) -> Decimal:
    """What cancelling the order gives back: nothing unless it is paid; else every line's
    units not yet refunded, and the shipping (as `Orders.cancel` refunds them)."""
    if order.payment_status not in PAID_STATUSES:
        return ZERO
    lines = sum((refundable(i, q) for i, q in unrefunded(items).items()), ZERO)
    return lines + shipping_part(order, items)


def parcel_amounts(
    order: Order, items: Sequence[OrderItem], shipments: Sequence[Shipment]
) -> dict[int, Decimal]:
    """What each parcel of the order (by shipment id) comes to: its seller's lines, less what
    was refunded of them, and an equal share of the shipping the order charges (after a
    free-shipping coupon; `allocate` gives a cent left over to the first parcels, as calling
    off a part takes its share back). Cash on delivery collects these with each parcel; the
    order's one parcel collects its total."""
    every = list(shipments)
    shipping = max(shipping_part(order, items), ZERO)
    shares = allocate(shipping, [Decimal(1)] * len(every)) if every else []
    return {
        s.shipment_id: share
        + sum(
            (
                i.price * i.quantity - i.discount_amount - i.refunded_amount
                for i in items
                if i.seller_id == s.seller_id
            ),
            ZERO,
        )
        for s, share in zip(every, shares, strict=True)
    }
