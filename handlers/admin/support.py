"""The admins' side of support: a customer's request reaches every admin as a card (who wrote,
their recent orders, the message, ↩️ Reply); Reply asks for the answer, which goes to the
customer in their chat (through the engine and the outbox); every admin's card then shows
who answered and what, and keeps its Reply: a request can be answered again (a follow-up).
When the customer writes back to an answer, every admin gets a new card of the same request
(what they answered to, what they wrote now). /support lists the requests still waiting,
with a Reply each. An admin the bot could not reach when a request came is shown it on their
next /start or /admin (once, however many of those run at once), and /start and /admin say
how many requests wait, with the list a tap away.

Safe when repeated or stale: a second tap on Reply while the answer is being asked asks
nothing new; Reply on a request answered meanwhile (another admin, an older card or list)
says who answered, shows it as it stands (the card is rewritten with the answer; from the
list, the request's card comes below it) and asks for an answer to add. The answer is sent only
if the request still stands as the admin saw it when they tapped (the engine checks): one
written while another admin answered, or while the customer wrote back, is not sent, and the
admin reads what changed. The customer's side is handlers/customer/support.py.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from enum import StrEnum
from html import escape
from typing import Any, Final

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.shop import Shop
from engine.support import CLAIMED, Copy, FollowedUp, Submitted, SupportRequestView
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
    # the answer to data["support_request_id"], which stood as data["support_seen"] then
    writing = State()


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


def card(lang: str, view: SupportRequestView, lead: str = "") -> str:
    """A request as an admin reads it: who, their recent orders, the message, and the
    answer once there is one (`lead`: a line under the head, such as what the customer wrote
    back to). Fits a photo's caption when the request is a photo."""
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
    room = max(limit - len(head) - len(lead) - len(answered) - 6, 40)  # what the message may take
    body = _escaped(view.text, room) if view.text else t(lang, "support.card.photo")
    return fit("\n\n".join(filter(None, (head, lead, body, answered))), limit)


def card_keys(lang: str, view: SupportRequestView) -> InlineKeyboardMarkup:
    """↩️ Reply, answered or not: an answered request can be answered again."""
    return kb.keyboard([[kb.button(t(lang, "support.reply"), SupportReplyCb(id=view.request_id))]])


def follow_up_lead(lang: str, followed: FollowedUp) -> str:
    """On a customer's message back: the answer they wrote back to, and whose it was."""
    view, limit = followed.request, CAPTION_LIMIT if followed.request.photo else TEXT_LIMIT
    return t(
        lang,
        "support.card.follow_up",
        name=escape(view.customer_name),
        by=escape(followed.previous_by or "—"),
        answer=_escaped(followed.previous_answer or "", limit // 4),
    )


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
async def _send_card(
    bot: Bot, chat_id: int, lang: str, view: SupportRequestView, followed: FollowedUp | None = None
) -> Message:
    lead = "" if followed is None else follow_up_lead(lang, followed)
    text, keys = card(lang, view, lead), card_keys(lang, view)
    if view.photo:
        return await bot.send_photo(chat_id, view.photo, caption=text, reply_markup=keys)
    return await bot.send_message(chat_id, text, reply_markup=keys)


async def deliver(bot: Bot, submitted: Submitted | FollowedUp) -> list[Copy]:
    """Show a new request, or a customer's message back to an answer, to every admin, each
    in their language; where each copy went (an admin the bot cannot reach now is left out:
    their next /start shows it, see `catch_up`)."""
    view, copies = submitted.request, []
    followed = submitted if isinstance(submitted, FollowedUp) else None
    for admin in submitted.admins:
        lang = language(admin.language_code)
        try:
            sent = await _send_card(bot, admin.telegram_id, lang, view, followed)
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


async def show_unseen(message: Message, shop: Shop, me: UserView, lang: str, bot: Bot) -> None:
    """An admin opens the bot (/start, /admin): the requests the bot could not show them yet
    (it could not reach them when each came) are shown now. The engine marks each as this
    admin's before it is sent (so two /starts at once show it once) and records where it
    went; one that could not be sent is given back, for the next time."""
    for view in await shop.support.claim_unseen(me.id, message.chat.id, lang, INBOX_SIZE):
        try:
            sent = await _send_card(bot, message.chat.id, lang, view)
        except TelegramAPIError as exc:
            log.warning("support request %s not shown to admin %s: %s", view.request_id, me.id, exc)
            await shop.support.release_copy(me.id, view.request_id)
            continue
        copy = Copy(me.id, sent.chat.id, sent.message_id, lang)
        await shop.support.record_own_copy(me.id, view.request_id, copy)


async def catch_up(message: Message, shop: Shop, me: UserView, lang: str, bot: Bot) -> None:
    """/start of an admin: the requests not shown to them yet (`show_unseen`), and a line
    saying how many wait, with the list a tap away."""
    await show_unseen(message, shop, me, lang, bot)
    note = waiting_note(lang, await shop.support.open_count(me.id))
    if note:
        await message.answer(note, reply_markup=kb.keyboard([[waiting_button(lang)]]))


async def show_answered(bot: Bot, view: SupportRequestView) -> None:
    """Every admin's copy of the request shows the answer (and Reply, to answer again)."""
    for copy in view.copies:
        if copy.message_id == CLAIMED:  # being sent by a /start now: it shows the answer
            continue
        lang = language(copy.lang)
        text, keys = card(lang, view), card_keys(lang, view)
        try:
            if view.photo:
                await bot.edit_message_caption(
                    chat_id=copy.chat_id,
                    message_id=copy.message_id,
                    caption=text,
                    reply_markup=keys,
                )
            else:
                await bot.edit_message_text(
                    text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=keys
                )
        except TelegramAPIError as exc:  # deleted, showing it already, or the admin left
            log.info("support request %s: copy %s kept: %s", view.request_id, copy, exc)


async def _drop_cancel(bot: Bot, chat_id: int, prompt: object) -> None:
    """The question's ✖ Cancel goes once the question is answered (an old Cancel would
    claim to cancel what was done)."""
    if isinstance(prompt, int) and prompt:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=prompt)


async def _show_below(
    bot: Bot, chat_id: int, shop: Shop, me: UserView, lang: str, view: SupportRequestView
) -> None:
    """The request's card as it stands, sent anew; it becomes this admin's copy, which later
    answers rewrite."""
    sent = await _send_card(bot, chat_id, lang, view)
    copy = Copy(me.id, sent.chat.id, sent.message_id, lang)
    await shop.support.record_own_copy(me.id, view.request_id, copy)


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
    bot: Bot,
) -> None:
    """↩️ Reply: the question for the answer, once. On a request answered already (by
    another admin, or on an older card or list) the admin is told who answered and sees
    the answer: a card is rewritten to show it; a list is brought up to date (the request
    is no longer in it) and the request's card, as it stands, comes below. The answer asked
    for is one to add."""
    view = await shop.support.get(me.id, callback_data.id)
    data = await state.get_data()
    waiting = await state.get_state() == SupportReply.writing.state
    if (
        waiting
        and data.get("support_request_id") == view.request_id
        and data.get("support_seen") == view.answer_key
    ):  # a second tap
        await query.answer(t(lang, "support.reply.below"))
        return
    said = None
    if view.answered and callback_data.src == From.inbox:
        if isinstance(query.message, Message):
            text, keys = inbox(lang, await shop.support.waiting(me.id, INBOX_SIZE))
            await edit_or_keep(query.message, text, keys)
        await _show_below(bot, query.from_user.id, shop, me, lang, view)  # a private chat
        said = t(lang, "support.reply.answered_already.below", name=view.answered_by or "—")
    elif view.answered:
        if isinstance(query.message, Message):
            await edit_or_keep(query.message, card(lang, view), card_keys(lang, view))
        said = t(lang, "support.reply.answered_already", name=view.answered_by or "—")
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
        support_seen=view.answer_key,
        support_reply_prompt=None if asked is None else asked.message_id,
    )
    if said is None:
        await query.answer()
    else:
        await query.answer(said[:200], show_alert=True)


async def on_answer(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, bot: Bot
) -> None:
    """The answer: recorded and sent to the customer by the engine (refused when empty or too
    long: the question stays open); every admin's copy shows it. A request that changed since
    Reply was tapped (another admin answered, the customer wrote back) is not answered: this
    admin reads what stands, with Reply to answer that."""
    await _answer(message, message.text, message.message_id, shop, lang, me, state, bot)


async def _answer(
    reply: Message,
    text: str | None,
    key: int,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
) -> None:
    """The answer asked now (see `on_answer`; `key`: the Telegram message it came in, the
    engine's key), the admin told in their chat (`reply`)."""
    data = await state.get_data()
    request_id = data.get("support_request_id")
    if not isinstance(request_id, int):  # no request to answer: the question ends
        await state.set_state(None)
        await reply.answer(t(lang, "cancelled"))
        return
    seen = data.get("support_seen")
    answered = await shop.support.answer(
        me.id, request_id, text, key, seen=seen if isinstance(seen, str) else None
    )
    await state.set_state(None)
    await _drop_cancel(bot, reply.chat.id, data.get("support_reply_prompt"))
    view = answered.request
    if answered.now:
        said = t(
            lang,
            "support.reply.sent",
            name=escape(view.customer_name),
            request_id=view.request_id,
        )
        await reply.answer(said)
        await show_answered(bot, view)
        return
    if view.answered:
        said = t(
            lang,
            "support.reply.too_late",
            name=escape(view.answered_by or "—"),
            request_id=view.request_id,
            answer=_escaped(view.answer or "", 1000),
        )
    else:
        said = t(
            lang,
            "support.reply.written_back",
            name=escape(view.customer_name),
            request_id=view.request_id,
            text=_escaped(view.text, 1000) if view.text else t(lang, "support.card.photo"),
        )
    await reply.answer(said, reply_markup=card_keys(lang, view))


def asked_now(data: Mapping[str, Any]) -> str:
    """Which answer is asked now (the request, as it stood when Reply was tapped, and the
    question's message): a voice note's words offered for one answer are never sent as
    another."""
    return ":".join(
        str(data.get(k)) for k in ("support_request_id", "support_seen", "support_reply_prompt")
    )


async def send_spoken(
    reply: Message,
    text: str,
    key: int,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    *,
    store: bool = False,
    replayed: bool = False,
) -> None:
    """A voice note's words, offered and then sent with a Yes (handlers/customer/voice.py),
    as the answer asked now (`key`: the voice note's Telegram message, the engine's key).
    `store` and `replayed` are the customer's side's (an answer shows no menu, and the
    engine's key makes a replay the same answer)."""
    await _answer(reply, text, key, shop, lang, me, state, bot)


async def on_not_text(message: Message, lang: str) -> None:
    """A photo, a sticker or a file where the answer is asked: text only. (A voice note is
    heard: handlers/customer/voice.py.)"""
    await message.answer(t(lang, "support.reply.text_only"))


def build_router() -> Router:
    router = Router(name="admin.support")
    router.message.filter(IsAdmin())  # to anyone else, /support is the customer's
    router.callback_query.filter(IsAdmin())
    router.message.register(on_inbox, Command("support"))
    router.callback_query.register(on_reply, SupportReplyCb.filter())
    router.callback_query.register(on_inbox_button, SupportInboxCb.filter())
    router.message.register(on_answer, SupportReply.writing, F.text, ~F.text.startswith("/"))
    router.message.register(on_not_text, SupportReply.writing, ~F.text, ~F.voice)
    return router
