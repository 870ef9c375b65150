"""The unit of work: one transaction per engine operation.

```python
async with uow:                 # opens a session and a transaction
    ...                         # repositories read and write through uow.session
    await uow.commit()          # the only commit; leaving without it rolls back
```
Repositories never commit; side effects that leave the process are written to the outbox
inside the same transaction.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import AuditLogs, OutboxRepo, ProcessedUpdates, Users


class UnitOfWorkError(RuntimeError):
    pass


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise UnitOfWorkError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise UnitOfWorkError("the unit of work is already open")
        self._session = self._sessions()
        await self._session.begin()
        self.processed_updates = ProcessedUpdates(self._session)
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
            await session.close()

    async def commit(self) -> None:
        await self.session.commit()
