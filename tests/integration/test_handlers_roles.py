"""The seller's and the admin's buttons through the real Dispatcher (bot.app wiring), on both
databases: each role's buttons answer that role, everyone else is refused as before, and a
seller's old button is said to be old, not refused as if they had no store."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiogram import Bot, Dispatcher
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import create_dispatcher
from bot.settings import Settings
from engine.accounts import TelegramIdentity
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    NewProductCb,
    ProviderAdminAction,
    ProviderAdminCb,
    SellerAction,
    SellerCb,
)
from storage.models import User as UserRow
from tests.conftest import Database
from tests.integration.test_card_payment_handlers import RecordingSession
from tests.integration.world import World

TOKEN = "123456789:AAE" + "r" * 32
MAYA, CARL = 6161, 6262  # a seller, a customer
STALE = "This button is no longer active."
SELLERS_ONLY = "Only sellers can do that."


@dataclass
class Chats:
    world: World
    dp: Dispatcher
    bot: Bot
    telegram: RecordingSession
    admin: int  # the admin's Telegram id
    ids: itertools.count[int]

    async def tap(self, who: int, data: CallbackData) -> tuple[str | None, list[str]]:
        """`who` taps a button with `data` under a message of the bot's: what the tap is
        answered with, and the messages sent."""
        before = len(self.telegram.sent)
        update_id = next(self.ids)
        query = CallbackQuery(
            id=f"cq{update_id}",
            from_user=User(id=who, is_bot=False, first_name="Someone", language_code="en"),
            chat_instance=str(who),
            data=data.pack(),
            message=Message(
                message_id=1,
                date=datetime.now(UTC),
                chat=Chat(id=who, type="private"),
                text="A screen",
            ),
        )
        await self.dp.feed_update(self.bot, Update(update_id=update_id, callback_query=query))
        sent = self.telegram.sent[before:]
        answers = [m.text for m in sent if isinstance(m, AnswerCallbackQuery)]
        assert len(answers) == 1, (data, sent)  # every tap gets one answer
        return answers[0], [m.text for m in sent if isinstance(m, SendMessage)]

    async def say(self, who: int, text: str) -> list[str]:
        before = len(self.telegram.sent)
        update_id = next(self.ids)
        message = Message(
            message_id=update_id,
            date=datetime.now(UTC),
            chat=Chat(id=who, type="private"),
            from_user=User(id=who, is_bot=False, first_name="Someone", language_code="en"),
            text=text,
        )
        await self.dp.feed_update(self.bot, Update(update_id=update_id, message=message))
        return [m.text for m in self.telegram.sent[before:] if isinstance(m, SendMessage)]


@pytest.fixture
async def chats(db: Database) -> Chats:
    world = await World(db).setup()
    shop = world.shop
    maya = await shop.accounts.register_from_telegram(TelegramIdentity(MAYA, "Maya"))
    store = await shop.sellers.apply(maya.id, "Maya's Lamps")
    await shop.sellers.approve(world.admin, store.seller_id)
    await shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    async with db.sessions() as s:
        admin = await s.scalar(select(UserRow.telegram_id).where(UserRow.user_id == world.admin))
    assert admin is not None
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    telegram = RecordingSession()
    return Chats(world, dp, Bot(TOKEN, session=telegram), telegram, admin, itertools.count(1))


async def test_every_store_menu_button_answers_a_seller(chats: Chats) -> None:
    for to in SellerAction:
        answer, sent = await chats.tap(MAYA, SellerCb(to=to))
        assert not str(answer).startswith((STALE, SELLERS_ONLY)), (to, answer)
        assert sent, to  # each opens its screen, or its first question, under the menu


async def test_a_sellers_old_button_is_said_to_be_old_not_refused(chats: Chats) -> None:
    answer, sent = await chats.tap(MAYA, NewProductCb(done=True))  # no wizard under way
    assert answer == STALE
    assert sent == []


async def test_the_store_menu_is_refused_to_a_customer_before_any_question(
    chats: Chats,
) -> None:
    for to in SellerAction:
        answer, sent = await chats.tap(CARL, SellerCb(to=to))
        assert str(answer).startswith(SELLERS_ONLY), (to, answer)
        assert sent == [], to


async def test_every_admin_menu_button_answers_an_admin_and_is_unknown_to_others(
    chats: Chats,
) -> None:
    for to in AdminAction:
        answer, _ = await chats.tap(chats.admin, AdminCb(to=to))
        assert answer != STALE, to
        for other in (MAYA, CARL):
            answer, sent = await chats.tap(other, AdminCb(to=to))
            assert (answer, sent) == (STALE, []), (to, other)


async def test_a_shipping_cost_typed_with_a_decimal_comma_is_read_as_such(chats: Chats) -> None:
    speedy = chats.world.provider
    await chats.tap(chats.admin, ProviderAdminCb(action=ProviderAdminAction.cost, id=speedy))
    said = await chats.say(chats.admin, "7,50")
    assert any("Speedy" in text for text in said), said
    [provider] = await chats.world.shop.shipping.providers(include_inactive=True)
    assert provider.cost == Decimal("7.50")


async def test_a_new_provider_with_a_decimal_comma_cost_is_not_split_into_days(
    chats: Chats,
) -> None:
    """ "Eco Bike Courier, 7,50" was saved as $7.00 and 50 days (fresh-eyes walkthrough)."""
    await chats.tap(chats.admin, ProviderAdminCb(action=ProviderAdminAction.new))
    await chats.say(chats.admin, "Eco Bike Courier, 7,50")
    await chats.tap(chats.admin, ProviderAdminCb(action=ProviderAdminAction.new))
    await chats.say(chats.admin, "Night Owl Express, 7,50, 2")
    made = {p.name: p for p in await chats.world.shop.shipping.providers(include_inactive=True)}
    assert made["Eco Bike Courier"].cost == Decimal("7.50")
    assert made["Eco Bike Courier"].estimated_days is None
    assert (made["Night Owl Express"].cost, made["Night Owl Express"].estimated_days) == (
        Decimal("7.50"),
        2,
    )
