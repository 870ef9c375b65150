"""Pushing updates to a webhook, as Telegram does once setWebhook is called.

Updates go out as JSON POSTs carrying the secret token header, over up to `max_connections`
(setWebhook's, default 40) at once, as Telegram's servers do; the updates of one chat go one
at a time, in order (the next is sent once the previous one was answered), so a bot behind
several workers sees a chat's updates in the order they happened. A non-2xx answer or a
network error keeps the update queued and retries it with a growing pause (Telegram
re-delivers too, which is why bots must be idempotent per update_id). A 2xx answer whose body
is a Bot API call (`{"method": "sendMessage", ...}`) is executed like a request. An exception
of the emulator's own on the way is a `Failure` (sandbox.server), as on a request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import aiohttp

from sandbox.api import execute
from sandbox.errors import ApiError
from sandbox.server import Failure, record_failure
from sandbox.spec import ApiSpec
from sandbox.state import State, now

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def chat_of(update: dict[str, Any]) -> object:
    """What orders an update among others: its chat (or, for queries without one, the user
    who sent it); an update naming neither is ordered only by itself."""
    for body in update.values():
        if not isinstance(body, dict):
            continue
        message = body.get("message") if isinstance(body.get("message"), dict) else body
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return ("chat", chat["id"])
        sender = body.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return ("chat", sender["id"])
    return ("update", update.get("update_id"))


class _Pusher:
    def __init__(
        self,
        state: State,
        spec: ApiSpec | None,
        session: aiohttp.ClientSession,
        request_timeout: float,
        failures: list[Failure],
    ) -> None:
        self.state, self.spec, self.session = state, spec, session
        self.request_timeout = request_timeout
        self.failures = failures
        self.busy: dict[object, asyncio.Task[None]] = {}  # chat → its update in flight
        self.backoff = 0.05

    def next_update(self) -> dict[str, Any] | None:
        """The oldest queued update whose chat has nothing in flight or queued before it,
        while a connection is free."""
        hook = self.state.webhook
        if hook is None or len(self.busy) >= int(hook.get("max_connections") or 40):
            return None
        seen: set[object] = set()
        for update in self.state.updates:
            chat = chat_of(update)
            if chat not in self.busy and chat not in seen:
                return update
            seen.add(chat)
        return None

    async def run(self) -> None:
        try:
            while True:
                while not await self.state.wait_for(lambda: self.next_update() is not None, 3600):
                    pass
                update = self.next_update()
                assert update is not None
                chat = chat_of(update)
                self.busy[chat] = asyncio.create_task(self.deliver(update, chat))
        except Exception as exc:  # no update is pushed any more: the tests must say why
            record_failure(self.failures, "webhook delivery", exc)
            raise
        finally:
            for task in self.busy.values():
                task.cancel()

    async def deliver(self, update: dict[str, Any], chat: object) -> None:
        state = self.state
        try:
            hook = state.webhook
            if hook is None:  # deleted since the update was picked: it waits, queued
                return
            headers = {SECRET_HEADER: hook["secret_token"]} if hook.get("secret_token") else {}
            try:
                async with self.session.post(
                    hook["url"],
                    json=update,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.request_timeout),
                ) as response:
                    body = await response.read()
                    status, reason = response.status, response.reason
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, reason, body = 0, f"Connection failed: {type(exc).__name__}", b""
            if 200 <= status < 300:
                self.backoff = 0.05
                if update in state.updates:
                    state.updates.remove(update)
                    state.touch()
                await _run_reply(state, self.spec, body, self.failures)
                return
            state.webhook_error = (now(), f"Wrong response from the webhook: {status} {reason}")
            pause = self.backoff
            self.backoff = min(self.backoff * 2, 2.0)
            await state.wait_for(_replaced(state, hook), pause)
        except Exception as exc:  # a bug here: kept, and tried again after a pause, as a 5xx
            record_failure(self.failures, "webhook delivery", exc, {"update": update})
            await asyncio.sleep(1.0)
        finally:
            self.busy.pop(chat, None)
            state.touch()


async def push_updates(
    state: State,
    spec: ApiSpec | None,
    session: aiohttp.ClientSession,
    request_timeout: float = 10.0,
    failures: list[Failure] | None = None,
) -> None:
    """Run until cancelled: deliver queued updates whenever a webhook is set. The emulator's
    own failures on the way are added to `failures`."""
    await _Pusher(state, spec, session, request_timeout, [] if failures is None else failures).run()


async def _run_reply(
    state: State, spec: ApiSpec | None, body: bytes, failures: list[Failure]
) -> None:
    """A webhook reply may carry one method call; Telegram runs it and discards the result."""
    if not body.strip():
        return
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return
    if not isinstance(payload, dict) or "method" not in payload:
        return
    params = dict(payload)
    method = str(params.pop("method"))
    try:
        await execute(state, spec, method, params)
    except ApiError:  # execute() records it when it is the bot's fault
        pass
    except Exception as exc:
        record_failure(failures, f"{method} (in a webhook reply)", exc, params)


def _replaced(state: State, hook: dict[str, Any]) -> Callable[[], bool]:
    """Retry pauses end early when the webhook is changed or deleted."""
    return lambda: state.webhook is not hook
