"""A seller corrects stock with a reason (the ledger and the audit log keep it) and reads its
sales report: a chart image and a text summary with exact totals. The / menu follows the
store: a seller's commands once approved, gone again when suspended."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from handlers.callbacks import CardAddCb
from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store
from tests.e2e.steps import add_found, check_out


def _command_calls(tg: Emulator) -> list[dict[str, object]]:
    return [
        {"method": m, **p} for m, p in tg.state.calls if m in ("setMyCommands", "deleteMyCommands")
    ]


def _scoped(tg: Emulator, chat_id: int) -> list[dict[str, object]]:
    """setMyCommands / deleteMyCommands calls for one chat's scope, oldest first."""
    return [c for c in _command_calls(tg) if str(chat_id) in str(c.get("scope"))]


async def test_stock_adjustments_and_the_sales_report(shop_bot: ShopBot, tg: Emulator) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Tess", f"Tess Teas {mode}", f"Oolong Tin {mode}", "8.40", stock=10
    )
    scoped = _scoped(tg, owner.id)
    assert scoped, "the approved seller gets a / menu of its own"
    assert "report" in str(scoped[-1].get("commands"))

    # stock: a correction with a reason; nonsense is refused and changes nothing
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("My products")
    await owner.expect_message("Your products")
    await owner.click(f"Oolong Tin {mode}")
    await owner.expect_edit("stock 10")
    await owner.click("Adjust stock")
    await owner.expect_message("Send the change and the reason")
    await owner.send("lots more")
    await owner.expect_message("Please send a whole number and a reason")
    await owner.send("-11 lost")
    await owner.expect_message("only 10 left")
    await owner.send("-2 damaged in transit")
    done = await owner.expect_message("In stock now: 8")
    assert "-2 (damaged in transit)" in (done.text or "")
    await shop_bot.admin.send("/audit product")
    audit = await shop_bot.admin.expect_message("stock corrected")
    assert "Product #" in (audit.text or "")
    assert "stock: 10 → 8" in (audit.text or "")  # before → after, as a person reads it

    # two customers buy: 3 tins by card, 2 by cash on delivery (not paid yet: not a sale)
    for name, quantity, method in (("Uma", 3, "Card"), ("Vic", 2, "Cash on delivery")):
        buyer = tg.user(name)
        await buyer.send("/start")
        await buyer.expect_message("Welcome")
        card = await add_found(buyer, f"oolong tin {mode}", f"Oolong Tin {mode}")
        for _ in range(quantity - 1):  # the card as redrawn after each add: one more each
            current = buyer.chat.messages[card.message_id]
            await buyer.click_button(card.message_id, data=_add_button(current))
        await check_out(buyer, address="2 Tea St, Kandy, Sri Lanka", method=method)
        if method == "Card":
            assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
            await buyer.expect_message("Payment received")

    await owner.send("/report")
    await owner.expect_message("which period?")
    answer = await owner.click("30 days")
    assert "Drawing" in str(answer.get("text"))
    summary = await owner.expect_edit("the last 30 days")
    text = summary.text or ""
    assert "Revenue: $25.20" in text  # 3 × $8.40, exactly
    assert "Orders: 1 · Units: 3" in text
    assert f"1. Oolong Tin {mode} — 3 sold, $25.20" in text
    chart = await owner.expect_message(where=lambda m: "photo" in m, timeout=20)
    assert chart.photo is not None
    assert "$25.20" in (chart.caption or "")
    stored = tg.state.files[chart.photo[-1].file_id]
    image = Image.open(io.BytesIO(stored.data))
    # Telegram (and so the emulator) re-encodes photos as JPEG; the largest size is the chart's
    assert (image.format, image.size) == ("JPEG", (800, 600))

    await owner.click("7 days")  # another period: the summary is edited, a new chart comes
    await owner.expect_edit("the last 7 days")
    await owner.expect_message(where=lambda m: "photo" in m, timeout=20)

    # buttons forged to point at another store's product or shipment change nothing
    for data in ("v1s5:1:1", "v1s5:1:0", "v1s3:confirm:1", "v1s3:delivered:1", "v1s4:ok:1"):
        answer = await owner._click(
            owner.chat.messages[done.message_id], {"text": "x", "callback_data": data}, 5
        )
        assert "Not found" in str(answer.get("text")), data

    # someone who is not a seller has no report
    stranger = tg.user("Wes")
    await stranger.send("/report")
    await stranger.expect_message("Only sellers can do that")


def _add_button(card: dict[str, Any]) -> str:
    """The callback data of the card's Add to cart, as the card is drawn now in the chat (it
    carries how many the cart held then: an older card's Add adds nothing)."""
    for row in (card.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            data = str(button.get("callback_data") or "")
            # "✓ Added (n in the cart)" right after an add repeats that tap: not the Add
            if data.startswith(CardAddCb.__prefix__ + ":") and button["text"].startswith("🛒"):
                return data
    raise AssertionError("no Add to cart button on the card")
