"""The question waiting (handlers/customer/asking.py) is answered once, however it is answered:
its Yes tapped then a typed "yes", or a typed "yes" then its Yes; a Yes under an older
question does not answer a newer one. On both databases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from handlers.customer.talk import Language
from nlu import Context, Intent
from nlu.speech import SpeechPool
from tests.integration.test_customer_walk_fixes import carl_id, chats
from tests.integration.test_handlers_roles import CARL, Chats
from tests.integration.test_seller_journey import lamp, maya

__all__ = ["chats"]


def _unsure(chats: Chats, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every "add …" read with too little confidence to act without asking first."""
    language: Language = chats.dp["language"]
    real = language.parse

    async def unsure(text: str, context: Context) -> Intent:
        read = await real(text, context)
        return replace(read, confidence=0.45) if read.name == "add_to_cart" else read

    monkeypatch.setattr(language, "parse", unsure)


@dataclass(frozen=True)
class _Button:
    """A button's data as the message carried it (tapped through Chats.tap, which packs)."""

    data: str

    def pack(self) -> str:
        return self.data


def _yes_under(chats: Chats, question: str) -> CallbackData:
    """The Yes button under the last message that asked `question`."""
    asked = [
        m
        for m in chats.telegram.sent
        if isinstance(m, SendMessage) and question in m.text and m.reply_markup is not None
    ][-1]
    assert isinstance(asked.reply_markup, InlineKeyboardMarkup)
    yes = asked.reply_markup.inline_keyboard[0][0]
    assert yes.text.startswith("Yes"), yes
    return cast(CallbackData, _Button(str(yes.callback_data)))


async def _quantities(chats: Chats, carl: int) -> list[int]:
    return [line.quantity for line in (await chats.world.shop.carts.view(carl)).lines]


async def test_a_tapped_yes_then_a_typed_yes_adds_once(
    chats: Chats, monkeypatch: pytest.MonkeyPatch
) -> None:
    await lamp(chats)
    carl = await carl_id(chats)
    _unsure(chats, monkeypatch)
    await chats.say(CARL, "add two desk lamps")
    yes = _yes_under(chats, "Shall I add 2 × Desk Lamp to your cart?")
    await chats.tap(CARL, yes)
    assert await _quantities(chats, carl) == [2]
    said = await chats.say(CARL, "yes")  # the question was answered by the tap
    assert await _quantities(chats, carl) == [2], said
    answer, _ = await chats.tap(CARL, yes)  # and its button again: nothing more
    assert await _quantities(chats, carl) == [2]
    assert "answered already" in str(answer), answer


async def test_a_typed_yes_then_the_tapped_yes_adds_once(
    chats: Chats, monkeypatch: pytest.MonkeyPatch
) -> None:
    await lamp(chats)
    carl = await carl_id(chats)
    _unsure(chats, monkeypatch)
    await chats.say(CARL, "add a desk lamp")
    yes = _yes_under(chats, "Shall I add 1 × Desk Lamp to your cart?")
    await chats.say(CARL, "yes please")
    assert await _quantities(chats, carl) == [1]
    answer, sent = await chats.tap(CARL, yes)
    assert await _quantities(chats, carl) == [1], sent
    assert "answered already" in str(answer), answer


async def test_a_yes_under_an_older_question_does_not_answer_a_newer_one(
    chats: Chats, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = chats.world
    seller = await maya(chats)
    await world.product(seller, "Copper Kettle", price="40.00", stock=5)
    await lamp(chats)
    carl = await carl_id(chats)
    _unsure(chats, monkeypatch)
    await chats.say(CARL, "add a desk lamp")
    older = _yes_under(chats, "Shall I add 1 × Desk Lamp to your cart?")
    await chats.say(CARL, "add a copper kettle")
    newer = _yes_under(chats, "Shall I add 1 × Copper Kettle to your cart?")
    answer, _ = await chats.tap(CARL, older)  # the lamp was not what waited any more
    assert await _quantities(chats, carl) == []
    assert "answered already" in str(answer), answer
    await chats.tap(CARL, newer)
    lines = (await world.shop.carts.view(carl)).lines
    assert [line.name for line in lines] == ["Copper Kettle"]


async def test_a_heard_request_is_one_question_answered_once(chats: Chats) -> None:
    """Words heard unsurely in a voice note wait as any question does, flagged as heard: a
    typed "yes" does them, shown as heard; the old voice:yes button then finds nothing."""
    from handlers.customer.asking import Kind, Question, ask  # the record this test is about
    from handlers.customer.voice import Voice

    await lamp(chats)
    carl = await carl_id(chats)
    chats.dp["voice"] = Voice(cast(SpeechPool, None), max_seconds=60)
    key = StorageKey(bot_id=chats.bot.id, chat_id=CARL, user_id=CARL)
    context = chats.dp.fsm.get_context(chats.bot, chat_id=CARL, user_id=CARL)
    assert context.key == key
    await ask(context, Question(Kind.do, "add two desk lamps", heard=True))
    said = await chats.say(CARL, "yes")
    assert await _quantities(chats, carl) == [2], said
    assert any(text.startswith("🎙 “add two desk lamps” →") for text in said), said
    answer, _ = await chats.tap(CARL, cast(CallbackData, _Button("voice:yes")))
    assert await _quantities(chats, carl) == [2]
    assert "answered already" in str(answer), answer


async def test_no_tapped_under_cancel_order_then_a_typed_yes_cancels_nothing(chats: Chats) -> None:
    """ "Cancel order #N?" asked from words, its No tapped (the order's page again): a "yes"
    typed afterwards answers no question, and the order stands."""
    from handlers.callbacks import OrderAction, OrderCb
    from tests.integration.test_cancel_by_product import _two_orders

    older, _ = await _two_orders(chats)
    shop, carl = chats.world.shop, await carl_id(chats)
    asked = await chats.say(CARL, f"cancel order {older}")
    assert any(f"Cancel order #{older}?" in text for text in asked), asked
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=older))  # its No
    said = await chats.say(CARL, "yes")
    assert (await shop.orders.get(carl, older)).status.value != "cancelled", said
