"""/start (with deep links), the main menu, /help and /cancel."""

from __future__ import annotations

from html import escape
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.errors import NotFound
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.admin import IsAdmin
from handlers.admin import support as admin_support
from handlers.callbacks import Menu, MenuCb
from handlers.customer import asking
from handlers.customer.checkout import PaymentConfig
from handlers.customer.orders import order_keys
from handlers.i18n import t
from handlers.notifications import OpenOrderCb
from handlers.screen import send_below, show
from handlers.seller import IsSeller
from handlers.seller import orders as seller_orders


async def on_start(
    message: Message,
    command: CommandObject,
    shop: Shop,
    me: UserView,
    lang: str,
    state: FSMContext,
    bot: Bot,
    media_dir: Path | None = None,
) -> None:
    await asking.end_conversation(state)
    arg = command.args or ""
    if arg.startswith("p_") and arg[2:].isdigit():  # t.me/<bot>?start=p_<id> opens a product
        from handlers.customer.catalog import show_product

        product = int(arg[2:])
        await show_product(
            message, shop, lang, product, qty=1, edit=False, media_dir=media_dir, viewer=me.id
        )
    else:
        await message.answer(
            render.welcome(lang, me), reply_markup=await home_menu(message, lang, me, shop)
        )
    if await IsAdmin()(message, me=me):  # what waits for them: the requests to the team
        await admin_support.catch_up(message, shop, me, lang, bot)


async def home_menu(
    event: Message | CallbackQuery, lang: str, me: UserView, shop: Shop
) -> InlineKeyboardMarkup:
    """The menu for this person: the shop's, with the way to their store and to the admin
    panel when they have them."""
    return kb.main_menu(
        lang,
        store=await IsSeller()(event, me=me, shop=shop),
        admin=await IsAdmin()(event, me=me),
    )


def help_text(lang: str, support_contact: str | None) -> str:
    """What the bot does, and who to write to (SUPPORT_CONTACT) when it is set."""
    text = t(lang, "help")
    if support_contact:
        text += "\n\n" + t(lang, "help.support", contact=escape(support_contact))
    return text


async def on_help(message: Message, lang: str, support_contact: str | None = None) -> None:
    await message.answer(help_text(lang, support_contact), reply_markup=kb.main_menu(lang))


async def on_cancel(message: Message, state: FSMContext, lang: str) -> None:
    await asking.end_conversation(state)
    await message.answer(t(lang, "cancelled"), reply_markup=kb.main_menu(lang))


async def on_home(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    await state.set_state(None)
    await show(query, t(lang, "menu.title"), await home_menu(query, lang, me, shop))
    await query.answer()


async def on_open_order(
    query: CallbackQuery,
    callback_data: OpenOrderCb,
    shop: Shop,
    lang: str,
    me: UserView,
    payments: PaymentConfig,
    state: FSMContext,
) -> None:
    """ "Open the order" under a notification: the order as a new message, the notification
    kept as it was (the engine answers "not found" for an order that is not theirs). Under
    an older seller's notice (before NoticeParcelCb) it opens the seller's card of its parcel."""
    try:
        view = await shop.orders.get(me.id, callback_data.id)
    except NotFound:
        if not await IsSeller()(query, me=me, shop=shop):
            raise
        await seller_orders.open_order_parcel(query, shop, lang, me, callback_data.id, state)
        return
    keys = await order_keys(shop, lang, me, view, payments)
    await send_below(query, render.order(lang, view, payments.bank_details), keys)
    await query.answer()


async def on_help_button(
    query: CallbackQuery, lang: str, support_contact: str | None = None
) -> None:
    await send_below(query, help_text(lang, support_contact), kb.main_menu(lang))
    await query.answer()


def build_router() -> Router:
    router = Router(name="customer.start")
    router.message.register(on_start, CommandStart())
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    router.callback_query.register(on_home, MenuCb.filter(F.to == Menu.home))
    router.callback_query.register(on_help_button, MenuCb.filter(F.to == Menu.help))
    router.callback_query.register(on_open_order, OpenOrderCb.filter())
    return router
