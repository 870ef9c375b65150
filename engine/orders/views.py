"""What the order operations return: an order as its customer sees it (`order_view`), a
checkout's quote and shipping options, a reported payment's fate, a refund."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from engine.base import found
from engine.coupons import CouponQuote
from engine.order_actions import (
    OrderAct,
    PaymentState,
    acts_of,
    followed,
    line_acts_of,
    payment_state,
    status_at,
)
from engine.orders.amounts import cancel_refund, parcel_amounts
from engine.orders.fetch import asked_back, shipments_of
from engine.pricing import ZERO
from engine.reconcile import invoice_payload
from storage.models import (
    Coupon,
    Order,
    OrderCoupon,
    OrderItem,
    Refund,
    Seller,
    Shipment,
    ShippingProvider,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    RefundStatus,
    ShipmentStatus,
)


@dataclass(frozen=True)
class LineView:
    order_item_id: int
    product_id: int
    seller_id: int
    name: str
    quantity: int
    price: Decimal
    discount: Decimal
    refunded_quantity: int
    refunded_amount: Decimal
    asked_back: int = 0  # units an open return (requested or approved) asks back

    @classmethod
    def of(cls, item: OrderItem, asked_back: int = 0) -> LineView:
        return cls(
            item.order_item_id,
            item.product_id,
            item.seller_id,
            item.product_name,
            item.quantity,
            item.price,
            item.discount_amount,
            item.refunded_quantity,
            item.refunded_amount,
            asked_back,
        )

    @property
    def paid(self) -> Decimal:
        return self.price * self.quantity - self.discount

    @property
    def total(self) -> Decimal:
        """The line at the catalogue price the order took, before the coupon's share: the
        lines' totals add up to the order's subtotal."""
        return self.price * self.quantity


@dataclass(frozen=True)
class ShipmentView:
    shipment_id: int
    seller_id: int
    status: ShipmentStatus
    tracking_number: str | None
    delivered_at: datetime | None = None
    store: str = ""  # the seller's store name
    #: what the parcel comes to: its lines less their refunds, and its share of the shipping
    #: (`parcel_amounts`: what cash on delivery collects with it)
    amount: Decimal = ZERO

    @classmethod
    def of(cls, s: Shipment, store: str = "", amount: Decimal = ZERO) -> ShipmentView:
        return cls(
            s.shipment_id, s.seller_id, s.status, s.tracking_number, s.delivered_at, store, amount
        )

    @property
    def called_off(self) -> bool:
        """Its seller refused it before it left (the order goes on without it)."""
        return self.status == ShipmentStatus.failed and self.tracking_number is None


@dataclass(frozen=True)
class OrderView:
    order_id: int
    user_id: int
    status: OrderStatus
    payment_status: OrderPaymentStatus
    payment_method: PaymentMethod
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    total: Decimal
    currency: str
    bank_reference: str | None
    expires_at: datetime | None
    created_at: datetime
    lines: list[LineView] = field(default_factory=list)
    shipments: list[ShipmentView] = field(default_factory=list)
    invoice_payload: str = ""  # what a Telegram invoice for it carries (engine/reconcile.py)
    acts: frozenset[OrderAct] = frozenset()  # what it can still take (engine/order_actions.py)
    provider: str = ""  # the shipping provider's name
    pickup_address: str | None = None  # collected at this pickup point, not delivered
    address: dict[str, str | None] = field(default_factory=dict)  # where it is delivered
    refund_on_cancel: Decimal = ZERO  # what cancelling it now gives back (when it can be)
    #: per line (by order_item_id), what it can take: review / return once its own seller's
    #: parcel was delivered (engine/order_actions.py `line_acts_of`)
    line_acts: dict[int, frozenset[OrderAct]] = field(default_factory=dict)
    coupon_code: str | None = None  # the coupon it took (named also once its use is given back)

    @property
    def followed(self) -> bool:
        """Whether it has a delivery to follow (engine/order_actions.py `followed`)."""
        return followed(self.status, self.payment_state)

    def acts_of_line(self, line: LineView) -> frozenset[OrderAct]:
        """What this line of the order can take (`review`, `return_items`)."""
        return self.line_acts.get(line.order_item_id, frozenset())

    @property
    def payment_state(self) -> PaymentState:
        """Where its money stands, for the customer (engine/order_actions.py)."""
        return payment_state(self.status, self.payment_status, self.payment_method)

    @property
    def tracking_numbers(self) -> list[str]:
        return [s.tracking_number for s in self.shipments if s.tracking_number]

    @property
    def parcels_on_the_way(self) -> Progress | None:
        """How far an order of several parcels has got while only some of them have: how
        many left their sellers (the order counts as shipped once the last has) and how many
        of those arrived (delivered once the last has). None when the order's own status
        says it all: one parcel, none moved yet, or every one arrived."""
        if self.status not in (OrderStatus.pending, OrderStatus.paid, OrderStatus.shipped):
            return None
        live = [s for s in self.shipments if not s.called_off]
        left = sum(s.status != ShipmentStatus.pending for s in live)
        arrived = sum(s.status == ShipmentStatus.delivered for s in live)
        if 0 < left < len(live) or 0 < arrived < len(live):
            return Progress(left, arrived, len(live))
        return None

    @property
    def cash_parts(self) -> CashParts:
        """Cash on delivery still owed, parcel by parcel: each parcel that goes on (not called
        off by its seller) brings its own part (`ShipmentView.amount`), which its courier or
        pickup point takes as it is delivered or collected; the order is recorded as paid
        once the last one is. Empty unless the order is paid that way and not yet paid."""
        if self.payment_state != PaymentState.on_delivery:
            return CashParts((), ())
        live = [s for s in self.shipments if not s.called_off]
        return CashParts(
            tuple(s for s in live if s.status != ShipmentStatus.delivered),
            tuple(s for s in live if s.status == ShipmentStatus.delivered),
        )


@dataclass(frozen=True)
class Progress:
    """An order's parcels: `left` of `count` have left their sellers, and `arrived` of those
    have been delivered."""

    left: int
    arrived: int
    count: int


@dataclass(frozen=True)
class CashParts:
    """An order's cash on delivery, by parcel: the parts still to pay, and those paid as
    their parcel arrived."""

    due: tuple[ShipmentView, ...]
    paid: tuple[ShipmentView, ...]

    @property
    def count(self) -> int:
        return len(self.due) + len(self.paid)

    @property
    def still_due(self) -> Decimal:
        return sum((s.amount for s in self.due), ZERO)


@dataclass(frozen=True)
class QuoteLine:
    product_id: int
    name: str
    quantity: int
    price: Decimal

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity


@dataclass(frozen=True)
class ShippingOption:
    """A shipping provider as priced for this cart: its price per parcel times the parcels
    (one per seller), what the checkout will charge for it."""

    provider_id: int
    name: str
    per_parcel: Decimal
    parcels: int
    shipping: Decimal
    estimated_days: int | None
    pickup_address: str | None


@dataclass(frozen=True)
class QuoteView:
    """What the cart would come to as an order with this provider and coupon: the amounts
    `place_order` would charge, by the same rule (`priced`)."""

    lines: list[QuoteLine]
    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    total: Decimal
    currency: str
    provider: str
    pickup_address: str | None
    coupon: CouponQuote | None

    def version(self, *, address_id: int, method: PaymentMethod) -> str:
        """The checkout's summary in a few characters: this quote (its lines, quantities,
        prices, provider, coupon and amounts) with the address and the payment method it
        is shown with. "Place order" carries it, and `place_order` places nothing on a
        summary that reads otherwise now (`Outdated`)."""
        shown = [
            *(f"{line.product_id}x{line.quantity}@{line.price}" for line in self.lines),
            f"{self.subtotal}+{self.shipping}-{self.discount}={self.total} {self.currency}",
            f"{self.provider}|{self.pickup_address or ''}",
            self.coupon.code if self.coupon else "",
            f"{address_id}|{PaymentMethod(method).value}",
        ]
        return hashlib.sha256("\n".join(shown).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class PaymentTaken:
    """What became of a reported payment: `kept` as the order's (or counted already), or
    recorded and being refunded because the order could not take it."""

    order: OrderView
    kept: bool


@dataclass(frozen=True)
class RefundView:
    refund_id: int
    payment_id: int
    amount: Decimal
    status: RefundStatus

    @classmethod
    def of(cls, refund: Refund) -> RefundView:
        return cls(refund.refund_id, refund.payment_id, refund.amount, refund.status)


async def order_view(
    uow: UnitOfWork,
    order_id: int,
    *,
    now: datetime | None = None,
    return_window: timedelta | None = None,
) -> OrderView:
    """The order as the customer sees it; with `now` it is as of then (an order past its
    payment deadline is expired, in the seconds before the sweep records it), and with
    `return_window` too its `acts` know whether the return window is still open."""
    order = await found(uow, Order, order_id, "order", populate_existing=True)
    items = (
        await uow.session.scalars(
            select(OrderItem)
            .where(OrderItem.order_id == order_id)
            .order_by(OrderItem.order_item_id)
        )
    ).all()
    shipments = await shipments_of(uow, order_id)
    asked = await asked_back(uow, order_id)
    lines = [LineView.of(i, asked.get(i.order_item_id, 0)) for i in items]
    sold_by = select(Seller.seller_id, Seller.store_name).where(
        Seller.seller_id.in_([s.seller_id for s in shipments])
    )
    stores: dict[int, str] = {
        seller_id: name for seller_id, name in await uow.session.execute(sold_by)
    }
    provider = await uow.session.get(ShippingProvider, order.shipping_provider_id)
    snapshot = dict(order.address_snapshot or {})
    status = order.order_status
    status = status if now is None else status_at(status, order.expires_at, now)
    acts = acts_of(status, shipments, lines, now=now, return_window=return_window)
    amounts = parcel_amounts(order, items, shipments)
    coupon_code = await uow.session.scalar(
        select(Coupon.code)
        .join(OrderCoupon, OrderCoupon.coupon_id == Coupon.coupon_id)
        .where(OrderCoupon.order_id == order_id)
    )
    return OrderView(
        order.order_id,
        order.user_id,
        status,
        order.payment_status,
        order.payment_method,
        order.subtotal_amount,
        order.discount_amount,
        order.shipping_amount,
        order.total_amount,
        order.currency,
        order.bank_reference,
        order.expires_at,
        order.created_at,
        lines,
        [
            ShipmentView.of(s, stores.get(s.seller_id, ""), amounts[s.shipment_id])
            for s in shipments
        ],
        invoice_payload(order.order_id, order.checkout_key),
        acts,
        provider.name if provider is not None else "",
        snapshot.pop("pickup", None),
        snapshot,
        cancel_refund(order, items) if OrderAct.cancel in acts else ZERO,
        {
            line.order_item_id: line_acts_of(line, shipments, now=now, return_window=return_window)
            for line in lines
        },
        coupon_code,
    )
