"""Repositories: the queries the engine needs, behind names in the shop's words.

They add and read through the unit of work's session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Outbox, Seller, User
from storage.types import UTCDateTime
from storage.vocabulary import OutboxChannel, OutboxStatus, UserRole


def upsert(session: AsyncSession, model: type[Any]) -> Any:
    """INSERT with the back end's ON CONFLICT support (both supported databases have it)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


class Users:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        result = await self.session.execute(select(User).where(User.telegram_id == telegram_id))
        return result.scalar_one_or_none()

    def add(self, user: User) -> None:
        self.session.add(user)

    async def get_or_create_by_telegram_id(
        self, telegram_id: int, **defaults: Any
    ) -> tuple[User, bool]:
        """The user with this Telegram id, created if new; safe when two requests race."""
        stmt = (
            upsert(self.session, User)
            .values(telegram_id=telegram_id, **defaults)
            .on_conflict_do_nothing(index_elements=[User.telegram_id])
            .returning(User.user_id)
        )
        created = (await self.session.execute(stmt)).scalar_one_or_none() is not None
        user = await self.session.scalar(
            select(User)
            .where(User.telegram_id == telegram_id)
            .execution_options(populate_existing=True)
        )
        assert user is not None
        return user, created


class AuditLogs:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(
        self,
        entity_type: str,
        entity_id: int,
        action: str,
        *,
        by: int | None,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> AuditLog:
        """Add one audit row; `at` back-dates it (demo data), otherwise it is now."""
        row = AuditLog(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            old_data=old,
            new_data=new,
            changed_by=by,
        )
        if at is not None:
            row.created_at = at
        self.session.add(row)
        return row


@dataclass(frozen=True)
class OutboxMessage:
    """A notification claimed for delivery, with what delivery needs to know."""

    outbox_id: int
    user_id: int
    telegram_id: int | None
    language_code: str | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    channel: OutboxChannel = OutboxChannel.telegram
    email: str | None = None
    claim_token: str = ""  # the lease this message is under (OutboxRepo.claim)
    created_at: datetime | None = None


def _changed(result: Any) -> int:
    """How many rows an UPDATE changed."""
    return int(getattr(result, "rowcount", 0) or 0)


class OutboxRepo:
    """The outbox as a work queue. `claim` leases due rows so that several dispatchers never
    take the same one (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serialises
    claims); a lease that runs out makes a row due again (a crashed dispatcher's rows are
    picked up by another).

    A lease has an owner: each claim writes its own random token on its rows, and only that
    token may mark a row sent, retried, given up, held or released (`WHERE claim_token = token
    AND status = 'pending'`), or renew the lease. A dispatcher whose lease ran out and was
    taken over therefore changes nothing, and learns (from `renew`) not to send those rows.

    A row for someone who has not started the bot yet is `held` (`hold`): it waits, with its
    deadline in `next_attempt_at`, until they write to the bot (`release_held`) or the
    deadline passes (`expire_held`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        token: str,
        email_kinds: frozenset[str] = frozenset(),
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due rows until `now + lease`, under `token` (a new random one
        per claim: the lease's owner). With `email_kinds`, a claimed Telegram notification of
        one of those kinds also gets its email twin (once, for users who gave an address)."""
        due = (
            select(Outbox.outbox_id)
            .where(Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
            .order_by(Outbox.next_attempt_at, Outbox.outbox_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self.session.scalars(due)).all())
        if not ids:
            return []
        await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id.in_(ids))
            .values(next_attempt_at=now + lease, attempts=Outbox.attempts + 1, claim_token=token)
        )
        rows = (
            await self.session.execute(
                select(
                    Outbox,
                    User.telegram_id,
                    func.coalesce(User.chosen_language, User.language_code),
                    User.email,
                )
                .join(User, User.user_id == Outbox.user_id)
                .where(Outbox.outbox_id.in_(ids))
                .order_by(Outbox.outbox_id)
                .execution_options(populate_existing=True)
            )
        ).all()
        if email_kinds:  # not for a row another row of its change says (`superseded_by`)
            told = [o.outbox_id for o, *_ in rows if not o.payload.get("superseded_by")]
            await self._email_twins(told, email_kinds, now)
        return [
            OutboxMessage(
                o.outbox_id,
                o.user_id,
                tg,
                lang,
                o.kind,
                dict(o.payload),
                o.attempts,
                o.channel,
                email,
                claim_token=token,
                created_at=o.created_at,
            )
            for o, tg, lang, email in rows
        ]

    async def _email_twins(self, ids: list[int], kinds: frozenset[str], now: datetime) -> None:
        """An email row beside each claimed Telegram row of `kinds` whose user has an email
        address; the dedupe key makes a re-claimed row add none."""
        if not ids:
            return
        twin = (
            select(
                Outbox.user_id,
                literal(OutboxChannel.email.value).label("channel"),
                Outbox.kind,
                Outbox.payload,
                (literal("email:") + cast(Outbox.outbox_id, String)).label("dedupe_key"),
                literal(OutboxStatus.pending.value).label("status"),
                literal(0).label("attempts"),
                literal(now, UTCDateTime()).label("next_attempt_at"),
                literal(now, UTCDateTime()).label("created_at"),
            )
            .join(User, User.user_id == Outbox.user_id)
            .where(
                Outbox.outbox_id.in_(ids),
                Outbox.channel == OutboxChannel.telegram,
                Outbox.kind.in_(sorted(kinds)),
                User.email.is_not(None),
            )
        )
        columns = [
            "user_id",
            "channel",
            "kind",
            "payload",
            "dedupe_key",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
        ]
        await self.session.execute(
            upsert(self.session, Outbox)
            .from_select(columns, twin)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )

    def _mine(self, token: str) -> Any:
        """The rows still under this claim: nobody took the lease over, nothing decided yet."""
        return (Outbox.claim_token == token) & (Outbox.status == OutboxStatus.pending)

    async def renew(self, outbox_ids: list[int], token: str, until: datetime) -> set[int]:
        """Extend the lease on those of `outbox_ids` still held under `token` (one UPDATE);
        returns them. A row missing from the answer was taken over: it must not be sent."""
        if not outbox_ids:
            return set()
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id.in_(outbox_ids), self._mine(token))
            .values(next_attempt_at=until)
            .returning(Outbox.outbox_id)
            .execution_options(synchronize_session=False)
        )
        return set(result.scalars().all())

    async def release(self, outbox_ids: list[int], token: str, now: datetime) -> None:
        """Give claimed rows back unsent (a dispatcher stopping): due now, the claim's
        attempt not counted. Rows no longer under `token` are left alone."""
        if not outbox_ids:
            return
        await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id.in_(outbox_ids), self._mine(token))
            .values(next_attempt_at=now, attempts=Outbox.attempts - 1, claim_token=None)
        )

    async def sent(self, outbox_id: int, token: str, at: datetime) -> bool:
        """Mark a row sent; False (nothing changed) unless `token` still holds it."""
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == outbox_id, self._mine(token))
            .values(status=OutboxStatus.sent, sent_at=at, last_error=None)
        )
        return _changed(result) == 1

    async def retry(self, outbox_id: int, token: str, at: datetime, error: str) -> bool:
        """Try the row again at `at` (the lease ends: anyone may take it then)."""
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == outbox_id, self._mine(token))
            .values(next_attempt_at=at, last_error=error[:500], claim_token=None)
        )
        return _changed(result) == 1

    async def give_up(self, outbox_id: int, token: str, status: OutboxStatus, error: str) -> bool:
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == outbox_id, self._mine(token))
            .values(status=status, last_error=error[:500])
        )
        return _changed(result) == 1

    # --- messages to someone who has not started the bot -----------------------------------
    async def hold(
        self,
        message: OutboxMessage,
        *,
        now: datetime,
        hold_for: timedelta,
        keep: int,
        error: str,
    ) -> OutboxStatus | None:
        """The recipient has not started the bot: the row waits (`held`) until they do, at
        most `hold_for` after it was written and among their newest `keep` held rows; past
        either bound it is `undeliverable`. When the recipient runs a store, every admin is
        told once (dedupe key `unreachable:<user>:<admin>`) that the seller cannot be reached
        yet. Returns the row's new status, or None unless `message`'s claim still holds it."""
        until = (message.created_at or now) + hold_for
        if until <= now:
            gave_up = await self.give_up(
                message.outbox_id, message.claim_token, OutboxStatus.undeliverable, error
            )
            return OutboxStatus.undeliverable if gave_up else None
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == message.outbox_id, self._mine(message.claim_token))
            .values(
                status=OutboxStatus.held,
                next_attempt_at=until,  # a held row's deadline (expire_held)
                claim_token=None,
                last_error=error[:500],
            )
        )
        if _changed(result) != 1:
            return None
        excess = list(
            (
                await self.session.scalars(
                    select(Outbox.outbox_id)
                    .where(Outbox.user_id == message.user_id, Outbox.status == OutboxStatus.held)
                    .order_by(Outbox.created_at.desc(), Outbox.outbox_id.desc())
                    .offset(keep)
                    .limit(1000)
                )
            ).all()
        )
        if excess:
            await self.session.execute(
                update(Outbox)
                .where(Outbox.outbox_id.in_(excess), Outbox.status == OutboxStatus.held)
                .values(
                    status=OutboxStatus.undeliverable,
                    last_error=f"more than {keep} messages waiting for the first /start",
                )
            )
        await self._tell_admins_unreachable(message.user_id, now, hold_for)
        return OutboxStatus.undeliverable if message.outbox_id in excess else OutboxStatus.held

    async def _tell_admins_unreachable(
        self, user_id: int, now: datetime, hold_for: timedelta
    ) -> None:
        seller = (
            await self.session.execute(
                select(Seller.seller_id, Seller.store_name).where(Seller.user_id == user_id)
            )
        ).first()
        if seller is None:
            return
        admins = (
            await self.session.scalars(
                select(User.user_id).where(User.role == UserRole.admin, User.user_id != user_id)
            )
        ).all()
        for admin_id in admins:
            await self.session.execute(
                upsert(self.session, Outbox)
                .values(
                    user_id=admin_id,
                    channel=OutboxChannel.telegram,
                    kind="seller_unreachable",
                    payload={
                        "seller_id": seller.seller_id,
                        "store_name": seller.store_name,
                        "days": hold_for.days,
                    },
                    dedupe_key=f"unreachable:{user_id}:{admin_id}",
                    status=OutboxStatus.pending,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
            )

    async def seller_unreachable(self, seller_id: object) -> bool:
        """Is the store's seller still someone the bot cannot write to: are their messages
        still held for their first message to the bot? (Writing to the bot releases them.)
        What a "cannot be reached" notice asks right before it is shown."""
        if not isinstance(seller_id, int):
            return False
        held = await self.session.scalar(
            select(Outbox.outbox_id)
            .join(Seller, Seller.user_id == Outbox.user_id)
            .where(Seller.seller_id == seller_id, Outbox.status == OutboxStatus.held)
            .limit(1)
        )
        return held is not None

    async def release_held(self, user_id: int, now: datetime) -> int:
        """The user has written to the bot: their held rows are due now (those past their
        deadline become `undeliverable` instead); returns how many were released."""
        await self.expire_held(now, user_id=user_id)
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.user_id == user_id, Outbox.status == OutboxStatus.held)
            .values(status=OutboxStatus.pending, next_attempt_at=now, last_error=None)
        )
        return _changed(result)

    async def expire_held(self, now: datetime, *, user_id: int | None = None) -> int:
        """Held rows past their deadline become `undeliverable`; returns how many."""
        stmt = update(Outbox).where(
            Outbox.status == OutboxStatus.held, Outbox.next_attempt_at <= now
        )
        if user_id is not None:
            stmt = stmt.where(Outbox.user_id == user_id)
        result = await self.session.execute(
            stmt.values(
                status=OutboxStatus.undeliverable,
                last_error="the user did not start the bot in time",
            )
        )
        return _changed(result)
