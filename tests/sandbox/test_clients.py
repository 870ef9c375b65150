"""Real client libraries against the emulator: aiogram's Bot and Dispatcher, and PTB."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)

from sandbox import Emulator
from tests.sandbox.conftest import png


@pytest.fixture
async def bot(tg: Emulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
    client = Bot(tg.token, session=session)
    yield client
    await client.session.close()


async def test_aiogram_bot_calls_methods(bot: Bot, tg: Emulator) -> None:
    me = await bot.get_me()
    assert me.username == "sandbox_shop_bot"
    alice = tg.user("Alice")
    await alice.send("/start")
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Add to cart", callback_data="add:1")]]
    )
    sent = await bot.send_message(
        alice.id, "<b>Hoodie</b> 49.99", parse_mode="HTML", reply_markup=keyboard
    )
    assert sent.text == "Hoodie 49.99"
    assert sent.entities
    assert sent.entities[0].type == "bold"
    edited = await bot.edit_message_text(
        text="Hoodie: sold out", chat_id=alice.id, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Hoodie: sold out", chat_id=alice.id, message_id=sent.message_id
        )
    photo = await bot.send_photo(alice.id, BufferedInputFile(png(), "p.png"), caption="Front")
    assert photo.photo
    assert photo.caption == "Front"
    file = await bot.get_file(photo.photo[-1].file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == png()
    await bot.send_chat_action(alice.id, "typing")
    await bot.set_my_commands([])
    assert await bot.delete_message(alice.id, photo.message_id)
    assert tg.violations == []  # "not modified" is refused, and is no bug: not recorded
    alice.block_bot()
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(alice.id, "still there?")


def shop_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Add to cart", callback_data="add")]]
        )
        await message.answer("Welcome to the shop!", reply_markup=keyboard)

    @dp.callback_query(F.data == "add")
    async def add(query: CallbackQuery) -> None:
        await query.answer("Added")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Cart: 1 item")

    @dp.message(F.text == "pay")
    async def invoice(message: Message) -> None:
        await message.answer_invoice(
            title="Hoodie",
            description="A warm hoodie",
            payload="order-7",
            provider_token="TEST",
            currency="EUR",
            prices=[LabeledPrice(label="Hoodie", amount=4999)],
        )

    @dp.pre_checkout_query()
    async def checkout(query: PreCheckoutQuery) -> None:
        await query.answer(ok=True)

    @dp.message(F.successful_payment)
    async def paid(message: Message) -> None:
        assert message.successful_payment is not None
        await message.answer(f"Paid {message.successful_payment.provider_payment_charge_id}")

    @dp.inline_query()
    async def search(query: InlineQuery) -> None:
        article = InlineQueryResultArticle(
            id="1",
            title=f"Result for {query.query}",
            input_message_content=InputTextMessageContent(message_text="Hoodie"),
        )
        await query.answer([article], cache_time=1)

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        assert message.text is not None
        await message.answer(message.text)

    return dp


async def test_aiogram_dispatcher_polling_serves_a_simulated_user(bot: Bot, tg: Emulator) -> None:
    dp = shop_dispatcher()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        alice = tg.user("Alice")
        await alice.send("/start")
        await alice.expect_message(contains="Welcome", timeout=10)
        answer = await alice.click("Add to cart")
        assert answer["text"] == "Added"
        assert (await alice.expect_edit("Cart")).text == "Cart: 1 item"
        await alice.send("hello")
        assert (await alice.expect_message("hello")).text == "hello"
        await alice.send("pay")
        invoice = await alice.expect_message(where=lambda m: "invoice" in m)
        payment = await alice.pay(invoice)
        assert payment.ok
        assert payment.provider_payment_charge_id
        await alice.expect_message(f"Paid {payment.provider_payment_charge_id}")
        results = await alice.inline_query("hoodie")
        assert results[0]["title"] == "Result for hoodie"
        tg.assert_no_violations()
    finally:
        await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling


async def test_python_telegram_bot_client(tg: Emulator) -> None:
    telegram = pytest.importorskip("telegram")
    alice = tg.user("Alice")
    await alice.send("/start")
    ptb = telegram.Bot(
        tg.token, base_url=f"{tg.base_url}/bot", base_file_url=f"{tg.base_url}/file/bot"
    )
    async with ptb:
        me = await ptb.get_me()
        assert me.username == "sandbox_shop_bot"
        sent = await ptb.send_message(chat_id=alice.id, text="Hello from PTB")
        assert sent.text == "Hello from PTB"
    assert (await alice.expect_message("PTB")).message_id == sent.message_id
    tg.assert_no_violations()
