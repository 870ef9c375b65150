"""Text messages, edits, deletions, chat actions and answers to callback and inline queries."""

from __future__ import annotations

from typing import Any

from sandbox.api import chat_for, handles, reply_fields
from sandbox.entities import parse
from sandbox.errors import QUERY_TOO_OLD, ApiError, bad_request
from sandbox.state import Chat, State, now
from sandbox.validation import Call

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def text_fields(p: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a text: plain text plus the entities its parse_mode produced."""
    parse_mode = p.get("parse_mode")
    parsed = parse(
        str(p["text"]), parse_mode if isinstance(parse_mode, str) else None, p.get("entities")
    )
    fields: dict[str, Any] = {"text": parsed.text}
    if parsed.entities:
        fields["entities"] = parsed.entities
    return fields


def caption_fields(caption: Any, parse_mode: Any, entities: Any) -> dict[str, Any]:
    if caption is None or caption == "":
        return {}
    parsed = parse(str(caption), parse_mode if isinstance(parse_mode, str) else None, entities)
    fields: dict[str, Any] = {"caption": parsed.text}
    if parsed.entities:
        fields["caption_entities"] = parsed.entities
    return fields


async def send_bot_message(
    state: State, chat: Chat, params: dict[str, Any], **content: Any
) -> dict[str, Any]:
    """Store and announce one message from the bot; every send method ends here."""
    extra = reply_fields(chat, params)
    message = state.add_message(chat, state.bot_user, **content, **extra)
    await state.bot_event(chat, "message", message)
    return message


@handles("sendMessage")
async def send_message(state: State, call: Call) -> Any:
    chat = chat_for(state, call.params["chat_id"])
    return await send_bot_message(state, chat, call.params, **text_fields(call.params))


def _editable(state: State, call: Call) -> tuple[Chat, dict[str, Any]]:
    p = call.params
    if p.get("inline_message_id"):
        raise bad_request("inline_message_id is not supported by the sandbox")
    if p.get("chat_id") is None or p.get("message_id") is None:
        raise bad_request("message to edit not found")
    chat = chat_for(state, p["chat_id"])
    message = chat.messages.get(int(p["message_id"]))
    if message is None:
        raise bad_request("message to edit not found")
    if message["from"]["id"] != state.bot_user["id"]:
        raise bad_request("message can't be edited")
    return chat, message


async def _apply_edit(
    state: State, chat: Chat, message: dict[str, Any], changes: dict[str, Any], drop: set[str]
) -> dict[str, Any]:
    edited = {k: v for k, v in message.items() if k not in drop} | changes
    if {k: v for k, v in edited.items() if k != "edit_date"} == {
        k: v for k, v in message.items() if k != "edit_date"
    }:
        # refused as Telegram does, but not recorded: a double tap edits one screen twice,
        # and a bot takes this answer as success (the screen already shows what it wanted)
        raise ApiError(400, f"Bad Request: {NOT_MODIFIED}", violation=False)
    edited["edit_date"] = max(now(), message["date"])
    chat.messages[message["message_id"]] = edited
    await state.bot_event(chat, "edit", edited)
    return edited


@handles("editMessageText")
async def edit_message_text(state: State, call: Call) -> Any:
    chat, message = _editable(state, call)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    changes = text_fields(call.params)
    markup = call.params.get("reply_markup")
    if markup:
        changes["reply_markup"] = markup
    return await _apply_edit(state, chat, message, changes, {"entities", "reply_markup"})


@handles("editMessageCaption")
async def edit_message_caption(state: State, call: Call) -> Any:
    chat, message = _editable(state, call)
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    p = call.params
    changes = caption_fields(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
    if p.get("reply_markup"):
        changes["reply_markup"] = p["reply_markup"]
    drop = {"caption", "caption_entities", "reply_markup"}
    return await _apply_edit(state, chat, message, changes, drop)


@handles("editMessageReplyMarkup")
async def edit_message_reply_markup(state: State, call: Call) -> Any:
    chat, message = _editable(state, call)
    markup = call.params.get("reply_markup")
    changes = {"reply_markup": markup} if markup and markup.get("inline_keyboard") else {}
    return await _apply_edit(state, chat, message, changes, {"reply_markup"})


@handles("deleteMessage")
async def delete_message(state: State, call: Call) -> Any:
    chat = chat_for(state, call.params["chat_id"])
    message = chat.messages.pop(int(call.params["message_id"]), None)
    if message is None:
        raise bad_request("message to delete not found")
    await state.bot_event(chat, "delete", message)
    return True


@handles("sendChatAction")
async def send_chat_action(state: State, call: Call) -> Any:
    chat_for(state, call.params["chat_id"])
    return True


async def answer_query(state: State, kind: str, query_id: str, answer: dict[str, Any]) -> None:
    query = state.queries.get(query_id)
    if query is None and state.restored_queries.get(query_id) == kind:
        # asked before the emulator restarted: nobody waits for the answer any more, but
        # the bot answering it is right, as it would be on Telegram
        del state.restored_queries[query_id]
        await state.notify()
        return
    if query is None or query.kind != kind or query.expired or query.answer.done():
        raise bad_request(QUERY_TOO_OLD)
    if query.timer is not None:
        query.timer.cancel()
    query.answer.set_result(answer)
    await state.notify()


@handles("answerCallbackQuery")
async def answer_callback_query(state: State, call: Call) -> Any:
    p = call.params
    await answer_query(state, "callback_query", str(p["callback_query_id"]), dict(p))
    return True


# The fields of the InlineQueryResultCached* types that name a file Telegram already has.
CACHED_FILE_FIELDS = (
    "photo_file_id",
    "gif_file_id",
    "mpeg4_file_id",
    "sticker_file_id",
    "document_file_id",
    "video_file_id",
    "voice_file_id",
    "audio_file_id",
)


@handles("answerInlineQuery")
async def answer_inline_query(state: State, call: Call) -> Any:
    p = call.params
    for result in p.get("results") or []:
        for key in CACHED_FILE_FIELDS:
            if isinstance(result, dict) and key in result and str(result[key]) not in state.files:
                raise bad_request("wrong file identifier/HTTP URL specified")
    await answer_query(state, "inline_query", str(p["inline_query_id"]), dict(p))
    return True
