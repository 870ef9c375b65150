"""A typed answer at a step that shows its own Yes: "yes" at the order's summary places it as
Place order does, once; "no" there places nothing; "ok send it" at a return's summary asks it
back as ✅ does; and an old ✖ Cancel under "Why are you returning it?" tapped after the return
was asked tells the truth and changes nothing."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import order_id_in
from tests.e2e.steps import add_found, at_new_address, enter_address, settled
from tests.e2e.test_return_how_many import _returns, _tap, _three_delivered


async def _at_the_summary(tg: Emulator, name: str) -> SimUser:
    """A new customer with a kettle in the cart, at "Please confirm" (cash on delivery)."""
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    await at_new_address(user)
    await enter_address(user, "9 Kiln Row, York, United Kingdom, YO1 7HH")
    await user.expect_edit("How should it be shipped?")
    await user.click("Standard Post")
    await user.expect_edit("Do you have a coupon?")
    await user.click("Skip")
    await user.expect_edit("How would you like to pay?")
    await user.click("Cash on delivery")
    await user.expect_edit("Please confirm")
    return user


async def _orders(user: SimUser) -> list[str]:
    """The order buttons /orders shows."""
    await settled(user)
    await user.send("/orders")
    shown = await user.expect_message(
        where=lambda m: any(w in str(m.get("text")) for w in ("Your orders", "no orders yet"))
    )
    rows = shown.reply_markup.inline_keyboard if shown.reply_markup else []
    return [b.text for row in rows for b in row if "#" in b.text]


async def test_a_typed_yes_at_the_summary_places_the_order_once(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _at_the_summary(tg, "Ottoline")
    await buyer.send("yes please")
    order = order_id_in((await buyer.expect_message("is placed")).text)
    await buyer.expect_message("in cash when it arrives")  # what's next, as after the button
    await settled(buyer)
    await buyer.send("yes")  # a second yes places nothing more
    again = await buyer.expect_message()
    assert "is placed" not in str(again.text), again.text
    listed = await _orders(buyer)
    assert len(listed) == 1, listed
    assert f"#{order}" in listed[0], listed


async def test_place_it_typed_places_the_order_and_no_places_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _at_the_summary(tg, "Peregrine")
    await buyer.send("no")
    await buyer.expect_message("no order was placed")
    answer = await buyer.click("Place order")  # the summary's button is old now
    assert "no longer" in str(answer.get("text")), answer
    assert await _orders(buyer) == []

    buyer = await _at_the_summary(tg, "Philippa")
    await buyer.send("ok place it")
    await buyer.expect_message("is placed")
    assert len(await _orders(buyer)) == 1


async def _at_the_return_summary(
    shop_bot: ShopBot, tg: Emulator, name: str
) -> tuple[SimUser, int, Message, Message]:
    """A buyer's delivered order of three lamps, one of them being returned: the buyer, the
    order, the "Why are you returning it?" message and the summary."""
    buyer, order = await _three_delivered(shop_bot, tg, name)
    await buyer.click("Return")
    await buyer.expect_message("How many")
    await buyer.click("1")
    reason = await buyer.expect_message("Why are you returning it?")
    await buyer.send("The shade is cracked")
    summary = await buyer.expect_message("1 ×")
    assert await _returns(shop_bot, order) == []
    return buyer, order, reason, summary


async def test_ok_send_it_requests_the_return_once(shop_bot: ShopBot, tg: Emulator) -> None:
    buyer, order, _, _ = await _at_the_return_summary(shop_bot, tg, "Rosalind")
    await buyer.send("ok send it")
    await buyer.expect_message("Your return is requested")
    assert [(s, q) for s, q, _ in await _returns(shop_bot, order)] == [("requested", 1)]
    await buyer.send("yes")  # answered once: nothing more is asked back
    await settled(buyer)
    assert [(s, q) for s, q, _ in await _returns(shop_bot, order)] == [("requested", 1)]


async def test_an_old_cancel_under_the_reason_after_the_return_tells_the_truth(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order, reason, summary = await _at_the_return_summary(shop_bot, tg, "Leopold")
    await _tap(buyer, summary, "Request the return")
    await buyer.expect_edit("Your return is requested")
    # the ✖ Cancel under the reason question, tapped now: the return stands, and it says so
    answer = await _tap(buyer, reason, "Cancel")
    assert "requested already" in answer, answer
    await buyer.expect_no_message(within=1.0)
    shown = buyer.chat.messages[reason.message_id]
    assert "Why are you returning it?" in str(shown.get("text")), shown  # not "Cancelled"
    assert [(s, q) for s, q, _ in await _returns(shop_bot, order)] == [("requested", 1)]
