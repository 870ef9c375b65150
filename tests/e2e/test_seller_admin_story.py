"""A seller applies and is approved, lists a product with a photo, and ships an order; an
admin moderates; non-admins and banned users are refused."""

from __future__ import annotations

import io

from PIL import Image

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import pick_category
from tests.e2e.steps import add_found, check_out


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_seller_applies_lists_and_ships(shop_bot: ShopBot, tg: Emulator) -> None:
    admin = shop_bot.admin
    maya = tg.user("Maya")
    await maya.send("/sell")
    await maya.expect_message("What is it called?")
    await maya.send(f"Maya's Mugs {shop_bot.mode}")
    await maya.expect_message("what do you sell?")
    await maya.send("Hand-made mugs.")
    await maya.expect_message("waiting for an admin's approval")
    await shop_bot.admin.expect_message("applied to sell")  # the admins are told

    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Sellers waiting")
    await admin.expect_message(f"Maya's Mugs {shop_bot.mode}")
    answer = await admin.click("Approve")
    assert "approved" in str(answer.get("text"))
    await maya.expect_message("is approved")

    await maya.send("/sell")
    await maya.expect_message("your store")
    await maya.click("Add a product")
    await maya.expect_message("what is its name?")
    await maya.send(f"Blue Mug {shop_bot.mode}")
    await maya.expect_message("Describe it")
    await maya.send("A deep blue stoneware mug, 350 ml.")
    await pick_category(maya, "Home & Kitchen › Kitchen › Coffee")
    await maya.expect_message("Price?")
    await maya.send("twelve")
    await maya.expect_message("Please send a number")
    await maya.send("12.50")
    await maya.expect_message("discounted price")
    await maya.send("no")
    await maya.expect_message("How many")
    await maya.send("5")
    await maya.expect_message("Send photos")
    await maya.send_photo(_png())
    await maya.expect_message("Photo 1 saved")
    await maya.click("Done")
    await maya.expect_message("is listed: $12.50, 5 in stock, 1 photo")

    buyer = tg.user("Buyer")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    card = await add_found(buyer, f"blue mug {shop_bot.mode}", f"Blue Mug {shop_bot.mode}")
    assert "Sold by Maya's Mugs" in str(card.caption or card.text)
    assert "A deep blue stoneware mug" in str(card.caption or card.text)  # its description
    assert card.photo, "the seller's photo is on the card"
    await check_out(buyer, address="1 Main St, Dhaka, Bangladesh")
    await buyer.expect_message("You will pay")
    alert = await maya.expect_message("New order")  # delivered through the outbox
    assert alert.reply_markup is not None

    await maya.send("/sell")
    await maya.expect_message("Orders to handle: 1")
    await maya.click("Orders")
    await maya.expect_message("Blue Mug")
    await maya.click("#")
    await maya.expect_edit("1 Main St")  # the card says where it goes
    assert "confirmed" in str((await maya.click("Confirm")).get("text"))
    await maya.click("Ship")
    await maya.expect_message("Send the tracking number")
    await maya.send("SP123456")
    await maya.expect_message("is shipped with tracking SP123456")
    card = await buyer.expect_message("📥 Order received by the seller")  # the status card
    await buyer.expect_message("is on its way")  # and a push where it matters
    shown = buyer.chat.messages  # the card as it reads now (milestones come in place)
    assert await buyer.state.wait_for(
        lambda: "🚚 Shipped" in str(shown[card.message_id]["text"]), 5
    )
    assert "📦 Packed" not in str(shown[card.message_id]["text"])  # implied, not a step taken
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click("on its way")
    await buyer.expect_edit("Status: on its way")
    await buyer.click("Track")
    tracking = await buyer.expect_edit("Delivery of order")
    assert "Shipped" in (tracking.text or "")


async def test_non_admins_and_banned_users_are_refused(shop_bot: ShopBot, tg: Emulator) -> None:
    eve = tg.user("Eve")
    await eve.send("/admin")  # to everyone else, the admin commands do not exist
    await eve.expect_message("I don't know that command (/admin)")
    await eve.send("/ban 1 because")
    await eve.expect_message("I don't know that command (/ban)")
    await eve.send("/paid 1")
    await eve.expect_message("I don't know that command (/paid)")

    await shop_bot.admin.send(f"/ban {eve.id} spam")  # a Telegram id is enough
    await shop_bot.admin.expect_message("is banned")
    await eve.send("/cart")
    await eve.expect_message("Your account is blocked: spam")
    await shop_bot.admin.send("/audit order 1")
    audit = await shop_bot.admin.expect_message("Order #1")
    assert "Order #1: order status:" in (audit.text or ""), audit.text


async def _open_store(shop_bot: ShopBot, tg: Emulator, name: str) -> SimUser:
    owner = tg.user(name)
    await owner.send("/sell")
    await owner.expect_message("What is it called?")
    await owner.send(f"{name} Store {shop_bot.mode}")
    await owner.expect_message("what do you sell?")
    await owner.send("Things.")
    await owner.expect_message("waiting for an admin's approval")
    await shop_bot.admin.expect_message(f"{name} Store {shop_bot.mode} applied to sell")
    await shop_bot.admin.send("/admin")
    await shop_bot.admin.expect_message("Admin")
    await shop_bot.admin.click("Sellers waiting")
    await shop_bot.admin.expect_message(f"{name} Store {shop_bot.mode}")
    await shop_bot.admin.click("Approve")
    await owner.expect_message("is approved")
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.send(f"{name} Lamp {shop_bot.mode}")
    await owner.expect_message("Describe it")
    await owner.send("skip")
    await pick_category(owner, "Home & Kitchen › Decor › Lamps")
    await owner.expect_message("Price?")
    await owner.send("40")
    await owner.expect_message("discounted price")
    await owner.send("no")
    await owner.expect_message("How many")
    await owner.send("3")
    await owner.expect_message("Send photos")
    await owner.click("Done")
    await owner.expect_message("is listed")
    return owner


async def test_delivery_review_and_return_through_the_chat(shop_bot: ShopBot, tg: Emulator) -> None:
    owner = await _open_store(shop_bot, tg, "Ivo")
    buyer = tg.user("Hana")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"ivo lamp {shop_bot.mode}", f"Ivo Lamp {shop_bot.mode}")
    await check_out(buyer, address="3 Hill Rd, Leeds, United Kingdom", method="Card")
    payment = await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))
    assert payment.ok
    await owner.expect_message("New order")

    await owner.click("Open my store")
    await owner.click("Orders")
    await owner.expect_message("Ivo Lamp")
    await owner.click("#")
    await owner.expect_edit("Order #")
    await owner.click("Ship")
    await owner.expect_message("Send the tracking number")
    await owner.send(f"IVO-{shop_bot.mode}-1")
    await owner.expect_message("is shipped with tracking")
    await owner.expect_edit("🚚 Shipped")  # the card shows the next steps now
    for step in ("In transit", "Out for delivery", "Delivered"):
        assert "is marked" in str((await owner.click(step)).get("text"))
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click("delivered")
    await buyer.expect_edit("Status: delivered")
    await buyer.click("Review")
    await buyer.expect_message("How many stars for")
    await buyer.click("★★★★")
    await buyer.expect_message("Thank you for your review")
    await buyer.click("Add a comment")
    await buyer.expect_message("Send your comment")
    await buyer.send("Bright and sturdy.")
    await buyer.expect_message("Your comment is saved")
    await owner.expect_message("4-star review")

    await buyer.click("Return")
    await buyer.expect_message("Why are you returning it?")
    await buyer.send("Too bright for my room")
    await buyer.expect_message("Your return: please check it")
    await buyer.click("Request the return")
    await buyer.expect_edit("Your return is requested")
    await owner.expect_message("A return is requested")
    await owner.click("Open my store")
    await owner.click("Returns")
    await owner.expect_message("Too bright for my room")
    await owner.click("Return #")
    await owner.expect_edit("waiting for your decision")
    await owner.click("Accept and refund")
    await buyer.expect_message("return for order")
    refund = await buyer.expect_message("is refunded")
    assert "$40.00" in (refund.text or "")


async def test_admins_broadcast_and_run_payouts(shop_bot: ShopBot, tg: Emulator) -> None:
    jo = tg.user("Jo")
    await jo.send("/start")
    await jo.expect_message("Welcome")
    await shop_bot.admin.send(f"/broadcast Summer sale <{shop_bot.mode}> starts now")
    await shop_bot.admin.expect_message("Broadcast preview")
    await shop_bot.admin.click("Send to")
    await shop_bot.admin.expect_edit("Queued for")
    news = await jo.expect_message("Summer sale", timeout=30)
    assert news.text == f"📣 Summer sale <{shop_bot.mode}> starts now"  # shown, not parsed
    await shop_bot.admin.send("/payouts")
    await shop_bot.admin.expect_message("Payouts due")  # a preview: nothing is paid yet
    await jo.send("/payouts")
    await jo.expect_message("I don't know that command (/payouts)")
