"""An old ↩️ button in the admins' list of support requests tells the truth: on a request
answered since the list was shown, it says who answered and opens the request's card as it
stands (with the answer) below the list, which is brought up to date; later answers rewrite
that card."""

from __future__ import annotations

import re

from sandbox import Emulator
from tests.e2e.conftest import ShopBot


async def test_an_old_inbox_button_opens_the_answered_request_as_it_stands(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    admin = shop_bot.admin
    john = tg.user("Johnny")
    await john.send("/support")
    await john.expect_message("Write your message to the shop's team")
    await john.send("My order never came.")
    sent = await john.expect_message("Sent to the shop's team")
    number = int(re.findall(r"#(\d+)", sent.text or "")[0])
    copy = await admin.expect_message(f"Support request #{number}")
    await admin.send("/support")
    inbox = await admin.expect_message("waiting for an answer")
    labels = [b.text for row in inbox.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    index = next(n for n, label in enumerate(labels) if f"#{number} Johnny" in label)

    await admin.click_button(copy.message_id, index=0)  # answered from the card
    await admin.expect_message("Write your answer to Johnny")
    await admin.send("It left the depot today.")
    await admin.expect_message("Your answer went to Johnny")

    tapped = await admin.click_button(inbox.message_id, index=index)  # the list's old button
    toast = str(tapped.get("text"))
    assert "Demo answered this request already" in toast
    assert "the card shows it" not in toast
    listed = await admin.expect_edit("Support requests")
    assert f"#{number} " not in (listed.text or "")  # no longer waiting
    shown = await admin.expect_message(f"Support request #{number}")
    assert "My order never came." in (shown.text or "")
    assert "Answered by Demo: It left the depot today." in (shown.text or "")
    await admin.expect_message("Write your answer to Johnny")  # an answer to add
    await admin.send("Tracking: RR123.")
    await admin.expect_message("Your answer went to Johnny")
    again = await admin.expect_edit("Answered by Demo: Tracking: RR123.")
    assert again.message_id == shown.message_id  # the card opened last shows it
