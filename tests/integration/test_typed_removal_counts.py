"""A typed removal takes out the count it names and leaves the rest of the line ("remove one
of the desk lamps" leaves two of three); named alone, the product leaves the cart; a count
that is no whole number is answered and changes nothing. On both databases."""

from __future__ import annotations

from tests.integration.test_customer_walk_fixes import carl_id, chats
from tests.integration.test_handlers_roles import CARL, Chats
from tests.integration.test_seller_journey import lamp

__all__ = ["chats"]


async def _lamps_in_cart(chats: Chats) -> int:
    return sum(
        line.quantity for line in (await chats.world.shop.carts.view(await carl_id(chats))).lines
    )


async def _three_lamps(chats: Chats) -> None:
    product = await lamp(chats)
    await chats.world.shop.carts.add(await carl_id(chats), product, 3)


async def test_a_counted_removal_leaves_the_rest_of_the_line(chats: Chats) -> None:
    await _three_lamps(chats)
    said = await chats.say(CARL, "remove one desk lamp from my cart")
    assert await _lamps_in_cart(chats) == 2, said
    assert any("2 × Desk Lamp" in text for text in said), said


async def test_the_product_named_alone_leaves_the_cart(chats: Chats) -> None:
    await _three_lamps(chats)
    said = await chats.say(CARL, "remove the desk lamp from my cart")
    assert await _lamps_in_cart(chats) == 0, said


async def test_a_count_that_is_no_whole_number_changes_nothing(chats: Chats) -> None:
    await _three_lamps(chats)
    said = await chats.say(CARL, "remove 2.5 desk lamps from my cart")
    assert await _lamps_in_cart(chats) == 3, said
    assert any("whole items" in text and "Nothing was changed" in text for text in said), said
