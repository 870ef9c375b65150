"""An admin creates a coupon in words: "create a coupon SAVE20 for 20% off", "new coupon
WELCOME5, 5 dollars off, until 31 December".

The words are read by `nlu.new_coupon.read_new_coupon` (only an admin's text that clearly
asks to create one reaches here: the admin router's role filter first, then `SaysNewCoupon`;
anyone else's goes on to the customer's reading). What will be created is shown back with
Yes / No; only Yes creates it, through the same engine call as /coupon (`Coupons.create`).

The question is answered once: its draft leaves the conversation when it is decided, so a
double tap, or the Yes of an older preview, creates nothing more and says what became of it
(`DECIDED`); the code, unique in the shop, backs that up. A typed "yes" or "no" answers the
newest preview as a customer's typed answer does (`handlers.customer.asking.read_answer`);
any other message, command or button ends that wait (`EndsCouponQuestion`), and the
preview's own buttons still answer it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any, Final

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from engine.accounts import UserView
from engine.base import Actor
from engine.coupons import CouponView
from engine.errors import InvalidInput
from engine.shop import Shop
from handlers.admin import people
from handlers.customer import asking
from handlers.i18n import error_text, t
from handlers.screen import show
from nlu.new_coupon import NewCoupon, read_new_coupon
from storage.vocabulary import CouponStatus, DiscountType

DRAFTS: Final = "coupon_drafts"  # key → the coupon a preview shows, until it is decided
WAITING: Final = "coupon_asked"  # the preview a typed yes / no answers
DECIDED: Final = "coupon_decided"  # key → the code created, or "" (the admin said no)
KEEP: Final = 5
#: A typed yes to this question, besides a bare yes ("ok create it").
SAYS_YES: Final = ("create it", "create", "make it", "do it", "go ahead", "save it", "créalo")


class CouponDraftCb(CallbackData, prefix="v1acd"):
    """Yes or No under the preview of the coupon `key` names."""

    key: str
    yes: bool


def draft_of(coupon: NewCoupon) -> dict[str, Any]:
    """A coupon read from words, as the conversation keeps it (text, so it stays JSON)."""
    return {
        "code": coupon.code,
        "type": (coupon.discount_type or DiscountType.fixed).value,
        "value": str(coupon.value or 0),
        "min_order": None if coupon.min_order is None else str(coupon.min_order),
        "end_date": None if coupon.end_date is None else coupon.end_date.isoformat(),
        "max_uses": coupon.max_uses,
    }


def _view(draft: dict[str, Any]) -> CouponView:
    """The draft as the coupon it will be (for the words the coupon list uses)."""
    return CouponView(
        coupon_id=0,
        code=str(draft["code"]),
        discount_type=DiscountType(draft["type"]),
        discount_value=Decimal(draft["value"]),
        min_order_amount=None if draft["min_order"] is None else Decimal(draft["min_order"]),
        max_uses=draft["max_uses"],
        uses_count=0,
        start_date=None,
        end_date=None if draft["end_date"] is None else date.fromisoformat(draft["end_date"]),
        status=CouponStatus.active,
    )


def preview(lang: str, draft: dict[str, Any]) -> str:
    """ "Create this coupon? SAVE20 · 20% off orders over $50.00 · up to 100 uses · until
    Dec 31, 2026"."""
    c = _view(draft)
    limit = (
        t(lang, "admin.coupon.typed.no_limit")
        if c.max_uses is None
        else t(lang, "admin.coupon.typed.limit", max=c.max_uses)
    )
    line = t(
        lang,
        "admin.coupon.typed.line",
        code=escape(c.code),
        offer=people.coupon_offer(lang, c),
        limit=limit,
        dates=people.coupon_dates(lang, c),
    )
    return t(lang, "admin.coupon.typed.ask", line=line)


def buttons(lang: str, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(lang, "admin.coupon.typed.yes"),
                    callback_data=CouponDraftCb(key=key, yes=True).pack(),
                ),
                InlineKeyboardButton(
                    text=t(lang, "admin.coupon.typed.no"),
                    callback_data=CouponDraftCb(key=key, yes=False).pack(),
                ),
            ]
        ]
    )


def _missing(lang: str, coupon: NewCoupon) -> str:
    """What the words left out, with how to say it."""
    if "code" in coupon.missing:
        return t(lang, "admin.coupon.typed.missing_code")
    return t(lang, "admin.coupon.typed.missing_offer", code=escape(coupon.code or ""))


# --- reading ----------------------------------------------------------------------------------
class SaysNewCoupon(Filter):
    """An admin's text that asks to create a coupon, read as of the shop's today; handed on
    as `coupon`."""

    async def __call__(self, message: Message, shop: Shop) -> bool | dict[str, Any]:
        coupon = read_new_coupon(message.text or "", shop.deps.clock().date())
        return False if coupon is None else {"coupon": coupon}


class AnswersCouponQuestion(Filter):
    """A typed yes or no while a coupon's preview waits for one; handed on as `answer`."""

    async def __call__(self, message: Message, state: FSMContext) -> bool | dict[str, Any]:
        if not (await state.get_data()).get(WAITING):
            return False
        answer = asking.read_answer(message.text or "", SAYS_YES)
        return False if answer is None else {"answer": answer}


class EndsCouponQuestion(BaseMiddleware):
    """Outer middleware of the admin's messages and buttons: an admin who moves on (any
    other text, a command, a photo, another button) leaves the coupon's preview unanswered
    by typing; its own buttons still answer it."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state, me = data.get("state"), data.get("me")
        if (
            isinstance(state, FSMContext)
            and isinstance(me, UserView)
            and Actor(me.id, me.role, me.status).is_admin
            and self.moves_on(event)
            and (await state.get_data()).get(WAITING)
        ):
            await state.update_data({WAITING: None})
        return await handler(event, data)

    @staticmethod
    def moves_on(event: TelegramObject) -> bool:
        if isinstance(event, CallbackQuery):
            return not (event.data or "").startswith(f"{CouponDraftCb.__prefix__}:")
        if isinstance(event, Message):
            text = event.text or ""
            return not text or text.startswith("/") or asking.read_answer(text, SAYS_YES) is None
        return False


# --- the handlers -----------------------------------------------------------------------------
async def on_typed_coupon(
    message: Message, coupon: NewCoupon, lang: str, state: FSMContext
) -> None:
    """What the words ask to create, with Yes / No; or what they left out. Nothing is
    created yet."""
    await asking.end(state)  # a question of the customer's side waits no more
    if coupon.missing:
        await message.answer(_missing(lang, coupon))
        return
    key = secrets.token_hex(6)
    data = await state.get_data()
    drafts = dict(list(dict(data.get(DRAFTS) or {}).items())[-(KEEP - 1) :])
    draft = draft_of(coupon)
    await state.update_data({DRAFTS: drafts | {key: draft}, WAITING: key})
    await message.answer(preview(lang, draft), reply_markup=buttons(lang, key))


async def decide(
    shop: Shop, lang: str, me: UserView, state: FSMContext, key: str, yes: bool
) -> str:
    """The answer to the preview `key` names: Yes creates its coupon (once), No drops it;
    a preview decided already says what became of it."""
    data = await state.get_data()
    drafts = dict(data.get(DRAFTS) or {})
    draft = drafts.pop(key, None)
    decided = dict(data.get(DECIDED) or {})
    if draft is None:
        if key not in decided:
            return t(lang, "admin.coupon.typed.gone")
        if not decided[key]:
            return t(lang, "admin.coupon.typed.was_dropped")
        return t(lang, "admin.coupon.typed.done", code=escape(decided[key]))
    decided = dict(list(decided.items())[-(KEEP * 2 - 1) :]) | {key: draft["code"] if yes else ""}
    waiting = None if data.get(WAITING) == key else data.get(WAITING)
    # decided before the engine is asked: a second tap meanwhile finds nothing to create
    await state.update_data({DRAFTS: drafts, DECIDED: decided, WAITING: waiting})
    if not yes:
        return t(lang, "admin.coupon.typed.dropped")
    c = _view(draft)
    try:
        made = await shop.coupons.create(
            me.id,
            code=c.code,
            discount_type=c.discount_type,
            value=c.discount_value,
            min_order_amount=c.min_order_amount,
            max_uses=c.max_uses,
            end_date=c.end_date,
        )
    except InvalidInput as error:
        if error.params.get("field") == "code" and error.params.get("rule") == "taken":
            # made meanwhile (a second tap at the same moment), or long ago: it is there
            same = [x for x in await shop.coupons.usage(me.id) if x.code == c.code]
            if same:
                line = people.coupon_line(lang, same[0])
                return t(lang, "admin.coupon.typed.exists", code=escape(c.code), line=line)
        await state.update_data({DECIDED: decided | {key: ""}})  # nothing was created
        said = error_text(lang, error)
        return t(lang, "admin.coupon.typed.refused", error=said, code=escape(c.code))
    return (
        t(lang, "admin.coupon.created", code=escape(made.code))
        + "\n"
        + people.coupon_line(lang, made)
    )


async def on_coupon_button(
    query: CallbackQuery,
    callback_data: CouponDraftCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Yes or No under a preview: the preview then says what was done, with no buttons."""
    said = await decide(shop, lang, me, state, callback_data.key, callback_data.yes)
    await show(query, said, None)
    await query.answer()


async def on_coupon_typed_answer(
    message: Message, answer: bool, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """ "yes", "ok create it" or "no" typed under the newest preview."""
    key = str((await state.get_data()).get(WAITING) or "")
    await message.answer(await decide(shop, lang, me, state, key, answer))


def build_router() -> Router:
    """Under the admin router (its role filter first); its `EndsCouponQuestion` goes on the
    admin router itself, so a command any admin handler takes ends the wait too."""
    router = Router(name="admin_typed_coupon")
    typed = (StateFilter(None), F.text, ~F.text.startswith("/"))
    router.message.register(on_coupon_typed_answer, *typed, AnswersCouponQuestion())
    router.message.register(on_typed_coupon, *typed, SaysNewCoupon())
    router.callback_query.register(on_coupon_button, CouponDraftCb.filter())
    return router
