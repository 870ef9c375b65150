"""The / menu Telegram shows, per scope: everyone's commands by default, a seller's in each
approved seller's chat, and the admin tools in admins' chats.

`publish` sets them all at start-up; `publish_seller` follows one store's fate (set when it is
approved or reinstated, removed when it is suspended or closed); `speak_in_chat` follows a
user's choice of language in the profile (the chat's own commands and menu button in it).
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)

from engine.accounts import UserView
from engine.shop import Shop
from handlers import keyboards as kb
from handlers.i18n import DEFAULT, LANGUAGES, t
from storage.vocabulary import SellerStatus, UserRole

log = logging.getLogger(__name__)

CUSTOMER = (
    "start", "search", "cart", "orders", "wishlist", "profile", "sell", "help", "support", "cancel"
)  # fmt: skip
SELLER = (*CUSTOMER, "report")
ADMIN_TOOLS = (
    "admin",
    "market",
    "categories",
    "providers",
    "audit",
    "user",
    "paid",
    "ban",
    "unban",
    "coupon",
    "broadcast",
    "payouts",
)
ADMIN = (*CUSTOMER, *ADMIN_TOOLS)  # /report is a store's: only an admin who sells has it
SELLING_ADMIN = (*SELLER, *ADMIN_TOOLS)


def listed(names: tuple[str, ...], lang: str = "en") -> list[BotCommand]:
    return [BotCommand(command=n, description=t(lang, f"command.{n}")) for n in names]


async def _in_every_language(
    bot: Bot, names: tuple[str, ...], scope: BotCommandScopeDefault | BotCommandScopeChat
) -> None:
    """The menu for `scope` once per catalog: Telegram shows a user the one for their app's
    language (English for a language the shop does not speak)."""
    for lang in LANGUAGES:
        code = None if lang == DEFAULT else lang
        await bot.set_my_commands(listed(names, lang), scope=scope, language_code=code)


async def _set(bot: Bot, names: tuple[str, ...], chat_id: int) -> None:
    try:
        await _in_every_language(bot, names, BotCommandScopeChat(chat_id=chat_id))
    except TelegramBadRequest as exc:  # someone who never wrote to the bot yet
        log.warning("commands not set for chat %s: %s", chat_id, exc)


async def names_for(shop: Shop, me: UserView) -> tuple[str, ...]:
    """The commands of `me`'s chat: an admin's tools, a selling store's /report."""
    store = await shop.sellers.mine(me.id)
    selling = store is not None and store.status == SellerStatus.active
    if me.role == UserRole.admin:
        return SELLING_ADMIN if selling else ADMIN
    return SELLER if selling else CUSTOMER


async def speak_in_chat(bot: Bot, shop: Shop, me: UserView, chat_id: int, lang: str | None) -> None:
    """The user chose the language the shop speaks (`lang`), or gave the choice back to
    Telegram (None). Telegram picks a / menu and a menu button by the app's language, not
    the shop's choice, so a chosen language gets the chat's own: its commands in that
    language whatever the app's language, and the Mini App's button named in it. Given back,
    the chat's own go, and the chat follows the app's language again (a seller's or an
    admin's chat keeps its own commands, in every language)."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    names = await names_for(shop, me)
    url = kb.mini_app_url()
    try:
        if lang is None:
            if names == CUSTOMER:
                for each in LANGUAGES:
                    code = None if each == DEFAULT else each
                    await bot.delete_my_commands(scope=scope, language_code=code)
            else:
                await _in_every_language(bot, names, scope)
            await bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonDefault())
            return
        for each in LANGUAGES:  # every app language reads the chosen one
            code = None if each == DEFAULT else each
            await bot.set_my_commands(listed(names, lang), scope=scope, language_code=code)
        if url is not None:
            button = MenuButtonWebApp(
                text=t(lang, "webapp.menu_button"), web_app=WebAppInfo(url=url)
            )
            await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramAPIError as exc:  # the choice is kept; the menus follow at the next one
        log.warning("chat menus not set to %s for chat %s: %s", lang, chat_id, exc)


async def publish(bot: Bot, shop: Shop, admin_ids: list[int]) -> None:
    """Every scope at start-up: the default, each active seller's chat, each admin's chat."""
    await _in_every_language(bot, CUSTOMER, BotCommandScopeDefault())
    chats = await shop.backoffice.command_chats()
    for chat_id in chats.sellers:
        await _set(bot, SELLER, chat_id)
    for chat_id in sorted({*admin_ids, *chats.admins}):
        await _set(bot, SELLING_ADMIN if chat_id in chats.selling_admins else ADMIN, chat_id)


async def publish_seller(bot: Bot, shop: Shop, seller_id: int, *, selling: bool) -> None:
    """A store was approved or reinstated (`selling`), or suspended or closed: its owner's
    chat gets the seller's / menu, or goes back to the default one; an admin's keeps the
    admin tools, with /report while the store sells."""
    chats = await shop.backoffice.command_chats(seller_id)
    for chat_id in chats.selling_admins:
        await _set(bot, SELLING_ADMIN if selling else ADMIN, chat_id)
    for chat_id in chats.sellers:
        if selling:
            await _set(bot, SELLER, chat_id)
            continue
        try:
            for lang in LANGUAGES:
                await bot.delete_my_commands(
                    scope=BotCommandScopeChat(chat_id=chat_id),
                    language_code=None if lang == DEFAULT else lang,
                )
        except TelegramBadRequest as exc:
            log.warning("commands not removed for chat %s: %s", chat_id, exc)
