"""aiogram's FSM storage in the shop's database: a conversation (the checkout wizard's step
and what it has gathered so far) survives a restart or a crash, as everything else a user did.

Reads come from memory once a key has been seen by this process (every update asks for its
chat's state; the database is asked only on a miss); every change is written through to the
database. That is right for one worker. Several workers must share their conversations
through Redis (REDIS_URL), which bot/app.py then uses instead.

A change is not counted among the writes of the update being handled (storage/uow.py):
setting a conversation's step is the same however often it is done, so a replay of the
update after a crash may set it again.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from storage.uow import UnitOfWork, current_update

_Record = tuple[str | None, dict[str, Any]]


class DatabaseStorage(BaseStorage):
    def __init__(self, uow: Callable[[], UnitOfWork], *, remember: int = 50_000) -> None:
        self._uow = uow
        self._keys = DefaultKeyBuilder(with_destiny=True, with_business_connection_id=True)
        self._known: OrderedDict[str, _Record] = OrderedDict()
        self._remember = remember

    async def _record(self, key: StorageKey) -> tuple[str, _Record]:
        name = self._keys.build(key)
        record = self._known.get(name)
        if record is None:
            async with self._uow().reading() as uow:
                record = await uow.conversations.get(name)
            self._keep(name, record)
        else:
            self._known.move_to_end(name)
        return name, record

    def _keep(self, name: str, record: _Record) -> None:
        self._known[name] = record
        self._known.move_to_end(name)
        while len(self._known) > self._remember:
            self._known.popitem(last=False)

    async def _write(self, name: str, record: _Record) -> None:
        # not one of the update's counted writes: setting a step is the same however often
        # it is done, and a replay must be able to set it again
        token = current_update.set(None)
        try:
            async with self._uow() as uow:
                await uow.conversations.put(name, record[0], record[1])
                await uow.commit()
        finally:
            current_update.reset(token)
        self._keep(name, record)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name, (_, data) = await self._record(key)
        value = state.state if isinstance(state, State) else state
        await self._write(name, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        _, (state, _) = await self._record(key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"data must be a dict, not {type(data).__name__}")
        name, (state, _) = await self._record(key)
        await self._write(name, (state, copy.deepcopy(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, (_, data) = await self._record(key)
        return copy.deepcopy(data)

    async def close(self) -> None:
        self._known.clear()
