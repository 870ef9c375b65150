"""A coupon used by an order that is cancelled (by the customer, an admin or the seller) or
that expires unpaid is given back in the same transaction: its use count goes down, the
customer may use it again, and the audit log says so, once however often it is asked. An
order paid and returned keeps its coupon use: the customer did buy. On both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.errors import CouponRejected, IllegalTransition
from storage.models import AuditLog
from storage.vocabulary import DiscountType, OrderStatus, PaymentMethod
from tests.conftest import Database
from tests.integration.world import Seller, World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _uses(world: World, coupon_id: int) -> int:
    [view] = [c for c in await world.shop.coupons.usage(world.admin) if c.coupon_id == coupon_id]
    return view.uses_count


async def _coupon_audit(world: World, coupon_id: int) -> list[tuple[object, object]]:
    async with world.db.sessions() as s:
        rows = (
            await s.scalars(
                select(AuditLog)
                .where(AuditLog.entity_type == "coupon", AuditLog.entity_id == coupon_id)
                .where(AuditLog.action == "update")
                .order_by(AuditLog.audit_id)
            )
        ).all()
    return [(r.old_data, r.new_data) for r in rows]


async def _shop(world: World) -> tuple[Seller, int, tuple[int, int], int]:
    seller = await world.seller()
    hoodie = await world.product(seller, price="20.00", stock=10)
    john = await world.customer("John")
    welcome = await world.coupon("WELCOME10", DiscountType.percentage, "10", max_uses=5)
    return seller, hoodie, john, welcome


async def test_a_customer_who_cancels_can_use_the_coupon_again(world: World) -> None:
    _, hoodie, john, welcome = await _shop(world)
    order = await world.order(john, {hoodie: 1}, coupon="welcome10")
    assert order.discount == Decimal("2.00")
    assert await _uses(world, welcome) == 1

    await world.shop.orders.cancel(john[0], order.order_id, "changed my mind")
    assert await _uses(world, welcome) == 0
    assert (await world.shop.coupons.quote(john[0], "WELCOME10", Decimal("20.00"))).discount == (
        Decimal("2.00")
    )
    assert (await _coupon_audit(world, welcome))[-1] == (
        {"uses_count": 1},
        {"uses_count": 0, "order_id": order.order_id, "released": "cancellation"},
    )

    with pytest.raises(IllegalTransition):  # cancelling twice gives back nothing twice
        await world.shop.orders.cancel(john[0], order.order_id)
    assert await _uses(world, welcome) == 0
    assert len(await _coupon_audit(world, welcome)) == 2

    again = await world.order(john, {hoodie: 1}, coupon="WELCOME10")
    assert again.discount == Decimal("2.00")
    assert await _uses(world, welcome) == 1


async def test_an_admin_cancelling_a_paid_order_gives_its_coupon_back(world: World) -> None:
    _, hoodie, john, welcome = await _shop(world)
    order = await world.pay(await world.order(john, {hoodie: 2}, coupon="WELCOME10"))
    await world.shop.orders.cancel(world.admin, order.order_id, "out of stock")
    assert await _uses(world, welcome) == 0
    assert world.card.calls == [(f"ch_{order.order_id}", order.total)]  # the discounted total
    await world.order(john, {hoodie: 1}, coupon="WELCOME10")
    assert await _uses(world, welcome) == 1


async def test_a_seller_rejecting_the_whole_order_gives_its_coupon_back(world: World) -> None:
    seller, hoodie, john, welcome = await _shop(world)
    order = await world.pay(await world.order(john, {hoodie: 1}, coupon="WELCOME10"))
    rejected = await world.shop.shipping.reject(
        seller.user_id, order.shipments[0].shipment_id, "cannot make it"
    )
    assert rejected.status == OrderStatus.cancelled
    assert await _uses(world, welcome) == 0
    await world.order(john, {hoodie: 1}, coupon="WELCOME10")


async def test_an_expired_order_gives_its_coupon_back_once(world: World) -> None:
    _, hoodie, john, welcome = await _shop(world)
    order = await world.order(john, {hoodie: 1}, coupon="WELCOME10")
    world.clock.advance(minutes=31)
    assert await world.shop.orders.expire_unpaid() == [order.order_id]
    assert await _uses(world, welcome) == 0
    assert (await _coupon_audit(world, welcome))[-1][1] == {
        "uses_count": 0,
        "order_id": order.order_id,
        "released": "expiry",
    }
    assert await world.shop.orders.expire_unpaid() == []
    with pytest.raises(IllegalTransition):
        await world.shop.orders.cancel(john[0], order.order_id)
    assert await _uses(world, welcome) == 0
    assert len(await _coupon_audit(world, welcome)) == 2
    await world.order(john, {hoodie: 1}, coupon="WELCOME10")
    assert await _uses(world, welcome) == 1


async def test_a_used_up_coupon_is_free_again_when_its_order_is_cancelled(world: World) -> None:
    seller = await world.seller()
    hoodie = await world.product(seller, price="20.00", stock=10)
    john, ana = await world.customer("John"), await world.customer("Ana")
    once = await world.coupon("ONCE", DiscountType.fixed, "5.00", max_uses=1)
    order = await world.order(john, {hoodie: 1}, coupon="ONCE")
    with pytest.raises(CouponRejected) as used_up:
        await world.shop.coupons.quote(ana[0], "ONCE", Decimal("20.00"))
    assert used_up.value.params["reason"] == "used_up"
    await world.shop.orders.cancel(john[0], order.order_id)
    taken = await world.order(ana, {hoodie: 1}, coupon="ONCE")
    assert taken.discount == Decimal("5.00")
    assert await _uses(world, once) == 1


async def test_a_returned_order_keeps_its_coupon_use(world: World) -> None:
    seller, hoodie, john, welcome = await _shop(world)
    order = await world.pay(
        await world.order(john, {hoodie: 1}, PaymentMethod.card, coupon="WELCOME10")
    )
    await world.deliver(seller, order)
    [ret] = await world.shop.returns.request(
        john[0], order.order_id, {order.lines[0].order_item_id: 1}, "broken"
    )
    await world.shop.returns.approve(seller.user_id, ret.return_id)
    assert (await world.shop.orders.get(john[0], order.order_id)).status == OrderStatus.returned
    assert await _uses(world, welcome) == 1
    with pytest.raises(CouponRejected) as refused:
        await world.shop.coupons.quote(john[0], "WELCOME10", Decimal("20.00"))
    assert refused.value.params["reason"] == "already_used"
