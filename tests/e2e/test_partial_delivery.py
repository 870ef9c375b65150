"""One cart, two stores, one parcel delivered: the customer's order card offers Return and
Review only for the delivered store's item, not for the item still waiting at the other
seller."""

from __future__ import annotations

import asyncio

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out


async def test_only_the_delivered_stores_item_can_be_returned_or_reviewed(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    lamps = await open_store(shop_bot, tg, "Lena", f"Lena Lamps {mode}", f"Jade Lamp {mode}", "30")
    await open_store(
        shop_bot,
        tg,
        "Ivo",
        f"Ivo Cups {mode}",
        f"Clay Cup {mode}",
        "9.50",
        category="Home & Kitchen › Kitchen › Coffee",
    )

    buyer = tg.user("Nadia")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"jade lamp {mode}", f"Jade Lamp {mode}")
    await add_found(buyer, f"clay cup {mode}", f"Clay Cup {mode}")
    await check_out(buyer, address="4 Rose Lane, Porto, Portugal, 4000-123")
    placed = await buyer.expect_edit("is placed")
    order_id = order_id_in(placed.text)
    await buyer.expect_message("You will pay")

    await ship_and_deliver(lamps, f"LENA-{mode}-1")  # only the lamp's seller ships
    pushed = await buyer.expect_message("is on its way")
    # one parcel of two: whose it is, and never a bare "Delivered" for the whole order
    assert f"parcel from Lena Lamps {mode}" in str(pushed.text), pushed.text
    news = await _delivery_card(buyer, "Delivered")
    assert f"Lena Lamps {mode}: ✅ Delivered" in news, news
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order_id}")
    card = await buyer.expect_edit(f"Order #{order_id}")
    assert card.reply_markup is not None
    labels = [b.text for row in card.reply_markup.inline_keyboard for b in row]
    assert any("Review" in label and "Jade Lamp" in label for label in labels), labels
    assert any("Return" in label and "Jade Lamp" in label for label in labels), labels
    assert not any("Clay Cup" in label for label in labels), labels  # not shipped yet


async def _delivery_card(buyer: SimUser, showing: str) -> str:
    """The text of the order's delivery news card once it shows `showing` (it is edited in
    place as the outbox tells each milestone)."""
    for _ in range(100):
        cards = [
            str(m.get("text")) for m in buyer.messages if "Delivery news" in str(m.get("text"))
        ]
        if cards and showing in cards[-1]:
            return cards[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no delivery news card showing {showing!r}: {cards}")
