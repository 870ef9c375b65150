"""The admins' "📵 <store> cannot be reached yet" notice says what is true when it is shown:
a seller who has opened the chat with the bot by then is not reported (the notice waited,
for instance, for an admin who had not opened the bot either). On SQLite and PostgreSQL,
against the Bot API emulator."""

from __future__ import annotations

from aiogram import Bot

from bot.notify import OutboxDispatcher
from engine.accounts import Accounts, TelegramIdentity
from engine.base import Deps
from sandbox import Emulator, SimUser
from sandbox.personas import Persona
from storage.vocabulary import OutboxStatus, UserRole
from tests.conftest import Database
from tests.integration.test_outbox_leases import (
    FIRST_ID,
    LEASED,
    _notify,
    _rows,
    _store,
    _user,
    bot,
    tg,
)

__all__ = ["bot", "tg"]  # the fixtures: the emulator, and a bot talking to it

UNREACHABLE = "cannot be reached yet"


async def _opens(db: Database, tg: Emulator, n: int) -> SimUser:
    """Person `n` opens the chat with the bot (every first message signs them up again,
    which releases what waited for them)."""
    chat = tg.add_persona(Persona(id=FIRST_ID + n, first_name=f"P{n}"))
    await chat.send("/start")
    await Accounts(Deps(db.uow)).register_from_telegram(TelegramIdentity(FIRST_ID + n, f"P{n}"))
    return chat


def _said(chat: SimUser) -> list[str]:
    return [m["text"] for m in chat.messages if m["from"]["is_bot"]]


async def test_a_seller_who_opened_the_chat_meanwhile_is_not_reported_unreachable(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    admin = await _user(db, 0, role=UserRole.admin)  # has not opened the bot either
    seller = await _user(db, 1)
    await _store(db, seller, "Urban Threads")
    await _notify(db, [seller], 1, "new_order")
    dispatcher = OutboxDispatcher(bot, db.uow, LEASED)
    for _ in range(3):
        await dispatcher.drain_once()
    [notice] = await _rows(db, admin)  # written for the admin, waiting for them
    assert (notice.kind, notice.status) == ("seller_unreachable", OutboxStatus.held)

    await _opens(db, tg, 1)  # the seller opens the chat
    for _ in range(3):
        await dispatcher.drain_once()
    assert {r.status for r in await _rows(db, seller)} == {OutboxStatus.sent}

    admin_chat = await _opens(db, tg, 0)  # then the admin
    for _ in range(3):
        await dispatcher.drain_once()
    assert not any(UNREACHABLE in text for text in _said(admin_chat)), _said(admin_chat)
    [notice] = await _rows(db, admin)
    assert notice.status == OutboxStatus.undeliverable  # kept, with why it was not shown


async def test_a_seller_still_not_in_the_chat_is_reported_when_the_admin_opens_it(
    db: Database, tg: Emulator, bot: Bot
) -> None:
    admin = await _user(db, 0, role=UserRole.admin)
    seller = await _user(db, 1)
    await _store(db, seller, "Urban Threads")
    await _notify(db, [seller], 1, "new_order")
    dispatcher = OutboxDispatcher(bot, db.uow, LEASED)
    for _ in range(3):
        await dispatcher.drain_once()
    admin_chat = await _opens(db, tg, 0)
    for _ in range(3):
        await dispatcher.drain_once()
    assert [text for text in _said(admin_chat) if UNREACHABLE in text] == [
        "📵 Urban Threads cannot be reached yet: its seller has not opened a chat with the "
        "bot. Their messages wait up to 14 days and arrive when they send /start."
    ]
    [notice] = await _rows(db, admin)
    assert notice.status == OutboxStatus.sent
