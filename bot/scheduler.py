"""Scheduler wiring: APScheduler 3.11 with its job store in the shop's own database (on SQLite,
a file beside it: see `sync_url`), run by exactly one process per database.

Jobs are referenced by importable names with stable ids and take ids, not objects (bot/jobs.py).
A job that came due while the process was down still runs once at start (coalesce, no misfire
grace limit).

One scheduler per database, however many bot workers run: each worker's `SchedulerService`
tries to take a lock and only the holder starts the scheduler. On PostgreSQL the lock is a
session advisory lock held by one open connection (it goes away with the process, so another
worker takes over within `retry` seconds); on SQLite it is an exclusive lock on a file beside
the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
LOCK_KEY = 0x5C4ED  # the advisory lock's number: "the shop's scheduler"


def sync_url(async_url: str | URL) -> URL:
    """The job store is synchronous: the same database through a blocking driver.

    On SQLite the jobs live in a file beside the shop's (`shop.db` → `shop.db-jobs`): the
    store's blocking writes run on the event loop, and waiting there for the shop file's
    write lock, held by a transaction that needs the loop to finish, would stall both."""
    url = make_url(async_url) if isinstance(async_url, str) else async_url
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database
        if database and database != ":memory:":
            url = url.set(database=f"{database}-jobs")
        return url.set(drivername="sqlite")
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    raise ValueError(f"no job store for {backend!r}")


def create_scheduler(database_url: str) -> AsyncIOScheduler:
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=sync_url(database_url), tablename=JOBS_TABLE)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone="UTC",
    )


class SchedulerLock:
    """Held by at most one process per database (see the module's docstring)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    async def acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            connection = await self.engine.connect()
            try:
                got = await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                )
                await connection.commit()
            except Exception:
                await connection.close()
                raise
            if not got:
                await connection.close()
                return False
            self._connection = connection
            return True
        return self._acquire_file()

    def _acquire_file(self) -> bool:
        database = self.engine.url.database
        if not database or database == ":memory:":
            path = Path(f"/tmp/marketplace-scheduler-{os.getuid()}-memory.lock")  # noqa: S108
        else:
            path = Path(f"{database}.scheduler.lock")
        handle = path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    async def still_held(self) -> bool:
        """False when the lock's connection died (the database restarted, say)."""
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
            except Exception:  # any failure of that connection means the lock is gone
                with contextlib.suppress(Exception):
                    await self._connection.close()
                self._connection = None
                return False
        return self.held

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY}
                )
                await self._connection.commit()
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class SchedulerService:
    """Runs beside the bot: waits for the lock, then runs the scheduler until stopped (or
    until the lock is lost, and then waits again)."""

    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        install: Callable[[AsyncIOScheduler], None],
        *,
        retry: float = 15.0,
        on_start: Callable[[], Awaitable[None]] | None = None,
        name: str = "scheduler",
    ) -> None:
        self.lock = SchedulerLock(engine)
        self.database_url = database_url
        self.install = install
        self.retry = retry
        self.on_start = on_start
        self.name = name
        self.scheduler: AsyncIOScheduler | None = None
        self.rounds = 0  # lock attempts or checks so far (what a test waits on, not time)
        self._stop = asyncio.Event()

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    async def run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self.leading:
                    try:
                        if await self.lock.acquire():
                            await self._start()
                    except Exception:  # the database is away: try again later
                        log.exception("%s: could not take the scheduler lock", self.name)
                elif not await self.lock.still_held():
                    log.warning("%s: the scheduler lock is lost; pausing the jobs", self.name)
                    self._shutdown()
                self.rounds += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.retry)
        finally:
            self._shutdown()
            await self.lock.release()

    async def _start(self) -> None:
        if self.on_start is not None:
            await self.on_start()
        scheduler = create_scheduler(self.database_url)
        scheduler.start(paused=True)  # the job store is open; nothing runs yet
        self.install(scheduler)
        scheduler.resume()  # jobs due while no scheduler ran go now, once each
        self.scheduler = scheduler
        log.info("%s: this process runs the scheduler", self.name)

    def _shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    def stop(self) -> None:
        self._stop.set()
