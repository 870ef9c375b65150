"""A product card and the cart tapped as people tap them (twice, or on an old screen), and
the shelves as a shopper walks them: a double tap on "Add to cart" adds one, a card shows
what the cart holds, a product that sold out under an old card says so with the buttons to
go on with, the cart's ✖ removes only the line its screen showed, no branch of the
category tree leads to an empty shelf, and no product comes twice across pages."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiogram.types import InlineKeyboardButton, Message
from sqlalchemy import select

from engine.base import Deps
from engine.shop import Shop
from sandbox import Emulator, SimUser
from storage.db import make_engine, make_sessionmaker
from storage.models import Category, Product, Seller, User
from storage.uow import UnitOfWork
from tests.e2e.conftest import ADMIN_ID, SELLER_ID, ShopBot

KETTLE = "Olive Pour-Over Kettle"


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


def _labels(message: Message) -> list[str]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [button.text for row in rows for button in row]


def _button(message: Message, label: str) -> InlineKeyboardButton:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    found = [button for row in rows for button in row if label in button.text]
    assert found, (label, _labels(message))
    return found[0]


def _shown(message: Message | dict[str, Any]) -> str:
    if isinstance(message, Message):
        return str(message.text or message.caption or "")
    return str(message.get("text") or message.get("caption") or "")


async def _card(user: SimUser, words: str, name: str) -> Message:
    """The card of product `name`, opened by typing `words` (its card, or the results)."""
    await user.send(words)
    shown = await user.expect_message(
        where=lambda m: any(s in _shown(m) for s in ("Results for", "Which one", "Sold by")),
        timeout=60,
    )
    if "Sold by" in _shown(shown):
        assert name in _shown(shown), _shown(shown)
        return shown
    await user.click(name)
    return await user.expect_message("Sold by")


async def _tap_old(user: SimUser, message: Message, button: InlineKeyboardButton) -> str:
    """Tap `button` as an older copy of `message` showed it (a chat not yet redrawn)."""
    screen = user.chat.messages[message.message_id]
    answer = await user._click(
        screen, {"text": button.text, "callback_data": button.callback_data}, 5
    )
    return str(answer.get("text"))


async def _cart_text(user: SimUser) -> str:
    await user.send("/cart")
    return _shown(await user.expect_message("Your cart"))


async def test_a_double_tap_on_add_to_cart_adds_one_and_the_new_card_adds_more(
    tg: Emulator,
) -> None:
    wen = await _started(tg, "Wenceslas")
    card = await _card(wen, "olive pour-over kettle", KETTLE)
    assert "In the cart" not in _shown(card), _shown(card)
    add = _button(card, "Add 1 to cart")
    first, second = await asyncio.gather(
        wen.click_button(card.message_id, data=add.callback_data),
        wen.click_button(card.message_id, data=add.callback_data),
    )
    answers = sorted(str(a.get("text")) for a in (first, second))
    assert any(f"Added 1 × {KETTLE}" in a for a in answers), answers
    assert any("Already in your cart: 1" in a for a in answers), answers
    redrawn = await wen.expect_edit("In the cart: 1")
    assert "Add 1 to cart" in " ".join(_labels(redrawn)), _labels(redrawn)
    # the same old button again, later: still nothing more
    assert "Already in your cart: 1" in await _tap_old(wen, card, add)
    assert f"1 × {KETTLE}" in await _cart_text(wen)

    # a deliberate tap on the card as it is now adds one more, and the card says so
    answer = await wen.click_button(
        redrawn.message_id, data=_button(redrawn, "Add 1 to cart").callback_data
    )
    assert f"Added 1 × {KETTLE}" in str(answer.get("text")), answer
    await wen.expect_edit("In the cart: 2")
    assert f"2 × {KETTLE}" in await _cart_text(wen)

    # a new card of the same product shows what the cart holds, and adds on top of it
    again = await _card(wen, "olive pour-over kettle", KETTLE)
    assert "In the cart: 2" in _shown(again), _shown(again)
    answer = await wen.click_button(
        again.message_id, data=_button(again, "Add 1 to cart").callback_data
    )
    assert f"Added 1 × {KETTLE}" in str(answer.get("text")), answer
    assert f"3 × {KETTLE}" in await _cart_text(wen)


def _place(message: Message, label: str) -> tuple[int, int]:
    """Where (row, column) the button labelled `label` is on `message`."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    for r, row in enumerate(rows):
        for c, button in enumerate(row):
            if label in button.text:
                return r, c
    raise AssertionError((label, _labels(message)))


async def test_the_second_tap_of_a_double_tap_on_the_redrawn_card_adds_nothing(
    tg: Emulator,
) -> None:
    # a walk in the sandbox: the card was redrawn between the two taps of a double tap, so
    # the second one landed on the new card's button in the same place, and added a second
    ines = await _started(tg, "Ines")
    card = await _card(ines, "olive pour-over kettle", KETTLE)
    row, column = _place(card, "Add 1 to cart")
    answer = await ines.click_button(
        card.message_id, data=_button(card, "Add 1 to cart").callback_data
    )
    assert f"Added 1 × {KETTLE}" in str(answer.get("text")), answer
    redrawn = await ines.expect_edit("In the cart: 1")
    assert redrawn.reply_markup is not None
    under_finger = redrawn.reply_markup.inline_keyboard[row][column]
    assert "Added (1 in the cart)" in under_finger.text, _labels(redrawn)
    answer = await ines.click_button(redrawn.message_id, data=under_finger.callback_data)
    assert "Already in your cart: 1" in str(answer.get("text")), answer
    assert f"1 × {KETTLE}" in await _cart_text(ines)
    # Add, one row down, still adds one more on purpose
    assert _place(redrawn, "Add 1 to cart") == (row + 1, column), _labels(redrawn)
    answer = await ines.click_button(
        redrawn.message_id, data=_button(redrawn, "Add 1 to cart").callback_data
    )
    assert f"Added 1 × {KETTLE}" in str(answer.get("text")), answer
    assert f"2 × {KETTLE}" in await _cart_text(ines)


async def test_a_double_tap_on_a_cart_line_plus_adds_one(tg: Emulator) -> None:
    ottilie = await _started(tg, "Ottilie")
    await _card(ottilie, "olive pour-over kettle", KETTLE)
    await ottilie.click("Add 1 to cart")
    await ottilie.send("/cart")
    cart = await ottilie.expect_message("Your cart")
    plus = _button(cart, "+")
    await asyncio.gather(
        ottilie.click_button(cart.message_id, data=plus.callback_data),
        ottilie.click_button(cart.message_id, data=plus.callback_data),
    )
    assert f"2 × {KETTLE}" in await _cart_text(ottilie)


async def test_an_old_cart_screen_removes_no_line_that_changed_since(tg: Emulator) -> None:
    rosalind = await _started(tg, "Rosalind")
    await _card(rosalind, "olive pour-over kettle", KETTLE)
    await rosalind.click("Add 1 to cart")
    await rosalind.send("/cart")
    old = await rosalind.expect_message("Your cart")
    remove = _button(old, "✖")
    # the cart changes on a newer screen: the old ✖ was for "1 ×", not for what is there now
    await rosalind.send("/cart")
    await rosalind.expect_message("Your cart")
    await rosalind.click("+")
    await rosalind.expect_edit(f"2 × {KETTLE}")
    answer = await rosalind.click_button(old.message_id, data=remove.callback_data)
    assert "changed" in str(answer.get("text")).lower(), answer
    shown = await rosalind.expect_edit("Your cart")
    assert shown.message_id == old.message_id
    assert f"2 × {KETTLE}" in _shown(shown), _shown(shown)
    assert f"2 × {KETTLE}" in await _cart_text(rosalind)
    # the ✖ of the cart as it is now removes it; a second tap on it changes nothing more
    await rosalind.click("✖")
    await rosalind.expect_edit("Your cart is empty")


async def _listed(shop_bot: ShopBot, name: str, stock: int) -> tuple[Shop, int, int, Any]:
    """A product of the demo's first store, listed through the engine: (the shop, the
    seller's user id, the product id, its engine to dispose of)."""
    engine = make_engine(shop_bot.database_url)
    shop = Shop(Deps(uow=lambda: UnitOfWork(make_sessionmaker(engine))))
    async with engine.connect() as connection:
        seller_user = (
            await connection.execute(select(User.user_id).where(User.telegram_id == SELLER_ID))
        ).scalar_one()
        category = (
            await connection.execute(
                select(Product.category_id)
                .join(Seller, Seller.seller_id == Product.seller_id)
                .where(Seller.user_id == seller_user)
                .limit(1)
            )
        ).scalar_one()
    detail = await shop.catalog.create_product(
        seller_user, category_id=category, name=name, price="12.00", stock=stock
    )
    return shop, seller_user, detail.card.product_id, engine


async def test_adding_what_sold_out_under_an_old_card_offers_what_to_do_next(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    name = f"Last Candle {shop_bot.mode}"
    shop, seller_user, product_id, engine = await _listed(shop_bot, name, stock=1)
    try:
        vera = await _started(tg, "Veronika")
        card = await _card(vera, name.lower(), name)
        add = _button(card, "Add 1 to cart")
        await shop.inventory.adjust(seller_user, product_id, -1, "broken")  # the last one
    finally:
        await engine.dispose()
    answer = await vera.click_button(card.message_id, data=add.callback_data)
    assert "sold out" in str(answer.get("text")).lower(), answer
    redrawn = await vera.expect_edit("Sold out")
    labels = " ".join(_labels(redrawn))
    assert "Add 1 to cart" not in labels, labels
    assert "Notify me when back" in labels, labels
    assert "Wishlist" in labels, labels
    assert "Back" in labels, labels
    told = await vera.click("Notify me when back")
    assert "We will message you" in str(told.get("text")), told
    await vera.send("/cart")
    await vera.expect_message("Your cart is empty")


async def test_every_branch_of_the_category_tree_leads_to_products(tg: Emulator) -> None:
    """Sports & Outdoors holds only the products of a suspended store: no shopper sees it."""
    hilde = await _started(tg, "Hildegard")
    await hilde.click("🛍 Browse")
    top = await hilde.expect_edit("Choose a category")
    assert "Sports & Outdoors" not in _labels(top), _labels(top)
    assert "Fashion" in _labels(top), _labels(top)

    screen = top.message_id
    pending = [
        b.callback_data
        for row in top.reply_markup.inline_keyboard  # type: ignore[union-attr]
        for b in row
        if "Back" not in b.text
    ]
    seen: set[str] = set()
    while pending:
        data = pending.pop()
        if data is None or data in seen:
            continue
        seen.add(data)
        message = hilde.chat.messages[screen]
        await hilde._click(message, {"text": data, "callback_data": data}, 5)
        shown = await hilde.expect_edit()
        assert "Nothing here yet" not in _shown(shown), (data, _shown(shown))
        pending += [
            b.callback_data
            for row in shown.reply_markup.inline_keyboard  # type: ignore[union-attr]
            for b in row
            if b.callback_data and b.callback_data.startswith("v1c:") and "Back" not in b.text
        ]


async def test_a_shelf_whose_sub_categories_are_empty_lists_its_own_products(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Cooking holds books; an admin adds Baking under it, with nothing in it yet: Cooking
    lists its books, and Back leads up the tree, never to Cooking again."""
    engine = make_engine(shop_bot.database_url)
    try:
        shop = Shop(Deps(uow=lambda: UnitOfWork(make_sessionmaker(engine))))
        async with engine.connect() as connection:
            admin = (
                await connection.execute(select(User.user_id).where(User.telegram_id == ADMIN_ID))
            ).scalar_one()
            cooking = (
                await connection.execute(
                    select(Category.category_id).where(Category.name == "Cooking")
                )
            ).scalar_one()
        await shop.catalog.create_category(admin, "Baking", parent_id=cooking)
    finally:
        await engine.dispose()
    uma = await _started(tg, "Umberta")
    await uma.click("🛍 Browse")
    await uma.expect_edit("Choose a category")
    await uma.click("Books")
    await uma.expect_edit("Books")
    await uma.click("Non-fiction")
    await uma.expect_edit("Books › Non-fiction")
    await uma.click("Cooking")
    cooking_list = await uma.expect_edit("Books › Non-fiction › Cooking")
    assert "Baking" not in _labels(cooking_list), _labels(cooking_list)
    assert any(" · " in label for label in _labels(cooking_list)), _labels(cooking_list)
    await uma.click("⬅ Back")
    back = await uma.expect_edit("Books › Non-fiction")
    assert "Cooking" in _labels(back), _labels(back)


async def _all_pages(user: SimUser, first: Message) -> tuple[list[str], int]:
    """The product labels of every page of a list, from its first page; and the total its
    title says."""
    total = re.search(r": (\d+)", _shown(first))
    assert total is not None, _shown(first)
    labels = [label for label in _labels(first) if " · " in label]
    shown = first
    while "▶" in _labels(shown):
        await user.click_button(shown.message_id, data=_button(shown, "▶").callback_data)
        shown = await user.expect_edit()
        labels += [label for label in _labels(shown) if " · " in label]
    return labels, int(total.group(1))


async def test_no_product_comes_twice_across_pages(tg: Emulator) -> None:
    pia = await _started(tg, "Pierina")
    await pia.click("🛍 Browse")
    await pia.expect_edit("Choose a category")
    await pia.click("Fashion")
    await pia.expect_edit("Fashion")
    await pia.click("All in Fashion")
    first = await pia.expect_edit("Fashion")
    labels, total = await _all_pages(pia, first)
    assert total > 8, total  # more than one page
    assert len(labels) == total, (total, labels)
    assert len(set(labels)) == len(labels), labels

    await pia.send("/search white")
    first = await pia.expect_message("Results for")
    labels, total = await _all_pages(pia, first)
    assert total > 8, total
    assert len(labels) == total, (total, labels)
    assert len(set(labels)) == len(labels), labels
