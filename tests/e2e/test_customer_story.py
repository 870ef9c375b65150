"""A customer in Telegram: browse, search, cart, checkout, pay, orders, as a person would."""

from __future__ import annotations

import aiohttp

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found, check_out, enter_address


async def test_browse_add_to_cart_and_pay_by_card(tg: Emulator) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    await alice.expect_message("Welcome, Alice")
    await alice.click("Browse")
    await alice.expect_edit("Choose a category")
    await alice.click("Fashion")
    await alice.click("Men")
    await alice.click("T-Shirts")
    listing = await alice.expect_edit("T-Shirts")
    assert listing.reply_markup is not None
    for row in listing.reply_markup.inline_keyboard[:-2]:  # products, then pager and Back
        await alice.click_button(listing.message_id, data=row[0].callback_data)
        card = await alice.expect_message("Sold by")
        assert card.photo, "the product card shows its photo"
        if "In stock" in (card.caption or ""):
            break
    else:
        raise AssertionError("no T-shirt in stock in the demo shop")
    await alice.click("+")
    await alice.expect_edit("Sold by")
    answer = await alice.click("Add 2 to cart")
    assert "Added 2" in str(answer.get("text"))
    await alice.send("/cart")
    cart = await alice.expect_message("Your cart")
    assert "2 ×" in (cart.text or "")
    await alice.click("Checkout")
    await alice.expect_edit("Where should we deliver?")
    await alice.click("New address")
    await enter_address(alice, "12 Lake Road, Dhaka, Bangladesh, 1205")
    await alice.expect_edit("How should it be shipped?")
    await alice.click("Standard Post")
    await alice.expect_edit("coupon")
    await alice.send("NOPE")
    await alice.expect_message("There is no coupon NOPE")
    await alice.send("welcome10")
    await alice.expect_message("Coupon WELCOME10: you save")
    await alice.expect_message("How would you like to pay?")
    await alice.click("Card")
    summary = await alice.expect_edit("Please confirm your order")
    assert "Discount (WELCOME10): −$" in (summary.text or "")
    await alice.click("Place order")
    placed = await alice.expect_edit("is placed")
    invoice = await alice.expect_message(where=lambda m: "invoice" in m)
    payment = await alice.pay(invoice)
    assert payment.ok, payment
    await alice.expect_message("Payment received")
    await alice.send("/orders")
    await alice.expect_message("Your orders")
    await alice.click("paid, being prepared")
    detail = await alice.expect_edit("Status: paid")
    assert placed.text is not None
    assert f"Order #{placed.text.split('#')[1].split()[0]}" in (detail.text or "")


async def test_search_by_typing_forgives_typos(tg: Emulator) -> None:
    bob = tg.user("Bob")
    await bob.send("/start")
    await bob.expect_message("Welcome")
    await bob.send("hoddie")
    results = await bob.expect_message("Results for")
    assert results.reply_markup is not None
    assert any("Hoodie" in row[0].text for row in results.reply_markup.inline_keyboard)
    await bob.send("qqqqzzzz")
    await bob.expect_message("Nothing matches “qqqqzzzz”")  # a search with no hits says so


async def test_cash_on_delivery_and_cancelling(tg: Emulator) -> None:
    carol = tg.user("Carol")
    await carol.send("/start")
    await carol.expect_message("Welcome")
    await carol.send("kettle")
    await carol.expect_message("Results for")
    await carol.click("Kettle")
    await carol.expect_message("Sold by")
    await carol.click("Add 1 to cart")
    await carol.click("🛒 Cart")
    await carol.expect_message("Your cart")
    await check_out(carol, address="8 Mill Lane, Leeds, United Kingdom", provider="Local Pickup")
    told = await carol.expect_message("You will pay")
    # nothing to pay now: the order and the menu are one tap away
    assert told.reply_markup is not None
    labels = [b.text for row in told.reply_markup.inline_keyboard for b in row]
    assert labels == ["Open the order", "🏠 Menu"], labels
    await carol.click("Open the order")
    await carol.expect_edit("Status: placed")
    await carol.send("/orders")
    await carol.expect_message("Your orders")
    await carol.click("placed")  # cash when collected: not waiting for a payment
    await carol.expect_edit("Status: placed")
    await carol.click("Cancel order")
    await carol.expect_edit("Cancel order #")
    answer = await carol.click("Yes, cancel it")
    assert "is cancelled" in str(answer.get("text"))
    await carol.expect_edit("Status: cancelled")


async def test_stale_and_forged_buttons_change_nothing(tg: Emulator) -> None:
    dave = tg.user("Dave")
    await dave.send("/start")
    await dave.expect_message("Welcome")
    menu = dave.last_bot_message()
    assert menu is not None
    # buttons Dave was never shown: someone else's order, a checkout that is not running
    answer = await dave._click(menu, {"text": "x", "callback_data": "v1r:cancel:1"}, 5)
    assert "Not found" in str(answer.get("text"))
    answer = await dave._click(menu, {"text": "x", "callback_data": "v1o:ok:"}, 5)
    assert "no longer active" in str(answer.get("text"))
    answer = await dave._click(menu, {"text": "x", "callback_data": "v9:garbage"}, 5)
    assert "no longer active" in str(answer.get("text"))


async def test_cancelling_a_card_order_refunds_the_charge_at_stripe(
    tg: Emulator, stripe_base: str
) -> None:
    erin = tg.user("Erin")
    await erin.send("/start")
    await erin.expect_message("Welcome")
    await add_found(erin, "pour-over kettle", "Kettle")
    await check_out(erin, address="5 Calle Mayor, Madrid, Spain, 28013", method="Card")
    invoice = await erin.expect_message(where=lambda m: "invoice" in m)
    payment = await erin.pay(invoice)
    assert payment.ok
    charge = payment.provider_payment_charge_id
    await erin.expect_message("Payment received")
    await erin.send("/orders")
    await erin.expect_message("Your orders")
    await erin.click("paid, being prepared")
    await erin.expect_edit("Status: paid")
    await erin.click("Cancel order")
    await erin.expect_edit("will be refunded to your card")
    answer = await erin.click("Yes, cancel it")
    assert "on its way back" in str(answer.get("text"))
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{stripe_base}/v1/charges/{charge}", headers={"Authorization": "Bearer sk_test_e2e"}
        ) as response,
    ):
        refunded = await response.json()
    assert refunded["refunded"] is True
    assert refunded["amount_refunded"] == refunded["amount"]


async def test_the_slash_menu_is_published_and_webhook_mode_reports_health(
    shop_bot: ShopBot,
) -> None:
    published = [
        c
        for c in shop_bot.tg.calls("setMyCommands")
        if "scope" not in c or '"default"' in str(c.get("scope"))
    ]
    assert published, shop_bot.tg.calls("setMyCommands")
    english = [c for c in published if not c.get("language_code")]
    spanish = [c for c in published if c.get("language_code") == "es"]
    assert "orders" in str(english[0]["commands"])
    assert spanish, "the menu is published in each catalog's language"
    assert str(spanish[0]["commands"]) != str(english[0]["commands"])
    if shop_bot.health_url is None:
        return  # polling mode serves no HTTP
    async with aiohttp.ClientSession() as http, http.get(shop_bot.health_url) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}
