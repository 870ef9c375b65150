"""The checkout's coupon question reads an answer as a person gives it: "no thanks" skips it,
"save ten" is SAVE10 when the shop has that code, words that are no code are answered kindly
and change nothing; and a second coupon says which one it replaces and what each saves (an
order takes one coupon)."""

from __future__ import annotations

import re
from decimal import Decimal

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found, at_new_address, enter_address


def _amounts(text: str | None) -> list[Decimal]:
    return [
        Decimal(a.replace(",", "")) for a in re.findall(r"\$([0-9][0-9,]*\.[0-9]{2})", text or "")
    ]


async def _to_the_coupon_question(user: SimUser, address: str) -> None:
    await at_new_address(user)
    await enter_address(user, address)
    await user.expect_edit("How should it be shipped?")
    await user.click("Standard Post")
    await user.expect_edit("Do you have a coupon?")


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


async def test_no_thanks_skips_the_coupon_and_other_words_leave_the_question_open(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _started(tg, "Quentin")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await _to_the_coupon_question(buyer, "3 Mill Lane, Leeds, United Kingdom, LS1 4AP")

    # words that are no code: said kindly, the question stays, nothing is applied
    await buyer.send("what is a coupon, where do I get one?")
    kind = await buyer.expect_message("does not look like a coupon code")
    assert "Skip" in str(kind.reply_markup), kind.reply_markup
    await buyer.expect_no_message(within=0.5)  # no payment question: the step is still open

    await buyer.send("no thanks")
    await buyer.expect_message("no coupon")
    await buyer.expect_message("How would you like to pay?")
    await buyer.click("Cash on delivery")
    summary = await buyer.expect_edit("Please confirm")
    assert "Discount" not in (summary.text or ""), summary.text


async def _save10(shop_bot: ShopBot) -> None:
    """The shop's SAVE10 ($10 off), made once per shop by the admin."""
    admin = shop_bot.admin
    await admin.send("/coupon SAVE10 fixed 10")
    await admin.expect_message(where=lambda m: "SAVE10" in str(m.get("text")))


async def test_a_code_said_in_words_is_the_shops_code(shop_bot: ShopBot, tg: Emulator) -> None:
    await _save10(shop_bot)
    buyer = await _started(tg, "Rosalind")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await _to_the_coupon_question(buyer, "8 Quay Street, Cork, Ireland")
    await buyer.send("save ten")
    await buyer.expect_message("Coupon SAVE10: you save $10.00")
    await buyer.expect_message("How would you like to pay?")
    await buyer.click("Cash on delivery")
    summary = await buyer.expect_edit("Please confirm")
    assert "Discount (SAVE10): −$10.00" in (summary.text or ""), summary.text


async def test_a_second_coupon_says_which_it_replaces_and_what_each_saves(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    await _save10(shop_bot)
    buyer = await _started(tg, "Ottoline")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await _to_the_coupon_question(buyer, "9 Quay Street, Cork, Ireland")
    await buyer.send("SAVE10")
    await buyer.expect_message("Coupon SAVE10: you save $10.00")
    await buyer.expect_message("How would you like to pay?")

    # back to the coupon question: another code replaces SAVE10, and says so with both amounts
    await buyer.click("Back")
    await buyer.expect_edit("SAVE10 is applied")
    await buyer.send("welcome10")
    replaced = await buyer.expect_message("WELCOME10 replaces SAVE10")
    welcome, save10 = _amounts(replaced.text)  # "you save $X instead of $10.00"
    assert save10 == Decimal("10.00"), replaced.text
    assert Decimal(0) < welcome < save10, replaced.text  # 10% of the kettle
    await buyer.expect_message("How would you like to pay?")
    await buyer.click("Card")
    summary = await buyer.expect_edit("Please confirm")
    assert f"Discount (WELCOME10): −${welcome}" in (summary.text or ""), summary.text

    # saying no to the coupon when one is applied removes it, and says so
    await buyer.click("Back")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Back")
    await buyer.expect_edit("WELCOME10 is applied")
    await buyer.send("none")
    await buyer.expect_message("WELCOME10 is removed")
    await buyer.expect_message("How would you like to pay?")
    await buyer.click("Cash on delivery")
    summary = await buyer.expect_edit("Please confirm")
    assert "Discount" not in (summary.text or ""), summary.text


async def test_never_mind_at_the_coupon_question_goes_on_without_one_and_cancel_ends(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """ "never mind" / "forget it" at the coupon question drops the coupon, not the checkout
    (the address and shipping chosen are not lost); "cancel" still ends the checkout."""
    buyer = await _started(tg, "Ottilie")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await _to_the_coupon_question(buyer, "5 Rope Walk, Hull, United Kingdom, HU1 1AA")
    await buyer.send("oh never mind")
    await buyer.expect_message("no coupon")
    await buyer.expect_message("How would you like to pay?")
    await buyer.click("Cash on delivery")
    summary = await buyer.expect_edit("Please confirm")
    assert "Discount" not in (summary.text or ""), summary.text

    await buyer.click("Back")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Back")
    await buyer.expect_edit("Do you have a coupon?")
    await buyer.send("cancel")
    await buyer.expect_message("nothing was changed")
