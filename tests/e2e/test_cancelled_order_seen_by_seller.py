"""A cancelled order, seen by its seller and asked about by typing: the seller's notice says
why it was cancelled and opens the seller's own card of it; "track order N" for a cancelled
order says it was cancelled instead of showing a delivery that will never come."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in
from tests.e2e.steps import add_found, check_out


def _labels(message: Message) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def test_a_customer_cancel_tells_the_seller_why_and_opens_the_sellers_card(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    seller = await open_store(
        shop_bot, tg, "Maya", f"Urban Threads {mode}", f"Harbour Lamp {mode}", "30"
    )
    buyer = tg.user("Sara")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"Harbour Lamp {mode}", "Harbour Lamp")
    await check_out(buyer, address="5 Canal St, Manchester, United Kingdom")
    order = order_id_in((await buyer.expect_edit("is placed")).text)

    await buyer.send(f"cancel order {order}")
    await buyer.expect_message(f"Cancel order #{order}?", timeout=60)
    await buyer.send("yes")
    await buyer.expect_message(f"Order #{order} is cancelled")

    told = await seller.expect_message(f"Order #{order} is cancelled", timeout=20)
    assert "Reason: cancelled by the customer" in (told.text or ""), told.text
    assert _labels(told) == ["Open the order"]
    await seller.click_button(told.message_id, index=0)
    card = await seller.expect_message(f"Order #{order}")
    text = card.text or ""
    assert "cancelled" in text, text
    assert f"Harbour Lamp {mode}" in text, text
    assert "Sara" in text, text
    # a cancelled order takes no steps: only the way back
    assert not any(
        step in label
        for label in _labels(card)
        for step in ("Confirm", "Ship", "Reject", "Delivered")
    ), _labels(card)
    assert seller.chat.messages[told.message_id]["text"] == told.text  # the notice stays


async def test_tracking_a_cancelled_order_by_typing_says_it_was_cancelled(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = tg.user("Sol")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await check_out(buyer, address="5 Canal St, Manchester, United Kingdom")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await buyer.send(f"cancel order {order}")
    await buyer.expect_message(f"Cancel order #{order}?", timeout=60)
    await buyer.send("yes")
    await buyer.expect_message(f"Order #{order} is cancelled")

    for words in (f"track order {order}", f"where is my order {order}?"):
        await buyer.send(words)
        said = await buyer.expect_message(f"Order #{order} was cancelled")
        text = said.text or ""
        assert "no delivery to follow" in text, (words, text)
        assert "refund" in text, (words, text)
        assert "Delivery of order" not in text, (words, text)
        assert "No delivery news" not in text, (words, text)
        assert "Order received by the seller" not in text, (words, text)
        assert _labels(said) == ["Open the order"], (words, _labels(said))
    await buyer.click("Open the order")
    await buyer.expect_edit("Status: cancelled")
