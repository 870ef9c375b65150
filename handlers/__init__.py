"""Telegram conversations: one aiogram router per role, keyboards and rendering.

Handlers are thin: parse the update, make one engine call, render the answer. They never
import SQLAlchemy or storage (import-linter contracts), only the engine and nlu. Domain errors
bubble up to the error handler in bot/, which words them through handlers.i18n.
"""

from html import escape

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from handlers import admin, customer, ending, seller
from handlers.admin import support as admin_support
from handlers.callbacks import PromptCancelCb
from handlers.customer import orders as customer_orders
from handlers.customer import support as customer_support
from handlers.i18n import t
from handlers.prompts import EndPrompts


async def on_stale_button(query: CallbackQuery, lang: str = "en") -> None:
    """A button whose screen is gone (an old message, a finished checkout): say so, change
    nothing. Every callback query gets an answer."""
    await query.answer(t(lang, "stale_button"), show_alert=False)


async def on_unknown_command(message: Message, lang: str = "en") -> None:
    """A /command nothing knows (a typo, a guess): say so, and what there is instead."""
    command = escape((message.text or "/").split()[0][:40])
    await message.answer(t(lang, "command.unknown", command=command) + "\n\n" + t(lang, "help"))


async def on_stray_text(message: Message, lang: str = "en") -> None:
    """Text at a step that waits for a button: every message gets an answer."""
    await message.answer(t(lang, "stray_text"))


def build_router() -> Router:
    """All role routers under one root; admin and seller commands match before customer text."""
    root = Router(name="shop")
    end_prompts = EndPrompts(
        admin.PROMPTS,
        seller.PROMPTS,
        customer.PROMPTS,
        admin_support.PROMPTS,
        customer_support.PROMPTS,
    )  # a question ends elsewhere
    root.message.outer_middleware(end_prompts)
    root.callback_query.outer_middleware(end_prompts)
    # "never mind" while a question waits for typed text: the question ends, nothing changes
    root.message.register(ending.on_give_up, ~StateFilter(None, *ending.OWN_WORDS), ending.gives_up)
    # the ✖ Cancel a return's reason question had before its own buttons (seller's catch-all
    # ✖ would say "Nothing was changed" of a return that may have been asked): before them
    root.callback_query.register(
        customer_orders.on_old_return_cancel,
        PromptCancelCb.filter(),
        customer_orders.under_return_reason,
    )
    # the ✖ Cancel of a question answered already (the seller's catch-all says "Cancelled")
    root.callback_query.register(
        ending.on_answered_prompt_cancel, PromptCancelCb.filter(), ending.nothing_waits
    )
    root.include_routers(
        admin.build_router(),
        admin_support.build_router(),  # /support for admins: the requests waiting
        customer_support.build_router(),  # the message to the team, before any other reading
        seller.build_router(),
        customer.build_router(),
    )
    fallback = Router(name="fallback")
    fallback.callback_query.register(on_stale_button)
    fallback.message.register(on_unknown_command, F.text.startswith("/"))
    fallback.message.register(on_stray_text, ~StateFilter(None), F.text)
    root.include_router(fallback)
    return root
