"""SQLite calls run on the event loop's thread (storage/sqlite_inline.py): a lock another
process holds is waited for on the loop, which goes on serving everything else, and the
write goes through once the lock is free."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

from sqlalchemy import func, select

from storage.models import User
from tests.conftest import Database


async def test_a_lock_held_by_another_process_is_waited_for_without_holding_the_loop(
    sqlite_db: Database,
) -> None:
    other = sqlite3.connect(str(sqlite_db.url.database), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        async with sqlite_db.uow() as uow:
            uow.users.add(User(telegram_id=42))
            await uow.commit()

    beat = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()  # still waiting for the lock...
    assert ticks >= 5  # ...while the loop went on (a wait inside SQLite would have held it)
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, 20)  # deadlock guard, not a timing
    stop.set()
    await beat
    async with sqlite_db.uow().reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 1


async def test_sqlite_calls_run_on_the_loops_thread(sqlite_db: Database) -> None:
    seen: list[int] = []
    async with sqlite_db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver._execute(lambda: seen.append(threading.get_ident()))
    assert seen == [threading.get_ident()]
