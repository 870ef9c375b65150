"""What admins watch: sellers' performance, stock, the audit trail and sales reports (a
seller's own, and the whole marketplace's); and who gets which / menu in Telegram."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from engine.aftersales import commission_rate, due_lines, payout_sums, period_start
from engine.base import Deps, admin, audit, notify, operation, seller_of
from engine.catalog import average_rating
from engine.errors import InvalidInput, NotFound
from engine.pricing import ZERO
from storage.models import (
    Address,
    AuditLog,
    Cart,
    InventoryLog,
    Order,
    OrderItem,
    Payment,
    Payout,
    Product,
    Refund,
    Return,
    Review,
    Seller,
    Shipment,
    SupportRequest,
    User,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryChangeType,
    OrderStatus,
    PaymentMethod,
    PayoutStatus,
    SellerStatus,
    UserRole,
    UserStatus,
    money,
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
    store_name: str = ""  # the seller's store, as shoppers see it


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
    by_name: str | None = None  # who did it, by first name (None: the shop itself)
    #: the capacity they acted in on this row (`capacity`): Maya, who also sells, is the
    #: customer on her own order's rows and the seller on her parcel's rows
    by_role: UserRole | None = None
    changes: tuple[Change, ...] = ()  # before → after, field by field


#: A field's value as an audit entry shows it: text (numbers, codes, free text, a moment to
#: the minute, a list or mapping joined into one line), a yes / no, or nothing (not set).
#: Which words say it is the screens' business (handlers/admin/audit.py).
Shown = str | bool | None


@dataclass(frozen=True)
class Change:
    """One field of an audited change: what it was and what it became (None: not set)."""

    field: str
    before: Shown
    after: Shown


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int  # from 1
    has_next: bool


@dataclass(frozen=True)
class WaitingTransfer:
    """An order waiting for its bank transfer: what to look for on the bank statement."""

    order_id: int
    amount: Decimal
    currency: str
    reference: str
    customer: str
    placed_at: datetime
    age: timedelta


@dataclass(frozen=True)
class PayoutDue:
    """What `/payouts` would pay one seller now, and what it is still owed from before."""

    seller_id: int
    store_name: str
    period_start: datetime | None  # the first delivery not yet paid out (None: nothing due)
    period_end: datetime
    gross: Decimal  # what buyers paid for the lines (after coupons)
    refunds: Decimal
    commission: Decimal
    net: Decimal  # gross − refunds − commission
    lines: int
    pending_balance: Decimal  # payouts created earlier and not yet sent


def payable(due: Iterable[PayoutDue]) -> list[PayoutDue]:
    """The sellers a payouts run would pay now (those with lines due)."""
    return [p for p in due if p.lines]


def due_total(due: Iterable[PayoutDue]) -> Decimal:
    """What a payouts run would pay now, all sellers together."""
    return sum((p.net for p in payable(due)), ZERO)


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
    """Telegram chats that get a / menu of their own: active sellers (who are not admins),
    admins, and the admins among them who also sell (their menu has the seller's commands)."""

    sellers: list[int]
    admins: list[int]
    selling_admins: list[int] = field(default_factory=list)


TOP = 5
REPORT_DAYS = range(1, 367)
PAYABLE = (SellerStatus.active, SellerStatus.suspended, SellerStatus.closed)


def _own_id(who: str) -> int | None:
    """The shop's own user id from "#9" or "id:9"; None for anything else."""
    digits = who[1:] if who.startswith("#") else who[3:] if who.startswith("id:") else ""
    return int(digits) if digits.isdigit() and len(digits) <= 18 else None


async def _audience(uow: UnitOfWork) -> list[int]:
    return list(
        (
            await uow.session.scalars(
                select(User.user_id).where(
                    User.status == UserStatus.active, User.telegram_id.is_not(None)
                )
            )
        ).all()
    )


def _of_order(order_id: int) -> ColumnElement[bool]:
    """The audit rows of an order and of the rows that belong to it: its parcels, payments,
    the refunds of those payments, and its returns."""
    payments = select(Payment.payment_id).where(Payment.order_id == order_id)
    belongs = {
        "shipment": select(Shipment.shipment_id).where(Shipment.order_id == order_id),
        "payment": payments,
        "refund": select(Refund.refund_id).where(Refund.payment_id.in_(payments)),
        "return": select(Return.return_id).where(Return.order_id == order_id),
    }
    return or_(
        and_(AuditLog.entity_type == "order", AuditLog.entity_id == order_id),
        *(
            and_(AuditLog.entity_type == kind, AuditLog.entity_id.in_(ids))
            for kind, ids in belongs.items()
        ),
    )


#: A moment as the audit rows keep it (ISO 8601, from `audit`): shown to the minute, in UTC.
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: What a row keeps for the shop's own bookkeeping and says nothing to an admin: the
#: transition's event (the status it led to says it), a refund settler's token and whether
#: a charge was taken over, a milestone's `implied` flag (its `source` says it), a
#: cancellation's `by` (who did it is the entry's own `by_name` and `by_role`).
BOOKKEEPING = frozenset({"event", "taken_by", "taken", "implied", "by"})
#: Fields holding ids of rows an admin does not see (order lines, photos): shown as how many.
COUNTED = frozenset({"lines", "photos", "images"})
_SHOWN_ITEMS = 10


def _text(value: Any) -> str:
    """A value inside a list or mapping, as text in no language: a yes as ✓, a no as ✗."""
    shown = _shown(value)
    if shown is None:
        return "—"
    return shown if isinstance(shown, str) else ("✓" if shown else "✗")


def _shown(value: Any) -> Shown:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and _MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, Mapping):
        items = list(value.items())
        shown = ", ".join(f"{k}: {_text(v)}" for k, v in items[:_SHOWN_ITEMS])
        return shown + (" …" if len(items) > _SHOWN_ITEMS else "")
    if isinstance(value, list | tuple):
        shown = ", ".join(_text(v) for v in value[:_SHOWN_ITEMS])
        return shown + (" …" if len(value) > _SHOWN_ITEMS else "")
    return str(value)


def _units(items: Any) -> int | None:
    """A return's `items` (order line id → units) as how many units."""
    if isinstance(items, Mapping) and all(isinstance(v, int) for v in items.values()):
        return sum(items.values())
    return None


def _readable(key: str, value: Any) -> tuple[str, Any]:
    """A row's field as an admin reads it: lists of internal ids as how many, a return's
    items as its units; anything else as it is."""
    if key in COUNTED and isinstance(value, list | tuple | Mapping):
        return key, len(value)
    if key == "items" and (units := _units(value)) is not None:
        return "units", units
    return key, value


def _changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[Change, ...]:
    """Field by field, before → after; the shop's own bookkeeping (`BOOKKEEPING`) left out,
    and so is a field that is not set before or after."""
    old, new = old or {}, new or {}
    keys = [*old, *(k for k in new if k not in old)]
    out = []
    for key in keys:
        if key in BOOKKEEPING or old.get(key) == new.get(key):
            continue
        name, before = _readable(key, old.get(key))
        name, after = _readable(key, new.get(key)) if key in new else (name, None)
        out.append(Change(name, _shown(before), _shown(after)))
    return tuple(out)


# --- in which capacity someone acted on a row ------------------------------------------------
#: Rows where being its seller comes before being its customer: Maya's purchase from her own
#: store is hers as the customer (the order, its payment), its parcel hers as the seller.
SELLER_FIRST = frozenset({"shipment", "product", "seller", "payout"})


@dataclass
class _Parties:
    """Whose a row is: its customer, and the users of the stores it belongs to."""

    customer: int | None = None
    sellers: set[int] = field(default_factory=set)
    orders: set[int] = field(default_factory=set)  # its order's customer and sellers count
    stores: set[int] = field(default_factory=set)  # seller ids, their users found later


def capacity(
    entity_type: str, by: int, role: UserRole, *, customer: int | None, sellers: set[int]
) -> UserRole:
    """The capacity in which user `by` (of account `role`) acted on a row of `entity_type`
    whose customer and sellers (user ids) these are: its customer, its seller (first on
    `SELLER_FIRST` rows), an admin acting on what is not theirs, or else as their account
    says."""
    as_customer = by == customer
    as_seller = by in sellers
    if as_seller and (entity_type in SELLER_FIRST or not as_customer):
        return UserRole.seller
    if as_customer:
        return UserRole.customer
    return role


async def _pairs(uow: UnitOfWork, stmt: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await uow.session.execute(stmt)).all()]


async def _parties(uow: UnitOfWork, rows: Sequence[AuditLog]) -> dict[int, _Parties]:
    """Whose each audit row is (by its `audit_id`), found with one query per kind of row:
    an order's and the rows belonging to it (payments, refunds, parcels, returns, a coupon's
    use) are its customer's and its sellers'; a parcel, product, store or payout its
    seller's; an address, cart, review or support request its customer's."""
    ids: dict[str, set[int]] = defaultdict(set)
    for a in rows:
        ids[a.entity_type].add(a.entity_id)

    async def lookup(kind: str, stmt: Any) -> dict[int, tuple[Any, ...]]:
        if not ids[kind]:
            return {}
        return {row[0]: row[1:] for row in await _pairs(uow, stmt)}

    found = {
        "order": {i: (i,) for i in ids["order"]},
        "payment": await lookup(
            "payment",
            select(Payment.payment_id, Payment.order_id).where(
                Payment.payment_id.in_(ids["payment"])
            ),
        ),
        "refund": await lookup(
            "refund",
            select(Refund.refund_id, Payment.order_id)
            .join(Payment, Payment.payment_id == Refund.payment_id)
            .where(Refund.refund_id.in_(ids["refund"])),
        ),
        "shipment": await lookup(
            "shipment",
            select(Shipment.shipment_id, Shipment.order_id, Shipment.seller_id).where(
                Shipment.shipment_id.in_(ids["shipment"])
            ),
        ),
        "return": await lookup(
            "return",
            select(Return.return_id, Return.order_id, Return.seller_id, Return.user_id).where(
                Return.return_id.in_(ids["return"])
            ),
        ),
        "review": await lookup(
            "review",
            select(Review.review_id, Review.user_id, Product.seller_id)
            .join(Product, Product.product_id == Review.product_id)
            .where(Review.review_id.in_(ids["review"])),
        ),
        "product": await lookup(
            "product",
            select(Product.product_id, Product.seller_id).where(
                Product.product_id.in_(ids["product"])
            ),
        ),
        "seller": {i: (i,) for i in ids["seller"]},
        "payout": await lookup(
            "payout",
            select(Payout.payout_id, Payout.seller_id).where(Payout.payout_id.in_(ids["payout"])),
        ),
        "address": await lookup(
            "address",
            select(Address.address_id, Address.user_id).where(
                Address.address_id.in_(ids["address"])
            ),
        ),
        "cart": await lookup(
            "cart", select(Cart.cart_id, Cart.user_id).where(Cart.cart_id.in_(ids["cart"]))
        ),
        "support_request": await lookup(
            "support_request",
            select(SupportRequest.request_id, SupportRequest.user_id).where(
                SupportRequest.request_id.in_(ids["support_request"])
            ),
        ),
    }
    parties: dict[int, _Parties] = {}
    for a in rows:
        p = parties[a.audit_id] = _Parties()
        got = found.get(a.entity_type, {}).get(a.entity_id)
        kind = a.entity_type
        if kind in ("order", "payment", "refund") and got:
            p.orders.add(got[0])
        elif kind == "shipment" and got:
            p.orders.add(got[0])
            p.stores.add(got[1])
        elif kind == "return" and got:
            p.orders.add(got[0])
            p.stores.add(got[1])
            p.customer = got[2]
        elif kind == "review" and got:
            p.customer = got[0]
            p.stores.add(got[1])
        elif kind in ("product", "seller", "payout") and got:
            p.stores.add(got[0])
        elif kind in ("address", "cart", "support_request") and got:
            p.customer = got[0]
        said = (a.new_data or {}).get("order_id")
        if not p.orders and isinstance(said, int) and not isinstance(said, bool):
            p.orders.add(said)  # a coupon's use, a charge reconciled: the order it names
    orders = {o for p in parties.values() for o in p.orders}
    customers = dict(
        await _pairs(uow, select(Order.order_id, Order.user_id).where(Order.order_id.in_(orders)))
        if orders
        else []
    )
    stores_of: dict[int, set[int]] = defaultdict(set)
    for order_id, seller_id in (
        await _pairs(
            uow,
            select(OrderItem.order_id, OrderItem.seller_id)
            .where(OrderItem.order_id.in_(orders))
            .distinct(),
        )
        if orders
        else []
    ):
        stores_of[order_id].add(seller_id)
    for p in parties.values():
        for order_id in p.orders:
            if p.customer is None:
                p.customer = customers.get(order_id)
            if not p.stores:  # a parcel's or a return's own store, else the order's
                p.stores |= stores_of.get(order_id, set())
    stores = {s for p in parties.values() for s in p.stores}
    owners = dict(
        await _pairs(
            uow, select(Seller.seller_id, Seller.user_id).where(Seller.seller_id.in_(stores))
        )
        if stores
        else []
    )
    for p in parties.values():
        p.sellers = {owners[s] for s in p.stores if s in owners}
    return parties


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) / whole).quantize(Decimal("0.001")) if whole else Decimal("0.000")


class Backoffice:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("admin")
    async def seller_performance(
        self, actor_id: int, seller_id: int | None = None
    ) -> list[SellerPerformance]:
        """Every seller (or only `seller_id`'s store) with revenue, orders, cancellation and
        return rates, average rating."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            stmt = select(Seller).order_by(Seller.seller_id)
            if seller_id is not None:
                stmt = stmt.where(Seller.seller_id == seller_id)
            sellers = (await uow.session.scalars(stmt)).all()
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
        async with self.d.read() as uow:
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
            names = await uow.session.execute(select(Seller.seller_id, Seller.store_name))
            stores = {seller_id: name for seller_id, name in names.all()}
            return [replace(a, store_name=stores.get(a.seller_id, "")) for a in alerts]

    @operation("admin")
    async def broadcast_audience(self, actor_id: int) -> int:
        """How many people a broadcast would reach now (the preview before sending)."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            return len(await _audience(uow))

    @operation("admin")
    async def broadcast(self, actor_id: int, text: str, *, key: str | None = None) -> int:
        """A message to every active user of the shop, through the outbox (so Telegram's rates hold
        and a restart loses nobody); returns how many will receive it. The same `key` (the
        preview the admin confirmed) sends it once, however often it is confirmed."""
        text = text.strip()
        if not text or len(text) > 3500:
            raise InvalidInput(field="text", rule="length", max=3500)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            ids = await _audience(uow)
            stamp = key[:60] if key else self.d.clock().isoformat()
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
        """The audit trail filtered by entity, user and date range, newest first; each entry
        with who did it by name and in which capacity (`capacity`: the customer on their own
        order's rows, the seller on their parcel's, the admin on someone else's), and its
        changes before → after (the shop's bookkeeping left out)."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            stmt = select(AuditLog)
            if entity_type == "order" and entity_id is not None:
                # an order's story is also its parcels', payments', refunds' and returns'
                stmt = stmt.where(_of_order(entity_id))
            else:
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
            ids = {a.changed_by for a in rows if a.changed_by is not None}
            people = {
                u.user_id: u
                for u in (
                    await uow.session.scalars(select(User).where(User.user_id.in_(ids)))
                ).all()
            }
            parties = await _parties(uow, rows)
            entries = []
            for a in rows:
                who = people.get(a.changed_by) if a.changed_by is not None else None
                whose = parties[a.audit_id]
                role = (
                    None
                    if who is None
                    else capacity(
                        a.entity_type,
                        who.user_id,
                        who.role,
                        customer=whose.customer,
                        sellers=whose.sellers,
                    )
                )
                entries.append(
                    AuditEntry(
                        a.audit_id,
                        a.entity_type,
                        a.entity_id,
                        a.action,
                        a.old_data,
                        a.new_data,
                        a.changed_by,
                        a.created_at,
                        by_name=None if who is None else (who.first_name or who.username or "?"),
                        by_role=role,
                        changes=_changes(a.old_data, a.new_data),
                    )
                )
            return entries

    @operation("admin")
    async def audit_page(
        self,
        actor_id: int,
        *,
        entity_type: str | None = None,
        entity_id: int | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> AuditPage:
        """One page of the audit trail (newest first), each entry with who did it by name and
        in which capacity on that row, and its changes before → after (as `audit_search`)."""
        page = max(page, 1)
        rows = await self.audit_search(
            actor_id,
            entity_type=entity_type,
            entity_id=entity_id,
            limit=per_page + 1,
            offset=(page - 1) * per_page,
        )
        return AuditPage(rows[:per_page], page, len(rows) > per_page)

    # --- money waiting ------------------------------------------------------------------------
    @operation("admin")
    async def waiting_transfers(self, actor_id: int) -> list[WaitingTransfer]:
        """Orders placed for payment by bank transfer and not paid yet, oldest first: the
        amount and the reference to look for on the bank statement, and how long it waits."""
        now = self.d.clock()
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            rows = (
                await uow.session.execute(
                    select(Order, User.first_name)
                    .join(User, User.user_id == Order.user_id)
                    .where(
                        Order.payment_method == PaymentMethod.bank_transfer,
                        Order.order_status == OrderStatus.pending,
                    )
                    .order_by(Order.created_at, Order.order_id)
                )
            ).all()
            return [
                WaitingTransfer(
                    o.order_id,
                    o.total_amount,
                    o.currency,
                    o.bank_reference or "",
                    name or "—",
                    o.created_at,
                    max(now - o.created_at, timedelta(0)),
                )
                for o, name in rows
            ]

    @operation("admin")
    async def payouts_due(self, actor_id: int) -> list[PayoutDue]:
        """What running payouts now would pay each seller (delivered lines past the return
        window, no open return, no payout yet: the lines `Payouts.run` takes), and each
        seller's pending balance (payouts created and not sent yet). Nothing is written."""
        now = self.d.clock()
        cutoff = now - self.d.rules.return_window
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            sellers = (
                await uow.session.scalars(
                    select(Seller).where(Seller.status.in_(PAYABLE)).order_by(Seller.seller_id)
                )
            ).all()
            out = []
            for seller in sellers:
                lines = (await uow.session.execute(due_lines(seller.seller_id, cutoff))).all()
                pending = await uow.session.scalar(
                    select(func.coalesce(func.sum(Payout.amount), 0)).where(
                        Payout.seller_id == seller.seller_id,
                        Payout.status == PayoutStatus.pending,
                    )
                )
                pending_balance = money(pending or 0)
                if not lines and not pending_balance:
                    continue
                sums = payout_sums(
                    [line for line, _ in lines],
                    commission_rate(seller, self.d.rules.commission_percent),
                )
                start = await period_start(uow, seller.seller_id, lines)
                out.append(
                    PayoutDue(
                        seller.seller_id,
                        seller.store_name,
                        start if lines else None,
                        now,
                        sums.gross,
                        sums.refunds,
                        sums.commission,
                        sums.net,
                        len(lines),
                        pending_balance,
                    )
                )
            return out

    # --- sales reports ----------------------------------------------------------------------
    @operation("seller (own store)")
    async def store_sales(self, actor_id: int, days: int = 30) -> SalesReport:
        """The acting seller's sales over the last `days` days: revenue per day, top
        products, exact totals."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            return await self._sales(uow, days, seller)

    @operation("admin")
    async def marketplace_sales(self, actor_id: int, days: int = 30) -> SalesReport:
        """Every store's sales over the last `days` days: revenue per day, top products and
        stores, exact totals."""
        async with self.d.read() as uow:
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
        """A user by Telegram id (`900000202`, or `tg:900000202`), by @username, or by the
        shop's own user id (`#9`, or `id:9`). A bare number is a Telegram id; only when no
        one has that Telegram id is it taken as the shop's user id."""
        who = who.strip()
        lowered = who.lower()
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            user: User | None
            if who.startswith("@") and len(who) > 1:
                user = await uow.session.scalar(
                    select(User).where(func.lower(User.username) == lowered[1:]).limit(1)
                )
            elif lowered.startswith("tg:") and who[3:].isdigit():
                user = await uow.session.scalar(
                    select(User).where(User.telegram_id == int(who[3:])).limit(1)
                )
            elif (own := _own_id(lowered)) is not None:
                user = await uow.session.get(User, own)
            elif who.isdigit() and len(who) <= 15:
                user = await uow.session.scalar(
                    select(User).where(User.telegram_id == int(who)).limit(1)
                ) or await uow.session.get(User, int(who))
            else:
                raise InvalidInput(field="user", rule="format")
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
        async with self.d.read() as uow:
            await admin(uow, actor_id)

    @operation("the bot (system)")
    async def command_chats(self, seller_id: int | None = None) -> CommandChats:
        """Who gets a / menu of their own in Telegram: active sellers who are not admins, and
        the admins who have an active store; only `seller_id`'s owner when given, whatever the
        store's status; and admins."""
        async with self.d.read() as uow:

            async def owners(admins: bool) -> list[int]:
                role = User.role == UserRole.admin if admins else User.role != UserRole.admin
                stmt = (
                    select(User.telegram_id)
                    .join(Seller, Seller.user_id == User.user_id)
                    .where(role, User.telegram_id.is_not(None))
                    .order_by(User.telegram_id)
                )
                if seller_id is None:
                    stmt = stmt.where(Seller.status == SellerStatus.active)
                else:
                    stmt = stmt.where(Seller.seller_id == seller_id)
                return [x for x in (await uow.session.scalars(stmt)).all() if x is not None]

            sellers, selling_admins = await owners(False), await owners(True)
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
            return CommandChats(sellers, admins, selling_admins)
