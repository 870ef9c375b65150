"""The / menu Telegram shows, per scope: everyone's commands by default, a seller's in each
approved seller's chat, and the admin tools in admins' chats.

`publish` sets them all at start-up; `publish_seller` follows one store's fate (set when it is
approved or reinstated, removed when it is suspended or closed).
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from engine.shop import Shop
from handlers.i18n import DEFAULT, LANGUAGES, t

log = logging.getLogger(__name__)

CUSTOMER = ("start", "search", "cart", "orders", "wishlist", "profile", "sell", "help", "cancel")
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
