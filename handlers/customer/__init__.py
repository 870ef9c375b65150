"""Customer conversations: start, help, and (with the conversations issue) the whole shop."""

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from engine.accounts import Accounts, TelegramIdentity
from handlers import render
from storage.vocabulary import UserStatus

router = Router(name="customer")


@router.message(CommandStart())
async def on_start(message: Message, accounts: Accounts) -> None:
    if message.from_user is None:
        return
    tg = message.from_user
    user = await accounts.register_from_telegram(
        TelegramIdentity(tg.id, tg.first_name, tg.last_name, tg.username, tg.language_code)
    )
    if user.status == UserStatus.banned:
        await message.answer(render.banned(user))
        return
    await message.answer(render.welcome(user))


@router.message(Command("help"))
async def on_help(message: Message) -> None:
    await message.answer(render.HELP)


@router.message(Command("cancel"))
async def on_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer("Cancelled. Nothing was changed.")
