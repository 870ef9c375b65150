"""Voice notes: download through the Bot API, transcribe off the event loop, then exactly the
typed-text path (talk.understand), with what was heard shown in front of the answer:
`🎙 “add two red hoodies” → Added 2 × Red Hoodie…`.

Notes over the length limit, that are not audio, silent, or heard too unsurely are refused
politely and change nothing. With VOICE_REPLIES=true a short answer is also spoken back as a
voice note (espeak-ng, OGG/Opus).

While a question waits for typed text (a search, a review's comment, a checkout step), a
note that only gives it up ("never mind", "cancel") ends it as the typed words do
(handlers/ending.py: a question with its own words says them); heard
unsurely, it is asked about first ("Stop waiting for your answer?"), and only a Yes under
that question, while the same question still waits, ends it. Any other note is not taken
as the answer: it says to type it, or, at a step that waits for photos, to send one. At a
message to be sent (`SPOKEN`: the message to the shop's team, the message back to its
answer, an admin's answer to a customer) and at a seller's tracking number, its words are
offered instead ("Send these words…?", "Ship with this number…?"): only a Yes under that
offer, once, while that same question is still asked, uses them; No uses nothing and the
question keeps waiting.

A seller's note with no question waiting that says a step on an order, as a typed one would
("ship order 15", "mark it delivered": handlers/seller/orders.py), is not the customer's
reading: the step is offered in the card's words ("Ship order #15?"), and only a Yes under
that offer, once, takes it, on the parcel as the engine shows it at the tap.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Any, Final, Protocol

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from engine.accounts import UserView
from engine.shop import Shop
from handlers import ending
from handlers.admin import support as admin_support
from handlers.admin.support import SupportReply
from handlers.callbacks import ShipmentAction
from handlers.customer import asking, support
from handlers.customer.asking import Kind, Question
from handlers.customer.support import SupportMessage
from handlers.customer.talk import Heard, Language, act_on, chat_context, what_it_does
from handlers.i18n import t
from handlers.screen import edit_markup_or_keep
from handlers.seller import IsSeller, orders, products
from handlers.seller.cb import ACTION_OF_STEP, STEP_OF_ACTION
from nlu import CatalogIndex, Intent
from nlu.speech import SpeechPool, Transcript, Vocabulary, VoiceRefused
from nlu.types import STATE_CHANGING

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # getFile's limit
SPOKEN_REPLY_CHARS = 200  # longer answers (lists, carts) are only written
_TAG = re.compile(r"<[^>]+>")


class Voice:
    """What the voice handler needs, built once in bot/app.py and injected as `voice`."""

    def __init__(self, pool: SpeechPool, *, max_seconds: int, replies: bool = False) -> None:
        self.pool = pool
        self.max_seconds = max_seconds
        self.replies = replies
        self._vocabulary: tuple[CatalogIndex, Vocabulary] | None = None

    async def start(self) -> None:
        await self.pool.start()

    async def aclose(self) -> None:
        await self.pool.aclose()

    async def vocabulary(self, language: Language) -> Vocabulary:
        """The shop vocabulary of the live catalog (rebuilt when the catalog is refreshed)."""
        index = await language.catalog()
        if self._vocabulary is None or self._vocabulary[0] is not index:
            from nlu.speech.vocabulary import build

            self._vocabulary = (index, await asyncio.to_thread(build, index))
        return self._vocabulary[1]

    async def listen(self, data: bytes, language: Language) -> Transcript:
        return await self.pool.transcribe(data, await self.vocabulary(language))

    async def speak(self, html: str) -> tuple[BufferedInputFile, int] | None:
        """A short answer as a voice note, or None when it is too long to be worth hearing."""
        text = unescape(_TAG.sub("", html.split("\n\n")[0])).strip()
        if not text or len(text) > SPOKEN_REPLY_CHARS:
            return None
        from nlu.speech.tts import speak

        spoken = await asyncio.to_thread(speak, text)
        return BufferedInputFile(spoken.ogg, filename="reply.ogg"), spoken.duration


async def _hear(
    message: Message, bot: Bot, lang: str, language: Language, voice: Voice | None
) -> Transcript | None:
    """The words of the voice note, or None once it has been refused politely (voice notes
    off, too long, not audio, silent, nothing made out)."""
    note = message.voice
    assert note is not None
    if voice is None:
        await message.answer(t(lang, "voice.off"))
        return None
    if note.duration > voice.max_seconds or (note.file_size or 0) > MAX_BYTES:
        await message.answer(t(lang, "voice.too_long", seconds=voice.max_seconds))
        return None
    downloaded = await bot.download(note)
    data = downloaded.read() if downloaded is not None else b""
    try:
        heard = await voice.listen(data, language)
    except VoiceRefused as refused:
        log.info("voice note refused: %s (%s)", refused.reason, refused)
        await message.answer(t(lang, f"voice.{refused.reason}", seconds=voice.max_seconds))
        return None
    except BrokenProcessPool:
        await message.answer(t(lang, "voice.failed"))
        return None
    log.debug("heard %r", heard.raw)  # what people say is personal data: words only at DEBUG
    log.info(
        "heard %d characters (%s, confidence %.2f, %.1f s of audio in %.2f s)",
        len(heard.raw),
        heard.engine,
        heard.confidence,
        heard.seconds,
        heard.elapsed,
    )
    if not heard.text.strip():
        await message.answer(t(lang, "voice.nothing_heard"))
        return None
    return heard


async def on_voice(
    message: Message,
    bot: Bot,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    voice: Voice | None = None,
    media_dir: Path | None = None,
) -> None:
    heard = await _hear(message, bot, lang, language, voice)
    if heard is None or voice is None:
        return
    if await _offer_step(message, heard.text, shop, lang, me, state):  # a seller's step
        return
    changes = [] if heard.trusted else await _would_change(heard.text, state, language)
    if changes:
        # unsure words never change a cart, an order or a review: ask first (a read, such as
        # a search or an order's status, is answered: it changes nothing), naming what would
        # be done when it can be named. The words wait as any question does (asking.py);
        # Yes, tapped or typed, acts on them once (talk.py).
        question = await asking.ask(state, Question(Kind.do, heard.text, heard=True))
        action = await what_it_does(shop, lang, changes)
        await message.answer(
            t(lang, "voice.confirm.named", heard=escape(heard.text), action=action)
            if action
            else t(lang, "voice.confirm", heard=escape(heard.text)),
            reply_markup=asking.yes_no(lang, question, "voice.confirm.yes", "voice.confirm.no"),
        )
        return
    await _act(message, heard.text, shop, lang, me, state, language, voice, media_dir)


#: The give-up heard unsurely and asked about: its key (the Yes / No name it) and the state
#: of the question it would end.
HEARD_GIVE_UP: Final = "heard_give_up"


class GiveUpCb(CallbackData, prefix="v1vgu"):
    """Yes or No to "🎙 “never mind”? Stop waiting for your answer?" (`key`: that question)."""

    key: str
    yes: bool


#: The words of a voice note offered as the message asked, and waiting for a Yes: its key
#: (the Yes / No name it), the question's state and which message it was (`SpokenAnswer.
#: asked`), the words, and the voice note (the engine's key of what is sent).
HEARD_ANSWER: Final = "heard_answer"


class SpokenCb(CallbackData, prefix="v1vsp"):
    """Yes or No to "🎙 “…” → Send these words…?" (`key`: that offer)."""

    key: str
    yes: bool


class StepCb(CallbackData, prefix="v1vst"):
    """Yes or No to "🎙 “ship order 15” → Ship order #15?": the offer (`key`, answered once)
    and what it names, the step on the seller's parcel (the engine checks it is theirs)."""

    key: str
    action: ShipmentAction
    id: int
    yes: bool


def _yes_no(yes: tuple[str, CallbackData], no: tuple[str, CallbackData]) -> InlineKeyboardMarkup:
    """One row: the Yes and the No of a question about what was heard (label, button data)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=label, callback_data=data.pack())
                for label, data in (yes, no)
            ]
        ]
    )


class SendsSpoken(Protocol):
    """Sends a voice note's words as the message asked (`key`: the voice note's message)."""

    def __call__(
        self,
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
    ) -> Awaitable[None]: ...


@dataclass(frozen=True)
class SpokenAnswer:
    """A question whose answer is a message to be sent, which a voice note's words may be,
    after a Yes: what the offer asks (`offer`, a key), which message is asked now (`asked`:
    an offer made for one is never sent as another), and how it is sent (`send`, the code
    of the typed message)."""

    offer: str
    asked: Callable[[Mapping[str, Any]], str]
    send: SendsSpoken
    yes: str = "voice.send.yes"  # the offer's buttons, and what its No says
    no: str = "voice.send.no"
    kept: str = "voice.send.kept"


SPOKEN: Final[Mapping[str | None, SpokenAnswer]] = {
    SupportMessage.writing.state: SpokenAnswer(
        "support.spoken.offer", support.asked_now, support.send_spoken
    ),
    SupportMessage.following.state: SpokenAnswer(
        "support.spoken.offer", support.asked_now, support.send_spoken
    ),
    SupportReply.writing.state: SpokenAnswer(
        "support.reply.spoken.offer", admin_support.asked_now, admin_support.send_spoken
    ),
    orders.Ship.tracking.state: SpokenAnswer(
        "seller.tracking.spoken.offer",
        orders.asked_now,
        orders.send_spoken,
        yes="seller.tracking.spoken.yes",
        no="seller.tracking.spoken.no",
        kept="seller.tracking.spoken.kept",
    ),
}


def not_the_answer(waiting: str) -> str:
    """What a voice note that is not the answer is told (a key): a step that waits for photos
    says so; any other question, to type the answer."""
    return "seller.photos.voice" if waiting in products.PHOTO_STEPS else "voice.typed_only"


async def on_voice_at_prompt(
    message: Message,
    bot: Bot,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    raw_state: str | None = None,
    voice: Voice | None = None,
) -> None:
    """A voice note while a question waits for typed text (see the module): a give-up heard
    surely ends it as the typed words do; heard unsurely, it is asked about (nothing ends
    yet); at a message to be sent, its words are offered (nothing is sent yet); anything
    else says to type the answer (or send a photo), and the question keeps waiting."""
    heard = await _hear(message, bot, lang, language, voice)
    if heard is None or raw_state is None:
        return
    if not asking.drops(heard.text):
        spoken = SPOKEN.get(raw_state)
        if spoken is not None:
            await _offer(message, state, lang, raw_state, spoken, heard.text)
            return
        await Heard(message, heard.text).answer(t(lang, not_the_answer(raw_state)))
        return
    if heard.trusted:
        await ending.give_up_heard(message, state, raw_state, lang, me, shop, bot, heard=heard.text)
        return
    key = uuid.uuid4().hex[:12]
    await state.update_data({HEARD_GIVE_UP: {"key": key, "state": raw_state}})
    await message.answer(
        t(lang, "voice.give_up.confirm", heard=escape(heard.text)),
        reply_markup=_yes_no(
            (t(lang, "voice.give_up.yes"), GiveUpCb(key=key, yes=True)),
            (t(lang, "voice.give_up.no"), GiveUpCb(key=key, yes=False)),
        ),
    )


async def on_give_up_answered(
    query: CallbackQuery,
    callback_data: GiveUpCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    prompt_waiting: str | None = None,
) -> None:
    """Yes / No to a give-up heard unsurely: only while the question it was about still
    waits (`prompt_waiting`: the state before this tap, handlers/prompts.py), once. Yes gives
    it up as the typed words do; No leaves it waiting. Tapped again, or after that question
    was answered or ended: it says the button is old, and nothing changes. Either way this
    tap is no move elsewhere: what waited before it still waits (EndPrompts ends a question
    at a tap on another screen's button)."""
    if prompt_waiting is not None and await state.get_state() != prompt_waiting:
        await state.set_state(prompt_waiting)
    asked = (await state.get_data()).get(HEARD_GIVE_UP)
    fresh = isinstance(asked, dict) and asked.get("key") == callback_data.key
    waiting = str(asked["state"]) if fresh and isinstance(asked, dict) else None
    message = query.message
    if waiting is None or waiting != prompt_waiting or not isinstance(message, Message):
        await query.answer(t(lang, "stale_button"))
        return
    await state.update_data({HEARD_GIVE_UP: None})
    await edit_markup_or_keep(message, None)
    await query.answer()
    if callback_data.yes:
        await ending.give_up_heard(message, state, waiting, lang, me, shop, bot)
        return
    await message.answer(t(lang, "voice.give_up.kept"))


async def _offer(
    message: Message,
    state: FSMContext,
    lang: str,
    waiting: str,
    spoken: SpokenAnswer,
    words: str,
) -> None:
    """The words heard, offered as the message asked, with Yes / No (nothing is sent yet);
    a later note's offer replaces this one (its buttons are then old)."""
    key = uuid.uuid4().hex[:12]
    asked = spoken.asked(await state.get_data())
    offer = {
        "key": key,
        "state": waiting,
        "asked": asked,
        "text": words,
        "note": message.message_id,
    }
    await state.update_data({HEARD_ANSWER: offer})
    await Heard(message, words).answer(
        t(lang, spoken.offer),
        reply_markup=_yes_no(
            (t(lang, spoken.yes), SpokenCb(key=key, yes=True)),
            (t(lang, spoken.no), SpokenCb(key=key, yes=False)),
        ),
    )


async def on_spoken_answered(
    query: CallbackQuery,
    callback_data: SpokenCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    prompt_waiting: str | None = None,
    replayed: bool = False,
) -> None:
    """Yes / No to a voice note's words offered as the message asked: only while that same
    message is still asked (its question, not one asked since in the same place), once.
    Yes sends them as the typed message is sent; No sends nothing, and the question keeps
    waiting. Tapped again, or after the message was sent, given up or asked anew: it says
    the button is old, and nothing is sent. This tap is no move elsewhere: what waited
    before it still waits (as at `on_give_up_answered`)."""
    if prompt_waiting is not None and await state.get_state() != prompt_waiting:
        await state.set_state(prompt_waiting)
    data = await state.get_data()
    offer = data.get(HEARD_ANSWER)
    spoken = SPOKEN.get(prompt_waiting)
    message = query.message
    if (
        not isinstance(offer, dict)
        or offer.get("key") != callback_data.key
        or offer.get("state") != prompt_waiting
        or spoken is None
        or offer.get("asked") != spoken.asked(data)
        or not isinstance(message, Message)
    ):
        await query.answer(t(lang, "stale_button"))
        return
    await state.update_data({HEARD_ANSWER: None})  # once, whatever comes of it
    await edit_markup_or_keep(message, None)
    await query.answer()
    if not callback_data.yes:
        await message.answer(t(lang, spoken.kept))
        return
    store = await IsSeller()(query, me=me, shop=shop)
    await spoken.send(
        message,
        str(offer["text"]),
        int(offer["note"]),
        shop,
        lang,
        me,
        state,
        bot,
        store=store,
        replayed=replayed,
    )


async def _offer_step(
    message: Message, words: str, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> bool:
    """A seller's step on a parcel heard ("ship order 15", "mark it delivered": as typed,
    orders.step_in), offered back in the card's words with Yes / No: nothing changes yet. A
    parcel that is not theirs, none named, or one that can no longer take the step is said
    at once, and nothing is offered. False: the words are no seller's step."""
    said = await orders.step_in(words, state, shop, me)
    if said is None or not await IsSeller()(message, me=me, shop=shop):
        return False
    card = await orders.parcel_said(said, shop, lang, me, state)
    step = orders.step_of(said)
    if isinstance(card, str) or step not in card.steps:
        await Heard(message, words).answer(
            card if isinstance(card, str) else orders.unchanged(lang, card, step)
        )
        return True
    key, action = uuid.uuid4().hex[:12], ACTION_OF_STEP[step]
    yes, no = (StepCb(key=key, action=action, id=card.shipment_id, yes=b) for b in (True, False))
    await Heard(message, words).answer(
        orders.step_offer(lang, card, step),
        reply_markup=_yes_no(
            (t(lang, "seller.spoken.step.yes"), yes), (t(lang, "seller.spoken.step.no"), no)
        ),
    )
    return True


async def on_step_answered(
    query: CallbackQuery,
    callback_data: StepCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Yes / No to a seller's step heard and offered back, once (`asking.answer_once`: the
    offer is remembered as answered, whatever happened in the chat since). Yes takes it as
    the typed words do, on the parcel the offer named as the engine shows it at the tap: a
    step taken meanwhile, or one it can no longer take, changes nothing and says so. No
    changes nothing. Tapped again: the button is old."""
    message = query.message
    if not isinstance(message, Message) or not await asking.answer_once(state, callback_data.key):
        await query.answer(t(lang, "stale_button"))
        return
    await edit_markup_or_keep(message, None)
    await query.answer()
    card = await shop.fulfilment.card(me.id, callback_data.id)
    if not callback_data.yes:
        await message.answer(t(lang, "seller.spoken.step.kept", order_id=card.order_id))
        return
    await orders.take_step(
        message, card, STEP_OF_ACTION[callback_data.action], shop, lang, me, state
    )


async def _would_change(text: str, state: FSMContext, language: Language) -> list[Intent]:
    """The requests in `text` that would change something (none: it may be done unasked)."""
    intent = await language.parse(text, await chat_context(state))
    return [s for s in (intent, *intent.then) if s.is_confident() and s.name in STATE_CHANGING]


async def _act(
    message: Message,
    text: str,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    voice: Voice,
    media_dir: Path | None = None,
) -> None:
    await act_on(
        message, text, shop, lang, me, state, language, heard=True, voice=voice, media_dir=media_dir
    )


def build_router() -> Router:
    router = Router(name="customer.voice")
    router.message.register(on_voice, StateFilter(None), F.voice)
    router.message.register(on_voice_at_prompt, ~StateFilter(None), F.voice)
    router.callback_query.register(on_give_up_answered, GiveUpCb.filter())
    router.callback_query.register(on_spoken_answered, SpokenCb.filter())
    router.callback_query.register(on_step_answered, StepCb.filter())
    return router
