"""Typing freely leads to the same engine operations as the buttons, and never to a guessed
action."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.market_steps import order_id_in
from tests.e2e.steps import check_out


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
    await fay.expect_message("Order #1042 is not one of yours")  # no such order of hers


async def test_off_topic_words_change_nothing(tg: Emulator) -> None:
    gus = tg.user("Gus")
    await gus.send("/start")
    await gus.expect_message("Welcome")
    await gus.send("book me a flight to paris tomorrow")
    reply = await gus.expect_message(timeout=60)
    assert "not something this shop can help with" in (reply.text or ""), reply.text
    await gus.send("/cart")
    await gus.expect_message("Your cart is empty")


def _labels(message: Message) -> list[str]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [button.text for row in rows for button in row]


async def _cash_order(user: SimUser) -> int:
    """One Olive Pour-Over Kettle ordered by words, paid on pickup: the new order's number."""
    await user.send("add an olive pour-over kettle to my cart please")
    await user.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await check_out(user, address="4 Elm Row, Bath, United Kingdom", provider="Local Pickup")
    placed = await user.expect_edit("is placed")
    await user.expect_message("You will pay")
    return order_id_in(placed.text)


async def _card_order(user: SimUser) -> int:
    """The same, paid by card at once: the new order's number."""
    await user.send("add an olive pour-over kettle to my cart please")
    await user.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await check_out(user, address="4 Elm Row, Galway, Ireland", method="Card")
    placed = await user.expect_edit("is placed")
    invoice = await user.expect_message(where=lambda m: "invoice" in m)
    assert (await user.pay(invoice)).ok
    await user.expect_message("Payment received")
    return order_id_in(placed.text)


async def test_cancel_by_number_means_that_order_and_refuses_others_by_number(
    tg: Emulator,
) -> None:
    """The order typed is the order meant, in every common wording, even right after the chat
    showed another; without a number, only an order that can still be cancelled is offered."""
    kai = tg.user("Kai")
    await kai.send("/start")
    await kai.expect_message("Welcome")
    first = await _cash_order(kai)
    second = await _cash_order(kai)
    await kai.send(f"cancel order #{second}")
    offer = await kai.expect_message("Cancel order #", timeout=60)
    assert f"Order #{second}" in (offer.text or "")
    answer = await kai.click("Yes, cancel it")
    assert "is cancelled" in str(answer.get("text"))

    await kai.send("cancel my order")  # #second was shown last, but it cannot be cancelled now
    offer = await kai.expect_message("Cancel order #")
    assert f"Order #{first}" in (offer.text or "")
    for words in (
        f"cancel my order {first}",
        f"cancel order number {first}",
        f"cancel number {first}",
        f"please cancel #{first}",
    ):
        await kai.send(words)
        offer = await kai.expect_message("Cancel order #")
        assert f"Order #{first}" in (offer.text or ""), words
        assert f"#{second}" not in (offer.text or ""), words
    await kai.send(f"cancel my order {second}")
    await kai.expect_message(f"Order #{second} can no longer be cancelled: it is cancelled")
    await kai.send("cancel order 1")  # the demo shop's first order: someone else's
    await kai.expect_message("Order #1 is not one of yours")
    await kai.send("cancel order 123456789012")
    await kai.expect_message("Order #123456789012 is not one of yours")
    await kai.send("/orders")
    orders = await kai.expect_message("Your orders")
    assert "placed" in " ".join(_labels(orders))  # #first (cash) was never cancelled


async def test_where_is_my_order_means_an_order_on_its_way_and_asks_among_several(
    tg: Emulator,
) -> None:
    lea = tg.user("Lea")
    await lea.send("/start")
    await lea.expect_message("Welcome")
    paid = await _card_order(lea)
    cancelled = await _cash_order(lea)
    await lea.send(f"cancel order #{cancelled}")
    await lea.expect_message("Cancel order #", timeout=60)
    await lea.click("Yes, cancel it")

    await lea.send("where is my order")  # the newest, and the last shown, is cancelled
    tracked = await lea.expect_message("Delivery of order")
    assert f"Order #{paid}" in (tracked.text or "")
    assert "Status: paid" in (tracked.text or "")

    third = await _cash_order(lea)
    await lea.send("where is my order")
    asked = await lea.expect_message("Which order do you mean?")
    labels = " ".join(_labels(asked))
    assert f"#{paid}" in labels
    assert f"#{third}" in labels
    assert f"#{cancelled}" not in labels
    await lea.click(f"#{third}")  # the one chosen: its delivery, as asked
    await lea.expect_edit(f"Delivery of order #{third}")


async def test_product_words_add_or_ask_and_every_search_shows_the_same_results(
    tg: Emulator,
) -> None:
    mia = tg.user("Mia")
    await mia.send("/start")
    await mia.expect_message("Welcome")
    await mia.send("I want two black t-shirts")
    reply = await mia.expect_message(timeout=60)
    if "Added 2 ×" not in (reply.text or ""):
        assert "Which one do you mean?" in (reply.text or ""), reply.text
        tees = [label for label in _labels(reply) if " · $" in label]
        assert tees, _labels(reply)
        assert all("Black" in label and "Tee" in label for label in tees), tees
        assert "⬅ Back" in _labels(reply)
        await mia.click(tees[0])
        card = await mia.expect_message("Sold by")
        assert "🛒 Add 2 to cart" in _labels(card)  # the quantity said is kept

    # after 🔎 Search, the words are a search, shown one way: prices, pages, Back
    for words in ("hoodie", "red hoodie"):
        await mia.send("/start")
        await mia.expect_message("Welcome")
        await mia.click("🔎 Search")
        await mia.expect_message("Type what you are looking for")
        await mia.send(words)
        results = await mia.expect_message(f"Results for “{words}”")
        found = [label for label in _labels(results) if " · $" in label]  # name · price
        hoodies = [label for label in found if "Hoodie" in label]
        assert len(hoodies) >= (4 if words == "hoodie" else 1), _labels(results)  # all four
        assert "⬅ Back" in _labels(results)
    await mia.click("🔎 Search")
    await mia.expect_message("Type what you are looking for")
    await mia.send("unicorn saddle")
    await mia.expect_message("Nothing matches “unicorn saddle”")

    await mia.send("do you have any hoodies under 40 dollars")  # a search in words
    results = await mia.expect_message("Results for", timeout=60)
    assert "Hoodie · $" in _labels(results)[0], _labels(results)
    assert "⬅ Back" in _labels(results)
    await mia.send("do you sell unicorn saddles")
    await mia.expect_message("Nothing matches")


async def test_typed_quantities_are_checked_as_the_buttons_check_them(tg: Emulator) -> None:
    noa = tg.user("Noa")
    await noa.send("/start")
    await noa.expect_message("Welcome")
    for words in (
        "add -5 pour-over kettle",
        "add minus three kettles",
        "add 1000000 pour-over kettles",
        "add 1e9 kettle",
    ):
        await noa.send(words)
        await noa.expect_message("Please choose a quantity from 1 to 99", timeout=60)
    await noa.send("add 90 olive pour-over kettles")
    await noa.expect_message("left in stock")
    await noa.send("/cart")
    await noa.expect_message("Your cart is empty")
