"""A new address is asked field by field, checked, shown back before it is saved, and listed
once however often it is saved (issue 13: 6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from sandbox import Emulator, SimUser
from storage.db import make_engine
from storage.models import Address, User
from storage.vocabulary import AddressType
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import order_id_in
from tests.e2e.steps import add_found, at_new_address, enter_address

BAKER_STREET = ("Flat 3, 14 Baker Street", "London", "NW1 6XE", "United Kingdom")


async def _rows(shop_bot: ShopBot, user: SimUser) -> list[Any]:
    engine = make_engine(shop_bot.database_url)
    mine = select(User.user_id).where(User.telegram_id == user.id).scalar_subquery()
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                select(
                    Address.street,
                    Address.city,
                    Address.postal_code,
                    Address.country,
                    Address.type,
                    Address.is_default,
                )
                .where(Address.user_id == mine)
                .order_by(Address.address_id)
            )
            return list(result.all())
    finally:
        await engine.dispose()


async def _add_billing_copy(shop_bot: ShopBot, user: SimUser) -> None:
    """The same place saved as a billing address too (as the demo shop's customers have it)."""
    engine = make_engine(shop_bot.database_url)
    mine = select(User.user_id).where(User.telegram_id == user.id).scalar_subquery()
    street, city, postal, country = BAKER_STREET
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(Address).values(
                    user_id=mine,
                    type=AddressType.billing,
                    street=street,
                    city=city,
                    postal_code=postal,
                    country=country,
                    is_default=True,
                )
            )
    finally:
        await engine.dispose()


async def test_the_baker_street_address_is_asked_field_by_field_and_saved_whole(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    holmes = tg.user("Sherlock")
    await holmes.send("/profile")
    await holmes.expect_message("Your profile")
    await holmes.click("Add an address")
    await holmes.expect_edit("step 1 of 4")
    await holmes.send("Flat 3, 14 Baker Street")
    await holmes.expect_message("town or city")
    # a house number or a postcode is not a town: said kindly, and asked again
    await holmes.send("14 Baker Street")
    retry = await holmes.expect_message("A town or city is a name without digits")
    assert "Back" in str(retry.reply_markup)
    await holmes.send("London")
    await holmes.expect_message("postal code")
    await holmes.send("not a postcode!")
    await holmes.expect_message("That does not look like a postal code")
    await holmes.send("nw1 6xe")
    await holmes.expect_message("Send the country")
    await holmes.send("Londinium")
    await holmes.expect_message("I do not know that country")
    # Back goes one question back, and the answer given there is asked again
    await holmes.click("Back")
    await holmes.expect_edit("Send the postal code")
    await holmes.send("NW16XE")
    await holmes.expect_message("Send the country")
    await holmes.send("UK")
    review = await holmes.expect_message("Is this address right?")
    for part in ("Street: Flat 3, 14 Baker Street", "City: London", "Postal code: NW1 6XE"):
        assert part in (review.text or ""), review.text
    assert "Country: United Kingdom" in (review.text or "")
    assert await _rows(shop_bot, holmes) == [], "nothing is saved before ✅ Save"
    # ✏️ Change asks one field again, then shows the address again
    await holmes.click("Change")
    await holmes.expect_edit("Which part should change?")
    await holmes.click("City")
    await holmes.expect_edit("Send the town or city")
    await holmes.send("London")
    await holmes.expect_message("Is this address right?")
    await holmes.click("Save")
    profile = await holmes.expect_edit("Your profile")
    assert "Flat 3, 14 Baker Street, London, NW1 6XE, United Kingdom ★" in (profile.text or "")
    assert await _rows(shop_bot, holmes) == [(*BAKER_STREET, AddressType.shipping, True)]

    # an old button of the finished form changes nothing
    answer = await holmes.click_button(review.message_id, index=0)
    assert "no longer active" in str(answer.get("text")), answer
    assert len(await _rows(shop_bot, holmes)) == 1

    # the same address again is the one saved before, not a second one
    await holmes.click("Add an address")
    await enter_address(holmes, "Flat 3, 14 Baker Street, London, united kingdom, NW1 6XE")
    profile = await holmes.expect_edit("Your profile")
    assert (profile.text or "").count("14 Baker Street") == 1, profile.text
    assert len(await _rows(shop_bot, holmes)) == 1


async def test_shipping_and_billing_copies_of_one_address_are_listed_once(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    watson = tg.user("Watson")
    await watson.send("/profile")
    await watson.expect_message("Your profile")
    await watson.click("Add an address")
    await enter_address(watson, ", ".join(BAKER_STREET[:2] + BAKER_STREET[3:] + BAKER_STREET[2:3]))
    await watson.expect_edit("Your profile")
    await _add_billing_copy(shop_bot, watson)
    await watson.send("/profile")
    profile = await watson.expect_message("Your profile")
    text = profile.text or ""
    assert text.count("14 Baker Street") == 1, text
    assert text.count("★") == 2, text  # the legend "(★ the default)" and the one address
    labels = [b.text for row in profile.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert len([label for label in labels if label.startswith("🗑")]) == 1, labels
    await watson.click("🗑 Flat 3")
    forgotten = await watson.expect_edit("Your profile")
    assert "Baker Street" not in (forgotten.text or "")
    assert await _rows(shop_bot, watson) == [], "both copies are forgotten"


async def test_the_checkout_takes_a_new_address_through_the_same_form(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    hudson = tg.user("Hudson")
    await hudson.send("/start")
    await hudson.expect_message("Welcome")
    await add_found(hudson, "pour-over kettle", "Kettle")
    await at_new_address(hudson)
    await hudson.expect_edit("step 1 of 4")
    await hudson.click("Back")  # out of the form: the choice of addresses again
    await hudson.expect_edit("Where should we deliver?")
    await hudson.click("New address")
    await enter_address(hudson, "Flat 3, 14 Baker Street, London, United Kingdom, NW1 6XE")
    await hudson.expect_edit("How should it be shipped?")
    await hudson.click("Standard Post")
    await hudson.expect_edit("coupon")
    await hudson.click("Skip")
    await hudson.expect_edit("How would you like to pay?")
    await hudson.click("Cash on delivery")
    summary = await hudson.expect_edit("Please confirm")
    assert "Flat 3, 14 Baker Street, London, NW1 6XE, United Kingdom" in (summary.text or "")
    await hudson.click("Place order")
    order_id_in((await hudson.expect_edit("is placed")).text)
    assert await _rows(shop_bot, hudson) == [(*BAKER_STREET, AddressType.shipping, True)]
    await hudson.send("/profile")
    profile = await hudson.expect_message("Your profile")
    assert (profile.text or "").count("14 Baker Street") == 1


async def test_which_part_should_change_takes_a_typed_part_and_a_typed_new_value(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """At "Which part should change?", typing the part ("the city", "postcode") asks it again
    as its button does, and "the postcode is NW1 6XE" changes it at once; words that name no
    part, or two, leave the address as it was and say which parts there are."""
    watson = tg.user("John W")
    await watson.send("/profile")
    await watson.expect_message("Your profile")
    await watson.click("Add an address")
    await watson.expect_edit("step 1 of 4")
    for answer in ("221B Baker Street", "Londn", "NW1 6XE", "United Kingdom"):
        await watson.send(answer)
    await watson.expect_message("Is this address right?")
    await watson.send("no")
    await watson.expect_message("Which part should change?")
    await watson.send("the town")
    await watson.expect_message("Send the town or city")
    await watson.send("London")
    review = await watson.expect_message("Is this address right?")
    assert "City: London" in (review.text or ""), review.text

    await watson.send("change it")
    await watson.expect_message("Which part should change?")
    await watson.send("the city and the street")  # two parts: which one first?
    kept = await watson.expect_message("Which part should change?")
    assert "City" in str(kept.reply_markup), kept.reply_markup
    await watson.send("postcode should be NW1 6XF")
    review = await watson.expect_message("Is this address right?")
    assert "Postal code: NW1 6XF" in (review.text or ""), review.text
    assert "City: London" in (review.text or ""), review.text
    await watson.send("the postcode is banana")  # refused kindly, and asked again
    await watson.expect_message("That does not look like a postal code")
    await watson.send("NW1 6XE")
    await watson.expect_message("Is this address right?")
    await watson.send("yes")
    await watson.expect_message("saved")
    street, city, postal, country, _, _ = (await _rows(shop_bot, watson))[0]
    assert (street, city, postal, country) == (
        "221B Baker Street",
        "London",
        "NW1 6XE",
        "United Kingdom",
    )
