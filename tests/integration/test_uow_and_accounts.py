"""The unit of work's transaction rules and Telegram sign-up (updates: test_update_inbox.py)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from engine.accounts import Accounts, TelegramIdentity
from engine.base import Deps
from storage.models import AuditLog, User
from storage.uow import UnitOfWorkError
from storage.vocabulary import UserRole
from tests.conftest import Database


async def test_leaving_without_commit_rolls_everything_back(db: Database) -> None:
    async with db.uow() as uow:
        uow.users.add(User(telegram_id=5))
        await uow.session.flush()
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 0


async def test_an_error_inside_rolls_back_and_propagates(db: Database) -> None:
    class Boom(Exception):
        pass

    try:
        async with db.uow() as uow:
            uow.users.add(User(telegram_id=5))
            await uow.session.flush()
            raise Boom
    except Boom:
        pass
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 0


async def test_a_read_goes_on_while_a_writer_holds_its_transaction(db: Database) -> None:
    """Reads do not queue behind writes (issue 17): on SQLite a reading unit of work takes no
    write lock and no turn at the write gate, so a writer that waits for a read to finish
    before it commits is not a deadlock. The read sees what was committed, not the write in
    flight."""
    async with db.uow() as uow:
        uow.users.add(User(telegram_id=1))
        await uow.commit()
    read_done = asyncio.Event()
    seen: list[int] = []

    async def writer() -> None:
        async with db.uow() as uow:
            uow.users.add(User(telegram_id=2))
            await uow.session.flush()
            writing.set()
            await asyncio.wait_for(read_done.wait(), 20)  # deadlock guard, not a timing
            await uow.commit()

    async def reader() -> None:
        await writing.wait()
        async with db.uow().reading() as uow:
            seen.append(await uow.session.scalar(select(func.count()).select_from(User)) or 0)
        read_done.set()

    writing = asyncio.Event()
    await asyncio.gather(writer(), reader())
    assert seen == [1]
    async with db.uow().reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 2


async def test_a_unit_of_work_opened_for_reading_refuses_to_write(db: Database) -> None:
    async with db.uow().reading() as uow:
        uow.users.add(User(telegram_id=5))
        with pytest.raises(UnitOfWorkError, match="reading"):
            await uow.session.flush()
    async with db.uow().reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 0


async def test_first_contact_creates_a_customer_with_an_audit_row(db: Database) -> None:
    accounts = Accounts(Deps(db.uow))
    me = TelegramIdentity(777, "Sara", "Ahmed", "sara", "en")
    first = await accounts.register_from_telegram(me)
    again = await accounts.register_from_telegram(
        TelegramIdentity(777, "Sara", "Rahman", "sara", "bn")
    )
    assert first.created
    assert not again.created
    assert first.id == again.id
    assert again.role == UserRole.customer
    async with db.sessions() as s:
        user = await s.scalar(select(User).where(User.telegram_id == 777))
        audits = (await s.scalars(select(AuditLog).where(AuditLog.entity_type == "user"))).all()
    assert user is not None
    assert (user.last_name, user.language_code) == ("Rahman", "bn")
    assert [a.action for a in audits] == ["create"]


async def test_admin_ids_make_an_admin_and_the_promotion_is_audited(db: Database) -> None:
    await Accounts(Deps(db.uow)).register_from_telegram(TelegramIdentity(555, "Ops"))
    promoted = await Accounts(Deps(db.uow), admin_ids=[555]).register_from_telegram(
        TelegramIdentity(555, "Ops")
    )
    assert promoted.role == UserRole.admin
    async with db.sessions() as s:
        actions = (await s.scalars(select(AuditLog.action).order_by(AuditLog.audit_id))).all()
    assert actions == ["create", "status_change"]


async def test_concurrent_first_contacts_create_one_user(db: Database) -> None:
    accounts = Accounts(Deps(db.uow))
    results = await asyncio.gather(
        *(accounts.register_from_telegram(TelegramIdentity(888, "Twin")) for _ in range(6)),
        return_exceptions=True,
    )
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 1
    assert all(not isinstance(r, BaseException) for r in results), results
