"""The question the chat waits on for a yes or no, as one record in the conversation data.

Whatever the bot asks from words ("Shall I add it to your cart?", a request heard unsurely in
a voice note, "Empty the cart?", "Cancel order #15?", a return's summary) is written here with
what acting on it needs: the words, how they came (typed or heard), the object and the version
the question showed (`seen`). The answer takes it, once: a second answer, a double tap or a
re-delivered update finds nothing and changes nothing. A newer question replaces an older
one; any other message ends it (talk.on_free_text), and so does any other button, command or
note (`EndsQuestion`): a "yes" typed later never answers a question left behind.

The answers: a tap on the question's Yes / No (`AskCb`, naming the question, so a Yes under
an older question finds nothing), or a typed one (`read_answer`, with the words that say yes
to this question only: "place it", "ok send it"). A question shown with its screen's own Yes
("✖ Yes, cancel it", "Yes, empty it") is asked here too, and that Yes carries its key: once
the question is answered, typed or tapped (`answered`, kept for the last few), the Yes says
so and does nothing (`answer_once`).

A message that only gives up what was asked ("never mind", "actually no, forget it":
`drops`) ends a prompt waiting for free text without sending or recording it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Final

from aiogram import BaseMiddleware
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from handlers.conversation import ANSWERED
from handlers.conversation import end_conversation as end_conversation  # for the callers here
from handlers.i18n import t
from nlu.answers import yes_or_no
from nlu.text import words

ASKED: Final = "asked"  # the question waiting, in the conversation data
KEEP_ANSWERED: Final = 20
#: the Yes / No of questions asked before they named themselves (still in chat histories):
#: each answers the words waiting, whichever question asked them
OLD_YES: Final = frozenset({"talk:yes", "voice:yes"})
OLD_NO: Final = frozenset({"talk:no", "voice:no"})


class Kind(StrEnum):
    do = "do"  # words to act on: read unsurely, or heard unsurely (`heard`)
    clear = "clear"  # "Empty the cart?" (`seen`: the cart's version)
    cancel = "cancel"  # "Cancel order #N?" (`ref`: the order; `seen`: its payment status)
    give_back = "return"  # a return's summary (`ref`: the return's key, orders.RETURNING)


@dataclass(frozen=True)
class Question:
    kind: Kind
    words: str = ""
    heard: bool = False  # the words came in a voice note
    ref: str = ""
    seen: str = ""
    key: str = field(default_factory=lambda: uuid.uuid4().hex[:12])


class AskCb(CallbackData, prefix="v1ask"):
    """Yes or No under the question `key` names."""

    key: str
    yes: bool


def _load(raw: Any) -> Question | None:
    if not isinstance(raw, dict):
        return None
    if "kind" in raw:
        return Question(**{**raw, "kind": Kind(raw["kind"])})
    if "clear" in raw:  # as talk.py wrote them before this record
        return Question(Kind.clear, seen=str(raw["clear"]))
    if "cancel" in raw:
        return Question(Kind.cancel, ref=str(raw["cancel"]), seen=str(raw.get("seen", "")))
    return None


async def ask(state: FSMContext, question: Question) -> Question:
    """Wait for the answer to `question` (an older question waiting is dropped)."""
    await state.update_data({ASKED: asdict(question), "voice_pending": None, "pending_text": None})
    return question


async def waiting(state: FSMContext) -> Question | None:
    """The question waiting, left waiting."""
    data = await state.get_data()
    found = _load(data.get(ASKED))
    if found is None and data.get("voice_pending"):  # asked before this record existed
        found = Question(Kind.do, str(data["voice_pending"]), heard=True, key="")
    if found is None and data.get("pending_text"):
        found = Question(Kind.do, str(data["pending_text"]), key="")
    return found


async def take(
    state: FSMContext, *, key: str | None = None, kinds: Iterable[Kind] = tuple(Kind)
) -> Question | None:
    """The question waiting, answered: no longer waiting. None (and nothing dropped) when
    none waits, or it is not the one `key` names, or not of `kinds`."""
    found = await waiting(state)
    if found is None or (key is not None and found.key != key) or found.kind not in set(kinds):
        return None
    await end(state)
    if found.key:
        await _remember(state, found.key)
    return found


async def _remember(state: FSMContext, key: str) -> None:
    kept = (await state.get_data()).get(ANSWERED)
    kept = [k for k in kept if k != key] if isinstance(kept, list) else []
    await state.update_data({ANSWERED: [*kept, key][-KEEP_ANSWERED:]})


async def answered(state: FSMContext, key: str) -> bool:
    """Whether the question `key` names was answered (typed, or by one of its buttons)."""
    kept = (await state.get_data()).get(ANSWERED)
    return isinstance(kept, list) and key in kept


async def answer_once(state: FSMContext, key: str) -> bool:
    """A screen's own Yes under the question `key`: False when that question was answered
    already (its buttons are old); else it is answered now (no longer waiting) and True. A
    question replaced or left behind, never answered, leaves the decision to the engine (the
    Yes carries what the screen showed)."""
    if await answered(state, key):
        return False
    await take(state, key=key)
    await _remember(state, key)
    return True


async def end(state: FSMContext) -> None:
    """No question waits any more (one answered elsewhere: its own button)."""
    data = await state.get_data()
    if any(data.get(k) for k in (ASKED, "voice_pending", "pending_text")):
        await state.update_data({ASKED: None, "voice_pending": None, "pending_text": None})


def yes_no(lang: str, question: Question, yes: str, no: str) -> InlineKeyboardMarkup:
    """The question's Yes / No buttons, labelled by the keys `yes` and `no`."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(lang, yes), callback_data=AskCb(key=question.key, yes=True).pack()
                ),
                InlineKeyboardButton(
                    text=t(lang, no), callback_data=AskCb(key=question.key, yes=False).pack()
                ),
            ]
        ]
    )


#: Words that carry no answer of their own around a yes ("ok, place it please").
_FILLER: Final = frozenset({"please", "pls", "now", "then", "just", "thanks", "thank", "you"})


#: Said around an answer while making up one's mind ("hmm no, keep it actually").
_HESITATION: Final = frozenset(
    {"hmm", "hm", "hmmm", "oh", "ah", "um", "uh", "er", "well", "wait", "actually", "sorry"}
)
#: Keeping what a question would change: a no to it ("keep it" to "Cancel order #15?").
_KEEPS: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "keep it", "keep them", "keep the order", "keep my order", "keep it as it is",
        "keep everything", "leave it be", "leave it as it is", "leave them", "don't cancel",
        "dont cancel", "don't cancel it", "dont cancel it", "do not cancel", "do not cancel it",
        "don't do it", "dont do it", "do not do it", "don't do that", "dont do that",
        # es
        "dejalo asi", "no lo canceles", "mejor dejalo",
    )
)  # fmt: skip


def read_answer(text: str, says_yes: Iterable[str] = ()) -> bool | None:
    """A typed answer to a yes / no question: a bare yes or no (`nlu.answers.yes_or_no`), or
    one of the question's own ways of saying yes (`says_yes`: "place it", "send it"), after a
    yes or not ("ok send it", "yes place the order please"). None for anything else."""
    plain = yes_or_no(text)
    if plain is not None:
        return plain
    kept = [w for w in words(text) if w not in _FILLER and w not in _HESITATION]
    if kept and yes_or_no(kept[0]) is not None and tuple(kept[1:]) in _KEEPS:
        kept = kept[1:]  # "no, keep it", "ok leave it"
    if tuple(kept) in _KEEPS:  # "hmm no, keep it actually": what the question would change stays
        return False
    said = [w for w in words(text) if w not in _FILLER]
    while said and yes_or_no(said[0]) is True:
        said = said[1:]
    own = {tuple(words(phrase)) for phrase in says_yes}
    return True if said and tuple(said) in own else None


#: What gives up the question or prompt, said alone or as every clause ("actually no, forget
#: it"); a bare "no" alone is an answer, not this (`drops`).
_DROPS: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "never mind", "nevermind", "nvm", "forget it", "forget about it", "forget that",
        "cancel", "cancel it", "cancel that", "stop", "abort", "quit", "don't send it",
        "dont send it", "don't send", "leave it", "changed my mind", "i changed my mind",
        "i've changed my mind", "not anymore", "never mind me", "nevermind me",
        "never mind that", "nevermind that", "i'll do it later", "ill do it later",
        "do it later", "maybe later",
        # es
        "olvidalo", "olvidate", "dejalo", "da igual", "no importa", "cancelar", "cancela",
        "cancelalo", "ya no", "mejor no", "cambie de opinion", "no lo envies",
    )
)  # fmt: skip
#: Of those, what gives up more than the answer asked for: the errand it is part of
#: ("cancel", "stop", "I changed my mind", "maybe later"), not only the answer ("never mind",
#: "forget it": `drops_only_the_answer`).
_STOPS: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "cancel", "cancel it", "cancel that", "stop", "abort", "quit", "changed my mind",
        "i changed my mind", "i've changed my mind", "i'll do it later", "ill do it later",
        "do it later", "maybe later",
        # es
        "cancelar", "cancela", "cancelalo", "cambie de opinion",
    )
)  # fmt: skip
_SOFT: Final = frozenset(
    {"actually", "oh", "ok", "okay", "please", "thanks", "thank", "you", "sorry", "well", "um",
     "hmm", "then", "just", "so", "gracias", "perdon", "bueno", "vale"}
)  # fmt: skip


def _only_drops(said: tuple[str, ...]) -> bool:
    """Whether the words are give-ups one after another: "nvm forget it", "never mind stop"."""
    if not said:
        return True
    return any(said[:n] in _DROPS and _only_drops(said[n:]) for n in range(1, len(said) + 1))


def drops(text: str) -> bool:
    """Whether a message only gives up what was asked: "never mind", "stop", "cancel",
    "actually no, forget it", "olvídalo". A bare "no" is not (it may be the answer itself),
    nor anything that says more ("no, it arrived broken")."""
    clauses = [
        said
        for part in re.split(r"[,.;:!?]+", text)
        if (said := tuple(w for w in words(part) if w not in _SOFT))
    ]
    gives_up = [_only_drops(said) for said in clauses]
    bare_no = [yes_or_no(" ".join(said)) is False for said in clauses]
    return any(gives_up) and all(g or n for g, n in zip(gives_up, bare_no, strict=True))


def drops_only_the_answer(text: str) -> bool:
    """A give-up (`drops`) of the answer asked for, not of the errand it is part of: at an
    optional question (the checkout's coupon), "never mind" and "forget it" say "without
    one"; "cancel", "stop", "I changed my mind" still end it."""
    if not drops(text):
        return False
    clauses = (
        tuple(w for w in words(part) if w not in _SOFT) for part in re.split(r"[,.;:!?]+", text)
    )
    return not any(said in _STOPS for said in clauses)


class EndsQuestion(BaseMiddleware):
    """Outer middleware of the customer's messages and buttons: the user moved on (a button
    that is not a question's Yes / No, a command, a photo or a voice note), so no question
    waits any more. A question's own buttons act without it (their data names what they
    act on); typed text is read by talk.on_free_text, which ends it."""

    @staticmethod
    def moves_on(event: TelegramObject) -> bool:
        if isinstance(event, CallbackQuery):
            data = event.data or ""
            return not data.startswith(f"{AskCb.__prefix__}:") and data not in OLD_YES | OLD_NO
        if isinstance(event, Message):
            return event.text is None or event.text.startswith("/")
        return False

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state = data.get("state")
        if isinstance(state, FSMContext) and self.moves_on(event):
            await end(state)
        return await handler(event, data)
