"""What a seller says or types where the tester walking the sandbox as Maya was refused: a
tracking number said in a voice note is offered back ("🎙 “…” → Use these words as the
parcel's tracking number?") and used only with that offer's Yes, once; its No changes
nothing and the question keeps waiting. In the add-product wizard, a price typed as the
description is asked about (one tap keeps it), and a category's name typed picks it."""

from __future__ import annotations

import re

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import address_order, open_store
from tests.e2e.steps import settled
from tests.e2e.test_return_how_many import _tap
from tests.e2e.test_spoken_never_mind import say

OFFERED = "Use these words as the parcel's tracking number?"
SPOKEN_NUMBER = "R R 1 2 3 4 5 6 7 8 5 G B"


def _heard(offer: Message) -> str:
    """The words an offer shows it heard: 🎙 “…” → Use these words…"""
    found = re.search(r"“(.+?)”", offer.text or "")
    assert found, offer.text
    return found.group(1)


def _shipped(seller: SimUser) -> list[str]:
    return [str(m.get("text")) for m in seller.messages if "is shipped" in str(m.get("text"))]


async def _asked_for_the_tracking_number(shop_bot: ShopBot, tg: Emulator, name: str) -> SimUser:
    """A new store's owner, an order of its lamp to the customer's address, and the owner
    asked for its tracking number (typed "ship order N")."""
    seller, _, order = await address_order(shop_bot, tg, name, "Voice")
    await seller.send(f"ship order {order}")
    await seller.expect_message(f"Send the tracking number for order #{order}")
    return seller


async def test_a_spoken_tracking_number_is_used_only_after_its_yes(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    seller = await _asked_for_the_tracking_number(shop_bot, tg, "Oriel")
    await say(seller, SPOKEN_NUMBER)
    refused = await seller.expect_message(OFFERED, timeout=60)
    assert (refused.text or "").startswith("🎙 “"), refused.text  # what was heard, in front
    await settled(seller)
    assert _shipped(seller) == []  # nothing ships from audio alone

    await seller.click("Don't use it")
    await seller.expect_message("nothing changed: the parcel is not shipped")
    await settled(seller)
    assert _shipped(seller) == []

    await say(seller, SPOKEN_NUMBER)  # the question still waits
    offer = await seller.expect_message(OFFERED, timeout=60)
    number = _heard(offer).rstrip(".")
    await seller.click("Use it")
    await seller.expect_message(f"is shipped with tracking {number}")
    assert "no longer active" in await _tap(seller, offer, "Use it")  # once
    assert "no longer active" in await _tap(seller, refused, "Use it")
    await settled(seller)
    assert len(_shipped(seller)) == 1, _shipped(seller)


async def test_a_price_as_the_description_is_asked_and_a_category_is_typed(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(shop_bot, tg, "Ysolde", f"Ysolde Lamps {mode}", f"Y Lamp {mode}", "9")
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.send(f"Number Lamp {mode}")
    await owner.expect_message("Describe it")
    await owner.send("12,50 eur")
    await owner.expect_message("looks like a price")
    await owner.click("Yes, that is the description")
    await owner.expect_message("Which category?")
    await owner.send("home")  # part of one name only: Home & Kitchen opens
    await owner.expect_message("Which category? Home & Kitchen")
    await owner.send("lamps")
    await owner.expect_message("Category: Home & Kitchen › Decor › Lamps")
    await owner.expect_message("Price?")
