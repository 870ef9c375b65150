"""Which order a customer's request means ("cancel my order 16", "where is my order"), and
what an order can still take, as the engine answers them, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from engine.errors import NotFound, NotYourOrder, OrderActNotAllowed
from engine.order_actions import ON_ITS_WAY, OrderAct
from storage.vocabulary import OrderStatus, PaymentMethod
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _ids(world: World, me: int, act: OrderAct, hint: int | None = None) -> list[int]:
    return [v.order_id for v in await world.shop.orders.choose(me, act, hint=hint)]


def test_orders_on_their_way_are_read_from_the_order_table() -> None:
    assert {OrderStatus.pending, OrderStatus.paid, OrderStatus.shipped} == ON_ITS_WAY


async def test_a_named_order_must_be_yours_and_able_to_take_the_request(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=5)
    me, other = await world.customer(), await world.customer("Omar")
    mine = await world.order(me, {product: 1}, method=PaymentMethod.cod)
    theirs = await world.order(other, {product: 1}, method=PaymentMethod.cod)
    [chosen] = await world.shop.orders.choose(me[0], OrderAct.cancel, mine.order_id)
    assert chosen.order_id == mine.order_id
    for order_id in (theirs.order_id, 123_456_789_012):  # someone else's, and no order's
        with pytest.raises(NotYourOrder) as refused:
            await world.shop.orders.choose(me[0], OrderAct.track, order_id)
        assert refused.value.params == {"order_id": order_id}
    with pytest.raises(NotFound):  # no row can have this id: not even asked of the database
        await world.shop.orders.choose(me[0], OrderAct.track, 2**70)
    await world.shop.orders.cancel(me[0], mine.order_id)
    with pytest.raises(OrderActNotAllowed) as late:
        await world.shop.orders.choose(me[0], OrderAct.cancel, mine.order_id)
    assert late.value.params == {"order_id": mine.order_id, "act": "cancel", "status": "cancelled"}
    [shown] = await world.shop.orders.choose(me[0], OrderAct.track, mine.order_id)
    assert shown.status == OrderStatus.cancelled  # any order of yours can be looked at


async def test_without_a_number_only_orders_that_can_take_the_request_are_offered(
    world: World,
) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=5)
    me = await world.customer()
    paid = await world.pay(await world.order(me, {product: 1}))
    dropped = await world.order(me, {product: 1}, method=PaymentMethod.cod)
    await world.shop.orders.cancel(me[0], dropped.order_id)
    # the newest order, and the one the chat showed last, is cancelled: not the one meant
    assert await _ids(world, me[0], OrderAct.track, hint=dropped.order_id) == [paid.order_id]
    assert await _ids(world, me[0], OrderAct.cancel, hint=dropped.order_id) == [paid.order_id]
    waiting = await world.order(me, {product: 1}, method=PaymentMethod.cod)
    assert await _ids(world, me[0], OrderAct.track) == [waiting.order_id, paid.order_id]
    assert await _ids(world, me[0], OrderAct.track, hint=paid.order_id) == [paid.order_id]
    assert await _ids(world, me[0], OrderAct.return_items) == []

    await world.deliver(seller, paid)
    assert await _ids(world, me[0], OrderAct.return_items) == [paid.order_id]
    assert await _ids(world, me[0], OrderAct.review) == [paid.order_id]
    assert OrderAct.cancel not in (await world.shop.orders.get(me[0], paid.order_id)).acts
    world.clock.advance(days=15)  # the return window closes; reviews stay open
    assert await _ids(world, me[0], OrderAct.return_items) == []
    assert await _ids(world, me[0], OrderAct.review) == [paid.order_id]
    acts = (await world.shop.orders.get(me[0], paid.order_id)).acts
    assert acts == {OrderAct.track, OrderAct.review}
