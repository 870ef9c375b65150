"""Repositories: the queries the engine needs, behind names in the shop's words.

They add and read through the unit of work's session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Outbox, User
from storage.types import UTCDateTime
from storage.vocabulary import OutboxChannel, OutboxStatus


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


class OutboxRepo:
    """The outbox as a work queue. `claim` leases due rows so that several dispatchers never
    take the same one (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serialises
    claims); a lease that runs out makes a row due again (a crashed dispatcher's rows are
    picked up by another)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        email_kinds: frozenset[str] = frozenset(),
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due rows. With `email_kinds`, a claimed Telegram notification of
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
            .values(next_attempt_at=now + lease, attempts=Outbox.attempts + 1)
        )
        if email_kinds:
            await self._email_twins(ids, email_kinds, now)
        rows = (
            await self.session.execute(
                select(Outbox, User.telegram_id, User.language_code, User.email)
                .join(User, User.user_id == Outbox.user_id)
                .where(Outbox.outbox_id.in_(ids))
                .order_by(Outbox.outbox_id)
                .execution_options(populate_existing=True)
            )
        ).all()
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
            )
            for o, tg, lang, email in rows
        ]

    async def _email_twins(self, ids: list[int], kinds: frozenset[str], now: datetime) -> None:
        """An email row beside each claimed Telegram row of `kinds` whose user has an email
        address; the dedupe key makes a re-claimed row add none."""
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

    async def release(self, outbox_ids: list[int], now: datetime) -> None:
        """Give claimed rows back unsent (a dispatcher stopping): due now, the claim's
        attempt not counted."""
        if not outbox_ids:
            return
        await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id.in_(outbox_ids), Outbox.status == OutboxStatus.pending)
            .values(next_attempt_at=now, attempts=Outbox.attempts - 1)
        )

    async def sent(self, outbox_id: int, at: datetime) -> None:
        await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == outbox_id)
            .values(status=OutboxStatus.sent, sent_at=at, last_error=None)
        )

    async def retry(self, outbox_id: int, at: datetime, error: str) -> None:
        await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == outbox_id)
            .values(next_attempt_at=at, last_error=error[:500])
        )

    async def give_up(self, outbox_id: int, status: OutboxStatus, error: str) -> None:
        await self.session.execute(
            update(Outbox)
            .where(Outbox.outbox_id == outbox_id)
            .values(status=status, last_error=error[:500])
        )
