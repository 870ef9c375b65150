"""Repositories: the queries the engine needs, behind names in the shop's words.

They add and read through the unit of work's session and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, ProcessedUpdate, User


class ProcessedUpdates:
    """Telegram update ids already handled (webhooks re-deliver; polling may repeat)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, bot_id: int, update_id: int) -> bool:
        """Record the update as taken; False when another worker (or an earlier try) has it."""
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        values = {"bot_id": bot_id, "update_id": update_id}
        if dialect == "postgresql":
            stmt = postgresql.insert(ProcessedUpdate).values(values).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite.insert(ProcessedUpdate).values(values).on_conflict_do_nothing()
        else:  # pragma: no cover - only the two supported back ends exist
            stmt = insert(ProcessedUpdate).values(values)
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def release(self, bot_id: int, update_id: int) -> None:
        """Forget a claim whose handling failed, so a re-delivery is handled again."""
        await self.session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )


class Users:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        result = await self.session.execute(select(User).where(User.telegram_id == telegram_id))
        return result.scalar_one_or_none()

    def add(self, user: User) -> None:
        self.session.add(user)


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
    ) -> AuditLog:
        row = AuditLog(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            old_data=old,
            new_data=new,
            changed_by=by,
        )
        self.session.add(row)
        return row
