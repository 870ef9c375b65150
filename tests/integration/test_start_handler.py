"""/start through the real Dispatcher, routers and middlewares, on both databases.

Telegram itself is replaced at the HTTP boundary by a session that records what the bot
sends (the project's Bot API emulator will replace it with real HTTP). Everything between
the update and that boundary is the production wiring from `bot.app`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, MessageEntity, Update, User
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import create_dispatcher
from bot.settings import Settings
from storage.models import User as UserRow
from tests.conftest import Database

TOKEN = "123456789:AAE" + "t" * 32


class RecordingSession(BaseSession):
    """Answers Bot API calls the way Telegram would for sendMessage, and keeps them."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[TelegramMethod[Any]] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.sent.append(method)
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            message = Message(
                message_id=len(self.sent), date=datetime.now(UTC), chat=chat, text=method.text
            )
            return message  # type: ignore[return-value]
        raise AssertionError(f"unexpected Bot API call {method.__api_method__}")

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise AssertionError("no downloads expected")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        pass


def start_update(update_id: int, user_id: int = 4242, text: str = "/start") -> Update:
    user = User(id=user_id, is_bot=False, first_name="Sara", language_code="en")
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=user,
        text=text,
        entities=[MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))],
    )
    return Update(update_id=update_id, message=message)


@pytest.fixture
def telegram() -> RecordingSession:
    return RecordingSession()


async def test_start_signs_the_customer_up_and_greets_them(
    db: Database, telegram: RecordingSession
) -> None:
    bot = Bot(TOKEN, session=telegram)
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    await dp.feed_update(bot, start_update(1))
    [reply] = telegram.sent
    assert isinstance(reply, SendMessage)
    assert reply.chat_id == 4242
    assert reply.text.startswith("Welcome, Sara!")
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(UserRow)) == 1


async def test_a_redelivered_update_is_handled_once(
    db: Database, telegram: RecordingSession
) -> None:
    bot = Bot(TOKEN, session=telegram)
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    start = start_update(7)
    await dp.feed_update(bot, start)
    await dp.feed_update(bot, start)  # Telegram delivers the very same update again
    await dp.feed_update(bot, start_update(8))
    assert [m.text.split(",")[0] for m in telegram.sent if isinstance(m, SendMessage)] == [
        "Welcome",
        "Welcome back",
    ]


async def test_an_update_whose_handling_failed_is_handled_on_redelivery(
    db: Database, telegram: RecordingSession
) -> None:
    class Flaky(RecordingSession):
        failures = 1

        async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any:
            if self.failures:
                self.failures -= 1
                raise ConnectionError("Telegram unreachable")
            return await super().make_request(bot, method, timeout)

    flaky = Flaky()
    bot = Bot(TOKEN, session=flaky)
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    start = start_update(9)
    await dp.feed_update(bot, start)  # the welcome cannot be sent: the user is told
    await dp.feed_update(bot, start)  # Telegram delivers it again: handled this time
    texts = [m.text for m in flaky.sent if isinstance(m, SendMessage)]
    assert texts[0].startswith("Sorry, something went wrong")
    assert texts[1].startswith("Welcome")
