"""What the emulated Telegram remembers: chats, messages, files and the update queue.

Everything is kept as Bot API JSON dictionaries, so what the bot receives is byte-for-byte
what it would get from Telegram, and every update is checked against aiogram's `Update` model
before it is queued (an emulator bug must never look like a bot bug). Waiting is
event-driven: one change signal (`State.touch`) wakes long polls, the webhook pusher and simulated
users whenever something changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram.types import Update

from sandbox.errors import Violation

# Update kinds Telegram leaves out unless a bot asks for them in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def now() -> int:
    return int(time.time())


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class Event:
    """Something the bot did in a chat, in order: a new message, an edit or a deletion."""

    kind: str  # "message" | "edit" | "delete"
    message: dict[str, Any]


class Messages(dict[int, dict[str, Any]]):
    """A chat's messages by id. An edit or a deletion replaces or removes a message, never
    changes it in place; once `changed` is a set (the history on disk watches this chat),
    every id written or removed since the history last looked is added to it."""

    changed: set[int] | None = None

    def __setitem__(self, message_id: int, message: dict[str, Any]) -> None:
        super().__setitem__(message_id, message)
        if self.changed is not None:
            self.changed.add(message_id)

    def __delitem__(self, message_id: int) -> None:
        super().__delitem__(message_id)
        if self.changed is not None:
            self.changed.add(message_id)

    def pop(self, message_id: int, *default: Any) -> Any:
        if self.changed is not None and message_id in self:
            self.changed.add(message_id)
        return super().pop(message_id, *default)

    def _untracked(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("change a chat's messages one at a time (see Messages)")

    update = setdefault = popitem = clear = _untracked  # type: ignore[assignment]


@dataclass
class Chat:
    """A private chat between the bot and one simulated user."""

    user: dict[str, Any]
    blocked: bool = False
    started: bool = False  # a bot may not write first
    keyboard: dict[str, Any] | None = None  # the reply keyboard currently shown
    next_message_id: int = 1
    messages: Messages = field(default_factory=Messages)
    events: list[Event] = field(default_factory=list)
    pinned: list[int] = field(default_factory=list)  # pinned message ids, the newest last
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # the bot's

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def instance(self) -> str:
        """The chat's `chat_instance`, as callback queries and Mini App initData carry it."""
        return str(self.id * 7919)

    def as_chat(self) -> dict[str, Any]:
        chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        if "username" in self.user:
            chat["username"] = self.user["username"]
        return chat


@dataclass
class PendingQuery:
    """A callback, pre-checkout or inline query waiting for the bot's answer."""

    kind: str
    user_id: int
    answer: asyncio.Future[dict[str, Any]]
    expired: bool = False
    timer: asyncio.TimerHandle | None = None


def whole_text(value: Any) -> Any:
    """Strings as Telegram would pass them on: valid UTF-8. A lone UTF-16 surrogate (a
    broken emoji from JSON's "\\ud83d") cannot be encoded and used to wedge every later
    getUpdates; it becomes U+FFFD, the replacement character, as Telegram's clients do."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {k: whole_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_text(v) for v in value]
    return value


class UpdateIds:
    """Update ids as Telegram hands them out: increasing, never reused. With a file, that
    holds across restarts too: ids are reserved a block at a time, the block's end written
    before any id of it is used, so even a killed emulator starts above every id it gave."""

    BLOCK = 1000

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.next = 1
        self.reserved = 0
        if path is not None and path.exists():
            with contextlib.suppress(ValueError):
                self.next = max(1, int(path.read_text(encoding="utf-8").strip() or 1))

    def take(self) -> int:
        if self.path is not None and self.next >= self.reserved:
            self.reserved = self.next + self.BLOCK
            self.path.parent.mkdir(parents=True, exist_ok=True)
            draft = self.path.with_suffix(".tmp")
            draft.write_text(f"{self.reserved}\n", encoding="utf-8")
            draft.replace(self.path)
        taken, self.next = self.next, self.next + 1
        return taken


class State:
    def __init__(
        self, bot_id: int, bot_name: str, bot_username: str, update_ids: UpdateIds | None = None
    ) -> None:
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        # a photo's PhotoSize list, under the file_id of the upload and of every size
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self.updates: list[dict[str, Any]] = []
        self.update_ids = update_ids or UpdateIds()
        self.allowed_updates: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.menu_button: dict[str, Any] = {"type": "default"}
        self.chat_menu_buttons: dict[int, dict[str, Any]] = {}
        self.revision = 0  # bumped when the bot changes what a chat's page shows besides messages
        self.queries: dict[str, PendingQuery] = {}
        # queries a previous run left unanswered (query id -> kind): the bot may still answer
        self.restored_queries: dict[str, str] = {}
        self.invoices: dict[tuple[int, int], dict[str, Any]] = {}
        self.invoice_links: dict[str, dict[str, Any]] = {}
        self.violations: list[Violation] = []
        # what Telegram accepts but a bot should know about (parameters it ignores)
        self.warnings: list[Violation] = []
        # setMyName / setMyDescription / setMyShortDescription, by (kind, language_code)
        self.profile: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every request, for assertions
        # (monotonic time, method, chat_id) of every request: rates measured at the emulator
        self.timed_calls: list[tuple[float, str, Any]] = []
        self._changed = asyncio.Event()  # replaced on every change: waiters hold the old one
        # called on every change, after the waiters are woken (the history on disk saves)
        self.on_change: Callable[[], None] | None = None
        self.closing = False
        self._ids = itertools.count(1)
        self.poll_generation = 0

    # --- ids -------------------------------------------------------------------------------
    def new_id(self) -> int:
        return next(self._ids)

    def new_query_id(self) -> str:
        return str(secrets.randbits(62))

    # --- change notification ---------------------------------------------------------------
    def touch(self) -> None:
        """Wake every waiter. Synchronous, so timers and plain functions can call it too."""
        self._changed.set()
        self._changed = asyncio.Event()
        if self.on_change is not None:
            self.on_change()

    async def notify(self) -> None:
        self.touch()

    async def wait_for(self, predicate: Callable[[], bool], within: float) -> bool:
        """Wait until predicate() holds or `within` seconds pass; True when it holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                async with asyncio.timeout(remaining):  # not wait_for: 3.11's can hang on cancel
                    await self._changed.wait()
            except TimeoutError:
                return bool(predicate())
        return True

    def revise(self) -> None:
        """The bot changed its commands or menu button: pages showing them redraw."""
        self.revision += 1
        self.touch()

    def commands_for(self, chat: Chat) -> list[dict[str, Any]]:
        """The / menu Telegram shows in a private chat: the first scope with commands, in
        Telegram's order (the chat, all private chats, the default; the user's language
        first within each)."""
        language = str(chat.user.get("language_code") or "")
        for scope in (f"chat:{chat.id}", "all_private_chats:", "default:"):
            for lang in dict.fromkeys((language, "")):
                found = self.commands.get(f"{scope}:{lang}")
                if found:
                    return list(found)
        return []

    def warn(self, warning: Violation) -> None:
        """Something Telegram accepts (an unknown parameter it ignores): not a violation."""
        self.warnings.append(warning)

    def record(self, violation: Violation) -> None:
        self.violations.append(violation)
        self.touch()

    # --- updates ---------------------------------------------------------------------------
    def wants(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in OPT_IN_UPDATES

    async def emit(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue one update after checking it against aiogram's Update model."""
        return self.push(kind, payload)

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """emit() for synchronous callers (block_bot)."""
        update = {"update_id": self.update_ids.take(), kind: whole_text(payload)}
        Update.model_validate(update)  # raises on an emulator bug, before anyone sees it
        if not self.wants(kind):
            return None
        self.updates.append(update)
        self.touch()
        return update

    def acknowledge(self, offset: int) -> None:
        """getUpdates offset semantics: confirm everything below offset (or keep the tail)."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    # --- files -----------------------------------------------------------------------------
    def store_file(self, data: bytes, folder: str, extension: str) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        unique = "AQAD" + digest[:16]
        for existing in self.files.values():
            if existing.file_unique_id == unique:
                return existing
        file_id = f"{folder[:4].upper()}{secrets.token_urlsafe(24)}"
        number = len(self.files)
        while self.file_by_path(path := f"{folder}/file_{number}.{extension}") is not None:
            number += 1  # a file a restart could not restore left its number free
        stored = StoredFile(file_id, unique, data, path)
        self.files[file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        for stored in self.files.values():
            if stored.file_path == path:
                return stored
        return None

    # --- chats and messages ----------------------------------------------------------------
    def add_message(self, chat: Chat, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = {
            "message_id": chat.next_message_id,
            "from": sender,
            "chat": chat.as_chat(),
            "date": now(),
            **{k: whole_text(v) for k, v in content.items() if v is not None},
        }
        chat.next_message_id += 1
        chat.messages[message["message_id"]] = message
        return message

    async def bot_event(self, chat: Chat, kind: str, message: dict[str, Any]) -> None:
        chat.events.append(Event(kind, dict(message)))
        await self.notify()
