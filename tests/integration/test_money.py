"""Money is exact on both databases: Decimal in, Decimal out, sums to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from storage.models import Category, Product, Seller, User
from storage.vocabulary import MoneyError, money
from tests.conftest import Database


async def _catalog(db: Database, prices: list[Decimal]) -> list[int]:
    async with db.sessions() as s, s.begin():
        owner = User(telegram_id=1)
        s.add(owner)
        await s.flush()
        seller = Seller(user_id=owner.user_id, store_name="Exact Ltd")
        category = Category(name="Things", slug="things")
        s.add_all([seller, category])
        await s.flush()
        products = [
            Product(
                seller_id=seller.seller_id,
                category_id=category.category_id,
                name=f"Thing {n}",
                slug=f"thing-{n}",
                sku=f"T-{n}",
                price=price,
            )
            for n, price in enumerate(prices)
        ]
        s.add_all(products)
        await s.flush()
        return [p.product_id for p in products]


async def test_a_tenth_plus_two_tenths_is_exactly_three_tenths(db: Database) -> None:
    total = money("0.10") + money("0.20")
    [pid] = await _catalog(db, [total])
    async with db.sessions() as s:
        price = await s.scalar(select(Product.price).where(Product.product_id == pid))
    assert type(price) is Decimal
    assert price == Decimal("0.30")
    assert str(price) == "0.30"


async def test_sql_sum_of_a_tenth_and_two_tenths_is_exact(db: Database) -> None:
    await _catalog(db, [money("0.10"), money("0.20")])
    async with db.sessions() as s:
        total = await s.scalar(select(func.sum(Product.price)))
    assert type(total) is Decimal
    assert total == Decimal("0.30")


async def test_the_largest_amount_round_trips_exactly(db: Database) -> None:
    largest = Decimal("99999999.99")
    [pid] = await _catalog(db, [largest])
    async with db.sessions() as s:
        price = await s.scalar(select(Product.price).where(Product.product_id == pid))
    assert price == largest
    assert str(price) == "99999999.99"


async def test_many_cents_sum_exactly_where_floats_drift(db: Database) -> None:
    prices = [money("0.10")] * 10 + [money("19.99")] * 7 + [money("99999999.99")]
    await _catalog(db, prices)
    async with db.sessions() as s:
        total = await s.scalar(select(func.sum(Product.price)))
    assert total == sum(prices, Decimal(0)) == Decimal("100000140.92")


async def test_money_times_a_quantity_and_comparisons_work_in_sql(db: Database) -> None:
    await _catalog(db, [money("19.99"), money("5.00"), money("120.50")])
    async with db.sessions() as s:
        line = await s.scalar(select(Product.price * 3).where(Product.sku == "T-0"))
        cheap = (
            await s.scalars(
                select(Product.sku).where(Product.price <= Decimal("19.99")).order_by(Product.price)
            )
        ).all()
    assert line == Decimal("59.97")
    assert cheap == ["T-1", "T-0"]


async def test_sqlite_stores_cents_as_integers_not_floats(sqlite_db: Database) -> None:
    db = sqlite_db
    await _catalog(db, [money("0.30")])
    async with db.engine.connect() as conn:
        raw = (await conn.execute(text("SELECT price, typeof(price) FROM products"))).one()
    assert tuple(raw) == (30, "integer")


@pytest.mark.postgres
async def test_postgres_column_is_numeric_10_2(postgres_db: Database) -> None:
    db = postgres_db
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT numeric_precision, numeric_scale FROM information_schema.columns "
                    "WHERE table_name = 'products' AND column_name = 'price'"
                )
            )
        ).one()
    assert tuple(row) == (10, 2)


async def test_a_float_is_refused_before_it_reaches_the_database(db: Database) -> None:
    with pytest.raises(StatementError) as caught:
        await _catalog(db, [0.1])  # type: ignore[list-item]
    assert isinstance(caught.value.orig, MoneyError)
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Product)) == 0


def test_inexact_money_arithmetic_is_refused_when_the_query_is_built() -> None:
    with pytest.raises(MoneyError):
        _ = Product.price / 3
    with pytest.raises(MoneyError):
        _ = Product.price * Product.price
