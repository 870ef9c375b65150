"""Running a store from the chat (issue 14): the order card says where to ship and changes
in place after every step, with only the buttons its state allows; a seller's buttons are
refused to everyone else before any question is asked; the category picker is the tree
with its path; products are edited after creation; a CSV sent as a document is imported
whole or not at all; and a seller's story from a new order to the payout statement."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from PIL import Image

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import deliveries_age, open_store, order_id_in
from tests.e2e.steps import add_found, check_out
from tests.e2e.test_cli import bot


def _labels(message: Any) -> list[str]:
    markup = getattr(message, "reply_markup", None)
    if markup is None:
        return []
    return [b.text for row in markup.inline_keyboard for b in row]


def _data(message: Any, label: str) -> str:
    markup = message.reply_markup
    for row in markup.inline_keyboard:
        for button in row:
            if label in button.text:
                return str(button.callback_data)
    raise AssertionError(f"no {label!r} button in {_labels(message)}")


async def _forge(user: SimUser, message_id: int, data: str) -> str:
    """Tap a button that says `data`, as a forged or long-gone button would."""
    answer = await user._click(
        user.chat.messages[message_id], {"text": "x", "callback_data": data}, 5
    )
    return str(answer.get("text"))


async def _shown(user: SimUser, *words: str, timeout: float = 20) -> None:
    """Wait until one message of the chat, as it stands (edits applied), shows all `words`."""

    def seen() -> bool:
        return any(
            all(w in str(m.get("text") or m.get("caption") or "") for w in words)
            for m in user.messages
        )

    assert await user.state.wait_for(seen, timeout), f"{words} not shown to the user"


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _catalog_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["name", "description", "price", "stock", "sku", "category"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def test_the_order_card_says_where_to_ship_and_changes_in_place(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Nell", f"Nell Lamps {mode}", f"Reading Lamp {mode}", "30", stock=4
    )
    buyer = tg.user("Quentin")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"reading lamp {mode}", f"Reading Lamp {mode}")
    await check_out(buyer, address="7 Elm St, Galway, Ireland, H91")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await owner.expect_message(f"New order #{order}")

    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    listing = await owner.expect_message("Orders to confirm")
    assert f"#{order} · Quentin · 1 × Reading Lamp {mode} · $30.00" in (listing.text or "")
    await owner.click(f"#{order}")
    card = await owner.expect_edit(f"Order #{order}")
    text = card.text or ""
    for said in ("Quentin", "7 Elm St, Galway", "Ireland", "Standard Post", "cash on delivery"):
        assert said in text, text
    assert "1 × Reading Lamp" in text, text
    assert "Your part: $30.00" in text, text
    assert _labels(card)[:4] == ["✅ Confirm", "📦 Packed", "🚚 Ship", "✖ Reject"]
    confirm = _data(card, "Confirm")

    answer = await owner.click("Confirm")
    assert f"Order #{order} confirmed" in str(answer.get("text"))
    card = await owner.expect_edit("📥 Order received by the seller")
    assert "✅ Confirm" not in _labels(card)  # only what the new state allows
    # the step just taken keeps its place, marked done: a double tap's second changes nothing
    assert _labels(card)[:4] == ["✓ Confirmed", "📦 Packed", "🚚 Ship", "✖ Reject"]

    # the old Confirm again (a double tap, an older copy): nothing happens twice
    assert "had moved on already" in await _forge(owner, card.message_id, confirm)
    await _shown(buyer, "📥 Order received by the seller")

    await owner.click("Ship")
    await owner.expect_message(f"Send the tracking number for order #{order} (Quentin)")
    await owner.send(f"NELL-{mode}-1")
    card = await owner.expect_edit("🚚 Shipped")
    assert f"Tracking: NELL-{mode}-1" in (card.text or "")
    assert _labels(card)[:4] == ["✓ Shipped", "🛣 In transit", "🏃 Out for delivery", "✅ Delivered"]
    await owner.expect_message(f"Order #{order} is shipped with tracking NELL-{mode}-1")
    await _shown(buyer, "🚚 Shipped")
    # the pack the ship implied was no step of its own: the customer is not told it was
    assert not any("📦 Packed" in str(m.get("text")) for m in buyer.messages), buyer.messages

    # a reused Ship button asks for nothing once the parcel has left
    ship = f"v1s3:ship:{_data(card, 'In transit').split(':')[-1]}"
    assert "is shipped already" in await _forge(owner, card.message_id, ship)
    # another store's parcel: "not found", and no prompt with a garbled number
    for forged in ("v1s3:ship:1", "v1s3:reject:1", "v1s7:1:confirm"):
        assert "Not found" in await _forge(owner, card.message_id, forged), forged
    await owner.expect_no_message()

    answer = await owner.click("Delivered")
    assert f"Order #{order} is marked delivered" in str(answer.get("text"))
    card = await owner.expect_edit("✅ Delivered")
    assert _labels(card) == ["⬅ Orders", "⬅ My store"]


async def test_a_customer_is_refused_the_sellers_buttons_before_any_question(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    carl = tg.user("Carl")
    await carl.send("/start")
    menu = await carl.expect_message("Welcome")
    for forged in ("v1s1:new", "v1s1:orders", "v1s3:ship:1", "v1s3:reject:1", "v1s5:1:1"):
        assert "Only sellers can do that" in await _forge(carl, menu.message_id, forged), forged
    await carl.expect_no_message()  # no "what is its name?", no "Send the tracking number"
    await carl.send("Blue mug")  # and the words that follow are a customer's search
    await carl.expect_message(where=lambda m: "name?" not in str(m.get("text")))


async def test_the_category_picker_walks_the_tree_and_shows_the_path(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Pia", f"Pia Pans {mode}", f"Iron Pan {mode}", "35"
    )  # picked through Home & Kitchen › Decor › Lamps
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.send(f"Steel Pot {mode}")
    await owner.expect_message("Describe it")
    await owner.send("A heavy steel pot with a glass lid.")
    top = await owner.expect_message("Which category?")
    assert "Home & Kitchen ›" in _labels(top)
    assert "Cookware" not in _labels(top)  # leaves wait under their parents
    await owner.click("Home & Kitchen ›")
    level = await owner.expect_edit("Home & Kitchen")
    assert _labels(level) == ["Decor ›", "Kitchen ›", "⬆ Up", "⬅ Back", "✖ Cancel"]
    await owner.click("⬆ Up")
    top = await owner.expect_edit("Which category?")  # the top of the tree: no path to name
    assert "Categories" not in (top.text or "")
    await owner.click("Home & Kitchen ›")
    await owner.expect_edit("Home & Kitchen")
    await owner.click("Kitchen ›")
    level = await owner.expect_edit("Home & Kitchen › Kitchen")
    assert _labels(level) == ["Coffee", "Cookware", "⬆ Up", "⬅ Back", "✖ Cancel"]
    await owner.click("Cookware")
    await owner.expect_edit("Category: Home & Kitchen › Kitchen › Cookware")
    await owner.expect_message("Price?")
    await owner.send("49")
    await owner.expect_message("discounted price")
    await owner.send("no")
    await owner.expect_message("How many")
    await owner.send("2")
    await owner.expect_message("Send photos")
    await owner.click("Done")
    await owner.expect_message(f"Steel Pot {mode} is listed")
    await owner.click("Edit it")
    screen = await owner.expect_edit("SKU:")
    assert "Home & Kitchen › Kitchen › Cookware" in (screen.text or "")
    assert "A heavy steel pot with a glass lid." in (screen.text or "")


async def test_a_product_is_edited_after_creation(shop_bot: ShopBot, tg: Emulator) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot,
        tg,
        "Rhea",
        f"Rhea Rugs {mode}",
        f"Wool Rug {mode}",
        "80",
        photos=[_png("red"), _png("blue")],
    )
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("My products")
    await owner.expect_message("Your products")
    await owner.click(f"Wool Rug {mode}")
    await owner.expect_edit("Photos: 2")

    await owner.click("Name")
    await owner.expect_message("send the new name")
    await owner.send(f"Wool Rug XL {mode}")
    await owner.expect_message("Saved.")
    await owner.expect_message(f"Wool Rug XL {mode}")
    await owner.click("Description")
    await owner.send("Hand-woven, 2 × 3 m.")
    await owner.expect_message("Saved.")
    await owner.expect_message("Hand-woven, 2 × 3 m.")
    await owner.click("Discount price")
    await owner.send("90")
    await owner.expect_message("below the price")  # the engine's rule, worded
    await owner.click("Price")
    await owner.send("120")
    await owner.expect_message("Saved.")
    await owner.expect_message("$120.00")
    await owner.click("Discount price")
    await owner.send("99.50")
    await owner.expect_message("Saved.")
    await owner.expect_message("Discount price: $99.50")
    await owner.click("Category")
    await owner.expect_message("Which category?")
    await owner.click("Home & Kitchen ›")
    await owner.click("Decor ›")
    await owner.click("Lamps")
    await owner.expect_edit("Category: Home & Kitchen › Decor › Lamps")
    await owner.expect_message("Category: Home & Kitchen › Decor › Lamps")

    await owner.click("Photos")
    photos = await owner.expect_edit("2 photo")
    assert _labels(photos)[:3] == ["🗑 Remove photo 1", "🗑 Remove photo 2", "⬆ Photo 2 first"]
    assert "first now" in str((await owner.click("Photo 2 first")).get("text"))
    await owner.click("Remove photo 2")
    await owner.expect_edit("1 photo")
    await owner.click("Add photos")
    await owner.expect_message("Send the photos")
    await owner.send_photo(_png("green"))
    await owner.expect_message("2 photo")

    await owner.click("⬅ Back")
    await owner.click("Hide")
    hidden = await owner.expect_edit("hidden")
    assert "👁 Show again" in _labels(hidden)
    buyer = tg.user("Sven")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await buyer.send(f"wool rug xl {mode}")
    found = await buyer.expect_message()
    assert f"Wool Rug XL {mode}" not in str(found.text) + str(_labels(found))


async def test_a_csv_sent_as_a_document_is_imported_whole_or_not_at_all(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(shop_bot, tg, "Otto", f"Otto Optics {mode}", f"Lens {mode}", "5")
    bad = _catalog_csv(
        [
            {"name": f"Kettle {mode}", "price": "45", "stock": "3", "sku": f"K-{mode}",
             "category": "Home & Kitchen > Kitchen > Coffee"},
            {"name": f"Mug {mode}", "price": "ten", "stock": "3", "sku": f"M-{mode}",
             "category": "Home & Kitchen > Kitchen > Coffee"},
            {"name": f"Pan {mode}", "price": "20", "stock": "1", "sku": f"P-{mode}",
             "category": "Kitchen > Pans"},
        ]
    )  # fmt: skip
    await owner.send_document(bad, "bad.csv", "text/csv")
    report = await owner.expect_message("bad.csv")
    text = report.text or ""
    assert "3 rows · 1 to create · 0 to update · 2 refused" in text, text
    assert "Nothing is imported" in text
    assert "Line 3: price — not a number (ten)" in text
    assert "Line 4: category — no such category (Kitchen > Pans)" in text
    assert not _labels(report)  # no Import button

    rows = [
        {"name": f"Lamp Q{n}z {mode}", "description": "A lamp.", "price": f"{10 + n}",
         "stock": "2", "sku": f"L{n}-{mode}", "category": "Lamps"}
        for n in range(1, 13)
    ]  # fmt: skip
    await owner.send_document(_catalog_csv(rows), "lamps.csv", "text/csv")
    report = await owner.expect_message("lamps.csv")
    assert "12 rows · 12 to create · 0 to update · 0 refused" in (report.text or "")
    await owner.click("Import 12 rows")
    await owner.expect_edit("Imported")

    await owner.send("/sell")
    await owner.expect_message("Products: 13")
    await owner.click("My products")
    first = await owner.expect_message("Your products")
    assert "(13) · page 1/2" in (first.text or "")
    await owner.click("▶")
    second = await owner.expect_edit("page 2/2")
    assert len([x for x in _labels(second) if mode in x]) == 5

    buyer = tg.user("Ulla")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"lamp q12z {mode}", f"Lamp Q12z {mode}")


async def test_a_sellers_story_from_a_new_order_to_the_payout_statement(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Vera", f"Vera Vases {mode}", f"Tall Vase {mode}", "40", stock=3
    )
    await owner.send_document(
        _catalog_csv(
            [{"name": f"Short Vase {mode}", "description": "", "price": "25", "stock": "3",
              "sku": f"SV-{mode}", "category": "Home & Kitchen > Decor > Lamps"}]
        ),
        "more.csv",
        "text/csv",
    )  # fmt: skip
    await owner.expect_message("1 to create")
    await owner.click("Import 1 row")
    await owner.expect_edit("Imported")

    buyer = tg.user("Wanda")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"tall vase {mode}", f"Tall Vase {mode}")
    await add_found(buyer, f"short vase {mode}", f"Short Vase {mode}")
    await check_out(buyer, address="9 Canal St, Cork, Ireland, T12", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await owner.expect_message(f"New order #{order}")

    await owner.click("Open my store")
    await owner.expect_message("Orders to confirm")
    await owner.click(f"#{order}")
    card = await owner.expect_edit("Your part: $65.00")
    assert "paid by card" in (card.text or "")
    await owner.click("Confirm")
    await owner.expect_edit("Order received")
    await owner.click("Ship")
    await owner.send(f"VERA-{mode}-1")
    await owner.expect_message("is shipped with tracking")
    await owner.click("Delivered")
    await owner.expect_edit("✅ Delivered")
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit(f"Order #{order}")
    await buyer.click(f"Return Short Vase {mode}")
    await buyer.expect_message("Why are you returning it?")
    await buyer.send("Chipped rim")
    await buyer.expect_message("Your return: please check it")
    await buyer.click("Request the return")
    await buyer.expect_edit("Your return is requested")
    await owner.expect_message("A return is requested")
    await owner.click("Open my store")
    returns = await owner.expect_message("Returns waiting")
    assert "Chipped rim" in (returns.text or "")
    await owner.click("Return #")
    card = await owner.expect_edit("waiting for your decision")
    accept = _data(card, "Accept")
    answer = await owner.click("Accept and refund")
    assert "accepted" in str(answer.get("text"))
    card = await owner.expect_edit("Return #")
    assert "waiting for your decision" not in (card.text or "")
    assert _labels(card) == ["⬅ Orders", "⬅ My store"]  # decided: no more decisions
    assert "was decided already" in await _forge(owner, card.message_id, accept)
    await buyer.expect_message("is refunded", timeout=20)

    await deliveries_age(shop_bot, order, days=15)
    await shop_bot.admin.send("/payouts")
    await shop_bot.admin.expect_message("Payouts due")
    await shop_bot.admin.click("Pay")
    await shop_bot.admin.expect_edit("created")
    statement = await owner.expect_message("Payout statement", timeout=20)
    words = (statement.text or "").lower()
    # the returned vase is not paid out: 10% commission on the $40.00 vase kept
    assert "commission $4.00" in words, words
    assert "$36.00" in words, words


def test_the_command_line_imports_the_same_way(tmp_path: Path) -> None:
    """`python -m bot import-products <seller_id> <file>`: the report, and all or nothing."""
    assert bot(tmp_path, "migrate").returncode == 0
    assert bot(tmp_path, "seed-demo").returncode == 0
    good = tmp_path / "good.csv"
    good.write_bytes(
        _catalog_csv(
            [{"name": f"Cli Lamp {n}", "description": "", "price": "12.5", "stock": "1",
              "sku": f"CLI-{n}", "category": "Lamps"} for n in range(1, 1001)]
        )
    )  # fmt: skip
    done = bot(tmp_path, "import-products", "1", str(good))
    assert done.returncode == 0, done.stderr
    assert "1000 rows · 1000 to create · 0 to update · 0 refused" in done.stdout
    assert "Imported" in done.stdout

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        _catalog_csv(
            [{"name": "Cli Lamp 1", "description": "", "price": "13", "stock": "1",
              "sku": "CLI-1", "category": "Lamps"},
             {"name": "", "description": "", "price": "-4", "stock": "x",
              "sku": "CLI-X", "category": "Lamps"}]
        )
    )  # fmt: skip
    refused = bot(tmp_path, "import-products", "1", str(bad))
    assert refused.returncode == 1
    assert "1 to update" in refused.stdout
    assert "1 refused" in refused.stdout
    assert "Line 3: name — missing" in refused.stdout
    assert "Line 3: price — must be more than zero (-4.00)" in refused.stdout
    again = bot(tmp_path, "import-products", "1", str(good), "--dry-run")
    assert "0 to create · 1000 to update" in again.stdout  # the refused file changed nothing
