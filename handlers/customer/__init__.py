"""Customer conversations: start, help, cancel (the conversations issue adds the shop)."""

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from engine.accounts import TelegramIdentity
from engine.shop import Shop
from handlers import render
from storage.vocabulary import UserStatus


async def on_start(message: Message, shop: Shop) -> None:
    if message.from_user is None:
        return
    tg = message.from_user
    user = await shop.accounts.register_from_telegram(
        TelegramIdentity(tg.id, tg.first_name, tg.last_name, tg.username, tg.language_code)
    )
    if user.status == UserStatus.banned:
        await message.answer(render.banned(user))
        return
    await message.answer(render.welcome(user))


async def on_help(message: Message) -> None:
    await message.answer(render.HELP)


async def on_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(render.CANCELLED)


def build_router() -> Router:
    """A fresh router per Dispatcher (aiogram attaches a router to one parent only)."""
    router = Router(name="customer")
    router.message.register(on_start, CommandStart())
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    return router
