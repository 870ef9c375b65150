"""A support request the bot could not show an admin (they had never opened a chat with the
bot) is not lost: through the real Dispatcher, on both databases, the admin's /start shows it
(once) and says how many requests wait, with the list a tap away; /admin says so too."""

from __future__ import annotations

import itertools

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import create_dispatcher
from bot.settings import Settings
from engine.accounts import TelegramIdentity
from handlers.admin.support import SupportInboxCb
from storage.models import User as UserRow
from tests.conftest import Database
from tests.integration.test_card_payment_handlers import RecordingSession
from tests.integration.test_handlers_roles import TOKEN, Chats
from tests.integration.world import World

JOHN = 7171
WAITING = "customer message"


class FirstContact(RecordingSession):
    """Telegram refuses the bot's first word in a chat the user never opened."""

    def __init__(self) -> None:
        super().__init__()
        self.unopened: set[int] = set()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, SendMessage) and int(method.chat_id) in self.unopened:
            raise TelegramForbiddenError(
                method, "Forbidden: bot can't initiate conversation with a user"
            )
        return await super().make_request(bot, method, timeout)


@pytest.fixture
async def chats(db: Database) -> Chats:
    world = await World(db).setup()
    await world.shop.accounts.register_from_telegram(TelegramIdentity(JOHN, "John"))
    async with db.sessions() as s:
        admin = await s.scalar(select(UserRow.telegram_id).where(UserRow.user_id == world.admin))
    assert admin is not None
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    telegram = FirstContact()
    telegram.unopened.add(admin)
    return Chats(world, dp, Bot(TOKEN, session=telegram), telegram, admin, itertools.count(1))


def _markup(chats: Chats, text: str) -> InlineKeyboardMarkup:
    """The buttons under the newest message of the bot's that shows `text`."""
    sent = [m for m in chats.telegram.sent if isinstance(m, SendMessage) and text in m.text]
    assert sent, text
    markup = sent[-1].reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return markup


def _opened(chats: Chats) -> None:
    """The admin opens their chat with the bot: it may write to them from now on."""
    assert isinstance(chats.telegram, FirstContact)
    chats.telegram.unopened.clear()


async def _write_to_the_team(chats: Chats, text: str) -> int:
    await chats.say(JOHN, "/support")
    [told] = [s for s in await chats.say(JOHN, text) if "shop's team (request #" in s]
    return int(told.split("#")[1].split(")")[0])


async def test_a_request_sent_before_the_admin_opened_the_bot_is_shown_on_start(
    chats: Chats,
) -> None:
    request = await _write_to_the_team(chats, "My kettle arrived dented.")
    _opened(chats)

    shown = await chats.say(chats.admin, "/start")
    cards = [s for s in shown if f"Support request #{request}" in s]
    assert len(cards) == 1
    assert "My kettle arrived dented." in cards[0]
    assert any(f"💬 1 {WAITING} is waiting" in s for s in shown), shown
    reply = _markup(chats, f"Support request #{request}").inline_keyboard[0][0]
    assert reply.text.startswith("↩️")

    # the button under the line opens the list of requests waiting
    [button] = _markup(chats, WAITING).inline_keyboard[0]
    assert button.callback_data == SupportInboxCb().pack()
    _, listed = await chats.tap(chats.admin, SupportInboxCb())
    assert any("waiting for an answer: 1" in s and f"#{request}" in s for s in listed), listed

    # /start again: the request is not shown twice, and still said to wait
    again = await chats.say(chats.admin, "/start")
    assert not any("Support request #" in s for s in again)
    assert any(f"💬 1 {WAITING} is waiting" in s for s in again), again


async def test_the_admin_dashboard_says_how_many_requests_wait(chats: Chats) -> None:
    _opened(chats)
    [empty] = await chats.say(chats.admin, "/admin")
    assert WAITING not in empty
    await _write_to_the_team(chats, "Where is my parcel?")
    await _write_to_the_team(chats, "And my refund?")
    [dashboard] = await chats.say(chats.admin, "/admin")
    assert f"💬 2 {WAITING}s are waiting" in dashboard
    assert SupportInboxCb().pack() in [
        b.callback_data for row in _markup(chats, "💬 2").inline_keyboard for b in row
    ]
    # once answered, nothing is said to wait
    for view in await chats.world.shop.support.waiting(chats.world.admin):
        await chats.world.shop.support.answer(chats.world.admin, view.request_id, "Done.", 1)
    texts = await chats.say(chats.admin, "/start") + await chats.say(chats.admin, "/admin")
    assert not any(WAITING in s for s in texts), texts
