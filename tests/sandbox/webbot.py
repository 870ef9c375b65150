"""A tiny in-process aiogram bot for the web chat's tests: start, edit, photo, invoice."""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import AsyncIterator

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
    ReplyKeyboardMarkup,
)

from sandbox import Emulator
from tests.sandbox.conftest import png


def demo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Add to cart", callback_data="add")],
                [InlineKeyboardButton(text="Website", url="https://example.com/shop")],
            ]
        )
        name = html.escape(message.from_user.first_name)
        await message.answer(
            f"Welcome to the <b>sandbox</b> shop, {name}! <i>Hoodie</i>: <code>49.99 EUR</code>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )

    @dp.callback_query(F.data == "add")
    async def add(query: CallbackQuery) -> None:
        await query.answer("Added to cart")
        assert isinstance(query.message, Message)
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Checkout", callback_data="checkout")]]
        )
        await query.message.edit_text("Cart: 1 × Hoodie, 49.99 EUR", reply_markup=keyboard)

    @dp.callback_query(F.data == "checkout")
    async def checkout(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.answer_photo(
            BufferedInputFile(png(240, 160), "hoodie.png"), caption="Hoodie, front"
        )
        await query.message.answer_invoice(
            title="Hoodie",
            description="A warm sandbox hoodie",
            payload="order-1",
            provider_token="TEST",
            currency="EUR",
            prices=[LabeledPrice(label="Hoodie", amount=4999)],
        )

    @dp.pre_checkout_query()
    async def pre_checkout(query: PreCheckoutQuery) -> None:
        await query.answer(ok=True)

    @dp.message(F.successful_payment)
    async def paid(message: Message) -> None:
        assert message.successful_payment is not None
        await message.answer(f"Thank you! Order {message.successful_payment.invoice_payload} paid")

    @dp.message(F.photo)
    async def photo(message: Message) -> None:
        await message.answer(f"Nice photo: {message.caption or 'no caption'}")

    @dp.message(F.voice)
    async def voice(message: Message) -> None:
        assert message.voice is not None
        await message.answer(f"Voice note of {message.voice.duration} s")

    @dp.message(F.document)
    async def document(message: Message) -> None:
        assert message.document is not None
        await message.answer(f"Document {message.document.file_name}")

    @dp.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact is not None
        await message.answer(f"Phone {message.contact.phone_number}")

    @dp.message(F.text == "menu")
    async def menu(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(
            keyboard=[
                [KeyboardButton(text="Catalog")],
                [KeyboardButton(text="Share phone", request_contact=True)],
            ],
            resize_keyboard=True,
        )
        await message.answer("Menu below", reply_markup=keyboard)

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"You said: {message.text}")

    return dp


@contextlib.asynccontextmanager
async def running_bot(tg: Emulator) -> AsyncIterator[Bot]:
    """The demo bot long-polling the emulator until the block ends."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
    bot = Bot(tg.token, session=session)
    dp = demo_dispatcher()
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
