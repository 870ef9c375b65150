"""Old buttons, repeated taps, stray text and forged numbers: the bot answers every one of
them kindly, and none changes data its screen did not show (issue 13: 1, 7, 12, 15, 16)."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from sandbox import Emulator, SimUser
from storage.db import make_engine
from storage.models import Order, Product, Review, User
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, at_new_address, check_out, enter_address

BIG = 2**64 + 1  # no row has an id this large: SQLite and PostgreSQL cannot even hold it


def _clean_log_since(shop_bot: ShopBot, start: int) -> None:
    log = shop_bot.log_text()[start:]
    assert "Traceback" not in log, log[-4000:]
    errors = [line for line in log.splitlines() if " ERROR " in line]
    assert errors == [], errors


async def _scalar(shop_bot: ShopBot, statement: object) -> object:
    engine = make_engine(shop_bot.database_url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(statement)).scalar_one()  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


async def test_an_old_star_button_changes_nothing(shop_bot: ShopBot, tg: Emulator) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Estelle", f"Stella Stars {mode}", f"Star Lamp {mode}", "30"
    )
    buyer = await _started(tg, "Rhiannon")
    await add_found(buyer, f"star lamp {mode}", f"Star Lamp {mode}")
    await check_out(buyer, address="4 Elm St, Bath, United Kingdom", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await owner.expect_message(f"New order #{order}")
    await ship_and_deliver(owner, f"STELLA-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit("Status: delivered")
    await buyer.click("Review")
    stars = await buyer.expect_message("How many stars for")
    await buyer.click("★★★★")
    await buyer.expect_message("Thank you for your review")
    await buyer.click("Add a comment")
    await buyer.expect_message("Send your comment")
    await buyer.send("Warm light, sturdy base.")
    await buyer.expect_message("Your comment is saved")
    await owner.expect_message("4-star review")

    # minutes later, ★★ on the old "How many stars?" message
    old = stars.reply_markup.inline_keyboard[0][1].callback_data  # type: ignore[union-attr]
    answer = await buyer.click_button(stars.message_id, data=old)
    assert "no longer" in str(answer.get("text")).lower(), answer
    product = select(Product.product_id).where(Product.name == f"Star Lamp {mode}")
    mine = select(User.user_id).where(User.telegram_id == buyer.id)
    review = select(Review.rating, Review.comment).where(
        Review.product_id == product.scalar_subquery(), Review.user_id == mine.scalar_subquery()
    )
    engine = make_engine(shop_bot.database_url)
    try:
        async with engine.connect() as connection:
            rating, comment = (await connection.execute(review)).one()
    finally:
        await engine.dispose()
    assert (rating, comment) == (4, "Warm light, sturdy base.")

    # a fresh "Review" screen may change the stars, and the comment stays
    await buyer.click("Review")
    await buyer.expect_message("How many stars for")
    await buyer.click("★★")
    await buyer.expect_message("Thank you")
    engine = make_engine(shop_bot.database_url)
    try:
        async with engine.connect() as connection:
            rating, comment = (await connection.execute(review)).one()
    finally:
        await engine.dispose()
    assert (rating, comment) == (2, "Warm light, sturdy base.")
    await owner.expect_no_message(within=1.0)  # an edit of a review is not news again


async def test_an_old_cart_screen_changes_no_quantity(tg: Emulator) -> None:
    kim = await _started(tg, "Kasimir")
    await add_found(kim, "pour-over kettle", "Kettle")
    await kim.send("/cart")
    old = await kim.expect_message("Your cart")
    await kim.send("/cart")
    await kim.expect_message("Your cart")
    await kim.click("+")  # on the newest cart: 1 -> 2 -> 3
    await kim.expect_edit("2 ×")
    await kim.click("+")
    await kim.expect_edit("3 ×")
    plus = old.reply_markup.inline_keyboard[0][2]  # type: ignore[union-attr]
    assert plus.text == "+"
    answer = await kim.click_button(old.message_id, data=plus.callback_data)
    assert "changed" in str(answer.get("text")).lower(), answer
    await kim.send("/cart")
    cart = await kim.expect_message("Your cart")
    assert "3 ×" in (cart.text or ""), cart.text


async def test_plus_at_the_stock_maximum_says_how_many_there_are(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    await open_store(shop_bot, tg, "Maxime", f"Max Mugs {mode}", f"Tall Mug {mode}", "12", stock=2)
    lou = await _started(tg, "Lourdes")
    start = len(shop_bot.log_text())
    await lou.send(f"tall mug {mode}")  # its name alone: the card, or results to pick from
    shown = await lou.expect_message(
        where=lambda m: any(
            s in str(m.get("text") or m.get("caption")) for s in ("Results", "Sold by")
        )
    )
    if "Sold by" not in str(shown.text or shown.caption):
        await lou.click(f"Tall Mug {mode}")
        await lou.expect_message("Sold by")
    await lou.click("+")
    await lou.expect_edit("Sold by")
    answer = await lou.click("+")
    assert "only 2 left in stock" in str(answer.get("text")).lower(), answer
    answer = await lou.click("Add 2 to cart")
    assert "Added 2" in str(answer.get("text"))
    _clean_log_since(shop_bot, start)


async def test_a_double_tapped_place_order_shows_the_one_order_twice(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    pat = await _started(tg, "Pascal")
    start = len(shop_bot.log_text())
    await add_found(pat, "pour-over kettle", "Kettle")
    await at_new_address(pat)
    await enter_address(pat, "2 Rue Neuve, Lyon, France, 69001")
    await pat.expect_edit("How should it be shipped?")
    await pat.click("Standard Post")
    await pat.expect_edit("coupon")
    await pat.click("Skip")
    await pat.expect_edit("How would you like to pay?")
    await pat.click("Cash on delivery")
    summary = await pat.expect_edit("Please confirm")
    place = summary.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    first, second = await asyncio.gather(
        pat.click_button(summary.message_id, data=place.callback_data),
        pat.click_button(summary.message_id, data=place.callback_data),
    )
    placed = await pat.expect_edit("is placed")
    order = order_id_in(placed.text)
    await pat.expect_message("You will pay")
    for answer in (first, second):
        assert "Cancelled" not in str(answer.get("text")), answer
        assert "wrong" not in str(answer.get("text")), answer
    # and once more, later (from a chat that still shows the button): the same order again
    screen = pat.chat.messages[summary.message_id]
    answer = await pat._click(screen, {"text": place.text, "callback_data": place.callback_data}, 5)
    assert "no longer" not in str(answer.get("text")), answer
    await pat.expect_no_message(within=1.0)  # what to do next was said once
    assert f"#{order}" in str(pat.chat.messages[summary.message_id].get("text"))
    mine = select(User.user_id).where(User.telegram_id == pat.id).scalar_subquery()
    count = select(func.count()).select_from(Order).where(Order.user_id == mine)
    assert await _scalar(shop_bot, count) == 1
    _clean_log_since(shop_bot, start)


def _total(text: str | None) -> str:
    """The amount after "Total" (the summary's "Total: $9.50", "is placed. Total $9.50.")."""
    found = re.search(r"Total:? (\S*\d)", text or "")
    assert found, text
    return found.group(1)


async def test_place_order_on_a_summary_the_cart_changed_since_places_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """The summary says one kettle; "+" on an older cart message makes it two; that summary's
    Place order orders nothing and shows the order as it is now, whose own button places
    exactly that."""
    jon = await _started(tg, "Johnathan")
    start = len(shop_bot.log_text())
    await add_found(jon, "pour-over kettle", "Kettle")
    await jon.send("/cart")
    old_cart = await jon.expect_message("Your cart")
    await at_new_address(jon)
    await enter_address(jon, "5 Calle Mayor, Madrid, Spain, 28013")
    await jon.expect_edit("How should it be shipped?")
    await jon.click("Standard Post")
    await jon.expect_edit("coupon")
    await jon.click("Skip")
    await jon.expect_edit("How would you like to pay?")
    await jon.click("Cash on delivery")
    summary = await jon.expect_edit("Please confirm")
    assert "1 × " in (summary.text or ""), summary.text
    place = summary.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]

    plus = old_cart.reply_markup.inline_keyboard[0][2]  # type: ignore[union-attr]
    assert plus.text == "+"
    await jon.click_button(old_cart.message_id, data=plus.callback_data)
    await jon.expect_edit("2 ×")
    await jon.click_button(summary.message_id, data=place.callback_data)
    again = await jon.expect_edit("nothing was ordered")
    assert again.message_id == summary.message_id
    assert "2 × " in (again.text or ""), again.text
    assert "Please confirm" in (again.text or ""), again.text
    assert _total(again.text) != _total(summary.text), again.text
    mine = select(User.user_id).where(User.telegram_id == jon.id).scalar_subquery()
    count = select(func.count()).select_from(Order).where(Order.user_id == mine)
    assert await _scalar(shop_bot, count) == 0

    fresh = again.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    assert fresh.text == place.text
    assert fresh.callback_data != place.callback_data
    await jon.click_button(again.message_id, data=fresh.callback_data)
    placed = await jon.expect_edit("is placed")
    assert _total(placed.text) == _total(again.text), (placed.text, again.text)
    assert await _scalar(shop_bot, count) == 1
    _clean_log_since(shop_bot, start)


async def test_a_checkout_given_up_changes_nothing_in_the_next(tg: Emulator) -> None:
    gwen = await _started(tg, "Gwendolyn")
    await add_found(gwen, "pour-over kettle", "Kettle")
    screens = []
    for _ in range(2):  # a checkout up to the shipping step, given up, then a new one
        await at_new_address(gwen)
        await enter_address(gwen, "3 Kirkgata, Bergen, Norway, 5003")
        screens.append(await gwen.expect_edit("How should it be shipped?"))
    old = screens[0].reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    answer = await gwen.click_button(screens[0].message_id, data=old.callback_data)
    assert "no longer active" in str(answer.get("text")), answer
    await gwen.send("hello?")  # the new checkout still waits at its shipping step
    await gwen.expect_message("How should it be shipped? Tap an option below")
    await gwen.click("Standard Post")
    await gwen.expect_edit("coupon")


async def test_text_at_a_step_that_waits_for_a_button_is_answered(tg: Emulator) -> None:
    uma = await _started(tg, "Ursula")
    await add_found(uma, "pour-over kettle", "Kettle")
    await uma.send("/cart")
    await uma.expect_message("Your cart")
    await uma.click("Checkout")
    await uma.expect_edit("Where should we deliver?")
    await uma.send("the usual place please")
    await uma.expect_message("Where should we deliver? There is no saved address yet")
    await uma.click("New address")
    await enter_address(uma, "7 Via Roma, Turin, Italy, 10121")
    await uma.expect_edit("How should it be shipped?")
    await uma.send("hmm, not sure")
    await uma.expect_message("How should it be shipped? Tap an option below")
    await uma.click("Standard Post")
    await uma.expect_edit("coupon")
    await uma.click("Skip")
    await uma.expect_edit("How would you like to pay?")
    await uma.send("hmm, let me see")  # no way to pay named ("card please" chooses the card)
    await uma.expect_message("Tap how you would like to pay, or type it")
    await uma.click("Cash on delivery")
    await uma.expect_edit("Please confirm")
    await uma.send("hmm, let me think")  # not a yes or a no ("yes" places the order)
    await uma.expect_message("Tap one of the buttons above, or /cancel")
    await uma.send("/cancel")
    await uma.expect_message("Cancelled")


async def test_ids_too_large_for_the_database_are_not_found(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    vic = await _started(tg, "Viggo")
    start = len(shop_bot.log_text())
    menu = vic.last_bot_message()
    assert menu is not None
    for data in (
        f"v1p:{BIG}:1:0",  # a product card
        f"v1pa:add:{BIG}:1",  # add it to the cart
        f"v1pa:wish:{BIG}:1",
        f"v1r:show:{BIG}",  # an order
        f"v1r:cancel:{BIG}",
        f"v1r:track:{BIG}",
        f"v1r3:{BIG}:{BIG}",  # return a line
        f"v1pp:{BIG}:X",  # "I have paid" under a PayPal link
    ):
        answer = await vic._click(menu, {"text": "x", "callback_data": data}, 5)
        assert "Not found" in str(answer.get("text")), (data, answer)
    await vic.send(f"/start p_{BIG}")
    await vic.expect_message("Not found")
    # a payment sheet for an invoice that names no order of ours
    forged = {"chat": {"id": vic.id}, "message_id": 10**6}
    vic.state.invoices[(vic.id, 10**6)] = {
        "payload": f"order:{BIG}:0123456789",
        "currency": "USD",
        "prices": [{"label": "x", "amount": 100}],
    }
    payment = await vic.pay(forged)
    assert not payment.ok
    assert "Not found" in str(payment.error_message), payment
    _clean_log_since(shop_bot, start)


async def test_unknown_commands_are_answered(tg: Emulator) -> None:
    wes = await _started(tg, "Wendell")
    await wes.send("/foo")
    reply = await wes.expect_message("I don't know that command")
    assert "/help" in (reply.text or "")
    await wes.send("/store")
    await wes.expect_message("I don't know that command")
    await wes.send("/search hoodie")
    results = await wes.expect_message("Results for")
    assert results.reply_markup is not None
    assert any("Hoodie" in row[0].text for row in results.reply_markup.inline_keyboard)
    await wes.send("/search")
    await wes.expect_message("Type what you are looking for")
