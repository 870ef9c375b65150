"""Pushing updates to a webhook, as Telegram does once setWebhook is called.

Updates go out one at a time, in order, as JSON POSTs carrying the secret token header. A
non-2xx answer or a network error keeps the update queued and retries it with a growing pause
(Telegram re-delivers too, which is why bots must be idempotent per update_id). A 2xx answer
whose body is a Bot API call (`{"method": "sendMessage", ...}`) is executed like a request.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import aiohttp

from sandbox.api import execute
from sandbox.errors import ApiError
from sandbox.spec import ApiSpec
from sandbox.state import State, now

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


async def push_updates(
    state: State,
    spec: ApiSpec | None,
    session: aiohttp.ClientSession,
    request_timeout: float = 10.0,
) -> None:
    """Run until cancelled: deliver queued updates whenever a webhook is set."""
    backoff = 0.05
    while True:
        while not await state.wait_for(
            lambda: state.webhook is not None and bool(state.updates), 3600
        ):
            pass
        hook = state.webhook
        assert hook is not None
        update = state.updates[0]
        headers = {SECRET_HEADER: hook["secret_token"]} if hook.get("secret_token") else {}
        try:
            async with session.post(
                hook["url"],
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=request_timeout),
            ) as response:
                body = await response.read()
                status, reason = response.status, response.reason
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, reason, body = 0, f"Connection failed: {type(exc).__name__}", b""
        if 200 <= status < 300:
            backoff = 0.05
            if update in state.updates:
                state.updates.remove(update)
                state.touch()
            await _run_reply(state, spec, body)
            continue
        state.webhook_error = (now(), f"Wrong response from the webhook: {status} {reason}")
        await state.wait_for(_replaced(state, hook), backoff)
        backoff = min(backoff * 2, 2.0)


async def _run_reply(state: State, spec: ApiSpec | None, body: bytes) -> None:
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
    with contextlib.suppress(ApiError):  # execute() records it when it is the bot's fault
        await execute(state, spec, method, params)


def _replaced(state: State, hook: dict[str, Any]) -> Callable[[], bool]:
    """Retry pauses end early when the webhook is changed or deleted."""
    return lambda: state.webhook is not hook
