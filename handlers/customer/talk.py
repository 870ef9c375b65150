"""Typing freely: "add two red hoodies", "anything for running under 30 dollars?", "apply
SAVE10", "where's my order 1042", "cancel it".

The language layer (nlu/) only says what the words ask for; this module sends each intent
down the same engine path the buttons use. Nothing that spends money or cannot be undone
happens from words alone: cancelling and checking out get a one-tap confirmation, and an
ambiguous product gets a choice. A change read unsurely, or said as a musing ("maybe add
the lamp?"), is asked about first, naming what it would do. Low confidence or out-of-scope
text becomes a search (a read, never an action) or a helpful answer with the menu.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import reduce
from html import escape
from itertools import takewhile
from pathlib import Path
from typing import Any, Final, Protocol, cast

from aiogram import F, Router
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
from engine.cart import CartLine, CartView, check_quantity
from engine.catalog import MAX_LINE_QUANTITY, Page, Sort
from engine.errors import CouponRejected, InsufficientStock, NotFound, Outdated
from engine.order_actions import OrderAct, followed
from engine.orders import OrderView
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import CartAction, CartCb, OrderAction, OrderCb
from handlers.choices import (
    ORDERS,
    PRODUCTS,
    Shown,
    cheapest,
    orders_shown,
    refers,
    remember,
    remembered,
)
from handlers.customer import asking
from handlers.customer.asking import AskCb, Kind, Question
from handlers.customer.cart import (
    LineEditCb,
    cart_text,
    clear_keys,
    clear_question,
    edit_line,
    lines_keys,
    stale_line,
)
from handlers.customer.catalog import Search, find, send_shelves, show_product, show_results
from handlers.customer.orders import (
    RETURN_SAYS_YES,
    answer_return,
    cancel_keys,
    cancel_question,
    cancelled_text,
    order_keys,
    rate,
)
from handlers.customer.policies import policy_answer
from handlers.customer.profile import send_profile
from handlers.i18n import error_text, has_text, price, t
from nlu import Backend, CatalogIndex, Context, Entities, Intent, ProductMatch, prepare
from nlu.answers import narrow, only_picks, stars_answer
from nlu.backends import with_training_words
from nlu.extract import COLOURS, extract_sort, extract_wanted_count, normalize_colour
from nlu.postprocess import EntityBuilder, removes_everything
from nlu.text import words as words_of
from nlu.topics import help_topics
from nlu.types import DEFAULT_THRESHOLD, STATE_CHANGING, SURE
from storage.vocabulary import OrderPaymentStatus

log = logging.getLogger(__name__)
#: A cart line's count to end with ("i only want 1 white zip hoodie", "set the tee to 0",
#: "make it 3"): read by rule from the words (nlu.extract.extract_wanted_count) on top of
#: what the classifier heard, since "only want 1" is no removal of one.
SET_COUNT: Final = "set_cart_quantity"
#: The readings a count to end with may replace: cart requests, and the ones a product's
#: name alone gives ("set white zip hoodie quantity to 1" is no request for its card).
_MAY_SET: Final = frozenset({"add_to_cart", "remove_from_cart", "product_info", "search"})
REFRESH_SECONDS = 60.0
CHECK_SECONDS = 1.0  # how often the catalog's change marker is read


class Language:
    """The language backend with an up-to-date view of the catalog (refreshed at most once a
    minute, so new products are understood by name soon after they are listed)."""

    def __init__(self, backend: Backend, shop: Shop) -> None:
        self.backend, self.shop = backend, shop
        self._refreshed = 0.0
        self._checked = 0.0
        self._marker: tuple[object, ...] | None = None
        self._lock = asyncio.Lock()
        self._index: CatalogIndex | None = None
        self._searchable: CatalogIndex | None = None  # with the training phrases' words
        self._names: list[set[str]] = []  # each product's name, as words

    async def start(self) -> None:
        """The text model trained (first start on a machine: about a minute) or read from its
        cache in a thread while the bot starts, not on the first message."""
        log.info("loading the text understanding model (the first start on a machine trains it)")
        await asyncio.to_thread(prepare, self.backend)

    async def parse(self, text: str, context: Context) -> Intent:
        await self._refresh()
        return await self.backend.parse(text, context)

    async def search_words(self, text: str) -> str:
        """The words of `text` worth searching the catalog for (CatalogIndex.search_words)."""
        await self._refresh()
        assert self._searchable is not None
        return self._searchable.search_words(text)

    async def names_only(self, text: str) -> bool:
        """Are the words of `text` all catalog words (a product's name typed alone, with
        its colour perhaps: "zip hoodie"), nothing that asks for an action or a count?"""
        await self._refresh()
        index = self._searchable  # everyday words of the training phrases are never names
        assert index is not None
        said = words_of(text)
        if said and any(set(said) <= name for name in self._names):
            return True  # a product's own name, or part of it ("star lamp"), whatever its words
        if said and len(said) <= 6:  # one listed since the last refresh: the catalog knows it
            card = await self.shop.catalog.lookup(" ".join(said))
            if card is not None and set(said) <= set(words_of(card.name)):
                return True
        return bool(said) and all(w in COLOURS or index.canonical(w) is not None for w in said)

    async def matches(self, entities: Entities) -> list[ProductMatch]:
        """Every catalog product the mention of `entities` may mean, best first (not only the
        few an intent keeps: a cart's line among many alike must be among them)."""
        await self._refresh()
        assert self._index is not None
        if not entities.product:
            return []
        attributes = {k: v for k, v in (("colour", entities.colour), ("size", entities.size)) if v}
        found = self._index.resolve(entities.product, attributes, limit=len(self._names) or 1)
        return [ProductMatch(pid, score) for pid, score in found]

    async def wanted_count(self, text: str, intent: Intent, context: Context) -> Intent:
        """`intent` read again as a cart line's count to end with (SET_COUNT: "i only want 1
        white zip hoodie", "make it 3"), with the product said, when the words say such a
        count and ask for nothing else the shop does; else `intent` as it is."""
        wanted = extract_wanted_count(text)
        may_set = intent.name in _MAY_SET or not intent.is_confident()
        if wanted is None or not may_set or intent.negated:
            return intent
        await self._refresh()
        assert self._index is not None
        entities = EntityBuilder(self._index).build(text, "remove_from_cart", context)
        return Intent(
            SET_COUNT,
            max(intent.confidence, SURE),  # the words say the count plainly
            replace(entities, quantity=wanted.value, fraction=None),
            hedged=intent.hedged,
            then=intent.then,
        )

    async def catalog(self) -> CatalogIndex:
        """The live catalog as the language layer sees it (the voice vocabulary's source)."""
        await self._refresh()
        assert self._index is not None
        return self._index

    async def _refresh(self) -> None:
        """Rebuild the language layer's catalog when the shop's changed (a product listed a
        moment ago is understood by name at once), and at least every REFRESH_SECONDS (the
        coupon codes). The check is one indexed query, at most once a second."""
        now = time.monotonic()
        if now - self._checked < CHECK_SECONDS and now - self._refreshed < REFRESH_SECONDS:
            return
        async with self._lock:
            now = time.monotonic()
            if now - self._checked < CHECK_SECONDS and now - self._refreshed < REFRESH_SECONDS:
                return
            self._checked = now
            marker = await self.shop.catalog.changed_marker()
            if marker == self._marker and now - self._refreshed < REFRESH_SECONDS:
                return
            self._marker = marker
            rows = await self.shop.catalog.index_rows()
            categories = [c.name for c in await self.shop.catalog.categories()]
            codes = await self.shop.coupons.codes()  # so "save ten" can be heard as SAVE10
            index = CatalogIndex.build(rows, categories, coupons=codes)
            self._names = [set(words_of(name)) for _, name, _ in rows]
            self._index = index
            self._searchable = with_training_words(index)
            for part in (
                self.backend,
                getattr(self.backend, "primary", None),
                getattr(self.backend, "fallback", None),
            ):
                if part is not None and hasattr(part, "use_catalog"):
                    part.use_catalog(index)
            self._refreshed = time.monotonic()


async def chat_context(state: FSMContext) -> Context:
    data = await state.get_data()
    return Context(
        last_product_id=data.get("last_product_id"), last_order_id=data.get("last_order_id")
    )


class Heard:
    """A voice note's message, answered like typed text but with what was heard in front of
    the first answer: `🎙 “add two red hoodies” → Added 2 × Red Hoodie…`. Everything else is
    the message's own."""

    def __init__(self, message: Message, heard: str) -> None:
        self._message = message
        self._prefix: str | None = f"🎙 “{escape(heard)}” → "
        self.first_answer: str | None = None  # the first answer's text, without the prefix

    def _prefixed(self, text: str) -> str:
        prefix, self._prefix = self._prefix, None
        if prefix is None:
            return text
        self.first_answer = text
        return prefix + text

    def answer(self, text: str, **kwargs: Any) -> Any:
        return self._message.answer(self._prefixed(text), **kwargs)

    def answer_photo(self, photo: Any, caption: str | None = None, **kwargs: Any) -> Any:
        return self._message.answer_photo(photo, caption=self._prefixed(caption or ""), **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message, name)


@dataclass(frozen=True)
class Said:
    """One understood request and what answering it needs: each intent's handler gets one."""

    message: Message
    shop: Shop
    lang: str
    me: UserView
    state: FSMContext
    intent: Intent
    text: str
    language: Language
    media_dir: Path | None = None


async def on_free_text(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    media_dir: Path | None = None,
    voice: Speaker | None = None,
) -> None:
    text = (message.text or "").strip()[:500]
    data = await state.get_data()
    typed = data.get("stars_typed")  # "How many stars?" was the last question asked
    if typed:
        await state.update_data(stars_typed=None)  # the next message only
        stars = stars_answer(text)
        if stars is not None and data.get("review_stars") == typed[0]:
            said, keys = await rate(shop, lang, me, state, int(typed[0]), stars, int(typed[1]))
            await message.answer(said, reply_markup=keys)
            return
    if data.get("which"):  # "Which one?" was asked: "the red one", "the second" answer it
        await state.update_data(which=None)
        offered, qty = data["which"], data.get("which_qty") or 1
        names = data.get("which_names") or []
        # an answer names one of them; "remove the sand rain jacket" is a request of its own
        chosen = narrow(text, names) if only_picks(text, names) else []
        edit, seen = data.get("which_edit"), data.get("which_seen") or []
        if edit is not None and len(seen) == len(offered) and 0 < len(chosen) < len(offered):
            # "Which one?" among the cart's lines: the one picked gets the edit asked for
            picked = [(offered[i], data["which_names"][i], seen[i]) for i in chosen]
            if len(picked) == 1:
                await _edit_picked(message, shop, lang, me, state, picked[0], edit)
            else:
                await _ask_lines(message, lang, state, picked, edit.get("to"), edit.get("take"))
            return
        if edit is None and len(chosen) == 1:
            await show_product(
                message,
                shop,
                lang,
                offered[chosen[0]],
                qty=qty,
                edit=False,
                media_dir=media_dir,
                viewer=me.id,
            )
            return
        if edit is None and 1 < len(chosen) < len(offered):  # "the white one" of two: which?
            await _ask_which(message, shop, lang, state, [offered[i] for i in chosen], qty)
            return
    question = await asking.waiting(state)
    answer = asking.read_answer(text, SAYS_YES.get(question.kind, ()) if question else ())
    if question is not None:
        if answer is None:  # any message ends the question
            await asking.end(state)
        else:  # a yes / no answers it: its buttons are old now (asking.answer_once)
            await asking.take(state)
            await answer_question(
                message, question, answer, shop, lang, me, state, language, voice, media_dir
            )
            return
    if answer is not None:
        # a bare yes or no answers a question, and no question waits: "cancel" and "stop"
        # end whatever was under way, as /cancel does; the rest is pointed at the buttons
        if answer is False and _STOP.match(text):
            await asking.end_conversation(state)  # the coupon kept for checkout stays
            await message.answer(t(lang, "cancelled"), reply_markup=kb.main_menu(lang))
        elif answer is False:  # "never mind" with nothing waiting: nothing to drop
            await message.answer(
                t(lang, "talk.nothing_waiting"),
                reply_markup=kb.main_menu(lang, store=kb.has_store(message)),
            )
        else:
            await message.answer(t(lang, "talk.yes_no"))
        return
    await understand(message, text, shop, lang, me, state, language, media_dir=media_dir)


_STOP = re.compile(r"^\W*(?:cancel|stop)\W*$", re.IGNORECASE)

#: A message that only thanks ("thanks!", "thank you so much", "thanks for the quick answer
#: earlier!"): nothing in it is a request ("thanks, add the lamp" is read as usual).
_THANKS: Final = re.compile(
    r"^\W*(?:many\s+|big\s+|muchas\s+|mil\s+)?"
    r"(?:thanks|thank\s+you|thankyou|thx|tnx|ty|cheers|ta|much\s+appreciated|appreciate\s+it"
    r"|gracias)"
    r"(?:\s+(?:so\s+much|a\s+lot|very\s+much|again|a\s+bunch|a\s+ton|mate|all|guys|team))*"
    r"(?:\W*$|\s+(?:for|por)\b[^,;]*$)",
    re.IGNORECASE,
)


async def understand(
    message: Message | Heard,
    text: str,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    *,
    media_dir: Path | None = None,
    confirmed: bool = False,
) -> None:
    """Typed or heard words, down the same path: parse, then the intent's handler (or a
    search, or a helpful answer, when the words are not confidently a shop request);
    `media_dir`: where product photos are, so a card opened by words shows them as a
    card opened by a button does. A request that would change something at once but was
    read with little confidence is asked about first ("Shall I …?"), unless `confirmed`
    (the answer Yes to that question)."""
    message = cast(Message, message)
    if _THANKS.match(text):  # "thanks for the quick answer!": a kind word back, no search
        await message.answer(
            t(lang, "talk.thanks"), reply_markup=kb.main_menu(lang, store=kb.has_store(message))
        )
        return
    shown = await remembered(state)
    place = None if shown is None or not _pickable(shown) else refers(text, shown)
    if shown is not None and place is not None:  # "the first one" of the list shown last
        await _pick_shown(message, shop, lang, me, state, language, shown, place, media_dir)
        return
    intent = await language.parse(text, await chat_context(state))
    # What people type is personal data: its words only at DEBUG, its shape at INFO.
    log.info("understood %d characters as %s (%.2f)", len(text), intent.name, intent.confidence)
    log.debug("understood %r as %s", text, intent.name)
    intent = await language.wanted_count(text, intent, await chat_context(state))
    if (
        intent.name != SET_COUNT
        and intent.entities.quantity is None
        and await language.names_only(text)
    ):
        # a product's name alone asks for nothing to be done with it (whatever the
        # classifier guessed from its words): its card, or the results
        await _named(message, shop, lang, me, state, text, language, media_dir)
        return
    if intent.negated:  # "don't add the kettle": nothing is done, and the user is told so
        if intent.negated == "apply_coupon":  # "OK, no coupon": one given before is dropped
            await state.update_data(coupon=None)
        key = f"talk.negated.{intent.negated}"
        await message.answer(
            t(lang, key if has_text(lang, key) else "talk.negated"),
            reply_markup=kb.main_menu(lang, store=kb.has_store(message)),
        )
        return
    if not intent.is_confident():
        # words of products (new ones the language layer has not seen yet too) are searched;
        # a sentence clearly about something else ("book me a flight") that finds nothing is
        # told what the shop can do
        off_topic = intent.out_of_scope and intent.confidence >= DEFAULT_THRESHOLD
        off_topic = off_topic and len(words_of(text)) > 1
        await _search_or_help(message, shop, lang, state, text, language, off_topic=off_topic)
        return
    steps = list(takewhile(Intent.is_confident, (intent, *intent.then)))
    if not await _counts_allowed(message, lang, steps):
        return
    # a cart edit means the cart's lines: what the question names and whether a "Which
    # one?" comes, by the lines that match now
    steps = [await _held(shop, me, language, step, text) for step in steps]
    # a request read unsurely, or said as a musing ("maybe add the lamp?"), is asked about
    # first, naming all it would do; one whose handler asks its own question needs none
    acting = [step for step in steps if not asks_its_own(step, text)]
    if not confirmed and any(not step.is_sure() or step.hedged for step in acting):
        question = await asking.ask(state, Question(Kind.do, text))
        unsure = any(step.confidence < SURE for step in acting)
        await message.answer(
            t(
                lang,
                "talk.confirm" if unsure else "talk.confirm.hedged",
                said=escape(text[:200]),
                action=await what_it_does(shop, lang, acting),
            ),
            reply_markup=asking.yes_no(lang, question, "talk.confirm.yes", "talk.confirm.no"),
        )
        return
    # "add 2 hoodies and check out": each request in order; a request that spends money or
    # cannot be undone still asks its own one-tap confirmation
    for step in steps:
        handler = INTENTS.get(step.name, _unsupported)
        await handler(Said(message, shop, lang, me, state, step, text, language, media_dir))


async def _counts_allowed(message: Message, lang: str, steps: list[Intent]) -> bool:
    """Whether every count asked to be added is one the cart takes: a count out of range
    ("add 0", "add -3", "add 100000") is refused as the buttons refuse it (`InvalidInput`,
    which says the range), one that is no whole number ("add 2.5") is answered so; either
    way before anything is done or asked."""
    for step in steps:
        if step.name not in ("add_to_cart", "remove_from_cart"):
            continue
        if step.entities.fraction is not None:
            whole = "talk.quantity.whole" + (".remove" if step.name == "remove_from_cart" else "")
            await message.answer(
                t(lang, whole, min=1, max=MAX_LINE_QUANTITY),
                reply_markup=kb.main_menu(lang, store=kb.has_store(message)),
            )
            return False
        if step.entities.quantity is not None:
            check_quantity(step.entities.quantity)  # as typed: never turned into 1
    return True


async def what_it_does(shop: Shop, lang: str, steps: Iterable[Intent]) -> str:
    """What doing `steps` would do, in words that name it: "add 2 × Teal Desk Lamp to your
    cart", "apply the code SAVE10", one after another ("…, then …")."""
    said: list[str] = []
    for step in steps:
        key = f"talk.confirm.{step.name}"
        e = step.entities
        best = sorted(e.best_products())
        cards = await shop.catalog.cards(best) if len(best) == 1 else []
        if step.name == "apply_coupon" and e.coupon_code:
            said.append(t(lang, f"{key}.named", code=escape(e.coupon_code)))
        elif cards and e.quantity is not None and has_text(lang, f"{key}.counted"):
            said.append(t(lang, f"{key}.counted", qty=e.quantity, name=escape(cards[0].name)))
        elif cards and has_text(lang, f"{key}.named"):
            qty = 1 if e.quantity is None else e.quantity
            said.append(t(lang, f"{key}.named", qty=qty, name=escape(cards[0].name)))
        elif has_text(lang, key):
            said.append(t(lang, key))
    if not said:
        return ""
    return reduce(lambda first, then: t(lang, "talk.confirm.then", first=first, then=then), said)


class Speaker(Protocol):
    """What answers a voice note by voice (voice.Voice): injected as `voice` when voice notes
    are on."""

    replies: bool

    async def speak(self, html: str) -> tuple[BufferedInputFile, int] | None: ...


async def act_on(
    message: Message,
    text: str,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    *,
    heard: bool = False,
    confirmed: bool = False,
    voice: Speaker | None = None,
    media_dir: Path | None = None,
) -> None:
    """Words understood and done (`understand`); words heard in a voice note are shown in
    front of the first answer (`Heard`), and that answer is spoken too when voice replies are
    on."""
    reply = Heard(message, text) if heard else message
    await understand(
        reply, text, shop, lang, me, state, language, media_dir=media_dir, confirmed=confirmed
    )
    if isinstance(reply, Heard) and voice is not None and voice.replies and reply.first_answer:
        spoken = await voice.speak(reply.first_answer)
        if spoken is not None:
            await message.answer_voice(spoken[0], duration=spoken[1])


#: A question's own ways of saying yes, besides a bare yes ("cancel it" to "Cancel order?").
SAYS_YES: dict[Kind, tuple[str, ...]] = {
    Kind.do: ("do it", "do that"),
    Kind.clear: ("empty it", "clear it", "empty my cart", "empty the cart", "vacialo"),
    Kind.cancel: ("cancel it", "cancel the order", "cancel my order", "cancelalo"),
    Kind.give_back: RETURN_SAYS_YES,
}


async def answer_question(
    message: Message,
    question: Question,
    yes: bool,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    voice: Speaker | None = None,
    media_dir: Path | None = None,
) -> None:
    """The answer to the question that waited (taken already, so it is answered once),
    tapped or typed: Yes does what the question asked, by the same engine call as its own
    button, for the cart or the order as the question showed it (a changed one is refused,
    Outdated); No changes nothing."""
    if question.kind == Kind.give_back:  # the return's summary: ✅ or ✖
        await answer_return(message, question.ref, yes, shop, lang, me, state)
        return
    if not yes:
        dropped = "voice.confirm.dropped" if question.heard else "talk.confirm.dropped"
        await message.answer(t(lang, dropped))
        return
    if question.kind == Kind.do:
        await act_on(
            message,
            question.words,
            shop,
            lang,
            me,
            state,
            language,
            heard=question.heard,
            confirmed=True,
            voice=voice,
            media_dir=media_dir,
        )
    elif question.kind == Kind.clear:
        view = await shop.carts.clear(me.id, seen=question.seen)
        text = await cart_text(shop, lang, me, state, view)
        await message.answer(text, reply_markup=kb.cart(lang, view))
    else:
        order = await shop.orders.cancel(
            me.id, int(question.ref), seen=OrderPaymentStatus(question.seen)
        )
        await message.answer(
            cancelled_text(lang, order) + "\n\n" + render.order(lang, order),
            reply_markup=await order_keys(shop, lang, me, order),
        )


async def on_answer_tapped(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    callback_data: AskCb | None = None,
    media_dir: Path | None = None,
    voice: Speaker | None = None,
) -> None:
    """Yes or No under a question: the question it names (`callback_data`), if it still
    waits; or, under a question asked before questions named themselves (talk:yes,
    voice:yes), the words waiting, if any."""
    if callback_data is None:
        question = await asking.take(state, kinds={Kind.do})
        yes = query.data in asking.OLD_YES
    else:
        question = await asking.take(state, key=callback_data.key)
        yes = callback_data.yes
    message = query.message
    if not isinstance(message, Message):  # nowhere to answer: the question is dropped
        await query.answer()
        return
    if question is None:  # answered before (a double tap, a typed answer), or replaced
        await query.answer(t(lang, "asked.none"))
        return
    await query.answer()
    await answer_question(message, question, yes, shop, lang, me, state, language, voice, media_dir)


async def _named(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    text: str,
    language: Language,
    media_dir: Path | None,
) -> None:
    """A product's name typed alone: the card of the one product it names clearly (as the
    engine ranks a search), else the results of searching for it, as every search is shown."""
    words = await language.search_words(text) or text
    card = await shop.catalog.lookup(words)
    if card is None:
        await show_results(message, shop, lang, state, Search(words=words), words.strip()[:100])
        return
    await state.update_data(last_product_id=card.product_id)
    await show_product(
        message, shop, lang, card.product_id, qty=1, edit=False, media_dir=media_dir, viewer=me.id
    )


#: The request a button of "Which order do you mean?" carries on, by what it was asked for.
_ORDER_REQUESTS: Final = {
    OrderAct.track: "track_order",
    OrderAct.cancel: "cancel_order",
    OrderAct.return_items: "return_order",
    OrderAct.review: "leave_review",
}


def _pickable(shown: Shown) -> bool:
    """Whether an item of `shown` can be picked by words: a product, or an order offered
    for one of the requests of _ORDER_REQUESTS."""
    if shown.kind == PRODUCTS:
        return True
    return shown.kind == ORDERS and shown.act in {act.value for act in _ORDER_REQUESTS}


async def _pick_shown(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
    shown: Shown,
    place: int,
    media_dir: Path | None,
) -> None:
    """The item of the list shown last that a typed reference means, picked as its button
    picks it: a product's card (the engine says so when it is gone or hidden now), or the
    request the orders were offered for, on that order (the engine refuses it by number when
    the order cannot take it any more)."""
    chosen = shown.ids[place]
    if shown.kind == PRODUCTS:
        await state.update_data(last_product_id=chosen)
        await show_product(
            message,
            shop,
            lang,
            chosen,
            qty=shown.qty,
            edit=False,
            media_dir=media_dir,
            viewer=me.id,
        )
        return
    name = _ORDER_REQUESTS[OrderAct(str(shown.act))]  # _pickable
    step = Intent(name, 1.0, Entities(order_id=chosen))
    await INTENTS[name](Said(message, shop, lang, me, state, step, "", language, media_dir))


async def _search_or_help(
    message: Message,
    shop: Shop,
    lang: str,
    state: FSMContext,
    text: str,
    language: Language,
    *,
    off_topic: bool = False,
) -> None:
    """Words that are no clear request: a search for the catalog words in them (never for
    the whole sentence, whose other words match anything), or else the menu; a sentence
    about something else that finds nothing hears what the shop can do."""
    words = await language.search_words(text)
    found = await find(shop, Search(words=words)) if words else None
    if off_topic and (found is None or not found.items):
        await message.answer(
            t(lang, "talk.off_topic"), reply_markup=kb.main_menu(lang, store=kb.has_store(message))
        )
        return
    if found is None:
        await message.answer(
            t(lang, "talk.not_understood"),
            reply_markup=kb.main_menu(lang, store=kb.has_store(message)),
        )
        return
    if not found.items:  # shop words, nothing sold under them: say so, as a search does
        await message.answer(
            t(lang, "search.none", query=escape(words)),
            reply_markup=kb.main_menu(lang, store=kb.has_store(message)),
        )
        return
    await show_results(message, shop, lang, state, Search(words=words), words, found)


async def _greet(said: Said) -> None:
    await said.message.answer(
        render.welcome(said.lang, said.me),
        reply_markup=kb.main_menu(said.lang, store=kb.has_store(said.message)),
    )


async def _help(said: Said) -> None:
    """Help: about delivery, payment or returns, the shop's own rules (nlu.topics); about the
    account, the profile with its buttons; else what the bot can do."""
    topics = help_topics(said.text)
    if topics[:1] == ["account"]:
        await said.message.answer(t(said.lang, "help.account"))
        await send_profile(said.message, said.shop, said.lang, said.me)
        return
    if not topics:
        text = t(said.lang, "help")
    else:  # "what payment methods do you take and how long is delivery": both answered
        policies = await said.shop.policies.view()
        text = "\n\n".join(
            policy_answer(said.lang, topic, policies) for topic in topics if topic != "account"
        )
    await said.message.answer(
        text, reply_markup=kb.main_menu(said.lang, store=kb.has_store(said.message))
    )


async def _search(said: Said) -> None:
    """A search, shown as every search is: the product words (with the colour, and the
    category when both are said), else the category, within the price range said; a search
    that finds nothing says so."""
    e = said.intent.entities
    category_id = None
    if e.category:
        category_id = next(
            (
                c.category_id
                for c in await said.shop.catalog.categories()
                if c.name.lower() == e.category.lower()
            ),
            None,
        )
    words = " ".join(w for w in (e.colour, e.product) if w)
    if words and e.category:
        words, category_id = f"{words} {e.category}", None
    if not words and category_id is None and e.price_min is None and e.price_max is None:
        words = await said.language.search_words(said.text)
        if not set(words_of(words)) - _THE_WHOLE_SHOP:
            # "what do you sell", "show me your categories": the shelves, not a search for
            # the words "sell" or "categories"
            await send_shelves(said.message, said.shop, said.lang)
            return
    sort = Sort(e.sort) if e.sort else None  # "cheap hoodies": cheapest first
    search = Search(words, category_id, e.price_min, e.price_max, sort=sort)
    # the heading names what was searched for ("kettles", "hoodies under $40"), never the
    # whole sentence ("do you sell kettles")
    what = words if words or category_id is None else e.category or ""
    label = _search_label(said.lang, what, e.price_min, e.price_max)
    await show_results(said.message, said.shop, said.lang, said.state, search, label)


def _search_label(lang: str, what: str, low: Decimal | None, high: Decimal | None) -> str:
    """A search's terms for its heading: the words or the category, within its prices."""
    what = what.strip()[:100] or t(lang, "search.label.anything")
    if low is not None and high is not None:
        low_, high_ = price(low, lang=lang), price(high, lang=lang)
        return t(lang, "search.label.between", what=what, min=low_, max=high_)
    if high is not None:
        return t(lang, "search.label.under", what=what, max=price(high, lang=lang))
    if low is not None:
        return t(lang, "search.label.over", what=what, min=price(low, lang=lang))
    return what


#: Words that name the whole shop rather than something in it.
_THE_WHOLE_SHOP = frozenset(
    {"categories", "category", "catalogue", "catalog", "products", "product", "items", "item",
     "everything", "stuff", "things", "range", "goods", "sell", "selling", "shop", "store"}
)  # fmt: skip


async def _ask_which(
    message: Message, shop: Shop, lang: str, state: FSMContext, ids: list[int], qty: int
) -> bool:
    """ "Which one do you mean?" with the products `ids` as buttons (a card opened from it
    starts at `qty`); a typed answer ("the red one", "the second") is read against them
    (on_free_text). False when none of them can be shown."""
    cards = await shop.catalog.cards(ids)
    if not cards:
        return False
    choice = Page(cards, len(cards), 1, len(cards))
    names, prices = tuple(c.name for c in cards), tuple(c.unit_price for c in cards)
    shown_ids = tuple(c.product_id for c in cards)
    await remember(state, Shown(PRODUCTS, shown_ids, names, prices, qty=qty))
    await state.update_data(
        which=[c.product_id for c in cards],
        which_names=[c.name for c in cards],
        which_qty=qty,
        which_edit=None,
        which_seen=None,
    )
    await message.answer(
        t(lang, "talk.which"), reply_markup=kb.product_list(lang, choice, "choice", qty=qty)
    )
    return True


async def _one_product(
    message: Message,
    shop: Shop,
    lang: str,
    state: FSMContext,
    intent: Intent,
    text: str,
    language: Language,
    qty: int = 1,
) -> int | None:
    """The product the words mean, or None after offering a choice (the tied products, as
    any results are shown; a card opened from it starts at `qty`), or the results of a search
    for the catalog words said, or saying none fits."""
    best = sorted(intent.entities.best_products())
    if len(best) == 1:
        return best[0]
    order = extract_sort(text)
    if order is not None and len(best) > 1:  # "3 of the cheapest usb-c ones": that one
        cards = await shop.catalog.cards(best)
        place = cheapest([c.unit_price for c in cards], dearest=order == "price_desc")
        if place is not None and len(cards) == len(best):
            return cards[place].product_id
    if await _ask_which(message, shop, lang, state, best, qty):
        return None
    words = await language.search_words(text)
    found = await find(shop, Search(words=words)) if words else None
    if found is not None and found.items:
        await show_results(message, shop, lang, state, Search(words=words), words, found)
    else:
        await message.answer(
            t(lang, "talk.no_product"), reply_markup=kb.main_menu(lang, store=kb.has_store(message))
        )
    return None


async def _card(said: Said, product_id: int) -> None:
    """The product's card, as a button opens it (its photos and buttons)."""
    await show_product(
        said.message,
        said.shop,
        said.lang,
        product_id,
        qty=1,
        edit=False,
        media_dir=said.media_dir,
        viewer=said.me.id,
    )


async def _product_info(said: Said) -> None:
    product_id = await _one_product(
        said.message, said.shop, said.lang, said.state, said.intent, said.text, said.language
    )
    if product_id is not None:
        await said.state.update_data(last_product_id=product_id)
        await _card(said, product_id)


async def _add_to_cart(said: Said) -> None:
    quantity = 1 if said.intent.entities.quantity is None else said.intent.entities.quantity
    check_quantity(quantity)  # as typed: "-5" or "1e9" is answered, never turned into 1
    product_id = await _one_product(
        said.message,
        said.shop,
        said.lang,
        said.state,
        said.intent,
        said.text,
        said.language,
        quantity,
    )
    if product_id is None:
        return
    try:
        cart = await said.shop.carts.add(said.me.id, product_id, quantity)
    except InsufficientStock as short:
        items = short.params.get("items") or [{}]
        if items[0].get("available") != 0:
            raise  # some are left: the usual answer says how many
        # sold out: say so, and show its card, whose buttons offer to hear when it is back
        cards = await said.shop.catalog.cards([product_id])
        await said.message.answer(
            t(said.lang, "product.sold_out.now", name=escape(cards[0].name if cards else ""))
        )
        await _card(said, product_id)
        return
    await said.state.update_data(last_product_id=product_id)
    name = next((line.name for line in cart.lines if line.product_id == product_id), "")
    added = t(said.lang, "product.added", qty=quantity, name=escape(name))
    await said.message.answer(
        await _cart_text(said, cart, head=added), reply_markup=kb.cart(said.lang, cart)
    )


async def _remove_from_cart(said: Said) -> None:
    if not said.intent.entities.products and removes_everything(said.text):
        # "empty my cart": the cart screen's own question, with the cart as it is now
        view = await said.shop.carts.view(said.me.id)
        if view.lines:  # a typed "yes" too; its Yes names the question (answered once)
            question = await asking.ask(said.state, clear_question(view))
            await said.message.answer(
                render.cart_clear_question(said.lang, view),
                reply_markup=clear_keys(said.lang, view, question),
            )
        else:
            await said.message.answer(
                await _cart_text(said, view), reply_markup=kb.cart(said.lang, view)
            )
        return
    # a count takes that many out ("remove one of the lamps"); none takes the whole line
    await _edit_held(said, to=None, take=said.intent.entities.quantity)


async def _set_count(said: Said) -> None:
    """A line's count to end with ("i only want 1 white zip hoodie", "make it 3"): set as
    the cart's − / + set it (0 removes it; more than the stock is refused as they refuse it)."""
    await _edit_held(said, to=said.intent.entities.quantity, take=None)


async def _lines_meant(language: Language, cart: CartView, e: Entities) -> list[CartLine] | None:
    """The cart's lines a cart edit's words mean: among the lines that match the product
    said, those that match it best (a colour said is in the line's name). Empty when the
    cart has none of it; None when no product was said nor shown before ("make it 3")."""
    if e.product:
        said = await language.matches(e)
    elif e.products:  # "remove it": the product the chat showed last
        said = list(e.products)
    else:
        return None
    held = {line.product_id: line for line in cart.lines}
    scored = [(m.score, held[m.product_id]) for m in said if m.product_id in held]
    if e.colour and e.product:
        scored = [
            (score, line)
            for score, line in scored
            if e.colour in {normalize_colour(w) for w in words_of(line.name)}
        ]
    if not scored:
        return []
    top = max(score for score, _ in scored)
    return [line for score, line in scored if score >= top - 1e-9]


async def _held(shop: Shop, me: UserView, language: Language, step: Intent, text: str) -> Intent:
    """A cart edit's step with the products it names narrowed to the cart's lines it means
    (so one line matched is known for sure, and named in a "Shall I …?"); other steps as
    they are."""
    edits = step.name == SET_COUNT or (
        step.name == "remove_from_cart"
        and not (removes_everything(text) and not step.entities.products)
    )
    if not edits:
        return step
    lines = await _lines_meant(language, await shop.carts.view(me.id), step.entities)
    if not lines:  # none held: the handler says so, naming what was said
        return step
    products = tuple(ProductMatch(line.product_id, 1.0) for line in lines)
    return replace(step, entities=replace(step.entities, products=products))


async def _edit_held(said: Said, *, to: int | None, take: int | None) -> None:
    """A typed cart edit on the cart's line it means: done on the one line that matches;
    "Which one?" among the lines when several do (the pick does it); the cart, said to have
    none of it, when none does."""
    cart = await said.shop.carts.view(said.me.id)
    lines = await _lines_meant(said.language, cart, said.intent.entities)
    if lines is None:  # nothing named: the cart's lines are what it can mean
        lines = list(cart.lines)
    if not lines:
        e = said.intent.entities
        what = e.product
        if not what and e.products:
            cards = await said.shop.catalog.cards([e.products[0].product_id])
            what = cards[0].name if cards else ""
        head = (
            t(said.lang, "talk.cart.none_of", product=escape(what or ""))
            if cart.lines and what
            else ""
        )
        await said.message.answer(
            await _cart_text(said, cart, head=head), reply_markup=kb.cart(said.lang, cart)
        )
        return
    if len(lines) > 1:
        picked = [(line.product_id, line.name, line.quantity) for line in lines]
        await _ask_lines(said.message, said.lang, said.state, picked, to, take)
        return
    line = lines[0]
    await said.state.update_data(last_product_id=line.product_id)
    edit = LineEditCb(
        id=line.product_id, seen=line.quantity, to=-1 if to is None else to, take=take or 0
    )
    cart = await edit_line(said.shop, said.me, edit)
    await said.message.answer(await _cart_text(said, cart), reply_markup=kb.cart(said.lang, cart))


async def _ask_lines(
    message: Message,
    lang: str,
    state: FSMContext,
    lines: list[tuple[int, str, int]],
    to: int | None,
    take: int | None,
) -> None:
    """ "Which one do you mean?" among cart lines (product id, name, quantity shown): a
    button each that does the edit (`to`: the count to end with, else `take` out, None: all),
    and a typed answer ("the red one", "the second") read against them (on_free_text)."""
    await remember(state, None)  # read by the question's own answer (on_free_text) only
    await state.update_data(
        which=[pid for pid, _, _ in lines],
        which_names=[name for _, name, _ in lines],
        which_seen=[qty for _, _, qty in lines],
        which_qty=1,
        which_edit={"to": to, "take": take},
    )
    await message.answer(t(lang, "talk.which"), reply_markup=lines_keys(lines, to, take))


async def _edit_picked(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    line: tuple[int, str, int],
    edit: dict[str, Any],
) -> None:
    """The cart line typed as the answer to "Which one?" gets the edit asked for, on the line
    as the question showed it: one gone or changed since stays, and that is said."""
    to, take = edit.get("to"), edit.get("take")
    asked = LineEditCb(
        id=line[0], seen=line[2], to=-1 if to is None else int(to), take=int(take or 0)
    )
    head = ""
    try:
        cart = await edit_line(shop, me, asked)
    except (NotFound, Outdated) as old:
        said = stale_line(lang, old)
        if said is None:
            raise
        head, cart = said, await shop.carts.view(me.id)
    text = await cart_text(shop, lang, me, state, cart, head=head)
    await message.answer(text, reply_markup=kb.cart(lang, cart))


async def _cart_text(said: Said, cart: CartView, *, head: str = "") -> str:
    """The cart as every screen of it shows it (cart.cart_text: with the coupon kept)."""
    return await cart_text(said.shop, said.lang, said.me, said.state, cart, head=head)


async def _view_cart(said: Said) -> None:
    cart = await said.shop.carts.view(said.me.id)
    await said.message.answer(await _cart_text(said, cart), reply_markup=kb.cart(said.lang, cart))


async def _wishlist(said: Said) -> None:
    if said.intent.name == "add_to_wishlist":
        product_id = await _one_product(
            said.message, said.shop, said.lang, said.state, said.intent, said.text, said.language
        )
        if product_id is None:
            return
        await said.shop.wishlists.add(said.me.id, product_id)
        await said.message.answer(t(said.lang, "product.wished"))
        return
    from handlers.customer.catalog import on_wishlist

    await on_wishlist(said.message, said.shop, said.lang, said.me, said.state)


async def _apply_coupon(said: Said) -> None:
    code = said.intent.entities.coupon_code
    if not code:
        await said.message.answer(t(said.lang, "talk.which_coupon"))
        return
    cart = await said.shop.carts.view(said.me.id)
    applied = (await said.state.get_data()).get("coupon")
    try:  # an order takes one coupon: one given before is replaced, and that is said
        choice = await said.shop.coupons.apply(said.me.id, code, cart.subtotal, applied=applied)
    except CouponRejected as refused:
        text = error_text(said.lang, refused)
        if applied:
            text += "\n" + t(said.lang, "checkout.coupon.still", code=escape(str(applied)))
        await said.message.answer(text)
        return
    quote = choice.quote
    await said.state.update_data(coupon=quote.code)
    text = render.coupon(said.lang, quote, at_checkout=False)
    if choice.replaces is not None:
        saves = price(quote.discount, lang=said.lang)
        replaced = (
            t(
                said.lang,
                "checkout.coupon.replaced_lapsed",
                code=escape(quote.code),
                old=escape(choice.replaces),
                discount=saves,
            )
            if choice.replaced_discount is None
            else t(
                said.lang,
                "checkout.coupon.replaced",
                code=escape(quote.code),
                old=escape(choice.replaces),
                discount=saves,
                before=price(choice.replaced_discount, lang=said.lang),
            )
        )
        text = replaced + "\n\n" + text
    await said.message.answer(text, reply_markup=kb.cart(said.lang, cart))


async def _checkout(said: Said) -> None:
    cart = await said.shop.carts.view(said.me.id)
    if not cart.lines:
        await said.message.answer(
            t(said.lang, "cart.empty"),
            reply_markup=kb.main_menu(said.lang, store=kb.has_store(said.message)),
        )
        return
    confirm = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(said.lang, "cart.checkout"),
                    callback_data=CartCb(action=CartAction.checkout).pack(),
                )
            ]
        ]
    )
    await said.message.answer(await _cart_text(said, cart), reply_markup=confirm)


NO_ORDER = {
    OrderAct.cancel: "talk.no_order.cancel",
    OrderAct.track: "orders.none",
    OrderAct.return_items: "talk.return_order",
    OrderAct.review: "talk.leave_review",
}


#: what a button of "which order?" opens, by request (else the order's page)
CHOSEN_FOR = {OrderAct.track: OrderAction.track, OrderAct.cancel: OrderAction.ask_cancel}


async def _the_order(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    act: OrderAct,
) -> OrderView | None:
    """The one order a request means, as the engine chooses it: the order typed (refused by
    number when it is not theirs or cannot take the request), else the one the chat showed
    last if it can, else the only one that can. None after asking which (their buttons) or
    saying that none can."""
    e = intent.entities
    remembered = "order_id" in e.from_context
    # products named ("cancel the kettles") choose among the orders that hold them; a
    # product remembered from the chat does not
    holding = () if "product" in e.from_context else e.product_ids
    views = await shop.orders.choose(
        me.id,
        act,
        None if remembered else e.order_id,
        hint=e.order_id if remembered else None,
        holding=holding,
    )
    if len(views) == 1:
        await state.update_data(last_order_id=views[0].order_id)
        return views[0]
    if views:  # the chosen one goes where the request does: its tracking, the cancel question
        opens = CHOSEN_FOR.get(act, OrderAction.show)
        markup = kb.orders(lang, views[:8], opens)
        # "the first one" picks as its button does: kept as shown
        await remember(state, orders_shown(views[:8], act.value))
        await message.answer(t(lang, "talk.which_order"), reply_markup=markup)
    else:
        key = "talk.no_order_holding" if holding else NO_ORDER[act]
        await message.answer(
            t(lang, key, product=escape(e.product or "")),
            reply_markup=kb.main_menu(lang, store=kb.has_store(message)),
        )
    return None


async def _track(said: Said) -> None:
    view = await _the_order(
        said.message, said.shop, said.lang, said.me, said.state, said.intent, OrderAct.track
    )
    if view is None:
        return
    if not view.followed:  # cancelled, or its money not in yet: no timeline to show
        opens = kb.button(
            t(said.lang, "order.open"), OrderCb(action=OrderAction.show, id=view.order_id)
        )
        why = "talk.track.unpaid" if followed(view.status) else "talk.track.not_followed"
        await said.message.answer(
            t(said.lang, why, order_id=view.order_id),
            reply_markup=kb.keyboard([[opens]]),
        )
        return
    parcels = await said.shop.shipping.parcels(said.me.id, view.order_id)
    await said.message.answer(
        render.order(said.lang, view) + "\n\n" + render.tracking(said.lang, view.order_id, parcels),
        reply_markup=await order_keys(said.shop, said.lang, said.me, view),
    )


async def _history(said: Said) -> None:
    views = await said.shop.orders.history(said.me.id, limit=10)
    await remember(said.state, orders_shown(views, OrderAct.track.value))
    await said.message.answer(
        t(said.lang, "orders.title") if views else t(said.lang, "orders.none"),
        reply_markup=kb.orders(said.lang, views),
    )


async def _cancel(said: Said) -> None:
    view = await _the_order(
        said.message, said.shop, said.lang, said.me, said.state, said.intent, OrderAct.cancel
    )
    if view is None:
        return
    # the question the order card's ✖ asks: what goes back, where to; Yes or No. Orders are
    # cancelled whole: asked about some of its goods ("cancel the kettles"), say so first
    named = set(said.intent.entities.product_ids)
    whole = ""
    if named and any(line.product_id not in named for line in view.lines):
        whole = t(said.lang, "talk.cancel_whole", order_id=view.order_id) + "\n"
    # a typed "yes" answers it as its Yes does (the order as the question showed it), once
    question = await asking.ask(said.state, cancel_question(view))
    await said.message.answer(
        whole + render.cancel_question(said.lang, view) + "\n\n" + render.order(said.lang, view),
        reply_markup=cancel_keys(said.lang, view, question),
    )


async def _after_sales(said: Said) -> None:
    if said.intent.name == "contact_support":  # the next message goes to the team
        from handlers.customer.support import ask

        await ask(said.message, said.state, said.lang)
        return
    returning = said.intent.name == "return_order"
    act = OrderAct.return_items if returning else OrderAct.review
    view = await _the_order(
        said.message, said.shop, said.lang, said.me, said.state, said.intent, act
    )
    if view is not None:  # the order's card has a button per item to return or review
        await said.message.answer(
            t(said.lang, "talk.pick_return" if returning else "talk.pick_review")
            + "\n\n"
            + render.order(said.lang, view),
            reply_markup=await order_keys(said.shop, said.lang, said.me, view),
        )


async def _unsupported(said: Said) -> None:
    await _search_or_help(said.message, said.shop, said.lang, said.state, said.text, said.language)


INTENTS = {
    "greet": _greet,
    "help": _help,
    "search": _search,
    "product_info": _product_info,
    "add_to_cart": _add_to_cart,
    "remove_from_cart": _remove_from_cart,
    SET_COUNT: _set_count,
    "view_cart": _view_cart,
    "add_to_wishlist": _wishlist,
    "view_wishlist": _wishlist,
    "apply_coupon": _apply_coupon,
    "checkout": _checkout,
    "track_order": _track,
    "order_history": _history,
    "cancel_order": _cancel,
    "return_order": _after_sales,
    "leave_review": _after_sales,
    "contact_support": _after_sales,
}


#: The requests whose handler asks its own question before anything changes: checking out
#: (the cart with its Checkout button), cancelling ("Cancel order #N?"), returns and reviews
#: (the order's card, a button per item). Read unsurely, they are not asked about first.
ASKS_ITS_OWN = frozenset({"checkout", "cancel_order", "return_order", "leave_review"})


def asks_its_own(step: Intent, text: str) -> bool:
    """Whether `step`'s handler shows something to choose or confirm before any change (so
    an unsure reading of it needs no "Shall I …?"): the requests of ASKS_ITS_OWN, emptying
    the cart ("Empty the cart?"), and a product not known for sure ("Which one?", or a
    search first). A read changes nothing; a code to apply is applied at once."""
    if step.name == SET_COUNT:  # a cart line's count: "Which one?" unless one line matches
        return len(step.entities.best_products()) != 1
    if step.name not in STATE_CHANGING or step.name in ASKS_ITS_OWN:
        return True
    if step.name == "remove_from_cart" and removes_everything(text):
        return True
    if step.name == "apply_coupon":  # without a code, "Which code?" is asked
        return step.entities.coupon_code is None
    return len(step.entities.best_products()) != 1


def build_router() -> Router:
    router = Router(name="customer.talk")
    router.message.register(on_free_text, StateFilter(None), F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_answer_tapped, AskCb.filter())
    router.callback_query.register(on_answer_tapped, F.data.in_(asking.OLD_YES | asking.OLD_NO))
    return router
