"""The Bot API methods the emulator implements, and the one entry point that runs them.

`execute()` is the only way a method runs, whether it came over HTTP or in a webhook reply
body: validate (aiogram model, Telegram's limits, the optional spec), then act on `State`.
Every refused call that is the bot's fault is recorded as a `Violation` here, in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.errors import ApiError, Violation, bad_request, forbidden
from sandbox.spec import ApiSpec
from sandbox.state import Chat, State
from sandbox.validation import Call, Upload, parse_call

Handler = Callable[[State, Call], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (f"<file {v.filename}>" if isinstance(v, Upload) else v) for k, v in params.items()}


async def execute(
    state: State,
    spec: ApiSpec | None,
    method: str,
    raw: dict[str, Any],
    uploads: dict[str, Upload] | None = None,
) -> Any:
    """Validate and run one Bot API call; ApiError on refusal (recorded when it is a bug)."""
    uploads = uploads or {}
    call: Call | None = None
    try:
        call = parse_call(method, raw, uploads)
        if spec is not None:
            problem = spec.check_method(call.method, call.params, call.ignored)
            if problem:
                raise bad_request(problem)
        for name in dict.fromkeys(call.ignored):
            state.warn(
                Violation(call.method, f'unknown parameter "{name}" ignored', _loggable(raw))
            )
        handler = HANDLERS.get(call.method)
        if handler is None:
            raise bad_request(f"method {call.method} is not supported by the sandbox")
        return await handler(state, call)
    except ApiError as exc:
        if exc.violation:
            name = call.method if call else method
            state.record(Violation(name, exc.description, _loggable(call.params if call else raw)))
        raise


# --- helpers shared by the method modules -------------------------------------------------
def chat_for(state: State, chat_id: Any) -> Chat:
    """The private chat with chat_id, refusing as Telegram does for unknown or blocked users."""
    chat = state.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None and isinstance(chat_id, str) and chat_id.startswith("@"):
        chat = next(
            (c for c in state.chats.values() if c.user.get("username") == chat_id[1:]), None
        )
    if chat is None:
        # a runtime fact (an account deleted, a notification for someone who never wrote),
        # not a bug in the bot's request: answered as Telegram does, not recorded
        raise ApiError(400, "Bad Request: chat not found", violation=False)
    if chat.blocked:
        raise forbidden("bot was blocked by the user")
    if not chat.started:
        raise forbidden("bot can't initiate conversation with a user")
    return chat


def reply_fields(chat: Chat, params: dict[str, Any]) -> dict[str, Any]:
    """reply_to_message and an inline reply_markup as they appear on the sent message."""
    fields: dict[str, Any] = {}
    reply = params.get("reply_parameters") or {}
    reply_id = reply.get("message_id") if isinstance(reply, dict) else None
    reply_id = reply_id or params.get("reply_to_message_id")
    if reply_id:
        target = chat.messages.get(int(reply_id))
        if target is not None:
            fields["reply_to_message"] = {
                k: v for k, v in target.items() if k != "reply_to_message"
            }
        elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
            raise bad_request("message to be replied not found")
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        if "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        elif "keyboard" in markup:
            chat.keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.keyboard = None
    return fields


# Register the method modules (import for their side effect on HANDLERS).
from sandbox.api import bot, chats, media, messages, payments  # noqa: E402

__all__ = [
    "HANDLERS",
    "bot",
    "chat_for",
    "chats",
    "execute",
    "handles",
    "media",
    "messages",
    "payments",
]
