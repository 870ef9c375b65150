"""Every admin command and screen, through the chat: /admin, stores (suspend, reinstate,
close), categories, shipping providers, coupons (create, edit, disable), /market, /user,
/ban and /unban (a banned user is refused whatever they type, tap or ask inline), /paid for a
bank transfer, /audit, /broadcast, /payouts; and the same commands unknown to everyone else,
forged admin buttons dead."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in
from tests.e2e.steps import add_found, at_new_address, check_out, enter_address

ADMIN_COMMANDS = (
    "/admin",
    "/market",
    "/categories",
    "/providers",
    "/audit order 1",
    "/user 1",
    "/paid 1",
    "/ban 1 spam",
    "/unban 1",
    "/coupon NOPE10 percentage 10",
    "/broadcast hello",
    "/payouts",
)


async def test_stores_categories_providers_coupons_and_the_report(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode, admin = shop_bot.mode, shop_bot.admin
    menus = [p for m, p in tg.state.calls if m == "setMyCommands"]
    for_admin = [p for p in menus if str(admin.id) in str(p.get("scope"))]
    assert for_admin, "the admins' / menu is published in their chats"
    assert "market" in str(for_admin[-1]["commands"])
    default = [p for p in menus if "chat_id" not in str(p.get("scope"))]
    assert "market" not in str(default[-1]["commands"])
    owner = await open_store(shop_bot, tg, "Zoe", f"Zoe Zines {mode}", f"Zine No 1 {mode}", "6")

    # stores: suspend with a reason (the seller is told, its / menu goes), then reinstate
    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Stores")
    await admin.expect_edit("Stores")
    for _ in range(5):  # newest stores are on the last page
        try:
            await admin.click(f"Zoe Zines {mode}")
            break
        except AssertionError:
            await admin.click("▶")
            await admin.expect_edit("Stores")
    await admin.expect_edit("Status: active")
    await admin.click("Suspend")
    await admin.expect_message("Why is")
    await admin.send("Late parcels")
    await admin.expect_message("is suspended")
    await owner.expect_message("is suspended: Late parcels")
    removed = [p for m, p in tg.state.calls if m == "deleteMyCommands"]
    assert any(str(owner.id) in str(p.get("scope")) for p in removed)
    await admin.click("Reinstate")
    await admin.expect_edit("Status: active")
    await owner.expect_message("is active again")

    # categories: a new top-level one, renamed, then moved under Fashion
    await admin.send("/categories")
    await admin.expect_message("Categories")
    await admin.click("New category")
    await admin.expect_edit("Choose the parent")
    await admin.click("Top level")
    await admin.expect_message("What is it called?")
    await admin.send(f"Zines {mode}")
    await admin.expect_message(f"Category Zines {mode} is created")
    await admin.send("/categories")
    listing = await admin.expect_message("Categories")
    for _ in range(6):
        assert listing.reply_markup is not None
        labels = [b.text for row in listing.reply_markup.inline_keyboard for b in row]
        if any(f"Zines {mode}" in label for label in labels):
            break
        await admin.click("▶")
        listing = await admin.expect_edit("Categories")
    await admin.click(f"Zines {mode}")
    await admin.expect_edit("Sub-categories: 0")
    await admin.click("Rename")
    await admin.expect_message("The new name")
    await admin.send(f"Zines & Comics {mode}")
    await admin.expect_message(f"now called Zines & Comics {mode}")
    await admin.send("/audit category")
    renamed = await admin.expect_message("Category #")
    assert "changed; name: Zines" in (renamed.text or "")

    # shipping providers: add one, switch it off, change its cost
    await admin.send("/providers")
    await admin.expect_message("Shipping providers")
    await admin.click("New provider")
    await admin.expect_message("Send the new provider")
    await admin.send("Night Owl")
    await admin.expect_message("I need a name and a cost")
    await admin.send(f"Night Owl {mode}, 7.50, 1")
    added = await admin.expect_message(f"Added: Night Owl {mode} · $7.50 · 1 day · on")
    assert added.reply_markup is not None
    await admin.click("Switch off")
    await admin.expect_edit("· off")
    await admin.click("Change the cost")
    await admin.expect_message("What should it cost?")
    await admin.send("8.25")
    await admin.expect_message(f"Saved: Night Owl {mode} · $8.25")
    buyer = tg.user("Ines")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"zine no 1 {mode}", f"Zine No 1 {mode}")
    await at_new_address(buyer)
    await enter_address(buyer, "9 Elm St, Oslo, Norway")
    options = await buyer.expect_edit("How should it be shipped?")
    assert "Night Owl" not in str(options.reply_markup)  # switched off: not offered

    # coupons: create, edit its limit and value, disable it
    await admin.send(f"/coupon ZINE{mode.upper()} percentage 10 50")
    await admin.expect_message(f"Coupon ZINE{mode.upper()} is created")
    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Coupons")
    await admin.expect_edit("Coupons")
    await admin.click(f"ZINE{mode.upper()}")
    await admin.expect_edit("Minimum order")
    await admin.click("Edit")
    await admin.expect_message("What changes")
    await admin.send("max lots")
    await admin.expect_message("I did not get that")
    await admin.send("value 120")
    await admin.expect_message("A percentage is at most 100")
    await admin.send("value 15, max 20, ends 2031-12-31")
    edited = await admin.expect_message(f"Coupon ZINE{mode.upper()} is saved")
    assert "15% off" in (edited.text or "")
    assert "used 0 of 20" in (edited.text or "")
    assert "until Dec 31, 2031" in (edited.text or "")
    await admin.click("Disable")
    await admin.expect_edit("disabled")

    # the marketplace report
    await admin.send("/market")
    await admin.expect_message("which period?")
    await admin.click("90 days")
    summary = await admin.expect_edit("The marketplace: the last 90 days")
    assert "Top stores" in (summary.text or "")
    chart = await admin.expect_message(where=lambda m: "photo" in m, timeout=20)
    assert chart.photo is not None


async def test_bans_bank_transfers_and_the_audit_log(shop_bot: ShopBot, tg: Emulator) -> None:
    admin = shop_bot.admin
    kim = tg.user("Kim")
    await kim.send("/start")
    await kim.expect_message("Welcome")
    await add_found(kim, "pour-over kettle", "Kettle")
    await check_out(kim, address="7 Dock Rd, Cork, Ireland", method="Bank transfer")
    placed = await kim.expect_edit("is placed")
    order_id = order_id_in(placed.text)
    await kim.expect_message("Please transfer")
    await admin.send(f"/paid {order_id}")
    await admin.expect_message(f"Order #{order_id} is marked paid")
    await kim.expect_message(f"received for order #{order_id}", timeout=20)
    await admin.send(f"/audit order {order_id}")
    trail = await admin.expect_message(f"Order #{order_id}")
    assert "pending → paid" in (trail.text or "")

    # a ban by @username: everything Kim does is refused with the reason; then lifted
    await admin.send(f"/user @{kim.user['username']}")
    card = await admin.expect_message("Role: customer")
    assert f"Telegram {kim.id}" in (card.text or "")
    await admin.send(f"/ban @{kim.user['username']} chargebacks")
    await admin.expect_message("is banned")
    await kim.send("/cart")
    await kim.expect_message("Your account is blocked: chargebacks")
    answer = await kim.click("Browse")  # a button from before the ban
    assert "blocked" in str(answer.get("text"))
    assert await kim.inline_query("kettle") == []
    await admin.send(f"/unban tg:{kim.id}")
    await admin.expect_message("may use the shop again")
    await kim.send("/cart")
    await kim.expect_message("Your cart")

    await admin.send("/ban @nobody_at_all spam")
    await admin.expect_message("Not found")
    await admin.send("/broadcast")
    await admin.expect_message("Usage: /broadcast")


async def test_everyone_else_is_refused_every_admin_command_and_button(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mallory = tg.user("Mallory")
    await mallory.send("/start")
    menu = await mallory.expect_message("Welcome")
    for command in ADMIN_COMMANDS:  # to everyone else, the admin commands do not exist
        await mallory.send(command)
        await mallory.expect_message(f"I don't know that command ({command.split()[0]})")
    forged = (
        "v1a1:stores",  # the admin menu's screens
        "v1a1:cats",
        "v1a2:ok:1",  # approve seller 1
        "v1a3:mv:1:1",  # move category 1
        "v1a4:tog:1",  # switch off shipping provider 1
        "v1a5:susp:1:1",  # suspend store 1
        "v1a6:off:1",  # disable coupon 1
        "v1rp:m:30",  # the marketplace report
    )
    for data in forged:
        answer = await mallory._click(
            mallory.chat.messages[menu.message_id], {"text": "x", "callback_data": data}, 5
        )
        assert "no longer active" in str(answer.get("text")), data
    await mallory.send("/audit order 1")
    await mallory.expect_message("I don't know that command")
