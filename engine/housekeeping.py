"""Time-driven engine work the scheduler calls (bot/jobs.py): reminders, alerts and the admin
digest. Expiry, payout runs and coupon expiry live with their own areas (`Orders.expire_unpaid`,
`Payouts.run`, `Coupons.expire_due`).

Each operation is safe to run twice: what was already said is recorded (a dedupe key on the
outbox row, or `Cart.reminder_sent_at`), so a retried or doubled job tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select, update

from engine.base import Deps, actor, admin_user_ids, audit, notify, operation
from engine.orders import bank_reference
from storage.models import (
    Cart,
    CartItem,
    InventoryLog,
    Order,
    Outbox,
    Payment,
    Product,
    Refund,
    Seller,
    Shipment,
    ShippingProvider,
    User,
    Wishlist,
    WishlistItem,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryChangeType,
    OrderStatus,
    OutboxChannel,
    OutboxStatus,
    PaymentMethod,
    PaymentStatus,
    ProductStatus,
    ProviderStatus,
    SellerStatus,
    ShipmentStatus,
    UserStatus,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Tracked:
    """A parcel on its way whose provider can be asked where it is."""

    provider_id: int
    api_endpoint: str
    tracking_number: str


@dataclass(frozen=True)
class Digest:
    sellers_waiting: int
    stock_outs: int
    large_adjustments: int
    failed_payments: int
    refunds: int
    refunded: Decimal
    undeliverable: int


async def _already(uow: UnitOfWork, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    if not wanted:
        return set()
    found = await uow.session.scalars(
        select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(wanted))
    )
    return {k for k in found.all() if k is not None}


class Housekeeping:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("scheduler")
    async def remind_bank_transfers(self, before: timedelta = timedelta(hours=24)) -> list[int]:
        """Remind customers whose bank-transfer order expires within `before` and is still
        unpaid, once per order; returns the orders reminded."""
        now = self.d.clock()
        async with self.d.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(Order.order_id, Order.user_id, Order.total_amount, Order.expires_at)
                    .where(
                        Order.order_status == OrderStatus.pending,
                        Order.payment_method == PaymentMethod.bank_transfer,
                        Order.expires_at.is_not(None),
                        Order.expires_at > now,
                        Order.expires_at <= now + before,
                    )
                    .order_by(Order.order_id)
                )
            ).all()
            done = await _already(uow, (f"bank-reminder:{r.order_id}" for r in rows))
            reminded = []
            for order_id, user_id, total, expires_at in rows:
                key = f"bank-reminder:{order_id}"
                if key in done or expires_at is None:
                    continue
                notify(
                    uow,
                    user_id,
                    "bank_transfer_reminder",
                    dedupe_key=key,
                    order_id=order_id,
                    total=total,
                    reference=bank_reference(order_id),
                    hours=max(1, int((expires_at - now).total_seconds() // 3600)),
                )
                reminded.append(order_id)
            await uow.commit()
        return reminded

    @operation("scheduler")
    async def remind_abandoned_carts(self, idle: timedelta = timedelta(hours=24)) -> list[int]:
        """Remind customers whose cart has sat untouched for `idle`: once per change of the
        cart, never those who opted out or are banned; returns the users reminded."""
        now = self.d.clock()
        last = (
            select(
                CartItem.cart_id,
                func.max(CartItem.updated_at).label("touched"),
                func.sum(CartItem.quantity).label("units"),
            )
            .group_by(CartItem.cart_id)
            .subquery()
        )
        async with self.d.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(Cart.cart_id, Cart.user_id, last.c.units)
                    .join(last, last.c.cart_id == Cart.cart_id)
                    .join(User, User.user_id == Cart.user_id)
                    .where(
                        last.c.touched <= now - idle,
                        or_(
                            Cart.reminder_sent_at.is_(None), Cart.reminder_sent_at < last.c.touched
                        ),
                        User.reminders_opt_out.is_(False),
                        User.status == UserStatus.active,
                    )
                    .order_by(Cart.cart_id)
                )
            ).all()
            users = []
            for cart_id, user_id, items in rows:
                # the marker is claimed row by row, so two runs at once remind nobody twice
                marked = await uow.session.execute(
                    update(Cart)
                    .where(
                        Cart.cart_id == cart_id,
                        or_(Cart.reminder_sent_at.is_(None), Cart.reminder_sent_at < now - idle),
                    )
                    .values(reminder_sent_at=now)
                )
                if marked.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                audit(uow, "cart", cart_id, "reminder", by=None, new={"items": int(items)})
                notify(uow, user_id, "cart_reminder", items=int(items))
                users.append(user_id)
            await uow.commit()
        return users

    @operation("the user themself")
    async def set_reminders(self, actor_id: int, *, enabled: bool) -> bool:
        """Opt in or out of cart reminders; returns the new setting."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            user = await uow.session.get(User, actor_id, with_for_update=True)
            assert user is not None
            if user.reminders_opt_out == (not enabled):
                return enabled
            audit(
                uow,
                "user",
                actor_id,
                "update",
                by=actor_id,
                old={"reminders": not enabled},
                new={"reminders": enabled},
            )
            user.reminders_opt_out = not enabled
            await uow.commit()
        return enabled

    @operation("scheduler")
    async def back_in_stock(self) -> int:
        """Tell everyone who wishlisted a product that it is back: once per time it ran out
        and came back (the stock-out is the ledger row that left it at zero); returns how
        many were told."""
        last_out = (
            select(InventoryLog.product_id, func.max(InventoryLog.log_id).label("out_log"))
            .where(InventoryLog.stock_after == 0)
            .group_by(InventoryLog.product_id)
            .subquery()
        )
        async with self.d.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(
                        Product.product_id,
                        Product.name,
                        Wishlist.user_id,
                        last_out.c.out_log,
                    )
                    .join(last_out, last_out.c.product_id == Product.product_id)
                    .join(WishlistItem, WishlistItem.product_id == Product.product_id)
                    .join(Wishlist, Wishlist.wishlist_id == WishlistItem.wishlist_id)
                    .join(User, User.user_id == Wishlist.user_id)
                    .join(Seller, Seller.seller_id == Product.seller_id)
                    .where(
                        Product.stock_quantity > 0,
                        Product.status == ProductStatus.active,
                        Seller.status == SellerStatus.active,
                        User.status == UserStatus.active,
                    )
                    .order_by(Product.product_id, Wishlist.user_id)
                )
            ).all()

            def key(product_id: int, user_id: int, out_log: int) -> str:
                return f"back-in-stock:{product_id}:{user_id}:{out_log}"

            done = await _already(uow, (key(r.product_id, r.user_id, r.out_log) for r in rows))
            told = 0
            for product_id, name, user_id, out_log in rows:
                k = key(product_id, user_id, out_log)
                if k in done:
                    continue
                notify(
                    uow, user_id, "back_in_stock", dedupe_key=k, product_id=product_id, name=name
                )
                told += 1
            await uow.commit()
        return told

    @operation("scheduler")
    async def open_trackings(self) -> list[Tracked]:
        """Parcels shipped and not yet delivered whose provider has an API to ask."""
        async with self.d.read() as uow:
            rows = (
                await uow.session.execute(
                    select(
                        ShippingProvider.provider_id,
                        ShippingProvider.api_endpoint,
                        Shipment.tracking_number,
                    )
                    .join(Shipment, Shipment.provider_id == ShippingProvider.provider_id)
                    .where(
                        ShippingProvider.api_endpoint.is_not(None),
                        ShippingProvider.status == ProviderStatus.active,
                        Shipment.status == ShipmentStatus.in_transit,
                        Shipment.tracking_number.is_not(None),
                    )
                    .order_by(Shipment.shipment_id)
                )
            ).all()
        return [Tracked(p, str(e), str(n)) for p, e, n in rows]

    async def digest(self, since: timedelta = timedelta(days=1)) -> Digest:
        """What an admin should look at: the figures of the daily digest."""
        start = self.d.clock() - since
        async with self.d.read() as uow:
            s = uow.session
            sellers = await s.scalar(
                select(func.count()).where(Seller.status == SellerStatus.pending)
            )
            stock_outs = await s.scalar(
                select(func.count())
                .select_from(Product)
                .join(Seller, Seller.seller_id == Product.seller_id)
                .where(
                    Product.stock_quantity == 0,
                    Product.status != ProductStatus.inactive,
                    Seller.status == SellerStatus.active,
                )
            )
            large = await s.scalar(
                select(func.count()).where(
                    InventoryLog.change_type == InventoryChangeType.adjustment,
                    InventoryLog.created_at >= start,
                    or_(
                        InventoryLog.quantity >= self.d.rules.large_adjustment,
                        InventoryLog.quantity <= -self.d.rules.large_adjustment,
                    ),
                )
            )
            failed = await s.scalar(
                select(func.count()).where(
                    Payment.status == PaymentStatus.failed, Payment.created_at >= start
                )
            )
            refunds = (
                await s.execute(
                    select(func.count(), func.sum(Refund.amount)).where(Refund.created_at >= start)
                )
            ).one()
            undeliverable = await s.scalar(
                select(func.count()).where(
                    Outbox.status.in_([OutboxStatus.undeliverable, OutboxStatus.failed]),
                    Outbox.channel == OutboxChannel.telegram,
                    Outbox.created_at >= start,
                )
            )
        return Digest(
            int(sellers or 0),
            int(stock_outs or 0),
            int(large or 0),
            int(failed or 0),
            int(refunds[0]),
            ZERO if refunds[1] is None else Decimal(refunds[1]).quantize(ZERO),
            int(undeliverable or 0),
        )

    @operation("scheduler")
    async def send_admin_digest(self) -> int:
        """The daily digest to every admin, once a day each; returns how many were told."""
        figures = await self.digest()
        day = self.d.clock().date().isoformat()
        async with self.d.uow() as uow:
            admins = await admin_user_ids(uow)
            done = await _already(uow, (f"digest:{day}:{a}" for a in admins))
            told = 0
            for user_id in admins:
                if f"digest:{day}:{user_id}" in done:
                    continue
                notify(
                    uow,
                    user_id,
                    "admin_digest",
                    dedupe_key=f"digest:{day}:{user_id}",
                    day=day,
                    sellers_waiting=figures.sellers_waiting,
                    stock_outs=figures.stock_outs,
                    large_adjustments=figures.large_adjustments,
                    failed_payments=figures.failed_payments,
                    refunds=figures.refunds,
                    refunded=figures.refunded,
                    undeliverable=figures.undeliverable,
                )
                told += 1
            await uow.commit()
        return told
