"""A support request as an admin reads it (handlers/admin/support.py): who wrote, their recent
orders, the message cut to what Telegram takes without breaking its HTML, the answer once
there is one, and a Reply only while it waits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from engine.support import RecentOrder, SupportRequestView
from handlers.admin.support import CAPTION_LIMIT, TEXT_LIMIT, card, card_keys
from storage.vocabulary import OrderStatus, SupportStatus

REQUEST = SupportRequestView(
    request_id=12,
    customer_id=7,
    customer_name="Aisha Khan",
    customer_username="aisha",
    text="My kettle & its lid <arrived> broken.",
    photo=None,
    status=SupportStatus.open,
    created_at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
    recent_orders=(RecentOrder(14, OrderStatus.shipped), RecentOrder(9, OrderStatus.delivered)),
    copies=(),
)
ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|#x27);)")  # an "&" that starts no whole entity


def test_the_card_names_the_customer_their_orders_and_the_message() -> None:
    text = card("en", REQUEST)
    assert "Support request #12" in text
    assert "Aisha Khan (@aisha)" in text
    assert "Recent orders: #14 (on its way), #9 (delivered)" in text
    assert "My kettle &amp; its lid &lt;arrived&gt; broken." in text
    keys = card_keys("en", REQUEST)
    assert keys is not None
    assert [b.text for row in keys.inline_keyboard for b in row] == ["↩️ Reply"]


def test_a_long_message_is_cut_to_fit_and_never_inside_an_escaped_character() -> None:
    for photo, limit in ((None, TEXT_LIMIT), ("AgAC-photo", CAPTION_LIMIT)):
        long = replace(REQUEST, text="& " * 3000, photo=photo)
        text = card("en", long)
        assert len(text) <= limit
        assert text.endswith("…")
        assert not ENTITY.search(text)


def test_an_answered_card_shows_the_answer_and_can_be_answered_again() -> None:
    answered = replace(
        REQUEST,
        status=SupportStatus.answered,
        answer="A new kettle ships today.",
        answered_by="Demo",
    )
    assert "Answered by Demo: A new kettle ships today." in card("en", answered)
    keys = card_keys("en", answered)
    assert [b.text for row in keys.inline_keyboard for b in row] == ["↩️ Reply"]
    spanish = card("es", answered)
    assert "Respondida por Demo" in spanish
