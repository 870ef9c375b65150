"""A customer's walk through checkout (found by a tester in the web chat): "Is this address
right?" takes a typed yes, once, and a typed "never mind" saves nothing; a pickup point is
offered only in its own country; the cart shows the coupon waiting for checkout and what it
takes off; cash on delivery from two stores is said in parts, one per store's parcel."""

from __future__ import annotations

import re
from decimal import Decimal

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found, at_new_address, check_out, enter_address, settled
from tests.e2e.test_addresses import _rows
from tests.e2e.test_return_how_many import _tap


async def _at_the_address_review(tg: Emulator, name: str) -> tuple[SimUser, Message]:
    """A new customer with a kettle in the cart, at checkout's new address, every field
    answered for 9 Kiln Row, York: the customer and the "Is this address right?" message."""
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    await at_new_address(user)
    await user.expect_edit("step 1 of 4")
    for said, asked in (
        ("9 Kiln Row", "town or city"),
        ("York", "postal code"),
        ("YO1 7HH", "Send the country"),
        ("United Kingdom", "Is this address right?"),
    ):
        await user.send(said)
        review = await user.expect_message(asked)
    return user, review


def _money(text: str, label: str) -> Decimal:
    """The amount after `label` in `text` ("Total: $12.34")."""
    found = re.search(re.escape(label) + r"[^$\n]*\$([\d,]+\.\d\d)", text)
    assert found is not None, (label, text)
    return Decimal(found[1].replace(",", ""))


async def test_a_typed_yes_saves_the_address_once_and_checkout_goes_on(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    sara, review = await _at_the_address_review(tg, "Sara")
    await sara.send("looks good")
    await sara.expect_message("Address saved")
    await sara.expect_message("How should it be shipped?")
    # the old ✅ Save, tapped after the typed yes: nothing saved twice, checkout stays put
    answer = await _tap(sara, review, "Save")
    assert "no longer active" in answer, answer
    await sara.expect_no_message(within=1.0)
    assert [(r.street, r.city) for r in await _rows(shop_bot, sara)] == [("9 Kiln Row", "York")]


async def test_never_mind_at_the_address_saves_nothing_and_no_asks_which_part(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    samira, _ = await _at_the_address_review(tg, "Samira")
    await samira.send("never mind")
    kept = await samira.expect_message("nothing is saved")
    assert "Is this address right?" in str(kept.text), kept.text
    await samira.send("no, change it")
    await samira.expect_message("Which part should change?")
    await settled(samira)
    assert await _rows(shop_bot, samira) == []
    await samira.send("yes")  # the address is still waiting: yes saves it now
    await samira.expect_message("How should it be shipped?")
    assert len(await _rows(shop_bot, samira)) == 1


async def test_a_pickup_point_in_the_uk_is_not_offered_for_bangladesh(tg: Emulator) -> None:
    user = tg.user("Sadia")
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    await at_new_address(user)
    await enter_address(user, "House 12, Road 5, Dhaka, Bangladesh, 1207")
    options = await user.expect_edit("How should it be shipped?")
    labels = [b.text for row in options.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert not any("Pickup" in label for label in labels), labels
    assert any(label.startswith("Standard Post") for label in labels), labels
    assert "Pickup isn't available in Bangladesh" in str(options.text), options.text


async def test_the_cart_shows_the_coupon_kept_for_checkout_and_totals_agree(
    tg: Emulator,
) -> None:
    user = tg.user("Soren")
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    await user.send("use WELCOME10")
    await user.expect_message("WELCOME10")
    await user.send("/cart")
    cart = str((await user.expect_message("Your cart")).text)
    assert "Coupon WELCOME10, used at checkout: −$" in cart, cart
    discount, after = _money(cart, "used at checkout"), _money(cart, "After it")
    assert after == _money(cart, "Subtotal") - discount, cart
    await user.click("Checkout")
    await user.expect_edit("Where should we deliver?")
    await user.click("New address")
    await enter_address(user, "9 Kiln Row, York, United Kingdom, YO1 7HH")
    await user.expect_edit("How should it be shipped?")
    await user.click("Standard Post")
    await user.expect_edit("How would you like to pay?")  # the coupon is given already
    await user.click("Cash on delivery")
    summary = str((await user.expect_edit("Please confirm")).text)
    assert _money(summary, "Total") == after + _money(summary, "Shipping"), summary


async def test_cash_on_delivery_from_two_stores_is_said_in_parts_per_parcel(
    tg: Emulator,
) -> None:
    user: SimUser = tg.user("Sven")
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")  # Kitchen & Co
    await add_found(user, "teal summer dress", "Teal Summer Dress")  # Urban Threads
    summary = str((await check_out(user, address="4 Elm St, Bath, United Kingdom, BA1 1AA")).text)
    total = _money(summary, "Total")
    assert "Paid in cash in 2 parts" in summary, summary
    parts = [_money(summary, "Kitchen & Co's parcel"), _money(summary, "Urban Threads' parcel")]
    assert sum(parts) == total, summary
    await user.expect_edit("is placed")
    said = str((await user.expect_message("in cash in 2 parts")).text)
    assert _money(said, "pay") == total, said
    assert [_money(said, "Kitchen & Co's parcel"), _money(said, "Urban Threads' parcel")] == parts
