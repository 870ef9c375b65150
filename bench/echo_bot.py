"""The baseline: a bare aiogram bot that echoes, on the same Bot API path as the shop.

It does per update what the shop's cheapest handlers do (one answer, one send or edit) and
nothing else: no database, none of the shop's middlewares. It does get the aiogram-level
speedups the shop process has, from the shop's own code, so that "× echo" measures the shop's
own work rather than aiogram's: aiogram's types build their schemas when first used
(importing `bot` runs bot/lazy_types.py before aiogram is imported), and the model every Bot
API answer is parsed with is kept between calls (bot/responses.py `keep_response_type`, on
every request as the shop's RetryRequests calls it).

Polling by default; webhook mode when WEBHOOK_URL is set (with WEBHOOK_SECRET, WEBHOOK_HOST,
WEBHOOK_PORT), like the shop bot.
Run: TELEGRAM_API_BASE=... BOT_TOKEN=... python -m bench.echo_bot
"""

from __future__ import annotations

# first: importing `bot` keeps aiogram's types deferred (bot/lazy_types.py), as in the shop
from bot.responses import keep_response_type

# isort: split
import asyncio
import logging
import os
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

router = Router()
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Tap", callback_data="tap")]]
)


@router.message(F.text)
async def on_text(message: Message) -> None:
    await message.answer(f"echo: {message.text}", reply_markup=KEYBOARD)


@router.callback_query(F.data == "tap")
async def on_tap(query: CallbackQuery) -> None:
    await query.answer("tapped")
    if isinstance(query.message, Message):
        # new text every time, whichever worker edits: the same text again would be refused
        await query.message.edit_text(f"tapped ({query.id})", reply_markup=KEYBOARD)


async def keep_responses(
    make_request: NextRequestMiddlewareType[TelegramType],
    bot: Bot,
    method: TelegramMethod[TelegramType],
) -> Response[TelegramType]:
    """The one thing the shop's request middleware does for speed (see the docstring)."""
    keep_response_type(method)
    return await make_request(bot, method)


async def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    base = os.environ["TELEGRAM_API_BASE"]
    bot = Bot(
        os.environ["BOT_TOKEN"],
        session=AiohttpSession(api=TelegramAPIServer.from_base(base, is_local=False)),
    )
    bot.session.middleware(keep_responses)
    dp = Dispatcher()
    dp.include_router(router)
    url = os.environ.get("WEBHOOK_URL")
    if not url:
        await bot.delete_webhook()
        await dp.start_polling(bot, handle_signals=True)
        return
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    secret = os.environ["WEBHOOK_SECRET"]
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token=secret).register(app, path=urlsplit(url).path)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["WEBHOOK_PORT"])).start()
    await bot.set_webhook(url, secret_token=secret)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
