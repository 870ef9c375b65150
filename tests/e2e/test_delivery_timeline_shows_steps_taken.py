"""The customer's delivery news shows the steps its seller really took: a parcel shipped
straight away was not "📦 Packed" (nor "received by the seller") as an event of its own, so
neither its status message nor Track says it was; a seller who taps Packed, then Ship, has
both told and shown."""

from __future__ import annotations

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in
from tests.e2e.steps import add_found, check_out, settled

PACKED = "📦 Packed"
RECEIVED = "Order received by the seller"
SHIPPED = "🚚 Shipped"


async def _buys(buyer: SimUser, owner: SimUser, product: str) -> int:
    """The buyer orders one `product`, cash on delivery; its seller is told. The order id."""
    await add_found(buyer, product.lower(), product)
    await check_out(buyer, address="4 Canal St, Ghent, Belgium, 9000")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await owner.expect_message(f"New order #{order}")
    return order


async def _ships(owner: SimUser, order: int, tracking: str, *, pack_first: bool) -> None:
    """The seller opens the order's card from its store and ships it (tapping 📦 Packed
    before, or not), and is told it is shipped."""
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message("Orders to confirm")
    await owner.click(f"#{order}")
    await owner.expect_edit(f"Order #{order}")
    if pack_first:
        await owner.click("Packed")
        await owner.expect_edit(PACKED)
    await owner.click("Ship")
    await owner.expect_message("Send the tracking number")
    await owner.send(tracking)
    await owner.expect_edit(SHIPPED)
    await owner.expect_message("is shipped with tracking")


async def _status_message(buyer: SimUser, order: int) -> str:
    """The order's delivery status message as it reads once the news has settled."""
    await buyer.expect_message("is on its way", timeout=20)
    await settled(buyer)
    cards = [
        str(m.get("text") or "")
        for m in buyer.messages
        if f"#{order}" in str(m.get("text") or "") and SHIPPED in str(m.get("text") or "")
    ]
    assert len(cards) == 1, [m.get("text") for m in buyer.messages]
    return cards[0]


async def _tracked(buyer: SimUser, order: int) -> str:
    """The order's Track screen, from /orders."""
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit(f"Order #{order}")
    await buyer.click("Track")
    return (await buyer.expect_edit("Delivery of order")).text or ""


async def test_a_parcel_shipped_straight_away_was_not_packed_as_an_event_of_its_own(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    product = f"Tin Lantern {mode}"
    owner = await open_store(shop_bot, tg, "Ines", f"Ines Tinware {mode}", product, "19")
    buyer = tg.user("Rosalind")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")

    straight = await _buys(buyer, owner, product)
    await _ships(owner, straight, f"TIN-{mode}-1", pack_first=False)
    card = await _status_message(buyer, straight)
    assert PACKED not in card, card
    assert RECEIVED not in card, card
    track = await _tracked(buyer, straight)
    assert SHIPPED in track, track
    assert f"TIN-{mode}-1" in track, track
    assert PACKED not in track, track
    assert RECEIVED not in track, track

    packed = await _buys(buyer, owner, product)
    await _ships(owner, packed, f"TIN-{mode}-2", pack_first=True)
    card = await _status_message(buyer, packed)
    assert card.find(PACKED) >= 0, card
    assert card.find(PACKED) < card.find(SHIPPED), card
    assert RECEIVED not in card, card  # the seller tapped Packed, not Confirm
    track = await _tracked(buyer, packed)
    assert 0 <= track.find(PACKED) < track.find(SHIPPED), track
    assert RECEIVED not in track, track
