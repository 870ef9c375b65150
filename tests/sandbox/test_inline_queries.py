"""Inline mode in the emulator: a simulated user types `@bot query`, the bot answers with
answerInlineQuery, and the answer is checked as Telegram checks it (result ids, keyboards,
caption and text lengths, cached file ids that must exist)."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox import Emulator, SimUser
from tests.sandbox.conftest import Raw, png


async def _query(raw: Raw, user: SimUser, text: str) -> tuple[asyncio.Task[Any], str]:
    asking = asyncio.create_task(user.inline_query(text))
    updates = await raw.ok("getUpdates", timeout=5)
    query = updates[-1]["inline_query"]
    assert (query["query"], query["from"]["id"]) == (text, user.id)
    return asking, str(query["id"])


def _article(result_id: str = "p1", **extra: Any) -> dict[str, Any]:
    return {
        "type": "article",
        "id": result_id,
        "title": "Red Hoodie",
        "input_message_content": {"message_text": "<b>Red Hoodie</b>", "parse_mode": "HTML"},
        **extra,
    }


async def test_an_answer_reaches_the_user(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    asking, query_id = await _query(raw, alice, "hoodie")
    link = {
        "inline_keyboard": [[{"text": "Open", "url": "https://t.me/sandbox_shop_bot?start=p_1"}]]
    }
    await raw.ok(
        "answerInlineQuery", inline_query_id=query_id, results=[_article(reply_markup=link)]
    )
    results = await asking
    assert results[0]["reply_markup"] == link
    assert tg.violations == []


async def test_a_cached_photo_must_be_a_file_telegram_has(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    sent = await alice.send_photo(png())  # a photo the bot received: Telegram has its file id
    known = sent["photo"][-1]["file_id"]
    asking, query_id = await _query(raw, alice, "hoodie")
    unknown = {"type": "photo", "id": "p2", "photo_file_id": "AgACAgnope"}
    description = await raw.error("answerInlineQuery", inline_query_id=query_id, results=[unknown])
    assert "wrong file identifier" in description
    photo = {"type": "photo", "id": "p1", "photo_file_id": known, "caption": "<b>Hoodie</b>"}
    await raw.ok("answerInlineQuery", inline_query_id=query_id, results=[photo])
    assert (await asking)[0]["photo_file_id"] == known


async def test_result_captions_and_texts_keep_telegrams_limits(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    asking, query_id = await _query(raw, alice, "hoodie")
    too_long = _article(input_message_content={"message_text": "x" * 4097})
    assert "too long" in await raw.error(
        "answerInlineQuery", inline_query_id=query_id, results=[too_long]
    )
    empty = _article(input_message_content={"message_text": "  "})
    assert "empty" in await raw.error(
        "answerInlineQuery", inline_query_id=query_id, results=[empty]
    )
    twins = [_article("same"), _article("same")]
    assert "RESULT_ID_INVALID" in await raw.error(
        "answerInlineQuery", inline_query_id=query_id, results=twins
    )
    await raw.ok("answerInlineQuery", inline_query_id=query_id, results=[_article()])
    assert len(await asking) == 1
