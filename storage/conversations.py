"""Conversation states (`conversation_states`): where each chat's conversation is. The
repository behind bot/conversations.py's aiogram FSM storage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState
from storage.repositories import upsert


class Conversations:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        row = (
            await self.session.execute(
                select(ConversationState.state, ConversationState.data).where(
                    ConversationState.key == key
                )
            )
        ).first()
        return (None, {}) if row is None else (row[0], dict(row[1] or {}))

    async def put(self, key: str, state: str | None, data: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        stmt = upsert(self.session, ConversationState).values(
            key=key, state=state, data=data, updated_at=now
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[ConversationState.key],
                set_={"state": state, "data": data, "updated_at": now},
            )
        )
