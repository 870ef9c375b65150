"""The emulator's own failures: text it could not parse is refused as Telegram refuses it, not
answered 500; a bug of its own is answered with Telegram's JSON 500, logged with its traceback
and kept on `Emulator.failures`, so the test during which it happened says where; a webhook
deleted under an update in flight does not wedge that chat's deliveries."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiohttp import web

from sandbox import Emulator
from sandbox.api import HANDLERS
from sandbox.state import State
from sandbox.validation import Call
from tests.sandbox.conftest import Raw
from tests.sandbox.test_webhook import Receiver, receiver

__all__ = ["receiver"]  # the webhook endpoint fixture, shared with test_webhook.py


async def _broken(state: State, call: Call) -> Any:
    raise KeyError("a sandbox bug")


@pytest.mark.parametrize(
    "text", ["Price <![ 5 ]", "a <![if mso]> b", "a <![CDATA[b]]> c"], ids=["bare", "if", "cdata"]
)
async def test_html_the_parser_cannot_read_is_refused_with_can_t_parse_entities(
    raw: Raw, tg: Emulator, text: str
) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    description = await raw.error("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")
    assert description.startswith("Bad Request: can't parse entities: Unsupported"), description
    assert tg.failures == []


async def test_a_lone_surrogate_in_formatted_text_is_shown_as_the_replacement_character(
    raw: Raw, tg: Emulator
) -> None:
    """JSON may carry half an emoji ("\\ud83d"): the message is kept, with U+FFFD in its place
    and the entities still at the right UTF-16 offsets."""
    alice = tg.user("Alice")
    await alice.send("/start")
    text = "ok \ud83d <b>bold</b>"
    await raw.ok("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")
    shown = await alice.expect_message("bold")
    assert shown.text == "ok \ufffd bold"
    assert [(e.type, e.offset, e.length) for e in shown.entities or []] == [("bold", 5, 4)]
    assert tg.failures == []


async def test_a_bug_of_the_emulator_is_a_json_500_kept_with_its_traceback(
    raw: Raw, tg: Emulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(HANDLERS, "getMe", _broken)
    status, body = await raw.call("getMe", language="en")
    assert status == 500
    assert body["ok"] is False
    assert body["error_code"] == 500
    assert "KeyError: 'a sandbox bug'" in body["description"]
    [failure] = tg.failures
    assert failure.where == "getMe"
    assert failure.params == {"language": "en"}
    assert 'raise KeyError("a sandbox bug")' in failure.traceback
    # the log says it too, traceback and all, where a failing test's report shows it
    assert any(
        r.levelno == logging.ERROR and 'raise KeyError("a sandbox bug")' in r.getMessage()
        for r in caplog.records
    )
    with pytest.raises(AssertionError, match="the emulator failed on requests") as raised:
        tg.assert_no_violations()
    assert 'raise KeyError("a sandbox bug")' in str(raised.value)


async def test_a_bug_of_the_emulator_in_a_webhook_reply_is_kept_and_deliveries_go_on(
    raw: Raw, tg: Emulator, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(HANDLERS, "sendChatAction", _broken)
    alice = tg.user("Alice")
    await raw.ok("setWebhook", url=receiver.url)
    action = {"method": "sendChatAction", "chat_id": alice.id, "action": "typing"}
    receiver.answers.append(web.json_response(action))
    await alice.send("first")
    await alice.send("second")
    assert await tg.state.wait_for(lambda: receiver.texts() == ["first", "second"], 5)
    [failure] = tg.failures
    assert failure.where == "sendChatAction (in a webhook reply)"
    assert failure.params == {"chat_id": alice.id, "action": "typing"}


async def test_an_update_whose_webhook_is_deleted_as_it_goes_out_is_delivered_to_the_next(
    raw: Raw, tg: Emulator, receiver: Receiver
) -> None:
    """The pusher picks Alice's update, and the webhook is gone before the delivery starts
    (deleteWebhook, as a bot switching to polling sends): the update stays queued, and her
    chat is not left marked busy for ever."""
    alice = tg.user("Alice")
    await raw.ok("setWebhook", url=receiver.url)
    hook = tg.state.webhook
    await alice.send("hi")
    await asyncio.sleep(0)  # the pusher wakes and picks the update; its delivery is next
    tg.state.webhook = None  # what deleteWebhook does
    await asyncio.sleep(0.1)
    assert receiver.texts() == []
    assert [u["message"]["text"] for u in tg.state.updates] == ["hi"]
    tg.state.webhook = hook
    tg.state.touch()
    assert await tg.state.wait_for(lambda: receiver.texts() == ["hi"], 5), receiver.texts()
    assert tg.failures == []
