"""What admins watch: sellers' performance, stock, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from engine.base import Deps, admin, audit, notify, operation
from engine.catalog import average_rating
from engine.errors import InvalidInput
from engine.pricing import ZERO
from storage.models import AuditLog, InventoryLog, Order, OrderItem, Product, Seller, User
from storage.vocabulary import InventoryChangeType, OrderStatus, SellerStatus, UserStatus

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
