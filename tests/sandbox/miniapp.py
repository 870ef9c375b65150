"""What the Mini App tests share: a small bot that sells through invoice links, the launch
parameters of a Mini App URL, and the real shop (`python -m bot run` in sandbox mode) with its
Mini App, called as a persona.

Signed initData for a test of the shop's own API comes from the sandbox itself:
`sandbox.webapp.init_data(token, user, auth_date=...)`, the same function the web chat uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.types import LabeledPrice, Message, PreCheckoutQuery

from bot.runner import SANDBOX_TOKEN
from sandbox import Emulator
from sandbox.webapp import init_data
from tests.e2e.conftest import sandbox_process
from tests.sandbox.webbot import polling

if TYPE_CHECKING:
    from playwright.async_api import Page

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
    async with polling(tg, shop_dispatcher()) as bot:
        yield bot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def shop_with_mini_app(home: Path) -> AsyncIterator[tuple[str, str, list[str]]]:
    """`python -m bot run` in sandbox mode on a fresh demo database in `home`, its web server
    (the Mini App) on a free port: yields the web chat's URL, the Mini App's URL and the bot's
    output so far."""
    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WEBHOOK_PORT", str(port))  # read once, when the process starts
        async with sandbox_process(home) as (chat_url, output):
            env.undo()
            app_url = f"http://127.0.0.1:{port}/app/"
            async with aiohttp.ClientSession() as http:
                for _ in range(100):  # the web server starts just after the sandbox says so
                    try:
                        async with http.get(app_url) as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
            yield chat_url, app_url, output


async def as_user(
    app_url: str, user_id: int, first_name: str, path: str, method: str = "GET", **kw: Any
) -> Any:
    """Call the Mini App's API as this user, with initData signed here exactly as Telegram
    signs it (the sandbox bot's token)."""
    signed = init_data(SANDBOX_TOKEN, {"id": user_id, "first_name": first_name})
    headers = {"Authorization": f"tma {signed}"}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, app_url + "api/" + path, headers=headers, **kw) as got,
    ):
        assert got.status < 300, await got.text()
        return await got.json()


async def no_sideways_scroll(page: Page) -> bool:
    """Whether the Mini App's page fits its frame's width (no horizontal scroll)."""
    frame = next(f for f in page.frames if "/app/" in f.url)
    return bool(await frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
