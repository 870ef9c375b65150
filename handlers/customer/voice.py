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
from aiogram.types import BufferedInputFile, Message

from engine.accounts import UserView
from engine.shop import Shop
from handlers.customer import asking
from handlers.customer.asking import Kind, Question
from handlers.customer.talk import Language, act_on, chat_context, what_it_does
from handlers.i18n import t
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
    return router
