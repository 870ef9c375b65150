"""How bot/runner.py and the settings put the Mini App in place: the chat's menu button opens
it, the sandbox serves it on a port of its own with the sandbox's WebApp script, and
WEBAPP_URL is refused unless Telegram could open it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup, MenuButtonWebApp
from pydantic import AnyHttpUrl, SecretStr

from bot.app import create_dispatcher
from bot.runner import sandbox_webapp, show_menu_button
from bot.settings import Settings, SettingsError, load_settings
from engine.catalog import ProductCard, ProductDetail
from handlers import keyboards as kb
from handlers.keyboards import use_mini_app
from sandbox import Emulator
from storage.vocabulary import ProductStatus
from tests.conftest import Database
from tests.integration.test_start_handler import RecordingSession, start_update

TOKEN = "123456789:AAE" + "mini-app-wiring-0123456789abcde"


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with Emulator(token=TOKEN, use_env_spec=False) as emulator:
        session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url, is_local=False))
        telegram = Bot(TOKEN, session=session)
        yield telegram
        await telegram.session.close()


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def test_the_chat_menu_button_opens_the_mini_app(bot: Bot) -> None:
    url = "https://shop.example.com/app/"
    await show_menu_button(bot, _settings(webapp_url=url))
    button = await bot.get_chat_menu_button()
    assert isinstance(button, MenuButtonWebApp)
    assert button.web_app.url == url
    assert button.text == "🛍 Shop"


async def test_without_webapp_url_the_menu_button_is_left_alone(bot: Bot) -> None:
    await show_menu_button(bot, _settings())
    assert (await bot.get_chat_menu_button()).type == "default"


def _two_free_ports() -> int:
    """A port p such that p and p + 1 are both free now."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise AssertionError("no two free ports in a row")


def test_the_sandbox_serves_the_mini_app_on_a_port_of_its_own() -> None:
    port = _two_free_ports()
    chosen = sandbox_webapp(_settings(sandbox_host="127.0.0.1", sandbox_port=port))
    assert chosen["webhook_port"] == port + 1  # the local Telegram keeps its own
    assert chosen["webapp_url"] == AnyHttpUrl(f"http://127.0.0.1:{port + 1}/app/")
    assert chosen["webapp_script_url"] == AnyHttpUrl(
        f"http://127.0.0.1:{port}/sandbox/telegram-web-app.js"
    )
    own = sandbox_webapp(_settings(sandbox_port=port, webhook_port=port + 1))
    assert own["webhook_port"] == port + 1
    with socket.socket() as taken:  # the next port is busy (another sandbox): any free one
        taken.bind(("127.0.0.1", port + 1))
        taken.listen()
        moved = sandbox_webapp(_settings(sandbox_host="127.0.0.1", sandbox_port=port))
    assert moved["webhook_port"] not in (port, port + 1)


@pytest.mark.parametrize(
    "url", ["http://shop.example.com/app/", "https://shop.example.com/", "https://x.io/store/"]
)
def test_a_webapp_url_telegram_cannot_open_or_the_bot_does_not_serve_is_refused(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBAPP_URL", url)
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    assert refused.value.lines[0].startswith("WEBAPP_URL: ")


def test_a_good_webapp_url_loads() -> None:
    settings = load_settings(_env_file=None, webapp_url="https://shop.example.com/app/")
    assert str(settings.webapp_url) == "https://shop.example.com/app/"
    assert settings.webapp_max_age_seconds == 86400


@pytest.mark.parametrize("webapp_url", [None, "https://shop.example.com/app/"])
async def test_the_main_menu_opens_the_shop_in_the_mini_app_when_it_is_on(
    db: Database, webapp_url: str | None
) -> None:
    telegram = RecordingSession()
    bot = Bot(TOKEN, session=telegram)
    settings = _settings(bot_token=SecretStr(TOKEN), webapp_url=webapp_url)
    dp = create_dispatcher(settings, db.uow)
    try:
        await dp.feed_update(bot, start_update(1))
    finally:
        use_mini_app(None)
    [reply] = telegram.sent
    assert isinstance(reply, SendMessage)
    assert isinstance(reply.reply_markup, InlineKeyboardMarkup)
    opened = [
        (b.text, b.web_app.url)
        for row in reply.reply_markup.inline_keyboard
        for b in row
        if b.web_app is not None
    ]
    assert opened == ([] if webapp_url is None else [("🛍 Open the shop", webapp_url)])


def test_a_product_card_opens_that_product_in_the_mini_app() -> None:
    card = ProductCard(
        12, "Red Hoodie", Decimal("20.00"), None, 3, ProductStatus.active, 1, None, 0
    )
    detail = ProductDetail(card, "red-hoodie", "S1-RED", None, 1, "Maya's")
    use_mini_app("https://shop.example.com/app/")
    try:
        markup = kb.product("es", detail, 1)
    finally:
        use_mini_app(None)
    opened = [(b.text, b.web_app.url) for row in markup.inline_keyboard for b in row if b.web_app]
    assert opened == [("📱 Abrir en la app", "https://shop.example.com/app/#/p/12")]
    assert not [b for row in kb.product("en", detail, 1).inline_keyboard for b in row if b.web_app]
