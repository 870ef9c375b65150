"""A cancelled order has no delivery to follow: its page offers no Track, and a Track button
left on an older screen says so instead of showing an empty delivery."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import order_id_in
from tests.e2e.steps import add_found, check_out


def _labels(message: Message) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def _open_order(user: SimUser, order_id: int) -> Message:
    await user.send("/orders")
    await user.expect_message("Your orders")
    await user.click(f"#{order_id}")
    return await user.expect_edit("Status:")


async def test_a_cancelled_order_offers_no_track_and_an_old_track_says_why(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = tg.user("Tobias")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await check_out(buyer, address="5 Canal St, Manchester, United Kingdom")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    before = await _open_order(buyer, order)  # a page left open in the chat
    [track] = [
        b.callback_data
        for row in (before.reply_markup.inline_keyboard if before.reply_markup else [])
        for b in row
        if "Track" in b.text
    ]
    await _open_order(buyer, order)  # and a second one, where the customer cancels
    await buyer.click("Cancel order")
    await buyer.expect_edit(f"Cancel order #{order}?")
    await buyer.click("Yes, cancel it")
    after = await buyer.expect_edit("Status: cancelled")
    assert not any("Track" in label for label in _labels(after)), _labels(after)
    # the first page's Track, tapped now: the truth, and the order as it is
    answer = await buyer.click_button(before.message_id, data=track)
    said = str(answer.get("text"))
    assert f"Order #{order} has no delivery to follow: it is cancelled" in said, answer
    redrawn = await buyer.expect_edit("Status: cancelled")
    assert redrawn.message_id == before.message_id
    assert not any("Track" in label for label in _labels(redrawn)), _labels(redrawn)
    assert "Delivery of order" not in (redrawn.text or "")
