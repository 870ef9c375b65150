"""Bot and Dispatcher factories. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from bot.middlewares import DropRedeliveredUpdates
from bot.settings import Settings
from engine.accounts import Accounts
from handlers import build_router
from storage.uow import UnitOfWork


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    session = None
    if settings.telegram_api_base is not None:
        base = str(settings.telegram_api_base).rstrip("/")
        session = AiohttpSession(api=TelegramAPIServer.from_base(base, is_local=False))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_fsm_storage(settings: Settings) -> BaseStorage:
    """Conversation state: in memory for one worker, Redis when several share the work."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def create_dispatcher(settings: Settings, uow: Callable[[], UnitOfWork]) -> Dispatcher:
    dp = Dispatcher(
        storage=create_fsm_storage(settings),
        accounts=Accounts(uow, admin_ids=settings.admin_ids),
        settings=settings,
    )
    dp.update.outer_middleware(DropRedeliveredUpdates(uow))
    dp.include_router(build_router())
    return dp
