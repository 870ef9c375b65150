"""The profile's Language button, through the real engine: the choice of the catalogs'
languages, a pick kept by `Accounts.set_language` and shown at once in the new language,
and notifications sent in it afterwards. Telegram is replaced at the HTTP boundary by a
session that keeps what the bot sends."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.fsm.context import FSMContext
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SetChatMenuButton,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from sqlalchemy import select

from engine.errors import InvalidInput
from handlers.customer import profile
from handlers.customer.profile import LanguageCb
from storage.models import AuditLog, Outbox
from tests.conftest import Database
from tests.integration.world import World

TOKEN = "123456789:AAE" + "t" * 32


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


class Telegram(BaseSession):
    """Answers edits and callback answers as Telegram would, and keeps them."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[TelegramMethod[Any]] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.sent.append(method)
        if isinstance(
            method,
            AnswerCallbackQuery | EditMessageText | SetMyCommands | SetChatMenuButton,
        ):  # the chat's / menu and menu button follow a chosen language
            return True  # type: ignore[return-value]
        raise AssertionError(f"unexpected Bot API call {method.__api_method__}")

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise AssertionError("no downloads expected")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        pass

    def screen(self) -> tuple[str, list[str]]:
        [edit] = [m for m in self.sent if isinstance(m, EditMessageText)]
        markup = edit.reply_markup
        assert isinstance(markup, InlineKeyboardMarkup)
        assert edit.text is not None
        return edit.text, [b.text for row in markup.inline_keyboard for b in row]

    def toast(self) -> str | None:
        [answer] = [m for m in self.sent if isinstance(m, AnswerCallbackQuery)]
        return answer.text


@pytest.fixture
def telegram() -> Telegram:
    return Telegram()


def tap(telegram: Telegram, data: str) -> CallbackQuery:
    bot = Bot(TOKEN, session=telegram)
    user = {"id": 4242, "is_bot": False, "first_name": "Sara", "language_code": "en"}
    message = {
        "message_id": 5,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": {"id": 4242, "type": "private"},
        "text": "Your profile",
    }
    query = {"id": "q1", "from": user, "chat_instance": "c", "message": message, "data": data}
    return CallbackQuery.model_validate(query, context={"bot": bot})


async def test_the_profile_offers_the_language_it_speaks(world: World, telegram: Telegram) -> None:
    user_id, _ = await world.customer()
    me = await world.shop.accounts.me(user_id)
    state = cast(FSMContext, _State())
    await profile.on_profile_button(tap(telegram, "v1m:me"), world.shop, "en", me, state)
    text, buttons = telegram.screen()
    assert text.startswith("<b>Your profile</b>")
    assert "🌐 Language: English" in buttons


async def test_the_choice_lists_each_language_in_itself(world: World, telegram: Telegram) -> None:
    user_id, _ = await world.customer()
    me = await world.shop.accounts.me(user_id)
    await profile.on_language(tap(telegram, "v1lang:"), LanguageCb(), world.shop, "en", me)
    assert telegram.screen() == (
        "🌐 Which language should I speak?",
        ["✓ English", "Español", "📱 As in my Telegram app", "⬅ Back"],
    )


async def test_picking_spanish_keeps_it_and_shows_the_profile_in_spanish(
    world: World, telegram: Telegram
) -> None:
    user_id, _ = await world.customer()
    me = await world.shop.accounts.me(user_id)
    data = "v1lang:es"
    await profile.on_language(tap(telegram, data), LanguageCb(code="es"), world.shop, "en", me)
    assert (await world.shop.accounts.me(user_id)).language_code == "es"
    text, buttons = telegram.screen()
    assert text.startswith("<b>Tu perfil</b>")
    assert buttons[-2:] == ["🌐 Idioma: Español", "⬅ Volver"]
    assert telegram.toast() == "A partir de ahora te hablo en español."
    async with world.deps.uow() as uow:
        changes = (
            await uow.session.scalars(
                select(AuditLog).where(
                    AuditLog.entity_type == "user", AuditLog.entity_id == user_id
                )
            )
        ).all()
    assert [c.new_data for c in changes if "chosen_language" in (c.new_data or {})] == [
        {"chosen_language": "es"}
    ]


async def test_a_language_without_a_catalog_is_refused(world: World, telegram: Telegram) -> None:
    user_id, _ = await world.customer()
    me = await world.shop.accounts.me(user_id)
    await profile.on_language(
        tap(telegram, "v1lang:xx"), LanguageCb(code="xx"), world.shop, "en", me
    )
    assert (await world.shop.accounts.me(user_id)).language_code == me.language_code
    assert telegram.toast() == "This button is no longer active."


async def test_the_engine_keeps_a_choice_until_it_is_given_back(world: World) -> None:
    user_id, _ = await world.customer()
    before = (await world.shop.accounts.me(user_id)).language_code
    await world.shop.accounts.set_language(user_id, "es")
    await world.shop.accounts.set_language(user_id, "es")  # a second tap changes nothing
    assert (await world.shop.accounts.me(user_id)).language_code == "es"
    with pytest.raises(InvalidInput):
        await world.shop.accounts.set_language(user_id, "Spanish!")
    await world.shop.accounts.set_language(user_id, None)
    assert (await world.shop.accounts.me(user_id)).language_code == before


async def test_notifications_are_sent_in_the_chosen_language(world: World) -> None:
    user_id, _ = await world.customer()
    await world.shop.accounts.set_language(user_id, "es")
    async with world.deps.uow() as uow:
        uow.session.add(Outbox(user_id=user_id, kind="order_delivered", payload={"order_id": 7}))
        await uow.commit()
    async with world.deps.uow() as uow:
        [claimed] = await uow.outbox.claim(
            now=datetime.now(UTC), lease=timedelta(minutes=1), limit=10, token="t"
        )
        await uow.commit()
    assert claimed.language_code == "es"


class _State:
    async def set_state(self, state: object = None) -> None:
        pass
