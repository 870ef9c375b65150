"""Free text that browses (the walkthrough): "what do you sell" shows the shelves instead of
searching for the word "sell"; "cheap lamps" lists the cheapest first; adding a sold-out
product in words says so and shows its card, whose buttons go on. On both databases."""

from __future__ import annotations

from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import InlineKeyboardMarkup

from nlu.extract import extract_sort
from tests.integration.test_customer_walk_fixes import carl_id, chats
from tests.integration.test_handlers_roles import CARL, Chats
from tests.integration.test_seller_journey import maya

__all__ = ["chats"]


def test_cheap_and_dear_are_read_as_an_order_of_prices() -> None:
    assert extract_sort("the cheapest headphones") == "price_asc"
    assert extract_sort("a lamp that is not too expensive") == "price_asc"
    assert extract_sort("premium headphones") == "price_desc"
    assert extract_sort("red hoodies") is None


async def test_what_do_you_sell_shows_the_shelves(chats: Chats) -> None:
    await chats.world.product(await maya(chats), "Brass Lamp", price="45.00")  # a full shelf
    await carl_id(chats)
    said = await chats.say(CARL, "what do you sell")
    assert any(text.startswith("Choose a category") for text in said), said


async def test_cheap_lamps_come_cheapest_first(chats: Chats) -> None:
    seller = await maya(chats)
    for name, price in (("Brass Lamp", "45.00"), ("Paper Lamp", "9.00"), ("Steel Lamp", "20.00")):
        await chats.world.product(seller, name, price=price)
    await carl_id(chats)
    await chats.say(CARL, "cheap lamps")
    shown = [m for m in chats.telegram.sent if isinstance(m, SendMessage)][-1]
    assert isinstance(shown.reply_markup, InlineKeyboardMarkup)
    names = [b.text for row in shown.reply_markup.inline_keyboard for b in row if "Lamp" in b.text]
    order = [next(n for n in ("Paper", "Steel", "Brass") if n in label) for label in names]
    assert order == ["Paper", "Steel", "Brass"], names


async def test_a_sold_out_product_added_in_words_shows_its_card(chats: Chats) -> None:
    await chats.world.product(await maya(chats), "Velvet Cushion", price="12.00", stock=0)
    await carl_id(chats)
    before = len(chats.telegram.sent)
    said = await chats.say(CARL, "add the velvet cushion to my cart")
    assert any("has just sold out" in text for text in said), said
    card = [m for m in chats.telegram.sent[before:] if isinstance(m, SendMessage | SendPhoto)][-1]
    assert isinstance(card.reply_markup, InlineKeyboardMarkup)  # it has buttons to go on with
