"""The return's question, "Why are you returning it?": an answer that says no asks for no
return, the question can be cancelled, and the order card says what is already asked back.
Through the real Dispatcher, both databases."""

from __future__ import annotations

import pytest

from handlers.callbacks import OrderAction, OrderCb, ReturnLineCb
from handlers.customer.orders import ReturnStepCb
from tests.integration.test_customer_prompts import delivered_lamp, request_the_return
from tests.integration.test_customer_walk_fixes import last_screen
from tests.integration.test_handlers_roles import CARL, Chats, chats
from tests.integration.test_seller_journey import labels, last_markup

__all__ = ["chats"]  # the fixture


@pytest.mark.parametrize(
    "answer",
    [
        "no",
        "nah",
        "Never mind",
        "cancel",
        "stop",
        "forget it",
        "actually never mind, no refund needed",
        "don't return it",
        "No thanks, I'll keep it",
    ],
)
async def test_saying_no_to_the_return_question_asks_for_no_return(
    chats: Chats, answer: str
) -> None:
    order, line, seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    replies = await chats.say(CARL, answer)
    assert replies == ["OK, no return is requested. Nothing was changed."], answer
    assert await chats.world.shop.returns.waiting(seller) == []


@pytest.mark.parametrize("reason", ["no sound at all", "No, it stopped working after a day"])
async def test_a_reason_that_only_contains_no_still_asks_for_the_return(
    chats: Chats, reason: str
) -> None:
    order, line, seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    await chats.say(CARL, reason)
    await request_the_return(chats)
    assert [r.reason for r in await chats.world.shop.returns.waiting(seller)] == [reason]


async def test_the_return_question_has_cancel(chats: Chats) -> None:
    order, line, seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    assert labels(last_markup(chats)) == ["✖ Cancel"]
    cancel = last_markup(chats).inline_keyboard[0][0].callback_data
    assert cancel is not None
    await chats.tap(CARL, ReturnStepCb.unpack(cancel))
    await chats.say(CARL, "it broke")  # no question takes it any more
    assert await chats.world.shop.returns.waiting(seller) == []


async def test_an_order_asked_back_shows_its_return_and_offers_no_second_one(
    chats: Chats,
) -> None:
    order, line, _seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    await chats.say(CARL, "it broke")
    await request_the_return(chats)
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order))
    text, buttons = last_screen(chats)
    assert "↩ return requested: 1 unit" in text
    assert not any(b.startswith("↩") for b in labels(buttons))


async def test_an_old_return_button_asks_nothing_once_the_line_is_asked_back(
    chats: Chats,
) -> None:
    order, line, seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    await chats.say(CARL, "it broke")
    await request_the_return(chats)
    answer, sent = await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    assert sent == []  # no "Why are you returning it?"
    assert str(answer).startswith("This button is no longer active")
    text, _ = last_screen(chats)  # the card as it is now
    assert "↩ return requested: 1 unit" in text
    assert len(await chats.world.shop.returns.waiting(seller)) == 1
