"""/help says what the shop can do and who to write to (SUPPORT_CONTACT); a blocked customer
is pointed there too (issue 13: /help)."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot

SUPPORT = "@marketplace_support"  # tests/e2e/conftest.py sets SUPPORT_CONTACT to it


async def test_help_covers_the_shop_and_names_the_support_contact(tg: Emulator) -> None:
    lena = tg.user("Lena")
    await lena.send("/help")
    said = (await lena.expect_message("shopping assistant")).text or ""
    for topic in ("Browse", "search", "coupon", "Voice", "Wishlist", "Tracking", "Returns"):
        assert topic in said, (topic, said)
    assert SUPPORT in said
    await lena.click("Help")  # the menu's button says the same
    assert SUPPORT in ((await lena.expect_message("shopping assistant")).text or "")


async def test_a_blocked_customer_is_told_where_to_ask(shop_bot: ShopBot, tg: Emulator) -> None:
    mallory = tg.user("Mallory")
    await mallory.send("/start")
    await mallory.expect_message("Welcome")
    await shop_bot.admin.send(f"/ban tg:{mallory.id} chargebacks")
    await shop_bot.admin.expect_message("is banned")
    await mallory.send("/cart")
    # the reply to /cart, not the ban's own notice ("Your account is blocked: chargebacks."),
    # which the outbox may deliver first
    blocked = await mallory.expect_message("Contact support")
    assert "Your account is blocked: chargebacks" in (blocked.text or "")
    assert SUPPORT in (blocked.text or "")
