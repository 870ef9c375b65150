"""A customer who asks for a person reaches one: the bot asks for the message, every admin
gets it (with the customer's name, recent orders and a Reply button), and the admin's answer
comes back in the customer's chat, in the customer's language, with a Reply to write back to
the team, which every admin reads as the same request. Cancel changes nothing, the same
message twice is one request, and a banned customer reaches no one."""

from __future__ import annotations

import io
import re

from PIL import Image

from sandbox import Emulator, SimUser
from sandbox.personas import Persona
from tests.e2e.conftest import ShopBot

AISHA = 900_000_203  # a demo customer with three past orders


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _shown(message: dict[str, object]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _copies(admin: SimUser, name: str) -> list[dict[str, object]]:
    """The admin's chat's support requests from `name`, as they stand now."""
    return [m for m in admin.messages if "Support request #" in _shown(m) and name in _shown(m)]


async def test_a_customer_writes_to_the_team_and_reads_the_admins_answer(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    aisha = tg.add_persona(Persona(id=AISHA, first_name="Aisha", last_name="Khan"))
    await aisha.send("/orders")
    listing = await aisha.expect_message("Your orders")
    assert listing.reply_markup is not None
    labels = [b.text for row in listing.reply_markup.inline_keyboard for b in row]
    orders = [int(m.group(1)) for label in labels if (m := re.match(r"#(\d+)", label))]
    assert orders, labels

    await aisha.send("I want to talk to a human")
    await aisha.expect_message("Write your message to the shop's team")
    await aisha.send("My kettle arrived with a dent. Can you send another one?")
    sent = await aisha.expect_message("Sent to the shop's team")
    assert "answer you here" in (sent.text or "")
    number = int(re.findall(r"#(\d+)", sent.text or "")[0])

    copy = await admin.expect_message(f"Support request #{number}")
    shown = copy.text or ""
    assert "Aisha Khan" in shown
    assert "My kettle arrived with a dent. Can you send another one?" in shown
    assert f"#{max(orders)}" in shown  # her newest order, to look up at once
    await admin.send("/support")  # the inbox lists it too; its button is kept for later
    inbox = await admin.expect_message("waiting for an answer")
    assert f"#{number}" in (inbox.text or "")

    await admin.click_button(copy.message_id, index=0)  # ↩️ Reply
    await admin.expect_message("Write your answer to Aisha")
    twice = await admin.click_button(copy.message_id, index=0)  # a double tap asks once
    assert "below" in str(twice.get("text"))
    await admin.send("We are sorry! A new kettle ships today.")
    await admin.expect_message("Your answer went to Aisha")
    answered = await admin.expect_edit(f"Support request #{number}")
    assert "Answered by Demo: We are sorry! A new kettle ships today." in (answered.text or "")
    assert answered.reply_markup  # the copy keeps its Reply: it can be answered again
    prompts = [m for m in admin.messages if "Write your answer to Aisha" in _shown(m)]
    assert len(prompts) == 1

    reply = await aisha.expect_message("Reply from the shop's team")
    assert "We are sorry! A new kettle ships today." in (reply.text or "")

    # the inbox's old Reply: she was answered already, which the admin is told (and may
    # add an answer); the inbox is shown as it is now
    assert inbox.reply_markup is not None  # other tests' requests may wait above hers
    replies = [b.text for row in inbox.reply_markup.inline_keyboard for b in row]
    hers = next(i for i, label in enumerate(replies) if f"#{number}" in label)
    late = await admin.click_button(inbox.message_id, index=hers)
    assert "Demo answered this request already" in str(late.get("text"))
    await admin.expect_edit("Support requests")
    await admin.expect_message("Write your answer to Aisha")
    await admin.send("/cancel")
    await admin.send(f"/audit support_request {number}")
    audit = await admin.expect_message("Audit")
    assert "open → answered" in (audit.text or "")

    # what she types next is a shop request again (the inbox's old Reply opened her card)
    await aisha.send("kettle")
    following = await aisha.expect_message()
    assert "Sent to the shop's team" not in (following.text or following.caption or "")
    assert len(_copies(admin, "Aisha Khan")) == 2


async def test_cancel_and_slash_cancel_end_the_question_and_send_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    noor = tg.user("Noor")
    await noor.send("/start")
    await noor.expect_message("Welcome")
    await noor.send("contact support")
    await noor.expect_message("Write your message to the shop's team")
    await noor.click("Cancel")
    await noor.expect_edit("Cancelled")
    await noor.send("hoodie")  # a shop request again, not a message to the team
    after = await noor.expect_message()
    assert "Sent to the shop's team" not in (after.text or after.caption or "")

    await noor.send("/support")
    await noor.expect_message("Write your message to the shop's team")
    await noor.send("/cancel")
    await noor.expect_message("Cancelled")
    await noor.send("kettle")
    after = await noor.expect_message()
    assert "Sent to the shop's team" not in (after.text or after.caption or "")

    await noor.send("/support")  # "never mind" gives up as Cancel does
    await noor.expect_message("Write your message to the shop's team")
    await noor.send("actually never mind")
    await noor.expect_message("nothing was sent to the shop's team")
    assert _copies(shop_bot.admin, "Noor") == []


async def test_the_same_message_twice_is_one_request_answered_in_spanish(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    lucia = tg.user("Lucia", language_code="es")
    await lucia.send("/start")
    await lucia.expect_message("Hola")
    await lucia.send("/support")
    await lucia.expect_message("Escribe tu mensaje")
    # the same Telegram message in two updates at once (a retry): one request, one copy
    message = tg.state.add_message(lucia.chat, lucia.user, text="¿Dónde está mi pedido?")
    tg.state.push("message", message)
    tg.state.push("message", message)
    await lucia.expect_message("Enviado al equipo")
    await lucia.expect_message()  # the twin's answer: both handled
    copy = await admin.expect_message("from Lucia")
    assert "¿Dónde está mi pedido?" in (copy.text or "")
    assert len(_copies(admin, "from Lucia")) == 1

    await admin.click_button(copy.message_id, index=0)
    await admin.expect_message("Write your answer to Lucia")
    await admin.send("Llega mañana.")
    await admin.expect_message("Your answer went to Lucia")
    await admin.expect_edit("Answered by Demo: Llega mañana.")
    reply = await lucia.expect_message("Respuesta del equipo de la tienda")
    assert "Llega mañana." in (reply.text or "")


async def test_a_photo_with_a_caption_reaches_the_team(shop_bot: ShopBot, tg: Emulator) -> None:
    admin = shop_bot.admin
    ravi = tg.user("Ravi")
    await ravi.send("/start")
    await ravi.expect_message("Welcome")
    await ravi.send("/support")
    await ravi.expect_message("Write your message to the shop's team")
    await ravi.send_photo(_png(), caption="The box was crushed like this.")
    await ravi.expect_message("Sent to the shop's team")
    copy = await admin.expect_message("from Ravi")
    assert copy.photo
    assert "The box was crushed like this." in (copy.caption or "")
    await admin.click_button(copy.message_id, index=0)
    await admin.expect_message("Write your answer to Ravi")
    await admin.send("Thanks for the photo: a refund is on its way.")
    await admin.expect_edit("Answered by Demo: Thanks for the photo")
    now = next(m for m in admin.messages if m["message_id"] == copy.message_id)
    assert now.get("photo")  # the photo stays; its caption shows the answer
    assert "Answered by Demo: Thanks for the photo" in _shown(now)
    reply = await ravi.expect_message("Reply from the shop's team")
    assert "a refund is on its way" in (reply.text or "")


async def test_a_banned_customer_reaches_no_one(shop_bot: ShopBot, tg: Emulator) -> None:
    omar = tg.user("Omar")
    await omar.send("/start")
    await omar.expect_message("Welcome")
    await omar.send("contact support")
    await omar.expect_message("Write your message to the shop's team")
    await shop_bot.admin.send(f"/ban tg:{omar.id} chargebacks")
    await shop_bot.admin.expect_message("is banned")
    await omar.send("Please let me back in.")
    await omar.expect_message("Your account is blocked: chargebacks")
    await omar.send("/support")
    await omar.expect_message("Your account is blocked")
    assert _copies(shop_bot.admin, "Omar") == []


async def test_the_customer_writes_back_with_the_answers_reply_and_is_answered_again(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    hana = tg.user("Hana")
    await hana.send("/support")
    await hana.expect_message("Write your message to the shop's team")
    await hana.send("Where is my parcel?")
    sent = await hana.expect_message("Sent to the shop's team")
    number = int(re.findall(r"#(\d+)", sent.text or "")[0])
    copy = await admin.expect_message(f"Support request #{number}")
    await admin.click_button(copy.message_id, index=0)  # ↩️ Reply
    await admin.expect_message("Write your answer to Hana")
    await admin.send("It ships on Monday.")

    reply = await hana.expect_message("Reply from the shop's team")
    assert "tap ↩️ Reply below" in (reply.text or "")
    await hana.click_button(reply.message_id, index=0)  # ↩️ Reply under the answer
    await hana.expect_message("Write your answer to the shop's team")
    twice = await hana.click_button(reply.message_id, index=0)  # a double tap asks once
    assert "below" in str(twice.get("text"))
    await hana.send("Thanks, but it still hasn't arrived")
    await hana.expect_message(f"Sent to the shop's team (request #{number})")
    # the answer's Reply again: the team has her message already, nothing is asked
    stale = await hana.click_button(reply.message_id, index=0)
    assert "with the team already" in str(stale.get("text"))

    back = await admin.expect_message("Hana wrote back")
    assert f"Support request #{number}" in (back.text or "")
    assert "It ships on Monday." in (back.text or "")
    assert "it still hasn" in (back.text or "")
    await admin.click_button(back.message_id, index=0)
    await admin.expect_message("Write your answer to Hana")
    await admin.send("It is at the depot: tomorrow.")
    again = await hana.expect_message("Reply from the shop's team")
    assert "It is at the depot: tomorrow." in (again.text or "")

    await admin.send(f"/audit support_request {number}")
    audit = await admin.expect_message("Audit")
    assert "answered → open" in (audit.text or "")
