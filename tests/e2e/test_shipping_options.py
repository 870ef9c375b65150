"""Shipping is priced for the cart where it is chosen (found in the fresh-eyes walkthrough,
issue 13): a cart from two stores travels as two parcels, and the button says so, with the
amount the summary then charges."""

from __future__ import annotations

import re

from sandbox import Emulator
from tests.e2e.steps import add_found, at_new_address, enter_address


async def test_two_stores_two_parcels_priced_on_the_button(tg: Emulator) -> None:
    gus = tg.user("Gus")
    await gus.send("/start")
    await gus.expect_message("Welcome")
    await add_found(gus, "pour-over kettle", "Kettle")  # Kitchen & Co
    await add_found(gus, "teal summer dress", "Teal Summer Dress")  # Urban Threads
    await at_new_address(gus)
    await enter_address(gus, "4 Elm St, Bath, United Kingdom, BA1 1AA")
    options = await gus.expect_edit("How should it be shipped?")
    labels = [b.text for row in options.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    standard = next(label for label in labels if label.startswith("Standard Post"))
    assert standard == "Standard Post — $9.98 · 2 parcels", labels
    assert "Local Pickup Point — free" in labels
    await gus.click("Standard Post")
    await gus.expect_edit("coupon")
    await gus.click("Skip")
    await gus.expect_edit("How would you like to pay?")
    await gus.click("Cash on delivery")
    summary = (await gus.expect_edit("Please confirm")).text or ""
    shipping = re.search(r"Shipping[^\n]*?\$([\d.]+)", summary)
    assert shipping is not None, summary
    assert shipping[1] == "9.98", summary
