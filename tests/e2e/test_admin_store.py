"""The admin's side of running the store (issue 14): admin commands exist for admins only,
users are found by Telegram id or @username, coupons and the audit log read like a shop's,
stock alerts have a header and a way back, bank transfers wait in a queue with "Mark paid",
and a broadcast or a payout run is previewed before anything happens."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in
from tests.e2e.steps import add_found, check_out


async def test_admin_commands_without_arguments_are_unknown_to_everyone_else(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    nadia = tg.user("Nadia")
    await nadia.send("/start")
    await nadia.expect_message("Welcome")
    for command in ("/coupon", "/ban", "/paid", "/broadcast", "/ban @someone spam"):
        await nadia.send(command)
        answer = await nadia.expect_message(f"I don't know that command ({command.split()[0]})")
        assert "Usage" not in (answer.text or ""), command  # no hint of what an admin types


async def test_an_admin_finds_and_bans_by_telegram_id_and_by_username(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    kit = tg.user("Kit")
    await kit.send("/start")
    await kit.expect_message("Welcome")
    username = kit.user["username"]

    await admin.send("/ban")
    usage = await admin.expect_message("Usage: /ban")
    assert "@username or Telegram id" in (usage.text or "")  # says which id it means

    await admin.send(f"/user {kit.id}")  # the Telegram id, as Telegram shows it
    card = await admin.expect_message("Role: customer")
    text = card.text or ""
    assert f"Telegram {kit.id}" in text
    assert "user #" in text
    own_id = text.split("user #", 1)[1].split()[0]

    await admin.send(f"/ban {kit.id} chargebacks")
    await admin.expect_message(f"Kit (@{username}, Telegram {kit.id}, user #{own_id}) is banned")
    await kit.send("/cart")
    await kit.expect_message("Your account is blocked: chargebacks")
    await admin.send(f"/unban @{username}")
    await admin.expect_message("may use the shop again")
    await kit.send("/cart")
    await kit.expect_message("Your cart")

    await admin.send(f"/ban @{username} spam")
    await admin.expect_message(f"Telegram {kit.id}, user #{own_id}) is banned")
    await kit.send("/cart")
    await kit.expect_message("Your account is blocked: spam")
    await admin.send(f"/unban #{own_id}")  # the shop's own number, written as such
    await admin.expect_message("may use the shop again")


async def test_coupons_read_as_a_shop_owner_writes_them(shop_bot: ShopBot, tg: Emulator) -> None:
    admin, mode = shop_bot.admin, shop_bot.mode
    await admin.send(f"/coupon SHIP{mode.upper()} free_shipping 0 3")
    created = await admin.expect_message(f"Coupon SHIP{mode.upper()} is created")
    assert "Free shipping · used 0 of 3 — active" in (created.text or "")
    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Coupons")
    listing = await admin.expect_edit("Coupons")
    text = listing.text or ""
    # the demo's launch offer was used by both the orders it allows: not "active"
    assert "LAUNCH15 · $15.00 off orders over $60.00 · used 2 of 2 — used up" in text
    assert "SUMMER20 · 20% off · used 0 times — ended" in text
    assert "percentage" not in text
    assert "free_shipping" not in text


async def test_stock_alerts_have_a_header_store_names_and_a_way_back(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin, mode = shop_bot.admin, shop_bot.mode
    owner = await open_store(shop_bot, tg, "Lia", f"Lia Lamps {mode}", f"Last Lamp {mode}", "9", 1)
    buyer = tg.user("Ola")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"last lamp {mode}", f"Last Lamp {mode}")
    await check_out(buyer, address="3 Quay St, Galway, Ireland")
    await buyer.expect_edit("is placed")  # the last one: sold out
    await owner.expect_message("New order", timeout=20)
    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Stock alerts")
    alerts = await admin.expect_edit("Stock alerts (")
    assert f"Last Lamp {mode} (Lia Lamps {mode}): sold out" in (alerts.text or "")
    await admin.click("⬅ Admin")
    await admin.expect_edit("/audit")


async def test_bank_transfers_wait_in_a_queue_and_the_audit_log_says_who_did_what(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    rae = tg.user("Rae")
    await rae.send("/start")
    await rae.expect_message("Welcome")
    await add_found(rae, "pour-over kettle", "Kettle")
    await check_out(rae, address="4 Mill Ln, Leeds, UK", method="Bank transfer")
    order_id = order_id_in((await rae.expect_edit("is placed")).text)
    transfer = await rae.expect_message("Please transfer")

    await admin.send("/paid")  # no order number from memory: the queue
    queue = await admin.expect_message("Bank transfers waiting")
    line = next(x for x in (queue.text or "").splitlines() if f"Order #{order_id} ·" in x)
    reference = line.split("reference ", 1)[1].split(" ·")[0]
    assert reference in (transfer.text or "")  # the reference the customer was given
    assert "Rae" in line
    assert "just now" in line or "ago" in line  # how long it has waited
    assert "$" in line
    await admin.click(f"Mark paid: #{order_id}")
    after = await admin.expect_edit("Bank transfers waiting")
    assert f"Order #{order_id} ·" not in (after.text or "")
    await rae.expect_message(f"received for order #{order_id}", timeout=20)
    # the same button again (an old screen, a double tap): nothing more happens
    again = await admin._click(
        admin.chat.messages[queue.message_id],
        {"text": "Mark paid", "callback_data": f"v1a8:{order_id}"},
        5,
    )
    assert "no longer waiting" in str(again.get("text"))
    await rae.expect_no_message(within=1.0)  # no second "payment received"

    await admin.send(f"/audit order {order_id}")
    trail = await admin.expect_message("Audit log")
    assert f"Order #{order_id}: order status: pending → paid" in (trail.text or "")
    assert f"Order #{order_id}: payment: pending → paid" in (trail.text or "")
    assert "by Demo (admin)" in (trail.text or "")
    assert "status_change" not in (trail.text or "")
    await admin.send("/audit")  # everything, a page at a time
    await admin.expect_message("page 1")
    await admin.click("Older ▶")
    await admin.expect_edit("page 2")
    await admin.click("◀ Newer")
    await admin.expect_edit("page 1")


async def test_a_broadcast_is_previewed_with_its_audience_before_it_goes(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin, mode = shop_bot.admin, shop_bot.mode
    jun = tg.user("Jun")
    await jun.send("/start")
    await jun.expect_message("Welcome")
    await admin.send(f"/broadcast Not this one {mode}")
    preview = await admin.expect_message("Broadcast preview")
    assert "goes to" in (preview.text or "")
    assert f"Not this one {mode}" in (preview.text or "")
    await admin.click("Cancel")
    await admin.expect_edit("nobody got it")

    await admin.send(f"/broadcast Flash sale {mode}")
    preview = await admin.expect_message("Broadcast preview")
    count = (preview.text or "").split("goes to ", 1)[1].split()[0]
    await admin.click(f"Send to {count}")
    await admin.expect_edit(f"Queued for {count}")
    await jun.expect_message(f"Flash sale {mode}", timeout=30)
    send = next(
        b
        for row in (preview.reply_markup.inline_keyboard if preview.reply_markup else [])
        for b in row
        if b.text.startswith("📣")
    )
    answer = await admin._click(
        admin.chat.messages[preview.message_id],
        {"text": send.text, "callback_data": send.callback_data},
        5,
    )
    assert "already sent or cancelled" in str(answer.get("text"))
    await jun.expect_no_message(within=2.0)  # sent once
    assert not any(f"Not this one {mode}" in str(m.get("text")) for m in jun.messages)


async def test_payouts_are_previewed_before_they_are_made(shop_bot: ShopBot, tg: Emulator) -> None:
    admin = shop_bot.admin
    await admin.send("/payouts")
    preview = await admin.expect_message("Payouts due")
    assert "Nothing is paid until you confirm" in (preview.text or "")
    rows = preview.reply_markup.inline_keyboard if preview.reply_markup else []
    if any(b.text.startswith("✅ Pay") for row in rows for b in row):
        await admin.click("Cancel")
        await admin.expect_edit("nothing was paid")
    else:
        assert "Nothing is due now" in (preview.text or "")


async def test_the_admin_story_approve_ban_transfers_and_a_broadcast(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """An admin's afternoon: a store is approved (its card turns into the store's card), a
    troublemaker is banned by Telegram id and, once forgiven, by @username, a bank transfer
    is marked paid from the queue, and a broadcast goes out after its preview."""
    admin, mode = shop_bot.admin, shop_bot.mode
    owner = tg.user("Ivo")
    await owner.send("/sell")
    await owner.expect_message("What is it called?")
    await owner.send(f"Ivo Inks {mode}")
    await owner.expect_message("what do you sell?")
    await owner.send("Fountain pen inks.")
    await owner.expect_message("waiting for an admin's approval")
    await admin.expect_message(f"Ivo Inks {mode} applied to sell")
    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Sellers waiting")
    card = await admin.expect_message(f"Ivo Inks {mode}")
    assert card.reply_markup is not None
    approve = card.reply_markup.inline_keyboard[0][0]
    await admin.click_button(card.message_id, data=approve.callback_data)
    decided = await admin.expect_edit("Status: active")  # the card shows the new state
    assert "Approve" not in str(decided.reply_markup)
    await owner.expect_message("is approved")
    again = await admin._click(
        admin.chat.messages[card.message_id],
        {"text": approve.text, "callback_data": approve.callback_data},
        5,
    )
    assert "already decided" in str(again.get("text"))

    troll = tg.user("Troy")
    await troll.send("/start")
    await troll.expect_message("Welcome")
    await admin.send(f"/ban {troll.id} insults")
    await admin.expect_message("is banned")
    await troll.send("/cart")
    await troll.expect_message("Your account is blocked: insults")
    await admin.send(f"/unban @{troll.user['username']}")
    await admin.expect_message("may use the shop again")

    await add_found(troll, "pour-over kettle", "Kettle")
    await check_out(troll, address="8 Ash Rd, York, UK", method="Bank transfer")
    order_id = order_id_in((await troll.expect_edit("is placed")).text)
    await admin.send("/paid")
    await admin.expect_message(f"Order #{order_id} ·")
    await admin.click(f"Mark paid: #{order_id}")
    await admin.expect_edit("Bank transfers waiting")
    await troll.expect_message(f"received for order #{order_id}", timeout=20)

    await admin.send(f"/broadcast New inks from Ivo {mode}")
    await admin.expect_message("Broadcast preview")
    await admin.click("Send to")
    await admin.expect_edit("Queued for")
    await troll.expect_message(f"New inks from Ivo {mode}", timeout=30)
