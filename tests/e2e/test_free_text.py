"""Typing freely leads to the same engine operations as the buttons, and never to a guessed
action."""

from __future__ import annotations

from sandbox import Emulator


async def test_words_fill_the_cart_keep_a_coupon_and_find_orders(tg: Emulator) -> None:
    fay = tg.user("Fay")
    await fay.send("/start")
    await fay.expect_message("Welcome")
    await fay.send("add two olive pour-over kettles to my cart please")
    added = await fay.expect_message("Added 2 × Olive Pour-Over Kettle", timeout=60)
    assert "Subtotal: <b>$90.00</b>" in (added.html_text or "") or "$90.00" in (added.text or "")
    await fay.send("apply welcome10")
    await fay.expect_message("Coupon WELCOME10 will be used at checkout")
    await fay.send("whats in my cart?")
    cart = await fay.expect_message("Your cart")
    assert "2 × Olive Pour-Over Kettle" in (cart.text or "")
    await fay.send("where is my order #1042")
    await fay.expect_message("Not found")  # no such order of hers


async def test_off_topic_words_change_nothing(tg: Emulator) -> None:
    gus = tg.user("Gus")
    await gus.send("/start")
    await gus.expect_message("Welcome")
    await gus.send("book me a flight to paris tomorrow")
    reply = await gus.expect_message(timeout=60)
    assert "Sorry, I did not get that" in (reply.text or "") or "Results for" in (reply.text or "")
    await gus.send("/cart")
    await gus.expect_message("Your cart is empty")
