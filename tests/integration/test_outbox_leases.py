"""Outbox leases have an owner, and messages wait for a first /start, on SQLite and
PostgreSQL, against the Bot API emulator.

- A batch that takes longer than its lease (slow sends) renews it, so a second dispatcher
  running at the same time never sends the same row; a dispatcher that stalled past its lease
  and was taken over sends none of the rows it lost.
- A message to someone who has not started the bot waits (`held`), within a bound, and goes
  out once they write; the admins hear once that a seller cannot be reached yet.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from bot.notify import DeliveryRules, OutboxDispatcher
from engine.accounts import Accounts, TelegramIdentity
from engine.base import Deps
from sandbox import Emulator, SimUser
from sandbox.personas import Persona
from storage.models import Outbox, Seller, User
from storage.vocabulary import OutboxStatus, SellerStatus, UserRole
from tests.conftest import Database

TOKEN = "123456789:AAE" + "outbox-lease-tests-0123456789ab"
FIRST_ID = 810_000_001


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


async def _user(db: Database, n: int, *, role: UserRole = UserRole.customer) -> int:
    async with db.sessions() as s, s.begin():
        user = User(telegram_id=FIRST_ID + n, first_name=f"P{n}", language_code="en", role=role)
        s.add(user)
        await s.flush()
        return user.user_id


async def _people(db: Database, tg: Emulator, count: int) -> list[tuple[int, SimUser]]:
    """Shop users who have written to the bot, with their chats."""
    people = []
    for n in range(count):
        user_id = await _user(db, n)
        sim = tg.add_persona(Persona(id=FIRST_ID + n, first_name=f"P{n}"))
        await sim.send("/start")
        people.append((user_id, sim))
    return people


async def _notify(db: Database, user_ids: list[int], per_user: int, kind: str) -> None:
    async with db.sessions() as s, s.begin():
        for user_id in user_ids:
            for n in range(per_user):
                s.add(
                    Outbox(
                        user_id=user_id,
                        kind=kind,
                        payload={"order_id": 1000 + n, "amount": "12.50"},
                    )
                )


async def _statuses(db: Database) -> dict[str, int]:
    async with db.sessions() as s:
        rows = await s.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        return {status.value: n for status, n in rows.all()}


def _sends_per_row(tg: Emulator) -> Counter[tuple[str, str]]:
    """How often each notification (its chat and its text: one per outbox row here) reached
    the emulator's sendMessage."""
    return Counter((str(c["chat_id"]), str(c["text"])) for c in tg.calls("sendMessage"))


async def _claimed(db: Database) -> None:
    """Wait until a dispatcher has claimed a batch."""
    async with asyncio.timeout(10):
        while True:
            async with db.sessions() as s:
                if await s.scalar(select(func.count()).where(Outbox.attempts > 0)):
                    return
            await asyncio.sleep(0.02)


async def _race(db: Database, first: OutboxDispatcher, second: OutboxDispatcher) -> None:
    """`first` claims the whole batch and works through it while `second` runs beside it,
    until every row is sent."""
    one = asyncio.create_task(first.drain_once())
    await _claimed(db)
    two = asyncio.create_task(second.run())
    try:
        async with asyncio.timeout(60):
            await one
            # the database has no change events to wait on: look again every 50 ms, bounded
            while (await _statuses(db)).get("pending", 0):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        second.stop()
        await two


LEASED = DeliveryRules(
    global_rate=1000,
    per_chat_rate=1000,
    batch=50,
    lease=timedelta(seconds=1),
    idle_wait=0.05,
    backoff=0.05,
)


async def test_a_batch_that_outlives_its_lease_keeps_it_and_nothing_is_sent_twice(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    """12 messages at 0.25 s each take three leases: the first dispatcher renews its lease
    as it goes, and the second one, polling all the while, sends none of them again."""
    people = await _people(db, tg, 4)
    await _notify(db, [u for u, _ in people], 3, "payment_received")
    tg.faults.add(kind="slow", method="sendMessage", delay=0.25, rate=1.0)
    await _race(db, OutboxDispatcher(bot, db.uow, LEASED), OutboxDispatcher(bot, db.uow, LEASED))
    sends = _sends_per_row(tg)
    assert len(sends) == 12
    assert set(sends.values()) == {1}, sends
    assert await _statuses(db) == {"sent": 12}


async def test_a_dispatcher_that_lost_its_lease_sends_none_of_the_rows_it_lost(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    """The first dispatcher's first send gets a 429 that stalls it past its lease; the second
    one takes the batch over and sends it. When the first wakes up, its renewal finds nothing
    still its own, so it sends nothing."""
    people = await _people(db, tg, 4)
    await _notify(db, [u for u, _ in people], 2, "payment_received")
    tg.faults.add(kind="429", method="sendMessage", retry_after=2, times=1)
    first = OutboxDispatcher(bot, db.uow, LEASED)
    await _race(db, first, OutboxDispatcher(bot, db.uow, LEASED))
    assert await first.drain_once() == 0  # nothing is left for it, either
    sends = _sends_per_row(tg)
    assert len(sends) == 8
    assert set(sends.values()) == {1}, sends
    assert await _statuses(db) == {"sent": 8}


async def test_only_the_holder_of_a_lease_may_decide_about_its_rows(db: Database) -> None:
    """The repository level: a lease that ran out and was claimed again belongs to the new
    token; the old one can neither mark the row sent, nor retry, give up, hold or renew it."""
    user_id = await _user(db, 0)
    await _notify(db, [user_id], 1, "payment_received")
    now = datetime.now(UTC)
    lease = timedelta(seconds=1)
    async with db.uow() as uow:
        [old] = await uow.outbox.claim(now=now, lease=lease, limit=5, token="old")
        await uow.commit()
    later = now + 2 * lease
    async with db.uow() as uow:
        [new] = await uow.outbox.claim(now=later, lease=lease, limit=5, token="new")
        await uow.commit()
    assert (old.outbox_id, old.claim_token, new.claim_token) == (new.outbox_id, "old", "new")
    async with db.uow() as uow:
        assert await uow.outbox.renew([old.outbox_id], "old", later + lease) == set()
        assert not await uow.outbox.sent(old.outbox_id, "old", later)
        assert not await uow.outbox.retry(old.outbox_id, "old", later, "5xx")
        assert not await uow.outbox.give_up(old.outbox_id, "old", OutboxStatus.failed, "x")
        held = await uow.outbox.hold(
            old, now=later, hold_for=timedelta(days=14), keep=50, error="chat not found"
        )
        assert held is None
        await uow.outbox.release([old.outbox_id], "old", later)
        assert await uow.outbox.renew([new.outbox_id], "new", later + lease) == {new.outbox_id}
        assert await uow.outbox.sent(new.outbox_id, "new", later)
        await uow.commit()
    async with db.sessions() as s:
        row = await s.get(Outbox, new.outbox_id)
    assert row is not None
    assert (row.status, row.attempts, row.claim_token) == (OutboxStatus.sent, 2, "new")


# --- someone who has not started the bot ----------------------------------------------------
async def _store(db: Database, user_id: int, name: str) -> None:
    async with db.sessions() as s, s.begin():
        s.add(Seller(user_id=user_id, store_name=name, status=SellerStatus.active))


async def _rows(db: Database, user_id: int) -> list[Outbox]:
    async with db.sessions() as s:
        rows = await s.scalars(
            select(Outbox).where(Outbox.user_id == user_id).order_by(Outbox.outbox_id)
        )
        return list(rows.all())


async def test_alerts_to_a_seller_who_never_wrote_wait_for_their_first_message(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    (admin, admin_chat), *_ = await _people(db, tg, 1)
    async with db.sessions() as s, s.begin():
        (await s.get(User, admin)).role = UserRole.admin  # type: ignore[union-attr]
    seller = await _user(db, 1)  # the emulator has never heard of them: "chat not found"
    await _store(db, seller, "Quiet Quilts")
    shy = await _user(db, 2)  # a persona who never wrote: "bot can't initiate conversation"
    shy_chat = tg.add_persona(Persona(id=FIRST_ID + 2, first_name="P2"))
    await _store(db, shy, "Shy Shoes")
    await _notify(db, [seller, shy], 2, "new_order")
    await _notify(db, [seller], 1, "broadcast")  # only worth hearing at once: not kept
    dispatcher = OutboxDispatcher(bot, db.uow, LEASED)
    for _ in range(3):
        await dispatcher.drain_once()
    assert [r.status for r in await _rows(db, seller)] == [
        OutboxStatus.held,
        OutboxStatus.held,
        OutboxStatus.undeliverable,
    ]
    assert {r.status for r in await _rows(db, shy)} == {OutboxStatus.held}
    # the admin is told once per seller, however many messages wait
    for _ in range(3):
        await dispatcher.drain_once()
    told = [m["text"] for m in admin_chat.messages if m["from"]["is_bot"]]
    assert sorted(told) == [
        "📵 Quiet Quilts cannot be reached yet: its seller has not opened a chat with the bot. "
        "Their messages wait up to 14 days and arrive when they send /start.",
        "📵 Shy Shoes cannot be reached yet: its seller has not opened a chat with the bot. "
        "Their messages wait up to 14 days and arrive when they send /start.",
    ]

    # the seller writes to the bot (signing up again is what every first message does)
    await shy_chat.send("/start")
    accounts = Accounts(Deps(db.uow))
    await accounts.register_from_telegram(TelegramIdentity(FIRST_ID + 2, "P2"))
    for _ in range(3):
        await dispatcher.drain_once()
    assert {r.status for r in await _rows(db, shy)} == {OutboxStatus.sent}
    said = [m["text"] for m in shy_chat.messages if m["from"]["is_bot"]]
    assert len(said) == 2
    assert all(text.startswith("🔔 New order #100") for text in said)
    assert [r.status for r in await _rows(db, seller)][:2] == [OutboxStatus.held] * 2
    assert len([m for m in admin_chat.messages if m["from"]["is_bot"]]) == 2  # nothing new


async def test_held_messages_are_bounded_per_user_and_in_time(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    seller = await _user(db, 1)
    await _notify(db, [seller], 5, "new_order")
    rules = DeliveryRules(
        global_rate=1000, per_chat_rate=1000, idle_wait=0.05, hold_max=3, held_sweep=0
    )
    now = [datetime.now(UTC)]
    dispatcher = OutboxDispatcher(bot, db.uow, rules, clock=lambda: now[0])
    await dispatcher.drain_once()
    statuses = [r.status for r in await _rows(db, seller)]
    assert statuses == [OutboxStatus.undeliverable] * 2 + [OutboxStatus.held] * 3  # the newest
    assert await _statuses(db) == {"held": 3, "undeliverable": 2}  # not a seller: no alert

    now[0] += timedelta(days=14, seconds=1)  # nobody wrote within the bound
    await dispatcher.drain_once()
    assert await _statuses(db) == {"undeliverable": 5}
    async with db.uow() as uow:  # a late first message releases nothing any more
        assert await uow.outbox.release_held(seller, now[0]) == 0
        await uow.commit()
