"""Delivering the outbox through the Bot API emulator, on SQLite and PostgreSQL: every
notification arrives once, within the rates, despite 429s and 5xx; blocked users are not
retried; two dispatchers share the work; a restart re-sends nothing."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from bot.adapters.smtp import SmtpMailer
from bot.notify import DeliveryRules, OutboxDispatcher
from engine.base import Deps
from engine.shop import Shop
from sandbox import Emulator, SimUser
from sandbox.personas import Persona
from storage.models import Outbox, User
from storage.vocabulary import OutboxChannel, OutboxStatus, UserRole
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


async def _until_all_handled(
    db: Database, dispatchers: list[OutboxDispatcher], total: int, *, timeout: float = 60
) -> None:
    tasks = [asyncio.create_task(d.run()) for d in dispatchers]

    async def handled() -> int:
        statuses = await _statuses(db)
        return sum(statuses.values()) - statuses.get("pending", 0)

    try:
        async with asyncio.timeout(timeout):
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
        assert last["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "v1no:1001"
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


# --- a broadcast at scale -------------------------------------------------------------------
async def test_a_broadcast_to_2000_chats_keeps_the_configured_rates(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    """2,000 customers, one admin broadcast through the engine: every chat gets it once, and
    the emulator's clock never sees more than the configured rates."""
    people = await _people(db, tg, 2000)
    async with db.sessions() as s, s.begin():
        boss = User(telegram_id=799_999_999, first_name="Boss", role=UserRole.admin)
        s.add(boss)
        await s.flush()
        boss_id = boss.user_id
    shop = Shop(Deps(uow=db.uow))
    recipients = await shop.backoffice.broadcast(boss_id, "Summer sale: 20% off everything!")
    assert recipients == 2001  # the admin is a user of the shop too
    rules = DeliveryRules(global_rate=250, per_chat_rate=1, batch=100, idle_wait=0.05)
    tg.state.timed_calls.clear()
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, rules)], 2001, timeout=120)
    statuses = await _statuses(db)
    assert statuses == {"sent": 2000, "undeliverable": 1}  # the admin never wrote to the bot
    assert all(_received(sim) == ["📣 Summer sale: 20% off everything!"] for _, sim in people)
    times = sorted(t for t, method, _ in tg.state.timed_calls if method == "sendMessage")
    assert len(times) == 2001  # every attempt counts against the rate, the refused one too
    slack = 0.02
    busiest = max(bisect.bisect_left(times, t + 1.0 - slack) - i for i, t in enumerate(times))
    assert busiest <= 250


# --- email, the second channel --------------------------------------------------------------
@dataclass
class Mailbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives; addresses
    starting with `nobody` are refused as unknown (550)."""

    received: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        parsed = BytesParser(policy=default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, SmtpMailer, Controller]]:
    mailbox = Mailbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    sender = SmtpMailer("127.0.0.1", port, "Marketplace <shop@example.test>", timeout=5)
    yield mailbox, sender, controller
    with contextlib.suppress(Exception):
        controller.stop()


async def _give_email(db: Database, user_id: int, address: str) -> None:
    async with db.sessions() as s, s.begin():
        user = await s.get(User, user_id)
        assert user is not None
        user.email = address


def _plain(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def test_users_with_an_address_also_get_an_email(
    db: Database, tg: Emulator, bot: Bot, smtp: tuple[Mailbox, SmtpMailer, Controller]
) -> None:
    mailbox, sender, _ = smtp
    (with_mail, sim), (without, other) = await _people(db, tg, 2)
    await _give_email(db, with_mail, "p0@example.test")
    await _notify(db, [with_mail, without])
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, FAST, email=sender)], 3)
    assert await _statuses(db) == {"sent": 3}
    assert _received(sim) == ["✅ Payment of $12.50 received for order #1000."]
    assert _received(other) == ["✅ Payment of $12.50 received for order #1000."]
    assert len(mailbox.received) == 1
    mail = mailbox.received[0]
    assert mail["To"] == "p0@example.test"
    assert mail["Subject"] == "News from the marketplace"
    assert "Payment of $12.50 received for order #1000." in _plain(mail)


async def test_email_waits_for_a_server_that_is_down_and_skips_a_refused_address(
    db: Database, tg: Emulator, bot: Bot, smtp: tuple[Mailbox, SmtpMailer, Controller]
) -> None:
    mailbox, sender, controller = smtp
    (good, _), (bad, _) = await _people(db, tg, 2)
    await _give_email(db, good, "p0@example.test")
    await _give_email(db, bad, "nobody@example.test")
    controller.stop()  # the mail server is down for a while
    await _notify(db, [good, bad])
    dispatcher = OutboxDispatcher(bot, db.uow, FAST, email=sender)
    for _ in range(6):  # Telegram goes out; the emails fail and wait for their retry
        await dispatcher.drain_once()
    async with db.sessions() as s:
        waiting = (
            await s.scalars(select(Outbox).where(Outbox.channel == OutboxChannel.email))
        ).all()
    assert len(waiting) == 2
    assert all(m.status == OutboxStatus.pending and m.attempts >= 1 for m in waiting)
    assert mailbox.received == []
    again = Controller(mailbox, hostname=controller.hostname, port=controller.port)
    again.start()  # the server is back (a stopped controller cannot start again)
    try:
        await _until_all_handled(db, [dispatcher], 4)
    finally:
        again.stop()
    assert await _statuses(db) == {"sent": 3, "undeliverable": 1}
    assert [m["To"] for m in mailbox.received] == ["p0@example.test"]
    async with db.sessions() as s:
        refused = await s.scalar(
            select(Outbox).where(Outbox.channel == OutboxChannel.email, Outbox.user_id == bad)
        )
    assert refused is not None
    assert refused.status == OutboxStatus.undeliverable
    assert "No such user" in (refused.last_error or "")


async def test_stopping_in_the_middle_of_a_run_and_restarting_sends_each_once(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    """The process is stopped while it is sending (as SIGTERM does) and started again: the
    rest of its batch is handed back, and every chat ends with each notification once."""
    people = await _people(db, tg, 20)
    await _notify(db, [u for u, _ in people], per_user=5)
    rules = DeliveryRules(global_rate=40, per_chat_rate=40, batch=50, idle_wait=0.05)
    first = OutboxDispatcher(bot, db.uow, rules)
    running = asyncio.create_task(first.run())
    async with asyncio.timeout(30):
        while len(tg.state.timed_calls) < 30:  # noqa: ASYNC110 - waiting for sends to happen
            await asyncio.sleep(0.01)
    first.stop()  # mid-batch: 50 claimed, about 30 sent
    await running
    statuses = await _statuses(db)
    assert 0 < statuses["sent"] < 100
    assert statuses["pending"] == 100 - statuses["sent"]
    async with db.sessions() as s:
        stuck = await s.scalar(
            select(func.count()).where(
                Outbox.status == OutboxStatus.pending,
                Outbox.next_attempt_at > datetime.now(UTC),
            )
        )
    assert stuck == 0  # nothing waits for a lease to run out
    await _until_all_handled(db, [OutboxDispatcher(bot, db.uow, FAST)], 100, timeout=10)
    assert await _statuses(db) == {"sent": 100}
    for _, sim in people:
        texts = _received(sim)
        assert len(texts) == 5
        assert len(set(texts)) == 5  # none twice
