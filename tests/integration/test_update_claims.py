"""Claims of updates commit in groups (bot/inbox.py UpdateInbox): updates arriving together
are still each handled exactly once."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.methods import SendMessage
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import create_dispatcher
from bot.settings import Settings
from storage.models import ProcessedUpdate
from tests.conftest import Database
from tests.integration.test_start_handler import TOKEN, RecordingSession, start_update


async def test_updates_arriving_together_are_each_handled_once(db: Database) -> None:
    telegram = RecordingSession()
    bot = Bot(TOKEN, session=telegram)
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    await dp.feed_update(bot, start_update(1, user_id=4000))  # signed up: later ones are reads
    # ten customers, each update delivered three times at once (webhook re-deliveries)
    updates = [start_update(10 + n, user_id=4000 + n) for n in range(10)]
    deliveries = [update for update in updates for _ in range(3)]
    await asyncio.gather(*(dp.feed_update(bot, update) for update in deliveries))
    answered = [m.chat_id for m in telegram.sent if isinstance(m, SendMessage)]
    assert sorted(answered[1:]) == sorted(4000 + n for n in range(10))
    async with db.sessions() as s:
        claims = await s.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert claims == 11
