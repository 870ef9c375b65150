"""A parcel for the demo's pickup point, once shipped, is made "Ready for collection" and then
"Collected" by its seller, not "Out for delivery" and "Delivered": the card's buttons, what
the taps answer and the card's state say so, and the customer's delivery news, Track and
order card say where it is ready for collection and that it was collected; "ready for
collection" is pushed to the customer as a message of its own."""

from __future__ import annotations

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import DEMO_PICKUP_POINT, pickup_order
from tests.e2e.steps import settled

POINT = DEMO_PICKUP_POINT


def _labels(user: SimUser, message_id: int) -> list[str]:
    markup = user.chat.messages[message_id].get("reply_markup") or {}
    return [str(b.get("text")) for row in markup.get("inline_keyboard") or [] for b in row]


async def _shown(user: SimUser, *words: str, timeout: float = 20) -> str:
    """Wait until one message of the chat, as it stands (edits applied), shows all `words`;
    its text."""
    found: list[str] = []

    def seen() -> bool:
        texts = [str(m.get("text") or "") for m in user.messages]
        found[:] = [text for text in texts if all(w in text for w in words)]
        return bool(found)

    assert await user.state.wait_for(seen, timeout), f"{words} not shown: {user.messages}"
    return found[-1]


async def test_a_pickup_parcel_is_made_ready_for_collection_then_collected(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner, buyer, order = await pickup_order(
        shop_bot, tg, "Rhea", f"Rhea Copper {mode}", f"Copper Kettle {mode}", "31", "Silas"
    )

    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message("Orders to confirm")
    await owner.click(f"#{order}")
    await owner.expect_edit(f"Order #{order}")
    await owner.click("Ship")  # the point tracks nothing: shipped at the tap
    card = await owner.expect_edit("🚚 Shipped")
    labels = _labels(owner, card.message_id)
    assert labels[:4] == ["✓ Shipped", "🛣 In transit", "📍 Ready for collection", "✅ Collected"], (
        labels
    )
    await buyer.expect_message("is on its way", timeout=20)

    answer = str((await owner.click("Ready for collection")).get("text"))
    assert answer == f"Order #{order} is marked ready for collection at {POINT}.", answer
    card = await owner.expect_edit("📍 Ready for collection")
    assert "Out for delivery" not in " ".join(_labels(owner, card.message_id))
    # a push of its own (the status card's edit makes no sound): the customer has to go there
    await buyer.expect_message(f"📍 Order #{order} is ready for collection at {POINT}.")
    news = await _shown(buyer, f"#{order}", f"📍 Ready for collection at {POINT}")
    assert "Out for delivery" not in news, news

    answer = str((await owner.click("Collected")).get("text"))
    assert answer == f"Order #{order} is marked collected.", answer
    await owner.expect_edit("✅ Collected")
    await buyer.expect_message(
        f"🎉 Order #{order} is collected", timeout=20
    )  # the order's own push
    news = await _shown(buyer, f"#{order}", "✅ Collected")
    assert "Delivered" not in news, news
    await settled(buyer)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    shown = str((await buyer.expect_edit(f"Order #{order}")).text)
    assert "Status: collected" in shown, shown
    await buyer.click("Track")
    track = str((await buyer.expect_edit("Delivery of order")).text)
    assert "📍 Ready for collection · " in track, track
    assert "✅ Collected · " in track, track
    assert f"📍 Pickup point: {POINT}" in track, track
    assert "Out for delivery" not in track, track
    assert "Delivered" not in track, track


async def test_a_double_tap_on_confirm_confirms_once_and_packs_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """The card is redrawn after Confirm; the second tap of a double tap lands where Confirm
    was, which is "✓ Confirmed" (the same step: nothing changes), not "📦 Packed"."""
    mode = shop_bot.mode
    owner, _, order = await pickup_order(
        shop_bot, tg, "Tamsin", f"Tamsin Tin {mode}", f"Tin Caddy {mode}", "12", "Ulric"
    )
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message("Orders to confirm")
    await owner.click(f"#{order}")
    card = await owner.expect_edit(f"Order #{order}")
    assert _labels(owner, card.message_id)[0] == "✅ Confirm", _labels(owner, card.message_id)
    await owner.click_button(card.message_id, index=0)
    confirmed = await owner.expect_edit("Order received", timeout=20)
    assert _labels(owner, confirmed.message_id)[0] == "✓ Confirmed"
    again = await owner.click_button(confirmed.message_id, index=0)  # the double tap's second
    assert "nothing" in str(again.get("text")) or "already" in str(again.get("text")), again
    await settled(owner)
    text = str(owner.chat.messages[confirmed.message_id].get("text"))
    assert "Packed" not in text, text
