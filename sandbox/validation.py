"""Request validation: every call is checked before the emulator acts on it.

The Bot API itself is described by aiogram's method models (`aiogram.methods.*`, pydantic), so
the emulator parses each request into its model: that gives "method exists", "required
parameters present" and "types right" for free and stays current with aiogram's Bot API
version. On top come the limits and rules that the models do not encode (text lengths after
entity parsing, callback_data bytes, one action per inline button, invoice fields) and, when
`TELEGRAM_API_SPEC` names the machine-readable spec, the spec's own checks (`sandbox.spec`).
"""

from __future__ import annotations

import contextlib
import json
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import aiogram.methods
from aiogram.enums import Currency
from aiogram.methods.base import TelegramMethod
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InputFile
from pydantic import BaseModel, ValidationError

from sandbox.entities import parse
from sandbox.errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Telegram's payment currencies (core.telegram.org/bots/payments#supported-currencies, as
# aiogram lists them) and Telegram Stars.
CURRENCIES = frozenset({*(c.value for c in Currency), "XTR"})
# Fields of InlineKeyboardButton that are decoration, not the button's action.
_BUTTON_DECORATION = frozenset({"text", "icon_custom_emoji_id", "style", "disabled"})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, before it becomes a stored Telegram file."""

    name: str
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Call:
    """A validated request: decoded parameters (JSON values, uploads resolved) and its model."""

    method: str
    params: dict[str, Any]
    model: TelegramMethod[Any]
    uploads: dict[str, Upload] = field(default_factory=dict)
    # parameters and fields Telegram ignores (unknown to this Bot API version): warnings
    ignored: list[str] = field(default_factory=list)


@cache
def method_models() -> dict[str, type[TelegramMethod[Any]]]:
    """Bot API method name -> aiogram model, discovered from aiogram.methods."""
    found: dict[str, type[TelegramMethod[Any]]] = {}
    for name in dir(aiogram.methods):
        obj = getattr(aiogram.methods, name)
        if isinstance(obj, type) and issubclass(obj, TelegramMethod) and obj is not TelegramMethod:
            api_name = obj.__dict__.get("__api_method__")
            if isinstance(api_name, str):
                found[api_name] = obj
    return found


def _accepts_str(annotation: Any) -> bool:
    """Whether a field may legitimately hold a plain string (so it must not be JSON-decoded)."""
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts_str(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return any(isinstance(arg, str) for arg in typing.get_args(annotation))
    return False


def resolve_method(name: str) -> type[TelegramMethod[Any]]:
    # Telegram method names are case-insensitive.
    models = method_models()
    if name in models:
        return models[name]
    lowered = {k.lower(): v for k, v in models.items()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    raise ApiError(404, "Not Found")


def canonical_name(name: str) -> str:
    return str(resolve_method(name).__dict__["__api_method__"])


def decode_params(model: type[TelegramMethod[Any]], raw: dict[str, Any]) -> dict[str, Any]:
    """Form values arrive as strings; JSON-decode those whose field is not string-typed."""
    decoded: dict[str, Any] = {}
    for key, value in raw.items():
        info = model.model_fields.get(key)
        if isinstance(value, str) and info is not None and not _accepts_str(info.annotation):
            with contextlib.suppress(ValueError):  # else pydantic's lax parsing ("True", "5")
                value = json.loads(value)
        decoded[key] = value
    return decoded


def _for_pydantic(value: Any, uploads: dict[str, Upload]) -> Any:
    """Swap attach:// references (top level and inside media arrays) for real InputFiles."""
    if isinstance(value, Upload):
        return BufferedInputFile(value.data, value.filename)
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in uploads:
            raise bad_request(f'file "{name}" referenced by attach:// was not sent')
        upload = uploads[name]
        return BufferedInputFile(upload.data, upload.filename)
    if isinstance(value, list):
        return [_for_pydantic(v, uploads) for v in value]
    if isinstance(value, dict):
        return {k: _for_pydantic(v, uploads) for k, v in value.items()}
    return value


def _describe(error: ValidationError) -> ApiError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if first["type"] == "missing":
        return bad_request(f'parameter "{where}" is required')
    return bad_request(f'invalid parameter "{where}": {first["msg"]}')


def _unknown_nested(value: Any, path: str) -> list[str]:
    """Fields of nested objects that this Bot API version does not know (aiogram's models
    keep them as extras): Telegram ignores them, so they are warnings, as "path.field"."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        found += [f"{path}.{name}" for name in value.model_extra or {}]
        for key in type(value).model_fields:
            found += _unknown_nested(getattr(value, key, None), f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _unknown_nested(item, f"{path}[{i}]")
    return found


def _accepts_number(annotation: Any) -> bool:
    if annotation in (int, float):
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts_number(arg) for arg in typing.get_args(annotation))
    return False


def _coerce_numbers(model: type[TelegramMethod[Any]], params: dict[str, Any]) -> None:
    """Telegram takes a number where a string is expected as its decimal text (`text: 123`
    sends "123"), as it parses every parameter from a string."""
    for key, value in params.items():
        info = model.model_fields.get(key)
        if (
            info is not None
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and _accepts_str(info.annotation)
            and not _accepts_number(info.annotation)
        ):
            params[key] = str(value)


def parse_call(name: str, raw: dict[str, Any], uploads: dict[str, Upload]) -> Call:
    """Decode and model-validate one request; raise ApiError exactly as Telegram would."""
    model_cls = resolve_method(name)
    method = canonical_name(name)
    # A multipart part named like a parameter is that parameter's file (PTB style uploads).
    raw = dict(raw)
    for part_name, upload in uploads.items():
        if part_name in model_cls.model_fields and part_name not in raw:
            raw[part_name] = upload
    params = decode_params(model_cls, raw)
    # Telegram ignores parameters it does not know (a newer client's): dropped, and warned of
    ignored = sorted(set(params) - set(model_cls.model_fields))
    for name in ignored:
        del params[name]
    _coerce_numbers(model_cls, params)
    try:
        model = model_cls.model_validate(_for_pydantic(params, uploads))
    except ValidationError as exc:
        raise _describe(exc) from None
    for key in params:
        ignored += _unknown_nested(getattr(model, key, None), key)
    # Primitive values take the model's parsed form ("true" -> True, "5" -> 5).
    for key, value in list(params.items()):
        parsed = getattr(model, key, None)
        if isinstance(parsed, bool | int | float) and not isinstance(value, Upload):
            params[key] = parsed
    for key in ("chat_id", "from_chat_id"):  # Integer or String: a numeric string is the id
        chat_id = params.get(key)
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            params[key] = int(chat_id)
    call = Call(method, params, model, uploads, ignored)
    check_limits(call)
    return call


# --- Telegram's limits that the models do not encode ---------------------------------------
def check_text(text: Any, parse_mode: Any, entities: Any, *, caption: bool) -> int:
    """Validate a text or caption after entity parsing; return its plain length."""
    plain = parse(str(text), parse_mode if isinstance(parse_mode, str) else None, entities).text
    length = len(plain)
    if caption:
        if length > MAX_CAPTION:
            raise bad_request("message caption is too long")
    else:
        if not plain.strip():
            raise bad_request("message text is empty")
        if length > MAX_TEXT:
            raise bad_request("message is too long")
    return length


def check_inline_keyboard(markup: Any) -> None:
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    buttons = [b for row in rows for b in row] if isinstance(rows, list) else []
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise bad_request("too many inline keyboard buttons")
    actions = set(InlineKeyboardButton.model_fields) - _BUTTON_DECORATION
    for button in buttons:
        used = [k for k in button if k in actions]
        if not used:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if len(used) > 1:
            raise bad_request(
                f"can't parse inline keyboard button: exactly one of {', '.join(used)} must be "
                "specified"
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")


def check_invoice(params: dict[str, Any]) -> None:
    payload = str(params.get("payload", ""))
    if not 1 <= len(payload.encode()) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID: payload must be 1-128 bytes")
    if not 1 <= len(str(params.get("title", ""))) <= 32:
        raise bad_request("INVOICE_TITLE_INVALID: title must be 1-32 characters")
    if not 1 <= len(str(params.get("description", ""))) <= 255:
        raise bad_request("INVOICE_DESCRIPTION_INVALID: description must be 1-255 characters")
    if str(params.get("currency", "")) not in CURRENCIES:
        raise bad_request("CURRENCY_INVALID")
    prices = params.get("prices")
    if not isinstance(prices, list) or not prices:
        raise bad_request("prices must be a non-empty array of LabeledPrice")
    total = 0
    for price in prices:
        amount = price.get("amount") if isinstance(price, dict) else None
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise bad_request(
                "CURRENCY_TOTAL_AMOUNT_INVALID: price amounts must be integers in the smallest "
                "units of the currency"
            )
        total += amount
    if total <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")


def check_limits(call: Call) -> None:
    p = call.params
    if call.method in ("sendMessage", "editMessageText"):
        check_text(p.get("text", ""), p.get("parse_mode"), p.get("entities"), caption=False)
    if "caption" in p:
        check_text(p["caption"], p.get("parse_mode"), p.get("caption_entities"), caption=True)
    media = p.get("media")
    for item in media if isinstance(media, list) else []:
        if isinstance(item, dict) and "caption" in item:
            check_text(
                item["caption"], item.get("parse_mode"), item.get("caption_entities"), caption=True
            )
    check_inline_keyboard(p.get("reply_markup"))
    if call.method in ("sendInvoice", "createInvoiceLink"):
        check_invoice(p)
    if call.method == "answerCallbackQuery" and len(str(p.get("text", ""))) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG: callback answer text is limited to 200 characters")
    if call.method == "sendChatAction" and p.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    if call.method == "answerInlineQuery":
        results = p.get("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results if isinstance(r, dict)]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise bad_request("RESULT_ID_INVALID")
        for result in results:
            if isinstance(result, dict):
                check_inline_result(result)


def check_inline_result(result: dict[str, Any]) -> None:
    """One result of answerInlineQuery: its keyboard, caption and message text hold the same
    limits as a message's."""
    check_inline_keyboard(result.get("reply_markup"))
    if "caption" in result:
        check_text(
            result["caption"],
            result.get("parse_mode"),
            result.get("caption_entities"),
            caption=True,
        )
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        check_text(
            content["message_text"],
            content.get("parse_mode"),
            content.get("entities"),
            caption=False,
        )


def is_input_file(value: Any) -> bool:
    return isinstance(value, Upload | InputFile) or (
        isinstance(value, str) and value.startswith("attach://")
    )
