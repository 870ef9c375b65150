"""Card payments through the real Dispatcher, routers and middlewares (bot.app wiring), with
Stripe refunds going to a Stripe-compatible server (localstripe), on both databases: a second
payment sheet is refused while the first is in flight, and an invoice Telegram reports paid
twice has its second charge refunded, the customer and the admins told."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerPreCheckoutQuery,
    EditMessageText,
    SendInvoice,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    Message,
    PreCheckoutQuery,
    SuccessfulPayment,
    Update,
    User,
)
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import create_dispatcher
from bot.inbox import TAKEN
from bot.settings import Settings
from engine.accounts import AddressInput, TelegramIdentity
from engine.orders import OrderView
from handlers.callbacks import CheckoutCb, CheckoutStep
from sandbox import Emulator, StripeAccount
from storage.models import Outbox, Payment
from storage.vocabulary import PaymentMethod, PaymentStatus, to_minor_units
from tests.conftest import Database
from tests.integration.stripe_world import API_KEY
from tests.integration.world import World
from tests.localstripe_server import localstripe

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning")

TOKEN = "123456789:AAE" + "p" * 32
SARA = 5151
CHECKOUT_KEY = "sara-checkout-1"


class RecordingSession(BaseSession):
    """Telegram at the HTTP boundary: answers what the bot sends, and keeps it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[TelegramMethod[Any]] = []
        self.shows_already = False  # every edit asks for what the message shows already

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.sent.append(method)
        if isinstance(method, EditMessageText) and self.shows_already:
            raise TelegramBadRequest(method, "Bad Request: message is not modified")
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            return Message(  # type: ignore[return-value]
                message_id=len(self.sent), date=datetime.now(UTC), chat=chat, text=method.text
            )
        return True  # type: ignore[return-value]

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise AssertionError("no downloads expected")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        pass

    def answers(self) -> list[tuple[bool, str | None]]:
        return [(m.ok, m.error_message) for m in self.sent if isinstance(m, AnswerPreCheckoutQuery)]

    def texts(self) -> list[str]:
        return [m.text for m in self.sent if isinstance(m, SendMessage)]


@dataclass
class Chat2Bot:
    world: World
    dp: Dispatcher
    bot: Bot
    telegram: RecordingSession
    emulator: Emulator  # charges the card on the Stripe server, as Telegram's provider does
    order: OrderView
    ids: itertools.count[int]

    def _sara(self) -> User:
        return User(id=SARA, is_bot=False, first_name="Sara", language_code="en")

    async def pre_checkout(self) -> None:
        query = PreCheckoutQuery(
            id=f"pcq{next(self.ids)}",
            from_user=self._sara(),
            currency=self.order.currency,
            total_amount=to_minor_units(self.order.total, self.order.currency),
            invoice_payload=self.order.invoice_payload,
        )
        update = Update(update_id=next(self.ids), pre_checkout_query=query)
        await self.dp.feed_update(self.bot, update)

    async def tap_place_order(self, *, replayed: bool) -> None:
        """Sara taps "Place order" on the checkout's summary; `replayed`: this is the bot
        handling that tap again after it died (bot/inbox.py replays it from its store)."""
        update_id = next(self.ids)
        query = CallbackQuery(
            id=f"cq{update_id}",
            from_user=self._sara(),
            chat_instance="sara",
            data=CheckoutCb(step=CheckoutStep.confirm, key=CHECKOUT_KEY).pack(),
            message=Message(
                message_id=7,
                date=datetime.now(UTC),
                chat=Chat(id=SARA, type="private"),
                text="Please confirm your order",
            ),
        )
        await self.dp.feed_update(
            self.bot, Update(update_id=update_id, callback_query=query), **{TAKEN: replayed}
        )

    async def paid(self) -> str:
        total = to_minor_units(self.order.total, self.order.currency)
        charge = await self.emulator.charge(total, self.order.currency, self.order.invoice_payload)
        update_id = next(self.ids)
        message = Message(
            message_id=update_id,
            date=datetime.now(UTC),
            chat=Chat(id=SARA, type="private"),
            from_user=self._sara(),
            successful_payment=SuccessfulPayment(
                currency=self.order.currency,
                total_amount=total,
                invoice_payload=self.order.invoice_payload,
                telegram_payment_charge_id=f"tg_{update_id}",
                provider_payment_charge_id=charge,
            ),
        )
        await self.dp.feed_update(self.bot, Update(update_id=update_id, message=message))
        return charge


@pytest.fixture
async def chat(db: Database) -> AsyncIterator[Chat2Bot]:
    async with localstripe() as base:
        world = await World(db).setup()
        seller = await world.seller()
        product = await world.product(seller, price="20.00", stock=5)
        sara = await world.shop.accounts.register_from_telegram(
            TelegramIdentity(SARA, "Sara", language_code="en")
        )
        address = await world.shop.accounts.add_address(
            sara.id, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
        )
        await world.shop.carts.add(sara.id, product, 1)
        world.clock.now = datetime.now(UTC)
        order = await world.place(
            (sara.id, address.address_id), PaymentMethod.card, key=CHECKOUT_KEY
        )
        settings = Settings(
            bot_token=SecretStr(TOKEN),
            stripe_api_key=SecretStr(API_KEY),
            stripe_api_base=base,  # type: ignore[arg-type]
            payments_provider_token=SecretStr("provider-token"),
        )
        dp = create_dispatcher(settings, db.uow)
        telegram = RecordingSession()
        emulator = Emulator(use_env_spec=False, stripe=StripeAccount(base, API_KEY))
        await emulator.start()
        try:
            yield Chat2Bot(
                world,
                dp,
                Bot(TOKEN, session=telegram),
                telegram,
                emulator,
                order,
                itertools.count(1),
            )
        finally:
            await emulator.stop()
            stripe = dp["shop"].deps.refunds.get("stripe")
            if stripe is not None:
                await stripe.close()


async def test_a_second_payment_sheet_is_refused_while_the_first_is_in_flight(
    chat: Chat2Bot,
) -> None:
    await chat.pre_checkout()
    await chat.pre_checkout()
    [first, second] = chat.telegram.answers()
    assert first == (True, None)
    assert second[0] is False
    assert "already under way" in str(second[1])
    await chat.paid()
    assert any("Payment received" in text for text in chat.telegram.texts())
    await chat.pre_checkout()
    assert chat.telegram.answers()[-1] == (
        False,
        "This order is paid already; nothing more to pay.",
    )


async def test_an_invoice_paid_twice_gets_its_second_charge_back(chat: Chat2Bot) -> None:
    await chat.pre_checkout()
    first = await chat.paid()
    thanked = len(chat.telegram.texts())
    second = await chat.paid()  # a second sheet Telegram let through: charged as well
    assert len(chat.telegram.texts()) == thanked  # no "thank you" for money going back

    shop = chat.dp["shop"]
    stripe = shop.deps.refunds["stripe"]
    assert (await stripe.client.v1.refunds.list_async({"charge": first})).data == []
    [back] = (await stripe.client.v1.refunds.list_async({"charge": second})).data
    assert back.amount == 2500
    outbox = await _outbox(chat)
    assert ("extra_charge", chat.world.admin) in outbox
    assert ("charged_twice", chat.order.user_id) in outbox
    view = await shop.orders.get(chat.order.user_id, chat.order.order_id)
    assert view.status.value == "paid"
    async with chat.world.db.sessions() as s:
        statuses = (await s.scalars(select(Payment.status).order_by(Payment.payment_id))).all()
    assert statuses == [PaymentStatus.successful, PaymentStatus.refunded]


async def test_the_replay_of_place_order_sends_the_invoice_and_a_second_tap_does_not(
    chat: Chat2Bot,
) -> None:
    """Chaos run of 2026-11-30: the bot was killed after "Place order" had shown the order
    placed and before the invoice went out. Its replay found the message already saying
    "placed", took that for a second tap, and sent nothing: the customer never got an invoice.
    A second tap still says nothing more; the replay of the tap says what comes next."""
    chat.telegram.shows_already = True  # the message says "placed" already
    await chat.tap_place_order(replayed=False)
    assert [m for m in chat.telegram.sent if isinstance(m, SendInvoice)] == []
    await chat.tap_place_order(replayed=True)
    invoices = [m for m in chat.telegram.sent if isinstance(m, SendInvoice)]
    assert [(m.chat_id, m.payload) for m in invoices] == [(SARA, chat.order.invoice_payload)]


async def _outbox(chat: Chat2Bot) -> list[tuple[str, int]]:
    async with chat.world.db.sessions() as s:
        return [(row.kind, row.user_id) for row in (await s.scalars(select(Outbox))).all()]
