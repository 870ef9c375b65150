"""Support: a customer writes to the shop's team, and an admin answers in the same chat.

A request is one message of the customer's (text, or a photo with its caption), kept under
its Telegram message (chat, message id): the same message handled twice (a retry, a replay
after a crash) is the same request, never a second one. Every admin is shown it; where the
bot showed it (`copies`) is recorded, so that each copy can show the answer once there is
one. One admin answers it: the request moves open → answered (one audit row, as every
transition), and the answer goes to the customer through the outbox in the same
transaction. An answer asked again (the same admin message) is the same answer; another
admin's, after it, is refused by returning the answer that stands.

    submitted = await shop.support.submit(customer_id, chat_id, message_id, "My kettle…")
    answered = await shop.support.answer(admin_id, submitted.request.request_id, "Sorry!", 77)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select

from engine.base import Deps, actor, admin, audit, found, notify, operation, transition
from engine.errors import InvalidInput, NotFound
from engine.transitions import E
from storage.models import Order, SupportRequest, User
from storage.repositories import upsert
from storage.uow import UnitOfWork
from storage.vocabulary import OrderStatus, SupportStatus, UserRole, UserStatus

#: the request's one step: an admin's answer closes it (a table, as engine/transitions.py's)
SUPPORT: Final = {(SupportStatus.open, E.close): SupportStatus.answered}

MESSAGE_LIMIT: Final = 4096  # what one Telegram message holds
ANSWER_LIMIT: Final = 3500  # an answer reaches the customer inside a sentence of ours
FILE_ID_LIMIT: Final = 255
MAX_OPEN: Final = 5  # a customer's requests waiting for an answer at once
RECENT_ORDERS: Final = 3  # shown to the admins with each request


@dataclass(frozen=True)
class RecentOrder:
    order_id: int
    status: OrderStatus


@dataclass(frozen=True)
class Copy:
    """Where the bot showed a request to one admin, in the language it was worded in."""

    admin_id: int
    chat_id: int
    message_id: int
    lang: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "admin_id": self.admin_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "lang": self.lang,
        }

    @classmethod
    def of(cls, row: dict[str, Any]) -> Copy:
        return cls(
            int(row["admin_id"]), int(row["chat_id"]), int(row["message_id"]), row.get("lang")
        )


@dataclass(frozen=True)
class Recipient:
    """An admin to show a new request to: their Telegram chat and language."""

    user_id: int
    telegram_id: int
    language_code: str | None


@dataclass(frozen=True)
class SupportRequestView:
    request_id: int
    customer_id: int
    customer_name: str  # first and last name, as Telegram gave them
    customer_username: str | None
    text: str  # the message, or the photo's caption ("" for a photo without one)
    photo: str | None  # the photo's Telegram file id
    status: SupportStatus
    created_at: datetime
    recent_orders: tuple[RecentOrder, ...]  # the customer's newest orders, newest first
    copies: tuple[Copy, ...]
    answer: str | None = None
    answered_by: str | None = None  # the answering admin's first name
    answered_at: datetime | None = None

    @property
    def answered(self) -> bool:
        return self.status == SupportStatus.answered


@dataclass(frozen=True)
class Submitted:
    request: SupportRequestView
    created: bool  # False: this message was a request already (a retry, a replay)
    admins: tuple[Recipient, ...]  # who is to be shown it


@dataclass(frozen=True)
class Answered:
    request: SupportRequestView
    now: bool  # True: this answer is the one recorded; False: another was there first


def _name(user: User | None) -> str:
    if user is None:
        return "—"
    return " ".join(filter(None, [user.first_name, user.last_name])) or f"#{user.user_id}"


def _text(value: str | None, field: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(field=field, rule="required")
    if len(text) > limit:
        raise InvalidInput(field=field, rule="too_long", limit=limit)
    return text


async def _view(uow: UnitOfWork, row: SupportRequest) -> SupportRequestView:
    customer = await uow.session.get(User, row.user_id)
    by = None if row.answered_by is None else await uow.session.get(User, row.answered_by)
    orders = (
        await uow.session.execute(
            select(Order.order_id, Order.order_status)
            .where(Order.user_id == row.user_id)
            .order_by(Order.created_at.desc(), Order.order_id.desc())
            .limit(RECENT_ORDERS)
        )
    ).all()
    return SupportRequestView(
        request_id=row.request_id,
        customer_id=row.user_id,
        customer_name=_name(customer),
        customer_username=None if customer is None else customer.username,
        text=row.text,
        photo=row.photo_file_id,
        status=row.status,
        created_at=row.created_at,
        recent_orders=tuple(RecentOrder(o, s) for o, s in orders),
        copies=tuple(Copy.of(c) for c in row.copies or []),
        answer=row.answer,
        answered_by=None if by is None else (by.first_name or _name(by)),
        answered_at=row.answered_at,
    )


async def _recipients(uow: UnitOfWork) -> tuple[Recipient, ...]:
    admins = await uow.session.scalars(
        select(User)
        .where(
            User.role == UserRole.admin,
            User.status != UserStatus.banned,
            User.telegram_id.is_not(None),
        )
        .order_by(User.user_id)
    )
    return tuple(
        Recipient(a.user_id, a.telegram_id, a.chosen_language or a.language_code)
        for a in admins.all()
        if a.telegram_id is not None
    )


def _keep(row: SupportRequest, copies: Iterable[Copy]) -> None:
    """Add `copies` to where the request was shown: one copy per admin, the newest kept."""
    kept = {int(c["admin_id"]): c for c in row.copies or []}
    kept |= {c.admin_id: c.as_row() for c in copies}
    if list(kept.values()) != list(row.copies or []):
        row.copies = list(kept.values())


class Support:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("customer")
    async def submit(
        self,
        actor_id: int,
        chat_id: int,
        message_id: int,
        text: str | None,
        photo: str | None = None,
    ) -> Submitted:
        """Record a customer's message to the shop's team (its Telegram message is the key:
        the same message again returns the request it made), with the admins to show it to."""
        body = _text(text, "support_message", MESSAGE_LIMIT, required=photo is None)
        if photo is not None and not 0 < len(photo) <= FILE_ID_LIMIT:
            raise InvalidInput(field="support_photo", rule="too_long", limit=FILE_ID_LIMIT)
        async with self.d.uow() as uow:
            await actor(uow, actor_id)  # a banned customer writes to nobody
            row = await self._by_message(uow, chat_id, message_id)
            created = row is None
            if row is None:
                waiting = await uow.session.scalar(
                    select(func.count())
                    .select_from(SupportRequest)
                    .where(
                        SupportRequest.user_id == actor_id,
                        SupportRequest.status == SupportStatus.open,
                    )
                )
                if (waiting or 0) >= MAX_OPEN:
                    raise InvalidInput(
                        field="support_message", rule="too_many_open", limit=MAX_OPEN
                    )
                now = self.d.clock()
                inserted = await uow.session.execute(
                    upsert(uow.session, SupportRequest)
                    .values(
                        user_id=actor_id,
                        chat_id=chat_id,
                        message_id=message_id,
                        text=body,
                        photo_file_id=photo,
                        status=SupportStatus.open,
                        copies=[],
                        created_at=now,
                        updated_at=now,
                    )
                    .on_conflict_do_nothing(
                        index_elements=[SupportRequest.chat_id, SupportRequest.message_id]
                    )
                    .returning(SupportRequest.request_id)
                )
                request_id = inserted.scalar_one_or_none()
                created = request_id is not None  # None: a twin of this update got there first
                row = await self._by_message(uow, chat_id, message_id)
                assert row is not None
                if created:
                    audit(
                        uow,
                        "support_request",
                        row.request_id,
                        "create",
                        by=actor_id,
                        new={"status": SupportStatus.open, "photo": photo is not None},
                    )
            if row.user_id != actor_id:  # another account's message: not theirs to see
                raise NotFound(entity="support_request", id=message_id)
            view = await _view(uow, row)
            admins = await _recipients(uow)
            await uow.commit()
        return Submitted(view, created, admins)

    @staticmethod
    async def _by_message(uow: UnitOfWork, chat_id: int, message_id: int) -> SupportRequest | None:
        return await uow.session.scalar(
            select(SupportRequest)
            .where(SupportRequest.chat_id == chat_id, SupportRequest.message_id == message_id)
            .execution_options(populate_existing=True)
        )

    @operation("the customer who wrote it")
    async def record_copies(
        self, actor_id: int, request_id: int, copies: Iterable[Copy]
    ) -> SupportRequestView:
        """Remember where the bot showed the request to admins (one copy per admin, the
        newest kept), so that each can show the answer later."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            row = await found(
                uow,
                SupportRequest,
                request_id,
                "support_request",
                with_for_update=True,
                populate_existing=True,
            )
            if row.user_id != actor_id:
                raise NotFound(entity="support_request", id=request_id)
            _keep(row, copies)
            view = await _view(uow, row)
            await uow.commit()
        return view

    @operation("admin")
    async def record_own_copy(self, actor_id: int, request_id: int, copy: Copy) -> None:
        """Remember where the bot showed a request to this admin later than to the others
        (they could not be reached when it came): only their own copy."""
        if copy.admin_id != actor_id:
            raise InvalidInput(field="copy", rule="not_yours")
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            row = await found(
                uow,
                SupportRequest,
                request_id,
                "support_request",
                with_for_update=True,
                populate_existing=True,
            )
            _keep(row, [copy])
            await uow.commit()

    @operation("admin")
    async def open_count(self, actor_id: int) -> int:
        """How many requests no admin has answered yet."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            count = await uow.session.scalar(
                select(func.count())
                .select_from(SupportRequest)
                .where(SupportRequest.status == SupportStatus.open)
            )
            return int(count or 0)

    @operation("admin")
    async def unseen(self, actor_id: int, limit: int = 10) -> list[SupportRequestView]:
        """The requests waiting that the bot has not shown this admin (they could not be
        reached when each came, or were not an admin yet), oldest first."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            rows = (
                await uow.session.execute(
                    select(SupportRequest.request_id, SupportRequest.copies)
                    .where(SupportRequest.status == SupportStatus.open)
                    .order_by(SupportRequest.created_at, SupportRequest.request_id)
                )
            ).all()
            ids = [
                request_id
                for request_id, copies in rows
                if all(int(c["admin_id"]) != actor_id for c in copies or [])
            ][: max(0, limit)]
            return [
                await _view(uow, await found(uow, SupportRequest, i, "support_request"))
                for i in ids
            ]

    @operation("admin")
    async def get(self, actor_id: int, request_id: int) -> SupportRequestView:
        """One request, as it stands (answered or not, and by whom)."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            row = await found(uow, SupportRequest, request_id, "support_request")
            return await _view(uow, row)

    @operation("admin")
    async def waiting(self, actor_id: int, limit: int = 10) -> list[SupportRequestView]:
        """The requests no admin has answered yet, oldest first."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            rows = (
                await uow.session.scalars(
                    select(SupportRequest)
                    .where(SupportRequest.status == SupportStatus.open)
                    .order_by(SupportRequest.created_at, SupportRequest.request_id)
                    .limit(max(1, min(limit, 50)))
                )
            ).all()
            return [await _view(uow, row) for row in rows]

    @operation("admin")
    async def answer(
        self, actor_id: int, request_id: int, text: str | None, message_id: int
    ) -> Answered:
        """Answer a request: it becomes answered (audited) and the answer goes to the
        customer (outbox). The same admin message again is the same answer; a request
        answered already keeps its answer (`now` False), whoever asks."""
        body = _text(text, "support_answer", ANSWER_LIMIT, required=True)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            row = await found(
                uow,
                SupportRequest,
                request_id,
                "support_request",
                with_for_update=True,
                populate_existing=True,
            )
            if row.status == SupportStatus.answered:
                again = row.answered_by == actor_id and row.answer_message_id == message_id
                return Answered(await _view(uow, row), now=again)
            transition(
                uow,
                machine="support_request",
                table=SUPPORT,
                obj=row,
                attr="status",
                event=E.close,
                entity="support_request",
                entity_id=row.request_id,
                by=actor_id,
            )
            row.answer, row.answered_by, row.answer_message_id = body, actor_id, message_id
            row.answered_at = self.d.clock()
            notify(
                uow,
                row.user_id,
                "support_answer",
                dedupe_key=f"support-answer-{row.request_id}",
                request_id=row.request_id,
                answer=body,
            )
            view = await _view(uow, row)
            await uow.commit()
        return Answered(view, now=True)
