"""A question asked by a button takes a typed yes or no as one asked from words does; once a
question is answered (typed or tapped) its old buttons change nothing and say so; a tap on
Place order after a typed "yes" placed the order sends no second invoice; and "never mind"
typed where the bot waits for a reason or a message back ends the prompt, sending nothing."""

from __future__ import annotations

import re

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import order_id_in
from tests.e2e.steps import add_found, at_new_address, check_out, enter_address, settled
from tests.e2e.test_return_how_many import _returns, _tap, _three_delivered
from tests.e2e.test_typed_answers_at_checkout_and_returns import _orders


async def _cash_order(tg: Emulator, name: str) -> tuple[SimUser, int]:
    """A new customer's kettle, paid on pickup, its card open: the customer and the order."""
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    await check_out(user, address="4 Elm Row, Bath, United Kingdom", provider="Local Pickup")
    order = order_id_in((await user.expect_edit("is placed")).text)
    await user.expect_message("You will pay")
    return user, order


async def _open(user: SimUser, order: int) -> str:
    """The order's card, opened from /orders: its text."""
    await settled(user)
    await user.send("/orders")
    await user.expect_message("Your orders")
    await user.click(f"#{order}")
    return (await user.expect_edit(f"Order #{order}")).text or ""


async def _asked_to_cancel(user: SimUser, order: int) -> Message:
    """✖ Cancel order tapped on the order's card: the question, with its buttons."""
    await _open(user, order)
    await user.click("Cancel order")
    return await user.expect_edit(f"Cancel order #{order}?")


async def test_a_typed_no_answers_cancel_asked_by_its_button_and_its_yes_is_old_then(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _cash_order(tg, "Hubert")
    question = await _asked_to_cancel(buyer, order)
    await buyer.send("no")
    said = (await buyer.expect_message()).text or ""
    assert "tap its button" not in said, said
    assert "did nothing" in said, said
    answer = await _tap(buyer, question, "Yes, cancel it")
    assert "answered already" in answer, answer
    assert "Status: cancelled" not in await _open(buyer, order)


async def test_a_typed_yes_cancels_the_order_asked_by_its_button_once(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _cash_order(tg, "Hildegard")
    question = await _asked_to_cancel(buyer, order)
    await buyer.send("yes")
    cancelled = await buyer.expect_message(f"Order #{order} is cancelled")
    assert "Status: cancelled" in (cancelled.text or "")
    answer = await _tap(buyer, question, "Yes, cancel it")
    assert "answered already" in answer, answer


async def test_the_yes_of_cancel_asked_in_words_changes_nothing_after_a_typed_no(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _cash_order(tg, "Horatio")
    await buyer.send(f"cancel order {order}")
    question = await buyer.expect_message(f"Cancel order #{order}?", timeout=60)
    await buyer.send("no")
    await buyer.expect_message("did nothing")
    answer = await _tap(buyer, question, "Yes, cancel it")
    assert "answered already" in answer, answer
    assert "is cancelled" not in answer, answer
    assert "Status: cancelled" not in await _open(buyer, order)


async def test_empty_the_cart_asked_by_its_button_takes_a_typed_no_then_a_typed_yes(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    kim = tg.user("Hyacinth")
    await kim.send("/start")
    await kim.expect_message("Welcome")
    await add_found(kim, "pour-over kettle", "Kettle")
    await settled(kim)
    await kim.send("/cart")
    await kim.expect_message("Your cart")
    await kim.click("Empty cart")
    question = await kim.expect_edit("Empty the cart?")
    await kim.send("no")
    said = (await kim.expect_message()).text or ""
    assert "did nothing" in said, said
    answer = await _tap(kim, question, "Yes, empty it")
    assert "answered already" in answer, answer
    await kim.send("/cart")
    kept = await kim.expect_message("Your cart")
    assert "Kettle" in (kept.text or ""), kept.text

    await kim.click("Empty cart")
    await kim.expect_edit("Empty the cart?")
    await kim.send("yes")
    await kim.expect_message("Your cart is empty")


async def test_place_order_tapped_after_a_typed_yes_sends_no_second_invoice(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = tg.user("Humphrey")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await at_new_address(buyer)
    await enter_address(buyer, "9 Kiln Row, York, United Kingdom, YO1 7HH")
    await buyer.expect_edit("How should it be shipped?")
    await buyer.click("Standard Post")
    await buyer.expect_edit("Do you have a coupon?")
    await buyer.click("Skip")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Card")
    summary = await buyer.expect_edit("Please confirm")
    await buyer.send("yes")
    order = order_id_in((await buyer.expect_message("is placed")).text)
    await buyer.expect_message(where=lambda m: "invoice" in m)
    await settled(buyer)

    answer = await _tap(buyer, summary, "Place order")
    await settled(buyer)
    invoices = [m for m in buyer.messages if "invoice" in m]
    assert len(invoices) == 1, invoices
    assert "answered already" in answer, answer
    shown = buyer.chat.messages[summary.message_id]
    assert f"#{order}" in str(shown.get("text")), shown  # the summary shows the order placed
    assert len(await _orders(buyer)) == 1


async def test_actually_no_forget_it_at_why_asks_no_return(shop_bot: ShopBot, tg: Emulator) -> None:
    buyer, order = await _three_delivered(shop_bot, tg, "Hortensia")
    await buyer.click("Return")
    await buyer.expect_message("How many")
    await buyer.click("1")
    await buyer.expect_message("Why are you returning it?")
    await buyer.send("actually no, forget it")
    await buyer.expect_message("no return is requested")
    await settled(buyer)
    assert await _returns(shop_bot, order) == []


async def test_never_mind_at_the_answers_reply_sends_nothing_to_the_team(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    john = tg.user("Jonquil")
    await john.send("/support")
    await john.expect_message("Write your message to the shop's team")
    await john.send("Where is my parcel?")
    sent = await john.expect_message("Sent to the shop's team")
    number = int(re.findall(r"#(\d+)", sent.text or "")[0])
    copy = await admin.expect_message(f"Support request #{number}")
    await admin.click_button(copy.message_id, index=0)  # ↩️ Reply
    await admin.expect_message("Write your answer to Jonquil")
    await admin.send("It ships on Monday.")

    reply = await john.expect_message("Reply from the shop's team")
    await john.click_button(reply.message_id, index=0)  # ↩️ Reply under the answer
    await john.expect_message("Write your answer to the shop's team")
    await john.send("never mind")
    said = (await john.expect_message("nothing was sent")).text or ""
    assert f"#{number}" in said, said
    await settled(john)
    back = [
        m
        for m in admin.messages
        if "wrote back" in str(m.get("text")) and f"#{number}" in str(m.get("text"))
    ]
    assert back == [], back
    # the answer's Reply still asks (the request waits for the customer, not the team)
    await john.click_button(reply.message_id, index=0)
    await john.expect_message("Write your answer to the shop's team")
