"""A coupon given back by a cancelled order keeps its use row, released: the seller's card of
that order still names the code, and a released use counts towards no limit, per customer or
in all, even under real concurrency. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.errors import CouponRejected
from storage.models import OrderCoupon
from storage.vocabulary import DiscountType, PaymentMethod
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _rows(world: World, coupon_id: int) -> list[tuple[int, bool]]:
    """(order, released) of every use row the coupon has, oldest first."""
    async with world.db.sessions() as s:
        rows = (
            await s.execute(
                select(OrderCoupon.order_id, OrderCoupon.released_at.is_not(None))
                .where(OrderCoupon.coupon_id == coupon_id)
                .order_by(OrderCoupon.id)
            )
        ).all()
    return [(order_id, bool(released)) for order_id, released in rows]


async def test_the_sellers_card_of_a_cancelled_order_still_names_its_coupon(
    world: World,
) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle", price="40.00")
    ana = await world.customer("Ana")
    welcome = await world.coupon("WELCOME10", DiscountType.percentage, "10")
    order = await world.order(ana, {kettle: 1}, PaymentMethod.cod, coupon="WELCOME10")
    await world.shop.orders.cancel(ana[0], order.order_id, "changed my mind")

    [shipment] = (await world.shop.orders.get(ana[0], order.order_id)).shipments
    card = await world.shop.fulfilment.card(seller.user_id, shipment.shipment_id)
    assert card.coupon_code == "WELCOME10"
    assert card.coupon_share == Decimal("4.00")
    assert await _rows(world, welcome) == [(order.order_id, True)]


async def test_a_released_use_leaves_the_customer_free_to_use_the_coupon_again(
    world: World,
) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle", price="40.00")
    ana = await world.customer("Ana")
    once = await world.coupon("ONCE", DiscountType.fixed, "5.00", max_uses=1)
    first = await world.order(ana, {kettle: 1}, PaymentMethod.cod, coupon="ONCE")
    await world.shop.orders.cancel(ana[0], first.order_id)
    again = await world.order(ana, {kettle: 1}, PaymentMethod.cod, coupon="ONCE")
    assert again.discount == Decimal("5.00")
    assert await _rows(world, once) == [(first.order_id, True), (again.order_id, False)]
    # the one use left is hers now: neither she nor anyone else gets a second
    await world.shop.carts.add(ana[0], kettle, 1)
    with pytest.raises(CouponRejected) as refused:
        await world.place(ana, PaymentMethod.cod, coupon="ONCE")
    assert refused.value.params["reason"] == "used_up"


async def test_two_customers_racing_for_the_last_use_given_back_get_one_between_them(
    world: World,
) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle", price="40.00", stock=50)
    last = await world.coupon("LAST", DiscountType.fixed, "5.00", max_uses=2)
    ana, ben, cleo = [await world.customer(n) for n in ("Ana", "Ben", "Cleo")]
    kept = await world.order(ana, {kettle: 1}, PaymentMethod.cod, coupon="LAST")
    given_back = await world.order(ben, {kettle: 1}, PaymentMethod.cod, coupon="LAST")
    await world.shop.orders.cancel(ben[0], given_back.order_id)  # one use free again

    for racer in (ben, cleo):
        await world.shop.carts.add(racer[0], kettle, 1)
    results = await asyncio.gather(
        *(world.place(racer, PaymentMethod.cod, coupon="LAST") for racer in (ben, cleo)),
        return_exceptions=True,
    )
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 1, results
    [loser] = refused
    assert isinstance(loser, CouponRejected), loser
    assert loser.params["reason"] == "used_up"
    rows = await _rows(world, last)
    assert rows[:2] == [(kept.order_id, False), (given_back.order_id, True)]
    assert rows[2:] == [(placed[0].order_id, False)]
    [view] = [c for c in await world.shop.coupons.usage(world.admin) if c.coupon_id == last]
    assert view.uses_count == 2
    async with world.db.sessions() as s:
        live = await s.scalar(
            select(func.count())
            .select_from(OrderCoupon)
            .where(OrderCoupon.coupon_id == last, OrderCoupon.released_at.is_(None))
        )
    assert live == view.uses_count


async def test_one_customer_racing_themself_after_a_release_uses_the_coupon_once(
    world: World,
) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle", price="40.00", stock=50)
    once = await world.coupon("ONCE", DiscountType.percentage, "10")
    ana = await world.customer("Ana")
    first = await world.order(ana, {kettle: 1}, PaymentMethod.cod, coupon="ONCE")
    await world.shop.orders.cancel(ana[0], first.order_id)
    await world.shop.carts.add(ana[0], kettle, 2)
    results = await asyncio.gather(
        *(world.place(ana, PaymentMethod.cod, coupon="ONCE") for _ in range(4)),
        return_exceptions=True,
    )
    placed = [r for r in results if not isinstance(r, BaseException)]
    assert len(placed) == 1, results
    rows = await _rows(world, once)
    assert rows == [(first.order_id, True), (placed[0].order_id, False)]
