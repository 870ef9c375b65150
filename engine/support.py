"""Support: a customer writes to the shop's team, and the team and the customer write back
and forth in the same chat.

A request is one message of the customer's (text, or a photo with its caption), kept under
its Telegram message (chat, message id): the same message handled twice (a retry, a replay
after a crash) is the same request, never a second one. Every admin is shown it; where the
bot showed it (`copies`) is recorded, so that each copy can show the answer once there is
one. Its states are the SUPPORT table of engine/transitions.py, every move one audit row:

- an admin answers: open → answered (close), and the answer goes to the customer through the
  outbox in the same transaction. An answer asked again (the same admin message) is the same
  answer. An admin may answer an answered request again (answered → answered), but only
  having seen the answer that stands (`seen`, the view's `answer_key`): an answer written to
  a request that changed meanwhile (another admin answered first, the customer wrote back) is
  not sent, and the admin is shown what stands;
- the customer writes back to an answer (one message, after tapping the answer's Reply):
  answered → open (reopen). The request then holds the customer's newest message and waits
  for the team again, shown to every admin anew (its copies start again); what was said
  before stays in the audit rows and the outbox.

An admin the bot could not reach when a request came is shown it later (their /start):
`claim_unseen` marks the copies as theirs under the request's row lock before the bot sends
them, so two /starts at once show each admin one copy.

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
from engine.transitions import SUPPORT, E
from storage.models import Order, SupportRequest, User
from storage.repositories import upsert
from storage.uow import UnitOfWork
from storage.vocabulary import OrderStatus, SupportStatus, UserRole, UserStatus

MESSAGE_LIMIT: Final = 4096  # what one Telegram message holds
ANSWER_LIMIT: Final = 3500  # an answer reaches the customer inside a sentence of ours
FILE_ID_LIMIT: Final = 255
CLAIMED: Final = 0  # a copy's message id while the bot is sending it (no message has id 0)
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
    # which answer stands ("<admin id>:<their message id>"), None while the request waits:
    # what an admin saw when they chose to answer (`Support.answer`'s `seen`)
    answer_key: str | None = None

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
    now: bool  # True: this answer is the one recorded; False: the request changed first


@dataclass(frozen=True)
class FollowedUp:
    """The customer's message back to the team's answer."""

    request: SupportRequestView  # as it stands: open, holding this message, when `now`
    now: bool  # False: the request was waiting for the team already; nothing was changed
    admins: tuple[Recipient, ...]  # who is to be shown it
    previous_answer: str | None = None  # the answer written back to
    previous_by: str | None = None  # who wrote it


def _answer_key(row: SupportRequest) -> str | None:
    if row.status != SupportStatus.answered:
        return None
    return f"{row.answered_by}:{row.answer_message_id}"


async def _locked(uow: UnitOfWork, request_id: int) -> SupportRequest:
    """The request, locked for this transaction and read afresh (NotFound otherwise)."""
    return await found(
        uow,
        SupportRequest,
        request_id,
        "support_request",
        with_for_update=True,
        populate_existing=True,
    )


def _move(
    uow: UnitOfWork, row: SupportRequest, event: E, *, by: int, extra: dict[str, Any] | None
) -> None:
    """Move the request along the SUPPORT table by `event`, with its one audit row."""
    transition(
        uow,
        machine="support_request",
        table=SUPPORT,
        obj=row,
        attr="status",
        event=event,
        entity="support_request",
        entity_id=row.request_id,
        by=by,
        extra=extra,
    )


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
        answer_key=_answer_key(row),
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
            row = await _locked(uow, request_id)
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
            row = await _locked(uow, request_id)
            _keep(row, [copy])
            await uow.commit()

    @operation("admin")
    async def claim_unseen(
        self, actor_id: int, chat_id: int, lang: str | None, limit: int = 10
    ) -> list[SupportRequestView]:
        """The requests waiting that the bot has not shown this admin, oldest first, each
        marked as being shown to them (in `chat_id`) before the bot sends it: the rows are
        locked, so two /starts at once (one admin's, or two admins') never send one admin two
        copies. `record_own_copy` then records where the copy went, `release_copy` gives the
        mark back when it could not be sent."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            ids = (
                await uow.session.scalars(
                    select(SupportRequest.request_id)
                    .where(SupportRequest.status == SupportStatus.open)
                    .order_by(SupportRequest.request_id)
                )
            ).all()
            claimed: list[SupportRequestView] = []
            for request_id in ids:  # locked in id order, as every lock of several rows
                row = await _locked(uow, request_id)
                if row.status != SupportStatus.open:
                    continue
                if any(int(c["admin_id"]) == actor_id for c in row.copies or []):
                    continue
                if len(claimed) >= max(0, limit):
                    break
                _keep(row, [Copy(actor_id, chat_id, CLAIMED, lang)])
                claimed.append(await _view(uow, row))
            await uow.commit()
        claimed.sort(key=lambda v: (v.created_at, v.request_id))
        return claimed

    @operation("admin")
    async def release_copy(self, actor_id: int, request_id: int) -> None:
        """The copy `claim_unseen` marked for this admin could not be sent: the mark goes, so
        that their next /start shows the request."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            row = await _locked(uow, request_id)
            kept = [
                c
                for c in row.copies or []
                if not (int(c["admin_id"]) == actor_id and int(c["message_id"]) == CLAIMED)
            ]
            if kept != list(row.copies or []):
                row.copies = kept
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
        self,
        actor_id: int,
        request_id: int,
        text: str | None,
        message_id: int,
        seen: str | None = None,
    ) -> Answered:
        """Answer a request: it becomes answered (audited) and the answer goes to the
        customer (outbox). `seen` is the `answer_key` of the request as the admin saw it
        (None: waiting for an answer); a request that is no longer so (answered meanwhile,
        or written back to) is not answered (`now` False, the request as it stands). The same
        admin message again is the same answer, sent once."""
        body = _text(text, "support_answer", ANSWER_LIMIT, required=True)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            row = await _locked(uow, request_id)
            stands = _answer_key(row)
            if stands is not None and stands == f"{actor_id}:{message_id}":  # asked again
                return Answered(await _view(uow, row), now=True)
            if stands != seen:  # not what the admin answered to
                return Answered(await _view(uow, row), now=False)
            _move(
                uow,
                row,
                E.close,
                by=actor_id,
                extra=None if row.answer is None else {"previous_answer": row.answer},
            )
            row.answer, row.answered_by, row.answer_message_id = body, actor_id, message_id
            row.answered_at = self.d.clock()
            notify(
                uow,
                row.user_id,
                "support_answer",
                dedupe_key=f"support-answer-{row.request_id}-{actor_id}-{message_id}",
                request_id=row.request_id,
                answer=body,
            )
            view = await _view(uow, row)
            await uow.commit()
        return Answered(view, now=True)

    @operation("customer")
    async def mine(self, actor_id: int, request_id: int) -> SupportRequestView:
        """One of the customer's own requests, as it stands (another's is NotFound)."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            row = await found(uow, SupportRequest, request_id, "support_request")
            if row.user_id != actor_id:
                raise NotFound(entity="support_request", id=request_id)
            return await _view(uow, row)

    @operation("the customer who wrote it")
    async def follow_up(
        self,
        actor_id: int,
        request_id: int,
        text: str | None,
        photo: str | None = None,
    ) -> FollowedUp:
        """The customer writes back to the team's answer: the request reopens (audited),
        holding this message, and waits for the team again; the admins to show it to come
        back. A request waiting for the team already changes nothing (`now` False): the
        same message handled twice, or a second message before the team answered."""
        body = _text(text, "support_message", MESSAGE_LIMIT, required=photo is None)
        if photo is not None and not 0 < len(photo) <= FILE_ID_LIMIT:
            raise InvalidInput(field="support_photo", rule="too_long", limit=FILE_ID_LIMIT)
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            row = await _locked(uow, request_id)
            if row.user_id != actor_id:
                raise NotFound(entity="support_request", id=request_id)
            if row.status != SupportStatus.answered:
                return FollowedUp(await _view(uow, row), now=False, admins=())
            before = await _view(uow, row)
            _move(
                uow,
                row,
                E.reopen,
                by=actor_id,
                extra={
                    "previous_text": row.text,
                    "previous_answer": row.answer,
                    "photo": photo is not None,
                },
            )
            row.text, row.photo_file_id = body, photo
            row.answer = row.answered_by = row.answer_message_id = row.answered_at = None
            # the admins are shown it anew (`record_copies`); one the bot cannot reach now,
            # or every one if this handling dies before showing it, sees it on their /start
            row.copies = []
            view = await _view(uow, row)
            admins = await _recipients(uow)
            await uow.commit()
        return FollowedUp(view, True, admins, before.answer, before.answered_by)
