"""Conversations survive a restart (bot/conversations.py): a customer half-way through the
checkout wizard is still there after the bot process is replaced, on both databases. (They
were kept in memory: after a crash, the typed address was read as a search.)"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.conversations import DatabaseStorage
from storage.models import ProcessedUpdate
from storage.uow import UpdateEffects, current_update
from tests.conftest import Database


class Checkout(StatesGroup):
    address = State()


KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_a_conversation_is_where_it_was_after_a_restart(db: Database) -> None:
    before = DatabaseStorage(db.uow)
    assert await before.get_state(KEY) is None
    await before.set_state(KEY, Checkout.address)
    await before.update_data(KEY, {"checkout_key": "abc", "coupon": None})
    await before.update_data(KEY, {"provider_id": 3})
    await before.close()

    after = DatabaseStorage(db.uow)  # a new process
    assert await after.get_state(KEY) == Checkout.address.state
    assert await after.get_data(KEY) == {"checkout_key": "abc", "coupon": None, "provider_id": 3}
    other = StorageKey(bot_id=1, chat_id=43, user_id=43)
    assert await after.get_state(other) is None
    await after.set_state(KEY, None)
    assert await DatabaseStorage(db.uow).get_state(KEY) is None


async def test_data_read_back_is_a_copy(db: Database) -> None:
    storage = DatabaseStorage(db.uow)
    await storage.set_data(KEY, {"lines": [1, 2]})
    data = await storage.get_data(KEY)
    data["lines"].append(3)
    assert await storage.get_data(KEY) == {"lines": [1, 2]}


async def test_moving_a_conversation_is_not_one_of_an_updates_counted_writes(
    db: Database,
) -> None:
    """Setting a step is the same however often it is done: a replay of the update may set
    it again (it is not stopped there as a repeated write would be)."""
    now = datetime.now(UTC)
    async with db.uow() as uow:
        await uow.inbox.claim(
            1, 7, fingerprint="f", payload={}, worker="w", now=now, stale_before=now
        )
        await uow.commit()
    for _ in range(2):  # the handling, and its replay
        token = current_update.set(UpdateEffects(1, 7))
        try:
            await DatabaseStorage(db.uow).set_state(KEY, Checkout.address)
        finally:
            current_update.reset(token)
    assert await DatabaseStorage(db.uow).get_state(KEY) == Checkout.address.state
    async with db.sessions() as s:
        row = await s.get(ProcessedUpdate, (1, 7))
        assert row is not None
        assert row.effects == 0
