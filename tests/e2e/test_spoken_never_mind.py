"""A voice note that says "never mind" / "leave it" while a question waits for typed text
ends the question as the typed words do (nothing saved, nothing shipped), with what was
heard in front; heard unsurely, it is asked about first, and only its Yes, once, ends the
question (No leaves it waiting). Any other voice note is not taken as the answer: it says
to type it, and the question keeps waiting."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found, at_new_address, settled
from tests.e2e.test_address_nonsense import _saved
from tests.e2e.test_never_mind_ends_any_prompt import _ordered_from_a_store, _said
from tests.nlu.audio import note

GIVEN_UP = "nothing was changed"
ASKED = "Shall I stop waiting for your answer?"


async def say(
    user: SimUser, text: str, *, voice: str = "en-us", snr_db: float | None = None
) -> None:
    await user.send_voice(note(text, voice, snr_db=snr_db), duration=2)


async def _at_the_city(tg: Emulator, name: str) -> SimUser:
    """A customer at the new address form's second question: "Send the town or city"."""
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    await add_found(user, "pour-over kettle", "Kettle")
    await at_new_address(user)
    await user.expect_edit("step 1 of 4")
    await user.send("5 Harbour Rd")
    await user.expect_message("town or city")
    return user


async def test_leave_it_said_at_the_city_saves_no_address(shop_bot: ShopBot, tg: Emulator) -> None:
    buyer = await _at_the_city(tg, "Wilhelmina")
    await say(buyer, "leave it")  # heard surely
    given_up = await buyer.expect_message(GIVEN_UP, timeout=60)
    assert "🎙" in (given_up.text or ""), given_up.text  # what was heard, in front
    await buyer.send("Galway")  # no longer the city: the form has ended
    await settled(buyer)
    assert not any("postal code" in str(m.get("text")) for m in buyer.messages[-3:])
    assert await _saved(shop_bot, buyer) == []


async def test_other_words_said_at_a_question_are_not_its_answer(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _at_the_city(tg, "Cornelius")
    await say(buyer, "the first one")
    told = await buyer.expect_message("needs a typed answer", timeout=60)
    assert "🎙" in (told.text or ""), told.text
    await buyer.send("Galway")  # the city question still waits
    await buyer.expect_message("postal code")


async def test_a_give_up_heard_unsurely_is_asked_about_first(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _at_the_city(tg, "Eulalia")
    await _heard_unsurely(buyer)
    await buyer.click("No, keep waiting")
    await buyer.expect_message("still waiting for your answer")

    # asked again, then answered in words: its Yes is old, and ends nothing
    asked = await _heard_unsurely(buyer)
    await buyer.send("Galway")  # the city question waited
    await buyer.expect_message("postal code")
    old = await buyer.click_button(asked.message_id, index=0)  # ✖ Yes, stop
    assert "no longer active" in str(old.get("text")), old
    await buyer.send("H91 TX33")  # the postal code question still waits
    await buyer.expect_message("Send the country")

    await _heard_unsurely(buyer)
    await buyer.click("Yes, stop")
    await buyer.expect_message(GIVEN_UP)
    await buyer.send("Ireland")  # no longer the country: the form has ended
    await settled(buyer)
    assert not any("Is this address right" in str(m.get("text")) for m in buyer.messages)
    assert await _saved(shop_bot, buyer) == []


async def _heard_unsurely(user: SimUser) -> Message:
    """ "never mind", said in a noisy room: heard, but not surely."""
    await say(user, "never mind", voice="en+f3", snr_db=5.0)
    asked = await user.expect_message(ASKED, timeout=60)
    assert "Nevermind" in (asked.text or ""), asked.text
    return asked


async def test_never_mind_said_at_the_tracking_number_ships_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    owner, buyer, order = await _ordered_from_a_store(shop_bot, tg, "Voxana", "Tobiah")
    assert "confirmed" in str((await owner.click("Confirm")).get("text"))
    await owner.expect_edit("Order received by the seller")
    await owner.click("Ship")
    await owner.expect_message("Send the tracking number")
    await say(owner, "never mind", voice="en-us+m3")  # heard surely
    await owner.expect_message(GIVEN_UP, timeout=60)
    await owner.send("TRK-77120")  # no longer the tracking number
    await settled(owner)
    await settled(buyer)
    assert _said(owner, "is shipped with tracking") == []
    assert _said(buyer, f"#{order} is shipped") == []
