"""A tiny in-process aiogram bot for the web chat's tests: start, edit, photo, invoice."""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
from collections.abc import AsyncIterator

import soundfile
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    KeyboardButton,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
    ReplyKeyboardMarkup,
)

from sandbox import Emulator
from tests.sandbox.conftest import png

ADMIN = 900000001
CUSTOMER_COMMANDS = [
    BotCommand(command="start", description="Start the shop"),
    BotCommand(command="help", description="How it works"),
]
CATALOG = {"Hoodie": "49.99", "Hooded scarf": "19.50", "Kettle": "35.00"}


def demo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        assert message.bot is not None
        if message.from_user.id == ADMIN:  # the admin's chat gets the admin's / menu
            await message.bot.set_my_commands(
                [*CUSTOMER_COMMANDS, BotCommand(command="admin", description="Admin tools")],
                scope=BotCommandScopeChat(chat_id=message.from_user.id),
            )
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
        assert message.bot is not None
        voice = message.voice
        # what a bot does with a voice note: download it and decode it (libsndfile)
        data = await message.bot.download(voice.file_id)
        assert data is not None
        try:
            samples, rate = soundfile.read(io.BytesIO(data.read()))
            heard = f"{len(samples) / rate:.1f} s of audio"
        except soundfile.LibsndfileError as exc:
            heard = f"unplayable: {exc}"
        await message.answer(f"Voice note of {voice.duration} s, {voice.mime_type}, {heard}")

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

    @dp.inline_query()
    async def inline(query: InlineQuery) -> None:
        shop_link = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Open", url="https://example.com/shop")]]
        )
        results: list[InlineQueryResultUnion] = [
            InlineQueryResultArticle(
                id=f"p{number}",
                title=name,
                description=f"{price} EUR",
                input_message_content=InputTextMessageContent(
                    message_text=f"<b>{name}</b>\n{price} EUR", parse_mode="HTML"
                ),
                reply_markup=shop_link,
            )
            for number, (name, price) in enumerate(CATALOG.items(), 1)
            if query.query.lower() in name.lower()
        ]
        await query.answer(results, cache_time=0, is_personal=True)

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        if message.via_bot is not None:
            await message.answer(f"You shared via @{message.via_bot.username}: {message.text}")
            return
        await message.answer(f"You said: {message.text}")

    return dp


@contextlib.asynccontextmanager
async def polling(tg: Emulator, dp: Dispatcher) -> AsyncIterator[Bot]:
    """`dp` long-polling the emulator with a bot of its token until the block ends."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
    bot = Bot(tg.token, session=session)
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        yield bot
    finally:
        with contextlib.suppress(RuntimeError):  # polling may not have started yet
            await dp.stop_polling()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.session.close()


@contextlib.asynccontextmanager
async def running_bot(tg: Emulator) -> AsyncIterator[Bot]:
    """The demo bot long-polling the emulator until the block ends."""
    async with polling(tg, demo_dispatcher()) as bot:
        await bot.set_my_commands(CUSTOMER_COMMANDS)  # the default scope, as a shop publishes
        yield bot
