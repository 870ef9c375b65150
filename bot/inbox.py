"""Nothing a user did is lost when the bot dies: every update is stored before it is acted on.

How an update travels (polling, webhook or replay alike):
1. The entry point feeds it to the dispatcher with an `ack` future. The `UpdateInbox`
   middleware stores it in `processed_updates` (raw JSON, fingerprint, this worker, a
   heartbeat) and resolves `ack` once that is committed. Only then does polling ask for the
   next offset (`poll`), or the webhook answer Telegram 200 (`webhook_handler`): an update
   Telegram thinks delivered is always on disk.
2. The handler runs. Each write transaction it commits counts itself in the update's row
   (storage/uow.py `current_update`, set by `CountEffects`); a replay that reaches a write
   the first handling committed stops there (`AlreadyApplied`) and the user is told the
   action went through.
3. The row is marked done, in the next group transaction. A failure (not a domain error: a
   bug, Telegram down) gives it back: it is handled again, up to `max_attempts` times.
4. A worker killed between 1 and 3 stops renewing its heartbeat. After `lease`, any worker's
   `maintain` loop takes the claim over and feeds the stored update again; the replay does
   not repeat a write the first handling committed (storage/uow.py), so effects happen once
   and the user still gets an answer. Handlers see `data["replayed"]` True then: a screen
   the first handling showed may already show, while what it sent after it may not have
   gone out (checkout's "Place order" sends the invoice again on a replay).

Claims, done marks and give-backs commit as a group: whatever arrived while a group
transaction ran goes into the next one (on SQLite every transaction takes turns; see
docs/performance.md). `reads` run in that transaction for each update it claimed: reads that
every update needs (who is acting, the category tree), which then cost no transaction of
their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hmac import compare_digest
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates
from aiogram.types import TelegramObject, Update
from aiohttp import web

from engine.errors import DomainError
from storage.inbox import UpdateKey
from storage.uow import AlreadyApplied, UnitOfWork, UpdateEffects, current_update

log = logging.getLogger(__name__)

# a read done in the claiming transaction; what it returns (if anything) runs afterwards in
# the update's own context (e.g. to set a context variable there)
Read = Callable[[UnitOfWork, dict[str, Any]], Awaitable[Callable[[], None] | None]]

ACK = "inbox_ack"  # feed_update(..., inbox_ack=future): resolved once the update is stored
TAKEN = "inbox_taken"  # feed_update(..., inbox_taken=True): a replay, already claimed here
# in a handler's data: True when this handling replays an update whose first handling died
# (what it showed may have been shown, what it sent after that may not have been sent)
REPLAYED = "replayed"
KEY = "inbox_key"  # data key the handlers' middleware reads: (bot_id, update_id)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def worker_name() -> str:
    """This process among the workers: host, pid and a random part (a restarted process with
    the same pid is another worker)."""
    return f"{socket.gethostname()[:20]}-{os.getpid()}-{secrets.token_hex(3)}"[:40]


def raw(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it (what a replay feeds again)."""
    return update.model_dump(mode="json", exclude_none=True, by_alias=True)


def fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass
class _Claim:
    key: UpdateKey
    data: dict[str, Any]
    payload: dict[str, Any] | None  # None: a replay, taken already
    # the functions to run in the update's context when claimed; None when not ours
    done: asyncio.Future[list[Callable[[], None]] | None]


_Mark = tuple[UpdateKey, asyncio.Future[None]]  # an update to mark, and who waits for it


@dataclass
class _Queue:
    claims: list[_Claim] = field(default_factory=list)
    done: list[_Mark] = field(default_factory=list)
    failed: list[_Mark] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.claims or self.done or self.failed)


class UpdateInbox(BaseMiddleware):
    """The outer middleware on every update (see the module), and the loop that keeps
    claims alive, replays abandoned ones and forgets old ones (`maintain`)."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        reads: Sequence[Read] = (),
        lease: timedelta = timedelta(seconds=60),
        keep: timedelta = timedelta(hours=72),
        max_attempts: int = 3,
        max_handlings: int = 10,
        worker: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._reads = tuple(reads)
        self.lease, self.keep = lease, keep
        # handlings that raised before it is given up on; handlings of any kind (a worker
        # killed during each, again and again) before it is given up on
        self.max_attempts, self.max_handlings = max_attempts, max_handlings
        self.worker = worker or worker_name()
        self.clock = clock
        self._queue = _Queue()
        self._draining: asyncio.Task[None] | None = None
        self.in_flight: set[UpdateKey] = set()

    # --- the middleware ---------------------------------------------------------------
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        ack: asyncio.Future[bool] | None = data.pop(ACK, None)
        taken = bool(data.pop(TAKEN, False))
        if not isinstance(event, Update):
            _resolve(ack, True)
            return await handler(event, data)
        key = (data["bot"].id, event.update_id)
        claim = _Claim(
            key,
            data,
            None if taken else raw(event),
            asyncio.get_running_loop().create_future(),
        )
        self._queue.claims.append(claim)
        self._kick()
        try:
            claimed = await claim.done  # cancelling this task cancels the future: see _drain
        except Exception as exc:
            if ack is None:
                raise
            _fail(ack, exc)  # not stored: the entry point has it delivered again; no answer
            return None
        except BaseException as exc:
            _fail(ack, exc)
            raise
        _resolve(ack, True)  # stored (or known): the entry point may acknowledge it now
        if claimed is None:
            log.info("update %s was handled already or is being handled; dropped", key[1])
            return None
        for apply in claimed:
            apply()
        data[KEY] = key
        data[REPLAYED] = taken
        self.in_flight.add(key)
        try:
            result = await handler(event, data)
        except (DomainError, AlreadyApplied):
            await self._finish(key, ok=True)  # handled: the user was told why not, or that
            raise  # it went through the first time
        except BaseException:
            await self._finish(key, ok=False)
            raise
        await self._finish(key, ok=True)
        return result

    async def _finish(self, key: UpdateKey, *, ok: bool) -> None:
        """Mark the update done (or give it back) with the next group, and wait for it: the
        handling ends when its update is known to be done."""
        self.in_flight.discard(key)
        marked = asyncio.get_running_loop().create_future()
        (self._queue.done if ok else self._queue.failed).append((key, marked))
        self._kick()
        with contextlib.suppress(Exception):  # not marked: replayed after the lease
            await asyncio.shield(marked)

    def _kick(self) -> None:
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="update inbox")

    async def _drain(self) -> None:
        """Commit queued claims, done marks and give-backs, a group per transaction."""
        while self._queue:
            batch, self._queue = self._queue, _Queue()
            results: list[list[Callable[[], None]] | None] = []
            now = self.clock()
            try:
                async with self._uow() as uow:
                    await uow.inbox.done([key for key, _ in batch.done], now)
                    await uow.inbox.give_back(
                        [key for key, _ in batch.failed], max_attempts=self.max_attempts
                    )
                    for claim in batch.claims:
                        if claim.payload is not None and not await uow.inbox.claim(
                            *claim.key,
                            fingerprint=fingerprint(claim.payload),
                            payload=claim.payload,
                            worker=self.worker,
                            now=now,
                            stale_before=now - self.lease,
                        ):
                            results.append(None)
                            continue
                        applies = [await read(uow, claim.data) for read in self._reads]
                        results.append([a for a in applies if a is not None])
                    await uow.commit()
            except BaseException as exc:  # nothing was stored: each waiter gets the error
                log.warning("the update inbox could not commit (%s)", type(exc).__name__)
                for claim in batch.claims:
                    if not claim.done.done():
                        if isinstance(exc, Exception):
                            claim.done.set_exception(exc)
                        else:
                            claim.done.cancel()
                # done marks and give-backs are not: a replay after the lease covers them
                for _, marked in (*batch.done, *batch.failed):
                    _fail(marked, exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for _, marked in (*batch.done, *batch.failed):
                if not marked.done():
                    marked.set_result(None)
            abandoned = []
            for claim, result in zip(batch.claims, results, strict=True):
                if not claim.done.done():
                    claim.done.set_result(result)
                elif result is not None:  # its waiter was cancelled: it will not be handled
                    abandoned.append((claim.key, asyncio.get_running_loop().create_future()))
            self._queue.failed.extend(abandoned)

    async def flush(self) -> None:
        """Wait until every done mark and give-back so far is committed (stopping)."""
        while True:
            if self._queue:
                self._kick()
            draining = self._draining
            if draining is None or draining.done():
                return
            with contextlib.suppress(Exception):
                await asyncio.shield(draining)

    # --- keeping claims alive, replaying abandoned ones -------------------------------
    async def maintain(self, dp: Dispatcher, bot: Bot, stop: asyncio.Event) -> None:
        """Until `stop`: renew this worker's claims, replay abandoned ones (at once at start,
        then every lease/3), forget handled updates after `keep`."""
        tick = max(self.lease.total_seconds() / 3, 0.2)
        purged_at: datetime | None = None
        replays: set[asyncio.Task[Any]] = set()
        while not stop.is_set():
            try:
                now = self.clock()
                async with self._uow() as uow:
                    await uow.inbox.heartbeat(sorted(self.in_flight), self.worker, now)
                    stored = await uow.inbox.take_abandoned(
                        self.worker,
                        now=now,
                        stale_before=now - self.lease,
                        max_attempts=self.max_handlings,
                    )
                    if purged_at is None or now - purged_at > timedelta(hours=1):
                        purged = await uow.inbox.purge(now - self.keep)
                        purged_at = now
                        if purged:
                            log.info("forgot %s handled updates", purged)
                    await uow.commit()
                for one in stored:
                    log.warning(
                        "update %s: handling it again (try %s)", one.update_id, one.attempts
                    )
                    task = asyncio.create_task(self.replay(dp, bot, one.payload))
                    replays.add(task)
                    task.add_done_callback(replays.discard)
            except Exception:  # a database hiccup: look again next tick
                log.exception("the update inbox's upkeep failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), tick)
        if replays:
            await asyncio.wait(replays, timeout=10)

    async def replay(self, dp: Dispatcher, bot: Bot, payload: dict[str, Any]) -> None:
        update = Update.model_validate(payload, context={"bot": bot})
        with contextlib.suppress(Exception):  # the error router has told the user
            await dp.feed_update(bot, update, **{TAKEN: True})


def _resolve(future: asyncio.Future[bool] | None, value: bool) -> None:
    if future is not None and not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any] | None, exc: BaseException) -> None:
    if future is not None and not future.done():
        if isinstance(exc, Exception):
            future.set_exception(exc)
        else:
            future.cancel()


class CountEffects(BaseMiddleware):
    """Around each handler: its write transactions count in its update's inbox row
    (storage/uow.py), so a replay does not repeat them."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        key: UpdateKey | None = data.get(KEY)
        if key is None:
            return await handler(event, data)
        token = current_update.set(UpdateEffects(*key))
        try:
            return await handler(event, data)
        finally:
            current_update.reset(token)


def install(dp: Dispatcher, inbox: UpdateInbox) -> None:
    """The inbox outside everything else of ours, effects counted around every handler."""
    dp.update.outer_middleware(inbox)
    counter = CountEffects()
    for name, observer in dp.observers.items():
        if name not in ("update", "error"):
            observer.middleware(counter)


# --- entry points ---------------------------------------------------------------------
class _Tasks:
    """Handler tasks in flight, so stopping can let them finish."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task[Any]] = set()

    def feed(self, dp: Dispatcher, bot: Bot, update: Update) -> asyncio.Future[bool]:
        ack: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(dp.feed_update(bot, update, **{ACK: ack}))
        self.running.add(task)

        def finished(task: asyncio.Task[Any]) -> None:
            self.running.discard(task)
            if not ack.done():  # it never reached the inbox (an earlier middleware failed)
                error = None if task.cancelled() else task.exception()
                ack.set_exception(error or RuntimeError("the update was not stored"))

        task.add_done_callback(finished)
        return ack

    async def wait(self, seconds: float) -> None:
        if self.running:
            await asyncio.wait(self.running, timeout=seconds)


async def poll(
    dp: Dispatcher,
    bot: Bot,
    inbox: UpdateInbox,
    *,
    poll_seconds: int = 10,
    stop: asyncio.Event | None = None,
) -> None:
    """Long polling whose offset moves past an update only once the update is stored.

    (aiogram's own polling confirms an offset with the next getUpdates while the previous
    updates' handlers still run, so a process killed then has lost them.)"""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = _Tasks()
    upkeep = asyncio.create_task(inbox.maintain(dp, bot, stop), name="update inbox upkeep")
    allowed = dp.resolve_used_update_types()
    offset: int | None = None
    pause = 0.5
    await dp.emit_startup(bot=bot, dispatcher=dp, bots=[bot], **dp.workflow_data)
    try:
        while not stop.is_set():
            asking = asyncio.create_task(
                bot(GetUpdates(offset=offset, timeout=poll_seconds, allowed_updates=allowed))
            )
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({asking, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not asking.done():
                asking.cancel()
                break
            try:
                updates = asking.result()
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError) as exc:
                log.warning("getUpdates failed (%s); again in %.1f s", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)
                continue
            pause = 0.5
            acks = [tasks.feed(dp, bot, update) for update in updates]
            stored = await asyncio.gather(*acks, return_exceptions=True)
            unstored = [
                u.update_id
                for u, ok in zip(updates, stored, strict=True)
                if isinstance(ok, BaseException)
            ]
            if unstored:  # ask for those again (Telegram keeps them) after a pause
                log.warning("updates %s could not be stored; asking again", unstored)
                offset = min(unstored)
                await asyncio.sleep(pause)
            elif updates:
                offset = updates[-1].update_id + 1
    finally:
        stop.set()
        await tasks.wait(10)
        await inbox.flush()
        await upkeep
        await dp.emit_shutdown(bot=bot, dispatcher=dp, bots=[bot], **dp.workflow_data)


def webhook_handler(
    dp: Dispatcher, bot: Bot, inbox: UpdateInbox, secret: str
) -> tuple[Callable[[web.Request], Awaitable[web.Response]], _Tasks]:
    """The webhook endpoint: Telegram gets its 200 only once the update is stored (a 5xx
    otherwise, and Telegram delivers it again). A missing or wrong secret gets 401, a body
    that is not an update 400."""
    tasks = _Tasks()

    async def receive(request: web.Request) -> web.Response:
        if not compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            update = Update.model_validate_json(await request.read(), context={"bot": bot})
        except ValueError as exc:  # json and pydantic errors alike
            log.warning("webhook body is not an update (%s); answered 400", type(exc).__name__)
            return web.json_response({"ok": False, "error": "not a Telegram update"}, status=400)
        try:
            await tasks.feed(dp, bot, update)
        except Exception as exc:  # not stored: Telegram must deliver it again
            log.warning("update %s not stored (%s); answered 503", update.update_id, exc)
            return web.json_response({"ok": False, "error": "try again"}, status=503)
        return web.json_response({})

    return receive, tasks
