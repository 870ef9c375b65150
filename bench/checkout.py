"""Checkouts per second with 50 concurrent buyers, on SQLite and on PostgreSQL.

The baseline is the cheapest transaction that contends the same way: 50 concurrent workers
each running one-row UPDATE transactions on one hot row, through the same unit of work (so
SQLite takes the same BEGIN IMMEDIATE lock and PostgreSQL the same row lock). A checkout is
`shop.orders.place_order` from a filled cart: re-validation, stock taken under lock, order,
shipment, payment row, audit and outbox, one transaction.

The same run checks that nothing is oversold: 50 buyers race for a product with 20 units;
exactly 20 orders are placed, the stock ends at 0 and equals the sum of its ledger.

Run alone: python -m bench.checkout [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
import uuid

from sqlalchemy import select, update

from bench.common import DATABASES, Row, database, higher, pg_available, skipped, table
from engine.accounts import AddressInput, TelegramIdentity
from engine.base import Deps, Rules
from engine.errors import DomainError
from engine.inventory import check_ledger
from engine.shop import Shop
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Product, ShippingProvider, User
from storage.uow import UnitOfWork
from storage.vocabulary import PaymentMethod, UserRole, money

BUYERS = 50
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
            payment_method=PaymentMethod.cod,
            coupon_code=None,
            checkout_key=uuid.uuid4().hex,
        )


async def _checkouts(market: Market, rounds: int) -> float:
    product = await market.product(stock=BUYERS * rounds * 2)
    elapsed = 0.0
    for _ in range(rounds):
        for buyer, _address in market.buyers:
            await market.shop.carts.add(buyer, product, 1)
        started = time.perf_counter()
        await asyncio.gather(*(market.checkout(b) for b in market.buyers))
        elapsed += time.perf_counter() - started
    return BUYERS * rounds / elapsed


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
            baseline = await _one_row_updates(market, rounds)
            checkouts = await _checkouts(market, rounds)
            oversell = await _no_oversell(market)
        finally:
            await engine.dispose()
    name = DATABASES[kind]
    return [
        higher(
            f"checkouts/s, {BUYERS} concurrent buyers, {name}",
            checkouts,
            baseline,
            "/s",
            "1-row UPDATE tx",
            0.5,
        ),
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
