"""A seller types or says the steps of an order card: the delivery steps the card offers
("in transit", "out for delivery", "mark it delivered"; a pickup point's parcel "ready for
collection" and "it was collected") take the card's steps with its buttons' answers. Said in
a voice note with no question waiting, a step is offered back ("🎙 “ship order 15” → Ship
order #15?") and taken only with that offer's Yes, once, on the parcel as it is at the tap:
one shipped meanwhile says so and changes nothing; No changes nothing."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import DEMO_PICKUP_POINT, address_order, pickup_order
from tests.e2e.steps import settled
from tests.e2e.test_return_how_many import _tap
from tests.e2e.test_spoken_never_mind import say

OLD = "no longer active"


def _said(user: SimUser, words: str) -> list[str]:
    """The chat's messages, as they stand, that say `words`."""
    return [str(m.get("text")) for m in user.messages if words in str(m.get("text") or "")]


async def _ship_by_typing(seller: SimUser, order: int) -> None:
    """ "ship order N" typed, and its tracking number (one of its own: a number is used once)."""
    tracking = f"ST{order:09d}GB"
    await seller.send(f"ship order {order}")
    await seller.expect_message(f"Send the tracking number for order #{order}")
    await seller.send(tracking)
    await seller.expect_message(f"Order #{order} is shipped with tracking {tracking}")


async def _offered(seller: SimUser, words: str, offer: str) -> Message:
    """`words` said in a voice note: the step offered back, with what was heard in front."""
    await say(seller, words)
    offered = await seller.expect_message(offer, timeout=60)
    assert (offered.text or "").startswith("🎙 “"), offered.text
    return offered


async def test_a_seller_types_the_delivery_steps_of_the_card(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    seller, buyer, order = await address_order(shop_bot, tg, "Odile", "Step")
    # a parcel still here is not delivered: nothing changes, and it says why
    await seller.send(f"mark order {order} delivered")
    await seller.expect_message(f"Order #{order} has not come that far yet")
    await _ship_by_typing(seller, order)

    await seller.send("in transit")  # the card shown last
    await seller.expect_message(f"Order #{order} is marked in transit.")
    await seller.send(f"order {order} is out for delivery")
    await seller.expect_message(f"Order #{order} is marked out for delivery.")
    await seller.send("mark it delivered")
    await seller.expect_message(f"Order #{order} is marked delivered.")
    await buyer.expect_message(f"🎉 Order #{order} is delivered", timeout=20)
    # again: nothing changes, and it says so
    await seller.send("delivered")
    await seller.expect_message(f"Order #{order} had moved on already")
    # the seller asking is no step
    await seller.send("was it delivered")
    await settled(seller)
    assert len(_said(seller, "is marked delivered")) == 1


async def test_a_pickup_parcel_is_typed_ready_for_collection_then_collected(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner, buyer, order = await pickup_order(
        shop_bot, tg, "Petra", f"Petra Copper {mode}", f"Copper Jug {mode}", "31", "Lorcan"
    )
    await owner.send(f"ship order {order}")  # the point tracks nothing: shipped at once
    await owner.expect_message(f"Order #{order} is shipped without a tracking number")
    await owner.send("ready for collection")
    await owner.expect_message(
        f"Order #{order} is marked ready for collection at {DEMO_PICKUP_POINT}."
    )
    await buyer.expect_message(f"📍 Order #{order} is ready for collection", timeout=20)
    await owner.send("it was collected")
    await owner.expect_message(f"Order #{order} is marked collected.")
    await buyer.expect_message(f"🎉 Order #{order} is collected", timeout=20)


async def _open_first_card(seller: SimUser, order: int) -> None:
    await seller.send("/sell")
    await seller.expect_message("your store")
    await seller.click("Orders")
    await seller.expect_message("Orders to confirm")
    await seller.click(f"#{order}")
    await seller.expect_edit(f"Order #{order}")


async def test_a_spoken_step_is_taken_only_after_its_yes_once(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    seller, _, order = await address_order(shop_bot, tg, "Idris", "Step")
    await _open_first_card(seller, order)  # "it" is this order's parcel

    refused = await _offered(seller, "confirm it", f"Confirm order #{order}?")
    await settled(seller)
    assert _said(seller, "confirmed") == []  # nothing changes from audio alone
    await seller.click("No")
    await seller.expect_message(f"nothing changed: order #{order}")
    await settled(seller)
    assert _said(seller, "confirmed") == []

    offer = await _offered(seller, "confirm this one", f"Confirm order #{order}?")
    await seller.click("Yes")
    await seller.expect_message(f"Order #{order} confirmed")
    assert OLD in await _tap(seller, offer, "Yes")  # once
    assert OLD in await _tap(seller, refused, "Yes")
    await settled(seller)
    assert len(_said(seller, f"Order #{order} confirmed")) == 1

    # offered, then shipped by typing before the tap: the Yes says so and changes nothing
    stale = await _offered(seller, "ship it", f"Ship order #{order}?")
    await _ship_by_typing(seller, order)
    await seller.click("Yes")
    await seller.expect_message(f"Order #{order} is shipped already")
    await settled(seller)
    assert len(_said(seller, "is shipped with tracking")) == 1
    assert OLD in await _tap(seller, stale, "Yes")

    await _offered(seller, "it was delivered", f"Mark order #{order} delivered?")
    await seller.click("Yes")
    await seller.expect_message(f"Order #{order} is marked delivered.")
