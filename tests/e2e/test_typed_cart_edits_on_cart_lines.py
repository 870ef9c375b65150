"""Typed cart edits act on the cart's lines, as a tester typed them in the web chat: "i only
want 1 white zip hoodie" sets the line's count (it takes none away from it), "remove the
dresses" asks which among the dresses in the cart only, and the pick does the removal."""

from __future__ import annotations

import asyncio
import re

from sandbox import Emulator, SimUser
from tests.e2e.steps import add_found


async def _start(user: SimUser) -> None:
    await user.send("/start")
    await user.expect_message("Welcome")


async def test_only_want_one_sets_the_line_to_one(tg: Emulator) -> None:
    sara = tg.user("Sara")
    await _start(sara)
    await sara.send("add 3 white zip hoodies")
    await sara.expect_message("Added 3 × White Zip Hoodie", timeout=60)
    await sara.send("i only want 1 white zip hoodie in my cart")
    cart = await sara.expect_message("Your cart")
    assert "1 × White Zip Hoodie" in (cart.text or ""), cart.text
    assert "2 × White Zip Hoodie" not in (cart.text or ""), cart.text
    await sara.send("set white zip hoodie quantity to 2")
    cart = await sara.expect_message("Your cart")
    assert "2 × White Zip Hoodie" in (cart.text or ""), cart.text
    await sara.send("make the hoodies 0")
    cart = await sara.expect_message()
    assert "White Zip Hoodie" not in (cart.text or ""), cart.text


async def test_remove_the_dresses_asks_among_the_cart_lines_and_the_pick_removes(
    tg: Emulator,
) -> None:
    john = tg.user("John")
    await _start(john)
    await add_found(john, "summer dress", "Summer Dress")
    await add_found(john, "wrap dress", "Wrap Dress")
    await john.send("/cart")
    cart = await john.expect_message("Your cart")
    held = sorted(set(re.findall(r"\w+ (?:Summer|Wrap) Dress", cart.text or "")))
    assert len(held) == 2, cart.text
    await john.send("remove the dresses")
    asked = await john.expect_message("Which one", timeout=60)
    rows = asked.reply_markup.inline_keyboard if asked.reply_markup else []
    labels = [b.text for row in rows for b in row]
    assert sorted(label.split(" × ")[0] for label in labels) == held, labels
    picked = next(b for row in rows for b in row if b.text.startswith(held[0]))
    # a double tap: both taps reach the bot before the screen changes; one line goes
    taps = await asyncio.gather(
        *(john.click_button(asked.message_id, data=picked.callback_data) for _ in range(2))
    )
    assert ["no longer in your cart" in str(tap.get("text")) for tap in taps].count(True) == 1
    await john.send("/cart")
    cart = await john.expect_message("Your cart")
    assert held[0] not in (cart.text or ""), cart.text
    assert held[1] in (cart.text or ""), cart.text


async def test_a_removal_of_something_the_cart_lacks_says_so(tg: Emulator) -> None:
    ann = tg.user("Ann")
    await _start(ann)
    await add_found(ann, "summer dress", "Summer Dress")
    await ann.send("remove the tees")
    said = await ann.expect_message("Your cart", timeout=60)
    assert "has no tees" in (said.text or ""), said.text
    assert "Summer Dress" in (said.text or ""), said.text
