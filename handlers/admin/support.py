"""The admins' side of support: a customer's request reaches every admin as a card (who wrote,
their recent orders, the message, ↩️ Reply); Reply asks for the answer, which goes to the
customer in their chat (through the engine and the outbox); every admin's card then shows
who answered and what. /support lists the requests still waiting, with a Reply each. An
admin the bot could not reach when a request came is shown it on their next /start, and
/start and /admin say how many requests wait, with the list a tap away.

Safe when repeated or stale: a second tap on Reply while the answer is being asked asks
nothing new; Reply on a request answered meanwhile (another admin, an older card or list)
shows the answer that stands and asks nothing; the engine keeps one answer per request.
The customer's side is handlers/customer/support.py.
"""

from __future__ import annotations

import contextlib
import logging
from enum import StrEnum
from html import escape
from typing import Final

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.shop import Shop
from engine.support import Copy, Submitted, SupportRequestView
from handlers import keyboards as kb
from handlers.admin import IsAdmin
from handlers.admin import keyboards as admin_kb
from handlers.i18n import language, moment, t
from handlers.keyboards import clip
from handlers.prompts import Prompts
from handlers.render import fit
from handlers.screen import edit_or_keep, send_below

log = logging.getLogger(__name__)

CAPTION_LIMIT: Final = 1024  # a photo's caption in Telegram
TEXT_LIMIT: Final = 4096
INBOX_SIZE: Final = 10


class From(StrEnum):
    """Where a Reply button sits: on a request's card, or in the /support list."""

    card = "c"
    inbox = "i"


class SupportReplyCb(CallbackData, prefix="v1spr"):
    id: int
    src: From = From.card


class SupportInboxCb(CallbackData, prefix="v1spi"):
    """Open the list of the requests waiting (/support's), under "💬 N customer messages"."""


class SupportReply(StatesGroup):
    writing = State()  # the answer to data["support_request_id"]


# the admin's question that waits for typed text (handlers.prompts ends it elsewhere); Reply
# is its own button, so a second tap on it finds the question still waiting
PROMPTS: Final[Prompts] = {SupportReply: (SupportReplyCb,)}


# --- what an admin reads --------------------------------------------------------------------
def _escaped(text: str, room: int) -> str:
    """`text` for HTML in at most `room` characters: cut with an ellipsis where it is longer,
    never inside an escaped character (so Telegram can still read the message)."""
    shown = escape(text)
    if len(shown) <= room:
        return shown
    raw = text[:room]
    while len(escape(raw)) > room - 1:
        raw = raw[: len(raw) - max(1, len(escape(raw)) - room + 1)]
    return escape(raw) + "…"


def _who(view: SupportRequestView) -> str:
    name = escape(view.customer_name)
    return f"{name} (@{escape(view.customer_username)})" if view.customer_username else name


def _orders(lang: str, view: SupportRequestView) -> str:
    if not view.recent_orders:
        return t(lang, "support.orders.none")
    return ", ".join(
        t(lang, "support.order", order_id=o.order_id, status=t(lang, f"status.{o.status.value}"))
        for o in view.recent_orders
    )


def card(lang: str, view: SupportRequestView) -> str:
    """A request as an admin reads it: who, their recent orders, the message, and the
    answer once there is one. Fits a photo's caption when the request is a photo."""
    limit = CAPTION_LIMIT if view.photo else TEXT_LIMIT
    head = t(
        lang,
        "support.card",
        request_id=view.request_id,
        name=_who(view),
        orders=_orders(lang, view),
    )
    answered = ""
    if view.answered:
        answered = t(
            lang,
            "support.card.answered",
            name=escape(view.answered_by or "—"),
            answer=_escaped(view.answer or "", limit // 3),
        )
    room = max(limit - len(head) - len(answered) - 4, 40)  # what the message may take
    body = _escaped(view.text, room) if view.text else t(lang, "support.card.photo")
    return fit("\n\n".join(filter(None, (head, body, answered))), limit)


def card_keys(lang: str, view: SupportRequestView) -> InlineKeyboardMarkup | None:
    """↩️ Reply while the request waits; nothing once it is answered."""
    if view.answered:
        return None
    return kb.keyboard([[kb.button(t(lang, "support.reply"), SupportReplyCb(id=view.request_id))]])


def inbox(lang: str, waiting: list[SupportRequestView]) -> tuple[str, InlineKeyboardMarkup]:
    """/support: the requests waiting for an answer, oldest first, a Reply each."""
    lines = [t(lang, "support.inbox.title", count=len(waiting))]
    if not waiting:
        lines.append(t(lang, "support.inbox.none"))
    for view in waiting:
        lines.append(
            t(
                lang,
                "support.inbox.line",
                request_id=view.request_id,
                name=_who(view),
                at=moment(view.created_at, lang),
                text=_escaped(view.text, 200) if view.text else t(lang, "support.card.photo"),
            )
        )
    rows = [
        [
            kb.button(
                t(
                    lang,
                    "support.inbox.reply",
                    request_id=v.request_id,
                    name=clip(v.customer_name, 24),
                ),
                SupportReplyCb(id=v.request_id, src=From.inbox),
            )
        ]
        for v in waiting
    ]
    return fit("\n\n".join(lines)), kb.keyboard([*rows, [admin_kb.home(lang)]])


# --- showing requests to admins -------------------------------------------------------------
async def _send_card(bot: Bot, chat_id: int, lang: str, view: SupportRequestView) -> Message:
    text, keys = card(lang, view), card_keys(lang, view)
    if view.photo:
        return await bot.send_photo(chat_id, view.photo, caption=text, reply_markup=keys)
    return await bot.send_message(chat_id, text, reply_markup=keys)


async def deliver(bot: Bot, submitted: Submitted) -> list[Copy]:
    """Show a new request to every admin, each in their language; where each copy went (an
    admin the bot cannot reach now is left out: their next /start shows it, see `catch_up`)."""
    view, copies = submitted.request, []
    for admin in submitted.admins:
        lang = language(admin.language_code)
        try:
            sent = await _send_card(bot, admin.telegram_id, lang, view)
        except TelegramAPIError as exc:
            log.warning(
                "support request %s not shown to admin %s: %s", view.request_id, admin.user_id, exc
            )
            continue
        copies.append(Copy(admin.user_id, sent.chat.id, sent.message_id, lang))
    return copies


def waiting_note(lang: str, count: int) -> str:
    """The line saying how many requests wait ("💬 2 customer messages…"), "" when none."""
    return t(lang, "support.waiting", count=count) if count else ""


def waiting_button(lang: str) -> InlineKeyboardButton:
    """The list of the requests waiting (what /support shows), a tap away."""
    return kb.button(t(lang, "support.waiting.open"), SupportInboxCb())


async def catch_up(message: Message, shop: Shop, me: UserView, lang: str, bot: Bot) -> None:
    """An admin opens the bot (/start): the requests the bot could not show them yet (it
    could not reach them when each came) are shown now, and a line says how many wait, with
    the list a tap away. Each copy is recorded, so the next /start does not show it again."""
    for view in await shop.support.unseen(me.id, INBOX_SIZE):
        try:
            sent = await _send_card(bot, message.chat.id, lang, view)
        except TelegramAPIError as exc:
            log.warning("support request %s not shown to admin %s: %s", view.request_id, me.id, exc)
            continue
        copy = Copy(me.id, sent.chat.id, sent.message_id, lang)
        await shop.support.record_own_copy(me.id, view.request_id, copy)
    note = waiting_note(lang, await shop.support.open_count(me.id))
    if note:
        await message.answer(note, reply_markup=kb.keyboard([[waiting_button(lang)]]))


async def show_answered(bot: Bot, view: SupportRequestView) -> None:
    """Every admin's copy of the request shows the answer (and no Reply)."""
    for copy in view.copies:
        lang = language(copy.lang)
        text = card(lang, view)
        try:
            if view.photo:
                await bot.edit_message_caption(
                    chat_id=copy.chat_id, message_id=copy.message_id, caption=text
                )
            else:
                await bot.edit_message_text(text, chat_id=copy.chat_id, message_id=copy.message_id)
        except TelegramAPIError as exc:  # deleted, showing it already, or the admin left
            log.info("support request %s: copy %s kept: %s", view.request_id, copy, exc)


async def _drop_cancel(bot: Bot, chat_id: int, prompt: object) -> None:
    """The question's ✖ Cancel goes once the question is answered (an old Cancel would
    claim to cancel what was done)."""
    if isinstance(prompt, int) and prompt:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=prompt)


# --- handlers -------------------------------------------------------------------------------
async def on_inbox(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    """/support: the requests waiting for an answer."""
    text, keys = inbox(lang, await shop.support.waiting(me.id, INBOX_SIZE))
    await message.answer(text, reply_markup=keys)


async def on_inbox_button(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    """The button under "💬 N customer messages are waiting": the list, as it is now."""
    text, keys = inbox(lang, await shop.support.waiting(me.id, INBOX_SIZE))
    await send_below(query, text, keys)
    await query.answer()


async def on_reply(
    query: CallbackQuery,
    callback_data: SupportReplyCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """↩️ Reply: the question for the answer, once; a request answered already shows its
    answer where the button was, and asks nothing."""
    view = await shop.support.get(me.id, callback_data.id)
    if view.answered:
        if isinstance(query.message, Message):
            if callback_data.src == From.inbox:
                text, keys = inbox(lang, await shop.support.waiting(me.id, INBOX_SIZE))
            else:
                text, keys = card(lang, view), None
            await edit_or_keep(query.message, text, keys)
        said = t(lang, "support.reply.answered_already", name=view.answered_by or "—")
        await query.answer(said[:200], show_alert=True)
        return
    data = await state.get_data()
    waiting = await state.get_state() == SupportReply.writing.state
    if waiting and data.get("support_request_id") == view.request_id:  # a second tap
        await query.answer(t(lang, "support.reply.below"))
        return
    await state.set_state(SupportReply.writing)
    ask = t(
        lang,
        "support.reply.ask",
        name=escape(view.customer_name),
        request_id=view.request_id,
    )
    asked = await send_below(query, ask, kb.prompt_cancel(lang))
    await state.update_data(
        support_request_id=view.request_id,
        support_reply_prompt=None if asked is None else asked.message_id,
    )
    await query.answer()


async def on_answer(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, bot: Bot
) -> None:
    """The answer: recorded and sent to the customer by the engine (refused when empty or too
    long: the question stays open); every admin's copy shows it. A request someone answered
    meanwhile keeps that answer, and this admin reads it."""
    data = await state.get_data()
    request_id = data.get("support_request_id")
    if not isinstance(request_id, int):  # no request to answer: the question ends
        await state.set_state(None)
        await message.answer(t(lang, "cancelled"))
        return
    answered = await shop.support.answer(me.id, request_id, message.text, message.message_id)
    await state.set_state(None)
    await _drop_cancel(bot, message.chat.id, data.get("support_reply_prompt"))
    view = answered.request
    if answered.now:
        said = t(
            lang,
            "support.reply.sent",
            name=escape(view.customer_name),
            request_id=view.request_id,
        )
    else:
        said = t(
            lang,
            "support.reply.too_late",
            name=escape(view.answered_by or "—"),
            request_id=view.request_id,
            answer=_escaped(view.answer or "", 1000),
        )
    await message.answer(said)
    await show_answered(bot, view)


async def on_not_text(message: Message, lang: str) -> None:
    """A photo, a sticker or a voice note where the answer is asked: text only."""
    await message.answer(t(lang, "support.reply.text_only"))


def build_router() -> Router:
    router = Router(name="admin.support")
    router.message.filter(IsAdmin())  # to anyone else, /support is the customer's
    router.callback_query.filter(IsAdmin())
    router.message.register(on_inbox, Command("support"))
    router.callback_query.register(on_reply, SupportReplyCb.filter())
    router.callback_query.register(on_inbox_button, SupportInboxCb.filter())
    router.message.register(on_answer, SupportReply.writing, F.text, ~F.text.startswith("/"))
    router.message.register(on_not_text, SupportReply.writing, ~F.text)
    return router
