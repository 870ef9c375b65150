"""What admins watch: sellers' performance, stock, the audit trail and sales reports (a
seller's own, and the whole marketplace's); and who gets which / menu in Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from engine.base import Deps, admin, audit, notify, operation, seller_of
from engine.catalog import average_rating
from engine.errors import InvalidInput, NotFound
from engine.pricing import ZERO
from storage.models import AuditLog, InventoryLog, Order, OrderItem, Product, Seller, User
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryChangeType,
    OrderStatus,
    SellerStatus,
    UserRole,
    UserStatus,
)

FREQUENT_ADJUSTMENTS = 3  # manual corrections of one product within the watch window
SOLD = (OrderStatus.paid, OrderStatus.shipped, OrderStatus.delivered, OrderStatus.returned)


@dataclass(frozen=True)
class SellerPerformance:
    seller_id: int
    store_name: str
    status: SellerStatus
    revenue: Decimal  # what buyers paid for its lines, less refunds
    orders: int
    cancellation_rate: Decimal  # share of its orders that were cancelled
    return_rate: Decimal  # share of units sold that came back
    rating: Decimal | None
    status_reason: str | None = None  # why it is suspended, closed or was refused


@dataclass(frozen=True)
class StockAlert:
    product_id: int
    name: str
    seller_id: int
    kind: str  # "stock_out", "large_adjustment" or "frequent_adjustments" (change = count)
    stock: int
    change: int | None = None
    reason: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    entity_type: str
    entity_id: int
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changed_by: int | None
    at: datetime


@dataclass(frozen=True)
class DaySales:
    day: date
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class StoreSales:
    seller_id: int
    store_name: str
    revenue: Decimal


@dataclass(frozen=True)
class SalesReport:
    """Sales over the last `days` days (today included, UTC), by the day each order was placed.

    Counted: lines of orders that were paid (paid, shipped, delivered, returned). Revenue is
    what buyers paid for those lines: price × quantity − coupon share − refunds, exact.
    """

    store_name: str | None  # None: the whole marketplace
    days: int
    first_day: date
    last_day: date
    currency: str
    by_day: list[DaySales]  # every day of the period, oldest first, quiet days included
    top_products: list[ProductSales]  # by revenue, at most TOP
    top_stores: list[StoreSales]  # by revenue, at most TOP (the marketplace's report only)
    gross: Decimal  # price × quantity
    discounts: Decimal
    refunds: Decimal
    revenue: Decimal  # gross − discounts − refunds
    orders: int
    units: int


@dataclass(frozen=True)
class UserCard:
    """What an admin sees of a user before banning or unbanning them."""

    user_id: int
    telegram_id: int | None
    username: str | None
    first_name: str | None
    role: UserRole
    status: UserStatus
    status_reason: str | None


@dataclass(frozen=True)
class CommandChats:
    """Telegram chats that get a / menu of their own: active sellers (who are not admins) and
    admins."""

    sellers: list[int]
    admins: list[int]


TOP = 5
REPORT_DAYS = range(1, 367)


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) / whole).quantize(Decimal("0.001")) if whole else Decimal("0.000")


class Backoffice:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("admin")
    async def seller_performance(self, actor_id: int) -> list[SellerPerformance]:
        """Every seller with revenue, orders, cancellation and return rates, average rating."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            sellers = (await uow.session.scalars(select(Seller).order_by(Seller.seller_id))).all()
            out = []
            for s in sellers:
                lines = (
                    await uow.session.execute(
                        select(OrderItem, Order.order_status)
                        .join(Order, Order.order_id == OrderItem.order_id)
                        .where(OrderItem.seller_id == s.seller_id)
                    )
                ).all()
                sold = [item for item, status in lines if status in SOLD]
                revenue = sum(
                    (i.price * i.quantity - i.discount_amount - i.refunded_amount for i in sold),
                    ZERO,
                )
                orders = {item.order_id for item, _ in lines}
                cancelled = {item.order_id for item, st in lines if st == OrderStatus.cancelled}
                units = sum(i.quantity for i in sold)
                returned = sum(i.refunded_quantity for i in sold)
                totals = (
                    await uow.session.execute(
                        select(
                            func.coalesce(func.sum(Product.rating_sum), 0),
                            func.coalesce(func.sum(Product.review_count), 0),
                        ).where(Product.seller_id == s.seller_id)
                    )
                ).one()
                out.append(
                    SellerPerformance(
                        s.seller_id,
                        s.store_name,
                        s.status,
                        revenue,
                        len(orders),
                        _rate(len(cancelled), len(orders)),
                        _rate(returned, units),
                        average_rating(int(totals[0]), int(totals[1])),
                        s.status_reason,
                    )
                )
            return out

    @operation("admin")
    async def inventory_watch(self, actor_id: int, days: int = 7) -> list[StockAlert]:
        """Products out of stock, manual adjustments bigger than the shop's threshold, and
        products corrected by hand again and again in the last `days` days (possible
        mistakes or fraud)."""
        since = self.d.clock() - timedelta(days=days)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            alerts = [
                StockAlert(p.product_id, p.name, p.seller_id, "stock_out", p.stock_quantity)
                for p in (
                    await uow.session.scalars(
                        select(Product)
                        .where(Product.stock_quantity == 0)
                        .order_by(Product.product_id)
                    )
                ).all()
            ]
            big = case(
                (InventoryLog.quantity < 0, -InventoryLog.quantity), else_=InventoryLog.quantity
            )
            rows = (
                await uow.session.execute(
                    select(InventoryLog, Product)
                    .join(Product, Product.product_id == InventoryLog.product_id)
                    .where(
                        InventoryLog.change_type == InventoryChangeType.adjustment,
                        InventoryLog.created_at >= since,
                        big >= self.d.rules.large_adjustment,
                    )
                    .order_by(InventoryLog.log_id)
                )
            ).all()
            alerts += [
                StockAlert(
                    p.product_id,
                    p.name,
                    p.seller_id,
                    "large_adjustment",
                    p.stock_quantity,
                    log.quantity,
                    log.reason,
                    log.created_at,
                )
                for log, p in rows
            ]
            # many small corrections add up: flag products adjusted often in the window
            frequent = (
                await uow.session.execute(
                    select(Product, func.count(InventoryLog.log_id))
                    .join(InventoryLog, InventoryLog.product_id == Product.product_id)
                    .where(
                        InventoryLog.change_type == InventoryChangeType.adjustment,
                        InventoryLog.created_at >= since,
                    )
                    .group_by(Product.product_id)
                    .having(func.count(InventoryLog.log_id) >= FREQUENT_ADJUSTMENTS)
                    .order_by(Product.product_id)
                )
            ).all()
            alerts += [
                StockAlert(
                    p.product_id,
                    p.name,
                    p.seller_id,
                    "frequent_adjustments",
                    p.stock_quantity,
                    change=int(n),
                )
                for p, n in frequent
            ]
            return alerts

    @operation("admin")
    async def broadcast(self, actor_id: int, text: str) -> int:
        """A message to every active user of the shop, through the outbox (so Telegram's rates hold
        and a restart loses nobody); returns how many will receive it."""
        text = text.strip()
        if not text or len(text) > 3500:
            raise InvalidInput(field="text", rule="length", max=3500)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            ids = (
                await uow.session.scalars(
                    select(User.user_id).where(
                        User.status == UserStatus.active, User.telegram_id.is_not(None)
                    )
                )
            ).all()
            stamp = self.d.clock().isoformat()
            for user_id in ids:
                notify(
                    uow, user_id, "broadcast", dedupe_key=f"broadcast:{stamp}:{user_id}", text=text
                )
            audit(
                uow,
                "broadcast",
                actor_id,
                "create",
                by=actor_id,
                new={"recipients": len(ids), "text": text[:200]},
            )
            await uow.commit()
            return len(ids)

    @operation("admin")
    async def audit_search(
        self,
        actor_id: int,
        *,
        entity_type: str | None = None,
        entity_id: int | None = None,
        changed_by: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """The audit trail filtered by entity, user and date range, newest first."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            stmt = select(AuditLog)
            if entity_type is not None:
                stmt = stmt.where(AuditLog.entity_type == entity_type)
            if entity_id is not None:
                stmt = stmt.where(AuditLog.entity_id == entity_id)
            if changed_by is not None:
                stmt = stmt.where(AuditLog.changed_by == changed_by)
            if since is not None:
                stmt = stmt.where(AuditLog.created_at >= since)
            if until is not None:
                stmt = stmt.where(AuditLog.created_at < until)
            rows = (
                await uow.session.scalars(
                    stmt.order_by(AuditLog.audit_id.desc())
                    .offset(max(offset, 0))
                    .limit(min(max(limit, 1), 200))
                )
            ).all()
            return [
                AuditEntry(
                    a.audit_id,
                    a.entity_type,
                    a.entity_id,
                    a.action,
                    a.old_data,
                    a.new_data,
                    a.changed_by,
                    a.created_at,
                )
                for a in rows
            ]

    # --- sales reports ----------------------------------------------------------------------
    @operation("seller (own store)")
    async def store_sales(self, actor_id: int, days: int = 30) -> SalesReport:
        """The acting seller's sales over the last `days` days: revenue per day, top
        products, exact totals."""
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            return await self._sales(uow, days, seller)

    @operation("admin")
    async def marketplace_sales(self, actor_id: int, days: int = 30) -> SalesReport:
        """Every store's sales over the last `days` days: revenue per day, top products and
        stores, exact totals."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            return await self._sales(uow, days, None)

    async def _sales(self, uow: UnitOfWork, days: int, seller: Seller | None) -> SalesReport:
        if days not in REPORT_DAYS:
            raise InvalidInput(field="days", rule="range", min=1, max=REPORT_DAYS[-1])
        last = self.d.clock().astimezone(UTC).date()
        first = last - timedelta(days=days - 1)
        stmt = (
            select(OrderItem, Order.created_at, Seller.store_name)
            .join(Order, Order.order_id == OrderItem.order_id)
            .join(Seller, Seller.seller_id == OrderItem.seller_id)
            .where(
                Order.order_status.in_(SOLD),
                Order.created_at >= datetime.combine(first, time(), tzinfo=UTC),
            )
            .order_by(OrderItem.order_item_id)
        )
        if seller is not None:
            stmt = stmt.where(OrderItem.seller_id == seller.seller_id)
        rows = (await uow.session.execute(stmt)).all()
        revenue_on: dict[date, Decimal] = {}
        orders_on: dict[date, set[int]] = {}
        products: dict[int, tuple[str, int, Decimal]] = {}
        stores: dict[int, tuple[str, Decimal]] = {}
        gross = discounts = refunds = ZERO
        units = 0
        for item, placed, store in rows:
            day = placed.astimezone(UTC).date()
            net = item.price * item.quantity - item.discount_amount - item.refunded_amount
            gross += item.price * item.quantity
            discounts += item.discount_amount
            refunds += item.refunded_amount
            units += item.quantity
            revenue_on[day] = revenue_on.get(day, ZERO) + net
            orders_on.setdefault(day, set()).add(item.order_id)
            name, sold, earned = products.get(item.product_id, (item.product_name, 0, ZERO))
            products[item.product_id] = (name, sold + item.quantity, earned + net)
            shop_name, shop_earned = stores.get(item.seller_id, (store, ZERO))
            stores[item.seller_id] = (shop_name, shop_earned + net)
        by_day = [
            DaySales(d, revenue_on.get(d, ZERO), len(orders_on.get(d, ())))
            for d in (first + timedelta(days=n) for n in range(days))
        ]
        ranked = [ProductSales(pid, *sold) for pid, sold in products.items()]
        top_products = sorted(ranked, key=lambda p: (-p.revenue, -p.units, p.product_id))[:TOP]
        top_stores = (
            []
            if seller is not None
            else sorted(
                (StoreSales(sid, name, earned) for sid, (name, earned) in stores.items()),
                key=lambda s: (-s.revenue, s.seller_id),
            )[:TOP]
        )
        return SalesReport(
            store_name=None if seller is None else seller.store_name,
            days=days,
            first_day=first,
            last_day=last,
            currency=self.d.rules.currency,
            by_day=by_day,
            top_products=top_products,
            top_stores=top_stores,
            gross=gross,
            discounts=discounts,
            refunds=refunds,
            revenue=gross - discounts - refunds,
            orders=len({item.order_id for item, _, _ in rows}),
            units=units,
        )

    # --- people -----------------------------------------------------------------------------
    @operation("admin")
    async def find_user(self, actor_id: int, who: str) -> UserCard:
        """A user by the shop's user id, by Telegram id (`tg:<id>`) or by @username."""
        who = who.strip()
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            if who.startswith("@") and len(who) > 1:
                stmt = select(User).where(func.lower(User.username) == who[1:].lower())
            elif who.lower().startswith("tg:") and who[3:].isdigit():
                stmt = select(User).where(User.telegram_id == int(who[3:]))
            elif who.isdigit():
                stmt = select(User).where(User.user_id == int(who))
            else:
                raise InvalidInput(field="user", rule="format")
            user = await uow.session.scalar(stmt.limit(1))
            if user is None:
                raise NotFound(entity="user", id=who[:64])
            return UserCard(
                user.user_id,
                user.telegram_id,
                user.username,
                user.first_name,
                user.role,
                user.status,
                user.status_reason,
            )

    @operation("admin")
    async def require_admin(self, actor_id: int) -> None:
        """Refuse anyone but an admin (admin screens that only read call this first)."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)

    @operation("the bot (system)")
    async def command_chats(self, seller_id: int | None = None) -> CommandChats:
        """Who gets a / menu of their own in Telegram: active sellers who are not admins
        (only `seller_id`'s owner when given, whatever the store's status) and admins."""
        async with self.d.uow() as uow:
            stmt = (
                select(User.telegram_id)
                .join(Seller, Seller.user_id == User.user_id)
                .where(User.role != UserRole.admin, User.telegram_id.is_not(None))
                .order_by(User.telegram_id)
            )
            if seller_id is None:
                stmt = stmt.where(Seller.status == SellerStatus.active)
            else:
                stmt = stmt.where(Seller.seller_id == seller_id)
            sellers = [x for x in (await uow.session.scalars(stmt)).all() if x is not None]
            admins = [
                x
                for x in (
                    await uow.session.scalars(
                        select(User.telegram_id)
                        .where(User.role == UserRole.admin, User.telegram_id.is_not(None))
                        .order_by(User.telegram_id)
                    )
                ).all()
                if x is not None
            ]
            return CommandChats(sellers, admins)
