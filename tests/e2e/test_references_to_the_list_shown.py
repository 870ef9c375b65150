"""A typed reference to the list the chat showed last ("the first one", "the cheaper one",
"the olive one") picks the item as its button would; "never mind" with nothing waiting
changes nothing and says so."""

from __future__ import annotations

import re
from decimal import Decimal

from aiogram.types import Message

from sandbox import Emulator
from tests.e2e.test_free_text import _card_order, _cash_order


def _labels(message: Message) -> list[str]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [button.text for row in rows for button in row]


def _priced(message: Message) -> list[tuple[str, Decimal]]:
    """The listed products' buttons: each one's label and the price it shows."""
    found = []
    for label in _labels(message):
        money = re.search(r"\$(\d+\.\d\d)", label)
        if money:
            found.append((label, Decimal(money.group(1))))
    return found


async def test_the_first_and_the_cheaper_one_open_that_card(tg: Emulator) -> None:
    sara = tg.user("Sara")
    await sara.send("/start")
    await sara.expect_message("Welcome")
    await sara.send("kettles")
    listed = await sara.expect_message(timeout=60)
    priced = _priced(listed)
    assert len(priced) > 1, _labels(listed)
    await sara.send("the cheaper one please")
    card = await sara.expect_message(timeout=60)
    assert "Choose a category" not in (card.text or "")
    cheapest = min(priced, key=lambda p: p[1])
    assert f"${cheapest[1]}" in (card.caption or card.text or ""), (card.text, priced)
    assert "to cart" in " ".join(_labels(card))

    await sara.send("kettle")
    listed = await sara.expect_message(timeout=60)
    await sara.send("the first one")
    card = await sara.expect_message(timeout=60)
    assert "not something this shop can help with" not in (card.text or "")
    first = _labels(listed)[0]
    assert "to cart" in " ".join(_labels(card)), card.text
    assert first.split("$")[0].strip(" ·—-") in (card.caption or card.text or ""), first


async def test_the_olive_one_is_the_olive_item_of_the_list(tg: Emulator) -> None:
    sara = tg.user("Sara")
    await sara.send("/start")
    await sara.expect_message("Welcome")
    await sara.send("pour-over kettle")
    listed = await sara.expect_message(timeout=60)
    olive = [label for label in _labels(listed) if "Olive" in label]
    assert len(olive) == 1, _labels(listed)
    await sara.send("show me the olive one")
    card = await sara.expect_message(timeout=60)
    assert "Olive Pour-Over Kettle" in (card.caption or card.text or ""), card.text
    assert "to cart" in " ".join(_labels(card))


async def test_the_first_one_answers_which_order(tg: Emulator) -> None:
    john = tg.user("John")
    await john.send("/start")
    await john.expect_message("Welcome")
    await _card_order(john)
    await _cash_order(john)
    await john.send("where is my order")
    asked = await john.expect_message("Which order do you mean?", timeout=60)
    first = re.search(r"#(\d+)", _labels(asked)[0])
    assert first is not None
    await john.send("the first one")
    await john.expect_message(f"Delivery of order #{first.group(1)}", timeout=60)


async def test_never_mind_with_nothing_waiting_says_so_and_changes_nothing(
    tg: Emulator,
) -> None:
    sara = tg.user("Sara")
    await sara.send("/start")
    await sara.expect_message("Welcome")
    await sara.send("never mind")
    said = await sara.expect_message(timeout=60)
    assert "nothing was waiting" in (said.text or ""), said.text
    assert _labels(said), "the menu is shown"
    await sara.send("/cart")
    await sara.expect_message("Your cart is empty")


async def test_the_first_one_after_the_wishlist_or_my_orders_means_their_first_item(
    tg: Emulator,
) -> None:
    """The wishlist and My orders are lists shown too: "the first one" after them means
    their first item, not the search shown before them."""
    ines = tg.user("Ines")
    await ines.send("/start")
    await ines.expect_message("Welcome")
    await ines.send("pour-over kettle")
    await ines.expect_message(timeout=60)
    await ines.send("save the olive pour-over kettle to my wishlist")
    await ines.expect_message(timeout=60)
    await ines.send("yoga mat")  # a search shown after the save: its list is the last one
    await ines.expect_message(timeout=60)
    await ines.send("/wishlist")
    wished = await ines.expect_message("wishlist", timeout=60)
    await ines.send("the first one")
    card = await ines.expect_message(timeout=60)
    assert "Olive Pour-Over Kettle" in (card.caption or card.text or ""), (card.text, wished.text)

    order = await _cash_order(ines)
    await ines.send("yoga mat")
    await ines.expect_message(timeout=60)
    await ines.send("/orders")
    await ines.expect_message("Your orders", timeout=60)
    await ines.send("the first one")
    await ines.expect_message(f"Delivery of order #{order}", timeout=60)
