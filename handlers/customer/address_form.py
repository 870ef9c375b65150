"""A new address, one field at a time: street (one or two lines), city, postal code, country.

Each answer is checked by the engine's address rules (`engine.accounts.clean_address_field`);
a bad one gets a friendly word and the same question again. Every question has ⬅ Back (to the
question before, or out of the form). Then the address is shown back, as it will be saved,
with ✅ Save and ✏️ Change (one field again). Used by the profile ("Add an address") and by
the checkout ("New address"): each says what happens once the address is saved, or the form
is left (`Done`).

The form lives in the conversation state: its questions are states, its answers sit under
`address_form` with a key made when it starts. A button names that key and the question it
belongs to, so a button of a form given up, finished or moved on changes nothing.

"Is this address right?" takes a typed answer too, as any question with buttons does
(asking.read_answer): "yes" / "looks good" saves it as ✅ Save does (once: the form ends
with it, so the old ✅ Save then finds nothing), "no" / "change it" asks which part as ✏️
Change does, and "never mind" / "cancel" saves nothing and leaves the address waiting.
"Which part should change?" takes the part typed ("the town", "postcode") as its button
does, and a new value with it ("the postcode is NW1 6XE") as the answer to that part's
question (`read_part`); one that names several parts asks again."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from html import escape
from typing import Any, Final

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import (
    ADDRESS_FIELDS,
    AddressInput,
    AddressView,
    UserView,
    clean_address_field,
)
from engine.errors import DomainError, InvalidInput
from engine.shop import Shop
from handlers.customer.asking import drops, read_answer
from handlers.i18n import error_text, t
from handlers.screen import show
from nlu.text import words

Button = InlineKeyboardButton
FORM = "address_form"  # its answers in the conversation data

#: What answered the form's last question: a tap (its screen is shown in place) or a typed
#: answer (the next screen comes as a new message): `show_after`.
Answer = CallbackQuery | Message

# what the form's user does once the address is saved (the view) or the form is left (None)
Done = Callable[[Answer, Shop, str, UserView, FSMContext, AddressView | None], Awaitable[None]]

#: What says "save it" to "Is this address right?" besides a bare yes (asking.read_answer).
SAVE_SAYS_YES: Final = (
    "looks good", "looks right", "looks fine", "looks ok", "that's right", "thats right",
    "that is right", "it's right", "its right", "all good", "correct", "right", "perfect",
    "save", "save it", "save the address", "confirm", "confirm it",
    "esta bien", "está bien", "correcto", "guardar", "guardala", "guárdala", "perfecto",
)  # fmt: skip
#: What asks to change it, as ✏️ Change does (a bare "no" does too).
CHANGE_SAYS: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "change", "change it", "change something", "change the address", "edit", "edit it",
        "fix it", "wrong", "it's wrong", "its wrong", "that's wrong", "thats wrong",
        "not right", "not quite", "no change it", "no it's wrong", "no its wrong",
        "cambiar", "cambiarla", "cambialo", "cámbiala", "cambiala", "editar", "esta mal",
        "está mal", "no es correcta",
    )
)  # fmt: skip


async def show_after(answer: Answer, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """The screen that follows an answer: in place of the tapped one, or under a typed one."""
    if isinstance(answer, CallbackQuery):
        await show(answer, text, markup)
    else:
        await answer.answer(text, reply_markup=markup)


class AddressForm(StatesGroup):
    street = State()
    city = State()
    postal_code = State()
    country = State()
    confirm = State()


ASKING: dict[str, State] = {
    "street": AddressForm.street,
    "city": AddressForm.city,
    "postal_code": AddressForm.postal_code,
    "country": AddressForm.country,
}


class AddressFormCb(CallbackData, prefix="v1af"):
    """A button of the form: what it does, the field (the question it sits under, or the one
    to change), and the form's key."""

    act: str  # back | skip | save | change | edit | review
    field: str = ""
    key: str = ""


def _button(lang: str, label: str, act: str, key: str, field: str = "") -> Button:
    return Button(text=label, callback_data=AddressFormCb(act=act, field=field, key=key).pack())


def _question_keyboard(lang: str, field: str, key: str) -> InlineKeyboardMarkup:
    rows = []
    if field == "postal_code":
        rows.append([_button(lang, t(lang, "address.no_postal_code"), "skip", key, field)])
    rows.append([_button(lang, t(lang, "back"), "back", key, field)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _question(lang: str, field: str) -> str:
    step = ADDRESS_FIELDS.index(field) + 1
    return t(lang, "address.step", n=step, of=len(ADDRESS_FIELDS)) + t(lang, f"address.ask.{field}")


def _review(lang: str, form: Mapping[str, Any]) -> str:
    return t(
        lang,
        "address.review",
        street=escape(str(form.get("street") or "")),
        city=escape(str(form.get("city") or "")),
        postal_code=escape(str(form.get("postal_code") or "—")),
        country=escape(str(form.get("country") or "")),
    )


def _review_keyboard(lang: str, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(lang, t(lang, "address.save"), "save", key),
                _button(lang, t(lang, "address.change"), "change", key),
            ]
        ]
    )


def _change_keyboard(lang: str, key: str) -> InlineKeyboardMarkup:
    fields = [_button(lang, t(lang, f"address.field.{f}"), "edit", key, f) for f in ADDRESS_FIELDS]
    return InlineKeyboardMarkup(
        inline_keyboard=[fields[:2], fields[2:], [_button(lang, t(lang, "back"), "review", key)]]
    )


def _next_field(form: Mapping[str, Any]) -> str | None:
    """The first question not answered yet (None: all answered, the address can be shown)."""
    return next((f for f in ADDRESS_FIELDS if f not in form), None)


async def _form(state: FSMContext) -> dict[str, Any]:
    return dict((await state.get_data()).get(FORM) or {})


async def begin(answer: Answer, state: FSMContext, lang: str, origin: str) -> None:
    """Start a new address for `origin` ("profile", "checkout"): the first question, in place
    of the screen that offered it, or under a typed "a new address" (⬅ Back brings that
    screen back)."""
    key = uuid.uuid4().hex[:16]
    await state.update_data({FORM: {"key": key, "origin": origin}})
    await state.set_state(AddressForm.street)
    await show_after(answer, _question(lang, "street"), _question_keyboard(lang, "street", key))


#: What says "there is none" to the postal code question, as its No postal code button does
#: (a bare "no" does too: asking.read_answer).
NO_POSTAL_CODE: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "none", "no postal code", "no postcode", "no post code", "no zip", "no zip code",
        "no code", "there is none", "there isn't one", "there isnt one", "we don't have one",
        "we dont have one", "i don't have one", "i dont have one", "don't have one",
        "dont have one", "no tengo", "ninguno", "no hay", "sin codigo postal",
        "no tiene codigo postal", "no hay codigo postal",
    )
)  # fmt: skip


def says_no_postal_code(text: str) -> bool:
    """Whether an answer to the postal code question says there is none ("no", "none",
    "there isn't one", "no postcode"), as tapping No postal code does."""
    return read_answer(text) is False or tuple(words(text)) in NO_POSTAL_CODE


#: The words that name one part of the address, as "Which part should change?" is answered
#: ("the town", "postcode", "zip", "el país").
_PARTS: Final = {
    "street": r"street|road|address\s+line|first\s+line|house\s+number|calle|direcci[oó]n",
    "city": r"city|town|village|ciudad|localidad|pueblo",
    "postal_code": r"post\s*code|postal\s*code|zip(?:\s*code)?|c[oó]digo\s+postal",
    "country": r"country|pa[ií]s",
}
_PART = re.compile(
    "|".join(rf"\b(?P<{field}>{words_of})\b" for field, words_of in _PARTS.items()), re.I
)
#: What may come before the part ("change the city", "it's the town") ...
_BEFORE_PART = re.compile(
    r"^(?:(?:no|nope|oh|ok|okay|please|sorry|actually|just|only|it'?s|its|it\s+is|change"
    r"|edit|fix|correct|update|the|my|el|la|mi|cambiar|cambia)\b[\s,.:!-]*)*$",
    re.I,
)
#: ... and, after it, a new value given at once ("the postcode is NW1 6XE", "city: Leeds",
#: "change the country to Ireland").
_NEW_VALUE = re.compile(
    r"^\s*(?:(?:(?:is|should\s+be|must\s+be|to|es|debe\s+ser|a)\b|[=:]|->)\s*)+"
    r"(?P<value>\S.*?)\s*[.!]*$",
    re.I,
)
_POLITE_END = re.compile(r"[\s,]*\b(?:please|thanks|thank\s+you|por\s+favor|gracias)\W*$", re.I)
#: A value that judges the part rather than giving it ("the city is wrong").
_JUDGED = re.compile(
    r"^(?:wrong|incorrect|not\s+right|a\s+mistake|mistaken|misspelt|misspelled|a\s+typo|bad"
    r"|mal|incorrect[oa])$",
    re.I,
)


def read_part(text: str) -> tuple[str, str | None] | None:
    """The one part of the address a typed answer to "Which part should change?" names,
    with the new value when it gives one ("the postcode is NW1 6XE"; None: "the town",
    "the city is wrong"); None when it names no part or several ("the city and street"),
    or says more than a part ("I moved to another city")."""
    found = list(_PART.finditer(text))
    if len({m.lastgroup for m in found}) != 1:
        return None
    first = found[0]
    field = str(first.lastgroup)
    if not _BEFORE_PART.match(text[: first.start()]):
        return None
    rest = _POLITE_END.sub("", text[first.end() :])
    if not rest.strip(" \t.!?"):
        return field, None
    given = _NEW_VALUE.match(rest)
    if given is None:
        return None
    value = given.group("value").strip()
    return field, None if _JUDGED.match(value) else value


def names_a_part(text: str) -> bool:
    """Whether the answer names parts of the address at all (several, or with more said):
    "Which part should change?" is asked again with its buttons."""
    return _PART.search(text) is not None


async def keep_for_review(message: Message, state: FSMContext, lang: str) -> bool:
    """ "never mind" to "Is this address right?": nothing is saved, and the address waits
    with its buttons (it is not lost). False when no address waits for review."""
    form = await _form(state)
    if not form or _next_field(form) is not None:
        return False
    await message.answer(
        t(lang, "address.not_saved") + "\n\n" + _review(lang, form),
        reply_markup=_review_keyboard(lang, str(form["key"])),
    )
    return True


async def _ask_next(message: Message, state: FSMContext, lang: str, form: dict[str, Any]) -> None:
    """Say the next question (or show the address for confirmation) as a new message."""
    await state.update_data({FORM: form})
    field = _next_field(form)
    if field is None:
        await state.set_state(AddressForm.confirm)
        await message.answer(_review(lang, form), reply_markup=_review_keyboard(lang, form["key"]))
        return
    await state.set_state(ASKING[field])
    await message.answer(
        _question(lang, field), reply_markup=_question_keyboard(lang, field, form["key"])
    )


def build_router(done: Mapping[str, Done]) -> Router:
    """The form's router; `done[origin]` continues where the form was started."""
    router = Router(name="customer.address_form")

    async def on_answer(message: Message, lang: str, state: FSMContext) -> None:
        form = await _form(state)
        field = _next_field(form)
        current = await state.get_state()
        if not form or field is None or current != ASKING[field].state:
            await message.answer(t(lang, "stray_text"))
            return
        await _take(message, lang, state, form, field, message.text or "")

    async def _take(
        message: Message,
        lang: str,
        state: FSMContext,
        form: dict[str, Any],
        field: str,
        text: str,
    ) -> None:
        """`text` as the answer to the question of `field`: checked by the engine's rules,
        then the next question (or the address again); a bad one is said kindly and the
        same question asked again."""
        if field == "postal_code" and says_no_postal_code(text):
            form[field] = ""  # as No postal code does
            await _ask_next(message, state, lang, form)
            return
        try:
            value = clean_address_field(field, text, country=form.get("country"))
            if field == "country" and form.get("postal_code"):
                # a postal code given before must fit the country: else it is asked again
                try:
                    form["postal_code"] = clean_address_field(
                        "postal_code", form["postal_code"], country=value
                    )
                except InvalidInput as wrong:
                    form["country"] = value
                    del form["postal_code"]
                    await message.answer(error_text(lang, wrong))
                    await _ask_next(message, state, lang, form)
                    return
        except InvalidInput as wrong:
            await state.update_data({FORM: form})
            await state.set_state(ASKING[field])
            await message.answer(
                error_text(lang, wrong) + "\n\n" + _question(lang, field),
                reply_markup=_question_keyboard(lang, field, form["key"]),
            )
            return
        form[field] = value or ""
        await _ask_next(message, state, lang, form)

    async def on_button(
        query: CallbackQuery,
        callback_data: AddressFormCb,
        shop: Shop,
        lang: str,
        me: UserView,
        state: FSMContext,
    ) -> None:
        form = await _form(state)
        current = await state.get_state()
        act, field = callback_data.act, callback_data.field
        asking = field in ASKING and current == ASKING[field].state and _next_field(form) == field
        reviewing = current == AddressForm.confirm.state and _next_field(form) is None
        fresh = bool(form) and form.get("key") == callback_data.key
        if not fresh or not (asking if act in ("back", "skip") else reviewing):
            await query.answer(t(lang, "stale_button"))
            return
        key = str(form["key"])
        if act == "back":
            before = ADDRESS_FIELDS[: ADDRESS_FIELDS.index(field)]
            if not before:  # out of the form, back where it started
                await state.update_data({FORM: None})
                await state.set_state(None)
                await done[str(form["origin"])](query, shop, lang, me, state, None)
                await query.answer()
                return
            form.pop(before[-1], None)
            await state.update_data({FORM: form})
            await state.set_state(ASKING[before[-1]])
            await show(
                query, _question(lang, before[-1]), _question_keyboard(lang, before[-1], key)
            )
        elif act == "skip":
            form[field] = ""
            await state.update_data({FORM: form})
            nxt = _next_field(form)
            if nxt is None:
                await state.set_state(AddressForm.confirm)
                await show(query, _review(lang, form), _review_keyboard(lang, key))
            else:
                await state.set_state(ASKING[nxt])
                await show(query, _question(lang, nxt), _question_keyboard(lang, nxt, key))
        elif act == "change":
            await show(
                query,
                _review(lang, form) + "\n\n" + t(lang, "address.which"),
                _change_keyboard(lang, key),
            )
        elif act == "review":
            await show(query, _review(lang, form), _review_keyboard(lang, key))
        elif act == "edit" and field in ASKING:
            form.pop(field, None)
            await state.update_data({FORM: form})
            await state.set_state(ASKING[field])
            await show(query, _question(lang, field), _question_keyboard(lang, field, key))
        elif act == "save":
            await save(query, form, shop, lang, me, state)
            await query.answer(t(lang, "address.saved"))
            return
        await query.answer()

    async def save(
        answer: Answer,
        form: Mapping[str, Any],
        shop: Shop,
        lang: str,
        me: UserView,
        state: FSMContext,
    ) -> None:
        """The address reviewed is saved (✅ Save, or a typed yes, which is told so), and the
        form ends first: an answer after this one finds no form, and saves nothing more (one
        refused leaves the form as it was)."""
        await state.update_data({FORM: None})
        await state.set_state(None)
        user = await shop.accounts.me(me.id)
        try:
            saved = await shop.accounts.add_address(
                me.id,
                AddressInput(
                    street=str(form["street"]),
                    city=str(form["city"]),
                    country=str(form["country"]),
                    postal_code=str(form["postal_code"]) or None,
                    recipient_name=" ".join(filter(None, [me.first_name, me.last_name])) or None,
                    phone=user.phone,
                ),
            )
        except DomainError:
            await state.update_data({FORM: dict(form)})
            await state.set_state(AddressForm.confirm)
            raise
        if isinstance(answer, Message):
            await answer.answer(t(lang, "address.saved"))
        await done[str(form["origin"])](answer, shop, lang, me, state, saved)

    async def on_review_answer(
        message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
    ) -> None:
        """A typed answer to "Is this address right?" (see the module): yes saves it, no or
        "change it" asks which part, "never mind" saves nothing; anything else, the buttons."""
        form = await _form(state)
        text = message.text or ""
        if not form or _next_field(form) is not None:
            await message.answer(t(lang, "stray_text"))
            return
        key = str(form["key"])
        said = tuple(words(text))
        if drops(text):
            await keep_for_review(message, state, lang)
            return
        answer = read_answer(text, SAVE_SAYS_YES)
        if answer is True:
            await save(message, form, shop, lang, me, state)
            return
        named = read_part(text)
        if named is not None:
            field, value = named
            form.pop(field, None)
            if value is None:  # as the part's button does: its question again
                await _ask_next(message, state, lang, form)
            else:  # "the postcode is NW1 6XE": taken as the answer to its question
                await _take(message, lang, state, form, field, value)
            return
        if answer is False or said in CHANGE_SAYS or names_a_part(text):
            await message.answer(
                _review(lang, form) + "\n\n" + t(lang, "address.which"),
                reply_markup=_change_keyboard(lang, key),
            )
            return
        await message.answer(t(lang, "stray_text"))

    router.message.register(
        on_answer, StateFilter(*ASKING.values()), F.text, ~F.text.startswith("/")
    )
    router.message.register(on_review_answer, AddressForm.confirm, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_button, AddressFormCb.filter())
    return router
