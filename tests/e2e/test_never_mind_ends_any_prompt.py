"""While the bot waits for typed text, "never mind" / "cancel" give the question up as /cancel
does: it is never taken as the answer (a reason to reject an order, a tracking number, an
answer to a customer, an address's city or postcode, a product's name). Ending a question
keeps the coupon given for checkout, and an old ✖ Cancel under a question answered since
says so rather than "Cancelled"."""

from __future__ import annotations

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in
from tests.e2e.steps import add_found, at_new_address, check_out, enter_address, settled
from tests.e2e.test_address_nonsense import _saved

GIVEN_UP = "nothing was changed"


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


async def _ordered_from_a_store(
    shop_bot: ShopBot, tg: Emulator, owner_name: str, buyer_name: str
) -> tuple[SimUser, SimUser, int]:
    """A new store's product ordered by a new customer; the seller's card of it open."""
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, owner_name, f"{owner_name} Lamps {mode}", f"{owner_name} Lamp {mode}", "25"
    )
    buyer = await _started(tg, buyer_name)
    await add_found(buyer, f"{owner_name} lamp {mode}".lower(), f"{owner_name} Lamp {mode}")
    await check_out(buyer, address="2 Quay St, Cork, Ireland")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await owner.expect_message(f"New order #{order}")
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message(f"#{order}")
    await owner.click(f"#{order}")
    await owner.expect_edit(f"Order #{order}")
    return owner, buyer, order


async def _checks_out_with_the_coupon(user: SimUser, code: str) -> None:
    """Checkout from a new address: the coupon given before is kept (not asked again) and the
    summary names it."""
    await at_new_address(user)
    await enter_address(user, "3 Mill Lane, Leeds, United Kingdom, LS1 4AP")
    await user.expect_edit("How should it be shipped?")
    await user.click("Standard Post")
    await user.expect_edit("How would you like to pay?")  # the coupon is not asked again
    await user.click("Cash on delivery")
    summary = await user.expect_edit("Please confirm")
    assert code in str(summary.text), summary.text


def _said(user: SimUser, words: str) -> list[str]:
    return [str(m.get("text")) for m in user.messages if words in str(m.get("text"))]


async def test_never_mind_at_the_reject_reason_rejects_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    owner, buyer, order = await _ordered_from_a_store(shop_bot, tg, "Mayanna", "Corentin")
    await owner.click("Reject")
    await owner.expect_message("Why can't you fulfil")
    await owner.send("never mind")
    await owner.expect_message(GIVEN_UP)
    await owner.send("Out of this size")  # no longer a reason: the question has ended
    await settled(buyer)
    assert _said(buyer, "is cancelled") == []
    assert _said(owner, f"#{order} is cancelled") == []


async def test_cancel_at_the_tracking_number_ships_nothing_and_an_old_cancel_says_answered(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    owner, buyer, _ = await _ordered_from_a_store(shop_bot, tg, "Trackella", "Benedikt")
    assert "confirmed" in str((await owner.click("Confirm")).get("text"))
    await owner.expect_edit("Order received by the seller")
    await owner.click("Ship")
    await owner.expect_message("Send the tracking number")
    await owner.send("cancel")
    await owner.expect_message(GIVEN_UP)
    await settled(owner)
    assert _said(owner, "is shipped with tracking") == []
    assert _said(buyer, "shipped") == []

    await owner.click("Ship")
    asked = await owner.expect_message("Send the tracking number")
    await owner.send("TRK-55120")
    await owner.expect_message("is shipped with tracking")
    said = str((await owner.click_button(asked.message_id, data="v1q")).get("text"))
    assert "answered already" in said, said
    assert "Cancelled" not in said, said
    await settled(owner)
    assert "Cancelled" not in str(owner.chat.messages[asked.message_id].get("text"))


async def test_never_mind_at_the_admins_reply_sends_nothing_to_the_customer(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    asker = tg.user("Philippa")
    await asker.send("/support")
    await asker.expect_message("Write your message to the shop's team")
    await asker.send("Where is my parcel?")
    await asker.expect_message("Sent to the shop's team")
    copy = await admin.expect_message(
        where=lambda m: "Support request #" in str(m.get("text")) and "Philippa" in str(m)
    )
    await admin.click_button(copy.message_id, index=0)  # ↩️ Reply
    await admin.expect_message("Write your answer to Philippa")
    await admin.send("never mind")
    await admin.expect_message(GIVEN_UP)
    await settled(asker)
    assert _said(asker, "Reply from the shop's team") == []
    # the menu after it leads an admin back to the admin panel (the walk found none)
    await admin.click("🛠 Admin panel")
    await admin.expect_edit("Admin")


async def test_never_mind_at_the_city_and_cancel_at_the_postcode_save_no_address(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _started(tg, "Aurelio")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await at_new_address(buyer)
    await buyer.expect_edit("step 1 of 4")
    await buyer.send("5 Harbour Rd")
    await buyer.expect_message("town or city")
    await buyer.send("never mind")
    await buyer.expect_message(GIVEN_UP)

    await at_new_address(buyer)
    await buyer.expect_edit("step 1 of 4")
    await buyer.send("5 Harbour Rd")
    await buyer.expect_message("town or city")
    await buyer.send("Galway")
    await buyer.expect_message("postal code")
    await buyer.send("cancel")
    answer = await buyer.expect_message(GIVEN_UP)
    assert "not a postal code" not in str(answer.text)
    await settled(buyer)
    assert await _saved(shop_bot, buyer) == []


async def test_never_mind_at_a_new_products_name_lists_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Namira", f"Named Lamps {mode}", f"Named Lamp {mode}", "25"
    )
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.send("never mind")
    await owner.expect_message(GIVEN_UP)
    await owner.send("Describe nothing")  # no longer the wizard's next answer
    await settled(owner)
    assert len(_said(owner, "Describe it")) == 1  # open_store's only


async def test_the_coupon_given_in_words_survives_cancel_and_start(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _started(tg, "Leocadia")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await buyer.send("apply FREESHIP")
    await buyer.expect_message("FREESHIP")
    await buyer.send("/cancel")
    await buyer.expect_message("Nothing was changed")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")

    await _checks_out_with_the_coupon(buyer, "FREESHIP")


async def test_a_sellers_coupon_for_checkout_survives_the_store_and_its_wizard(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """A seller is a customer too: opening the store and giving up a new product end the
    seller's steps, not the coupon the same person gave for checkout."""
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Couponia", f"Coupon Lamps {mode}", f"Coupon Lamp {mode}", "25"
    )
    await add_found(owner, "pour-over kettle", "Kettle")
    await owner.send("apply FREESHIP")
    await owner.expect_message("FREESHIP")
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.click("✖ Cancel")
    await owner.expect_edit("nothing was saved")

    await _checks_out_with_the_coupon(owner, "FREESHIP")
