"""Telegram conversations: one aiogram router per role, keyboards and rendering.

Handlers are thin: parse the update, make one engine call, render the answer. They never
import SQLAlchemy or storage (import-linter contracts), only the engine and nlu. Domain errors
bubble up to the error handler in bot/, which words them through handlers.i18n.
"""

from aiogram import Router
from aiogram.types import CallbackQuery

from handlers import admin, customer, seller
from handlers.i18n import t


async def on_stale_button(query: CallbackQuery, lang: str = "en") -> None:
    """A button whose screen is gone (an old message, a finished checkout): say so, change
    nothing. Every callback query gets an answer."""
    await query.answer(t(lang, "stale_button"), show_alert=False)


def build_router() -> Router:
    """All role routers under one root; admin and seller commands match before customer text."""
    root = Router(name="shop")
    root.include_routers(admin.build_router(), seller.build_router(), customer.build_router())
    fallback = Router(name="fallback")
    fallback.callback_query.register(on_stale_button)
    root.include_router(fallback)
    return root
