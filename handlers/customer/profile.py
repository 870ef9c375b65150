"""The customer's profile: names (from Telegram), e-mail (typed, validated by the engine),
phone (shared as a contact through a reply keyboard, or typed), saved addresses (add through
the address form, make default, forget; each place listed once), and the language the bot
speaks (Telegram's until the customer picks one of the catalogs' languages here).

Bad input gets a friendly refusal and changes nothing; the step stays open for another try
until /cancel or "Cancel"."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from engine.accounts import AddressView, UserView
from engine.shop import Shop
from handlers import commands, render
from handlers.callbacks import Menu, MenuCb, ProfileAction, ProfileCb
from handlers.customer import address_form
from handlers.i18n import LANGUAGES, language, language_name, t
from handlers.keyboards import clip
from handlers.screen import show

Button = InlineKeyboardButton
MAX_ADDRESSES = 10


class Profile(StatesGroup):
    email = State()
    phone = State()


FOLLOW_TELEGRAM = "tg"  # the language choice's "as in Telegram": no choice of the shop's


class LanguageCb(CallbackData, prefix="v1lang"):
    """The language choice: no `code` shows the choices, a catalog's language picks it."""

    code: str = ""


async def _text(shop: Shop, lang: str, me: UserView) -> tuple[str, list[AddressView]]:
    user = await shop.accounts.me(me.id)
    saved = await shop.accounts.address_book(me.id)
    name = " ".join(filter(None, [user.first_name, user.last_name])) or "—"
    lines = [
        t(
            lang,
            "profile.title",
            name=escape(name),
            email=escape(user.email or "—"),
            phone=escape(user.phone or "—"),
        )
    ]
    if saved:
        lines.append(t(lang, "profile.addresses"))
        lines += [
            t(
                lang,
                "profile.address",
                address=render.address(a),
                default=" ★" if a.is_default else "",
            )
            for a in saved[:MAX_ADDRESSES]
        ]
    else:
        lines.append(t(lang, "profile.no_addresses"))
    return render.fit("\n".join(lines)), saved


def _keyboard(lang: str, saved: list[AddressView]) -> InlineKeyboardMarkup:
    def b(key: str, action: ProfileAction, address_id: int = 0, **params: str) -> Button:
        return Button(
            text=t(lang, key, **params),
            callback_data=ProfileCb(action=action, id=address_id).pack(),
        )

    rows = [
        [b("profile.email", ProfileAction.email), b("profile.phone", ProfileAction.phone)],
        [b("profile.add_address", ProfileAction.address)],
    ]
    for a in saved[:MAX_ADDRESSES]:
        label = clip(f"{a.street}, {a.city}", 24)
        row = [b("profile.forget", ProfileAction.delete, a.address_id, address=label)]
        if not a.is_default:
            row.insert(
                0, b("profile.make_default", ProfileAction.default, a.address_id, address=label)
            )
        rows.append(row)
    label = t(lang, "profile.language", name=language_name(lang))
    rows.append([Button(text=label, callback_data=LanguageCb().pack())])
    rows.append([Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.home).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _languages(lang: str) -> InlineKeyboardMarkup:
    """Each catalog's language in its own name, the one spoken now ticked."""
    rows = [
        [
            Button(
                text=("✓ " if code == lang else "") + language_name(code),
                callback_data=LanguageCb(code=code).pack(),
            )
        ]
        for code in LANGUAGES
    ]
    telegram = LanguageCb(code=FOLLOW_TELEGRAM).pack()
    rows.append([Button(text=t(lang, "profile.language.telegram"), callback_data=telegram)])
    rows.append([Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.profile).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _screen(shop: Shop, lang: str, me: UserView) -> tuple[str, InlineKeyboardMarkup]:
    text, saved = await _text(shop, lang, me)
    return text, _keyboard(lang, saved)


async def send_profile(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    text, markup = await _screen(shop, lang, me)
    await message.answer(text, reply_markup=markup)


async def on_profile_command(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    await state.set_state(None)
    await send_profile(message, shop, lang, me)


async def on_profile_button(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    await state.set_state(None)
    await show(query, *await _screen(shop, lang, me))
    await query.answer()


def _share_phone(lang: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t(lang, "profile.phone.share"), request_contact=True)],
            [KeyboardButton(text=t(lang, "profile.cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=t(lang, "profile.phone.placeholder"),
    )


async def on_profile_action(
    query: CallbackQuery,
    callback_data: ProfileCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    message = query.message
    action = callback_data.action
    if action in (ProfileAction.default, ProfileAction.delete):
        # the engine answers "not found" for an address that is not this user's own
        if action == ProfileAction.default:
            await shop.accounts.set_default_address(me.id, callback_data.id)
        else:
            await shop.accounts.delete_address(me.id, callback_data.id)
        await show(query, *await _screen(shop, lang, me))
        await query.answer(t(lang, "profile.saved"))
        return
    if not isinstance(message, Message):
        await query.answer()
        return
    if action == ProfileAction.email:
        await state.set_state(Profile.email)
        await message.answer(t(lang, "profile.email.ask"))
    elif action == ProfileAction.phone:
        await state.set_state(Profile.phone)
        await message.answer(t(lang, "profile.phone.ask"), reply_markup=_share_phone(lang))
    elif action == ProfileAction.address:
        await address_form.begin(query, state, lang, origin="profile")
    await query.answer()


async def on_email(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    email = (message.text or "").strip()
    # a refusal ("That e-mail address does not look right.") comes from the error handler;
    # nothing is saved and this step stays open for another try
    await shop.accounts.update_profile(me.id, email=email)
    await state.set_state(None)
    await message.answer(t(lang, "profile.email.saved", email=escape(email.lower())))
    await send_profile(message, shop, lang, me)


async def on_phone(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """A shared contact (only the user's own) or a typed number; "Cancel" leaves it as it was."""
    text = (message.text or "").strip()
    if message.contact is not None:
        owner = message.contact.user_id
        if owner is not None and (message.from_user is None or owner != message.from_user.id):
            await message.answer(t(lang, "profile.phone.not_yours"))
            return
        number = message.contact.phone_number.strip()
        phone = number if number.startswith("+") else f"+{number}"
    elif text == t(lang, "profile.cancel"):
        await state.set_state(None)
        await message.answer(t(lang, "cancelled"), reply_markup=ReplyKeyboardRemove())
        await send_profile(message, shop, lang, me)
        return
    else:
        phone = text
    await shop.accounts.update_profile(me.id, phone=phone)  # refused: the error handler says why
    await state.set_state(None)
    await message.answer(
        t(lang, "profile.phone.saved", phone=escape(phone)), reply_markup=ReplyKeyboardRemove()
    )
    await send_profile(message, shop, lang, me)


async def address_done(
    answer: address_form.Answer,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    saved: AddressView | None,
) -> None:
    """The address form is done (saved, or left with Back): the profile again, in place of
    the tapped screen, or under a typed "yes"."""
    await address_form.show_after(answer, *await _screen(shop, lang, me))


async def on_language(
    query: CallbackQuery, callback_data: LanguageCb, shop: Shop, lang: str, me: UserView
) -> None:
    """The choice of languages; or one picked: kept, and the profile shown in it at once;
    or Telegram's again. The chat's / menu and menu button follow (handlers.commands)."""
    code = callback_data.code
    if code and code not in LANGUAGES and code != FOLLOW_TELEGRAM:
        await query.answer(t(lang, "stale_button"))
        return
    if not code:
        await show(query, t(lang, "profile.language.ask"), _languages(lang))
        await query.answer()
        return
    kept = None if code == FOLLOW_TELEGRAM else code
    view = await shop.accounts.set_language(me.id, kept)
    chosen = language(view.language_code)
    await show(query, *await _screen(shop, chosen, me))
    await query.answer(t(chosen, "profile.language.saved"))
    if query.bot is not None and me.telegram_id is not None:
        await commands.speak_in_chat(query.bot, shop, me, me.telegram_id, kept)


def build_router() -> Router:
    router = Router(name="customer.profile")
    typed = (F.text, ~F.text.startswith("/"))
    router.message.register(on_profile_command, Command("profile"))
    router.callback_query.register(on_profile_button, MenuCb.filter(F.to == Menu.profile))
    router.callback_query.register(on_profile_action, ProfileCb.filter())
    router.callback_query.register(on_language, LanguageCb.filter())
    router.message.register(on_email, Profile.email, *typed)
    router.message.register(on_phone, Profile.phone, F.contact)
    router.message.register(on_phone, Profile.phone, *typed)
    return router
