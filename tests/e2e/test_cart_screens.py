"""The cart screen as a shopper reads it: an empty cart leads back to the shop, every line
keeps its whole name with short buttons below, and emptying the cart asks first, safely even
on an old screen (issue 13: the cart, confirmations)."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.steps import add_found

LONG_NAME = "Harbour Mystery (Large Print)"


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


def _rows(message: Message) -> list[list[str]]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [[button.text for button in row] for row in rows]


async def _fill(user: SimUser) -> None:
    """Two kettles by words, and a book with a long name from the search."""
    await user.send("add two olive pour-over kettles to my cart please")
    await user.expect_message("Added 2 × Olive Pour-Over Kettle", timeout=60)
    await add_found(user, "harbour mystery large print", LONG_NAME)


async def test_an_empty_cart_offers_browse(tg: Emulator) -> None:
    ida = await _started(tg, "Idalia")
    await ida.send("/cart")
    empty = await ida.expect_message("Your cart is empty")
    assert any("Browse" in label for row in _rows(empty) for label in row), _rows(empty)
    await ida.click("🛍 Browse")
    await ida.expect_edit("Choose a category")


async def test_each_line_is_whole_in_the_text_with_short_buttons_below(tg: Emulator) -> None:
    jo = await _started(tg, "Jolanda")
    await _fill(jo)
    await jo.send("/cart")
    cart = await jo.expect_message("Your cart")
    text = cart.text or ""
    assert "1. 2 × Olive Pour-Over Kettle" in text, text
    assert f"2. 1 × {LONG_NAME}" in text, text
    rows = _rows(cart)
    line_rows = [row for row in rows if "−" in row]
    assert len(line_rows) == 2, rows
    for number, row in enumerate(line_rows, 1):
        assert row[1:] == ["−", "+", "✖"], row
        assert row[0].startswith(f"{number}."), row
        assert len(row[0]) <= 14, row
    await jo.click("+")  # the first line's +: the text says so on its own line
    assert "1. 3 × Olive Pour-Over Kettle" in ((await jo.expect_edit("Your cart")).text or "")


async def test_emptying_the_cart_asks_first_and_an_old_question_empties_nothing(
    tg: Emulator,
) -> None:
    kit = await _started(tg, "Kitty")
    await _fill(kit)
    await kit.send("/cart")
    await kit.expect_message("Your cart")
    await kit.click("Empty cart")
    question = await kit.expect_edit("Empty the cart? 3 items")
    assert ["Yes, empty it", "No, keep them"] in _rows(question), _rows(question)
    await kit.click("No, keep them")
    kept = await kit.expect_edit("Your cart")
    assert "Olive Pour-Over Kettle" in (kept.text or "")
    assert LONG_NAME in (kept.text or "")

    await kit.click("Empty cart")
    old = await kit.expect_edit("Empty the cart? 3 items")
    yes = old.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    # the cart changes after that question was shown: its Yes must not empty the new cart
    await kit.send("/cart")
    await kit.expect_message("Your cart")
    await kit.click("+")
    await kit.expect_edit("3 × Olive Pour-Over Kettle")
    answer = await kit.click_button(old.message_id, data=yes.callback_data)
    assert "no longer active" in str(answer.get("text")), answer
    await kit.send("/cart")
    still = await kit.expect_message("Your cart")
    assert "3 × Olive Pour-Over Kettle" in (still.text or ""), still.text

    await kit.click("Empty cart")
    await kit.expect_edit("Empty the cart? 4 items")
    await kit.click("Yes, empty it")
    emptied = await kit.expect_edit("Your cart is empty")
    assert any("Browse" in label for row in _rows(emptied) for label in row)
    await kit.send("/cart")
    await kit.expect_message("Your cart is empty")
