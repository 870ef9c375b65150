"""Checkouts per second with 50 concurrent buyers, on SQLite and on PostgreSQL.

A checkout is `shop.orders.place_order` from a filled cart (cash on delivery, one line):
re-validation, stock taken under lock, order, shipment, payment row, audit and outbox, one
transaction. Its baseline is the same checkout written as hand-written SQL (`_sql_checkout`):
the same reads, the same row locks in the same order (FOR UPDATE on PostgreSQL; on SQLite the
BEGIN IMMEDIATE of the same unit of work and its write gate) and the same rows written, but
no ORM objects and no engine code. The ratio so measures what the engine and the ORM add to
the same work, not the amount of work.

For context the table also shows the cheapest transaction that contends the same way: 50
workers each running one-row UPDATE transactions on one hot row, through the same unit of
work. It has no target.

The same run checks that nothing is oversold: 50 buyers race for a product with 20 units;
exactly 20 orders are placed, the stock ends at 0 and equals the sum of its ledger.

Run alone: python -m bench.checkout [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text, update

from bench.common import DATABASES, Row, database, higher, info, pg_available, skipped, table
from engine.accounts import AddressInput, TelegramIdentity
from engine.base import Deps, Rules
from engine.errors import DomainError
from engine.inventory import check_ledger
from engine.shop import Shop
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Product, ShippingProvider, User
from storage.uow import UnitOfWork
from storage.vocabulary import (
    PaymentMethod,
    ProductStatus,
    ProviderStatus,
    SellerStatus,
    UserRole,
    UserStatus,
    money,
)

BUYERS = 50
METHOD = PaymentMethod.cod  # both checkouts; the hand-written one knows only this method
_ids = itertools.count(50_000_000)


class Market:
    """A seller with products and 50 buyers with addresses, built through the engine."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.provider = 0
        self.category = 0
        self.seller_user = 0
        self.buyers: list[tuple[int, int]] = []

    @classmethod
    async def build(cls, shop: Shop, buyers: int = BUYERS) -> Market:
        market = cls(shop)
        async with shop.deps.uow() as uow:
            admin = User(telegram_id=next(_ids), first_name="Admin", role=UserRole.admin)
            provider = ShippingProvider(name="Speedy", shipping_cost=money("5.00"))
            uow.session.add_all([admin, provider])
            await uow.session.flush()
            admin_id, market.provider = admin.user_id, provider.provider_id
            await uow.commit()
        category = await shop.catalog.create_category(admin_id, "Hoodies")
        market.category = category.category_id
        seller = await market.user("Seller")
        view = await shop.sellers.apply(seller, "Bench Store")
        await shop.sellers.approve(admin_id, view.seller_id)
        market.seller_user = seller
        for n in range(buyers):
            buyer = await market.user(f"Buyer {n}")
            address = await shop.accounts.add_address(
                buyer, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
            )
            market.buyers.append((buyer, address.address_id))
        return market

    async def seller_id(self) -> int:
        view = await self.shop.sellers.mine(self.seller_user)
        assert view is not None
        return view.seller_id

    async def user(self, name: str) -> int:
        identity = TelegramIdentity(next(_ids), name)
        return (await self.shop.accounts.register_from_telegram(identity)).id

    async def product(self, stock: int) -> int:
        detail = await self.shop.catalog.create_product(
            self.seller_user,
            category_id=self.category,
            name="Red Hoodie",
            price="20.00",
            stock=stock,
        )
        return detail.card.product_id

    async def checkout(self, buyer: tuple[int, int]) -> None:
        await self.shop.orders.place_order(
            buyer[0],
            address_id=buyer[1],
            provider_id=self.provider,
            payment_method=METHOD,
            coupon_code=None,
            checkout_key=uuid.uuid4().hex,
        )


Checkout = Callable[[tuple[int, int]], Awaitable[object]]


async def _rate(market: Market, rounds: int, checkout: Checkout) -> float:
    """Checkouts per second: each round every buyer puts one unit of a fresh product in their
    own cart (not timed), then all 50 check out at once."""
    product = await market.product(stock=BUYERS * rounds * 2)
    elapsed = 0.0
    for _ in range(rounds):
        for buyer, _address in market.buyers:
            await market.shop.carts.add(buyer, product, 1)
        started = time.perf_counter()
        await asyncio.gather(*(checkout(b) for b in market.buyers))
        elapsed += time.perf_counter() - started
    return BUYERS * rounds / elapsed


async def _checkouts(market: Market, rounds: int) -> float:
    return await _rate(market, rounds, market.checkout)


async def _sql_checkouts(market: Market, rounds: int) -> float:
    return await _rate(market, rounds, lambda buyer: _sql_checkout(market, buyer))


# --- the same checkout in hand-written SQL -----------------------------------------------
class CheckoutRefused(Exception):
    """What `place_order` refuses (a banned user, someone else's address, a changed cart...),
    as the hand-written checkout finds it. The bench's carts never are."""


ZERO = Decimal("0.00")


@dataclass(frozen=True)
class _Values:
    """Values as each database's driver takes and gives them (storage/types.py): on SQLite
    money is a whole number of cents and a time is naive UTC text; on PostgreSQL money is a
    Decimal and a time an aware datetime."""

    dialect: str

    def money(self, amount: Decimal) -> Decimal | int:
        return int(amount.scaleb(2)) if self.dialect == "sqlite" else amount

    def amount(self, stored: Any) -> Decimal:
        return Decimal(stored).scaleb(-2) if self.dialect == "sqlite" else Decimal(stored)

    def time(self, when: datetime) -> datetime | str:
        if self.dialect == "sqlite":
            return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return when


def _locking(sql: str) -> dict[str, TextClause]:
    """A read that locks the rows it reads: FOR UPDATE on PostgreSQL. SQLite has no row locks:
    its transaction took the database's write lock at BEGIN IMMEDIATE (storage/db.py)."""
    return {"sqlite": text(sql), "postgresql": text(f"{sql} FOR UPDATE")}


_USER = text("SELECT status FROM users WHERE user_id = :user")
_BY_KEY = text("SELECT order_id FROM orders WHERE checkout_key = :key")
_ADDRESS = text(
    "SELECT user_id, recipient_name, street, city, state, country, postal_code, phone"
    " FROM addresses WHERE address_id = :address"
)
_PROVIDER = text(
    "SELECT status, shipping_cost, pickup_address FROM shipping_providers"
    " WHERE provider_id = :provider"
)
_CART = _locking("SELECT cart_id FROM cart WHERE user_id = :user")
_LINES = text(
    "SELECT i.cart_item_id, i.product_id, i.quantity, i.price, p.seller_id, p.name,"
    " s.status AS seller_status"
    " FROM cart_items i JOIN products p ON p.product_id = i.product_id"
    " JOIN sellers s ON s.seller_id = p.seller_id"
    " WHERE i.cart_id = :cart ORDER BY i.cart_item_id"
)
_PRODUCTS = {
    dialect: sql.bindparams(bindparam("ids", expanding=True))
    for dialect, sql in _locking(
        "SELECT product_id, price, discount_price, stock_quantity, status, sold_count"
        " FROM products WHERE product_id IN :ids ORDER BY product_id"
    ).items()
}
_ORDER = text(
    "INSERT INTO orders (user_id, address_id, shipping_provider_id, order_status,"
    " subtotal_amount, discount_amount, shipping_amount, total_amount, currency,"
    " payment_status, payment_method, address_snapshot, checkout_key, created_at, updated_at)"
    " VALUES (:user, :address, :provider, 'pending', :subtotal, :zero, :shipping, :total,"
    " :currency, 'pending', :method, :snapshot, :key, :now, :now) RETURNING order_id"
)
_STOCK_OUT = text(
    "INSERT INTO inventory_logs (product_id, change_type, quantity, stock_after, reference_id,"
    " reference_type, created_by, created_at)"
    " VALUES (:product, 'out', :delta, :after, :order, 'order', :user, :now)"
)
_ORDER_ITEM = text(
    "INSERT INTO order_items (order_id, product_id, seller_id, product_name, quantity, price,"
    " discount_amount, refunded_quantity, refunded_amount, created_at)"
    " VALUES (:order, :product, :seller, :name, :quantity, :price, :zero, 0, :zero, :now)"
)
_PAYMENT = text(
    "INSERT INTO payments (order_id, amount, currency, provider, status, refunded_amount,"
    " created_at, updated_at)"
    " VALUES (:order, :total, :currency, :provider, 'pending', :zero, :now, :now)"
)
_TAKE = text(
    "UPDATE products SET stock_quantity = :stock, sold_count = :sold, status = :status,"
    " updated_at = :now WHERE product_id = :product"
)
_SHIPMENT = text(
    "INSERT INTO shipments (order_id, seller_id, provider_id, status, created_at, updated_at)"
    " VALUES (:order, :seller, :provider, 'pending', :now, :now)"
)
_CLEAR = text("DELETE FROM cart_items WHERE cart_item_id = :line")
_AUDIT = text(
    "INSERT INTO audit_logs (entity_type, entity_id, action, old_data, new_data, changed_by,"
    " created_at) VALUES (:entity, :id, :action, :old, :new, :user, :now)"
)
_OUTBOX = text(
    "INSERT INTO outbox (user_id, channel, kind, payload, status, attempts, next_attempt_at,"
    " created_at) VALUES (:user, 'telegram', :kind, :payload, 'pending', 0, :now, :now)"
)
_SELLER_USERS = text(
    "SELECT DISTINCT s.user_id FROM sellers s JOIN order_items i ON i.seller_id = s.seller_id"
    " WHERE i.order_id = :order"
)
_READ_BACK = (  # what the returned OrderView shows
    text(
        "SELECT order_id, user_id, order_status, payment_status, payment_method,"
        " subtotal_amount, discount_amount, shipping_amount, total_amount, currency,"
        " bank_reference, expires_at, address_snapshot, checkout_key, shipping_provider_id,"
        " created_at FROM orders WHERE order_id = :order"
    ),
    text(
        "SELECT order_item_id, product_id, seller_id, product_name, quantity, price,"
        " discount_amount, refunded_quantity, refunded_amount FROM order_items"
        " WHERE order_id = :order ORDER BY order_item_id"
    ),
    text(
        "SELECT shipment_id, seller_id, status, tracking_number, delivered_at FROM shipments"
        " WHERE order_id = :order ORDER BY seller_id"
    ),
)


async def _sql_checkout(market: Market, buyer: tuple[int, int]) -> int:
    """`place_order` of a cash-on-delivery cart in hand-written SQL: statement for statement
    the reads, locks and writes it makes, in one unit of work (so the same BEGIN IMMEDIATE
    and write gate on SQLite), with no ORM objects and no engine code. Returns the order id."""
    user, address_id = buyer
    key, now = uuid.uuid4().hex, datetime.now(UTC)
    async with market.shop.deps.uow() as uow:
        db = uow.session
        v = _Values(db.get_bind().dialect.name)
        at, zero = v.time(now), v.money(ZERO)
        if await db.scalar(_USER, {"user": user}) in (None, UserStatus.banned):
            raise CheckoutRefused("user")
        existing = await db.scalar(_BY_KEY, {"key": key})
        if existing is not None:
            return int(existing)
        address = (await db.execute(_ADDRESS, {"address": address_id})).one_or_none()
        if address is None or address.user_id != user:
            raise CheckoutRefused("address")
        provider = (await db.execute(_PROVIDER, {"provider": market.provider})).one_or_none()
        if provider is None or provider.status != ProviderStatus.active:
            raise CheckoutRefused("provider")
        cart = await db.scalar(_CART[v.dialect], {"user": user})
        lines = [] if cart is None else (await db.execute(_LINES, {"cart": cart})).all()
        existing = await db.scalar(_BY_KEY, {"key": key})  # a twin may hold the cart lock
        if existing is not None:
            return int(existing)
        if not lines:
            raise CheckoutRefused("empty cart")
        ids = sorted({line.product_id for line in lines})
        products = {
            p.product_id: p for p in (await db.execute(_PRODUCTS[v.dialect], {"ids": ids})).all()
        }
        if len(products) != len(ids):
            raise CheckoutRefused("product gone")
        for line in lines:  # the cart re-validated against the locked products (engine/cart.py)
            p = products[line.product_id]
            price = v.amount(p.price if p.discount_price is None else p.discount_price)
            if (
                line.seller_status != SellerStatus.active
                or p.status != ProductStatus.active  # inactive, or out of stock
                or p.stock_quantity < line.quantity  # a cart line holds at least one
                or price != v.amount(line.price)
            ):
                raise CheckoutRefused(f"cart changed: product {line.product_id}")
        quantities = {line.product_id: line.quantity for line in lines}
        sellers = sorted({line.seller_id for line in lines})
        subtotal = sum((v.amount(line.price) * line.quantity for line in lines), ZERO)
        shipping = v.amount(provider.shipping_cost) * len(sellers)
        total = subtotal + shipping
        currency = market.shop.deps.rules.currency
        snapshot = {
            "recipient": address.recipient_name,
            "street": address.street,
            "city": address.city,
            "state": address.state,
            "country": address.country,
            "postal_code": address.postal_code,
            "phone": address.phone,
            "pickup": provider.pickup_address,
        }
        order = (
            await db.execute(
                _ORDER,
                {
                    "user": user,
                    "address": address_id,
                    "provider": market.provider,
                    "subtotal": v.money(subtotal),
                    "zero": zero,
                    "shipping": v.money(shipping),
                    "total": v.money(total),
                    "currency": currency,
                    "method": METHOD.value,
                    "snapshot": json.dumps(snapshot),
                    "key": key,
                    "now": at,
                },
            )
        ).scalar_one()
        taken, ran_out = [], []
        for pid, quantity in sorted(quantities.items()):
            p = products[pid]
            after = p.stock_quantity - quantity
            status = ProductStatus(p.status)
            if after == 0 and status == ProductStatus.active:
                status = ProductStatus.out_of_stock
                ran_out.append(pid)
            sold = p.sold_count + sum(line.quantity for line in lines if line.product_id == pid)
            taken.append((pid, quantity, after, sold, status))
        await db.execute(
            _STOCK_OUT,
            [
                {
                    "product": pid,
                    "delta": -qty,
                    "after": after,
                    "order": order,
                    "user": user,
                    "now": at,
                }
                for pid, qty, after, _, _ in taken
            ],
        )
        await db.execute(
            _ORDER_ITEM,
            [
                {
                    "order": order,
                    "product": line.product_id,
                    "seller": line.seller_id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "price": line.price,  # as stored: the cart's price
                    "zero": zero,
                    "now": at,
                }
                for line in lines
            ],
        )
        await db.execute(
            _PAYMENT,
            {
                "order": order,
                "total": v.money(total),
                "currency": currency,
                "provider": METHOD.value,  # engine/orders/payments.py PROVIDER_OF_METHOD: "cod"
                "zero": zero,
                "now": at,
            },
        )
        await db.execute(
            _TAKE,
            [
                {"stock": after, "sold": sold, "status": status.value, "now": at, "product": pid}
                for pid, _, after, sold, status in taken
            ],
        )
        await db.execute(
            _SHIPMENT,
            [
                {"order": order, "seller": s, "provider": market.provider, "now": at}
                for s in sellers
            ],
        )
        await db.execute(_CLEAR, [{"line": line.cart_item_id} for line in lines])
        order_created = {
            "order_status": "pending",
            "total_amount": str(total),
            "payment_method": METHOD.value,
            "coupon": None,
        }
        ran_out_audits = [
            _audit(
                "product",
                pid,
                "status_change",
                {"status": "active"},
                {"status": "out_of_stock", "cause": "stock"},
                user,
                at,
            )
            for pid in ran_out
        ]
        await db.execute(
            _AUDIT,
            [*ran_out_audits, _audit("order", order, "create", None, order_created, user, at)],
        )
        placed = {
            "order_id": order,
            "total": str(total),
            "payment_method": METHOD.value,
            "bank_reference": None,
            "in_chat": True,
        }
        await db.execute(_OUTBOX, _outbox(user, "order_placed", placed, at))
        seller_users = (await db.scalars(_SELLER_USERS, {"order": order})).all()
        new_order = {"order_id": order, "payment_method": METHOD.value}
        if seller_users:  # cash on delivery: the sellers hear of it now
            await db.execute(
                _OUTBOX, [_outbox(u, "new_order", new_order, at) for u in seller_users]
            )
        for read in _READ_BACK:
            (await db.execute(read, {"order": order})).all()
        await uow.commit()
    return int(order)


def _audit(
    entity: str,
    entity_id: int,
    action: str,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    user: int,
    at: datetime | str,
) -> dict[str, Any]:
    return {
        "entity": entity,
        "id": entity_id,
        "action": action,
        "old": json.dumps(old),  # the ORM writes a missing `old` as JSON null, and so do we
        "new": json.dumps(new),
        "user": user,
        "now": at,
    }


def _outbox(user: int, kind: str, payload: dict[str, Any], at: datetime | str) -> dict[str, Any]:
    return {"user": user, "kind": kind, "payload": json.dumps(payload), "now": at}


async def _one_row_updates(market: Market, rounds: int) -> float:
    product = await market.product(stock=1)

    async def worker() -> None:
        for _ in range(rounds):
            async with market.shop.deps.uow() as uow:
                await uow.session.execute(
                    update(Product)
                    .where(Product.product_id == product)
                    .values(sold_count=Product.sold_count + 1)
                )
                await uow.commit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(BUYERS)))
    return BUYERS * rounds / (time.perf_counter() - started)


async def _no_oversell(market: Market) -> str:
    product = await market.product(stock=20)
    for buyer, _address in market.buyers:
        await market.shop.carts.add(buyer, product, 1)
    results = await asyncio.gather(
        *(market.checkout(b) for b in market.buyers), return_exceptions=True
    )
    placed = sum(1 for r in results if not isinstance(r, BaseException))
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)
    ]
    async with market.shop.deps.uow() as uow:
        stock = await uow.session.scalar(
            select(Product.stock_quantity).where(Product.product_id == product)
        )
        ledger = await check_ledger(uow, product)
    ok = placed == 20 and stock == 0 and ledger.consistent and not unexpected
    ledger_text = "ok" if ledger.consistent else "BROKEN"
    verdict = "" if ok else " — OVERSOLD OR BROKEN"
    return f"{placed}/50 placed for 20 units, stock {stock}, ledger {ledger_text}{verdict}"


async def measure(kind: str, rounds: int) -> list[Row]:
    async with database(kind) as url:
        engine = make_engine(url)
        try:
            await migrate.upgrade(engine)
            sessions = make_sessionmaker(engine)
            shop = Shop(Deps(uow=lambda: UnitOfWork(sessions), rules=Rules()))
            market = await Market.build(shop)
            updates = await _one_row_updates(market, rounds)
            sql_checkouts = await _sql_checkouts(market, rounds)
            checkouts = await _checkouts(market, rounds)
            oversell = await _no_oversell(market)
        finally:
            await engine.dispose()
    name = DATABASES[kind]
    return [
        higher(
            f"checkouts/s, {BUYERS} concurrent buyers, {name}",
            checkouts,
            sql_checkouts,
            "/s",
            "hand-written SQL checkout",
            0.5,
        ),
        info(f"one-row UPDATE transactions/s, {name}", updates, "/s"),
        Row(
            f"no oversell, {name}",
            None,
            "",
            note=oversell,
            target="20 of 50",
            met="OVERSOLD" not in oversell and "BROKEN" not in oversell,
        ),
    ]


async def rows(rounds: int = 4) -> list[Row]:
    out = await measure("sqlite", rounds)
    reason = await pg_available()
    if reason:
        return [*out, skipped("checkouts/s, PostgreSQL", reason)]
    return [*out, *await measure("postgresql", rounds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    print(table(asyncio.run(rows(args.rounds))))


if __name__ == "__main__":
    main()
