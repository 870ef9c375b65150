"""An order's delivery news: one status message, updated in place as the parcel moves, and a
new message only where a push matters (shipped, delivered); "Open the order" under a
notification opens it below, keeping the notification (issue 13: status updates)."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out, settled

MILESTONES = (  # the seller confirms and ships: "Packed", only implied, is not told
    "Order received by the seller",
    "Shipped",
    "In transit",
    "Out for delivery",
    "Delivered",
)


async def test_delivery_news_is_one_message_updated_in_place_with_two_pushes(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(shop_bot, tg, "Odile", f"Odile Oak {mode}", f"Oak Stool {mode}", "45")
    buyer = tg.user("Perpetua")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"oak stool {mode}", f"Oak Stool {mode}")
    await check_out(buyer, address="6 Mill Lane, Leeds, United Kingdom, LS1 4DY", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await buyer.expect_message("Payment received")
    await owner.expect_message(f"New order #{order}")
    start = len(buyer.chat.events)

    await ship_and_deliver(owner, f"OAKSTOOL-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)
    await settled(buyer)

    news = [e.message for e in buyer.chat.events[start:] if e.kind == "message"]
    said = [str(m.get("text") or "") for m in news]
    # the status message, "on its way" and "is delivered", once each; no other message about
    # this order's delivery (a scheduled job may still say something unrelated meanwhile)
    about = [text for text in said if f"#{order}" in text]
    assert len(about) == 3, said
    assert sum("received by the seller" in text for text in about) == 1, said
    assert sum("is on its way" in text for text in about) == 1, said
    assert sum(f"#{order} is delivered" in text for text in about) == 1, said
    card_id = next(m["message_id"] for m in news if "received by the seller" in m["text"])
    pushed = next(m for m in news if "is on its way" in m["text"])
    assert f"OAKSTOOL-{mode}-1" in pushed["text"], "the push gives the tracking number"
    assert any(f"#{order} is delivered" in text for text in said), said

    card = str(buyer.chat.messages[card_id].get("text"))  # as it reads now, after its edits
    assert f"#{order}" in card
    places = [card.find(milestone) for milestone in MILESTONES]
    assert all(p >= 0 for p in places), card
    assert places == sorted(places), card
    assert all(card.count(milestone) == 1 for milestone in MILESTONES), card
    assert "Packed" not in card, card

    # "Open the order" under the push opens it below; the push stays as it was
    before = dict(buyer.chat.messages[pushed["message_id"]])
    button = pushed["reply_markup"]["inline_keyboard"][0][0]
    assert "Open the order" in button["text"]
    await buyer.click_button(pushed["message_id"], data=button["callback_data"])
    opened = await buyer.expect_message(f"Order #{order}")
    assert opened.message_id != pushed["message_id"]
    assert buyer.chat.messages[pushed["message_id"]] == before
    # and so under the status message
    card_button = buyer.chat.messages[card_id]["reply_markup"]["inline_keyboard"][0][0]
    await buyer.click_button(card_id, data=card_button["callback_data"])
    await buyer.expect_message(f"Order #{order}")
    assert str(buyer.chat.messages[card_id].get("text")) == card
