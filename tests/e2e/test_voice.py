"""Voice notes through the emulator, heard by the bot's bundled Whisper model: they lead to
the same engine operations as typed words, show what was heard, are answered by voice too
(VOICE_REPLIES=true), and never stall other chats; off-topic or broken notes change nothing."""

from __future__ import annotations

from typing import Any

from sandbox import Emulator, SimUser
from tests.e2e.steps import check_out
from tests.nlu.audio import note


def _is_voice(message: dict[str, Any]) -> bool:
    return "voice" in message


async def say(user: SimUser, text: str, *, voice: str = "en-us") -> None:
    await user.send_voice(note(text, voice), duration=3)


async def heard(user: SimUser, *, timeout: float = 60) -> Any:
    """The bot's answer to a voice note; when it was not sure it heard a request that changes
    something, it asks first, and the user says yes."""
    answer = await user.expect_message("🎙", timeout=timeout)
    if "I am not sure I heard that right" in (answer.text or ""):
        await user.click("Yes, do it")
        answer = await user.expect_message("🎙", timeout=timeout)
    return answer


async def test_voice_notes_fill_the_cart_and_keep_a_coupon(tg: Emulator) -> None:
    hana = tg.user("Hana")
    await hana.send("/start")
    await hana.expect_message("Welcome")
    await say(hana, "add two olive pour over kettles to my cart")
    added = await heard(hana)
    assert "pour" in (added.text or "").lower().split("→")[0]  # what was heard comes first
    assert "Added 2 × Olive Pour-Over Kettle" in (added.text or "")
    spoken = await hana.expect_message(where=_is_voice, timeout=30)
    assert spoken.voice is not None
    assert spoken.voice.duration >= 1
    await say(hana, "apply coupon save five", voice="en+f3")  # SAVE5: $5 off orders over $50
    applied = await heard(hana)
    assert "Coupon SAVE5 will be used at checkout" in (applied.text or "")
    await hana.send("/cart")
    cart = await hana.expect_message("Your cart")
    assert "2 × Olive Pour-Over Kettle" in (cart.text or "")


async def test_voice_notes_track_and_cancel_an_order(tg: Emulator) -> None:
    ivan = tg.user("Ivan")
    await ivan.send("/start")
    await ivan.expect_message("Welcome")
    await ivan.send("add an olive pour-over kettle to my cart please")
    await ivan.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=30)
    await check_out(ivan, address="3 Quay Street, Bath, United Kingdom", provider="Local Pickup")
    await ivan.expect_message("You will pay")
    await say(ivan, "where is my order")
    tracked = await ivan.expect_message("🎙", timeout=60)
    assert "Status: placed" in (tracked.text or "")  # cash at the pickup: placed, not owed
    await say(ivan, "cancel my order")
    asked = await heard(ivan)  # the order's own one-tap confirmation, unsure words or not
    assert "Cancel order #" in (asked.text or "")
    answer = await ivan.click("Yes, cancel it")
    assert "is cancelled" in str(answer.get("text"))


async def test_an_off_topic_voice_note_changes_nothing(tg: Emulator) -> None:
    jude = tg.user("Jude")
    await jude.send("/start")
    await jude.expect_message("Welcome")
    await say(jude, "book me a flight to paris tomorrow")
    reply = await jude.expect_message("🎙", timeout=60)
    said = reply.text or ""  # whisper may mishear a word; whatever it heard, nothing is done
    assert any(
        answer in said
        for answer in ("not something this shop can help with", "Sorry, I did not get that")
    ), said
    await jude.send("/cart")
    await jude.expect_message("Your cart is empty")


async def test_broken_or_overlong_notes_are_refused_politely(tg: Emulator) -> None:
    kim = tg.user("Kim")
    await kim.send("/start")
    await kim.expect_message("Welcome")
    await kim.send_voice(b"this is not audio at all", duration=2)
    await kim.expect_message("I could not play that voice note", timeout=30)
    await kim.send_voice(
        note("add an olive pour over kettle"), duration=120
    )  # longer than VOICE_MAX_SECONDS
    await kim.expect_message("too long", timeout=30)
    await kim.send("/cart")
    await kim.expect_message("Your cart is empty")


async def test_a_long_note_does_not_stall_other_chats(tg: Emulator) -> None:
    """A 30-odd-second note is transcribed in a worker process; meanwhile another customer's
    typed request is answered first (the order of answers, not a stopwatch, is the proof)."""
    leo, mia = tg.user("Leo"), tg.user("Mia")
    for user in (leo, mia):
        await user.send("/start")
        await user.expect_message("Welcome")
    long_note = note(
        "hello there, i am looking for something nice for my sister, she likes running and "
        "yoga and she drinks a lot of coffee, and her birthday is next week, so i would like "
        "to see a few ideas, maybe a yoga mat or a pour over kettle or some running shoes, "
        "whatever you think she would enjoy the most, thank you very much for your help"
    )
    await leo.send_voice(long_note, duration=30)
    await mia.send("/cart")
    await mia.expect_message("Your cart is empty", timeout=30)
    heard_yet = [e for e in leo.chat.events if "🎙" in str(e.message.get("text"))]
    assert heard_yet == [], "the long note was answered before a quick /cart in another chat"
    heard = await leo.expect_message("🎙", timeout=90)
    assert "yoga" in (heard.text or "").lower()
