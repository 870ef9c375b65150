"""What survives a restart of the emulator: the chats as their users saw them.

Kept in one folder per bot (`<data dir>/sandbox-chats/<bot id>/`):

    snapshot-<g>.json   the whole state at one moment (generation g); written to a temporary
                        file, flushed to disk, then renamed into place, so a kill -9 while it
                        is written leaves the previous snapshot whole
    journal-<g>.jsonl   every change since snapshot g, one JSON record a line, appended
    files/<unique id>   each file's bytes, written once when the file first appears

Why a journal beside the snapshot: a change costs one appended line (a message is a kilobyte
or two) and never a rewrite of a chat, let alone of its photos, which are written once, by
their content, however many messages show them. A killed process loses at most the line
being written; the next start sees it torn and says so. At start the newest readable
snapshot and the journals after it are replayed and compacted into a new generation that
keeps the last `keep_messages` messages of each chat, and so again whenever the journal
passes `JOURNAL_LIMIT` bytes. The generation before stays as a fallback: a damaged snapshot
is set aside (`.corrupt`) and the one before it, replayed with both journals, gives the same
state. Nothing read from disk is trusted: every message and update is checked against
aiogram's models, and a record that fails is skipped with a log line naming it.

What gets recorded rides on `State.touch()`, the one change signal that already wakes the
page, long polls and simulated users: at each touch what changed since the last one is
appended. A chat's messages say which of them were written or removed (`state.Messages`);
files, photo sets and invoices are only ever added, so their count says; the update queue's
ids only grow, so its length and ends say; the rest, a few small dictionaries, is compared
by value. So every way of changing a chat is saved as soon as anyone could see it, without
each Bot API method remembering to, and a touch that changed nothing costs microseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import IO, Any

from aiogram.types import Message, Update, User
from pydantic import ValidationError

from sandbox.state import Chat, State, StoredFile

log = logging.getLogger(__name__)

FORMAT = 1
KEEP_MESSAGES = 1000  # per chat, across a restart
JOURNAL_LIMIT = 16 * 1024 * 1024  # bytes of journal before it is folded into a new snapshot
RETRY_SECONDS = 5  # after a failed write (a full disk), before writing everything again
UPDATE_LIFETIME = 24 * 3600  # Telegram keeps an update nobody fetched for 24 hours
QUERY_KINDS = frozenset({"callback_query", "inline_query", "pre_checkout_query"})
_NUMBERED = re.compile(r"(snapshot|journal)-(\d+)\.(json|jsonl)")


class Damaged(ValueError):
    """A record that cannot be applied (it names something missing, or its data is wrong)."""


def _copy(value: Any) -> Any:
    """A deep copy as JSON sees it: what a later comparison is made against."""
    return json.loads(json.dumps(value, default=str))


def _same(value: Any, written: Any) -> bool:
    """Whether `value` is what was written as `written` (a `_copy`): equal as they are, or
    equal once through JSON (a tuple, an integer key)."""
    return bool(value == written or _copy(value) == written)


def _json(value: Any) -> bytes:
    # ASCII escapes, so a lone surrogate in a parameter cannot break the write; anything JSON
    # has no type for is kept as its text
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def _line(record: dict[str, Any]) -> bytes:
    return _json(record) + b"\n"


def _unique_id(data: bytes) -> str:
    """The file_unique_id `State.store_file` gives these bytes."""
    return "AQAD" + hashlib.sha256(data).hexdigest()[:16]


def _header(chat: Chat) -> dict[str, Any]:
    """Everything about a chat but its messages and its next message id (which changes with
    nearly every message, so it is recorded on its own, and only when a message does not
    already say it)."""
    return {
        "user": chat.user,
        "blocked": chat.blocked,
        "started": chat.started,
        "keyboard": chat.keyboard,
        "pinned": list(chat.pinned),
        "reactions": {str(k): v for k, v in chat.reactions.items()},
    }


def _settings(state: State) -> dict[str, Any]:
    """What the bot set for everyone: commands, menu buttons, its name, where updates go."""
    return {
        "commands": state.commands,
        "menu_button": state.menu_button,
        "chat_menu_buttons": [[k, v] for k, v in state.chat_menu_buttons.items()],
        "profile": [[kind, language, value] for (kind, language), value in state.profile.items()],
        "webhook": state.webhook,
        "allowed_updates": state.allowed_updates,
    }


def _open_queries(state: State) -> dict[str, str]:
    """Queries a bot may still answer: asked and unanswered, including those a previous run
    left open (answering them after the restart is no violation)."""
    asked = {
        query_id: query.kind
        for query_id, query in state.queries.items()
        if not query.expired and not query.answer.done()
    }
    return asked | state.restored_queries


class History:
    """The journal and snapshots of one bot's chats; `load()` once, then `save()` on change."""

    def __init__(self, folder: Path, keep_messages: int = KEEP_MESSAGES) -> None:
        if keep_messages < 1:
            raise ValueError("keep_messages must be at least 1")
        self.folder = folder
        self.keep = keep_messages
        self.generation = 0
        self.closed = False
        self.restored: set[int] = set()  # ids of the chats a previous run kept
        self._journal: IO[bytes] | None = None
        self._journal_size = 0
        self._resync = True  # nothing written yet, or a write failed: write a whole snapshot
        self._failing = False  # the last write failed (and was logged)
        self._retry_at = 0.0  # monotonic time before which a failed write is not tried again
        # what the journal and snapshot hold now, to compare the state with
        self._headers: dict[int, dict[str, Any]] = {}
        self._counters: dict[int, int] = {}  # each chat's next message id
        self._files: set[str] = set()
        self._photo_keys: set[str] = set()
        self._invoices: set[tuple[int, int]] = set()
        self._links: set[str] = set()
        self._updates: dict[int, float] = {}  # queued update id -> when it was queued
        self._queries: dict[str, str] = {}
        self._settings: dict[str, Any] = {}
        self._queued_at: dict[int, float] = {}  # kept through a compaction
        self._queue_ends: tuple[int, ...] = (0,)  # the queue's length and first and last ids

    @property
    def files_folder(self) -> Path:
        return self.folder / "files"

    # --- reading ---------------------------------------------------------------------------
    def load(self, state: State) -> None:
        """Fill an empty `state` with what the folder holds, then start a new generation.
        Damage is logged and skipped, never raised: the sandbox starts with what is left."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for draft in [*self.folder.glob("*.tmp"), *self.files_folder.glob("*.tmp")]:
            draft.unlink(missing_ok=True)  # a write a kill interrupted
        numbered = self._numbered()
        base = self._read_snapshot(numbered)
        records: list[tuple[str, Any]] = []
        if base is not None:
            generation, body = base
            name = f"snapshot-{generation}.json"
            records += [(f"{name} record {i + 1}", r) for i, r in enumerate(body["records"])]
        else:
            generation = 0
        for number, path in sorted(numbered["journal"].items()):
            if number >= generation:
                records += self._read_journal(path)
        for where, record in records:
            try:
                self._apply(state, record)
            except (Damaged, ValidationError, KeyError, TypeError, ValueError) as exc:
                problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.warning("sandbox chats: skipped %s in %s: %s", where, self.folder, problem)
        self._settle(state)
        if state.chats or state.updates:
            log.info(
                "sandbox chats: restored %d chat(s), %d message(s), %d file(s) and %d "
                "undelivered update(s) from %s",
                len(state.chats),
                sum(len(chat.messages) for chat in state.chats.values()),
                len(state.files),
                len(state.updates),
                self.folder,
            )
        self.save(state)  # the next generation (save compacts, since nothing is written yet)

    def _numbered(self) -> dict[str, dict[int, Path]]:
        found: dict[str, dict[int, Path]] = {"snapshot": {}, "journal": {}}
        for path in self.folder.iterdir():
            match = _NUMBERED.fullmatch(path.name)
            if match is not None and (match[1] == "snapshot") == (match[3] == "json"):
                found[match[1]][int(match[2])] = path
        return found

    def _read_snapshot(
        self, numbered: dict[str, dict[int, Path]]
    ) -> tuple[int, dict[str, Any]] | None:
        """The newest snapshot that reads whole; a damaged one is set aside with a log line."""
        for generation, path in sorted(numbered["snapshot"].items(), reverse=True):
            try:
                body = json.loads(path.read_bytes())
                if not isinstance(body, dict) or body.get("format") != FORMAT:
                    raise Damaged(f"not a format {FORMAT} snapshot")
                if not isinstance(body.get("records"), list):
                    raise Damaged("it has no list of records")
            except (OSError, ValueError) as exc:
                aside = path.with_name(path.name + ".corrupt")
                with contextlib.suppress(OSError):
                    path.replace(aside)
                log.error(
                    "sandbox chats: %s is damaged (%s); set aside as %s, restoring from the "
                    "snapshot before it and the journals since",
                    path,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    aside.name,
                )
                continue
            self.generation = generation
            return generation, body
        if numbered["snapshot"]:
            log.error(
                "sandbox chats: no snapshot in %s reads whole; replaying the journals alone",
                self.folder,
            )
        return None

    def _read_journal(self, path: Path) -> list[tuple[str, Any]]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            log.error("sandbox chats: cannot read %s (%s); its changes are lost", path, exc)
            return []
        lines = data.split(b"\n")
        records = []
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                records.append((f"{path.name} line {number}", json.loads(raw)))
            except ValueError:
                if number == len(lines):  # no newline after it: the write was cut short
                    log.warning(
                        "sandbox chats: %s ends in a torn record (the sandbox was stopped "
                        "while writing it); the one change it held is lost, the rest is kept",
                        path,
                    )
                else:
                    log.warning("sandbox chats: skipped damaged line %d of %s", number, path)
        return records

    def _apply(self, state: State, record: Any) -> None:
        """Replay one record onto the state (snapshots hold the same records)."""
        if not isinstance(record, dict) or len(record) != 1:
            raise Damaged("not a record")
        ((kind, body),) = record.items()
        if kind == "chat":
            user_id = User.model_validate(body["user"]).id
            chat = state.chats.get(user_id) or Chat(dict(body["user"]))
            chat.user = dict(body["user"])
            chat.blocked = bool(body["blocked"])
            chat.started = bool(body["started"])
            keyboard = body["keyboard"]
            chat.keyboard = keyboard if isinstance(keyboard, dict) else None
            chat.pinned = [int(m) for m in body["pinned"]]
            chat.reactions = {int(k): list(v) for k, v in dict(body["reactions"]).items()}
            state.chats[chat.id] = chat
            self.restored.add(chat.id)
        elif kind == "message":
            chat = _described(state, body["chat_id"])
            message = dict(body["message"])
            Message.model_validate(message)
            message_id = int(message["message_id"])
            chat.messages[message_id] = message
            chat.next_message_id = max(chat.next_message_id, message_id + 1)
        elif kind == "next_message_id":
            chat = _described(state, body["chat_id"])
            chat.next_message_id = max(chat.next_message_id, int(body["value"]))
        elif kind == "deleted":
            _described(state, body["chat_id"]).messages.pop(int(body["message_id"]), None)
        elif kind == "file":
            stored = StoredFile(
                str(body["file_id"]), str(body["file_unique_id"]), b"", str(body["file_path"])
            )
            try:
                stored.data = (self.files_folder / stored.file_unique_id).read_bytes()
            except OSError:
                raise Damaged(f"the bytes of file {stored.file_id} are missing") from None
            if _unique_id(stored.data) != stored.file_unique_id:
                raise Damaged(f"the bytes of file {stored.file_id} are not the ones stored")
            state.files[stored.file_id] = stored
        elif kind == "photo_set":
            sizes = list(body["sizes"])
            if not all(isinstance(size, dict) and "file_id" in size for size in sizes):
                raise Damaged("a photo size without a file_id")
            for key in body["ids"]:
                state.photo_sets[str(key)] = sizes
        elif kind == "invoice":
            state.invoices[(int(body["chat_id"]), int(body["message_id"]))] = dict(body["params"])
        elif kind == "invoice_link":
            state.invoice_links[str(body["slug"])] = dict(body["params"])
        elif kind == "update":
            update = dict(body["update"])
            Update.model_validate(update)
            update_id = int(update["update_id"])
            if update_id not in self._updates:
                state.updates.append(update)
            self._updates[update_id] = float(body["at"])
        elif kind == "delivered":
            gone = {int(update_id) for update_id in body}
            state.updates = [u for u in state.updates if u["update_id"] not in gone]
            for update_id in gone:
                self._updates.pop(update_id, None)
        elif kind == "queries":
            if not all(str(k) in QUERY_KINDS for k in dict(body).values()):
                raise Damaged("an unknown kind of query")
            state.restored_queries = {str(k): str(v) for k, v in dict(body).items()}
        elif kind == "settings":
            state.commands = {str(k): list(v) for k, v in dict(body["commands"]).items()}
            state.menu_button = dict(body["menu_button"])
            state.chat_menu_buttons = {k: dict(v) for k, v in body["chat_menu_buttons"]}
            state.profile = {(str(k), str(lang)): str(v) for k, lang, v in body["profile"]}
            if ("name", "") in state.profile:
                state.bot_user["first_name"] = state.profile[("name", "")]
            webhook = body["webhook"]
            state.webhook = dict(webhook) if isinstance(webhook, dict) else None
            state.allowed_updates = [str(kind) for kind in body["allowed_updates"]]
        else:
            raise Damaged(f"an unknown kind of record {kind!r}")

    def _settle(self, state: State) -> None:
        """After replaying: Telegram's limits on what is kept, and ids that never repeat."""
        state.updates.sort(key=lambda u: int(u["update_id"]))
        expired = time.time() - UPDATE_LIFETIME
        stale = [u for u in state.updates if self._updates.get(u["update_id"], 0) < expired]
        if stale:
            log.info(
                "sandbox chats: dropped %d update(s) nobody fetched for 24 hours, as Telegram does",
                len(stale),
            )
            state.updates = [u for u in state.updates if u not in stale]
        if state.updates:
            newest = max(int(u["update_id"]) for u in state.updates)
            state.update_ids.next = max(state.update_ids.next, newest + 1)
        for chat in state.chats.values():
            for message_id in sorted(chat.messages)[: -self.keep]:
                del chat.messages[message_id]
            chat.reactions = {k: v for k, v in chat.reactions.items() if k in chat.messages}
            chat.pinned = [m for m in chat.pinned if m in chat.messages]
        state.invoices = {
            key: params
            for key, params in state.invoices.items()
            if key[0] in state.chats and key[1] in state.chats[key[0]].messages
        }

    # --- writing ---------------------------------------------------------------------------
    def save(self, state: State, *, final: bool = False) -> None:
        """Append what changed since the last save. Never raises: a sandbox that cannot write
        its history keeps running, says so, and writes it all when it can again (every
        RETRY_SECONDS, and once more on the `final` save as the emulator stops)."""
        waiting = self._resync and time.monotonic() < self._retry_at
        if self.closed or (waiting and not final):
            return
        try:
            if self._resync:
                self.compact(state)
            else:
                records = self._changes(state)
                if records:
                    self._append(records)
                if self._journal_size > JOURNAL_LIMIT:
                    self.compact(state)
        except Exception:
            if not self._failing:
                log.exception(
                    "sandbox chats: could not write to %s; the chats may not survive a restart "
                    "(trying again in %d s)",
                    self.folder,
                    RETRY_SECONDS,
                )
            self._failing = self._resync = True
            self._retry_at = time.monotonic() + RETRY_SECONDS
        else:
            if self._failing:
                log.info("sandbox chats: writing to %s again", self.folder)
            self._failing = False

    def _changes(self, state: State) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        if len(state.files) != len(self._files):  # files are only ever added
            for stored in state.files.values():
                if stored.file_id not in self._files:
                    records.append(self._file(stored))
                    self._files.add(stored.file_id)
        if len(state.photo_sets) != len(self._photo_keys):
            new = {k: v for k, v in state.photo_sets.items() if k not in self._photo_keys}
            records += [{"photo_set": group} for group in _photo_groups(new)]
            self._photo_keys.update(new)
        for chat_id, chat in state.chats.items():
            header = _header(chat)
            if not _same(header, self._headers.get(chat_id)):
                records.append({"chat": header})
                self._headers[chat_id] = _copy(header)
            messages = chat.messages
            newest = 0  # the newest message id a record below carries
            if messages.changed is None:  # a chat not watched yet: all of it
                messages.changed = set(messages)
            for message_id in sorted(messages.changed):
                if message_id in messages:
                    body = {"chat_id": chat_id, "message": messages[message_id]}
                    records.append({"message": body})
                    newest = max(newest, message_id)
                else:
                    records.append({"deleted": {"chat_id": chat_id, "message_id": message_id}})
            messages.changed.clear()
            if self._counters.get(chat_id) != chat.next_message_id:
                if chat.next_message_id != newest + 1:  # not what the messages say already
                    value = {"chat_id": chat_id, "value": chat.next_message_id}
                    records.append({"next_message_id": value})
                self._counters[chat_id] = chat.next_message_id
        if len(state.invoices) != len(self._invoices):
            for (chat_id, message_id), params in state.invoices.items():
                if (chat_id, message_id) not in self._invoices:
                    body = {"chat_id": chat_id, "message_id": message_id, "params": params}
                    records.append({"invoice": body})
                    self._invoices.add((chat_id, message_id))
        if len(state.invoice_links) != len(self._links):
            for slug, params in state.invoice_links.items():
                if slug not in self._links:
                    records.append({"invoice_link": {"slug": slug, "params": params}})
                    self._links.add(slug)
        records += self._queue_changes(state)
        queries = _open_queries(state)
        if queries != self._queries:
            records.append({"queries": queries})
            self._queries = dict(queries)
        settings = _settings(state)
        if not _same(settings, self._settings):
            records.append({"settings": settings})
            self._settings = _copy(settings)
        return records

    def _queue_changes(self, state: State) -> list[dict[str, Any]]:
        """Updates queued since the last save, and those delivered (acknowledged) since.
        Ids only grow, so the queue is unchanged when its length and both ends are: a new
        update would be its last, and had it gone again the queue would be shorter."""
        queue = state.updates
        ends = (len(queue), queue[0]["update_id"], queue[-1]["update_id"]) if queue else (0,)
        before, self._queue_ends = self._queue_ends, ends
        if ends == before:
            return []
        records: list[dict[str, Any]] = []
        count = before[0]
        kept = 0 < count <= len(queue) and before[1:] == (
            queue[0]["update_id"],
            queue[count - 1]["update_id"],
        )
        if not kept:  # something was delivered: which
            queued = {u["update_id"] for u in queue}
            gone = [update_id for update_id in self._updates if update_id not in queued]
            if gone:
                records.append({"delivered": gone})
                for update_id in gone:
                    del self._updates[update_id]
        at = time.time()
        for update in queue[count:] if kept else queue:  # what was added: only the tail
            if update["update_id"] not in self._updates:
                records.append({"update": {"at": at, "update": update}})
                self._updates[update["update_id"]] = at
        return records

    def _file(self, stored: StoredFile) -> dict[str, Any]:
        """A file's record, its bytes written first (once: the name is their hash)."""
        blob = self.files_folder / stored.file_unique_id
        if not blob.exists():
            _write_whole(blob, stored.data)
        return {
            "file": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_path": stored.file_path,
            }
        }

    def _append(self, records: list[dict[str, Any]]) -> None:
        if self._journal is None:
            path = self.folder / f"journal-{self.generation}.jsonl"
            self._journal = path.open("ab")
            self._journal_size = path.stat().st_size
        data = b"".join(_line(record) for record in records)
        self._journal.write(data)
        self._journal.flush()  # in the OS's hands: a killed process loses nothing written
        self._journal_size += len(data)

    def compact(self, state: State) -> None:
        """Write the whole state as the next generation's snapshot, start its journal, and
        remove what is older than the generation before."""
        self._forget(state)
        records = self._changes(state)  # everything, since nothing is remembered now
        records = self._bounded(state, records)
        numbered = self._numbered()
        generation = 1 + max(self.generation, *numbered["snapshot"], *numbered["journal"], 0)
        body = {"format": FORMAT, "generation": generation, "records": records}
        _write_whole(self.folder / f"snapshot-{generation}.json", _json(body))
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.generation = generation
        self._journal_size = 0
        self._resync = False
        for kind in ("snapshot", "journal"):
            for number, path in numbered[kind].items():
                if number < generation - 1:
                    path.unlink(missing_ok=True)

    def _forget(self, state: State) -> None:
        """Remember nothing as written (before a snapshot of everything); queue times stay."""
        for chat in state.chats.values():
            chat.messages.changed = None
        self._headers.clear()
        self._counters.clear()
        self._files.clear()
        self._photo_keys.clear()
        self._invoices.clear()
        self._links.clear()
        self._queries = {}
        self._settings = {}
        self._queue_ends = (-1,)
        queued_at = dict(self._updates)
        self._updates.clear()
        self._queued_at = queued_at

    def _bounded(self, state: State, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A snapshot's records: each chat's last `keep` messages (and their invoices); the
        queue keeps when each update was first queued."""
        kept = {
            chat_id: set(sorted(chat.messages)[-self.keep :])
            for chat_id, chat in state.chats.items()
        }
        out = []
        for record in records:
            if "message" in record:
                body = record["message"]
                if body["message"]["message_id"] not in kept[body["chat_id"]]:
                    continue
            elif "invoice" in record:
                body = record["invoice"]
                if body["message_id"] not in kept.get(body["chat_id"], set()):
                    continue
            elif "update" in record:
                update_id = record["update"]["update"]["update_id"]
                at = self._queued_at.get(update_id, record["update"]["at"])
                record = {"update": {**record["update"], "at": at}}
                self._updates[update_id] = at
            out.append(record)
        return out

    def close(self) -> None:
        self.closed = True
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def _described(state: State, chat_id: Any) -> Chat:
    """The chat a record is about, which an earlier record must have described."""
    chat = state.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        raise Damaged(f"it is about chat {chat_id}, which no earlier record describes")
    return chat


def _photo_groups(sets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Photo sets as stored: the file ids that share one list of sizes, and the sizes."""
    groups: dict[int, dict[str, Any]] = {}
    for key, sizes in sets.items():
        groups.setdefault(id(sizes), {"ids": [], "sizes": sizes})["ids"].append(key)
    return list(groups.values())


def _write_whole(path: Path, data: bytes) -> None:
    """Write a file so it is either its old self or wholly new: a temporary file, flushed to
    disk, renamed over it (a rename within a folder is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(path.name + ".tmp")
    with draft.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    draft.replace(path)
    with contextlib.suppress(OSError):  # the rename itself, on filesystems that allow it
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


__all__ = ["KEEP_MESSAGES", "History"]
