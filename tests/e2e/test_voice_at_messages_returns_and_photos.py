"""Voice notes at the questions that have their own words or wait for something else than
typed text. "never mind" said at a return's reason asks no return and says so, as typed;
said at the message to the shop's team, it sends nothing and says so; said at an admin's
answer, nothing reaches the customer. Other words said there are offered as the message
("Send these words…?"), and sent only with that offer's Yes, once, while that same message
is asked. At a step that waits for photos, a voice note is told to send a photo."""

from __future__ import annotations

import re

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, pick_category
from tests.e2e.steps import settled
from tests.e2e.test_return_how_many import _returns, _tap, _three_delivered
from tests.e2e.test_spoken_never_mind import say

OFFERED = "Send these words to the shop's team"
TEAM_CARD = "Support request #"


def _heard(offer: Message) -> str:
    """The words an offer shows it heard: 🎙 “…” → Send these words…"""
    found = re.search(r"“(.+?)”", offer.text or "")
    assert found, offer.text
    return found.group(1)


def _cards_from(admin: SimUser, name: str) -> list[str]:
    """The support cards the admin's chat shows from customer `name`."""
    return [
        str(m.get("text"))
        for m in admin.messages
        if TEAM_CARD in str(m.get("text")) and name in str(m.get("text"))
    ]


async def _asked_for_the_message(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    await user.send("/support")
    await user.expect_message("Write your message to the shop's team")
    return user


async def test_never_mind_said_at_a_returns_reason_asks_no_return(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _three_delivered(shop_bot, tg, "Ottilie")
    await buyer.click("Return")
    await buyer.expect_message("How many")
    await buyer.click("1")
    await buyer.expect_message("Why are you returning it?")
    await say(buyer, "never mind", voice="en-us+m3")  # heard surely
    said = await buyer.expect_message("no return is requested", timeout=60)
    assert "🎙" in (said.text or ""), said.text  # what was heard, in front
    await buyer.send("The shade is cracked")  # no longer the reason: the return was given up
    await settled(buyer)
    assert not any("1 ×" in str(m.get("text")) for m in buyer.messages[-3:])
    assert await _returns(shop_bot, order) == []


async def test_never_mind_said_at_the_message_to_the_team_sends_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    customer = await _asked_for_the_message(tg, "Wendeline")
    await say(customer, "never mind", voice="en-us+m3")
    said = await customer.expect_message("nothing was sent to the shop's team", timeout=60)
    assert "🎙" in (said.text or ""), said.text
    await settled(shop_bot.admin)
    assert _cards_from(shop_bot.admin, "Wendeline") == []


async def test_words_said_at_the_message_to_the_team_are_sent_only_after_its_yes(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    customer = await _asked_for_the_message(tg, "Bartholomew")
    await say(customer, "where is my parcel")
    offer = await customer.expect_message(OFFERED, timeout=60)
    words = _heard(offer)
    await settled(admin)
    assert _cards_from(admin, "Bartholomew") == []  # nothing is sent without the Yes

    sent = await customer.click("Send it")
    assert "no longer" not in str(sent.get("text")), sent
    await customer.expect_message("Sent to the shop's team", timeout=15)
    card = await admin.expect_message(
        where=lambda m: TEAM_CARD in str(m.get("text")) and "Bartholomew" in str(m.get("text"))
    )
    assert words in (card.text or ""), (words, card.text)
    again = await _tap(customer, offer, "Send it")  # the same Yes, again
    assert "no longer active" in again, again

    # No sends nothing, and the message is still asked: typed, it goes
    await customer.send("/support")
    await customer.expect_message("Write your message to the shop's team")
    await say(customer, "where is my parcel")
    refused = await customer.expect_message(OFFERED, timeout=60)
    await customer.click("Don't send")
    await customer.expect_message("nothing was sent")
    await customer.send("It was due on Monday")
    await customer.expect_message("Sent to the shop's team")
    await settled(admin)
    assert len(_cards_from(admin, "Bartholomew")) == 2, _cards_from(admin, "Bartholomew")

    # an offer under a message sent since is old, even when a new message is asked now
    await customer.send("/support")
    await customer.expect_message("Write your message to the shop's team")
    await say(customer, "where is my parcel")
    old = await customer.expect_message(OFFERED, timeout=60)
    await customer.send("Also, can I change the address?")
    await customer.expect_message("Sent to the shop's team")
    await customer.send("/support")
    await customer.expect_message("Write your message to the shop's team")
    assert "no longer active" in await _tap(customer, old, "Send it")
    assert "no longer active" in await _tap(customer, refused, "Send it")
    await settled(admin)
    assert len(_cards_from(admin, "Bartholomew")) == 3, _cards_from(admin, "Bartholomew")


async def test_an_admins_spoken_answer_reaches_the_customer_only_after_its_yes(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    customer = await _asked_for_the_message(tg, "Hyacinth")
    await customer.send("Where is my parcel?")
    await customer.expect_message("Sent to the shop's team")
    copy = await admin.expect_message(
        where=lambda m: TEAM_CARD in str(m.get("text")) and "Hyacinth" in str(m.get("text"))
    )
    await admin.click_button(copy.message_id, index=0)  # ↩️ Reply
    await admin.expect_message("Write your answer to Hyacinth")
    await say(admin, "never mind", voice="en-us+m3")
    await admin.expect_message("nothing was changed", timeout=60)  # as typed there

    await admin.click_button(copy.message_id, index=0)
    await admin.expect_message("Write your answer to Hyacinth")
    await say(admin, "your parcel ships tomorrow")
    offer = await admin.expect_message("Send these words to the customer", timeout=60)
    await settled(customer)
    assert not any("Reply from the shop's team" in str(m.get("text")) for m in customer.messages)
    await admin.click("Send it")
    await admin.expect_message("Your answer went to Hyacinth")
    answer = await customer.expect_message("Reply from the shop's team")
    assert _heard(offer) in (answer.text or ""), (offer.text, answer.text)


async def test_a_voice_note_at_the_photo_step_is_told_to_send_a_photo(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Photine", f"Photo Lamps {mode}", f"Photo Lamp {mode}", "25"
    )
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.send(f"Second Photo Lamp {mode}")
    await owner.expect_message("Describe it")
    await owner.send("skip")
    await pick_category(owner, "Home & Kitchen › Decor › Lamps")
    await owner.expect_message("Price?")
    await owner.send("30")
    await owner.expect_message("discounted price")
    await owner.send("no")
    await owner.expect_message("How many")
    await owner.send("4")
    await owner.expect_message("Send photos")
    await say(owner, "here is the lamp")
    told = await owner.expect_message("waits for photos", timeout=60)
    assert "typed answer" not in (told.text or ""), told.text
    await owner.click("Done")  # the step still waits
    await owner.expect_message("is listed")
