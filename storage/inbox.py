"""The update inbox (`processed_updates`): each Telegram update is stored before it is acted
on, claimed by one worker, marked done once handled, and handled again if its worker died.

A row's life:
```
(new) --claim--> claimed (claimed_by=worker, heartbeat_at renewed while it is handled)
claimed --done--> done (payload dropped; the row stays UPDATE_KEEP_HOURS so a re-delivery
                        is recognised, then purge() deletes it)
claimed --give_back--> claimed, claimed_by NULL (handling failed: replayed soon), or
                       failed after `max_attempts` handlings
claimed, heartbeat older than the lease --take_abandoned--> claimed by another worker (replay)
```
`effects` counts the write transactions the update's handling committed (storage/uow.py
`UpdateEffects`): a replay skips the first `effects` of them, so what was written before a
crash is not written again.

The key is (bot_id, update_id) plus a fingerprint of the update's content: the same id with
other content is a new update (a new bot token, an emulator that numbered from 1 again), not
a re-delivery, and is handled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate
from storage.repositories import upsert
from storage.vocabulary import UpdateStatus

UpdateKey = tuple[int, int]  # (bot_id, update_id)


@dataclass(frozen=True)
class StoredUpdate:
    """An update taken over for a replay: its raw JSON and how many handlings it had."""

    bot_id: int
    update_id: int
    payload: dict[str, Any]
    attempts: int


def _key(bot_id: int, update_id: int) -> Any:
    return (ProcessedUpdate.bot_id == bot_id) & (ProcessedUpdate.update_id == update_id)


class UpdateInbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _changed(self, stmt: Any) -> bool:
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def claim(
        self,
        bot_id: int,
        update_id: int,
        *,
        fingerprint: str,
        payload: dict[str, Any] | None,
        worker: str,
        now: datetime,
        stale_before: datetime,
    ) -> bool:
        """Store the update and take it for `worker`. False when it was handled already, or
        another live worker is handling it."""
        fresh = {
            "fingerprint": fingerprint,
            "status": UpdateStatus.claimed,
            "payload": payload,
            "claimed_by": worker,
            "heartbeat_at": now,
            "attempts": 1,
            "effects": 0,
            "processed_at": now,
            "done_at": None,
        }
        inserted = (
            upsert(self.session, ProcessedUpdate)
            .values(bot_id=bot_id, update_id=update_id, **fresh)
            .on_conflict_do_nothing()
        )
        if await self._changed(inserted):
            return True
        # the id is known: with other content and finished, it is a new update reusing an id
        if await self._changed(
            update(ProcessedUpdate)
            .where(
                _key(bot_id, update_id),
                ProcessedUpdate.fingerprint != fingerprint,
                ProcessedUpdate.fingerprint != "",  # rows from before fingerprints: the same
                ProcessedUpdate.status != UpdateStatus.claimed,
            )
            .values(**fresh)
        ):
            return True
        # the same update re-delivered while its claim is abandoned: take it over
        return await self._changed(
            update(ProcessedUpdate)
            .where(
                _key(bot_id, update_id),
                ProcessedUpdate.fingerprint == fingerprint,
                ProcessedUpdate.status == UpdateStatus.claimed,
                or_(
                    ProcessedUpdate.claimed_by.is_(None),
                    ProcessedUpdate.heartbeat_at < stale_before,
                ),
            )
            .values(
                claimed_by=worker,
                heartbeat_at=now,
                attempts=ProcessedUpdate.attempts + 1,
            )
        )

    async def done(self, keys: Iterable[UpdateKey], now: datetime) -> None:
        """Handled: keep the id (and fingerprint) to recognise a re-delivery, drop the body."""
        for bot_id, update_id in keys:
            await self.session.execute(
                update(ProcessedUpdate)
                .where(_key(bot_id, update_id), ProcessedUpdate.status == UpdateStatus.claimed)
                .values(
                    status=UpdateStatus.done,
                    payload=None,
                    claimed_by=None,
                    done_at=now,
                )
            )

    async def give_back(self, keys: Iterable[UpdateKey], *, max_attempts: int) -> None:
        """Handling failed or never ran: handled again soon, or `failed` after max_attempts."""
        for bot_id, update_id in keys:
            await self.session.execute(
                update(ProcessedUpdate)
                .where(_key(bot_id, update_id), ProcessedUpdate.status == UpdateStatus.claimed)
                .values(claimed_by=None)
            )
            await self.session.execute(
                update(ProcessedUpdate)
                .where(
                    _key(bot_id, update_id),
                    ProcessedUpdate.status == UpdateStatus.claimed,
                    ProcessedUpdate.attempts >= max_attempts,
                )
                .values(status=UpdateStatus.failed, payload=None)
            )

    async def heartbeat(self, keys: Iterable[UpdateKey], worker: str, now: datetime) -> None:
        """`worker` is alive and still handling these."""
        for bot_id, update_id in keys:
            await self.session.execute(
                update(ProcessedUpdate)
                .where(
                    _key(bot_id, update_id),
                    ProcessedUpdate.status == UpdateStatus.claimed,
                    ProcessedUpdate.claimed_by == worker,
                )
                .values(heartbeat_at=now)
            )

    async def take_abandoned(
        self,
        worker: str,
        *,
        now: datetime,
        stale_before: datetime,
        max_attempts: int,
        limit: int = 100,
    ) -> list[StoredUpdate]:
        """Claims whose worker died (no heartbeat since `stale_before`) or gave them back,
        taken over by `worker` to be handled again, oldest first. Those that have had
        `max_attempts` handlings are marked failed instead."""
        abandoned = or_(
            ProcessedUpdate.claimed_by.is_(None), ProcessedUpdate.heartbeat_at < stale_before
        )
        rows = (
            await self.session.execute(
                select(
                    ProcessedUpdate.bot_id,
                    ProcessedUpdate.update_id,
                    ProcessedUpdate.payload,
                    ProcessedUpdate.attempts,
                )
                .where(ProcessedUpdate.status == UpdateStatus.claimed, abandoned)
                .order_by(ProcessedUpdate.processed_at, ProcessedUpdate.update_id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        taken = []
        for bot_id, update_id, payload, attempts in rows:
            if attempts >= max_attempts or payload is None:
                await self.session.execute(
                    update(ProcessedUpdate)
                    .where(_key(bot_id, update_id), ProcessedUpdate.status == UpdateStatus.claimed)
                    .values(status=UpdateStatus.failed, payload=None, claimed_by=None)
                )
                continue
            if await self._changed(
                update(ProcessedUpdate)
                .where(
                    _key(bot_id, update_id),
                    ProcessedUpdate.status == UpdateStatus.claimed,
                    abandoned,
                )
                .values(claimed_by=worker, heartbeat_at=now, attempts=attempts + 1)
            ):
                taken.append(StoredUpdate(bot_id, update_id, dict(payload), attempts + 1))
        return taken

    async def record_effect(self, bot_id: int, update_id: int, ordinal: int) -> bool:
        """The update's handling is about to commit its `ordinal`-th write transaction: True
        if that one was not committed before (by an earlier handling of the same update)."""
        return await self._changed(
            update(ProcessedUpdate)
            .where(_key(bot_id, update_id), ProcessedUpdate.effects < ordinal)
            .values(effects=ordinal)
        )

    async def purge(self, before: datetime) -> int:
        """Forget handled and failed updates finished before `before` (retention)."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.status != UpdateStatus.claimed,
                func.coalesce(ProcessedUpdate.done_at, ProcessedUpdate.processed_at) < before,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
