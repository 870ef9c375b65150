"""At checkout's address and shipping steps a typed answer that names one of the choices
chooses it as its button does: an address by its city or street, its place ("the first one")
or "home"; a shipping option by its name ("standard"), its place ("2"), "pickup" or "the
cheapest"; "a new address" opens the address form. The old buttons of the step answered are
stale then. Words that name no choice say what is asked, list the choices with the buttons
again, and change nothing; "pickup" where no pickup point serves the address says so."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.steps import add_found, at_new_address, enter_address

BATH = "4 Tanner Street, Bath, United Kingdom, BA1 1AA"
YORK = "8 Kiln Row, York, United Kingdom, YO1 7HH"


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    return user


def _labels(message: Message | dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") if isinstance(message, dict) else message.reply_markup
    if markup is None:
        return []
    rows = markup["inline_keyboard"] if isinstance(markup, dict) else markup.inline_keyboard
    return [b["text"] if isinstance(b, dict) else b.text for row in rows for b in row]


async def _at_the_addresses(user: SimUser) -> Message:
    await user.send("/cart")
    await user.expect_message("Your cart")
    await user.click("Checkout")
    return await user.expect_edit("Where should we deliver?")


async def _to_the_summary(user: SimUser) -> str:
    """From the coupon question (asked under a typed answer) to the summary's text."""
    await user.expect_message("Do you have a coupon?")
    await user.click("Skip")
    await user.expect_edit("How would you like to pay?")
    await user.click("Cash on delivery")
    return (await user.expect_edit("Please confirm")).text or ""


async def test_a_typed_shipping_option_chooses_it_and_other_words_list_the_options(
    tg: Emulator,
) -> None:
    buyer = await _started(tg, "Tamsin")
    await at_new_address(buyer)
    await enter_address(buyer, BATH)
    asked = await buyer.expect_edit("How should it be shipped?")

    # words that name no option: what is asked, the options, the buttons again; no step on
    await buyer.send("hello?")
    which = await buyer.expect_message("How should it be shipped? Tap an option below")
    for name in ("Standard Post", "Speedy Couriers", "Local Pickup Point"):
        assert name in (which.text or ""), which.text
    assert any(label.startswith("Standard Post") for label in _labels(which)), which
    await buyer.expect_no_message(within=0.5)

    await buyer.send("standard please")
    summary = await _to_the_summary(buyer)
    assert "Standard Post" in summary, summary

    # the shipping question answered in words: its old buttons choose nothing any more
    speedy = next(
        b
        for row in asked.reply_markup.inline_keyboard  # type: ignore[union-attr]
        for b in row
        if b.text.startswith("Speedy")
    )
    answer = await buyer.click_button(asked.message_id, data=speedy.callback_data)
    assert "no longer active" in str(answer.get("text")), answer
    await buyer.expect_no_message(within=0.5)


async def test_the_cheapest_and_pickup_typed_are_the_engines_options(tg: Emulator) -> None:
    buyer = await _started(tg, "Ottilie")
    await at_new_address(buyer)
    await enter_address(buyer, YORK)
    await buyer.expect_edit("How should it be shipped?")
    await buyer.send("the cheapest")  # cheapest first, as the engine lists them: pickup, free
    summary = await _to_the_summary(buyer)
    assert "Local Pickup Point" in summary, summary

    await buyer.send("/cancel")
    await buyer.expect_message("Cancelled")
    await _at_the_addresses(buyer)
    await buyer.send("home")  # the only address saved
    await buyer.expect_message("How should it be shipped?")
    await buyer.send("I'll pick it up")
    summary = await _to_the_summary(buyer)
    assert "Local Pickup Point" in summary, summary


async def test_pickup_typed_where_no_pickup_point_serves_says_so_and_a_place_chooses(
    tg: Emulator,
) -> None:
    buyer = await _started(tg, "Ludovica")
    await at_new_address(buyer)
    await enter_address(buyer, "7 Via Roma, Turin, Italy, 10121")
    asked = await buyer.expect_edit("How should it be shipped?")
    await buyer.send("pickup")
    which = await buyer.expect_message("How should it be shipped? Tap an option below")
    assert "Pickup isn't available in Italy" in (which.text or ""), which.text
    assert "Local Pickup Point" not in (which.text or ""), which.text
    await buyer.expect_no_message(within=0.5)

    second = _labels(asked)[1].split(" — ")[0]  # the second option, as the buttons list them
    await buyer.send("2")
    summary = await _to_the_summary(buyer)
    assert second in summary, (second, summary)


async def test_a_typed_address_chooses_it_and_a_new_one_opens_the_form(tg: Emulator) -> None:
    buyer = await _started(tg, "Barnaby")
    await at_new_address(buyer)
    await enter_address(buyer, BATH)
    await buyer.expect_edit("How should it be shipped?")
    await buyer.send("/cancel")
    await buyer.expect_message("Cancelled")

    # a second address, asked for in words
    await _at_the_addresses(buyer)
    await buyer.send("a new address please")
    await buyer.expect_message("step 1 of 4")
    await buyer.send("8 Kiln Row")
    await buyer.expect_message("town or city")
    await buyer.send("York")
    await buyer.expect_message("postal code")
    await buyer.send("YO1 7HH")
    await buyer.expect_message("Send the country")
    await buyer.send("United Kingdom")
    await buyer.expect_message("Is this address right?")
    await buyer.click("Save")
    await buyer.expect_edit("How should it be shipped?")
    await buyer.send("/cancel")
    await buyer.expect_message("Cancelled")

    # words that name no address: what is asked, the addresses, the buttons again
    asked = await _at_the_addresses(buyer)
    await buyer.send("somewhere nice")
    which = await buyer.expect_message("Where should we deliver? Tap an address below")
    assert "4 Tanner Street, Bath" in (which.text or ""), which.text
    assert "8 Kiln Row, York" in (which.text or ""), which.text
    assert any("New address" in label for label in _labels(which)), which
    await buyer.expect_no_message(within=0.5)

    await buyer.send("York")
    await buyer.expect_message("How should it be shipped?")
    await buyer.send("standard")
    summary = await _to_the_summary(buyer)
    assert "Kiln Row" in summary, summary
    assert "Tanner Street" not in summary, summary

    # the address question answered in words: its old buttons choose nothing any more
    bath = next(
        b
        for row in asked.reply_markup.inline_keyboard  # type: ignore[union-attr]
        for b in row
        if "Bath" in b.text
    )
    answer = await buyer.click_button(asked.message_id, data=bath.callback_data)
    assert "no longer active" in str(answer.get("text")), answer

    # "the first one" and "home": the default address (the first one saved)
    await buyer.send("/cancel")
    await buyer.expect_message("Cancelled")
    for said in ("the first one", "home"):
        await _at_the_addresses(buyer)
        await buyer.send(said)
        await buyer.expect_message("How should it be shipped?")
        await buyer.send("Standard Post")
        summary = await _to_the_summary(buyer)
        assert "Tanner Street" in summary, (said, summary)
        await buyer.send("/cancel")
        await buyer.expect_message("Cancelled")


async def test_none_typed_at_the_postal_code_is_no_postal_code(tg: Emulator) -> None:
    buyer = await _started(tg, "Eamon")
    await at_new_address(buyer)
    await buyer.expect_edit("step 1 of 4")
    await buyer.send("2 Quay St")
    await buyer.expect_message("town or city")
    await buyer.send("Cork")
    await buyer.expect_message("postal code")
    await buyer.send("none")
    await buyer.expect_message("Send the country")
    await buyer.send("Ireland")
    review = await buyer.expect_message("Is this address right?")
    assert "Postal code: —" in (review.text or ""), review.text
