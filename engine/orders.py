"""Orders: checkout, payments, cancellation, refunds and expiry.

Checkout is one transaction: the cart and its products are locked (products by id), the cart
is re-validated against the live catalog, stock is taken with 'out' logs, the coupon is
redeemed under its row lock, the discount is allocated over the lines to the cent, one
shipment per seller is prepared, the payment attempt is recorded, and the customer (and, for
cash on delivery, the sellers) get outbox rows. The same `checkout_key` placed twice returns
the same order.

Refunds are three steps so that no provider call happens while rows are locked: the decision
(a `Refund` row, pending, and the lines' refunded amounts) commits first; then the refund is
taken (`processing`, with a random owner token, in its own commit), the provider is asked
with the refund's idempotency key, and the outcome is recorded only by that owner
(`settle_refund`). Two settles at once: one takes it, the other does nothing. A crash leaves
it pending or processing; `Orders.resettle_stuck_refunds` takes it again later, and the key
makes the repeated call return the first refund. A provider failure leaves the refund
`failed` for an admin to retry; nothing is refunded twice.

Payments that an order cannot take, and the comparison of the providers' charges with ours,
live in engine/reconcile.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from engine.base import (
    Deps,
    ProviderCharge,
    RefundRequest,
    actor,
    admin,
    admin_user_ids,
    ask_refund,
    audit,
    found,
    notify,
    operation,
)
from engine.cart import cart_rows, changes_of
from engine.coupons import CouponQuote, check_coupon, normalise_code, redeem
from engine.errors import (
    CartChanged,
    CartEmpty,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotYourOrder,
    OrderActNotAllowed,
    Outdated,
    PaymentInFlight,
    PaymentMismatch,
    RefundTooLarge,
)
from engine.inventory import give_back, lock_products, take
from engine.machines import (
    ORDER_FLOW,
    ORDER_PAYMENT_FLOW,
    PAYMENT_FLOW,
    RETURN_FLOW,
    SHIPMENT_FLOW,
)
from engine.order_actions import (
    ON_ITS_WAY,
    OrderAct,
    PaymentState,
    acts_of,
    line_acts_of,
    payment_state,
)
from engine.pricing import (
    ZERO,
    CheckoutAmounts,
    allocate,
    checkout_amounts,
    line_discounts,
    refundable_units,
)
from engine.reconcile import (
    IN_FLIGHT,
    extra_payment_ids,
    invoice_payload,
    invoice_tag,
    is_extra_refund,
    keep_extra_charge,
    why_not_taken,
)
from engine.transitions import E
from storage.models import (
    Address,
    Coupon,
    Order,
    OrderItem,
    Payment,
    Refund,
    Return,
    Seller,
    Shipment,
    ShippingProvider,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    DiscountType,
    InventoryReference,
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ProviderStatus,
    RefundStatus,
    ReturnStatus,
    ShipmentStatus,
    money,
)

CHOICE_WINDOW = 30  # a request without an order id chooses among this many newest orders
MAX_ID = 2**63 - 1  # an id beyond a BIGINT names no order
REFUND_GRACE = timedelta(minutes=1)  # a pending refund older than this was left by a crash
REFUND_STALE = timedelta(minutes=5)  # a taker silent this long is presumed dead

PROVIDER_OF_METHOD = {
    PaymentMethod.card: "stripe",
    PaymentMethod.paypal: "paypal",
    PaymentMethod.cod: "cod",
    PaymentMethod.bank_transfer: "bank_transfer",
}


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

    @property
    def paid(self) -> Decimal:
        return self.price * self.quantity - self.discount


@dataclass(frozen=True)
class ShipmentView:
    shipment_id: int
    seller_id: int
    status: ShipmentStatus
    tracking_number: str | None
    delivered_at: datetime | None = None


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


async def order_view(
    uow: UnitOfWork,
    order_id: int,
    *,
    now: datetime | None = None,
    return_window: timedelta | None = None,
) -> OrderView:
    """The order as the customer sees it; with `now` and `return_window` its `acts` also
    know whether the return window is still open."""
    order = await found(uow, Order, order_id, "order", populate_existing=True)
    items = (
        await uow.session.scalars(
            select(OrderItem)
            .where(OrderItem.order_id == order_id)
            .order_by(OrderItem.order_item_id)
        )
    ).all()
    shipments = (
        await uow.session.scalars(
            select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.seller_id)
        )
    ).all()
    provider = await uow.session.get(ShippingProvider, order.shipping_provider_id)
    snapshot = dict(order.address_snapshot or {})
    acts = acts_of(order.order_status, shipments, items, now=now, return_window=return_window)
    return OrderView(
        order.order_id,
        order.user_id,
        order.order_status,
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
        [
            LineView(
                i.order_item_id,
                i.product_id,
                i.seller_id,
                i.product_name,
                i.quantity,
                i.price,
                i.discount_amount,
                i.refunded_quantity,
                i.refunded_amount,
            )
            for i in items
        ],
        [
            ShipmentView(s.shipment_id, s.seller_id, s.status, s.tracking_number, s.delivered_at)
            for s in shipments
        ],
        invoice_payload(order.order_id, order.checkout_key),
        acts,
        provider.name if provider is not None else "",
        snapshot.pop("pickup", None),
        snapshot,
        cancel_refund(order, items) if OrderAct.cancel in acts else ZERO,
        {
            i.order_item_id: line_acts_of(i, shipments, now=now, return_window=return_window)
            for i in items
        },
    )


def cancel_refund(order: Order, items: Sequence[OrderItem]) -> Decimal:
    """What cancelling the order gives back: nothing unless it is paid; else every line's
    units not yet refunded, and the shipping (as `Orders.cancel` refunds them)."""
    if order.payment_status not in (OrderPaymentStatus.paid, OrderPaymentStatus.partially_refunded):
        return ZERO
    lines = sum((refundable(i, i.quantity - i.refunded_quantity) for i in items), ZERO)
    return lines + shipping_part(order, items)


def shipping_part(order: Order, items: Iterable[OrderItem]) -> Decimal:
    """The part of the order's total that no line carries: its shipping, after a discount."""
    return order.total_amount - sum((i.price * i.quantity - i.discount_amount for i in items), ZERO)


def parcels_of(rows: Sequence[tuple[Any, Any, Any]]) -> int:
    """One parcel per seller of the cart."""
    return len({product.seller_id for _, product, _ in rows})


async def priced(
    uow: UnitOfWork,
    rows: Sequence[tuple[Any, Any, Any]],
    provider: ShippingProvider,
    coupon_code: str | None,
    user_id: int,
    today: date,
    *,
    order_id: int | None = None,
) -> tuple[CheckoutAmounts, CouponQuote | None]:
    """The one pricing of a checkout: the cart lines at their cart prices, the provider's
    price per parcel, and the coupon's discount on those. With `order_id` (placing) the
    coupon is redeemed under its row lock; without (quoting) it is only checked."""
    base = checkout_amounts(
        [item.price * item.quantity for item, _, _ in rows],
        provider.shipping_cost,
        parcels_of(rows),
    )
    if not coupon_code:
        return base, None
    if order_id is not None:
        quote = await redeem(
            uow, coupon_code, user_id, order_id, base.subtotal, base.shipping, today
        )
    else:
        code = normalise_code(coupon_code)
        coupon = await uow.session.scalar(select(Coupon).where(Coupon.code == code))
        quote = await check_coupon(uow, coupon, code, user_id, base.subtotal, base.shipping, today)
    return base.less(quote.discount), quote


async def lock_order(uow: UnitOfWork, order_id: int) -> Order:
    order = await found(uow, Order, order_id, "order", with_for_update=True, populate_existing=True)
    return order


async def own_order(uow: UnitOfWork, actor_id: int, order_id: int, *, lock: bool = True) -> Order:
    """The customer's own order (admins may act on any); others get NotFound."""
    who = await actor(uow, actor_id)
    order = await (lock_order(uow, order_id) if lock else uow.session.get(Order, order_id))
    if order is None or (order.user_id != actor_id and not who.is_admin):
        raise NotFound(entity="order", id=order_id)
    return order


async def seller_ids_of(uow: UnitOfWork, order_id: int) -> list[int]:
    return list(
        (
            await uow.session.scalars(
                select(Seller.user_id)
                .join(OrderItem, OrderItem.seller_id == Seller.seller_id)
                .where(OrderItem.order_id == order_id)
                .distinct()
            )
        ).all()
    )


async def tell_sellers(uow: UnitOfWork, order_id: int, kind: str, **data: Any) -> None:
    for user_id in await seller_ids_of(uow, order_id):
        notify(uow, user_id, kind, order_id=order_id, **data)


def bank_reference(order_id: int) -> str:
    digits = f"{order_id:08d}"
    check = sum(int(d) * (i + 1) for i, d in enumerate(digits)) % 10
    return f"MKT{digits}{check}"


def refundable(line: OrderItem, quantity: int) -> Decimal:
    """What returning `quantity` more units of a line gives back (see refundable_units)."""
    return refundable_units(
        line.price * line.quantity - line.discount_amount,
        line.quantity,
        line.refunded_quantity,
        line.refunded_amount,
        quantity,
    )


class Orders:
    def __init__(self, deps: Deps, payment_methods: frozenset[PaymentMethod] | None = None) -> None:
        self.d = deps
        self.payment_methods = payment_methods or frozenset(
            {PaymentMethod.card, PaymentMethod.cod, PaymentMethod.bank_transfer}
        )

    # --- checkout --------------------------------------------------------------------------
    @operation("customer (own cart)")
    async def place_order(
        self,
        actor_id: int,
        *,
        address_id: int,
        provider_id: int,
        payment_method: PaymentMethod,
        checkout_key: str,
        coupon_code: str | None = None,
    ) -> OrderView:
        """Turn the cart into an order. The same checkout_key returns the same order."""
        if not checkout_key or len(checkout_key) > 64:
            raise InvalidInput(field="checkout_key", rule="length", max=64)
        if payment_method not in self.payment_methods:
            raise InvalidInput(
                field="payment_method", rule="not_offered", method=payment_method.value
            )
        try:
            return await self._place(
                actor_id, address_id, provider_id, payment_method, checkout_key, coupon_code
            )
        except IntegrityError:
            # a racing twin with the same checkout_key committed first
            async with self.d.read() as uow:
                existing = await self._existing(uow, actor_id, checkout_key)
                if existing is None:
                    raise
                return existing

    @operation("customer (own checkouts)")
    async def placed(self, actor_id: int, checkout_key: str) -> OrderView | None:
        """The order a checkout placed (by its key), or None while it has placed none: what
        "Place order" shows when tapped again."""
        if not checkout_key or len(checkout_key) > 64:
            return None
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            return await self._existing(uow, actor_id, checkout_key)

    @operation("customer (own cart)")
    async def shipping_options(self, actor_id: int) -> list[ShippingOption]:
        """The active shipping providers, cheapest first, each priced for the cart as the
        checkout would charge it (per parcel × one parcel per seller)."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            _, rows = await cart_rows(uow, actor_id)
            parcels = max(parcels_of(rows), 1)
            providers = (
                await uow.session.scalars(
                    select(ShippingProvider)
                    .where(ShippingProvider.status == ProviderStatus.active)
                    .order_by(ShippingProvider.shipping_cost, ShippingProvider.provider_id)
                )
            ).all()
            return [
                ShippingOption(
                    p.provider_id,
                    p.name,
                    p.shipping_cost,
                    parcels,
                    checkout_amounts([], p.shipping_cost, parcels).shipping,
                    p.estimated_days,
                    p.pickup_address,
                )
                for p in providers
            ]

    @operation("customer (own cart)")
    async def quote(
        self, actor_id: int, provider_id: int, coupon_code: str | None = None
    ) -> QuoteView:
        """What the cart comes to with this provider and coupon: the lines, subtotal,
        shipping, discount and total that placing the order would charge (CouponRejected
        when the coupon does not apply). Nothing is taken or redeemed."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            provider = await self._provider(uow, provider_id)
            _, rows = await cart_rows(uow, actor_id)
            if not rows:
                raise CartEmpty()
            amounts, coupon = await priced(
                uow, rows, provider, coupon_code, actor_id, self.d.clock().date()
            )
            return QuoteView(
                [
                    QuoteLine(product.product_id, product.name, item.quantity, item.price)
                    for item, product, _ in rows
                ],
                amounts.subtotal,
                amounts.shipping,
                amounts.discount,
                amounts.total,
                self.d.rules.currency,
                provider.name,
                provider.pickup_address,
                coupon,
            )

    async def _provider(self, uow: UnitOfWork, provider_id: int) -> ShippingProvider:
        """A provider a customer may choose now (NotFound otherwise)."""
        provider = (
            await uow.session.get(ShippingProvider, provider_id)
            if 0 < provider_id <= MAX_ID
            else None
        )
        if provider is None or provider.status != ProviderStatus.active:
            raise NotFound(entity="shipping_provider", id=provider_id)
        return provider

    async def _existing(self, uow: UnitOfWork, actor_id: int, key: str) -> OrderView | None:
        order = await uow.session.scalar(select(Order).where(Order.checkout_key == key))
        if order is None:
            return None
        if order.user_id != actor_id:
            raise InvalidInput(field="checkout_key", rule="taken")
        return await order_view(uow, order.order_id)

    async def _place(
        self,
        actor_id: int,
        address_id: int,
        provider_id: int,
        method: PaymentMethod,
        key: str,
        coupon_code: str | None,
    ) -> OrderView:
        now = self.d.clock()
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            existing = await self._existing(uow, actor_id, key)
            if existing is not None:
                return existing
            address = await uow.session.get(Address, address_id)
            if address is None or address.user_id != actor_id:
                raise NotFound(entity="address", id=address_id)
            provider = await self._provider(uow, provider_id)
            cart, rows = await cart_rows(uow, actor_id, lock=True)
            # a twin holding the cart lock may have placed this very checkout meanwhile
            existing = await self._existing(uow, actor_id, key)
            if existing is not None:
                return existing
            if cart is None or not rows:
                raise CartEmpty()
            products = await lock_products(uow, [p.product_id for _, p, _ in rows])
            changes = changes_of(rows)
            if changes:
                raise CartChanged(
                    changes=[
                        {
                            "product_id": c.product_id,
                            "name": c.name,
                            "change": c.change.value,
                            "old": c.old,
                            "new": c.new,
                        }
                        for c in changes
                    ]
                )
            quantities = {item.product_id: item.quantity for item, _, _ in rows}
            sellers = sorted({p.seller_id for _, p, _ in rows})
            base, _ = await priced(uow, rows, provider, None, actor_id, now.date())
            subtotal, shipping = base.subtotal, base.shipping
            order = Order(
                user_id=actor_id,
                address_id=address_id,
                shipping_provider_id=provider_id,
                order_status=OrderStatus.pending,
                payment_status=OrderPaymentStatus.pending,
                payment_method=method,
                subtotal_amount=subtotal,
                discount_amount=ZERO,
                shipping_amount=shipping,
                total_amount=subtotal + shipping,
                currency=self.d.rules.currency,
                checkout_key=key,
                address_snapshot={
                    "recipient": address.recipient_name,
                    "street": address.street,
                    "city": address.city,
                    "state": address.state,
                    "country": address.country,
                    "postal_code": address.postal_code,
                    "phone": address.phone,
                    "pickup": provider.pickup_address,
                },
            )
            if method in (PaymentMethod.card, PaymentMethod.paypal):
                order.expires_at = now + self.d.rules.unpaid_order_ttl
            elif method == PaymentMethod.bank_transfer:
                order.expires_at = now + self.d.rules.bank_transfer_ttl
            uow.session.add(order)
            await uow.session.flush()
            oid = order.order_id
            if method == PaymentMethod.bank_transfer:
                order.bank_reference = bank_reference(oid)
            take(
                uow,
                products,
                quantities,
                reference=InventoryReference.order,
                reference_id=oid,
                by=actor_id,
            )
            amounts, coupon = await priced(
                uow, rows, provider, coupon_code, actor_id, now.date(), order_id=oid
            )
            shares = [ZERO] * len(rows)
            if coupon is not None:
                shares = line_discounts(
                    coupon.discount,
                    [item.price * item.quantity for item, _, _ in rows],
                    on_lines=coupon.discount_type != DiscountType.free_shipping,
                )
            order.discount_amount = amounts.discount
            order.total_amount = amounts.total
            for (item, product, _), share in zip(rows, shares, strict=True):
                uow.session.add(
                    OrderItem(
                        order_id=oid,
                        product_id=product.product_id,
                        seller_id=product.seller_id,
                        product_name=product.name,
                        quantity=item.quantity,
                        price=item.price,
                        discount_amount=share,
                    )
                )
                product.sold_count += item.quantity
            for seller_id in sellers:
                uow.session.add(
                    Shipment(
                        order_id=oid,
                        seller_id=seller_id,
                        provider_id=provider_id,
                        status=ShipmentStatus.pending,
                    )
                )
            uow.session.add(
                Payment(
                    order_id=oid,
                    amount=order.total_amount,
                    currency=order.currency,
                    provider=PROVIDER_OF_METHOD[method],
                    status=PaymentStatus.pending,
                )
            )
            for item, _, _ in rows:
                await uow.session.delete(item)
            await uow.session.flush()
            audit(
                uow,
                "order",
                oid,
                "create",
                by=actor_id,
                new={
                    "order_status": order.order_status,
                    "total_amount": order.total_amount,
                    "payment_method": method,
                    "coupon": coupon_code,
                },
            )
            notify(  # the checkout screen says it in the chat: this row is for the e-mail
                uow,
                actor_id,
                "order_placed",
                order_id=oid,
                total=order.total_amount,
                payment_method=method,
                bank_reference=order.bank_reference,
                in_chat=True,
            )
            if method == PaymentMethod.cod:
                await tell_sellers(uow, oid, "new_order", payment_method=method)
            view = await order_view(uow, oid)
            await uow.commit()  # the view read in the same transaction
            return view

    # --- reading -----------------------------------------------------------------------------
    @operation("customer (own orders), admin")
    async def get(self, actor_id: int, order_id: int) -> OrderView:
        """One order with its lines and shipments."""
        async with self.d.read() as uow:
            await own_order(uow, actor_id, order_id, lock=False)
            return await order_view(
                uow, order_id, now=self.d.clock(), return_window=self.d.rules.return_window
            )

    @operation("customer (own orders)")
    async def history(self, actor_id: int, limit: int = 20) -> list[OrderView]:
        """The customer's orders, newest first."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            ids = (
                await uow.session.scalars(
                    select(Order.order_id)
                    .where(Order.user_id == actor_id)
                    .order_by(Order.order_id.desc())
                    .limit(min(max(limit, 1), 100))
                )
            ).all()
            return [await order_view(uow, i) for i in ids]

    @operation("customer (own orders)")
    async def choose(
        self,
        actor_id: int,
        act: OrderAct,
        order_id: int | None = None,
        *,
        hint: int | None = None,
    ) -> list[OrderView]:
        """The orders a request ("cancel my order 16", "where is my order") may mean, newest
        first. A named order must be the customer's (`NotYourOrder` otherwise, by number) and
        able to take the request (`OrderActNotAllowed`). Without one: the `hint` (the order the
        chat showed last) when it can take the request, else every recent order that can; to
        track, the orders on their way, or else the newest order."""
        now, window = self.d.clock(), self.d.rules.return_window
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            if order_id is not None:
                order = await uow.session.get(Order, order_id) if 0 < order_id <= MAX_ID else None
                if order is None or order.user_id != actor_id:
                    raise NotYourOrder(order_id=order_id)
                view = await order_view(uow, order_id, now=now, return_window=window)
                if act not in view.acts:
                    raise OrderActNotAllowed(
                        order_id=order_id, act=act.value, status=view.status.value
                    )
                return [view]
            ids = (
                await uow.session.scalars(
                    select(Order.order_id)
                    .where(Order.user_id == actor_id)
                    .order_by(Order.order_id.desc())
                    .limit(CHOICE_WINDOW)
                )
            ).all()
            views = [await order_view(uow, i, now=now, return_window=window) for i in ids]
        able = [v for v in views if act in v.acts]
        if act == OrderAct.track:
            able = [v for v in views if v.status in ON_ITS_WAY] or views[:1]
        hinted = [v for v in able if v.order_id == hint]
        return hinted or able

    # --- payments ----------------------------------------------------------------------------
    @operation("the paying customer")
    async def begin_card_payment(
        self,
        actor_id: int,
        order_id: int,
        *,
        amount: Decimal,
        currency: str,
        tag: str | None = None,
    ) -> OrderView:
        """Pre-checkout: may this payment sheet be charged? Only for a pending order not past
        its deadline, for its exact amount, and while no other sheet for it is in flight; the
        order's pending payment is then marked in flight for a minute. `tag`: the invoice
        payload's, which must be this order's."""
        now = self.d.clock()
        async with self.d.uow() as uow:
            order = await own_order(uow, actor_id, order_id)
            if tag is not None and tag != invoice_tag(order_id, order.checkout_key):
                raise NotFound(entity="order", id=order_id)  # an invoice of another database
            expired = order.expires_at is not None and order.expires_at <= now
            if order.order_status != OrderStatus.pending or expired:
                raise IllegalTransition(
                    machine="order",
                    status="expired" if expired else order.order_status.value,
                    event=E.pay.value,
                )
            if money(amount) != order.total_amount or currency.upper() != order.currency:
                raise PaymentMismatch(expected=order.total_amount, got=money(amount))
            pending = (
                await uow.session.scalars(
                    select(Payment)
                    .where(Payment.order_id == order_id, Payment.status == PaymentStatus.pending)
                    .order_by(Payment.payment_id)
                    .with_for_update()
                )
            ).all()
            busy = [
                p.in_flight_until for p in pending if p.in_flight_until and p.in_flight_until > now
            ]
            if busy:
                raise PaymentInFlight(order_id=order_id, until=max(busy))
            payment = pending[0] if pending else None
            if payment is None:  # a new attempt after a failed one
                payment = Payment(
                    order_id=order_id,
                    amount=order.total_amount,
                    currency=order.currency,
                    provider=PROVIDER_OF_METHOD.get(order.payment_method, "stripe"),
                    status=PaymentStatus.pending,
                )
                uow.session.add(payment)
                await uow.session.flush()
            old = payment.in_flight_until
            payment.in_flight_until = now + IN_FLIGHT
            audit(
                uow,
                "payment",
                payment.payment_id,
                "in_flight",
                by=actor_id,
                old={"in_flight_until": old},
                new={"in_flight_until": payment.in_flight_until},
            )
            view = await order_view(uow, order_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("the paying customer; admin (bank transfers)")
    async def confirm_payment(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        telegram_charge_id: str | None = None,
    ) -> OrderView:
        """A provider says the order is paid. Reported twice, it counts once; the same
        reference with another amount is refused (PaymentMismatch). A payment the order can
        no longer take (paid already, cancelled, expired) is recorded and refunded."""
        taken = await self.take_payment(
            actor_id,
            order_id,
            provider=provider,
            transaction_ref=transaction_ref,
            amount=amount,
            telegram_charge_id=telegram_charge_id,
        )
        return taken.order

    @operation("the paying customer; admin (bank transfers)")
    async def take_payment(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        currency: str | None = None,
        telegram_charge_id: str | None = None,
    ) -> PaymentTaken:
        """`confirm_payment`, saying whether the payment was kept or, because the order could
        not take it, recorded and sent back (the customer and the admins are told why)."""
        return await self._take(
            actor_id,
            order_id,
            provider=provider,
            transaction_ref=transaction_ref,
            amount=amount,
            currency=currency,
            telegram_charge_id=telegram_charge_id,
            adopted=False,
        )

    @operation("system (the reconciliation job)")
    async def adopt_charge(self, order_id: int, charge: ProviderCharge) -> PaymentTaken:
        """A charge the provider holds for the order and we never recorded: it becomes the
        order's payment if the order can still take it (pending, same amount), otherwise it
        is recorded and refunded. Audited, and the admins are told."""
        return await self._take(
            None,
            order_id,
            provider=charge.provider,
            transaction_ref=charge.transaction_ref,
            amount=charge.amount,
            currency=charge.currency,
            telegram_charge_id=None,
            adopted=True,
        )

    async def _take(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        currency: str | None,
        telegram_charge_id: str | None,
        adopted: bool,
    ) -> PaymentTaken:
        amount = money(amount)
        if not transaction_ref:
            raise InvalidInput(field="transaction_ref", rule="required")
        refund_id: int | None = None
        async with self.d.uow() as uow:
            if actor_id is None:
                order = await lock_order(uow, order_id)
            else:
                order = await own_order(uow, actor_id, order_id)
            seen = await uow.session.scalar(
                select(Payment).where(
                    Payment.provider == provider, Payment.transaction_ref == transaction_ref
                )
            )
            if seen is not None:
                if seen.order_id != order_id or seen.amount != amount:
                    raise PaymentMismatch(
                        provider=provider,
                        transaction_ref=transaction_ref,
                        expected=seen.amount,
                        got=amount,
                    )
                if seen.status in (PaymentStatus.successful, PaymentStatus.refunded):
                    kept = seen.payment_id not in await extra_payment_ids(uow, order_id)
                    return PaymentTaken(await order_view(uow, order_id), kept)
            currency = (currency or order.currency).upper()
            fits = amount == order.total_amount and currency == order.currency
            pending = order.order_status == OrderStatus.pending
            if pending and not fits and not adopted:
                raise PaymentMismatch(
                    provider=provider,
                    transaction_ref=transaction_ref,
                    expected=order.total_amount,
                    got=amount,
                )
            if pending and fits:
                payment = seen or await uow.session.scalar(
                    select(Payment)
                    .where(Payment.order_id == order_id, Payment.status == PaymentStatus.pending)
                    .order_by(Payment.payment_id)
                    .limit(1)
                )
                if payment is None:  # a new attempt after a failed one
                    payment = Payment(
                        order_id=order_id,
                        amount=amount,
                        currency=order.currency,
                        provider=provider,
                        status=PaymentStatus.pending,
                    )
                    uow.session.add(payment)
                    await uow.session.flush()
                payment.provider, payment.transaction_ref = provider, transaction_ref
                payment.telegram_charge_id = telegram_charge_id
                payment.in_flight_until = None
                await self._paid(uow, order, payment, actor_id)
                payment_id: int | None = payment.payment_id
            else:
                why = why_not_taken(order, fits)
                refund_id = await keep_extra_charge(
                    uow,
                    order,
                    payment=seen,
                    provider=provider,
                    transaction_ref=transaction_ref,
                    amount=amount,
                    currency=currency,
                    telegram_charge_id=telegram_charge_id,
                    by=actor_id,
                    why=why,
                )
                payment_id = await uow.session.scalar(
                    select(Payment.payment_id).where(
                        Payment.provider == provider, Payment.transaction_ref == transaction_ref
                    )
                )
            if adopted:
                await self._adopted(
                    uow, order, payment_id, provider, transaction_ref, amount, refund_id
                )
            view = await order_view(uow, order_id)
            await uow.commit()  # the view read in the same transaction
        if refund_id is not None:
            await settle_refund(self.d, refund_id)
        return PaymentTaken(view, kept=refund_id is None)

    async def _adopted(
        self,
        uow: UnitOfWork,
        order: Order,
        payment_id: int | None,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        refund_id: int | None,
    ) -> None:
        """The reconciliation found this charge at the provider: an audit row says so, and
        the admins hear of a payment that had not reached the shop (a refund of it, they hear
        of from `keep_extra_charge`)."""
        audit(
            uow,
            "payment",
            payment_id or 0,
            "reconcile",
            by=None,
            new={
                "order_id": order.order_id,
                "provider": provider,
                "transaction_ref": transaction_ref,
                "amount": amount,
                "kept": refund_id is None,
                "refund_id": refund_id,
            },
        )
        if refund_id is None:
            for admin_id in await admin_user_ids(uow):
                notify(
                    uow,
                    admin_id,
                    "payment_recovered",
                    order_id=order.order_id,
                    amount=amount,
                    provider=provider,
                    transaction_ref=transaction_ref,
                )

    async def _paid(self, uow: UnitOfWork, order: Order, payment: Payment, by: int | None) -> None:
        PAYMENT_FLOW.move(uow, payment, E.succeed, by=by)
        ORDER_PAYMENT_FLOW.move(uow, order, E.succeed, by=by)
        if order.order_status == OrderStatus.pending:
            ORDER_FLOW.move(uow, order, E.pay, by=by)
            order.expires_at = None
            notify(  # a customer who paid in the chat is thanked there (in_chat: e-mail only)
                uow,
                order.user_id,
                "payment_received",
                order_id=order.order_id,
                amount=payment.amount,
                in_chat=by == order.user_id,
            )
            if order.payment_method != PaymentMethod.cod:
                await tell_sellers(
                    uow, order.order_id, "new_order", payment_method=order.payment_method
                )

    @operation("the paying customer, or the system")
    async def fail_payment(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        reason: str,
    ) -> OrderView:
        """A payment attempt failed: recorded and audited; the order may be paid again."""
        async with self.d.uow() as uow:
            order = await (
                lock_order(uow, order_id)
                if actor_id is None
                else own_order(uow, actor_id, order_id)
            )
            payment = await uow.session.scalar(
                select(Payment)
                .where(Payment.order_id == order_id, Payment.status == PaymentStatus.pending)
                .order_by(Payment.payment_id)
                .limit(1)
            )
            if payment is None:
                payment = Payment(
                    order_id=order_id,
                    amount=order.total_amount,
                    currency=order.currency,
                    provider=provider,
                    status=PaymentStatus.pending,
                )
                uow.session.add(payment)
                await uow.session.flush()
            payment.in_flight_until = None
            fail(uow, payment, reason, by=actor_id)
            if order.payment_status == OrderPaymentStatus.pending:
                ORDER_PAYMENT_FLOW.move(uow, order, E.fail, by=actor_id)
            notify(uow, order.user_id, "payment_failed", order_id=order_id, reason=reason)
            view = await order_view(uow, order_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("admin")
    async def confirm_bank_transfer(
        self, actor_id: int, order_id: int, amount: Decimal | None = None
    ) -> OrderView:
        """An admin saw the money arrive with the order's bank reference (`amount`: what
        arrived; by default the order's total)."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            order = await uow.session.get(Order, order_id)
            if order is None or order.payment_method != PaymentMethod.bank_transfer:
                raise NotFound(entity="bank_transfer_order", id=order_id)
            reference = order.bank_reference or ""
            received = order.total_amount if amount is None else amount
        return await self.confirm_payment(
            actor_id,
            order_id,
            provider="bank_transfer",
            transaction_ref=reference,
            amount=received,
        )

    # --- cancelling and refunding ----------------------------------------------------------
    @operation("customer (own orders, before shipment), admin")
    async def cancel(
        self,
        actor_id: int,
        order_id: int,
        reason: str = "",
        *,
        seen: OrderPaymentStatus | None = None,
    ) -> OrderView:
        """Cancel before anything shipped: stock goes back, what was paid is refunded.
        `seen`: the payment status the customer's question showed (what it said goes back);
        an order paid or refunded since is not cancelled on that answer (Outdated)."""
        async with self.d.uow() as uow:
            order = await own_order(uow, actor_id, order_id)
            shipments = (
                await uow.session.scalars(select(Shipment).where(Shipment.order_id == order_id))
            ).all()
            if any(s.status != ShipmentStatus.pending for s in shipments):
                raise IllegalTransition(machine="order", status="shipped", event=E.cancel.value)
            ORDER_FLOW.move(  # IllegalTransition first: a cancelled order says so
                uow, order, E.cancel, by=actor_id, extra={"reason": reason} if reason else None
            )
            if seen is not None and order.payment_status != seen:
                raise Outdated(entity="order", id=order_id)  # rolls the move back
            refunds = await self._unwind(
                uow,
                order,
                shipments,
                actor_id,
                InventoryReference.cancellation,
                reason or "cancelled",
            )
            notify(  # a customer who cancelled is answered in the chat (in_chat: e-mail only)
                uow,
                order.user_id,
                "order_cancelled",
                order_id=order_id,
                reason=reason,
                in_chat=actor_id == order.user_id,
            )
            await tell_sellers(uow, order_id, "order_cancelled", reason=reason)
            await uow.commit()
        await self.settle_refunds(refunds)
        async with self.d.read() as uow:
            return await order_view(uow, order_id)

    async def _unwind(
        self,
        uow: UnitOfWork,
        order: Order,
        shipments: Any,
        by: int | None,
        reference: InventoryReference,
        reason: str,
    ) -> list[int]:
        """Give every line's stock back, stop the shipments, open refunds for what was paid."""
        items = (
            await uow.session.scalars(
                select(OrderItem)
                .where(OrderItem.order_id == order.order_id)
                .order_by(OrderItem.product_id)
            )
        ).all()
        await put_back(uow, items, shipments, order_id=order.order_id, reference=reference, by=by)
        if order.payment_status not in (
            OrderPaymentStatus.paid,
            OrderPaymentStatus.partially_refunded,
        ):
            for payment in (
                await uow.session.scalars(
                    select(Payment).where(
                        Payment.order_id == order.order_id, Payment.status == PaymentStatus.pending
                    )
                )
            ).all():
                fail(uow, payment, reason, by=by)
            return []
        lines = {i: i.quantity - i.refunded_quantity for i in items}
        shipping = shipping_part(order, items)
        return await open_refunds(uow, order, lines, None, None, by, reason, extra=shipping)

    @operation("system (after a refund decision); admin (retry)")
    async def settle_refunds(self, refund_ids: list[int]) -> list[RefundView]:
        """Ask each refund's provider for the money back and record the outcome."""
        return [await settle_refund(self.d, refund_id) for refund_id in refund_ids]

    @operation("admin")
    async def retry_refund(self, actor_id: int, refund_id: int) -> RefundView:
        """Ask the provider again for a refund that failed."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            refund = await found(uow, Refund, refund_id, "refund", with_for_update=True)
            if refund.status != RefundStatus.failed:
                raise IllegalTransition(machine="refund", status=refund.status.value, event="retry")
            refund.status = RefundStatus.pending
            audit(
                uow,
                "refund",
                refund_id,
                "status_change",
                by=actor_id,
                old={"status": "failed"},
                new={"status": "pending", "event": "retry"},
            )
            await uow.commit()
        return await settle_refund(self.d, refund_id)

    @operation("scheduler")
    async def resettle_stuck_refunds(
        self, grace: timedelta = REFUND_GRACE, stale: timedelta = REFUND_STALE
    ) -> list[RefundView]:
        """Settle the refunds a crash left behind: decided but pending for longer than
        `grace`, or taken but processing for longer than `stale` (the provider may have been
        asked already: the refund's key makes asking again return the same refund)."""
        now = self.d.clock()
        async with self.d.read() as uow:
            stuck = (
                await uow.session.scalars(
                    select(Refund.refund_id)
                    .where(
                        or_(
                            and_(
                                Refund.status == RefundStatus.pending,
                                Refund.created_at < now - grace,
                            ),
                            and_(
                                Refund.status == RefundStatus.processing,
                                Refund.taken_at < now - stale,
                            ),
                        )
                    )
                    .order_by(Refund.refund_id)
                    .limit(100)
                )
            ).all()
        return [await settle_refund(self.d, refund_id, stale=stale) for refund_id in stuck]

    # --- expiry ------------------------------------------------------------------------------
    @operation("scheduler")
    async def expire_unpaid(self) -> list[int]:
        """Cancel unpaid orders past their deadline and give their stock back."""
        now = self.d.clock()
        async with self.d.read() as uow:
            due = (
                await uow.session.scalars(
                    select(Order.order_id)
                    .where(
                        Order.order_status == OrderStatus.pending,
                        Order.expires_at.is_not(None),
                        Order.expires_at < now,
                    )
                    .order_by(Order.order_id)
                )
            ).all()
        expired = []
        for order_id in due:
            async with self.d.uow() as uow:
                order = await lock_order(uow, order_id)
                if (
                    order.order_status != OrderStatus.pending
                    or order.expires_at is None
                    or order.expires_at >= now
                ):
                    continue  # paid (or handled) meanwhile
                shipments = (
                    await uow.session.scalars(select(Shipment).where(Shipment.order_id == order_id))
                ).all()
                ORDER_FLOW.move(uow, order, E.expire, by=None)
                await self._unwind(
                    uow, order, shipments, None, InventoryReference.expiry, "expired"
                )
                notify(uow, order.user_id, "order_expired", order_id=order_id)
                await uow.commit()
                expired.append(order_id)
        return expired


def fail(uow: UnitOfWork, payment: Payment, reason: str, *, by: int | None) -> None:
    """A payment attempt ends without money: its reason kept, one audited transition."""
    payment.failure_reason = reason[:500]
    PAYMENT_FLOW.move(uow, payment, E.fail, by=by, extra={"reason": reason})


async def put_back(
    uow: UnitOfWork,
    items: Sequence[OrderItem],
    shipments: Iterable[Shipment],
    *,
    order_id: int,
    reference: InventoryReference,
    by: int | None,
    reason: str | None = None,
) -> None:
    """Undo what placing the order did to these lines: their stock goes back ('in' logs),
    their sales count down, and those of `shipments` still pending are called off."""
    products = await lock_products(uow, [i.product_id for i in items])
    give_back(
        uow,
        products,
        {i.product_id: i.quantity for i in items},
        reference=reference,
        reference_id=order_id,
        by=by,
    )
    for item in items:
        products[item.product_id].sold_count -= item.quantity
    for shipment in shipments:
        if shipment.status == ShipmentStatus.pending:
            SHIPMENT_FLOW.move(
                uow, shipment, E.cancel, by=by, extra={"reason": reason} if reason else None
            )


async def open_refunds(
    uow: UnitOfWork,
    order: Order,
    lines: dict[OrderItem, int],
    amount: Decimal | None,
    return_id: int | None,
    by: int | None,
    reason: str,
    extra: Decimal = ZERO,
) -> list[int]:
    """Decide a refund for `lines` (item -> units): mark the lines refunded and open pending
    Refund rows against the order's successful payments. `amount` below the full refundable
    value makes a partial refund. Returns the refund ids to settle after commit."""
    lines = {item: qty for item, qty in lines.items() if qty > 0}
    full = {item: refundable(item, qty) for item, qty in lines.items()}
    most = sum(full.values(), ZERO)
    amount = most if amount is None else money(amount)
    if amount < 0 or amount > most:
        raise RefundTooLarge(refundable=most, asked=amount)
    shares = allocate(amount, list(full.values())) if full else []
    for (item, qty), share in zip(lines.items(), shares, strict=True):
        item.refunded_quantity += qty
        item.refunded_amount += share
    amount += extra
    if amount == 0:
        return []
    payments = (
        await uow.session.scalars(
            select(Payment)
            .where(Payment.order_id == order.order_id, Payment.status == PaymentStatus.successful)
            .order_by(Payment.payment_id)
            .with_for_update()
        )
    ).all()
    pending = dict(
        (
            await uow.session.execute(
                select(Refund.payment_id, func.sum(Refund.amount))
                .where(
                    Refund.status.in_(
                        [RefundStatus.pending, RefundStatus.processing, RefundStatus.failed]
                    )
                )
                .group_by(Refund.payment_id)
            )
        ).all()
    )
    ids, left = [], amount
    for payment in payments:
        room = payment.amount - payment.refunded_amount - (pending.get(payment.payment_id) or ZERO)
        part = min(room, left)
        if part <= 0:
            continue
        refund = Refund(
            payment_id=payment.payment_id,
            return_id=return_id,
            amount=part,
            status=RefundStatus.pending,
            reason=reason[:500],
            created_by=by,
        )
        uow.session.add(refund)
        await uow.session.flush()
        audit(
            uow,
            "refund",
            refund.refund_id,
            "create",
            by=by,
            new={"payment_id": payment.payment_id, "amount": part, "reason": reason},
        )
        ids.append(refund.refund_id)
        left -= part
    if left > 0:
        raise RefundTooLarge(refundable=amount - left, asked=amount)
    return ids


async def settle_refund(d: Deps, refund_id: int, *, stale: timedelta = REFUND_STALE) -> RefundView:
    """Ask the provider for one refund, once however many settle it at the same time: the
    row is taken first (its own commit), only the taker asks (with the refund's key), and
    only the taker records the outcome. A refund taken by someone silent for `stale` may be
    taken over."""
    token = secrets.token_hex(16)
    taken = await take_refund(d, refund_id, token, stale)
    if isinstance(taken, RefundView):
        return taken  # settled already, or someone else holds it
    request, provider = taken
    error: str | None = None
    provider_ref = None
    try:
        provider_ref = (await ask_refund(d.refund_provider(provider), request)).provider_ref
    except Exception as exc:  # the provider's failure is data here, kept for the admin
        error = f"{type(exc).__name__}: {exc}"[:500]
    return await finish_refund(d, refund_id, token, provider_ref, error)


async def take_refund(
    d: Deps, refund_id: int, token: str, stale: timedelta
) -> tuple[RefundRequest, str] | RefundView:
    """Mark the refund `processing` under `token`, if it is pending or its taker went silent
    for `stale`: one conditional UPDATE, so of two at once exactly one takes it. Returns what
    to ask the provider, or (not taken) the refund as it is."""
    now = d.clock()
    async with d.uow() as uow:
        refund = await found(uow, Refund, refund_id, "refund")
        before = {"status": refund.status, "taken_by": refund.taken_by}
        result = cast(
            CursorResult[Any],
            await uow.session.execute(
                update(Refund)
                .where(
                    Refund.refund_id == refund_id,
                    or_(
                        Refund.status == RefundStatus.pending,
                        and_(
                            Refund.status == RefundStatus.processing,
                            Refund.taken_at < now - stale,
                        ),
                    ),
                )
                .values(
                    status=RefundStatus.processing,
                    taken_by=token,
                    taken_at=now,
                    attempts=Refund.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            return RefundView(refund_id, refund.payment_id, refund.amount, refund.status)
        refund = await found(uow, Refund, refund_id, "refund", populate_existing=True)
        payment = await found(uow, Payment, refund.payment_id, "payment")
        audit(
            uow,
            "refund",
            refund_id,
            "status_change",
            by=None,
            old=before,
            new={"status": RefundStatus.processing, "taken_by": token, "attempt": refund.attempts},
        )
        request = RefundRequest(
            refund_id,
            payment.transaction_ref or "",
            refund.amount,
            payment.currency,
            attempt=refund.attempts,
        )
        provider = payment.provider
        await uow.commit()
    return request, provider


async def finish_refund(
    d: Deps, refund_id: int, token: str, provider_ref: str | None, error: str | None
) -> RefundView:
    """Record the provider's answer, if `token` still holds the refund (otherwise whoever
    took it over records theirs, which the key makes the same refund)."""
    async with d.uow() as uow:
        refund = await found(uow, Refund, refund_id, "refund")
        payment = await found(uow, Payment, refund.payment_id, "payment")
        order = await lock_order(uow, payment.order_id)  # the order first, as cancelling does
        payment = await found(
            uow, Payment, refund.payment_id, "payment", with_for_update=True, populate_existing=True
        )
        refund = await found(
            uow, Refund, refund_id, "refund", with_for_update=True, populate_existing=True
        )
        if refund.status != RefundStatus.processing or refund.taken_by != token:
            return RefundView(refund_id, refund.payment_id, refund.amount, refund.status)
        if error is not None:
            refund.status = RefundStatus.failed
            audit(
                uow,
                "refund",
                refund_id,
                "status_change",
                by=None,
                old={"status": RefundStatus.processing},
                new={"status": "failed", "error": error},
            )
            for admin_id in await admin_user_ids(uow):
                notify(
                    uow,
                    admin_id,
                    "refund_failed",
                    refund_id=refund_id,
                    order_id=order.order_id,
                    error=error,
                )
        else:
            refund.status, refund.provider_ref = RefundStatus.succeeded, provider_ref
            audit(
                uow,
                "refund",
                refund_id,
                "status_change",
                by=None,
                old={"status": RefundStatus.processing},
                new={"status": "succeeded", "provider_ref": provider_ref},
            )
            old = payment.refunded_amount
            payment.refunded_amount = old + refund.amount
            audit(
                uow,
                "payment",
                payment.payment_id,
                "update",
                by=None,
                old={"refunded_amount": old},
                new={"refunded_amount": payment.refunded_amount},
            )
            if payment.refunded_amount == payment.amount:
                PAYMENT_FLOW.move(uow, payment, E.refund_all, by=None)
            if not is_extra_refund(refund.reason):  # a charge the order never took moves it not
                await _follow_refunds(uow, order)
            if refund.return_id is not None:
                await follow_return(uow, refund.return_id)
            notify(uow, order.user_id, "refund_sent", order_id=order.order_id, amount=refund.amount)
        await uow.commit()
        return RefundView(refund_id, refund.payment_id, refund.amount, refund.status)


async def follow_return(uow: UnitOfWork, return_id: int, by: int | None = None) -> None:
    """An approved return is refunded once every refund opened for it has succeeded, whoever
    settled the last one (the return's approval, or the job after a crash)."""
    ret = await found(uow, Return, return_id, "return", with_for_update=True)
    if ret.status != ReturnStatus.approved:
        return
    open_ones = await uow.session.scalar(
        select(func.count())
        .select_from(Refund)
        .where(Refund.return_id == return_id, Refund.status != RefundStatus.succeeded)
    )
    if not open_ones:
        RETURN_FLOW.move(uow, ret, E.refund, by=by)


async def _follow_refunds(uow: UnitOfWork, order: Order) -> None:
    """The order's payment status after a refund: refunded once all it took is back (the
    charges it could not take, refunded on their own, count for nothing here)."""
    extra = await extra_payment_ids(uow, order.order_id)
    payments = [
        p
        for p in (
            await uow.session.scalars(select(Payment).where(Payment.order_id == order.order_id))
        ).all()
        if p.payment_id not in extra
    ]
    paid = sum(
        (
            p.amount
            for p in payments
            if p.status in (PaymentStatus.successful, PaymentStatus.refunded)
        ),
        ZERO,
    )
    back = sum((p.refunded_amount for p in payments), ZERO)
    event = E.refund_all if back >= paid else E.refund_part
    ORDER_PAYMENT_FLOW.move(uow, order, event, by=None)
