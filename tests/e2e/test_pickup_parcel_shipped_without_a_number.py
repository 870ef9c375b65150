"""A parcel for the demo shop's pickup point (its provider tracks nothing) is shipped at the
seller's tap of Ship, with no question for a tracking number it does not have; the customer
is told it is on its way to the pickup point, where it will be ready for collection, and
Track says so too, with no "None" number. The old card's Ship, tapped after, says the parcel
is shipped already and changes nothing."""

from __future__ import annotations

from aiogram.types import Message

from handlers.callbacks import ShipmentAction, ShipmentCb
from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import DEMO_PICKUP_POINT, pickup_order
from tests.e2e.steps import settled

POINT = DEMO_PICKUP_POINT


async def _card(owner: SimUser, order: int) -> Message:
    """The seller opens the order's card from its store's list."""
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message("Orders to confirm")
    await owner.click(f"#{order}")
    return await owner.expect_edit(f"Order #{order}")


async def test_a_pickup_parcel_ships_at_a_tap_and_its_customer_is_told_where_to_collect_it(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner, buyer, order = await pickup_order(
        shop_bot, tg, "Petra", f"Petra Brass {mode}", f"Brass Lantern {mode}", "24", "Quentin"
    )

    older = await _card(owner, order)  # a card left in the chat, Ship and all
    await _card(owner, order)
    answer = str((await owner.click("Ship")).get("text"))
    assert f"Order #{order} is shipped without a tracking number" in answer, answer
    assert f"ready for collection at {POINT}" in answer, answer
    await owner.expect_edit("🚚 Shipped")  # the card, in place
    said = [str(m.get("text") or "") for m in owner.messages]
    assert not any("Send the tracking number" in text for text in said), said

    pushed = str((await buyer.expect_message("is on its way", timeout=20)).text)
    assert f"on its way to {POINT}, where it will be ready for collection" in pushed, pushed
    assert "None" not in pushed, pushed
    await settled(buyer)
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit(f"Order #{order}")
    await buyer.click("Track")
    track = str((await buyer.expect_edit("Delivery of order")).text)
    assert "🚚 Shipped" in track, track
    assert f"📍 It will be ready for collection at {POINT}." in track, track
    assert "None" not in track, track

    ship = ShipmentCb(action=ShipmentAction.ship, id=_parcel_of(older)).pack()
    again = str((await owner.click_button(older.message_id, data=ship)).get("text"))
    assert again == f"Order #{order} is shipped already: nothing changed.", again
    await owner.expect_edit("🚚 Shipped")  # the old card now shows it as it is
    await buyer.expect_no_message(within=1.0)  # told once


def _parcel_of(card: Message) -> int:
    """The parcel (shipment id) a seller's card acts on, from its Ship button."""
    assert card.reply_markup is not None
    for row in card.reply_markup.inline_keyboard:
        for button in row:
            data = button.callback_data or ""
            if data.startswith(f"{ShipmentCb.__prefix__}:"):
                return ShipmentCb.unpack(data).id
    raise AssertionError(f"no parcel step on the card: {card.reply_markup}")
