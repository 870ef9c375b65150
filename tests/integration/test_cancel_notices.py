"""The notices a cancelled order sends, as each reader sees them: never an empty "Reason:",
and each seller's "Open the order" opens that seller's own parcel of it, which its card
shows cancelled, with no step left to take."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from handlers.notifications import OpenOrderCb, render
from handlers.seller.cb import NoticeParcelCb
from storage.models import Outbox
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _cancel_notices(world: World) -> dict[int, tuple[str, str]]:
    """Each recipient's cancel notice: its text and the data of its one button."""
    async with world.db.sessions() as s:
        rows = (await s.scalars(select(Outbox).where(Outbox.kind == "order_cancelled"))).all()
    told: dict[int, tuple[str, str]] = {}
    for row in rows:
        text, markup = render(row.kind, row.payload, "en")
        assert markup is not None
        [[button]] = markup.inline_keyboard
        told[row.user_id] = (text, str(button.callback_data))
    return told


async def test_an_admin_cancel_tells_everyone_who_and_each_seller_opens_its_parcel(
    world: World,
) -> None:
    maya = await world.seller("Urban Threads")
    lena = await world.seller("Lamps & Co")
    shirt = await world.product(maya, stock=3)
    lamp = await world.product(lena, stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {shirt: 1, lamp: 1}))
    parcels = {s.seller_id: s.shipment_id for s in order.shipments}

    await world.shop.orders.cancel(world.admin, order.order_id)

    told = await _cancel_notices(world)
    assert set(told) == {me[0], maya.user_id, lena.user_id}
    for text, _ in told.values():
        assert text == f"Order #{order.order_id} is cancelled. Reason: cancelled by the shop's team"
    assert told[me[0]][1] == OpenOrderCb(id=order.order_id).pack()
    for seller in (maya, lena):
        opens = NoticeParcelCb.unpack(told[seller.user_id][1])
        assert opens.id == parcels[seller.seller_id]
        card = await world.shop.fulfilment.card(seller.user_id, opens.id)
        assert card.order_id == order.order_id
        assert card.order_status.value == "cancelled"
        assert card.steps == ()
        assert len(card.lines) == 1


async def test_a_reason_the_customer_gave_is_the_reason_told(world: World) -> None:
    maya = await world.seller("Urban Threads")
    shirt = await world.product(maya, stock=3)
    me = await world.customer()
    order = await world.order(me, {shirt: 1})
    await world.shop.orders.cancel(me[0], order.order_id, "found it cheaper")
    told = await _cancel_notices(world)
    assert told[maya.user_id][0].endswith("Reason: found it cheaper")
