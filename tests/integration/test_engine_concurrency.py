"""What the engine promises under real concurrency, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from engine.errors import CartChanged, CouponRejected, InsufficientStock
from storage.models import AuditLog, InventoryLog, Order, OrderCoupon, Outbox, Payment, Product
from storage.vocabulary import DiscountType, PaymentStatus
from tests.conftest import Database
from tests.integration.world import World


def _about_stock(error: BaseException) -> bool:
    """Refused because the stock ran out: while placing, or already seen at re-validation."""
    if isinstance(error, InsufficientStock):
        return True
    return isinstance(error, CartChanged) and all(
        c["change"] in ("out_of_stock", "insufficient_stock") for c in error.params["changes"]
    )


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def test_two_hundred_buyers_cannot_take_more_than_twenty_units(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=20)
    buyers = [await world.customer(f"Buyer {n}") for n in range(200)]
    for user_id, _ in buyers:
        await world.shop.carts.add(user_id, product, 1)
    results = await asyncio.gather(*(world.place(b) for b in buyers), return_exceptions=True)
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 20
    assert all(_about_stock(r) for r in refused), {repr(r) for r in refused}
    async with world.db.sessions() as s:
        stock = await s.scalar(select(Product.stock_quantity).where(Product.product_id == product))
        sold = await s.scalar(
            select(func.sum(InventoryLog.quantity)).where(
                InventoryLog.product_id == product, InventoryLog.reference_type == "order"
            )
        )
    assert stock == 0
    assert sold == -20


async def test_carts_racing_in_opposite_orders_never_deadlock(world: World) -> None:
    seller = await world.seller()
    a = await world.product(seller, "Hoodie A", stock=50)
    b = await world.product(seller, "Hoodie B", stock=50)
    buyers = [await world.customer(f"Buyer {n}") for n in range(30)]
    for n, (user_id, _) in enumerate(buyers):
        first, second = (a, b) if n % 2 else (b, a)
        await world.shop.carts.add(user_id, first, 1)
        await world.shop.carts.add(user_id, second, 1)
    orders = await asyncio.gather(*(world.place(buyer) for buyer in buyers))
    assert len({o.order_id for o in orders}) == 30
    async with world.db.sessions() as s:
        stocks = (
            await s.scalars(select(Product.stock_quantity).order_by(Product.product_id))
        ).all()
    assert stocks == [20, 20]


async def test_a_coupon_for_five_is_used_by_exactly_five_of_fifty(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=100)
    await world.coupon("FIVE", DiscountType.fixed, "3.00", max_uses=5)
    buyers = [await world.customer(f"Buyer {n}") for n in range(50)]
    for user_id, _ in buyers:
        await world.shop.carts.add(user_id, product, 1)
    results = await asyncio.gather(
        *(world.place(b, coupon="FIVE") for b in buyers), return_exceptions=True
    )
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 5
    assert all(isinstance(r, CouponRejected) and r.params["reason"] == "used_up" for r in refused)
    async with world.db.sessions() as s:
        uses = await s.scalar(select(func.count()).select_from(OrderCoupon))
        orders = await s.scalar(select(func.count()).select_from(Order))
    assert (uses, orders) == (5, 5)


async def test_one_customer_racing_themself_uses_a_coupon_once(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=100)
    await world.coupon("ONCE", DiscountType.percentage, "10")
    me = await world.customer()
    await world.shop.carts.add(me[0], product, 2)
    results = await asyncio.gather(
        *(world.place(me, coupon="ONCE") for _ in range(6)), return_exceptions=True
    )
    placed = [r for r in results if not isinstance(r, BaseException)]
    assert len(placed) == 1
    await world.shop.carts.add(me[0], product, 1)
    with pytest.raises(CouponRejected) as refused:
        await world.place(me, coupon="ONCE")
    assert refused.value.params["reason"] == "already_used"
    async with world.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OrderCoupon)) == 1


async def test_a_double_tapped_checkout_places_one_order(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=5)
    me = await world.customer()
    await world.shop.carts.add(me[0], product, 2)
    orders = await asyncio.gather(*(world.place(me, key="tap-tap") for _ in range(5)))
    assert len({o.order_id for o in orders}) == 1
    async with world.db.sessions() as s:
        stock = await s.scalar(select(Product.stock_quantity))
    assert stock == 3


async def test_a_payment_reported_five_times_at_once_counts_once(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=5)
    order = await world.order(await world.customer(), {product: 1})
    results = await asyncio.gather(*(world.pay(order, "ch_same") for _ in range(5)))
    assert {r.status.value for r in results} == {"paid"}
    async with world.db.sessions() as s:
        successful = await s.scalar(
            select(func.count())
            .select_from(Payment)
            .where(Payment.status == PaymentStatus.successful)
        )
        paid_events = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.entity_type == "order",
                AuditLog.action == "status_change",
                AuditLog.new_data["order_status"].as_string() == "paid",
            )
        )
        told = await s.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.kind == "payment_received")
        )
    assert (successful, paid_events, told) == (1, 1, 1)
