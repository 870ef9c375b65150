"""Voice notes: download through the Bot API, transcribe off the event loop, then exactly the
typed-text path (talk.understand), with what was heard shown in front of the answer:
`🎙 “add two red hoodies” → Added 2 × Red Hoodie…`.

Notes over the length limit, that are not audio, silent, or heard too unsurely are refused
politely and change nothing. With VOICE_REPLIES=true a short answer is also spoken back as a
voice note (espeak-ng, OGG/Opus).
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures.process import BrokenProcessPool
from html import escape, unescape
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
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
from handlers.customer.talk import Heard, Language, chat_context, understand
from handlers.i18n import t
from nlu import CatalogIndex
from nlu.answers import yes_or_no
from nlu.speech import SpeechPool, Transcript, Vocabulary, VoiceRefused
from nlu.types import STATE_CHANGING

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # getFile's limit
SPOKEN_REPLY_CHARS = 200  # longer answers (lists, carts) are only written
_TAG = re.compile(r"<[^>]+>")
VOICE_YES, VOICE_NO = "voice:yes", "voice:no"


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
    note = message.voice
    assert note is not None
    if voice is None:
        await message.answer(t(lang, "voice.off"))
        return
    if note.duration > voice.max_seconds or (note.file_size or 0) > MAX_BYTES:
        await message.answer(t(lang, "voice.too_long", seconds=voice.max_seconds))
        return
    downloaded = await bot.download(note)
    data = downloaded.read() if downloaded is not None else b""
    try:
        heard = await voice.listen(data, language)
    except VoiceRefused as refused:
        log.info("voice note refused: %s (%s)", refused.reason, refused)
        await message.answer(t(lang, f"voice.{refused.reason}", seconds=voice.max_seconds))
        return
    except BrokenProcessPool:
        await message.answer(t(lang, "voice.failed"))
        return
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
        return
    if not heard.trusted and await _would_change(heard.text, state, language):
        # unsure words never change a cart, an order or a review: ask first (a read, such as
        # a search or an order's status, is answered: it changes nothing)
        await state.update_data(voice_pending=heard.text)
        yes = InlineKeyboardButton(text=t(lang, "voice.confirm.yes"), callback_data=VOICE_YES)
        no = InlineKeyboardButton(text=t(lang, "voice.confirm.no"), callback_data=VOICE_NO)
        await message.answer(
            t(lang, "voice.confirm", heard=escape(heard.text)),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[yes, no]]),
        )
        return
    await _act(message, heard.text, shop, lang, me, state, language, voice, media_dir)


async def _would_change(text: str, state: FSMContext, language: Language) -> bool:
    intent = await language.parse(text, await chat_context(state))
    return any(s.is_confident() and s.name in STATE_CHANGING for s in (intent, *intent.then))


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
    reply = Heard(message, text)
    await understand(reply, text, shop, lang, me, state, language, media_dir=media_dir)
    if voice.replies and reply.first_answer:
        spoken = await voice.speak(reply.first_answer)
        if spoken is not None:
            await message.answer_voice(spoken[0], duration=spoken[1])


async def on_voice_confirm(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    voice: Voice | None = None,
    media_dir: Path | None = None,
) -> None:
    """The "Yes, do it" button: `_answer_heard`."""
    await query.answer()
    if not isinstance(query.message, Message):  # nowhere to answer: the words are dropped
        await state.update_data(voice_pending=None)
        return
    yes = query.data == VOICE_YES
    await _answer_heard(query.message, yes, shop, lang, me, state, language, voice, media_dir)


async def on_typed_answer(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    voice: Voice | None = None,
    media_dir: Path | None = None,
) -> None:
    """A typed "yes" or "no" while a heard request waits for its Yes / No: the same as the
    buttons (`_answer_heard`)."""
    yes = bool(yes_or_no(message.text or ""))
    await _answer_heard(message, yes, shop, lang, me, state, language, voice, media_dir)


async def _answer_heard(
    message: Message,
    yes: bool,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    voice: Voice | None,
    media_dir: Path | None,
) -> None:
    """Yes acts on the words heard, once: they are dropped as they are used, so a second
    answer or a re-delivered update does nothing. No drops them."""
    text = (await state.get_data()).get("voice_pending")
    await state.update_data(voice_pending=None)
    if not yes or not text or voice is None:
        await message.answer(t(lang, "voice.confirm.dropped"))
        return
    await _act(message, text, shop, lang, me, state, language, voice, media_dir)


async def _waiting(message: Message, state: FSMContext) -> bool:
    """A bare yes or no, typed while a heard request waits for its answer."""
    if yes_or_no(message.text or "") is None:
        return False
    return bool((await state.get_data()).get("voice_pending"))


def build_router() -> Router:
    router = Router(name="customer.voice")
    router.message.register(on_voice, StateFilter(None), F.voice)
    router.callback_query.register(on_voice_confirm, F.data.in_({VOICE_YES, VOICE_NO}))
    router.message.register(on_typed_answer, StateFilter(None), F.text, _waiting)
    return router
