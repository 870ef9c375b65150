"""The HTTP face of the emulator: Telegram's URL layout, body formats and error envelopes.

Routes are `/bot<token>/<method>` (GET or POST; query string, urlencoded, JSON or multipart
bodies) and `/file/bot<token>/<path>` for downloads. Fault injection happens here, before a
call is validated or executed, because that is where a real network or a flood limit bites.

A request the emulator itself fails on (an exception that is not an `ApiError`: a bug in the
sandbox, never the bot's) is answered as Telegram answers its own failures, a JSON 500, and
becomes a `Failure`: logged with its traceback and kept on `Emulator.failures`, so the test
during which it happened fails saying where, instead of the bot's log saying only "500".
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.api import execute
from sandbox.errors import ApiError, Violation
from sandbox.faults import Faults
from sandbox.spec import ApiSpec
from sandbox.state import State
from sandbox.validation import Upload

log = logging.getLogger(__name__)

UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


@dataclass(frozen=True)
class Failure:
    """A request the emulator failed on by a bug of its own (answered 500, see the module)."""

    where: str  # the Bot API method, or the web chat's route
    error: str  # "KeyError: 7"
    traceback: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.where}: {self.error}\n{self.traceback}"


def record_failure(
    failures: list[Failure], where: str, exc: BaseException, params: dict[str, Any] | None = None
) -> Failure:
    """Keep and log one failure of the emulator's own, with its traceback."""
    failure = Failure(
        where,
        f"{type(exc).__name__}: {exc}",
        "".join(traceback.format_exception(exc)),
        dict(params or {}),
    )
    failures.append(failure)
    log.error(
        "the emulator failed on %s (a sandbox bug, not the bot's)\n%s", where, failure.traceback
    )
    return failure


@dataclass(frozen=True)
class Served:
    """What the request handlers need; one app key keeps it typed."""

    state: State
    spec: ApiSpec | None
    faults: Faults
    token: str
    failures: list[Failure] = field(default_factory=list)


SERVED = web.AppKey("served", Served)
# a request's parameters, once read, for a Failure to show
PARAMS: web.RequestKey[dict[str, Any]] = web.RequestKey("params", dict)


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and the body, with file parts kept apart."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return raw, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        raw.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                data = bytes(await part.read())
                uploads[part.name] = Upload(part.name, part.filename, data, content_type)
            else:
                raw[part.name] = await part.text()
    else:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    return raw, uploads


def _reply(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(
        payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
    )


async def handle_method(request: web.Request) -> web.StreamResponse:
    served = request.app[SERVED]
    state = served.state
    method = request.match_info["method"]
    if request.match_info["token"] != served.token:
        state.record(Violation(method, "Unauthorized"))
        return _reply(UNAUTHORIZED, 401)
    fault = served.faults.pick(method)
    if fault is not None:
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        elif fault.kind == "429":
            error = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
            return _reply(error.payload(), 429)
        elif fault.kind == "5xx":
            body = {"ok": False, "error_code": fault.status, "description": "Internal Server Error"}
            return _reply(body, fault.status)
        elif fault.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing will be written: the client sees a reset
    try:
        raw, uploads = await read_params(request)
        request[PARAMS] = raw
        state.calls.append((method, raw))
        state.timed_calls.append((time.monotonic(), method, raw.get("chat_id")))
        result = await execute(state, served.spec, method, raw, uploads)
    except ApiError as exc:
        return _reply(exc.payload(), exc.error_code)
    return _reply({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.StreamResponse:
    served = request.app[SERVED]
    if request.match_info["token"] != served.token:
        return _reply(UNAUTHORIZED, 401)
    stored = served.state.file_by_path(request.match_info["path"])
    if stored is None:
        return _reply(NOT_FOUND, 404)
    return web.Response(body=stored.data, content_type="application/octet-stream")


async def handle_unknown(request: web.Request) -> web.StreamResponse:
    return _reply(NOT_FOUND, 404)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def catch_failures(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Any route's unexpected exception: a `Failure`, answered with Telegram's 500 envelope."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        method = request.match_info.get("method")
        where = method if method is not None else f"{request.method} {request.path}"
        failure = record_failure(request.app[SERVED].failures, where, exc, request.get(PARAMS))
        error = failure.error.encode("utf-8", "backslashreplace").decode("utf-8")
        description = f"Internal Server Error: {error} (the emulator failed)"
        return _reply({"ok": False, "error_code": 500, "description": description}, 500)


def build_app(
    state: State,
    spec: ApiSpec | None,
    faults: Faults,
    token: str,
    extra: Callable[[web.Application], None] | None = None,
    failures: list[Failure] | None = None,
) -> web.Application:
    """The Bot API routes; `extra` adds more (the web chat) before the 404 catch-all. The
    emulator's own failures on any route are added to `failures`."""
    app = web.Application(client_max_size=60 * 1024 * 1024, middlewares=[catch_failures])
    app[SERVED] = Served(state, spec, faults, token, failures if failures is not None else [])
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    if extra is not None:
        extra(app)
    app.router.add_route("*", "/{tail:.*}", handle_unknown)
    return app
