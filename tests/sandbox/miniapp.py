"""What the Mini App tests share: a small bot that sells through invoice links, and the launch
parameters of a Mini App URL.

Signed initData for a test of the shop's own API comes from the sandbox itself:
`sandbox.webapp.init_data(token, user, auth_date=...)`, the same function the web chat uses.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlsplit

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import LabeledPrice, Message, PreCheckoutQuery

from sandbox import Emulator

PROVIDER_TOKEN = "284685063:TEST:sandbox"  # a test provider token


def launch_params(url: str) -> dict[str, str]:
    """The tgWebApp* parameters Telegram puts in a Mini App URL's fragment, decoded once (as
    telegram-web-app.js decodes them): tgWebAppData is the raw initData query string."""
    return dict(parse_qsl(urlsplit(url).fragment, keep_blank_values=True))


async def invoice_link(bot: Bot, payload: str = "order:7", amount: int = 2450) -> str:
    return await bot.create_invoice_link(
        title="Hoodie",
        description="One grey hoodie",
        payload=payload,
        provider_token=PROVIDER_TOKEN,
        currency="EUR",
        prices=[LabeledPrice(label="Hoodie", amount=amount)],
    )


def shop_dispatcher() -> Dispatcher:
    """Answers pre-checkout queries (refusing payloads that start with "refuse") and confirms
    each successful payment in the chat, as a shop does."""
    dp = Dispatcher()

    @dp.pre_checkout_query()
    async def pre_checkout(query: PreCheckoutQuery) -> None:
        if query.invoice_payload.startswith("refuse"):
            await query.answer(ok=False, error_message="Sold out")
        else:
            await query.answer(ok=True)

    @dp.message(F.successful_payment)
    async def paid(message: Message) -> None:
        assert message.successful_payment is not None
        await message.answer(f"Paid {message.successful_payment.invoice_payload}")

    @dp.message(F.web_app_data)
    async def data(message: Message) -> None:
        assert message.web_app_data is not None
        await message.answer(f"Got {message.web_app_data.data}")

    @dp.message()
    async def hello(message: Message) -> None:
        await message.answer("Hi")

    return dp


@contextlib.asynccontextmanager
async def running_shop_bot(tg: Emulator) -> AsyncIterator[Bot]:
    """shop_dispatcher() long-polling the emulator until the block ends."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
    bot = Bot(tg.token, session=session)
    dp = shop_dispatcher()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        yield bot
    finally:
        with contextlib.suppress(RuntimeError):  # polling may not have started yet
            await dp.stop_polling()
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await bot.session.close()
