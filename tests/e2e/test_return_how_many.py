"""Returning part of a line: the bot asks how many go back (buttons for a few, a typed number
for many), why, then shows what goes back, how many and the refund before anything is asked
of the seller; ✅ and ✖ are safe on an old screen and tapped twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import Emulator, SimUser
from storage.db import make_engine
from storage.models import Return, ReturnItem
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out


async def _returns(shop_bot: ShopBot, order_id: int) -> list[Any]:
    """(status, units, refund) of each return of the order, oldest first."""
    engine = make_engine(shop_bot.database_url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                select(Return.status, ReturnItem.quantity, Return.refund_amount)
                .join(ReturnItem, ReturnItem.return_id == Return.return_id)
                .where(Return.order_id == order_id)
                .order_by(Return.return_id)
            )
            return list(result.all())
    finally:
        await engine.dispose()


async def _tap(user: SimUser, message: Any, label: str) -> str:
    """Tap the button `label` as `message` showed it when it came (its buttons may be gone
    since, as an old screen's are): what the tap is answered with."""
    data = next(b.callback_data for row in message.reply_markup.inline_keyboard for b in row
                if b.text == label or label in b.text)  # fmt: skip
    answer = await user._click(
        user.chat.messages[message.message_id], {"text": label, "callback_data": data}, 5
    )
    return str(answer.get("text"))


def _labels(message: Any) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in markup.inline_keyboard for b in row] if markup else []


async def _three_delivered(shop_bot: ShopBot, tg: Emulator, buyer_name: str) -> tuple[SimUser, int]:
    """A buyer's paid, delivered order of three $30.00 lamps of a new store."""
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, f"Owner of {buyer_name}", f"Trio Lamps {buyer_name} {mode}",
        f"Trio Lamp {buyer_name} {mode}", "30", stock=9,
    )  # fmt: skip
    buyer = tg.user(buyer_name)
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"trio lamp {buyer_name} {mode}", f"Trio Lamp {buyer_name} {mode}")
    await buyer.send("/cart")
    await buyer.expect_message("Your cart")
    await buyer.click("+")
    await buyer.expect_edit("2 ×")
    await buyer.click("+")
    await buyer.expect_edit("3 ×")
    await check_out(buyer, address="5 Bridge Road, Bath, United Kingdom, BA1 1AA", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await owner.expect_message(f"New order #{order}")
    await ship_and_deliver(owner, f"TRIO-{buyer_name}-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit(f"Order #{order}")
    return buyer, order


async def test_a_return_asks_how_many_then_shows_the_refund_before_asking_the_seller(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _three_delivered(shop_bot, tg, "Imogen")
    await buyer.click("Return")
    question = await buyer.expect_message("How many")
    assert [x for x in _labels(question) if x.isdigit()] == ["1", "2", "3"], _labels(question)
    await buyer.click("2")
    await buyer.expect_message("Why are you returning it?")
    await buyer.send("Too bright")
    summary = await buyer.expect_message("2 ×")
    text = summary.text or ""
    assert "Trio Lamp Imogen" in text, text
    assert "$60.00" in text, text  # two of the three $30.00 lamps, as the engine refunds them
    assert "Too bright" in text, text
    assert await _returns(shop_bot, order) == [], "nothing is asked of the seller yet"

    answer = await _tap(buyer, summary, "Request the return")
    await buyer.expect_edit("Your return is requested")
    assert "no longer" not in answer.lower(), answer
    assert [(s, q) for s, q, _ in await _returns(shop_bot, order)] == [("requested", 2)]

    # the same ✅ again, and the old "how many" screen: nothing more is asked back
    assert "no longer" in (await _tap(buyer, summary, "Request the return")).lower()
    assert "no longer" in (await _tap(buyer, question, "3")).lower()
    await buyer.expect_no_message(within=1.0)
    assert [(s, q) for s, q, _ in await _returns(shop_bot, order)] == [("requested", 2)]


async def test_cancel_on_the_return_summary_asks_for_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _three_delivered(shop_bot, tg, "Perpetua")
    await buyer.click("Return")
    await buyer.expect_message("How many")
    await buyer.send("3")  # typed instead of tapped
    await buyer.expect_message("Why are you returning it?")
    await buyer.send("Wrong colour")
    summary = await buyer.expect_message("3 ×")
    assert "$90.00" in (summary.text or ""), summary.text
    await _tap(buyer, summary, "Cancel")
    await buyer.expect_edit("no return is requested")
    assert "no longer" in (await _tap(buyer, summary, "Request the return")).lower()
    assert await _returns(shop_bot, order) == []
