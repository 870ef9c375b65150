"""Support as a conversation (engine/support.py, handlers/*/support.py), through the engine and
the real Dispatcher on both databases: the customer writes back to the team's answer with the
answer's Reply (and only then is their text the team's), an admin may answer again having seen
the answer that stands, an answer written to what no longer stands is not sent, every move is
an audited transition of the SUPPORT table, and two /starts at once show each admin a request
they missed once."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import create_dispatcher
from bot.settings import Settings
from engine.accounts import TelegramIdentity
from engine.errors import NotFound
from engine.support import Copy
from handlers.admin.support import SupportReplyCb
from handlers.customer.support import SupportFollowUpCb, answer_keys
from handlers.notifications import render
from storage.models import AuditLog, Outbox, SupportRequest
from storage.models import User as UserRow
from storage.vocabulary import SupportStatus, UserRole
from tests.conftest import Database
from tests.integration.test_handlers_roles import TOKEN, Chats
from tests.integration.test_support_waiting_for_admins import FirstContact
from tests.integration.world import World

JOHN, LEE = 7373, 7474  # a customer, a second admin
CHAT = 556_000


async def _make_admin(world: World, telegram_id: int, name: str) -> int:
    view = await world.shop.accounts.register_from_telegram(TelegramIdentity(telegram_id, name))
    async with world.db.sessions() as s, s.begin():  # no engine operation makes an admin
        user = await s.get(UserRow, view.id)
        assert user is not None
        user.role = UserRole.admin
    return view.id


@pytest.fixture
async def chats(db: Database) -> Chats:
    world = await World(db).setup()
    await world.shop.accounts.register_from_telegram(TelegramIdentity(JOHN, "John"))
    await _make_admin(world, LEE, "Lee")
    async with db.sessions() as s:
        admin = await s.scalar(select(UserRow.telegram_id).where(UserRow.user_id == world.admin))
    assert admin is not None
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    telegram = FirstContact()
    return Chats(world, dp, Bot(TOKEN, session=telegram), telegram, admin, itertools.count(1))


async def _answers(db: Database, request_id: int) -> list[str]:
    """What the customer was sent as the team's answers, oldest first."""
    async with db.sessions() as s:
        rows = await s.scalars(
            select(Outbox.payload).where(Outbox.kind == "support_answer").order_by(Outbox.outbox_id)
        )
        return [p["answer"] for p in rows.all() if p["request_id"] == request_id]


async def _moves(db: Database, request_id: int) -> list[tuple[str, str, str]]:
    async with db.sessions() as s:
        rows = await s.scalars(
            select(AuditLog)
            .where(
                AuditLog.entity_type == "support_request",
                AuditLog.entity_id == request_id,
                AuditLog.action == "status_change",
            )
            .order_by(AuditLog.audit_id)
        )
        return [
            (
                (r.old_data or {})["status"],
                (r.new_data or {})["event"],
                (r.new_data or {})["status"],
            )
            for r in rows
        ]


async def _write_to_the_team(chats: Chats, text: str) -> int:
    await chats.say(JOHN, "/support")
    [told] = [s for s in await chats.say(JOHN, text) if "shop's team (request #" in s]
    return int(told.split("#")[1].split(")")[0])


def _cards_to(chats: Chats, chat_id: int, text: str) -> list[SendMessage]:
    return [
        m
        for m in chats.telegram.sent
        if isinstance(m, SendMessage) and int(m.chat_id) == chat_id and text in m.text
    ]


# --- the engine ------------------------------------------------------------------------------
async def test_an_admin_who_saw_the_answer_may_answer_again_and_the_customer_hears_both(
    db: Database,
) -> None:
    world = await World(db).setup()
    lee = await _make_admin(world, 9_100_001, "Lee")
    sara = await world.user("Sara")
    request = (await world.shop.support.submit(sara, CHAT, 1, "Wrong size.")).request
    first = await world.shop.support.answer(world.admin, request.request_id, "Sorry!", 10)
    assert first.now
    assert first.request.answer_key is not None

    # Lee tapped Reply before the answer: what Lee writes is not sent
    late = await world.shop.support.answer(lee, request.request_id, "Hello?", 20, seen=None)
    assert not late.now
    assert late.request.answer == "Sorry!"
    # having seen it, Lee adds an answer; asked twice, it is sent once
    for _ in range(2):
        more = await world.shop.support.answer(
            lee, request.request_id, "A new one ships today.", 21, seen=first.request.answer_key
        )
        assert more.now
        assert more.request.answer == "A new one ships today."
        assert more.request.answered_by == "Lee"
    # the first answer's key no longer stands: an answer to it is not sent
    stale = await world.shop.support.answer(
        world.admin, request.request_id, "Me too", 11, seen=first.request.answer_key
    )
    assert not stale.now

    assert await _answers(db, request.request_id) == ["Sorry!", "A new one ships today."]
    assert await _moves(db, request.request_id) == [
        ("open", "close", "answered"),
        ("answered", "close", "answered"),
    ]


async def test_the_customer_writes_back_once_and_the_request_waits_for_the_team_again(
    db: Database,
) -> None:
    world = await World(db).setup()
    sara = await world.user("Sara")
    request_id = (await world.shop.support.submit(sara, CHAT, 1, "Where is it?")).request.request_id
    await world.shop.support.record_copies(sara, request_id, [Copy(world.admin, 900, 31, "en")])
    not_yet = await world.shop.support.follow_up(sara, request_id, "Hello?")
    assert not not_yet.now  # nothing answered yet: nothing to write back to
    answered = await world.shop.support.answer(world.admin, request_id, "It ships Monday.", 10)

    back = await world.shop.support.follow_up(sara, request_id, "Thanks, but it still hasn't come")
    assert back.now
    assert back.request.status == SupportStatus.open
    assert back.request.text == "Thanks, but it still hasn't come"
    assert back.request.answer is None
    assert (back.previous_answer, back.previous_by) == ("It ships Monday.", "Admin")
    assert [a.user_id for a in back.admins] == [world.admin]
    assert back.request.copies == ()  # to be shown anew: a /start shows it to whom it missed
    assert [v.request_id for v in await world.shop.support.waiting(world.admin)] == [request_id]
    # the same message again, or another before the team answers: nothing changes
    again = await world.shop.support.follow_up(sara, request_id, "Thanks, but it still hasn't come")
    assert not again.now
    assert again.request.text == "Thanks, but it still hasn't come"
    # an answer written to the answer that stood before is not sent
    old = await world.shop.support.answer(
        world.admin, request_id, "As I said", 11, seen=answered.request.answer_key
    )
    assert not old.now
    assert old.request.status == SupportStatus.open
    # another customer cannot write to it, nor read it
    john = await world.user("John")
    with pytest.raises(NotFound):
        await world.shop.support.follow_up(john, request_id, "Mine now")
    with pytest.raises(NotFound):
        await world.shop.support.mine(john, request_id)

    assert await _moves(db, request_id) == [
        ("open", "close", "answered"),
        ("answered", "reopen", "open"),
    ]
    async with db.sessions() as s:
        reopened = await s.scalar(
            select(AuditLog.new_data)
            .where(AuditLog.entity_type == "support_request", AuditLog.action == "status_change")
            .order_by(AuditLog.audit_id.desc())
        )
        row = await s.get(SupportRequest, request_id)
    assert reopened is not None
    assert reopened["previous_text"] == "Where is it?"
    assert reopened["previous_answer"] == "It ships Monday."
    assert row is not None
    assert (row.chat_id, row.message_id) == (CHAT, 1)


# --- through the Dispatcher -------------------------------------------------------------------
def test_the_answer_the_customer_reads_carries_reply_and_says_how_to_write_back() -> None:
    text, keys = render("support_answer", {"request_id": 7, "answer": "Sorry!"}, "en")
    assert "tap ↩️ Reply below" in text
    assert "/support" in text
    assert keys == answer_keys("en", 7)


async def test_the_customer_writes_back_through_the_answers_reply_and_the_admins_read_it(
    chats: Chats,
) -> None:
    world = chats.world
    request_id = await _write_to_the_team(chats, "My parcel is late.")
    await chats.tap(chats.admin, SupportReplyCb(id=request_id))
    sent = await chats.say(chats.admin, "It ships Monday.")
    assert any("went to Someone" in s for s in sent), sent

    # without Reply, what John types is the shop's: no admin is shown it
    before = len(_cards_to(chats, chats.admin, "Support request"))
    await chats.say(JOHN, "thanks, but it still hasn't arrived")
    assert len(_cards_to(chats, chats.admin, "Support request")) == before

    # Reply under the answer: the question, once however often tapped
    _, asked = await chats.tap(JOHN, SupportFollowUpCb(id=request_id))
    assert any("Write your answer to the shop's team" in s for s in asked)
    said, asked = await chats.tap(JOHN, SupportFollowUpCb(id=request_id))
    assert (said, asked) == ("Write your message below.", [])
    told = await chats.say(JOHN, "thanks, but it still hasn't arrived")
    assert any(f"Sent to the shop's team (request #{request_id})" in s for s in told), told

    # every admin gets the request again: what John wrote, and the answer it replies to
    for admin in (chats.admin, LEE):
        [card] = _cards_to(chats, admin, "it still hasn")
        assert f"Support request #{request_id}" in card.text
        assert "Someone wrote back" in card.text
        assert "It ships Monday." in card.text
        assert isinstance(card.reply_markup, InlineKeyboardMarkup)
        assert card.reply_markup.inline_keyboard[0][0].callback_data == (
            SupportReplyCb(id=request_id).pack()
        )
    view = await world.shop.support.get(world.admin, request_id)
    assert view.status == SupportStatus.open

    # the old answer's Reply again: the request waits for the team, nothing is asked
    said, asked = await chats.tap(JOHN, SupportFollowUpCb(id=request_id))
    assert said is not None
    assert "with the team already" in said
    assert asked == []
    # Lee answers the message back; the customer hears both answers
    await chats.tap(LEE, SupportReplyCb(id=request_id))
    assert any("went to Someone" in s for s in await chats.say(LEE, "It is at the depot."))
    assert await _answers(world.db, request_id) == ["It ships Monday.", "It is at the depot."]


async def test_a_second_admin_is_told_who_answered_and_may_still_add_an_answer(
    chats: Chats,
) -> None:
    world = chats.world
    request_id = await _write_to_the_team(chats, "Can I pay by card?")
    # Lee taps Reply while it waits, then the other admin answers first
    await chats.tap(LEE, SupportReplyCb(id=request_id))
    await chats.tap(chats.admin, SupportReplyCb(id=request_id))
    await chats.say(chats.admin, "Yes, any card.")
    # every copy shows the answer and keeps its Reply
    edits = [
        m
        for m in chats.telegram.sent
        if isinstance(m, EditMessageText) and "✅ Answered by" in (m.text or "")
    ]
    assert {int(str(e.chat_id)) for e in edits} >= {chats.admin, LEE}
    assert all(e.reply_markup is not None for e in edits)

    too_late = await chats.say(LEE, "Cards and PayPal.")
    assert any("answered request" in s and "not sent" in s for s in too_late), too_late
    assert await _answers(world.db, request_id) == ["Yes, any card."]

    # Reply on the answered card: told who answered, and asked for an answer to add
    said, asked = await chats.tap(LEE, SupportReplyCb(id=request_id))
    assert said is not None
    assert said.endswith("You may add an answer below.")
    assert any("Write your answer to Someone" in s for s in asked)
    said, asked = await chats.tap(LEE, SupportReplyCb(id=request_id))  # a double tap
    assert (said, asked) == ("Write your answer below.", [])
    await chats.say(LEE, "PayPal works too.")
    assert await _answers(world.db, request_id) == ["Yes, any card.", "PayPal works too."]


async def test_two_starts_at_once_show_each_admin_a_missed_request_once(chats: Chats) -> None:
    assert isinstance(chats.telegram, FirstContact)
    chats.telegram.unopened |= {chats.admin, LEE}  # neither can be reached when it comes
    request_id = await _write_to_the_team(chats, "My kettle arrived dented.")
    assert _cards_to(chats, chats.admin, "dented") == _cards_to(chats, LEE, "dented") == []
    chats.telegram.unopened.clear()

    await asyncio.gather(
        chats.say(chats.admin, "/start"),
        chats.say(chats.admin, "/start"),
        chats.say(LEE, "/start"),
        chats.say(LEE, "/start"),
    )
    assert len(_cards_to(chats, chats.admin, "dented")) == 1
    assert len(_cards_to(chats, LEE, "dented")) == 1
    view = await chats.world.shop.support.get(chats.world.admin, request_id)
    assert sorted(c.chat_id for c in view.copies) == sorted([chats.admin, LEE])
    assert all(c.message_id for c in view.copies)  # each where it was sent
    # and once more: nothing shown again
    await chats.say(LEE, "/start")
    assert len(_cards_to(chats, LEE, "dented")) == 1
