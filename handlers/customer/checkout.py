"""The checkout wizard: address -> shipping -> coupon -> payment method -> summary -> order;
then the Telegram invoice (card), a PayPal approval link, or instructions (cash on delivery,
bank transfer).

The checkout key is made when the wizard starts and kept in the conversation state, so a
double-tapped "Place order" (or a re-delivered update) returns the same order."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any, Final, Generic, TypeVar

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)

from engine.accounts import AddressView, UserView
from engine.errors import (
    CouponRejected,
    DomainError,
    IllegalTransition,
    Outdated,
    PaymentInFlight,
    PaymentMismatch,
)
from engine.gateways import PayPalGateway, PayPalNotApproved
from engine.orders import OrderView
from engine.orders.checkout import DeliveryChoice, ParcelDue
from engine.reconcile import parse_payload, paypal_request_id
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import (
    CheckoutCb,
    CheckoutStep,
    Menu,
    MenuCb,
    OrderAction,
    OrderCb,
    PayPalCb,
)
from handlers.customer import address_form
from handlers.customer.asking import end_conversation, read_answer
from handlers.customer.cart import cart_text
from handlers.i18n import error_text, price, t
from handlers.screen import edit_or_keep, show
from nlu.answers import narrow
from nlu.extract import extract_coupon, known_coupon
from nlu.understand import ACTION_VERBS, negated_verb
from storage.vocabulary import (
    AddressType,
    OrderStatus,
    PaymentMethod,
    from_minor_units,
    to_minor_units,
    words,
)


@dataclass(frozen=True)
class PaymentConfig:
    """What the chat layer needs to take payments (from settings, via the Dispatcher)."""

    provider_token: str | None
    currency: str = "USD"
    bank_details: str | None = None
    methods: tuple[PaymentMethod, ...] = (
        PaymentMethod.card,
        PaymentMethod.cod,
        PaymentMethod.bank_transfer,
    )
    paypal: PayPalGateway | None = None  # PayPal Checkout, when PAYPAL_CLIENT_ID/SECRET are set


KEEP = "keep"  # the coupon step's Keep: the applied coupon stays


class Checkout(StatesGroup):
    address = State()
    new_address = State()
    provider = State()
    coupon = State()
    payment = State()
    confirm = State()


async def begin(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """From the cart: accept what changed, then ask where to deliver."""
    view, changes = await shop.carts.review(me.id)
    if changes:
        text = await cart_text(shop, lang, me, state, view)
        await show(query, render.cart_changes(lang, changes) + "\n\n" + text, kb.cart(lang, view))
        await query.answer()
        return
    if not view.lines:
        await query.answer(t(lang, "cart.empty"), show_alert=True)
        return
    await state.set_state(Checkout.address)
    kept = (await state.get_data()).get("coupon")  # a coupon given in words before checkout
    key = uuid.uuid4().hex
    await state.update_data(checkout_key=key, coupon=kept)
    saved = [a for a in await shop.accounts.addresses(me.id) if a.type == AddressType.shipping]
    await show(query, t(lang, "checkout.address"), kb.addresses(lang, saved, key))
    await query.answer()


async def this_checkout(query: CallbackQuery, callback_data: CheckoutCb, state: FSMContext) -> bool:
    """A filter: the button belongs to the checkout running now (one given up, or finished,
    is stale: the fallback says so, and nothing changes)."""
    return bool(callback_data.key) and callback_data.key == (await state.get_data()).get(
        "checkout_key"
    )


async def on_address(
    query: CallbackQuery,
    callback_data: CheckoutCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    if callback_data.step == CheckoutStep.new_address:  # the address form, then back here
        await address_form.begin(query, state, lang, origin="checkout")
        await query.answer()
        return
    address_id = int(callback_data.value)
    if address_id not in {a.address_id for a in await shop.accounts.addresses(me.id)}:
        await query.answer(t(lang, "error.not_found"), show_alert=True)
        return
    await state.update_data(address_id=address_id)
    await _ask_provider(query, shop, lang, me, state)
    await query.answer()


async def address_done(
    answer: address_form.Answer,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    saved: AddressView | None,
) -> None:
    """The address form (handlers/customer/address_form.py) is done, tapped or typed: deliver
    to the address it saved; left with Back, the choice of addresses again."""
    if saved is None:
        await state.set_state(Checkout.address)
        key = str((await state.get_data()).get("checkout_key", ""))
        saved_ones = await shop.accounts.addresses(me.id)
        listed = [a for a in saved_ones if a.type == AddressType.shipping]
        await address_form.show_after(
            answer, t(lang, "checkout.address"), kb.addresses(lang, listed, key)
        )
        return
    await state.update_data(address_id=saved.address_id)
    await _ask_provider(answer, shop, lang, me, state)


async def _ask_provider(
    answer: address_form.Answer, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """How should it be shipped, to the address chosen: in place of the tapped screen, or
    under a typed answer."""
    await state.set_state(Checkout.provider)
    data = await state.get_data()
    key = str(data.get("checkout_key", ""))
    text, markup = await _providers(shop, lang, me, int(data.get("address_id", 0)), key)
    await address_form.show_after(answer, text, markup)


async def _providers(
    shop: Shop, lang: str, me: UserView, address_id: int, key: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The shipping choices for this cart to this address (the engine's: a pickup point only
    in the address's country), and, when the shop's pickup points are all elsewhere, that
    pickup is not available there."""
    choice = await shop.shipping.options_for(me.id, address_id)
    text = t(lang, "checkout.provider")
    if choice.no_pickup_there:
        text += "\n\n" + t(lang, "checkout.pickup.none_here", country=escape(choice.country))
    return text, kb.providers(lang, choice.options, key)


async def on_provider(
    query: CallbackQuery,
    callback_data: CheckoutCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """A shipping choice: one the address chosen can take (an old button of a pickup point
    in another country is not: it says so, and nothing changes)."""
    address_id = int((await state.get_data()).get("address_id", 0))
    choice = await shop.shipping.options_for(me.id, address_id)
    chosen = next((o for o in choice.options if str(o.provider_id) == callback_data.value), None)
    if chosen is None:
        await query.answer(t(lang, "error.not_found"), show_alert=True)
        return
    await _provider_chosen(query, lang, state, payments, chosen.provider_id, callback_data.key)
    await query.answer()


async def _provider_chosen(
    answer: address_form.Answer,
    lang: str,
    state: FSMContext,
    payments: PaymentConfig,
    provider_id: int,
    key: str,
) -> None:
    """Ship with `provider_id` (one the engine offers for the address chosen), then the next
    question: the coupon, or the payment when a coupon is given already; in place of the
    tapped screen, or under a typed answer."""
    await state.update_data(provider_id=provider_id)
    if (await state.get_data()).get("coupon"):  # already given: straight to payment
        await state.set_state(Checkout.payment)
        markup = kb.payment_methods(lang, payments.methods, key)
        await address_form.show_after(answer, t(lang, "checkout.payment"), markup)
        return
    await state.set_state(Checkout.coupon)
    await address_form.show_after(answer, t(lang, "checkout.coupon"), kb.skip_coupon(lang, key))


#: An answer that says "not" chooses nothing ("not the cheapest", "no pickup", "not by card").
_NOT: Final = re.compile(r"\b(?:not|no|don'?t|never|without|sin)\b", re.I)
#: A question about the choices ("which is faster?", "how long to Bath?") chooses none of them.
_ASKS: Final = re.compile(
    r"^\W*(?:what|what'?s|which|how|why|when|where|who|qu[eé]|cu[aá]l|c[oó]mo|cu[aá]nto"
    r"|d[oó]nde|por\s*qu[eé])\b",
    re.I,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Choice(Generic[T]):
    """One answer a checkout step offers, as a typed answer may name it: by the words it is
    shown with (`label`: those not every choice has, "Bath" among two addresses, "standard"
    among the couriers), by its place among the buttons ("the first one", "2", "the last"),
    or by other words that mean it here (`said`: "by card", "pickup", "the cheapest").
    `value` None: a choice not offered here, so naming it chooses nothing ("paypal" where
    PayPal is not taken); `listed` False: a button not counted by place (➕ New address)."""

    value: T | None
    label: str = ""
    said: re.Pattern[str] | None = None
    listed: bool = True


_WORD: Final = re.compile(r"\w+")


def _label_phrases(text: str, labels: Sequence[str]) -> list[tuple[int, int]]:
    """Where `text` says two or more words of a label in a row, as the label has them ("New
    Road" of "12 New Road, Leeds"): the stretches, as character spans."""
    pairs = {
        pair for label in labels for pair in pairwise(w.casefold() for w in _WORD.findall(label))
    }
    spans: list[tuple[int, int]] = []
    for first, second in pairwise(_WORD.finditer(text)):
        if (first.group().casefold(), second.group().casefold()) not in pairs:
            continue
        if spans and spans[-1][1] >= first.start():  # one phrase going on: "12 New Road"
            spans[-1] = (spans[-1][0], second.end())
        else:
            spans.append((first.start(), second.end()))
    return spans


def _says(choice: Choice[T], text: str, phrases: Sequence[tuple[int, int]]) -> bool:
    """Whether `text` has the choice's own words (`said`) outside the phrases of a label: in
    "New Road", "new" is the address's street, not "a new address"."""
    if choice.said is None:
        return False
    return any(
        not any(start <= m.start() and m.end() <= end for start, end in phrases)
        for m in choice.said.finditer(text)
    )


def read_choice(text: str, choices: Sequence[Choice[T]]) -> T | None:
    """The one choice a typed answer names plainly: by its own words (`said`) first, else by
    its place or its label's words as "Which one?" is answered (`nlu.answers.narrow`). None
    when it names none, several ("card or cash?"), one not offered, asks a question about
    them, or says "not". Words said as part of a label's phrase are that label's ("New Road",
    a saved address's street, is not "a new address"; "Cheap Post" is not "the cheapest")."""
    if _NOT.search(text) or _ASKS.search(text):
        return None
    phrases = _label_phrases(text, [c.label for c in choices if c.label])
    named = [c for c in choices if _says(c, text, phrases)]
    if named:
        return named[0].value if len(named) == 1 else None
    listed = [c for c in choices if c.listed]
    chosen = narrow(text, [c.label for c in listed])
    return listed[chosen[0]].value if len(chosen) == 1 else None


#: "home", "the usual one": the default address (the engine's: the first one saved, or the
#: one starred in the profile).
_HOME_WORDS: Final = re.compile(
    r"\b(?:home|usual|default|my\s+address|casa|mi\s+direcci[oó]n|la\s+de\s+siempre)\b", re.I
)
#: "a new address", "another one": ➕ New address.
_NEW_ADDRESS_WORDS: Final = re.compile(
    r"\b(?:new|another|different|add|nueva|otra|distinta|añadir|anadir)\b", re.I
)
NEW_ADDRESS: Final = 0  # the value of ➕ New address among the addresses (no address has id 0)
#: "pickup", "I'll collect it": the pickup points offered.
_PICKUP_WORDS: Final = re.compile(
    r"\b(?:pick\s*-?\s*up|pick\s+(?:it|them)\s+up|collect|recoger|recogida)\b", re.I
)
#: "the quickest", "express": the one option the engine finds fastest (`DeliveryChoice.fastest`).
_FASTEST_WORDS: Final = re.compile(
    r"\b(?:fast|faster|fastest|quick|quicker|quickest|soonest|r[aá]pid[oa]"
    r"|m[aá]s\s+r[aá]pid[oa])\b",
    re.I,
)
#: "the cheapest", "the cheaper one": the one option that costs least
#: (`DeliveryChoice.cheapest`).
_CHEAPEST_WORDS: Final = re.compile(
    r"\b(?:cheap|cheaper|cheapest|least\s+expensive|lowest\s+price|barat[oa]"
    r"|m[aá]s\s+barat[oa])\b",
    re.I,
)


def address_choices(saved: Sequence[AddressView]) -> list[Choice[int]]:
    """The addresses "Where should we deliver?" lists, as a typed answer may name them (by
    their street, city, postal code or country words, their place, or "home" for the default
    one, or the only one), then ➕ New address ("a new one", "another address")."""
    home = next((a for a in saved if a.is_default), saved[0] if len(saved) == 1 else None)
    choices = [
        Choice(
            a.address_id,
            " ".join(filter(None, (a.street, a.city, a.state, a.postal_code, a.country))),
            _HOME_WORDS if a is home else None,
        )
        for a in saved
    ]
    return [*choices, Choice(NEW_ADDRESS, said=_NEW_ADDRESS_WORDS, listed=False)]


def provider_choices(choice: DeliveryChoice) -> list[Choice[int]]:
    """The shipping options "How should it be shipped?" lists (the engine's, for this cart to
    this address, cheapest first), as a typed answer may name them: by name ("standard"),
    place ("the second one"), "pickup" for a pickup point, "the cheapest" / "the fastest" for
    the one the engine finds so (none when several tie)."""
    choices = []
    for option in choice.options:
        ways = [_CHEAPEST_WORDS.pattern] if option.provider_id == choice.cheapest else []
        if option.provider_id == choice.fastest:
            ways.append(_FASTEST_WORDS.pattern)
        if option.pickup_address:
            ways.append(_PICKUP_WORDS.pattern)
        said = re.compile("|".join(ways), re.I) if ways else None
        choices.append(Choice(option.provider_id, option.name, said))
    return choices


async def on_address_typed(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """A typed answer to "Where should we deliver?": an address listed, named by its words
    ("Bath", "the Quay Street one"), its place ("the first one", "2") or "home", is chosen
    as its button chooses it (the shipping question follows; the old buttons are then stale);
    "a new address" opens the form as ➕ New address does; "show my cart" shows it. Anything
    else says what is asked, with the addresses, and the buttons again; nothing changes."""
    key = str((await state.get_data()).get("checkout_key") or "")
    saved = [a for a in await shop.accounts.addresses(me.id) if a.type == AddressType.shipping]
    text = message.text or ""
    chosen = read_choice(text, address_choices(saved))
    if chosen == NEW_ADDRESS:
        await address_form.begin(message, state, lang, origin="checkout")
        return
    if chosen is not None:
        await state.update_data(address_id=chosen)
        await _ask_provider(message, shop, lang, me, state)
        return
    markup = kb.addresses(lang, saved, key)
    if _CART_WORDS.search(text):
        await _show_cart_aside(message, shop, lang, me, state)
        await message.answer(t(lang, "checkout.address"), reply_markup=markup)
        return
    if not saved:
        await message.answer(t(lang, "checkout.address.which.none"), reply_markup=markup)
        return
    listed = "; ".join(escape(f"{a.street}, {a.city}") for a in saved)
    await message.answer(t(lang, "checkout.address.which", addresses=listed), reply_markup=markup)


async def on_provider_typed(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """A typed answer to "How should it be shipped?": an option the engine offers for the
    address chosen, named by its name ("standard"), its place ("the second"), "pickup" or
    "the cheapest", is chosen as its button chooses it (the coupon question follows; the old
    buttons are then stale); "show my cart" shows it. Anything else says what is asked,
    with the options, and the buttons again; nothing changes."""
    data = await state.get_data()
    key = str(data.get("checkout_key") or "")
    address_id = int(data.get("address_id", 0))
    choice = await shop.shipping.options_for(me.id, address_id)
    text = message.text or ""
    chosen = read_choice(text, provider_choices(choice))
    if chosen is not None:
        await _provider_chosen(message, lang, state, payments, chosen, key)
        return
    question, markup = await _providers(shop, lang, me, address_id, key)
    if _CART_WORDS.search(text):
        await _show_cart_aside(message, shop, lang, me, state)
        await message.answer(question, reply_markup=markup)
        return
    listed = ", ".join(escape(o.name) for o in choice.options)
    which = t(lang, "checkout.provider.which", options=listed)
    if choice.no_pickup_there:
        which += "\n\n" + t(lang, "checkout.pickup.none_here", country=escape(choice.country))
    await message.answer(which, reply_markup=markup)


async def _coupon_step(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext, key: str
) -> None:
    """The coupon question again (Back from the payment step): a coupon applied already is
    said, with what it saves now (the engine's quote), and kept or removed by a tap; another
    code typed replaces it, and says so (`on_coupon`). One the shop no longer takes is
    dropped, and said why."""
    await state.set_state(Checkout.coupon)
    data = await state.get_data()
    code = data.get("coupon")
    text, markup = t(lang, "checkout.coupon"), kb.skip_coupon(lang, key)
    if code:
        try:
            quote = await shop.orders.quote(me.id, int(data.get("provider_id", 0)), str(code))
        except CouponRejected as refused:
            await state.update_data(coupon=None)
            text = error_text(lang, refused) + "\n\n" + text
        else:
            assert quote.coupon is not None
            discount = price(quote.discount, quote.currency, lang=lang)
            text = t(
                lang, "checkout.coupon.applied", code=escape(quote.coupon.code), discount=discount
            )
            markup = _kept_coupon(lang, key)
    await show(query, text, markup)


def _kept_coupon(lang: str, key: str) -> InlineKeyboardMarkup:
    """Keep the applied coupon, or remove it (Remove is the coupon step's Skip)."""
    keep = CheckoutCb(step=CheckoutStep.skip_coupon, value=KEEP, key=key).pack()
    remove = CheckoutCb(step=CheckoutStep.skip_coupon, key=key).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t(lang, "checkout.coupon.keep"), callback_data=keep),
                InlineKeyboardButton(text=t(lang, "checkout.coupon.remove"), callback_data=remove),
            ],
            kb.checkout_back(lang, key, CheckoutStep.provider.value),
        ]
    )


@dataclass(frozen=True)
class CouponAnswer:
    """What an answer to "Do you have a coupon?" says: no coupon (`skip`), a code to ask the
    engine about (`code`), or neither (no code: the question stays open)."""

    skip: bool = False
    code: str | None = None


#: Whole answers that say "no coupon" (as `storage.vocabulary.words` reads them). "NOPE" in
#: capitals stays a code to look up: it is one shape a code may have.
_NO_COUPON: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "no", "no thanks", "no thank you", "no thx", "nah", "none", "nothing", "skip",
        "skip it", "pass", "not now", "not today", "no coupon", "no code", "no coupons",
        "i don't have one", "i dont have one", "don't have one", "dont have one",
        "i don't have any", "don't have any", "i have none", "no i don't", "no i dont",
        "without", "without coupon", "n a", "na",
        # es
        "no gracias", "ninguno", "ninguna", "nada", "saltar", "omitir", "paso", "no tengo",
        "sin cupon", "no tengo cupon", "no tengo ninguno",
    )
)  # fmt: skip
_POLITE: Final = frozenset({"ok", "okay", "please", "sorry", "thanks", "well", "um", "just"})
_CODE_WORD: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,49}")


def read_coupon_answer(text: str, codes: frozenset[str]) -> CouponAnswer:
    """One of the shop's `codes` however it is typed or said ("save ten", "Save-10": the
    language layer's reading, `nlu.extract`); else a no ("no thanks", "skip", "I don't have
    one"); else a code named as one ("code ABC123") or one word shaped like a code (with a
    digit, or in capitals: "xyz10", "NOPE"), for the engine to say whether it exists; else
    no code at all."""
    text = text.strip()
    known = known_coupon(text, codes)
    if known is not None:
        return CouponAnswer(code=known.value)
    said = tuple(w for w in words(text) if w not in _POLITE)
    if said in _NO_COUPON or negated_verb(text) in ACTION_VERBS["apply_coupon"]:
        return CouponAnswer(skip=True)
    named = extract_coupon(text, codes)
    if named is not None:
        return CouponAnswer(code=named.value)
    if _CODE_WORD.fullmatch(text) and (any(c.isdigit() for c in text) or text.isupper()):
        return CouponAnswer(code=text.upper())
    return CouponAnswer()


async def on_coupon(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """A typed answer to the coupon question: a no goes on without one (and says so, and
    which one is removed); a code is asked of the engine, and one that replaces the coupon
    applied before says so, with what each saves; anything else keeps the question open and
    changes nothing."""
    data = await state.get_data()
    key, applied = str(data.get("checkout_key", "")), data.get("coupon")
    answer = read_coupon_answer(message.text or "", frozenset(await shop.coupons.codes()))
    markup = _kept_coupon(lang, key) if applied else kb.skip_coupon(lang, key)
    if answer.skip:
        await without_coupon(message, lang, state, payments)
        return
    if answer.code is None:
        await message.answer(t(lang, "checkout.coupon.not_a_code"), reply_markup=markup)
        return
    if await _apply_code(message, shop, lang, me, state, answer.code, markup):
        await _ask_payment(message, lang, state, payments, key)


async def without_coupon(
    message: Message, lang: str, state: FSMContext, payments: PaymentConfig
) -> None:
    """A typed no to the coupon question ("no thanks", "never mind": ending.py): the checkout
    goes on without one, and says so, and which one is removed."""
    data = await state.get_data()
    key, applied = str(data.get("checkout_key", "")), data.get("coupon")
    await state.update_data(coupon=None)
    said = (
        t(lang, "checkout.coupon.none_removed", code=escape(str(applied)))
        if applied
        else t(lang, "checkout.coupon.none")
    )
    await message.answer(said)
    await _ask_payment(message, lang, state, payments, key)


async def _apply_code(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    code: str,
    markup: InlineKeyboardMarkup,
) -> bool:
    """A code typed in this checkout, asked of the engine: applied (it says what it saves,
    and which coupon it replaces), or refused (it says why, with `markup`: the step's own
    buttons, the step staying where it was). True when it was applied."""
    data = await state.get_data()
    applied = data.get("coupon")
    base = await shop.orders.quote(me.id, int(data.get("provider_id", 0)))  # before any coupon
    try:
        choice = await shop.coupons.apply(
            me.id, code, base.subtotal, base.shipping, applied=applied
        )
    except CouponRejected as refused:
        text = error_text(lang, refused)
        if applied:
            text += "\n" + t(lang, "checkout.coupon.still", code=escape(str(applied)))
        await message.answer(text, reply_markup=markup)
        return False
    quote = choice.quote
    await state.update_data(coupon=quote.code)
    saves = price(quote.discount, base.currency, lang=lang)
    if choice.replaces is None:
        said = t(lang, "checkout.coupon.ok", code=escape(quote.code), discount=saves)
    elif choice.replaced_discount is None:  # the one before no longer applies
        said = t(
            lang,
            "checkout.coupon.replaced_lapsed",
            code=escape(quote.code),
            old=escape(choice.replaces),
            discount=saves,
        )
    else:
        said = t(
            lang,
            "checkout.coupon.replaced",
            code=escape(quote.code),
            old=escape(choice.replaces),
            discount=saves,
            before=price(choice.replaced_discount, base.currency, lang=lang),
        )
    await message.answer(said)
    return True


async def _ask_payment(
    message: Message, lang: str, state: FSMContext, payments: PaymentConfig, key: str
) -> None:
    await state.set_state(Checkout.payment)
    await message.answer(
        t(lang, "checkout.payment"), reply_markup=kb.payment_methods(lang, payments.methods, key)
    )


#: Words that name a way to pay in a typed answer ("cash please", "by card", "paypal").
_METHOD_WORDS: Final = {
    PaymentMethod.card: re.compile(r"\b(?:card|credit|debit|visa|mastercard|tarjeta)\b", re.I),
    PaymentMethod.paypal: re.compile(r"\bpay\s?pal\b", re.I),
    PaymentMethod.cod: re.compile(
        r"\b(?:cash|cod|on\s+delivery|efectivo|contra\s*-?\s*reembolso)\b", re.I
    ),
    PaymentMethod.bank_transfer: re.compile(r"\b(?:bank|transfer|wire|transferencia)\b", re.I),
}
#: "show my cart", "what's in my basket": the cart, asked in the middle of a checkout
_CART_WORDS: Final = re.compile(r"\b(?:cart|basket|carrito|cesta)\b", re.I)


def read_payment_method(text: str, methods: Sequence[PaymentMethod]) -> PaymentMethod | None:
    """The way to pay a typed answer names plainly, when it is one of `methods` offered:
    "cash please" and "cash on delivery" are cash on delivery, "by card" the card, "the
    first one" the first button. None when it names none, several ("card or cash?"), one
    not offered, or says "not"."""
    offered = [Choice(m, said=_METHOD_WORDS[m]) for m in methods]
    elsewhere = [
        Choice[PaymentMethod](None, said=said, listed=False)
        for m, said in _METHOD_WORDS.items()
        if m not in methods
    ]
    return read_choice(text, offered + elsewhere)


async def on_payment_typed(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """A typed answer to "How would you like to pay?": a way offered, named plainly, is
    chosen as its button chooses it (the summary follows; the question's buttons are old
    then, and a tap on one changes nothing). A coupon code is applied to this checkout and
    "show my cart" shows it, the question asked again; anything else says how to answer."""
    data = await state.get_data()
    key = str(data.get("checkout_key") or "")
    text = message.text or ""
    method = read_payment_method(text, payments.methods)
    if method is not None:
        await state.update_data(method=method.value)
        summary, markup = await _summary(shop, lang, me, state, key)
        sent = await message.answer(summary, reply_markup=markup)
        await state.update_data(summary_msg=sent.message_id)
        return
    markup = kb.payment_methods(lang, payments.methods, key)
    code = extract_coupon(text, frozenset(await shop.coupons.codes()))
    if code is not None:
        if await _apply_code(message, shop, lang, me, state, code.value, markup):
            await _ask_payment(message, lang, state, payments, key)
        return
    if _CART_WORDS.search(text):
        await _show_cart_aside(message, shop, lang, me, state)
        await _ask_payment(message, lang, state, payments, key)
        return
    names = ", ".join(t(lang, f"checkout.pay.{m.value}") for m in payments.methods)
    await message.answer(t(lang, "checkout.payment.which", methods=names), reply_markup=markup)


async def _show_cart_aside(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """The cart as its screen shows it (with the coupon kept), asked for in the middle of a
    checkout: without its buttons (the checkout goes on below), and saying so."""
    view = await shop.carts.view(me.id)
    text = await cart_text(shop, lang, me, state, view)
    await message.answer(render.fit(text + "\n\n" + t(lang, "checkout.still_open")))


async def on_skip_coupon(
    query: CallbackQuery,
    callback_data: CheckoutCb,
    lang: str,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """Skip (no coupon), Remove (the applied one dropped) or Keep (it stays)."""
    if callback_data.value != KEEP:
        await state.update_data(coupon=None)
    await state.set_state(Checkout.payment)
    markup = kb.payment_methods(lang, payments.methods, callback_data.key)
    await show(query, t(lang, "checkout.payment"), markup)
    await query.answer()


async def on_payment(
    query: CallbackQuery,
    callback_data: CheckoutCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    method = PaymentMethod(callback_data.value)
    if method not in payments.methods:
        await query.answer(t(lang, "error.invalid_input"), show_alert=True)
        return
    await state.update_data(method=method.value)
    await _ask_confirm(query, shop, lang, me, state, callback_data.key)


async def _ask_confirm(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    key: str,
    *,
    note: str = "",
) -> None:
    """The summary: the engine's quote of the cart with the chosen provider and coupon; its
    "Place order" carries the summary's version, so it places what it showed or nothing.
    `note` goes above it (why it is shown again)."""
    await show(query, *await _summary(shop, lang, me, state, key, note=note))
    if isinstance(query.message, Message) and query.message.text is not None:
        await state.update_data(summary_msg=query.message.message_id)  # shown in its place
    await query.answer()


async def _summary(
    shop: Shop, lang: str, me: UserView, state: FSMContext, key: str, *, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The summary's text and buttons (`_ask_confirm`); its version is kept in the
    conversation too (`summary_seen`), for a typed "place it" (`on_confirm_typed`)."""
    data = await state.get_data()
    quote = await shop.orders.quote(me.id, int(data["provider_id"]), data.get("coupon"))
    address_id, method = int(data["address_id"]), PaymentMethod(data["method"])
    address = next(
        (a for a in await shop.accounts.addresses(me.id) if a.address_id == address_id), None
    )
    await state.set_state(Checkout.confirm)
    text = render.summary(
        lang,
        quote,
        method=method.value,
        address_text=render.address(address) if address else "—",
    )
    if method == PaymentMethod.cod:  # from several stores: paid in parts, one per parcel
        provider_id = int(data["provider_id"])
        parcels = await shop.shipping.quoted_parcels(me.id, provider_id, data.get("coupon"))
        if len(parcels) > 1:
            text += "\n\n" + _cash_parts(
                lang, "checkout.summary.cod_parts", parcels, quote.currency
            )
    seen = quote.version(address_id=address_id, method=method)
    await state.update_data(summary_seen=seen)
    return render.fit(note + text), kb.confirm(lang, key, seen)


def _cash_parts(
    lang: str, head: str, parcels: Sequence[ParcelDue], currency: str, **more: str
) -> str:
    """Cash on delivery from several stores: `head`, then each store's parcel with the
    amount handed over for it (the engine's, as the seller's card of it says)."""
    rows = [t(lang, head, count=len(parcels), **more)]
    rows += [
        t(
            lang,
            "checkout.cod.part",
            store=escape(parcel.store),
            amount=price(parcel.amount, currency, lang=lang),
        )
        for parcel in parcels
    ]
    return "\n".join(rows)


async def on_back(
    query: CallbackQuery,
    callback_data: CheckoutCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """One step back in this checkout: that step's question again, with what was chosen
    kept (the address, the provider, the coupon)."""
    to, key = callback_data.value, callback_data.key
    if to == "cart":
        await state.set_state(None)
        view = await shop.carts.view(me.id)
        await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
    elif to == CheckoutStep.address:
        await state.set_state(Checkout.address)
        saved = [a for a in await shop.accounts.addresses(me.id) if a.type == AddressType.shipping]
        await show(query, t(lang, "checkout.address"), kb.addresses(lang, saved, key))
    elif to == CheckoutStep.provider:
        await state.set_state(Checkout.provider)
        address_id = int((await state.get_data()).get("address_id", 0))
        await show(query, *await _providers(shop, lang, me, address_id, key))
    elif to == CheckoutStep.skip_coupon:
        await _coupon_step(query, shop, lang, me, state, key)
    else:
        await state.set_state(Checkout.payment)
        markup = kb.payment_methods(lang, payments.methods, key)
        await show(query, t(lang, "checkout.payment"), markup)
    await query.answer()


async def on_confirm(
    query: CallbackQuery,
    callback_data: CheckoutCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
    bot: Bot,
    replayed: bool = False,
) -> None:
    """Place the order the summary showed. The checkout key makes it once: tapped twice (or
    again later, or after a typed "yes" placed it), the button shows that same order, and
    what to do next (the invoice) is said once, by what placed it. A
    replay after a crash (`replayed`, bot/inbox.py) says it again: the first handling may
    have shown "placed" and died before the invoice went out. A summary that no longer
    reads so (the cart changed on another screen since, or another choice was made) places
    nothing: the summary as it is now is shown, with its own button, and why."""
    try:
        order = await _place(shop, me, state, callback_data.key, callback_data.value)
    except Outdated:
        note = t(lang, "checkout.changed") + "\n\n"
        await _ask_confirm(query, shop, lang, me, state, callback_data.key, note=note)
        return
    placed_now = order is not None
    if order is None:  # placed already (a second tap, a typed "yes"), or given up (nothing)
        order = await shop.orders.placed(me.id, callback_data.key)
    if order is None:
        await query.answer(t(lang, "stale_button"))
        return
    await query.answer(None if placed_now or replayed else t(lang, "asked.none"))
    if not isinstance(query.message, Message):
        return
    placed = _placed_text(lang, order)
    # only the tap that placed it tells what's next (an invoice, once), and its replay, which
    # may be telling it first; a tap after it was placed shows the order, nothing more
    if (await edit_or_keep(query.message, placed) and placed_now) or replayed:
        parcels = await _cash_parcels(shop, me, order)
        await after_order(query.message, bot, lang, order, payments, parcels=parcels)


#: What says "place it" to the summary besides a bare yes (asking.read_answer).
PLACE_SAYS_YES: Final = (
    "place it", "place order", "place the order", "place my order", "order it", "buy it",
    "confirm order", "confirm the order", "confirm it", "send it",
    "pedir", "hacer el pedido", "confirmar pedido", "confirmalo", "comprar",
)  # fmt: skip


async def on_confirm_typed(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
    bot: Bot,
) -> None:
    """A typed answer to the summary: "yes" / "place it" places the order as its Place order
    does (the same key, and the summary's version: a cart changed since places nothing and
    shows the summary as it is now); "no" / "cancel" leaves the checkout, placing nothing
    (the cart and a coupon given stay). Anything else: the buttons, as before."""
    answer = read_answer(message.text or "", PLACE_SAYS_YES)
    data = await state.get_data()
    key = str(data.get("checkout_key") or "")
    if answer is None and key:  # a coupon for this order, or a look at the cart first
        await _aside_at_summary(message, shop, lang, me, state, key)
        return
    if answer is None or not key:
        await message.answer(t(lang, "stray_text"))
        return
    if not answer:
        await state.set_state(None)
        await state.update_data(checkout_key=None, summary_seen=None)
        await message.answer(t(lang, "checkout.not_placed"), reply_markup=kb.main_menu(lang))
        return
    try:
        order = await _place(shop, me, state, key, str(data.get("summary_seen") or ""))
    except Outdated:
        note = t(lang, "checkout.changed") + "\n\n"
        await _resend_summary(message, shop, lang, me, state, key, note=note)
        return
    if order is None:
        await message.answer(t(lang, "stray_text"))
        return
    # the summary's Place order is spent: its buttons go, as a tap on it takes them away
    await _unbutton(bot, message.chat.id, data.get("summary_msg"))
    await message.answer(_placed_text(lang, order))
    parcels = await _cash_parcels(shop, me, order)
    await after_order(message, bot, lang, order, payments, parcels=parcels)


async def _aside_at_summary(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, key: str
) -> None:
    """Words at the summary that are no yes or no: a coupon code is applied to this order
    (the summary shown again, with it), "show my cart" shows it (and the summary again);
    anything else points at the buttons. The checkout stays at its summary."""
    text = message.text or ""
    code = extract_coupon(text, frozenset(await shop.coupons.codes()))
    if code is not None:
        markup = kb.confirm(lang, key, str((await state.get_data()).get("summary_seen") or ""))
        if await _apply_code(message, shop, lang, me, state, code.value, markup):
            await _resend_summary(message, shop, lang, me, state, key)
        return
    if _CART_WORDS.search(text):
        await _show_cart_aside(message, shop, lang, me, state)
        await _resend_summary(message, shop, lang, me, state, key)
        return
    await message.answer(t(lang, "stray_text"))


async def _resend_summary(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    key: str,
    *,
    note: str = "",
) -> None:
    """The summary as it is now, under a typed message (kept as the one a typed yes places)."""
    text, markup = await _summary(shop, lang, me, state, key, note=note)
    sent = await message.answer(text, reply_markup=markup)
    await state.update_data(summary_msg=sent.message_id)


async def _unbutton(bot: Bot, chat_id: int, message_id: Any) -> None:
    """Take the buttons off a message of ours (gone or unchanged already: nothing to do)."""
    if not message_id:
        return
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=int(message_id), reply_markup=None
        )


async def _cash_parcels(shop: Shop, me: UserView, order: OrderView) -> list[ParcelDue]:
    """Cash on delivery from several stores: what each store's parcel collects (else none)."""
    if order.payment_method != PaymentMethod.cod or len(order.shipments) < 2:
        return []
    return await shop.shipping.parcels_due(me.id, order.order_id)


async def _place(
    shop: Shop, me: UserView, state: FSMContext, key: str, seen: str
) -> OrderView | None:
    """Place the order of this checkout (`key`) as the summary showed it (`seen`), once: the
    checkout ends with it. None when the checkout has no payment method chosen yet."""
    data = await state.get_data()
    if data.get("checkout_key") != key or not data.get("method"):
        return None
    order = await shop.orders.place_order(
        me.id,
        address_id=int(data["address_id"]),
        provider_id=int(data["provider_id"]),
        payment_method=PaymentMethod(data["method"]),
        coupon_code=data.get("coupon"),
        checkout_key=key,
        seen=seen,  # "" (a button of an older layout): never as now
    )
    await state.update_data(coupon=None)  # spent by this order; the answered questions stay
    await end_conversation(state)
    return order


def _placed_text(lang: str, order: OrderView) -> str:
    placed = t(
        lang,
        "checkout.placed",
        order_id=order.order_id,
        total=price(order.total, order.currency, lang=lang),
    )
    if order.pickup_address:
        placed += "\n" + render.where_to(lang, order.pickup_address, "")
    return placed


def invoice(lang: str, order: OrderView, provider_token: str) -> dict[str, Any]:
    """The Telegram invoice of an order: what the chat sends (`send_invoice`) and the Mini
    App's invoice link opens (`create_invoice_link`), so both pay the same way."""
    title = t(lang, "checkout.invoice.title", order_id=order.order_id)[:32]
    count = sum(line.quantity for line in order.lines)
    return {
        "title": title,
        "description": t(lang, "checkout.invoice.description", count=count)[:255],
        "payload": order.invoice_payload,
        "provider_token": provider_token,
        "currency": order.currency,
        "prices": [LabeledPrice(label=title, amount=to_minor_units(order.total, order.currency))],
    }


async def after_order(
    message: Message,
    bot: Bot,
    lang: str,
    order: OrderView,
    payments: PaymentConfig,
    *,
    parcels: Sequence[ParcelDue] = (),
) -> None:
    """What the customer does next: pay by invoice, or read how to pay (cash on delivery
    from several stores: in parts, each of `parcels` with what is handed over for it, from
    `Shipping.parcels_due`)."""
    if order.payment_method == PaymentMethod.card:
        if not payments.provider_token:
            await message.answer(t(lang, "checkout.invoice.unavailable"))
            return
        await bot.send_invoice(
            chat_id=message.chat.id, **invoice(lang, order, payments.provider_token)
        )
    elif order.payment_method == PaymentMethod.paypal:
        await _paypal_link(message, lang, order, payments)
    elif order.payment_method == PaymentMethod.cod:  # collected at a pickup point, or brought
        total = price(order.total, order.currency, lang=lang)
        opens = _open_order(lang, order)  # nothing to pay now: the order and the menu next
        if len(parcels) > 1:  # paid in parts, one per parcel as it comes
            said = "checkout.cod.parts.pickup" if order.pickup_address else "checkout.cod.parts"
            await message.answer(
                _cash_parts(lang, said, parcels, order.currency, total=total), reply_markup=opens
            )
            return
        said = "checkout.cod.pickup" if order.pickup_address else "checkout.cod"
        await message.answer(t(lang, said, total=total), reply_markup=opens)
    elif order.payment_method == PaymentMethod.bank_transfer:
        await message.answer(
            render.bank_transfer(lang, order, payments.bank_details),
            reply_markup=_open_order(lang, order),
        )


def _open_order(lang: str, order: OrderView) -> InlineKeyboardMarkup:
    """Under what to do next when nothing is paid in the chat: the order, and the menu."""
    return kb.keyboard(
        [
            [
                kb.button(
                    t(lang, "order.open"), OrderCb(action=OrderAction.show, id=order.order_id)
                ),
                kb.button(t(lang, "menu.home"), MenuCb(to=Menu.home)),
            ]
        ]
    )


async def _paypal_link(
    message: Message, lang: str, order: OrderView, payments: PaymentConfig
) -> None:
    """A PayPal order for ours (the same one however often this runs), its approval link,
    and the button that takes the money once the customer approved."""
    if payments.paypal is None:
        await message.answer(t(lang, "checkout.paypal.unavailable"))
        return
    # one PayPal order per shop order (the reconciliation job finds it again the same way)
    request_id = paypal_request_id(order.order_id, order.created_at)
    checkout = await payments.paypal.create(
        order.order_id, order.total, order.currency, request_id=request_id
    )
    await message.answer(
        t(
            lang,
            "checkout.paypal",
            order_id=order.order_id,
            total=price(order.total, order.currency, lang=lang),
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=t(lang, "paypal.open"), url=checkout.approve_url)],
                [
                    InlineKeyboardButton(
                        text=t(lang, "paypal.done"),
                        callback_data=PayPalCb(
                            order=order.order_id, ref=checkout.paypal_order_id
                        ).pack(),
                    )
                ],
            ]
        ),
    )


async def on_paypal_paid(
    query: CallbackQuery,
    callback_data: PayPalCb,
    shop: Shop,
    lang: str,
    me: UserView,
    payments: PaymentConfig,
) -> None:
    """The customer says they approved: capture at PayPal, then the engine records it (both
    idempotent, so a double tap pays once)."""
    order = await shop.orders.get(me.id, callback_data.order)  # not theirs: "not found"
    if payments.paypal is None:
        await query.answer(t(lang, "checkout.paypal.unavailable"), show_alert=True)
        return
    if order.status != OrderStatus.pending:
        # nothing more is taken; money taken already (then the bot died, or the order
        # expired meanwhile) is recorded once, or refunded when the order cannot take it
        done = await payments.paypal.captured(callback_data.ref, order.order_id)
        if done is not None:
            await shop.orders.take_payment(
                me.id,
                order.order_id,
                provider="paypal",
                transaction_ref=done.capture_id,
                amount=done.amount,
                currency=done.currency,
            )
        await query.answer(t(lang, "payment.thanks", order_id=order.order_id), show_alert=True)
        return
    try:
        capture = await payments.paypal.capture(callback_data.ref, order.order_id)
    except PayPalNotApproved:
        await query.answer(t(lang, "paypal.not_approved"), show_alert=True)
        return
    taken = await shop.orders.take_payment(
        me.id,
        order.order_id,
        provider="paypal",
        transaction_ref=capture.capture_id,
        amount=capture.amount,
        currency=capture.currency,
    )
    await query.answer()
    if not taken.kept:  # the order could not take it: a notification says it goes back
        return
    if isinstance(query.message, Message):
        thanks = t(lang, "payment.thanks", order_id=order.order_id)
        await edit_or_keep(query.message, thanks, kb.main_menu(lang))


PAID_STATUSES = {OrderStatus.paid.value, OrderStatus.shipped.value, OrderStatus.delivered.value}


async def on_pre_checkout(query: PreCheckoutQuery, shop: Shop, lang: str, me: UserView) -> None:
    """Answered within Telegram's 10 s: may this payment sheet be charged (the order still
    payable, for this amount, and no other sheet for it in flight)?"""
    ref = parse_payload(query.invoice_payload)
    try:
        await shop.orders.begin_card_payment(
            me.id,
            ref.order_id if ref else 0,
            amount=from_minor_units(query.total_amount, query.currency),
            currency=query.currency,
            tag=ref.tag if ref else None,
        )
    except PaymentInFlight:
        await query.answer(ok=False, error_message=t(lang, "payment.in_flight"))
    except PaymentMismatch:
        await query.answer(ok=False, error_message=t(lang, "payment.changed"))
    except IllegalTransition as refused:
        paid = refused.params.get("status") in PAID_STATUSES
        key = "payment.already_paid" if paid else "payment.expired"
        await query.answer(ok=False, error_message=t(lang, key))
    except DomainError as error:
        await query.answer(ok=False, error_message=error_text(lang, error))
    else:
        await query.answer(ok=True)


async def on_paid(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    paid = message.successful_payment
    assert paid is not None
    ref = parse_payload(paid.invoice_payload)
    if ref is None:
        return
    taken = await shop.orders.take_payment(
        me.id,
        ref.order_id,
        provider="stripe",
        transaction_ref=paid.provider_payment_charge_id,
        amount=from_minor_units(paid.total_amount, paid.currency),
        currency=paid.currency,
        telegram_charge_id=paid.telegram_payment_charge_id,
    )
    if not taken.kept:  # charged twice, or too late: a notification says it goes back
        return
    await message.answer(
        t(lang, "payment.thanks", order_id=ref.order_id), reply_markup=kb.main_menu(lang)
    )


def build_router() -> Router:
    router = Router(name="customer.checkout")

    def step(*steps: CheckoutStep) -> tuple[Any, ...]:  # a button of this checkout's step
        return CheckoutCb.filter(F.step.in_(set(steps))), this_checkout

    router.callback_query.register(
        on_address, Checkout.address, *step(CheckoutStep.address, CheckoutStep.new_address)
    )
    router.callback_query.register(on_provider, Checkout.provider, *step(CheckoutStep.provider))
    typed = (F.text, ~F.text.startswith("/"))
    router.message.register(on_address_typed, Checkout.address, *typed)
    router.message.register(on_provider_typed, Checkout.provider, *typed)
    router.message.register(on_coupon, Checkout.coupon, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_skip_coupon, Checkout.coupon, *step(CheckoutStep.skip_coupon))
    router.callback_query.register(on_payment, Checkout.payment, *step(CheckoutStep.payment))
    router.message.register(on_payment_typed, Checkout.payment, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_back, *step(CheckoutStep.back))
    # in any state: tapped again after the order is placed, it shows that order
    router.callback_query.register(on_confirm, CheckoutCb.filter(F.step == CheckoutStep.confirm))
    router.message.register(on_confirm_typed, Checkout.confirm, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_paypal_paid, PayPalCb.filter())
    router.pre_checkout_query.register(on_pre_checkout)
    router.message.register(on_paid, F.successful_payment)
    return router
