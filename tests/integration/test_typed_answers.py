"""A typed "yes" or "no" (the walkthrough: people type their answers): it answers a heard
request that waits for its Yes / No, once; with nothing waiting it asks for the button, and a
bare "cancel" ends what was under way as /cancel does. On both databases."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import InlineKeyboardMarkup

from handlers.customer.talk import Language
from handlers.customer.voice import Voice
from nlu import Context, Intent
from nlu.speech import SpeechPool
from storage.vocabulary import DiscountType
from tests.integration.test_customer_walk_fixes import carl_id, chats
from tests.integration.test_handlers_roles import CARL, Chats
from tests.integration.test_seller_journey import lamp, maya

__all__ = ["chats"]


class TalkAnswer(CallbackData, prefix="talk"):
    """The "Shall I …?" question's buttons as they were before questions named themselves
    (talk:yes, talk:no): still in chat histories, still answering the words waiting."""

    answer: str


def TalkYes() -> TalkAnswer:  # noqa: N802 - reads as the button it stands for
    return TalkAnswer(answer="yes")


async def _waiting(chats: Chats, heard: str) -> None:
    """A voice note heard unsurely: its words wait for Yes / No (handlers/customer/voice.py);
    no recogniser is needed to answer it."""
    chats.dp["voice"] = Voice(cast(SpeechPool, None), max_seconds=60)
    key = StorageKey(bot_id=chats.bot.id, chat_id=CARL, user_id=CARL)
    await chats.dp.storage.set_data(key, {"voice_pending": heard})


async def test_a_typed_yes_does_the_waiting_request_once(chats: Chats) -> None:
    await lamp(chats)
    carl = await carl_id(chats)
    await _waiting(chats, "add two desk lamps to my cart")
    said = await chats.say(CARL, "yes please")
    cart = await chats.world.shop.carts.view(carl)
    assert [line.quantity for line in cart.lines] == [2], said
    again = await chats.say(CARL, "yes")  # used once: nothing waits now
    assert [line.quantity for line in (await chats.world.shop.carts.view(carl)).lines] == [2]
    assert any("tap its button" in text for text in again), again


async def test_a_typed_no_drops_the_waiting_request(chats: Chats) -> None:
    await lamp(chats)
    carl = await carl_id(chats)
    await _waiting(chats, "add two desk lamps to my cart")
    said = await chats.say(CARL, "nope")
    assert (await chats.world.shop.carts.view(carl)).lines == []
    assert any("I did nothing" in text for text in said), said


async def test_a_bare_cancel_ends_what_was_under_way(chats: Chats) -> None:
    await carl_id(chats)
    said = await chats.say(CARL, "cancel")
    assert any(text.startswith("Cancelled. Nothing was changed.") for text in said), said


async def test_which_one_is_answered_in_words(chats: Chats) -> None:
    world = chats.world
    seller = await maya(chats)
    await world.product(seller, "Red Desk Lamp", price="20.00", stock=5)
    await world.product(seller, "Black Desk Lamp", price="22.00", stock=5)
    await carl_id(chats)
    asked = await chats.say(CARL, "add two desk lamps")
    assert any(text.startswith("Which one do you mean?") for text in asked), asked
    before = len(chats.telegram.sent)
    await chats.say(CARL, "the black one")
    cards = [m for m in chats.telegram.sent[before:] if isinstance(m, SendMessage | SendPhoto)]
    shown = cards[-1].text if isinstance(cards[-1], SendMessage) else cards[-1].caption
    assert "Black Desk Lamp" in str(shown), shown  # the one with the words only it has
    assert "Red Desk Lamp" not in str(shown)
    again = await chats.say(CARL, "the black one")  # asked once: now a request of its own
    assert not any("Which one" in text for text in again)


async def test_a_second_coupon_typed_says_which_it_replaces(chats: Chats) -> None:
    world = chats.world
    await world.coupon("SAVE10", DiscountType.percentage, "10")
    await world.coupon("TAKE5", DiscountType.fixed, "5")
    product = await lamp(chats)
    carl = await carl_id(chats)
    await world.shop.carts.add(carl, product, 2)
    await chats.say(CARL, "apply SAVE10")
    said = "\n".join(await chats.say(CARL, "use code TAKE5"))
    assert "TAKE5 replaces SAVE10" in said, said  # it was replaced without a word


async def test_an_unsure_reading_of_a_cart_change_is_asked_about_first(
    chats: Chats, monkeypatch: pytest.MonkeyPatch
) -> None:
    product = await lamp(chats)
    carl = await carl_id(chats)
    language: Language = chats.dp["language"]
    real = language.parse

    async def unsure(text: str, context: Context) -> Intent:
        read = await real(text, context)  # the words as the nlu reads them, less sure
        return replace(read, confidence=0.45) if read.name == "add_to_cart" else read

    monkeypatch.setattr(language, "parse", unsure)
    asked = await chats.say(CARL, "add a desk lamp")
    assert any("Shall I add 1 × Desk Lamp to your cart?" in text for text in asked), asked
    assert (await chats.world.shop.carts.view(carl)).lines == []  # nothing done yet
    await chats.tap(CARL, TalkYes())
    lines = (await chats.world.shop.carts.view(carl)).lines
    assert [(line.product_id, line.quantity) for line in lines] == [(product, 1)]
    answer, sent = await chats.tap(CARL, TalkYes())  # a second Yes does nothing more
    assert [line.quantity for line in (await chats.world.shop.carts.view(carl)).lines] == [1]
    assert "answered already, so I did nothing more" in str(answer), (answer, sent)


async def test_which_one_narrowed_to_several_asks_again_among_them(chats: Chats) -> None:
    world = chats.world
    seller = await maya(chats)
    for name in ("White Desk Lamp", "White Floor Lamp", "Black Desk Lamp"):
        await world.product(seller, name, price="20.00", stock=5)
    await carl_id(chats)
    await chats.say(CARL, "add a lamp")
    again = await chats.say(CARL, "the white one")  # the walkthrough: a search for "white"
    assert any(text.startswith("Which one do you mean?") for text in again), again
    shown = [m for m in chats.telegram.sent if isinstance(m, SendMessage)][-1]
    assert isinstance(shown.reply_markup, InlineKeyboardMarkup)
    labels = " ".join(b.text for row in shown.reply_markup.inline_keyboard for b in row)
    assert "White Desk Lamp" in labels
    assert "White Floor Lamp" in labels
    assert "Black Desk Lamp" not in labels
    before = len(chats.telegram.sent)
    await chats.say(CARL, "2nd one")
    card = [m for m in chats.telegram.sent[before:] if isinstance(m, SendMessage | SendPhoto)][-1]
    shown_text = card.text if isinstance(card, SendMessage) else card.caption
    assert "White" in str(shown_text)


async def test_a_typed_yes_empties_the_cart_the_question_showed(chats: Chats) -> None:
    product = await lamp(chats)
    carl = await carl_id(chats)
    await chats.world.shop.carts.add(carl, product, 2)
    asked = await chats.say(CARL, "empty my cart")
    assert any("Empty the cart?" in text for text in asked), asked
    await chats.say(CARL, "yes")  # the walkthrough: "a typed yes cannot tell which question"
    assert (await chats.world.shop.carts.view(carl)).lines == []


async def test_a_typed_no_or_yes_answers_the_cancel_question(chats: Chats) -> None:
    from tests.integration.test_cancel_by_product import _two_orders

    older, _ = await _two_orders(chats)
    shop, carl = chats.world.shop, await carl_id(chats)
    await chats.say(CARL, f"cancel order {older}")
    await chats.say(CARL, "no")
    assert (await shop.orders.get(carl, older)).status.value != "cancelled"
    await chats.say(CARL, f"cancel order {older}")
    said = await chats.say(CARL, "yes please")
    assert (await shop.orders.get(carl, older)).status.value == "cancelled", said
    again = await chats.say(CARL, "yes")  # asked once: nothing waits now
    assert not any("cancelled" in text.lower() for text in again if "#" in text), again
