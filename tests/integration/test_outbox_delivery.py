"""Delivering the outbox through the Bot API emulator, on SQLite and PostgreSQL: every
notification arrives once, within the rates, despite 429s and 5xx; blocked users are not
retried; two dispatchers share the work; a restart re-sends nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from bot.notify import DeliveryRules, OutboxDispatcher
from sandbox import Emulator, SimUser
from sandbox.personas import Persona
from storage.models import Outbox, User
from tests.conftest import Database

TOKEN = "123456789:AAE" + "outbox-delivery-tests-0123456789"
FAST = DeliveryRules(
    global_rate=1000, per_chat_rate=1000, backoff=0.05, idle_wait=0.05, lease=timedelta(seconds=30)
)


@pytest.fixture
async def tg() -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN, use_env_spec=False) as emulator:
        yield emulator


@pytest.fixture
async def bot(tg: Emulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
    telegram = Bot(TOKEN, session=session)
    yield telegram
    await telegram.session.close()


async def _people(
    db: Database, tg: Emulator, count: int, *, start: int = 800_000_001
) -> list[tuple[int, SimUser]]:
    """Shop users who have written to the bot (so it may write back), with their chats."""
    people = []
    async with db.sessions() as s, s.begin():
        for n in range(count):
            user = User(telegram_id=start + n, first_name=f"P{n}", language_code="en")
            s.add(user)
            await s.flush()
            people.append(user.user_id)
    chats = []
    for n, user_id in enumerate(people):
        sim = tg.add_persona(Persona(id=start + n, first_name=f"P{n}"))
        await sim.send("/start")
        chats.append((user_id, sim))
    return chats


async def _notify(db: Database, user_ids: list[int], per_user: int = 1) -> None:
    async with db.sessions() as s, s.begin():
        for user_id in user_ids:
            for n in range(per_user):
                s.add(
                    Outbox(
                        user_id=user_id,
                        kind="payment_received",
                        payload={"order_id": 1000 + n, "amount": "12.50"},
                    )
                )


async def _statuses(db: Database) -> dict[str, int]:
    async with db.sessions() as s:
        rows = await s.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        return {status.value: n for status, n in rows.all()}


async def _until_all_handled(db: Database, dispatchers: list[OutboxDispatcher], total: int) -> None:
    tasks = [asyncio.create_task(d.run()) for d in dispatchers]

    async def handled() -> int:
        statuses = await _statuses(db)
        return sum(statuses.values()) - statuses.get("pending", 0)

    try:
        async with asyncio.timeout(60):
            # the database has no change events to wait on: look again every 50 ms, bounded
            while await handled() < total:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        for d in dispatchers:
            d.stop()
        await asyncio.gather(*tasks)


def _received(sim: SimUser) -> list[str]:
    return [m.get("text", "") for m in sim.messages if m["from"]["is_bot"]]


async def test_every_notification_arrives_once_with_its_button(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    people = await _people(db, tg, 3)
    await _notify(db, [u for u, _ in people], per_user=2)
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, FAST)], 6)
    assert await _statuses(db) == {"sent": 6}
    for _, sim in people:
        texts = _received(sim)
        assert texts == [
            "✅ Payment of $12.50 received for order #1000.",
            "✅ Payment of $12.50 received for order #1001.",
        ]
        last = sim.last_bot_message()
        assert last is not None
        assert last["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "v1r:show:1001"
    tg.assert_no_violations()


async def test_429s_and_5xx_delay_but_lose_nothing(db: Database, tg: Emulator, bot: Bot) -> None:
    people = await _people(db, tg, 4)
    await _notify(db, [u for u, _ in people], per_user=2)
    tg.faults.add(method="sendMessage", kind="429", retry_after=1, times=2)
    tg.faults.add(method="sendMessage", kind="5xx", times=3)
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, FAST)], 8)
    assert await _statuses(db) == {"sent": 8}
    assert all(len(_received(sim)) == 2 for _, sim in people)
    assert len(tg.faults.injected) == 5


async def test_a_user_who_blocked_the_bot_is_not_retried(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    (blocked, sim), (fine, other) = await _people(db, tg, 2)
    sim.block_bot()
    await _notify(db, [blocked, fine])
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, FAST)], 2)
    assert await _statuses(db) == {"sent": 1, "undeliverable": 1}
    async with db.sessions() as s:
        row = await s.scalar(select(Outbox).where(Outbox.user_id == blocked))
    assert row is not None
    assert row.attempts == 1
    assert "blocked" in (row.last_error or "")
    assert len(_received(other)) == 1


async def test_two_dispatchers_share_the_work_without_sending_twice(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    people = await _people(db, tg, 10)
    await _notify(db, [u for u, _ in people], per_user=5)
    small = DeliveryRules(global_rate=1000, per_chat_rate=1000, batch=3, idle_wait=0.05)
    await _until_all_handled(
        db, [OutboxDispatcher(bot, db.uow, small), OutboxDispatcher(bot, db.uow, small)], 50
    )
    assert await _statuses(db) == {"sent": 50}
    assert sorted(len(_received(sim)) for _, sim in people) == [5] * 10


async def test_a_restart_resends_nothing_already_sent(db: Database, tg: Emulator, bot: Bot) -> None:
    people = await _people(db, tg, 2)
    await _notify(db, [u for u, _ in people], per_user=3)
    first = OutboxDispatcher(
        bot, db.uow, DeliveryRules(batch=2, global_rate=1000, per_chat_rate=1000)
    )
    assert await first.drain_once() == 2  # then the process stops
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, FAST)], 6)
    assert await _statuses(db) == {"sent": 6}
    assert sorted(len(_received(sim)) for _, sim in people) == [3, 3]


async def test_rates_hold_per_chat_and_overall(db: Database, tg: Emulator, bot: Bot) -> None:
    people = await _people(db, tg, 3)
    await _notify(db, [u for u, _ in people], per_user=3)
    rules = DeliveryRules(global_rate=5, per_chat_rate=2, idle_wait=0.05)
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, rules)], 9)
    sends = [(t, str(chat)) for t, method, chat in tg.state.timed_calls if method == "sendMessage"]
    assert len(sends) == 9
    slack = 0.02  # timer granularity between the limiter and the emulator's clock

    def most_in_a_second(times: list[float]) -> int:
        return max(sum(1 for u in times if t <= u < t + 1.0 - slack) for t in times)

    assert most_in_a_second([t for t, _ in sends]) <= 5
    for chat in {c for _, c in sends}:
        assert most_in_a_second([t for t, c in sends if c == chat]) <= 2
