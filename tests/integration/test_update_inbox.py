"""The update inbox (bot/inbox.py, storage/inbox.py) on both databases: an update is stored
before it is handled, handled once, handled again if its worker died, and its writes are not
repeated by that second handling."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage
from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy import func, select

from bot import inbox
from bot.app import create_bot, create_dispatcher
from bot.settings import Settings
from sandbox import Emulator
from storage.models import AuditLog, ProcessedUpdate
from storage.uow import AlreadyApplied, UnitOfWork, UpdateEffects, current_update
from storage.vocabulary import UpdateStatus
from tests.conftest import Database
from tests.integration.test_start_handler import TOKEN, RecordingSession, start_update

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def _claim(db: Database, update_id: int, fp: str, worker: str, now: datetime) -> bool:
    async with db.uow() as uow:
        won = await uow.inbox.claim(
            1,
            update_id,
            fingerprint=fp,
            payload={"update_id": update_id},
            worker=worker,
            now=now,
            stale_before=now - LEASE,
        )
        await uow.commit()
        return won


async def _row(db: Database, update_id: int) -> ProcessedUpdate:
    async with db.sessions() as s:
        row = await s.get(ProcessedUpdate, (1, update_id))
        assert row is not None
        return row


async def test_an_update_is_claimed_once_even_by_racing_workers(db: Database) -> None:
    results = await asyncio.gather(
        *(_claim(db, 1001, "same", f"worker-{n}", NOW) for n in range(12))
    )
    assert results.count(True) == 1


async def test_a_handled_update_delivered_again_is_dropped(db: Database) -> None:
    assert await _claim(db, 7, "content", "a", NOW)
    async with db.uow() as uow:
        await uow.inbox.done([(1, 7)], NOW)
        await uow.commit()
    assert not await _claim(db, 7, "content", "b", NOW + timedelta(hours=1))
    row = await _row(db, 7)
    assert row.status == UpdateStatus.done
    assert row.payload is None  # the body is not kept once handled


async def test_an_id_reused_by_another_update_is_handled(db: Database) -> None:
    """A new bot token, or the sandbox's emulator restarted: ids start again from 1. The
    same id with other content is a new update, not a re-delivery (the bot went silent)."""
    assert await _claim(db, 1, "yesterday's /start", "a", NOW)
    async with db.uow() as uow:
        await uow.inbox.done([(1, 1)], NOW)
        await uow.commit()
    assert await _claim(db, 1, "today's hello", "b", NOW + timedelta(minutes=5))
    row = await _row(db, 1)
    assert (row.status, row.claimed_by, row.fingerprint) == (
        UpdateStatus.claimed,
        "b",
        "today's hello",
    )


async def test_a_claim_whose_worker_died_is_taken_over_and_a_live_one_is_not(
    db: Database,
) -> None:
    assert await _claim(db, 5, "x", "dead", NOW)
    assert await _claim(db, 6, "y", "alive", NOW)
    later = NOW + timedelta(seconds=90)
    async with db.uow() as uow:
        await uow.inbox.heartbeat([(1, 6)], "alive", later - timedelta(seconds=5))
        await uow.commit()
    # a re-delivery while the live worker handles it is dropped
    assert not await _claim(db, 6, "y", "other", later)
    async with db.uow() as uow:
        taken = await uow.inbox.take_abandoned(
            "rescuer", now=later, stale_before=later - LEASE, max_attempts=3
        )
        await uow.commit()
    assert [(t.update_id, t.payload, t.attempts) for t in taken] == [(5, {"update_id": 5}, 2)]
    assert (await _row(db, 5)).claimed_by == "rescuer"
    assert (await _row(db, 6)).claimed_by == "alive"


async def test_an_update_that_keeps_failing_stops_after_its_tries(db: Database) -> None:
    assert await _claim(db, 9, "poison", "a", NOW)
    for attempt in range(2, 4):
        async with db.uow() as uow:
            await uow.inbox.give_back([(1, 9)], max_attempts=3)
            taken = await uow.inbox.take_abandoned(
                "a", now=NOW, stale_before=NOW - LEASE, max_attempts=3
            )
            await uow.commit()
        assert [t.attempts for t in taken] == [attempt]
    async with db.uow() as uow:
        await uow.inbox.give_back([(1, 9)], max_attempts=3)
        await uow.commit()
    assert (await _row(db, 9)).status == UpdateStatus.failed


async def test_old_handled_updates_are_forgotten_and_unfinished_ones_kept(db: Database) -> None:
    for update_id in (1, 2, 3):
        assert await _claim(db, update_id, "c", "a", NOW)
    async with db.uow() as uow:
        await uow.inbox.done([(1, 1)], NOW)
        await uow.inbox.done([(1, 2)], NOW + timedelta(days=5))
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.inbox.purge(NOW + timedelta(days=3)) == 1
        await uow.commit()
    async with db.sessions() as s:
        left = (await s.scalars(select(ProcessedUpdate.update_id))).all()
    assert sorted(left) == [2, 3]


async def test_a_second_handling_does_not_repeat_the_writes_the_first_committed(
    db: Database,
) -> None:
    assert await _claim(db, 11, "c", "a", NOW)

    async def handling(steps: int) -> None:
        token = current_update.set(UpdateEffects(1, 11))
        try:
            for n in range(steps):
                async with db.uow() as uow:
                    uow.audit.record("test", 11, f"step {n}", by=None)
                    await uow.commit()
        finally:
            current_update.reset(token)

    await handling(1)  # the first handling wrote step 0, then its worker died
    with pytest.raises(AlreadyApplied):  # the replay: step 0 again is refused, and it stops
        await handling(3)
    async with db.sessions() as s:
        names = (await s.scalars(select(AuditLog.action).order_by(AuditLog.audit_id))).all()
    assert names == ["step 0"]
    assert (await _row(db, 11)).effects == 1


async def test_a_handling_that_died_before_writing_is_done_whole_by_the_replay(
    db: Database,
) -> None:
    assert await _claim(db, 12, "c", "a", NOW)
    token = current_update.set(UpdateEffects(1, 12))
    try:
        for n in range(2):
            async with db.uow() as uow:
                uow.audit.record("test", 12, f"step {n}", by=None)
                await uow.commit()
    finally:
        current_update.reset(token)
    assert (await _row(db, 12)).effects == 2


async def test_an_update_whose_worker_died_mid_handling_is_answered_by_another(
    db: Database,
) -> None:
    """The first worker stored the update and died before answering: the next worker's
    upkeep replays it from the stored JSON, and the customer gets the greeting."""
    update = start_update(31, user_id=4400)
    async with db.uow() as uow:
        assert await uow.inbox.claim(
            123456789,
            31,
            fingerprint=inbox.fingerprint(inbox.raw(update)),
            payload=inbox.raw(update),
            worker="killed",
            now=datetime.now(UTC) - timedelta(minutes=5),
            stale_before=datetime.now(UTC) - timedelta(minutes=6),
        )
        await uow.commit()
    telegram = RecordingSession()
    bot = Bot(TOKEN, session=telegram)
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    updates: inbox.UpdateInbox = dp["inbox"]
    stop = asyncio.Event()
    upkeep = asyncio.create_task(updates.maintain(dp, bot, stop))
    for _ in range(100):
        if any(isinstance(m, SendMessage) for m in telegram.sent):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await upkeep
    await updates.flush()
    assert [m.chat_id for m in telegram.sent if isinstance(m, SendMessage)] == [4400]
    row = await _row_of(db, 123456789, 31)
    assert row.status == UpdateStatus.done
    # and a re-delivery from Telegram now is recognised
    await dp.feed_update(bot, update)
    assert len([m for m in telegram.sent if isinstance(m, SendMessage)]) == 1


async def _row_of(db: Database, bot_id: int, update_id: int) -> ProcessedUpdate:
    async with db.sessions() as s:
        row = await s.get(ProcessedUpdate, (bot_id, update_id))
        assert row is not None
        return row


async def test_polling_asks_again_for_an_update_it_could_not_store(db: Database) -> None:
    """The offset tells Telegram an update was delivered: it moves past an update only once
    the update is in the inbox. (aiogram's own polling moves it while handlers still run, so
    an update whose claim failed was lost.)"""
    async with Emulator(TOKEN) as tg:
        settings = Settings(bot_token=SecretStr(TOKEN), telegram_api_base=AnyHttpUrl(tg.base_url))
        bot = create_bot(settings)
        dp = create_dispatcher(settings, db.uow)
        updates: inbox.UpdateInbox = dp["inbox"]
        failures = 2

        def flaky_uow() -> UnitOfWork:
            nonlocal failures
            if failures:
                failures -= 1
                raise ConnectionError("the database went away for a moment")
            return db.uow()

        updates._uow = flaky_uow
        stop = asyncio.Event()
        sara = tg.user("Sara")
        await sara.send("/start")
        polling = asyncio.create_task(inbox.poll(dp, bot, updates, poll_seconds=1, stop=stop))
        try:
            await sara.expect_message("Sara", timeout=15)
        finally:
            stop.set()
            await polling
            await bot.session.close()
        greetings = [p for m, p in tg.state.calls if m == "sendMessage"]
    assert len(greetings) == 1
    assert failures == 0
    assert await _count(db) == 1


async def _count(db: Database) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)


async def test_the_webhook_answers_200_only_once_the_update_is_stored(db: Database) -> None:
    """aiogram's webhook answered 200 before handling, so a process killed then had lost the
    update. Now Telegram hears 200 only once the update is in the inbox, 503 otherwise (and
    delivers it again)."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    telegram = RecordingSession()
    bot = Bot(TOKEN, session=telegram)
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    updates: inbox.UpdateInbox = dp["inbox"]
    receive, handling = inbox.webhook_handler(dp, bot, updates, "s3cret")
    app = web.Application()
    app.router.add_post("/hook", receive)
    down = True

    def flaky_uow() -> UnitOfWork:
        if down:
            raise ConnectionError("the database is restarting")
        return db.uow()

    updates._uow = flaky_uow
    body = inbox.raw(start_update(41, user_id=4500))
    header = {inbox.SECRET_HEADER: "s3cret"}
    async with TestClient(TestServer(app)) as client:
        refused = await client.post("/hook", json=body, headers=header)
        assert refused.status == 503
        assert (await client.post("/hook", json=body)).status == 401
        assert (await client.post("/hook", data=b"{", headers=header)).status == 400
        down = False
        accepted = await client.post("/hook", json=body, headers=header)
        assert accepted.status == 200
        async with db.sessions() as s:  # stored by the time Telegram hears 200
            assert await s.get(ProcessedUpdate, (123456789, 41)) is not None
        await handling.wait(10)
        again = await client.post("/hook", json=body, headers=header)  # a re-delivery
        assert again.status == 200
        await handling.wait(10)
    assert [m.chat_id for m in telegram.sent if isinstance(m, SendMessage)] == [4500]


async def test_a_commit_that_wrote_nothing_is_not_one_of_the_counted_writes(
    db: Database,
) -> None:
    """A read that commits (a cart review that found nothing to change, an order found by its
    checkout key) may run again in a replay: only writes are counted, so the replay does not
    stop at it and goes on to answer (the chaos test's replayed Checkout and Place order)."""
    assert await _claim(db, 13, "c", "a", NOW)
    for _ in range(2):  # the first handling, then its replay
        token = current_update.set(UpdateEffects(1, 13))
        try:
            async with db.uow() as uow:
                await uow.session.scalar(select(func.count()).select_from(AuditLog))
                await uow.commit()
        finally:
            current_update.reset(token)
    assert (await _row(db, 13)).effects == 0
