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
from PIL import Image

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
    with Image.open(downloaded) as picture:  # re-encoded, as Telegram does
        assert (picture.format, picture.size) == ("JPEG", (64, 48))
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


async def test_python_telegram_bot_drives_the_wider_api(tg: Emulator) -> None:
    """The methods a shop bot plausibly calls beyond messages, through a client nobody here
    wrote: each answers with the spec's types (PTB parses them) or Telegram's error."""
    telegram = pytest.importorskip("telegram")
    from telegram import ReactionTypeEmoji
    from telegram.error import BadRequest

    alice, bob = tg.user("Alice"), tg.user("Bob")
    for user in (alice, bob):
        await user.send("/start")
    ptb = telegram.Bot(
        tg.token, base_url=f"{tg.base_url}/bot", base_file_url=f"{tg.base_url}/file/bot"
    )
    async with ptb:
        note = await ptb.send_message(chat_id=alice.id, text="Order 42 shipped")
        forwarded = await ptb.forward_message(
            chat_id=bob.id, from_chat_id=alice.id, message_id=note.message_id
        )
        assert forwarded.text == "Order 42 shipped"
        assert forwarded.forward_origin.sender_user.id == tg.state.bot_user["id"]
        hello = await alice.send("my address changed")
        copied = await ptb.copy_message(
            chat_id=bob.id, from_chat_id=alice.id, message_id=hello["message_id"]
        )
        assert (await bob.expect_message("my address changed")).message_id == copied.message_id

        chat = await ptb.get_chat(alice.id)
        assert (chat.id, chat.type, chat.first_name) == (alice.id, "private", "Alice")
        member = await ptb.get_chat_member(alice.id, alice.id)
        assert (member.status, member.user.id) == ("member", alice.id)
        photos = await ptb.get_user_profile_photos(alice.id)
        assert (photos.total_count, photos.photos) == (0, ())

        assert await ptb.set_my_description("A marketplace in a chat")
        assert (await ptb.get_my_description()).description == "A marketplace in a chat"
        assert (await ptb.get_my_name()).name == "Sandbox Shop"
        assert await ptb.set_my_name("Corner Market")
        assert (await ptb.get_my_name()).name == "Corner Market"
        assert (await ptb.get_me()).first_name == "Corner Market"

        where = await ptb.send_location(alice.id, latitude=52.52, longitude=13.405)
        assert (where.location.latitude, where.location.longitude) == (52.52, 13.405)
        sticker = await ptb.send_sticker(alice.id, sticker=png(128, 128))
        assert (sticker.sticker.width, sticker.sticker.height) == (128, 128)
        dice = await ptb.send_dice(alice.id, emoji="🎯")
        assert dice.dice.emoji == "🎯"
        assert 1 <= dice.dice.value <= 6
        poll = await ptb.send_poll(alice.id, "Which colour?", ["Navy", "Olive", "Sand"])
        assert [o.text for o in poll.poll.options] == ["Navy", "Olive", "Sand"]
        assert (poll.poll.total_voter_count, poll.poll.is_closed) == (0, False)

        assert await ptb.set_message_reaction(
            alice.id, hello["message_id"], reaction=[ReactionTypeEmoji("👍")]
        )
        assert tg.state.chats[alice.id].reactions[hello["message_id"]][0]["emoji"] == "👍"
        assert await ptb.pin_chat_message(alice.id, note.message_id)
        assert (await ptb.get_chat(alice.id)).pinned_message.message_id == note.message_id

        with pytest.raises(BadRequest, match=r"(?i)can't ban members in private chats"):
            await ptb.ban_chat_member(alice.id, alice.id)
        with pytest.raises(BadRequest, match="supergroup and channel chats only"):
            await ptb.leave_chat(alice.id)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await ptb.get_chat(123)

        # a Star payment, then the bot's transactions
        invoice = await ptb.send_invoice(
            alice.id, "Gift card", "Ten stars", "gift-1", "XTR", [telegram.LabeledPrice("Gift", 10)]
        )
        paying = asyncio.create_task(alice.pay(invoice.to_dict()))
        queries: list[object] = []
        async with asyncio.timeout(10):
            while not queries:
                updates = await ptb.get_updates(timeout=2)
                queries = [u.pre_checkout_query for u in updates if u.pre_checkout_query]
        await ptb.answer_pre_checkout_query(queries[0].id, ok=True)  # type: ignore[attr-defined]
        payment = await paying
        assert payment.ok
        transactions = (await ptb.get_star_transactions()).transactions
        assert [(t.amount, t.source.user.id) for t in transactions] == [(10, alice.id)]
        assert transactions[0].id == payment.telegram_payment_charge_id

        # a newer client's parameter is ignored as Telegram ignores it; a number is text
        later = await ptb.send_message(alice.id, "hi", api_kwargs={"future_option": True})
        assert later.text == "hi"
        number = await ptb.send_message(alice.id, 123)
        assert number.text == "123"
    assert [str(w) for w in tg.warnings] == [
        'sendMessage: unknown parameter "future_option" ignored'
    ]
    assert [str(v) for v in tg.violations] == [
        "banChatMember: Bad Request: can't ban members in private chats",
        "leaveChat: Bad Request: method is available for supergroup and channel chats only",
    ]


async def test_aiogram_parses_the_wider_api(bot: Bot, tg: Emulator) -> None:
    """aiogram (the shop's own client, a newer Bot API than PTB's) parses every answer."""
    alice = tg.user("Alice")
    await alice.send("/start")
    note = await bot.send_message(alice.id, "Order 42 shipped")
    forwarded = await bot.forward_message(alice.id, alice.id, note.message_id)
    assert forwarded.forward_origin is not None
    assert (await bot.copy_message(alice.id, alice.id, note.message_id)).message_id > 0
    chat = await bot.get_chat(alice.id)
    assert chat.first_name == "Alice"
    assert (await bot.get_chat_member(alice.id, alice.id)).status == "member"
    assert (await bot.send_poll(alice.id, "Colour?", ["Navy", "Teal"])).poll is not None
    assert (await bot.send_dice(alice.id)).dice is not None
    assert (await bot.send_location(alice.id, 1.5, 2.5)).location is not None
    sent = await bot.send_sticker(alice.id, BufferedInputFile(png(100, 100), "s.png"))
    assert sent.sticker is not None
    assert (await bot.get_my_name()).name == "Sandbox Shop"
    assert (await bot.get_star_transactions()).transactions == []
    assert (await bot.get_user_profile_photos(alice.id)).total_count == 0
    tg.assert_no_violations()
