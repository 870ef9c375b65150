"""A seller applies and is approved, lists a product with a photo, and ships an order; an
admin moderates; non-admins and banned users are refused."""

from __future__ import annotations

import io

from PIL import Image

from sandbox import Emulator
from tests.e2e.conftest import ShopBot


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
    await maya.expect_message("Which category?")
    await maya.click("Coffee")
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
    await maya.expect_message("is listed: $12.50, 5 in stock, 1 photo(s)")

    buyer = tg.user("Buyer")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await buyer.send(f"blue mug {shop_bot.mode}")
    await buyer.expect_message("Results for")
    await buyer.click(f"Blue Mug {shop_bot.mode}")
    card = await buyer.expect_message("Sold by Maya's Mugs")
    assert card.photo, "the seller's photo is on the card"
    await buyer.click("Add 1 to cart")
    await buyer.send("/cart")
    await buyer.expect_message("Your cart")
    await buyer.click("Checkout")
    await buyer.expect_edit("Where should we deliver?")
    await buyer.click("New address")
    await buyer.expect_message("Send the address")
    await buyer.send("1 Main St, Dhaka, Bangladesh")
    await buyer.expect_message("How should it be shipped?")
    await buyer.click("Standard Post")
    await buyer.expect_edit("coupon")
    await buyer.click("Skip")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Cash on delivery")
    await buyer.expect_edit("Please confirm")
    await buyer.click("Place order")
    await buyer.expect_message("You will pay")
    alert = await maya.expect_message("New order")  # delivered through the outbox
    assert alert.reply_markup is not None

    await maya.send("/sell")
    await maya.expect_message("Orders to handle: 1")
    await maya.click("Orders")
    await maya.expect_message("Blue Mug")
    assert "Done" in str((await maya.click("Confirm")).get("text"))
    await maya.click("Ship")
    await maya.expect_message("Send the tracking number")
    await maya.send("SP123456")
    await maya.expect_message("Done: 🚚 Ship")
    await buyer.expect_message("📥 Order received by the seller")
    await buyer.expect_message("📦 Packed")
    await buyer.expect_message("🚚 Shipped")
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click("on its way")
    await buyer.expect_edit("Status: on its way")
    await buyer.click("Track")
    tracking = await buyer.expect_edit("Delivery of order")
    assert "Shipped" in (tracking.text or "")


async def test_non_admins_and_banned_users_are_refused(shop_bot: ShopBot, tg: Emulator) -> None:
    eve = tg.user("Eve")
    await eve.send("/admin")
    await eve.expect_message("Only the shop's admins can do that")
    await eve.send("/ban 1 because")
    await eve.expect_message("Only the shop's admins can do that")
    await eve.send("/paid 1")
    await eve.expect_message("Only the shop's admins can do that")

    await shop_bot.admin.send(f"/ban {eve.id} spam")
    await shop_bot.admin.expect_message("Not found")  # the engine knows users by its own ids
    await shop_bot.admin.send("/audit order 1")
    audit = await shop_bot.admin.expect_message("order 1")
    assert "create" in (audit.text or "")
