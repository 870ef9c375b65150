"""The wishlist as a shopper keeps it: a card says whether the product is saved (♥ takes it
out), the wishlist lists each product with a ✖ below, and an old ✖ or ♥ (taken out
already) says so and changes nothing."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser

PRODUCT = "Grey Floor Lamp"


def _rows(message: Message) -> list[list[str]]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [[button.text for button in row] for row in rows]


def _labels(message: Message) -> list[str]:
    return [label for row in _rows(message) for label in row]


def _data(message: Message, label: str) -> str:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    found = [b.callback_data or "" for row in rows for b in row if b.text == label]
    assert found, (label, _rows(message))
    return found[0]


async def _card(user: SimUser) -> Message:
    await user.send("/start")
    await user.expect_message("Welcome")
    await user.click("🔎 Search")
    await user.expect_message("Type what you are looking for")
    await user.send("grey floor lamp")
    await user.expect_message("Results for")
    await user.click(PRODUCT)
    return await user.expect_message("Sold by")


async def test_a_saved_product_is_taken_out_from_the_list_and_an_old_button_changes_nothing(
    tg: Emulator,
) -> None:
    wren = tg.user("Wren")
    card = await _card(wren)
    assert "♡ Wishlist" in _labels(card), _rows(card)
    saved = await wren.click("♡ Wishlist")
    assert "Saved to your wishlist" in str(saved.get("text")), saved
    shown = await wren.expect_edit()
    assert "♥ In wishlist" in _labels(shown), _rows(shown)
    assert "♡ Wishlist" not in _labels(shown), _rows(shown)
    await wren.click(PRODUCT)  # opened again from the list: it says so too
    again = await wren.expect_message("Sold by")
    assert "♥ In wishlist" in _labels(again), _rows(again)

    await wren.send("/wishlist")
    old = await wren.expect_message("Your wishlist")  # kept: its ✖ is tapped later
    await wren.send("/wishlist")
    listed = await wren.expect_message("Your wishlist")
    assert f"1. {PRODUCT}" in (listed.text or ""), listed.text
    assert [f"1. {PRODUCT}", "✖"] in _rows(listed), _rows(listed)

    removed = await wren.click("✖")
    assert "Removed from your wishlist" in str(removed.get("text")), removed
    empty = await wren.expect_edit("Your wishlist is empty")
    assert "✖" not in _labels(empty), _rows(empty)

    # the ✖ of the list shown before: said so, nothing changes (that list shows it now)
    stale = await wren.click_button(old.message_id, data=_data(old, "✖"))
    assert "not in your wishlist" in str(stale.get("text")), stale
    refreshed = await wren.expect_edit("Your wishlist is empty")
    assert refreshed.message_id == old.message_id
    await wren.send("/wishlist")
    await wren.expect_message("Your wishlist is empty")

    # the card shown before still says ♥: tapped, said so, and it says ♡ now
    stale = await wren.click_button(again.message_id, data=_data(again, "♥ In wishlist"))
    assert "not in your wishlist" in str(stale.get("text")), stale
    flipped = await wren.expect_edit()
    assert "♡ Wishlist" in _labels(flipped), _rows(flipped)

    # ♡ saves it again, ♥ takes it out
    await wren.click_button(again.message_id, data=_data(flipped, "♡ Wishlist"))
    saved_card = await wren.expect_edit()
    await wren.send("/wishlist")
    assert PRODUCT in ((await wren.expect_message("Your wishlist")).text or "")
    out = await wren.click_button(again.message_id, data=_data(saved_card, "♥ In wishlist"))
    assert "Removed from your wishlist" in str(out.get("text")), out
    await wren.send("/wishlist")
    await wren.expect_message("Your wishlist is empty")
