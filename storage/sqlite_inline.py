"""SQLite on the event loop's own thread, behind aiosqlite's interface.

aiosqlite runs every call (cursor, execute, fetch, commit, close…) on a thread of its own
and wakes the event loop with the result: about fifteen round trips per transaction, each
costing a thread switch, a fight for the GIL and an event-loop turn. Under load that cost
was most of the bot's CPU per update (docs/performance.md). SQLite's own work per call is
microseconds, less than one round trip, so this connection runs each call where it is made,
on the loop's thread, and SQLAlchemy's aiosqlite dialect drives it unchanged
(`create_async_engine(..., async_creator=...)`, storage/db.py).

What a thread bought is kept another way. A call never waits inside SQLite for a lock
held by another process: the connection's busy timeout is 0, so SQLite answers SQLITE_BUSY
at once, and the call is tried again after an `asyncio.sleep` (growing to 100 ms, for up to
`BUSY_TIMEOUT` seconds), while the loop serves everything else. Within one process writers
never meet there: they take turns at the unit of work's gate (storage/uow.py), and WAL
readers do not block. A long query (a search over 100,000 products, tens of milliseconds)
does hold the loop while it runs; the benchmarks show that this costs less than the round
trips it saves.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite

BUSY_TIMEOUT = 30.0  # seconds a call keeps trying while another process holds the lock
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: a call put on it runs at once (the
    SQLAlchemy dialect puts one there to set the isolation level)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread: every call runs on the caller's thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT
        pause = 0.001
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode not in _BUSY or loop.time() >= deadline:
                    raise
            await asyncio.sleep(pause)  # another process holds the lock: let the loop run
            pause = min(pause * 2, 0.1)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:  # aiosqlite's starts the thread here
        return self._connect().__await__()

    async def opened(self) -> InlineConnection:
        return await self._connect()

    def stop(self) -> None:
        self._running = False
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    async def close(self) -> None:
        self.stop()


def connector(database: str, **options: Any) -> Callable[[], Awaitable[InlineConnection]]:
    """The `async_creator` for `create_async_engine`: new connections to `database` (a path
    or a `file:` URI; `options` as for `sqlite3.connect`), with a busy timeout of 0."""
    options = {**options, "timeout": 0, "check_same_thread": False}

    async def connect() -> InlineConnection:
        return await InlineConnection(partial(sqlite3.connect, database, **options)).opened()

    return connect
