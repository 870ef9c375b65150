"""A customer's message to the shop's team and an admin's answer (engine/support.py), on both
databases: one request per Telegram message however often it is handled, every step audited,
the answer told to the customer through the outbox, once, and a banned customer heard by no
one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import ColumnElement, func, select

from engine.errors import Banned, Forbidden, InvalidInput, NotFound
from engine.support import MAX_OPEN, Copy
from storage.models import AuditLog, Base, Outbox, SupportRequest, User
from storage.vocabulary import PaymentMethod, SupportStatus, UserRole
from tests.conftest import Database
from tests.integration.world import World

CHAT = 555_000


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _count(db: Database, model: type[Base], *where: ColumnElement[bool]) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_one_message_is_one_request_however_often_it_is_handled(world: World) -> None:
    sara = await world.user("Sara")
    first = await world.shop.support.submit(sara, CHAT, 41, "My kettle arrived dented.")
    again = await world.shop.support.submit(sara, CHAT, 41, "My kettle arrived dented.")
    assert first.created
    assert not again.created
    assert again.request.request_id == first.request.request_id
    assert first.request.status == SupportStatus.open
    assert first.request.text == "My kettle arrived dented."
    assert [a.user_id for a in first.admins] == [world.admin]
    assert await _count(world.db, SupportRequest) == 1
    created = await _count(
        world.db,
        AuditLog,
        AuditLog.entity_type == "support_request",
        AuditLog.entity_id == first.request.request_id,
        AuditLog.action == "create",
    )
    assert created == 1
    other = await world.shop.support.submit(sara, CHAT, 42, "And the lid is missing.")
    assert other.created
    assert other.request.request_id != first.request.request_id


async def test_the_same_message_handled_at_once_twice_is_still_one_request(world: World) -> None:
    sara = await world.user("Sara")
    both = await asyncio.gather(
        world.shop.support.submit(sara, CHAT, 7, "Where is my parcel?"),
        world.shop.support.submit(sara, CHAT, 7, "Where is my parcel?"),
    )
    assert sorted(s.created for s in both) == [False, True]
    assert both[0].request.request_id == both[1].request.request_id
    assert await _count(world.db, SupportRequest) == 1


async def test_the_admins_see_who_wrote_and_their_recent_orders(world: World) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle", "30.00")
    buyer = await world.customer("Aisha")
    older = await world.order(buyer, {kettle: 1}, PaymentMethod.cod)
    newer = await world.order(buyer, {kettle: 2}, PaymentMethod.cod)
    submitted = await world.shop.support.submit(buyer[0], CHAT, 1, "Two kettles, one broken.")
    shown = await world.shop.support.get(world.admin, submitted.request.request_id)
    assert shown.customer_name == "Aisha"
    assert [o.order_id for o in shown.recent_orders] == [newer.order_id, older.order_id]
    assert [r.request_id for r in await world.shop.support.waiting(world.admin)] == [
        submitted.request.request_id
    ]


async def test_an_answer_is_audited_told_to_the_customer_once_and_stands(world: World) -> None:
    sara = await world.user("Sara")
    request = (await world.shop.support.submit(sara, CHAT, 9, "Wrong size.")).request
    copies = [Copy(world.admin, 900, 31, "en")]
    recorded = await world.shop.support.record_copies(sara, request.request_id, copies)
    assert recorded.copies == tuple(copies)

    answered = await world.shop.support.answer(world.admin, request.request_id, "Sorry!", 500)
    assert answered.now
    assert answered.request.status == SupportStatus.answered
    assert answered.request.answer == "Sorry!"
    assert answered.request.answered_by == "Admin"
    assert answered.request.copies == tuple(copies)  # where to show it was answered
    # the same admin message again (a double tap, a replay): the same answer, told once
    again = await world.shop.support.answer(world.admin, request.request_id, "Sorry!", 500)
    assert again.now
    assert again.request.answer == "Sorry!"
    # another admin after it: refused by showing the answer that stands
    other_admin = await world.user("Lee")
    async with world.db.sessions() as s, s.begin():  # no engine operation makes an admin
        user = await s.get(User, other_admin)
        assert user is not None
        user.role = UserRole.admin
    late = await world.shop.support.answer(other_admin, request.request_id, "Hello?", 501)
    assert not late.now
    assert late.request.answer == "Sorry!"
    assert late.request.answered_by == "Admin"

    told = await _count(world.db, Outbox, Outbox.user_id == sara, Outbox.kind == "support_answer")
    assert told == 1
    async with world.db.sessions() as s:
        payload = await s.scalar(select(Outbox.payload).where(Outbox.kind == "support_answer"))
        moves = (
            await s.scalars(
                select(AuditLog).where(
                    AuditLog.entity_type == "support_request",
                    AuditLog.action == "status_change",
                )
            )
        ).all()
    assert payload == {"request_id": request.request_id, "answer": "Sorry!"}
    assert [(m.old_data, m.new_data, m.changed_by) for m in moves] == [
        ({"status": "open"}, {"status": "answered", "event": "close"}, world.admin)
    ]
    assert await world.shop.support.waiting(world.admin) == []


async def test_two_admins_answering_at_once_give_one_answer(world: World) -> None:
    sara = await world.user("Sara")
    request = (await world.shop.support.submit(sara, CHAT, 3, "Refund?")).request
    both = await asyncio.gather(
        world.shop.support.answer(world.admin, request.request_id, "Yes.", 10),
        world.shop.support.answer(world.admin, request.request_id, "No.", 11),
    )
    assert sorted(a.now for a in both) == [False, True]
    assert both[0].request.answer == both[1].request.answer
    told = await _count(world.db, Outbox, Outbox.kind == "support_answer")
    assert told == 1


async def test_refused_requests_change_nothing(world: World) -> None:
    sara = await world.user("Sara")
    with pytest.raises(InvalidInput):
        await world.shop.support.submit(sara, CHAT, 1, "   ")
    with pytest.raises(InvalidInput):
        await world.shop.support.submit(sara, CHAT, 2, "x" * 5000)
    photo_only = await world.shop.support.submit(sara, CHAT, 3, None, photo="AgAC-photo")
    assert photo_only.created
    assert photo_only.request.photo == "AgAC-photo"
    for n in range(MAX_OPEN - 1):
        await world.shop.support.submit(sara, CHAT, 10 + n, f"Question {n}")
    with pytest.raises(InvalidInput) as flood:
        await world.shop.support.submit(sara, CHAT, 99, "One more")
    assert flood.value.params["rule"] == "too_many_open"
    assert await _count(world.db, SupportRequest) == MAX_OPEN

    request_id = photo_only.request.request_id
    with pytest.raises(Forbidden):  # a customer cannot answer, nor read the inbox
        await world.shop.support.answer(sara, request_id, "Answered myself", 1)
    with pytest.raises(Forbidden):
        await world.shop.support.waiting(sara)
    with pytest.raises(InvalidInput):
        await world.shop.support.answer(world.admin, request_id, "  ", 1)
    john = await world.user("John")
    with pytest.raises(NotFound):  # another customer's request is not theirs to touch
        await world.shop.support.record_copies(john, request_id, [Copy(world.admin, 1, 2)])
    with pytest.raises(NotFound):  # nor is their Telegram message
        await world.shop.support.submit(john, CHAT, 3, "Mine now")
    assert (await world.shop.support.get(world.admin, request_id)).status == SupportStatus.open


async def test_a_banned_customer_writes_to_nobody(world: World) -> None:
    mallory = await world.user("Mallory")
    await world.shop.accounts.ban(world.admin, mallory, "chargebacks")
    with pytest.raises(Banned):
        await world.shop.support.submit(mallory, CHAT, 1, "Let me in")
    assert await _count(world.db, SupportRequest) == 0
