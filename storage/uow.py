"""The unit of work: one transaction per engine operation.

```python
async with uow:                 # opens a session and a transaction
    ...                         # repositories read and write through uow.session
    await uow.commit()          # the only commit; leaving without it rolls back

async with uow.reading() as uow:  # a read: takes no write lock, and refuses to write
    ...
```
Repositories never commit; side effects that leave the process are written to the outbox
inside the same transaction.

While a Telegram update is handled, `current_update` names it (bot/inbox.py sets it around
the handler). Each commit then also counts itself in the update's inbox row, in the same
transaction: the n-th write transaction of a handling commits only if the update's row says
fewer than n were committed before. A replay of an update whose worker died after a write
(the same handler, the same steps) so stops at that write with `AlreadyApplied` instead of
writing it again; one that died before any write does everything.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from storage.conversations import Conversations
from storage.db import READ_ONLY
from storage.inbox import UpdateInbox
from storage.repositories import AuditLogs, OutboxRepo, Users

log = logging.getLogger(__name__)


@dataclass
class UpdateEffects:
    """The Telegram update being handled in this context, and how many write transactions
    its handling has committed so far."""

    bot_id: int
    update_id: int
    committed: int = 0


current_update: ContextVar[UpdateEffects | None] = ContextVar("current_update", default=None)


class AlreadyApplied(Exception):
    """A replayed update reached a write its first handling committed: the handling stops,
    the update is done (bot/inbox.py), and the user is told it went through."""

    def __init__(self, update_id: int, step: int) -> None:
        super().__init__(f"update {update_id}: step {step} was committed before")
        self.update_id, self.step = update_id, step


class UnitOfWorkError(RuntimeError):
    pass


# Whether a session wrote anything: a flush with changes, or an INSERT/UPDATE/DELETE it ran.
# Only a transaction that wrote is one of an update's counted writes (a read that commits,
# such as a cart review that found nothing to change, is not: a replay may do it again).
WROTE = "wrote"


def _has_changes(session: Session) -> bool:
    """Objects added, deleted or really changed, not yet flushed."""
    return bool(
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    )


def _writes(session: Session) -> None:
    if session.info.get(READ_ONLY):
        raise UnitOfWorkError("a unit of work opened for reading cannot write: use `uow()`")
    session.info[WROTE] = True


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context: object, _instances: object) -> None:
    if _has_changes(session):
        _writes(session)


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _writes(state.session)


_GATES: WeakKeyDictionary[Engine, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    WeakKeyDictionary()
)
GATE_TIMEOUT = 30.0  # seconds, as SQLite's busy_timeout (storage/db.py)


def _sqlite_gate(sessions: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    """SQLite: units of work of one engine take turns in an asyncio queue.

    Every SQLite transaction begins IMMEDIATE (storage/db.py), so two never run at once
    anyway; without the queue the second one waits inside SQLite's busy handler, which sleeps
    in growing steps of up to 100 ms, and a crowd of waiters turns into seconds of latency
    under load (docs/performance.md). The queue hands the lock over as soon as it is free.
    """
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return None
    per_loop = _GATES.setdefault(bind.sync_engine, {})
    loop = asyncio.get_running_loop()
    if loop not in per_loop:
        per_loop.clear()  # a lock belongs to one event loop; the old loop is gone
        per_loop[loop] = asyncio.Lock()
    return per_loop[loop]


class UnitOfWork:
    """One transaction. `reading()` gives one that only reads: on SQLite it begins DEFERRED
    and does not queue at the write gate (WAL readers neither wait for the writer nor hold it
    up); on PostgreSQL it is a READ ONLY transaction. A write in it is a bug and raises."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._gate: asyncio.Lock | None = None
        self.read_only = read_only

    def reading(self) -> UnitOfWork:
        """A unit of work on the same database that only reads."""
        return UnitOfWork(self._sessions, read_only=True)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise UnitOfWorkError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise UnitOfWorkError("the unit of work is already open")
        gate = None if self.read_only else _sqlite_gate(self._sessions)
        if gate is not None:
            try:
                async with asyncio.timeout(GATE_TIMEOUT):
                    await gate.acquire()
            except TimeoutError:
                raise UnitOfWorkError("the database stayed busy for 30 s") from None
            self._gate = gate
        self._session = self._sessions()
        try:
            await self._session.begin()
            if self.read_only:
                self._session.info[READ_ONLY] = True
                # the options reach the connection before its BEGIN (storage/db.py)
                await self._session.connection(
                    execution_options={READ_ONLY: True, "postgresql_readonly": True}
                )
        except BaseException:
            self._release()
            raise
        self.inbox = UpdateInbox(self._session)
        self.conversations = Conversations(self._session)
        self.users = Users(self._session)
        self.audit = AuditLogs(self._session)
        self.outbox = OutboxRepo(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            if exc_type is None:
                # a read that ends without commit: keep what was loaded usable after the
                # block (rollback would expire it); nothing was written, so nothing is lost
                session.expunge_all()
            await session.rollback()  # no-op after commit; undoes everything otherwise
        finally:
            try:
                await session.close()
            finally:
                self._release()

    def _release(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate.release()

    @property
    def wrote(self) -> bool:
        """This transaction has written (or is about to flush a change)."""
        session = self.session.sync_session
        return bool(session.info.get(WROTE)) or _has_changes(session)

    async def commit(self) -> None:
        effects = current_update.get()
        if effects is not None and self.wrote:
            effects.committed += 1
            if not await self.inbox.record_effect(
                effects.bot_id, effects.update_id, effects.committed
            ):
                # an earlier handling of this update committed this step before it died: not
                # again, and not what follows it either (it was computed from this step)
                log.info(
                    "update %s: step %s was committed by an earlier handling; stopping here",
                    effects.update_id,
                    effects.committed,
                )
                await self.session.rollback()
                raise AlreadyApplied(effects.update_id, effects.committed)
        await self.session.commit()
