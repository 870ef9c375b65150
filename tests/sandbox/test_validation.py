"""Each kind of refusal: answered as Telegram answers it and recorded as a violation."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiohttp
import pytest

from sandbox import Emulator, SimUser
from sandbox.entities import parse_html
from sandbox.errors import ApiError
from sandbox.spec import ApiSpec
from tests.sandbox.conftest import Raw

SPEC_FILE = Path(os.environ.get("TELEGRAM_API_SPEC", "/work/shared/telegram-bot-api/api.json"))


@pytest.fixture
async def alice(tg: Emulator) -> SimUser:
    user = tg.user("Alice")
    await user.send("/start")
    return user


@pytest.fixture
def chat(alice: SimUser) -> int:
    return alice.id


def button(**fields: str) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": "B", **fields}]]}


async def test_unknown_method_is_404_and_recorded(raw: Raw, tg: Emulator) -> None:
    status, body = await raw.call("sendMessagee", chat_id=1, text="x")
    assert (status, body["description"]) == (404, "Not Found")
    assert tg.violations[-1].method == "sendMessagee"


async def test_missing_required_parameter(raw: Raw, tg: Emulator) -> None:
    assert "text" in await raw.error("sendMessage", chat_id=1)
    assert tg.violations[-1].method == "sendMessage"


async def test_unknown_parameter_is_ignored_with_a_warning(
    raw: Raw, tg: Emulator, chat: int
) -> None:
    """Telegram ignores parameters it does not know (a newer client's): so does the
    emulator, and it says so as a warning, not as a violation."""
    sent = await raw.ok("sendMessage", chat_id=chat, text="x", colour=1)
    assert sent["text"] == "x"
    assert tg.violations == []
    assert [str(w) for w in tg.warnings] == ['sendMessage: unknown parameter "colour" ignored']


async def test_a_number_is_taken_as_text(raw: Raw, tg: Emulator, chat: int) -> None:
    assert (await raw.ok("sendMessage", chat_id=chat, text=123))["text"] == "123"
    photo = await raw.call("sendMessage", chat_id=chat, text=4.5)
    assert photo[1]["result"]["text"] == "4.5"
    assert tg.violations == []


async def test_wrong_type(raw: Raw, chat: int) -> None:
    assert "message_id" in await raw.error("deleteMessage", chat_id=chat, message_id="first")


async def test_unknown_field_in_nested_object_is_a_warning(
    raw: Raw, tg: Emulator, chat: int
) -> None:
    markup = {"inline_keyboard": [[{"text": "B", "callback_data": "b", "colour": "red"}]]}
    await raw.ok("sendMessage", chat_id=chat, text="x", reply_markup=markup)
    assert tg.violations == []
    assert "reply_markup.inline_keyboard[0][0].colour" in str(tg.warnings[0])


async def test_empty_text(raw: Raw, chat: int) -> None:
    assert "message text is empty" in await raw.error(
        "sendMessage", chat_id=chat, text="<b></b>", parse_mode="HTML"
    )


async def test_text_length_counts_after_entity_parsing(raw: Raw, chat: int) -> None:
    await raw.ok("sendMessage", chat_id=chat, text="<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    too_long = await raw.error("sendMessage", chat_id=chat, text="a" * 4097)
    assert "message is too long" in too_long


async def test_caption_too_long(raw: Raw, tg: Emulator, chat: int) -> None:
    description = await raw.error(
        "sendPhoto", chat_id=chat, photo="https://example.com/a.jpg", caption="c" * 1025
    )
    assert "caption is too long" in description


async def test_callback_data_over_64_bytes(raw: Raw, chat: int) -> None:
    markup = button(callback_data="é" * 33)  # 66 bytes, 33 characters
    assert "BUTTON_DATA_INVALID" in await raw.error(
        "sendMessage", chat_id=chat, text="x", reply_markup=markup
    )


async def test_button_without_action(raw: Raw, chat: int) -> None:
    description = await raw.error("sendMessage", chat_id=chat, text="x", reply_markup=button())
    assert "Text buttons are unallowed" in description


async def test_button_with_two_actions(raw: Raw, chat: int) -> None:
    markup = button(callback_data="a", url="https://example.com")
    assert "exactly one" in await raw.error(
        "sendMessage", chat_id=chat, text="x", reply_markup=markup
    )


async def test_more_than_100_inline_buttons(raw: Raw, chat: int) -> None:
    rows = [[{"text": f"{r}{c}", "callback_data": f"{r}{c}"} for c in range(8)] for r in range(13)]
    description = await raw.error(
        "sendMessage", chat_id=chat, text="x", reply_markup={"inline_keyboard": rows}
    )
    assert "too many inline keyboard buttons" in description


def invoice(chat: int, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "chat_id": chat,
        "title": "Hoodie",
        "description": "A warm hoodie",
        "payload": "order-1",
        "provider_token": "TEST",
        "currency": "USD",
        "prices": [{"label": "Hoodie", "amount": 4999}],
    }
    return fields | overrides


async def test_invoice_payload_over_128_bytes(raw: Raw, chat: int) -> None:
    assert "INVOICE_PAYLOAD_INVALID" in await raw.error(
        "sendInvoice", **invoice(chat, payload="p" * 129)
    )


async def test_invoice_currency_must_be_one_telegram_takes(raw: Raw, chat: int) -> None:
    for currency in ("XXX", "usd", "EURO", "BTC"):
        assert "CURRENCY_INVALID" in await raw.error(
            "sendInvoice", **invoice(chat, currency=currency)
        )
    for currency in ("EUR", "JPY", "UAH"):
        await raw.ok("sendInvoice", **invoice(chat, currency=currency))
    await raw.ok("sendInvoice", **invoice(chat, currency="XTR", provider_token=""))


async def test_invoice_price_must_be_integer(raw: Raw, chat: int) -> None:
    for amount in (49.99, 4999.0):  # a whole float is still not an integer on the wire
        prices = [{"label": "Hoodie", "amount": amount}]
        assert "integer" in await raw.error("sendInvoice", **invoice(chat, prices=prices))


async def test_invoice_title_and_description_lengths(raw: Raw, chat: int) -> None:
    assert "TITLE" in await raw.error("sendInvoice", **invoice(chat, title="t" * 33))
    assert "DESCRIPTION" in await raw.error("sendInvoice", **invoice(chat, description="d" * 256))
    await raw.ok("sendInvoice", **invoice(chat))


async def test_unsupported_html_tag(raw: Raw, chat: int) -> None:
    description = await raw.error(
        "sendMessage", chat_id=chat, text="<div>x</div>", parse_mode="HTML"
    )
    assert 'Unsupported start tag "div"' in description


async def test_unclosed_html_tag(raw: Raw, chat: int) -> None:
    description = await raw.error("sendMessage", chat_id=chat, text="<b>x", parse_mode="HTML")
    assert "can't parse entities" in description


def test_html_entities_and_offsets() -> None:
    parsed = parse_html(
        'Hi <b>bold</b> <a href="https://x.org">link</a> &lt;3 <tg-spoiler>s</tg-spoiler>'
    )
    assert parsed.text == "Hi bold link <3 s"
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [("bold", 3, 4), ("text_link", 8, 4), ("spoiler", 16, 1)]
    with pytest.raises(ApiError):
        parse_html('<span class="x">no</span>')


async def test_markdown_v2_needs_escaping(raw: Raw, chat: int) -> None:
    description = await raw.error(
        "sendMessage", chat_id=chat, text="Total: 5.00", parse_mode="MarkdownV2"
    )
    assert "reserved" in description
    await raw.ok("sendMessage", chat_id=chat, text="*Total:* 5\\.00", parse_mode="MarkdownV2")


async def test_edit_missing_and_foreign_messages(raw: Raw, tg: Emulator, chat: int) -> None:
    missing = await raw.error("editMessageText", chat_id=chat, message_id=999, text="x")
    assert "message to edit not found" in missing
    users_message = 1  # the user's /start
    foreign = await raw.error("editMessageText", chat_id=chat, message_id=users_message, text="x")
    assert "message can't be edited" in foreign


async def test_edit_with_same_content_is_not_modified(raw: Raw, chat: int) -> None:
    sent = await raw.ok("sendMessage", chat_id=chat, text="Cart: 1 item")
    description = await raw.error(
        "editMessageText", chat_id=chat, message_id=sent["message_id"], text="Cart: 1 item"
    )
    assert description.startswith("Bad Request: message is not modified:")
    edited = await raw.ok(
        "editMessageText", chat_id=chat, message_id=sent["message_id"], text="Cart: 2 items"
    )
    assert edited["text"] == "Cart: 2 items"
    assert "edit_date" in edited


async def test_callback_answered_twice(raw: Raw, tg: Emulator, alice: SimUser) -> None:
    await raw.ok(
        "sendMessage", chat_id=alice.id, text="Pick", reply_markup=button(callback_data="add")
    )
    clicking = asyncio.create_task(alice.click("B"))
    updates = await raw.ok("getUpdates", timeout=5, offset=2)
    query = updates[-1]["callback_query"]
    assert query["data"] == "add"
    assert query["message"]["text"] == "Pick"
    await raw.ok("answerCallbackQuery", callback_query_id=query["id"], text="Added")
    assert (await clicking)["text"] == "Added"
    description = await raw.error("answerCallbackQuery", callback_query_id=query["id"])
    assert "query is too old and response timeout expired or query ID is invalid" in description


async def test_unanswered_callback_is_recorded(http: aiohttp.ClientSession) -> None:
    async with Emulator(use_env_spec=False, callback_timeout=0.2) as tg:
        raw = Raw(http, tg)
        alice = tg.user("Alice")
        await alice.send("/start")
        await raw.ok(
            "sendMessage", chat_id=alice.id, text="Pick", reply_markup=button(callback_data="a")
        )
        with pytest.raises(AssertionError, match="did not answer"):
            await alice.click("B", timeout=0.5)
        assert [v.method for v in tg.violations] == ["callback_query"]
        assert "not answered within 0.2 s" in tg.violations[0].description


async def test_blocked_user_gets_403_not_a_violation(
    raw: Raw, tg: Emulator, alice: SimUser
) -> None:
    alice.block_bot()
    status, body = await raw.call("sendMessage", chat_id=alice.id, text="Come back!")
    assert status == 403
    assert body == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    updates = await raw.ok("getUpdates")
    assert updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert tg.violations == []


async def test_bot_cannot_write_first(raw: Raw, tg: Emulator) -> None:
    stranger = tg.user("Stranger")
    status, body = await raw.call("sendMessage", chat_id=stranger.id, text="Hi")
    assert status == 403
    assert "can't initiate conversation" in body["description"]


async def test_violations_are_listed(raw: Raw, tg: Emulator, alice: SimUser) -> None:
    await raw.error("sendMessage", chat_id=alice.id, text="")
    with pytest.raises(AssertionError, match="message text is empty"):
        tg.assert_no_violations()
    assert tg.violations[0].params["text"] == ""


# --- the optional Bot API spec --------------------------------------------------------------
TINY_SPEC = {
    "version": "Bot API test",
    "methods": {
        "sendMessage": {
            "name": "sendMessage",
            "fields": [
                {
                    "name": "chat_id",
                    "types": ["Integer", "String"],
                    "required": True,
                    "description": "",
                },
                {
                    "name": "text",
                    "types": ["String"],
                    "required": True,
                    "description": "Text, 1-4096 characters after entities parsing",
                },
                {
                    "name": "reply_markup",
                    "types": ["InlineKeyboardMarkup"],
                    "required": False,
                    "description": "",
                },
            ],
        },
        "setMyDescription": {
            "name": "setMyDescription",
            "fields": [
                {
                    "name": "description",
                    "types": ["String"],
                    "required": False,
                    "description": "New description; 0-10 characters.",
                }
            ],
        },
    },
    "types": {
        "InlineKeyboardMarkup": {
            "name": "InlineKeyboardMarkup",
            "fields": [
                {
                    "name": "inline_keyboard",
                    "types": ["Array of Array of InlineKeyboardButton"],
                    "required": True,
                    "description": "",
                }
            ],
        },
        "InlineKeyboardButton": {
            "name": "InlineKeyboardButton",
            "fields": [
                {"name": "text", "types": ["String"], "required": True, "description": ""},
                {
                    "name": "callback_data",
                    "types": ["String"],
                    "required": False,
                    "description": "Data, 1-64 bytes",
                },
            ],
        },
    },
}


def test_spec_checks_fields_types_and_stated_lengths() -> None:
    spec = ApiSpec(TINY_SPEC)
    assert spec.check_method("sendMessage", {"chat_id": 1, "text": "hi"}) is None
    assert "not in Bot API test" in str(spec.check_method("sendPhoto", {}))
    assert "required" in str(spec.check_method("sendMessage", {"chat_id": 1}))
    assert "unknown field" in str(
        spec.check_method("sendMessage", {"chat_id": 1, "text": "x", "x": 1})
    )
    assert "must be" in str(spec.check_method("sendMessage", {"chat_id": 1.5, "text": "x"}))
    assert "0-10 characters" in str(
        spec.check_method("setMyDescription", {"description": "d" * 11})
    )
    markup = {"inline_keyboard": [[{"text": "B", "url": "https://x.org"}]]}
    assert "unknown field" in str(
        spec.check_method("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup})
    )


async def test_spec_violations_are_answered_and_recorded(http: aiohttp.ClientSession) -> None:
    async with Emulator(spec=ApiSpec(TINY_SPEC)) as tg:
        raw = Raw(http, tg)
        alice = tg.user("Alice")
        await alice.send("/start")
        await raw.ok("sendMessage", chat_id=alice.id, text="fine")
        description = await raw.error("setMyDescription", description="far too long")
        assert "0-10 characters" in description
        assert tg.violations[-1].method == "setMyDescription"


@pytest.mark.skipif(not SPEC_FILE.is_file(), reason=f"no Bot API spec at {SPEC_FILE}")
async def test_real_spec_file_accepts_a_normal_conversation(http: aiohttp.ClientSession) -> None:
    async with Emulator(spec=ApiSpec.load(SPEC_FILE)) as tg:
        raw = Raw(http, tg)
        alice = tg.user("Alice")
        await alice.send("/start")
        await raw.ok(
            "sendMessage",
            chat_id=alice.id,
            text="<b>Hi</b>",
            parse_mode="HTML",
            reply_markup=button(callback_data="x"),
        )
        await raw.ok("sendInvoice", **invoice(alice.id))
        await raw.ok("getUpdates", offset=-1, limit=5)
        assert "0-64 characters" in await raw.error("setMyName", name="n" * 65)
        tg.violations.clear()
        tg.assert_no_violations()
