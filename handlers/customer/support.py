"""Writing to the shop's team: "talk to a human", "contact support" (typed or spoken, through
handlers/customer/talk.py) or /support asks for the message, with ✖ Cancel. What the
customer sends next (text, or a photo with its caption) is recorded by the engine as a
support request and shown to every admin with a Reply button (handlers/admin/support.py);
the customer is told it was sent and that the answer comes in this chat, or, when no admin
could be reached now, that the team sees it when they next open the bot. ✖ Cancel or
/cancel ends the question and changes nothing.

The team's answer reaches the customer (an outbox notification, handlers/notifications.py)
with a ↩️ Reply button (`answer_keys`): tapping it asks for one message back (text, or a
photo with its caption), which goes to the same request: every admin is shown it with the
answer it replies to, and the request waits for the team again. A message that only gives
up ("never mind", "actually no, forget it": asking.drops) sends nothing and ends the
question. Without the tap, what the customer types is the shop's as ever
(handlers/customer/talk.py); the answer says so. Reply on a request that waits for the team
already (written back to, an old answer) says so and asks nothing; a second tap while the
message is asked asks nothing new.

The same message handled twice (a retry, a replay after a crash) is one request: its
Telegram message is the engine's key. A banned customer is stopped before any of this
(bot/middlewares.py), and the engine refuses them too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, Final

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.errors import InvalidInput
from engine.shop import Shop
from handlers import keyboards as kb
from handlers.admin import support as admin_side
from handlers.customer.asking import drops
from handlers.i18n import t
from handlers.prompts import Prompts
from handlers.screen import send_below


class SupportFollowUpCb(CallbackData, prefix="v1spf"):
    """↩️ Reply under the team's answer: write back to request `id`."""

    id: int


class SupportMessage(StatesGroup):
    writing = State()  # the message to the team; data["support_prompt"]: the question's id
    # the message back to the answer of data["support_follow_up"] (its question: the same)
    following = State()


# the customer's question that waits for typed text (handlers.prompts ends it elsewhere); a
# second tap on an answer's Reply finds the question still waiting
PROMPTS: Final[Prompts] = {SupportMessage: (SupportFollowUpCb,)}


def answer_keys(lang: str | None, request_id: int) -> InlineKeyboardMarkup:
    """Under the team's answer (handlers/notifications.py): ↩️ Reply, to write back."""
    return kb.keyboard(
        [[kb.button(t(lang, "support.follow_up"), SupportFollowUpCb(id=request_id))]]
    )


async def ask(message: Message, state: FSMContext, lang: str) -> None:
    """The question: what to tell the team, with ✖ Cancel (`message`: the customer's own, or
    talk's voice wrapper, which puts what was heard in front of it)."""
    await state.set_state(SupportMessage.writing)
    asked = await message.answer(t(lang, "support.ask"), reply_markup=kb.prompt_cancel(lang))
    await state.update_data(support_prompt=asked.message_id)


async def on_support(message: Message, state: FSMContext, lang: str) -> None:
    """/support: the question."""
    await ask(message, state, lang)


async def on_message(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    replayed: bool = False,
) -> None:
    """The message to the team: recorded, shown to every admin, and the customer told. A
    refusal (empty, too long) leaves the question open for another try; having too many
    requests waiting ends it (the error handler words both)."""
    photo = message.photo[-1].file_id if message.photo else None
    text = message.caption if photo else message.text
    store = kb.has_store(message)
    if not photo and drops(text or ""):  # "never mind": nothing is sent
        await give_up(message, state, lang, bot, store=store)
        return
    await _submit(
        message, text, photo, message.message_id, shop, lang, me, state, bot, store, replayed
    )


async def _submit(
    reply: Message,
    text: str | None,
    photo: str | None,
    key: int,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    store: bool,
    replayed: bool,
) -> None:
    """The message to the team (`key`: the Telegram message it came in, the engine's key):
    recorded, shown to every admin, and the customer told (`reply`: in their chat)."""
    try:
        submitted = await shop.support.submit(me.id, reply.chat.id, key, text, photo)
    except InvalidInput as refused:
        if refused.params.get("rule") == "too_many_open":
            await state.set_state(None)
        raise
    request = submitted.request
    reached = True  # False: no admin could be shown it now (their next /start shows it)
    # shown to the admins by the handling that recorded it; a replay after a crash shows
    # it if that handling died before it could (a twin update of the same message does not)
    if submitted.created or (replayed and not request.copies):
        copies = await admin_side.deliver(bot, submitted)
        if copies:
            await shop.support.record_copies(me.id, request.request_id, copies)
        reached = bool(copies)
    data = await state.get_data()
    await state.set_state(None)
    # its ✖ Cancel would claim to cancel what was sent
    await _drop_prompt(bot, reply.chat.id, data.get("support_prompt"))
    await reply.answer(
        t(lang, "support.sent" if reached else "support.sent.later", request_id=request.request_id),
        reply_markup=kb.main_menu(lang, store=store),
    )


async def on_follow_up(
    query: CallbackQuery,
    callback_data: SupportFollowUpCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """↩️ Reply under an answer: the question for the message back, once; a request that
    waits for the team already asks nothing (the team answers it first)."""
    view = await shop.support.mine(me.id, callback_data.id)
    if not view.answered:
        said = t(lang, "support.follow_up.waiting", request_id=view.request_id)
        await query.answer(said[:200], show_alert=True)
        return
    data = await state.get_data()
    asking = await state.get_state() == SupportMessage.following.state
    if asking and data.get("support_follow_up") == view.request_id:  # a second tap
        await query.answer(t(lang, "support.follow_up.below"))
        return
    await state.set_state(SupportMessage.following)
    asked = await send_below(
        query,
        t(lang, "support.follow_up.ask", request_id=view.request_id),
        kb.prompt_cancel(lang),
    )
    await state.update_data(
        support_follow_up=view.request_id,
        support_prompt=None if asked is None else asked.message_id,
    )
    await query.answer()


async def on_follow_up_message(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, bot: Bot
) -> None:
    """The message back: the engine reopens the request with it, and every admin is shown
    it with the answer it replies to. A request that waits for the team already (this
    message handled twice, or another sent first) changes nothing, and the customer is told
    it is with the team. A refusal (empty, too long) leaves the question open."""
    data = await state.get_data()
    request_id = data.get("support_follow_up")
    if not isinstance(request_id, int):  # nothing to write back to: the question ends
        await state.set_state(None)
        await message.answer(t(lang, "cancelled"))
        return
    store = kb.has_store(message)
    if not message.photo and drops(message.text or ""):  # "never mind": nothing is sent
        await give_up(message, state, lang, bot, store=store)
        return
    photo = message.photo[-1].file_id if message.photo else None
    text = message.caption if photo else message.text
    await _follow_up(message, request_id, text, photo, shop, lang, me, state, bot, store)


async def _follow_up(
    reply: Message,
    request_id: int,
    text: str | None,
    photo: str | None,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    store: bool,
) -> None:
    """The message back to request `request_id` (see `on_follow_up_message`), the customer
    told in their chat (`reply`)."""
    data = await state.get_data()
    followed = await shop.support.follow_up(me.id, request_id, text, photo)
    key = "support.follow_up.waiting"
    if followed.now:
        copies = await admin_side.deliver(bot, followed)
        if copies:
            await shop.support.record_copies(me.id, request_id, copies)
        key = "support.sent" if copies else "support.sent.later"
    await state.set_state(None)
    await _drop_prompt(bot, reply.chat.id, data.get("support_prompt"))
    await reply.answer(
        t(lang, key, request_id=request_id), reply_markup=kb.main_menu(lang, store=store)
    )


async def give_up(reply: Message, state: FSMContext, lang: str, bot: Bot, *, store: bool) -> None:
    """ "never mind" (typed, or said: handlers/ending.py) while the message to the team, or
    the message back to its answer, is asked: nothing is sent, the question ends, its ✖
    Cancel goes, and the customer is told so with the menu (`reply`: the customer's message,
    or the voice note's wrapper that puts what was heard in front; `store`: the menu leads
    to their store too)."""
    data = await state.get_data()
    following = await state.get_state() == SupportMessage.following.state
    request_id = data.get("support_follow_up")
    await state.set_state(None)
    await _drop_prompt(bot, reply.chat.id, data.get("support_prompt"))
    said = (
        t(lang, "support.follow_up.not_sent", request_id=request_id)
        if following and isinstance(request_id, int)
        else t(lang, "support.not_sent")
    )
    await reply.answer(said, reply_markup=kb.main_menu(lang, store=store))


def asked_now(data: Mapping[str, Any]) -> str:
    """Which message is asked now (its question's message, and the answer it writes back
    to): a voice note's words offered for one question are never sent to another."""
    return f"{data.get('support_prompt')}:{data.get('support_follow_up')}"


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
    store: bool,
    replayed: bool,
) -> None:
    """A voice note's words, offered and then sent with a Yes (handlers/customer/voice.py),
    as the message asked now: to the team, or back to their answer (`key`: the voice note's
    Telegram message, the engine's key of a new request)."""
    if await state.get_state() == SupportMessage.following.state:
        request_id = (await state.get_data()).get("support_follow_up")
        if isinstance(request_id, int):
            await _follow_up(reply, request_id, text, None, shop, lang, me, state, bot, store)
            return
    await _submit(reply, text, None, key, shop, lang, me, state, bot, store, replayed)


async def _drop_prompt(bot: Bot, chat_id: int, prompt: object) -> None:
    """The question's ✖ Cancel goes: nothing waits for it any more."""
    if isinstance(prompt, int) and prompt:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=prompt)


async def on_other(message: Message, lang: str) -> None:
    """A sticker or a file where the message is asked: text or a photo only. (A voice note
    is heard: handlers/customer/voice.py.)"""
    await message.answer(t(lang, "support.text_only"), reply_markup=kb.prompt_cancel(lang))


def build_router() -> Router:
    router = Router(name="customer.support")
    router.message.register(on_support, Command("support"))
    router.message.register(on_message, SupportMessage.writing, F.text, ~F.text.startswith("/"))
    router.message.register(on_message, SupportMessage.writing, F.photo)
    router.message.register(on_other, SupportMessage.writing, ~F.voice)
    router.callback_query.register(on_follow_up, SupportFollowUpCb.filter())
    following = SupportMessage.following
    router.message.register(on_follow_up_message, following, F.text, ~F.text.startswith("/"))
    router.message.register(on_follow_up_message, following, F.photo)
    router.message.register(on_other, following, ~F.voice)
    return router
