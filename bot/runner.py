"""Run the bot against Telegram (or any Bot API server): long polling, or a webhook server."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher

from bot.app import create_bot, create_dispatcher
from bot.settings import Settings
from storage.db import make_engine, make_sessionmaker
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    bot = create_bot(settings)
    dp = create_dispatcher(settings, lambda: UnitOfWork(sessions))
    try:
        if settings.webhook_url is not None:
            await _serve_webhook(settings, bot, dp)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            log.info("polling for updates")
            await dp.start_polling(bot, handle_signals=True)
    finally:
        await bot.session.close()
        await engine.dispose()


async def _serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher) -> None:
    import asyncio
    from urllib.parse import urlsplit

    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    path = urlsplit(str(settings.webhook_url)).path or "/"
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await bot.set_webhook(str(settings.webhook_url), secret_token=secret)
    log.info("webhook listening on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
