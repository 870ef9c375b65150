""" "Cancel the lamp" (the walkthrough: it offered to cancel the newest order, whatever it
held): the order that holds the named product is the one asked about, and the question says
that an order is cancelled whole; a product in no order that can be cancelled is said to be
in none. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.accounts import AddressInput, TelegramIdentity
from storage.vocabulary import PaymentMethod
from tests.integration.test_customer_walk_fixes import chats
from tests.integration.test_handlers_roles import CARL, Chats
from tests.integration.test_seller_journey import lamp, maya

__all__ = ["chats"]


async def _two_orders(chats: Chats) -> tuple[int, int]:
    """Carl's older order of a lamp and a mug, and his newer order of a mug alone."""
    world = chats.world
    world.clock.now = datetime.now(UTC)
    desk_lamp = await lamp(chats)
    mug = await world.product(await maya(chats), "Ceramic Mug", price="8.00", stock=5)
    await world.product(await maya(chats), "Wool Scarf", price="15.00", stock=5)
    carl = await world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    address = await world.shop.accounts.add_address(
        carl.id, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    where = (carl.id, address.address_id)
    older = await world.order(where, {desk_lamp: 1, mug: 1}, PaymentMethod.cod)
    newer = await world.order(where, {mug: 1}, PaymentMethod.cod)
    return older.order_id, newer.order_id


async def test_cancelling_a_product_asks_about_the_order_that_holds_it(chats: Chats) -> None:
    older, newer = await _two_orders(chats)
    said = "\n".join(await chats.say(CARL, "cancel the desk lamp"))
    assert f"#{older}" in said
    assert f"#{newer}" not in said
    assert "cancelled as a whole" in said
    # nothing is cancelled before Yes
    assert (await chats.world.shop.orders.get((await _carl(chats)), older)).status.value != (
        "cancelled"
    )


async def test_a_product_in_no_cancellable_order_is_said_to_be_in_none(chats: Chats) -> None:
    await _two_orders(chats)
    said = "\n".join(await chats.say(CARL, "cancel my order of the wool scarf"))
    assert "holds “wool scarf”" in said


async def _carl(chats: Chats) -> int:
    me = await chats.world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    return me.id
