"""Chats, members and the other things a bot may send: forwards, copies, locations, stickers,
dice, polls, reactions, pins, the bot's own name and descriptions, and its Star transactions.

Every chat here is a private chat with one user, so the group-only methods answer what
Telegram answers for a private chat; the rest build the spec's types (checked against
aiogram's models in the tests) so any client library parses them.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.api import chat_for, handles
from sandbox.api.media import photo_sizes, resolve_file
from sandbox.api.messages import caption_fields, send_bot_message
from sandbox.errors import ApiError, bad_request
from sandbox.state import Chat, State
from sandbox.validation import Call

# What a message's content is, as opposed to its envelope (ids, sender, chat, date, replies).
CONTENT = (
    "text",
    "entities",
    "photo",
    "caption",
    "caption_entities",
    "document",
    "voice",
    "audio",
    "video",
    "sticker",
    "location",
    "contact",
    "dice",
    "poll",
)
DICE = {"🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}
PROFILE_LIMITS = {"name": 64, "description": 512, "short_description": 120}
PRIVATE_ONLY = "method is available for supergroup and channel chats only"


def _source(state: State, chat_id: Any, message_id: Any) -> tuple[Chat, dict[str, Any]]:
    chat = state.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        raise ApiError(400, "Bad Request: chat not found", violation=False)
    message = chat.messages.get(int(message_id))
    if message is None:
        raise bad_request("message to forward not found")
    if "invoice" in message or "successful_payment" in message:
        raise bad_request("message can't be forwarded")
    return chat, message


def _content(message: dict[str, Any]) -> dict[str, Any]:
    return {k: message[k] for k in CONTENT if k in message}


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """The send parameters without reply markup (a forward never carries a keyboard)."""
    return {k: v for k, v in params.items() if k != "reply_markup"}


@handles("forwardMessage")
async def forward_message(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    _, message = _source(state, p["from_chat_id"], p["message_id"])
    origin = {"type": "user", "sender_user": message["from"], "date": message["date"]}
    return await send_bot_message(
        state, chat, _plain(p), forward_origin=origin, **_content(message)
    )


@handles("copyMessage")
async def copy_message(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    _, message = _source(state, p["from_chat_id"], p["message_id"])
    content = _content(message)
    if "caption" in p and "text" not in content:  # a new caption replaces the old one
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content |= caption_fields(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
    sent = await send_bot_message(state, chat, p, **content)
    return {"message_id": sent["message_id"]}


@handles("sendLocation")
async def send_location(state: State, call: Call) -> Any:
    p = call.params
    latitude, longitude = float(p["latitude"]), float(p["longitude"])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude specified")
    chat = chat_for(state, p["chat_id"])
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if p.get(key) is not None:
            location[key] = p[key]
    return await send_bot_message(state, chat, p, location=location)


@handles("sendSticker")
async def send_sticker(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    stored, _ = resolve_file(state, p["sticker"], call.uploads, "stickers", "webp")
    sizes = photo_sizes(state, stored, reencode=False)
    largest = sizes[-1]
    sticker: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "type": "regular",
        "width": largest["width"],
        "height": largest["height"],
        "is_animated": False,
        "is_video": False,
        "file_size": len(stored.data),
    }
    if len(sizes) > 1:
        sticker["thumbnail"] = sizes[0]
    if p.get("emoji"):
        sticker["emoji"] = str(p["emoji"])
    return await send_bot_message(state, chat, p, sticker=sticker)


@handles("sendDice")
async def send_dice(state: State, call: Call) -> Any:
    p = call.params
    emoji = str(p.get("emoji") or "🎲")
    if emoji not in DICE:
        raise bad_request("DICE_EMOJI_INVALID")
    chat = chat_for(state, p["chat_id"])
    dice = {"emoji": emoji, "value": 1 + secrets.randbelow(DICE[emoji])}
    return await send_bot_message(state, chat, p, dice=dice)


def _option_text(option: Any) -> str:
    return str(option.get("text", "") if isinstance(option, dict) else option)


@handles("sendPoll")
async def send_poll(state: State, call: Call) -> Any:
    p = call.params
    question = str(p["question"])
    options = [_option_text(o) for o in p.get("options") or []]
    if not 1 <= len(question) <= 300:
        raise bad_request("POLL_QUESTION_INVALID")
    if not 2 <= len(options) <= 12:
        raise bad_request("POLL_ANSWERS_INVALID")
    if any(not 1 <= len(o) <= 100 for o in options):
        raise bad_request("POLL_ANSWER_INVALID")
    kind = str(p.get("type") or "regular")
    correct = p.get("correct_option_id")
    if kind == "quiz" and not (isinstance(correct, int) and 0 <= correct < len(options)):
        raise bad_request("POLL_CORRECT_OPTION_INVALID: quiz polls need correct_option_id")
    chat = chat_for(state, p["chat_id"])
    poll: dict[str, Any] = {
        "id": str(secrets.randbits(62)),
        "question": question,
        "options": [
            {"persistent_id": str(i), "text": text, "voter_count": 0}
            for i, text in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": bool(p.get("is_closed")),
        "is_anonymous": p.get("is_anonymous") is not False,
        "type": kind,
        "allows_multiple_answers": bool(p.get("allows_multiple_answers")),
        "allows_revoting": kind != "quiz",
        "members_only": False,
    }
    if kind == "quiz":
        poll["correct_option_id"] = correct
    return await send_bot_message(state, chat, p, poll=poll)


def _known_chat(state: State, chat_id: Any) -> Chat:
    chat = state.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None and isinstance(chat_id, str) and chat_id.startswith("@"):
        chat = next(
            (c for c in state.chats.values() if c.user.get("username") == chat_id[1:]), None
        )
    if chat is None or not chat.started:
        raise ApiError(400, "Bad Request: chat not found", violation=False)
    return chat


@handles("getChat")
async def get_chat(state: State, call: Call) -> Any:
    chat = _known_chat(state, call.params["chat_id"])
    info: dict[str, Any] = {
        **chat.as_chat(),
        "accent_color_id": chat.id % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }
    for key in ("last_name",):
        if key in chat.user:
            info[key] = chat.user[key]
    if chat.pinned and chat.pinned[-1] in chat.messages:
        info["pinned_message"] = chat.messages[chat.pinned[-1]]
    return info


@handles("getChatMember")
async def get_chat_member(state: State, call: Call) -> Any:
    chat = _known_chat(state, call.params["chat_id"])
    user_id = call.params["user_id"]
    if user_id == chat.id:
        status = "kicked" if chat.blocked else "member"
        member: dict[str, Any] = {"status": status, "user": chat.user}
        if status == "kicked":
            member["until_date"] = 0
        return member
    if user_id == state.bot_user["id"]:
        return {"status": "member", "user": state.bot_user}
    raise ApiError(400, "Bad Request: user not found", violation=False)


@handles("getUserProfilePhotos")
async def get_user_profile_photos(state: State, call: Call) -> Any:
    user_id = call.params["user_id"]
    if user_id not in state.chats and user_id != state.bot_user["id"]:
        raise ApiError(400, "Bad Request: user not found", violation=False)
    return {"total_count": 0, "photos": []}  # simulated users have no profile photos


@handles("banChatMember", "unbanChatMember", "restrictChatMember", "promoteChatMember")
async def change_member(state: State, call: Call) -> Any:
    _known_chat(state, call.params["chat_id"])
    if call.method == "banChatMember":
        raise bad_request("can't ban members in private chats")
    raise bad_request(PRIVATE_ONLY)


@handles("leaveChat")
async def leave_chat(state: State, call: Call) -> Any:
    _known_chat(state, call.params["chat_id"])
    raise bad_request(PRIVATE_ONLY)


@handles("setMessageReaction")
async def set_message_reaction(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    message_id = int(p["message_id"])
    if message_id not in chat.messages:
        raise bad_request("message to react not found")
    reaction = list(p.get("reaction") or [])
    if len(reaction) > 1:  # bots may set one reaction
        raise bad_request("REACTIONS_TOO_MANY")
    for item in reaction:
        if not isinstance(item, dict) or item.get("type") not in ("emoji", "custom_emoji"):
            raise bad_request("REACTION_INVALID")
    if reaction:
        chat.reactions[message_id] = reaction
    else:
        chat.reactions.pop(message_id, None)
    await state.bot_event(chat, "edit", chat.messages[message_id])
    return True


@handles("pinChatMessage")
async def pin_chat_message(state: State, call: Call) -> Any:
    chat = chat_for(state, call.params["chat_id"])
    message_id = int(call.params["message_id"])
    if message_id not in chat.messages:
        raise bad_request("message to pin not found")
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    state.revise()
    return True


@handles("unpinChatMessage")
async def unpin_chat_message(state: State, call: Call) -> Any:
    chat = chat_for(state, call.params["chat_id"])
    message_id = call.params.get("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
    elif int(message_id) in chat.pinned:
        chat.pinned.remove(int(message_id))
    else:
        raise bad_request("message to unpin not found")
    state.revise()
    return True


@handles("unpinAllChatMessages")
async def unpin_all_chat_messages(state: State, call: Call) -> Any:
    chat = chat_for(state, call.params["chat_id"])
    chat.pinned.clear()
    state.revise()
    return True


# --- the bot's name and descriptions -----------------------------------------------------
def _profile_setter(kind: str) -> Any:
    async def setter(state: State, call: Call) -> Any:
        value = str(call.params.get(kind) or "")
        if len(value) > PROFILE_LIMITS[kind]:
            raise bad_request(f"{kind.upper().replace('_', ' ')} is too long")
        key = (kind, str(call.params.get("language_code") or ""))
        if value:
            state.profile[key] = value
        else:
            state.profile.pop(key, None)
        if kind == "name" and not key[1]:  # the name everyone sees (getMe's first_name)
            state.profile.setdefault(("initial name", ""), state.bot_user["first_name"])
            state.bot_user["first_name"] = value or state.profile[("initial name", "")]
        state.touch()
        return True

    return setter


def _profile_getter(kind: str) -> Any:
    async def getter(state: State, call: Call) -> Any:
        language = str(call.params.get("language_code") or "")
        value = state.profile.get((kind, language)) or state.profile.get((kind, ""))
        if kind == "name" and value is None:
            value = state.bot_user["first_name"]
        return {kind: value or ""}

    return getter


for _kind, _method in (
    ("name", "Name"),
    ("description", "Description"),
    ("short_description", "ShortDescription"),
):
    handles(f"setMy{_method}")(_profile_setter(_kind))
    handles(f"getMy{_method}")(_profile_getter(_kind))


# --- Telegram Stars ----------------------------------------------------------------------
@handles("getStarTransactions")
async def get_star_transactions(state: State, call: Call) -> Any:
    """The bot's Star payments, newest first: every successful_payment in XTR."""
    offset = int(call.params.get("offset") or 0)
    limit = max(1, min(100, int(call.params.get("limit") or 100)))
    paid = [
        (message, chat)
        for chat in state.chats.values()
        for message in chat.messages.values()
        if (message.get("successful_payment") or {}).get("currency") == "XTR"
    ]
    paid.sort(key=lambda pair: pair[0]["date"], reverse=True)
    transactions = []
    for message, chat in paid[offset : offset + limit]:
        payment = message["successful_payment"]
        transactions.append(
            {
                "id": payment["telegram_payment_charge_id"],
                "amount": int(payment["total_amount"]),
                "date": message["date"],
                "source": {
                    "type": "user",
                    "transaction_type": "invoice_payment",
                    "user": chat.user,
                    "invoice_payload": payment["invoice_payload"],
                },
            }
        )
    return {"transactions": transactions}
