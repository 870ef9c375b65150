"""Admin screens about people and money: stores (suspend with a reason, reinstate, close),
coupons (usage, disable / enable, edit), finding a user (/user), and the marketplace report
(/market: sales over 7, 30 or 90 days with a chart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Final

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.backoffice import SellerPerformance, UserCard
from engine.coupons import CouponView
from engine.errors import NotFound
from engine.sellers import allows
from engine.shop import Shop
from engine.transitions import E
from handlers import commands, reports
from handlers import keyboards as main_kb
from handlers.admin import keyboards as kb
from handlers.callbacks import (
    CouponAdminAction,
    CouponAdminCb,
    ReportCb,
    ReportScope,
    StoreAdminAction,
    StoreAdminCb,
)
from handlers.conversation import end_conversation
from handlers.i18n import day, number, price, t
from handlers.screen import send_below, show
from storage.vocabulary import DiscountType

S = StoreAdminAction
K = CouponAdminAction
EVENT_OF: Final = {action: event for event, action in kb.STORE_ACTION_OF.items()}


class StoreEdit(StatesGroup):
    suspend = State()  # the reason the seller reads
    close = State()


class CouponEdit(StatesGroup):
    changes = State()  # "value 15, max 200, ends 2026-12-31"


# --- stores -------------------------------------------------------------------------------
async def stores_screen(
    shop: Shop, lang: str, me: UserView, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    stores = await shop.backoffice.seller_performance(me.id)
    shown, page, pages = kb.page_of(stores, page)
    text = t(lang, "admin.stores", count=len(stores), page=page, pages=pages)
    return text, kb.stores(lang, shown, page, pages)


async def store_of(shop: Shop, me: UserView, seller_id: int) -> SellerPerformance:
    for s in await shop.backoffice.seller_performance(me.id, seller_id):
        return s
    raise NotFound(entity="seller", id=seller_id)


def store_screen(lang: str, s: SellerPerformance) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        lang,
        "admin.store",
        store=escape(s.store_name),
        status=t(lang, f"admin.store.status.{s.status.value}"),
        reason=f" ({escape(s.status_reason)})" if s.status_reason else "",
        revenue=price(s.revenue, lang=lang),
        orders=s.orders,
        cancelled=number(s.cancellation_rate * 100, lang, digits=1),
        returned=number(s.return_rate * 100, lang, digits=1),
        rating=number(s.rating, lang, digits=1) if s.rating is not None else "—",
    )
    return text, kb.store(lang, s)


async def on_stores_page(
    query: CallbackQuery, callback_data: StoreAdminCb, shop: Shop, lang: str, me: UserView
) -> None:
    await show(query, *await stores_screen(shop, lang, me, callback_data.page))
    await query.answer()


async def on_store(
    query: CallbackQuery, callback_data: StoreAdminCb, shop: Shop, lang: str, me: UserView
) -> None:
    await show(query, *store_screen(lang, await store_of(shop, me, callback_data.id)))
    await query.answer()


async def _still(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, seller_id: int, event: E
) -> SellerPerformance | None:
    """The store, when its status still allows `event`. Otherwise the button was on an older
    card: the card shows the store as it is now, the tap is told so, and nothing is asked."""
    store = await store_of(shop, me, seller_id)  # refuses non-admins, and unknown stores
    if allows(store.status, event):
        return store
    await show(query, *store_screen(lang, store))
    await query.answer(t(lang, "stale_button"))
    return None


async def on_reinstate(
    query: CallbackQuery,
    callback_data: StoreAdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    bot: Bot,
) -> None:
    sid = callback_data.id
    if await _still(query, shop, lang, me, sid, E.reinstate) is None:
        return
    await shop.sellers.reinstate(me.id, sid)
    await commands.publish_seller(bot, shop, sid, selling=True)
    await show(query, *store_screen(lang, await store_of(shop, me, sid)))
    await query.answer()


async def on_store_ask_reason(
    query: CallbackQuery,
    callback_data: StoreAdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Suspend or close: asks why (the seller reads it)."""
    suspend = callback_data.action == S.suspend
    store = await _still(query, shop, lang, me, callback_data.id, EVENT_OF[callback_data.action])
    if store is None:
        return
    await state.set_state(StoreEdit.suspend if suspend else StoreEdit.close)
    await state.update_data(seller_id=callback_data.id)
    key = "admin.store.suspend_ask" if suspend else "admin.store.close_ask"
    await send_below(
        query, t(lang, key, store=escape(store.store_name)), main_kb.prompt_cancel(lang)
    )
    await query.answer()


async def on_store_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, bot: Bot
) -> None:
    reason = (message.text or "").strip()[:500]
    suspending = await state.get_state() == StoreEdit.suspend.state
    seller_id = int((await state.get_data()).get("seller_id", 0))
    store = await store_of(shop, me, seller_id)
    if not allows(store.status, E.suspend if suspending else E.close):
        # changed since the question (another admin, another card): nothing to do any more
        await end_conversation(state)
        text, markup = store_screen(lang, store)
        await message.answer(t(lang, "error.outdated") + "\n\n" + text, reply_markup=markup)
        return
    if suspending:
        seller = await shop.sellers.suspend(me.id, seller_id, reason)
    else:
        seller = await shop.sellers.close(me.id, seller_id, reason)
    await end_conversation(state)
    await commands.publish_seller(bot, shop, seller_id, selling=False)
    text, markup = store_screen(lang, await store_of(shop, me, seller_id))
    key = "admin.store.suspended" if suspending else "admin.store.closed"
    await message.answer(
        t(lang, key, store=escape(seller.store_name)) + "\n\n" + text, reply_markup=markup
    )


# --- coupons ------------------------------------------------------------------------------
def coupon_offer(lang: str, c: CouponView) -> str:
    """What the coupon gives, as a shop owner says it: "15% off", "Free shipping",
    "$10.00 off orders over $50.00"."""
    if c.discount_type == DiscountType.percentage:
        value = c.discount_value.normalize()
        offer = t(lang, "admin.coupon.percent", value=f"{value:f}")
    elif c.discount_type == DiscountType.fixed:
        offer = t(lang, "admin.coupon.fixed", value=price(c.discount_value, lang=lang))
    elif c.min_order_amount:
        return t(
            lang, "admin.coupon.free_shipping_over", minimum=price(c.min_order_amount, lang=lang)
        )
    else:
        return t(lang, "admin.coupon.free_shipping")
    if c.min_order_amount:
        offer = t(
            lang, "admin.coupon.over", offer=offer, minimum=price(c.min_order_amount, lang=lang)
        )
    return offer


def _uses(lang: str, c: CouponView) -> str:
    if c.max_uses is None:
        return t(lang, "admin.coupon.uses", uses=c.uses_count)
    return t(lang, "admin.coupon.uses_of", uses=c.uses_count, max=c.max_uses)


def coupon_dates(lang: str, c: CouponView) -> str:
    """When the coupon runs: "until Dec 31, 2026", "no end date"."""
    start = day(c.start_date, lang, skeleton="yMMMd") if c.start_date else None
    end = day(c.end_date, lang, skeleton="yMMMd") if c.end_date else None
    if start and end:
        return t(lang, "admin.coupon.between", start=start, end=end)
    if end:
        return t(lang, "admin.coupon.until", end=end)
    if start:
        return t(lang, "admin.coupon.from", start=start)
    return t(lang, "admin.coupon.no_end")


def coupon_line(lang: str, c: CouponView) -> str:
    """ "LAUNCH15 · 15% off · used 2 of 2 — used up · until Dec 31, 2026"."""
    return t(
        lang,
        "admin.coupon.line",
        code=escape(c.code),
        offer=coupon_offer(lang, c),
        uses=_uses(lang, c),
        standing=t(lang, f"admin.coupon.standing.{c.standing}"),
        dates=coupon_dates(lang, c),
    )


async def coupons_screen(shop: Shop, lang: str, me: UserView) -> tuple[str, InlineKeyboardMarkup]:
    coupons = await shop.coupons.usage(me.id)
    lines = [t(lang, "admin.coupons.title")] + [coupon_line(lang, c) for c in coupons[:40]]
    if not coupons:
        lines = [t(lang, "admin.coupons.none")]
    markup = kb.coupons(lang, coupons[:40], lambda c: coupon_offer(lang, c))
    return "\n".join(lines), markup


def _coupon_screen(lang: str, c: CouponView) -> tuple[str, InlineKeyboardMarkup]:
    minimum = price(c.min_order_amount, lang=lang) if c.min_order_amount is not None else "—"
    text = t(lang, "admin.coupon", line=coupon_line(lang, c), minimum=minimum)
    return text, kb.coupon(lang, c)


async def _coupon(shop: Shop, me: UserView, coupon_id: int) -> CouponView:
    for c in await shop.coupons.usage(me.id):
        if c.coupon_id == coupon_id:
            return c
    raise NotFound(entity="coupon", id=coupon_id)


async def on_open_coupon(
    query: CallbackQuery, callback_data: CouponAdminCb, shop: Shop, lang: str, me: UserView
) -> None:
    coupon = await _coupon(shop, me, callback_data.id)  # refuses non-admins, and unknown coupons
    await show(query, *_coupon_screen(lang, coupon))
    await query.answer()


async def on_coupon_switch(
    query: CallbackQuery, callback_data: CouponAdminCb, shop: Shop, lang: str, me: UserView
) -> None:
    """Disable or enable, as the screen offered."""
    cid = callback_data.id
    await _coupon(shop, me, cid)  # refuses non-admins, and unknown coupons
    if callback_data.action == K.disable:
        coupon = await shop.coupons.disable(me.id, cid)
    else:
        coupon = await shop.coupons.enable(me.id, cid)
    await show(query, *_coupon_screen(lang, coupon))
    await query.answer()


async def on_coupon_edit(
    query: CallbackQuery,
    callback_data: CouponAdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    coupon = await _coupon(shop, me, callback_data.id)  # refuses non-admins, and unknown coupons
    await state.set_state(CouponEdit.changes)
    await state.update_data(coupon_id=callback_data.id)
    ask = t(lang, "admin.coupon.edit_ask", code=coupon.code)
    await send_below(query, ask, main_kb.prompt_cancel(lang))
    await query.answer()


@dataclass(frozen=True)
class CouponChanges:
    value: Decimal | None = None
    max_uses: int | None = None
    end_date: date | None = None


def parse_coupon_changes(text: str) -> CouponChanges | None:
    """ "value 15, max 200, ends 2026-12-31" (any of them, any order); None when unreadable."""
    value, max_uses, end_date = None, None, None
    for part in text.replace(";", ",").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2:
            return None
        key, word = words[0].lower(), words[1]
        try:
            if key == "value":
                value = Decimal(word)
            elif key in ("max", "max_uses"):
                max_uses = int(word)
            elif key in ("ends", "end", "until"):
                end_date = date.fromisoformat(word)
            else:
                return None
        except (ValueError, InvalidOperation):
            return None
    if value is None and max_uses is None and end_date is None:
        return None
    return CouponChanges(value, max_uses, end_date)


async def on_coupon_changes(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    changes = parse_coupon_changes(message.text or "")
    if changes is None:
        await message.answer(
            t(lang, "admin.coupon.edit_bad"), reply_markup=main_kb.prompt_cancel(lang)
        )
        return
    coupon_id = int((await state.get_data()).get("coupon_id", 0))
    coupon = await shop.coupons.update(
        me.id,
        coupon_id,
        value=changes.value,
        max_uses=changes.max_uses,
        end_date=changes.end_date,
    )
    await end_conversation(state)
    text, markup = _coupon_screen(lang, coupon)
    await message.answer(
        t(lang, "admin.coupon.updated", code=coupon.code) + "\n\n" + text, reply_markup=markup
    )


# --- users --------------------------------------------------------------------------------
def who(lang: str, u: UserCard) -> str:
    """ "Kim (@kim, Telegram 900000202, user #9)": both ids, so there is no doubt who."""
    return t(
        lang,
        "admin.who",
        name=escape(u.first_name or "—"),
        username=f"@{escape(u.username)}, " if u.username else "",
        telegram_id=u.telegram_id or "—",
        user_id=u.user_id,
    )


def user_card(lang: str, u: UserCard) -> str:
    return t(
        lang,
        "admin.user",
        user_id=u.user_id,
        name=escape(u.first_name or "—"),
        username=f"@{escape(u.username)}" if u.username else "—",
        telegram_id=u.telegram_id or "—",
        role=t(lang, f"admin.role.{u.role.value}"),
        status=u.status.value,
        reason=f" ({escape(u.status_reason)})" if u.status_reason else "",
    )


async def on_user(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/user <@username | Telegram id | #user id>: who that is, before a ban or an unban."""
    who = (command.args or "").strip()
    if not who:
        await message.answer(t(lang, "admin.usage", usage=t(lang, "admin.usage.user")))
        return
    await message.answer(user_card(lang, await shop.backoffice.find_user(me.id, who)))


# --- the marketplace report ---------------------------------------------------------------
async def ask_market_period(message: Message, lang: str) -> None:
    await message.answer(
        t(lang, "report.choose", title=t(lang, "report.market")),
        reply_markup=reports.periods(lang, ReportScope.market),
    )


async def on_market(message: Message, lang: str) -> None:
    await ask_market_period(message, lang)


async def on_market_period(
    query: CallbackQuery, callback_data: ReportCb, shop: Shop, lang: str, me: UserView
) -> None:
    report = await shop.backoffice.marketplace_sales(me.id, callback_data.days)
    await reports.deliver(query, lang, report, ReportScope.market)


def build_router() -> Router:
    router = Router(name="admin.people")
    typed = (F.text, ~F.text.startswith("/"))
    store, coupon = StoreAdminCb.filter, CouponAdminCb.filter
    router.callback_query.register(on_stores_page, store(F.action == S.list))
    router.callback_query.register(on_store, store(F.action == S.show))
    router.callback_query.register(on_reinstate, store(F.action == S.reinstate))
    router.callback_query.register(on_store_ask_reason, store(F.action.in_({S.suspend, S.close})))
    router.message.register(on_store_reason, StoreEdit.suspend, *typed)
    router.message.register(on_store_reason, StoreEdit.close, *typed)
    router.callback_query.register(on_open_coupon, coupon(F.action == K.show))
    router.callback_query.register(on_coupon_switch, coupon(F.action.in_({K.disable, K.enable})))
    router.callback_query.register(on_coupon_edit, coupon(F.action == K.edit))
    router.message.register(on_coupon_changes, CouponEdit.changes, *typed)
    router.message.register(on_user, Command("user"))
    router.message.register(on_market, Command("market"))
    router.callback_query.register(on_market_period, ReportCb.filter(F.scope == ReportScope.market))
    return router
