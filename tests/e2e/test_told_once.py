"""Each event is told once per channel: a full purchase-to-review story in which the
customer and the seller read every piece of news exactly once (a reply in the chat and a
notification never say the same thing), and a seller who never opened a chat with the bot
gets their first order alert once they send /start (the admin hears, once, that the seller
cannot be reached yet)."""

from __future__ import annotations

import re
from typing import Any

from sandbox import Emulator, SimUser
from sandbox.personas import Persona
from tests.e2e.conftest import SELLER_ID, ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out, settled


def _said(user: SimUser) -> list[str]:
    """Everything the bot said in this chat, as it reads now (edits applied), in order."""
    return [
        str(m.get("text") or m.get("caption") or "")
        for m in user.messages
        if m["from"]["is_bot"] and "invoice" not in m
    ]


def _count(texts: list[str], pattern: str) -> int:
    return sum(1 for text in texts if re.search(pattern, text))


async def test_the_customer_and_the_seller_hear_of_each_event_once(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(shop_bot, tg, "Tove", f"Tove Tiles {mode}", f"Blue Tile {mode}", "20")
    buyer = tg.user("Una")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"blue tile {mode}", f"Blue Tile {mode}")
    await check_out(buyer, address="9 Quay St, Cork, Ireland", method="Card")
    placed = await buyer.expect_edit("is placed")
    order = order_id_in(placed.text)
    payment = await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))
    assert payment.ok, payment
    await buyer.expect_message("Payment received")
    await owner.expect_message(f"New order #{order}")

    await ship_and_deliver(owner, f"TOVE-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit("Status: delivered")
    await buyer.click("Review")
    await buyer.expect_message("How many stars for")
    await buyer.click("★★★★★")
    await buyer.expect_message("Thank you for your review")
    await buyer.click("Add a comment")
    await buyer.expect_message("Send your comment")
    await buyer.send("Lovely glaze.")
    await buyer.expect_message("Your comment is saved")
    await owner.expect_message("5-star review")

    await buyer.click("Return")
    await buyer.expect_message("Why are you returning it?")
    await buyer.send("Wrong colour")
    await buyer.expect_message("Your return: please check it")
    await buyer.click("Request the return")
    await buyer.expect_edit("Your return is requested")
    await owner.expect_message("A return is requested")
    await owner.click("Open my store")
    await owner.click("Returns")
    await owner.expect_message("Wrong colour")
    await owner.click("Return #")
    await owner.expect_edit("waiting for your decision")
    await owner.click("Accept and refund")
    await buyer.expect_message("is refunded", timeout=20)
    await settled(buyer)
    await settled(owner)

    told = _said(buyer)
    o = rf"#{order}\b"
    once: dict[str, str] = {
        "placed": rf"Order {o} is placed",
        "paid": rf"(?i)payment.*received.*{o}|received for order {o}",
        "received by the seller": r"Order received by the seller",
        "shipped": r"🚚 Shipped",
        "in transit": r"In transit",
        "out for delivery": r"Out for delivery",
        "delivered": rf"(?i)delivered.*{o}|{o} is delivered",
        "return approved": rf"return for order {o} is approved",
        "refunded": r"is refunded",
    }
    counts = {event: _count(told, pattern) for event, pattern in once.items()}
    assert counts == dict.fromkeys(once, 1), "\n".join(told)
    assert _count(told, r"📦 Packed") == 0, "\n".join(told)  # shipping implied it: not told

    heard = _said(owner)
    for event, pattern in {
        "new order": rf"New order {o}",
        "review": r"5-star review",
        "return requested": rf"return is requested for order {o}",
    }.items():
        assert _count(heard, pattern) == 1, (event, "\n".join(heard))


UNREACHABLE = "Urban Threads cannot be reached yet"


def _alerts(user: SimUser, pattern: str) -> list[dict[str, Any]]:
    return [
        e.message
        for e in user.chat.events
        if e.kind == "message" and re.search(pattern, str(e.message.get("text") or ""))
    ]


async def test_a_sellers_first_alert_waits_for_their_first_start(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """The demo shop's seller (Urban Threads) has never written to the bot: the new-order
    alert waits, the admin is told once that the seller cannot be reached, and the alert
    arrives when the seller sends /start."""
    buyer = tg.user("Vera")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, "zip hoodie", "Zip Hoodie")
    await check_out(buyer, address="2 Elm Row, Bergen, Norway", method="Cash on delivery")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await buyer.expect_message("You will pay")
    admin = shop_bot.admin
    await admin.state.wait_for(lambda: bool(_alerts(admin, UNREACHABLE)), 20)
    assert len(_alerts(admin, UNREACHABLE)) == 1  # once per seller, ever

    seller = tg.add_persona(Persona(id=SELLER_ID, first_name="Maya", role_label="seller"))
    await seller.send("/start")
    alert = await seller.expect_message(f"New order #{order}", timeout=20)
    assert alert.reply_markup is not None
    await settled(seller)
    assert _count(_said(seller), rf"New order #{order}\b") == 1
    assert len(_alerts(admin, UNREACHABLE)) == 1
