"""Seller conversations: /sell to apply or open the dashboard, the add-product wizard and
product editing (handlers/seller/products.py), incoming orders as cards that change in place
(handlers/seller/orders.py), bulk import of a CSV or .xlsx sent as a document
(handlers/seller/imports.py), payouts, reviews, and /report (sales over 7, 30 or 90 days with a
chart).

Applying is open to everyone (`open_router`); everything else sits behind the seller role,
checked once on the router (`IsSeller`), so a forged button or command of a customer is
refused before any prompt (`refusals`). Each feature module registers one handler per
action, chosen by its callback data; its keyboards are in handlers/seller/keyboards.py. The
engine still checks that each id is the seller's own."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any, Final

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.aftersales import PayoutView, ReceivedReview, payouts_total
from engine.errors import InvalidInput
from engine.shop import Shop
from handlers import keyboards as main_kb
from handlers import reports
from handlers.callbacks import PromptCancelCb, ReportCb, ReportScope, SellerAction, SellerCb
from handlers.conversation import end_conversation
from handlers.i18n import day, error_text, price, t
from handlers.render import fit, stars
from handlers.screen import send_below, show
from handlers.seller import imports, orders, products
from handlers.seller import keyboards as kb
from handlers.seller.cb import SELLER_BUTTONS, OrdersView
from handlers.seller.orders import Ship
from handlers.seller.products import EditProduct, NewProduct, Stock
from storage.vocabulary import PayoutStatus, SellerStatus, UserRole

__all__ = [
    "PROMPTS",
    "Apply",
    "EditProduct",
    "IsSeller",
    "NewProduct",
    "Ship",
    "Stock",
    "build_router",
]

Screen = tuple[str, InlineKeyboardMarkup | None]


class Apply(StatesGroup):
    name = State()
    description = State()


# the seller's questions that wait for typed text (handlers.prompts ends them elsewhere)
PROMPTS: Final = {Apply: (), Ship: (), **products.PROMPTS}


class IsSeller(Filter):
    """The user has a store: the seller role (an admin may have a store too)."""

    async def __call__(
        self, event: Any, me: UserView | None = None, shop: Shop | None = None
    ) -> bool:
        if me is None or shop is None:
            return False
        if me.role == UserRole.seller:
            store = True
        else:
            store = me.role == UserRole.admin and await shop.sellers.mine(me.id) is not None
        main_kb.remember_store(event, store)  # for the main menus further on (has_store)
        return store


async def on_sell(message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext) -> None:
    await end_conversation(state)
    store = await shop.sellers.mine(me.id)
    if store is None:
        await state.set_state(Apply.name)
        await message.answer(t(lang, "seller.apply.name"))
        return
    if store.status != SellerStatus.active:
        if store.status == SellerStatus.rejected:
            await state.set_state(Apply.name)
        await message.answer(
            t(
                lang,
                f"seller.status.{store.status.value}",
                store=escape(store.store_name),
                reason=escape(store.status_reason or "—"),
            )
        )
        return
    text, markup = await dashboard(shop, lang, me)
    await message.answer(text, reply_markup=markup)


async def dashboard(shop: Shop, lang: str, me: UserView) -> Screen:
    """The store's name, how many products it lists and orders wait for it, and its menu."""
    store = await shop.sellers.mine(me.id)
    if store is None:
        return t(lang, "error.forbidden.seller_only"), None
    listed = await shop.catalog.my_products(me.id)
    text = t(
        lang,
        "seller.dashboard",
        store=escape(store.store_name),
        products=len(listed),
        orders=await shop.fulfilment.to_handle(me.id),  # not the parcels already on their way
    )
    return text, kb.menu(lang)


async def on_apply_name(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    await state.update_data(store_name=(message.text or "").strip()[:150])
    if (await state.get_data()).get("description"):  # a second try after a taken name
        await _apply(message, shop, lang, me, state)
        return
    await state.set_state(Apply.description)
    await message.answer(t(lang, "seller.apply.description"))


async def on_apply_description(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    await state.update_data(description=(message.text or "").strip()[:2000])
    await _apply(message, shop, lang, me, state)


async def _apply(message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext) -> None:
    data = await state.get_data()
    try:
        store = await shop.sellers.apply(
            me.id, str(data.get("store_name", "")), str(data.get("description", ""))
        )
    except InvalidInput as refused:
        if refused.params.get("field") != "store_name":
            raise
        # the name is what is wrong (taken, too long): ask it again, keep the description
        await state.set_state(Apply.name)
        await message.answer(error_text(lang, refused) + "\n" + t(lang, "seller.apply.rename"))
        return
    await end_conversation(state)
    await message.answer(t(lang, "seller.applied", store=escape(store.store_name)))


def payouts_text(lang: str, payouts: list[PayoutView]) -> str:
    """A seller's payout statements, newest first: the period each covers, the sales, what
    was refunded, the marketplace's commission and what is paid; and what is still on its
    way (payouts made and not sent yet). The amounts are the engine's, totals included."""
    if not payouts:
        return t(lang, "seller.payouts.none")
    rows = [t(lang, "seller.payouts.title")]
    for p in payouts[:20]:
        rows.append(
            t(
                lang,
                "seller.payout.statement",
                payout_id=p.payout_id,
                start=day(p.period_start, lang),
                end=day(p.period_end, lang),
                gross=price(p.gross, lang=lang),
                refunds=price(p.refunds, lang=lang),
                commission=price(p.commission, lang=lang),
                amount=price(p.amount, lang=lang),
                status=t(lang, f"payout.status.{p.status.value}"),
            )
        )
    waiting = payouts_total(payouts, PayoutStatus.pending)
    if waiting:
        rows.append(t(lang, "seller.payouts.waiting", amount=price(waiting, lang=lang)))
    return "\n\n".join(rows)


# --- the store's menu: one handler per button ------------------------------------------------
async def below(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A menu button's screen, as a new message under the menu."""
    await send_below(query, text, markup)
    await query.answer()


async def on_menu_home(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await below(query, *await dashboard(shop, lang, me))


async def on_menu_new_product(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    store = await shop.sellers.mine(me.id)
    if store is None or store.status != SellerStatus.active:  # refused before asking
        await query.answer(t(lang, "error.forbidden.seller_not_active"), show_alert=True)
        return
    await below(query, *await products.start_wizard(shop, lang, state))


async def on_menu_products(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await below(query, *products.products_screen(lang, await shop.catalog.my_products(me.id), 1))


async def on_menu_orders(
    query: CallbackQuery, callback_data: SellerCb, shop: Shop, lang: str, me: UserView
) -> None:
    """Orders: the first list with something in it; Returns: the returns."""
    view = OrdersView.returns if callback_data.to == SellerAction.returns else None
    await below(query, *await orders.orders_page(shop, lang, me, view))


async def on_menu_payouts(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await below(query, payouts_text(lang, await shop.payouts.mine(me.id)), kb.to_store(lang))


def reviews_text(lang: str, reviews: list[ReceivedReview]) -> str:
    """The store's reviews, newest first: the product, its stars, the words and the day."""
    if not reviews:
        return t(lang, "seller.reviews.none")
    rows = [t(lang, "seller.reviews.title", count=len(reviews))]
    rows += [
        t(
            lang,
            "seller.review.line",
            product=escape(r.product_name),
            stars=stars(Decimal(r.rating)),
            date=day(r.written_at, lang),
            comment=escape(r.comment) if r.comment else t(lang, "seller.review.no_comment"),
        )
        for r in reviews
    ]
    return fit("\n\n".join(rows))


async def on_menu_reviews(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    reviews = await shop.reviews.received(me.id)
    await below(query, reviews_text(lang, reviews), kb.to_store(lang))


async def on_menu_report(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await below(query, *await report_question(shop, lang, me))


# --- /report: sales over a chosen period, with a chart -------------------------------------
async def report_question(shop: Shop, lang: str, me: UserView) -> Screen:
    store = await shop.sellers.mine(me.id)
    if store is None:
        return t(lang, "error.forbidden.seller_only"), None
    question = t(lang, "report.choose", title=escape(store.store_name))
    return question, reports.periods(lang, ReportScope.store)


async def on_report(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    text, markup = await report_question(shop, lang, me)
    await message.answer(text, reply_markup=markup)


async def on_report_period(
    query: CallbackQuery, callback_data: ReportCb, shop: Shop, lang: str, me: UserView
) -> None:
    report = await shop.backoffice.store_sales(me.id, callback_data.days)
    await reports.deliver(query, lang, report, ReportScope.store)


async def on_not_a_seller(event: Message | CallbackQuery, lang: str = "en") -> None:
    """A seller's button or command from someone without a store: refused, nothing asked."""
    await event.answer(t(lang, "error.forbidden.seller_only"))


def build_router() -> Router:
    seller = Router(name="seller")
    seller.include_routers(_open_router(), _store_router(), _refusals())
    return seller


async def on_prompt_cancel(query: CallbackQuery, lang: str) -> None:
    """✖ Cancel under a question waiting for typed text (the seller's or the admin's): the
    wait was ended by handlers.prompts before this ran (the button is not the question's
    own), so what is typed next changes nothing; the question says it is cancelled. Twice,
    or under an older question: the same, nothing changes."""
    await show(query, t(lang, "cancelled"), None)
    await query.answer()


def _open_router() -> Router:
    """Anyone may apply: /sell, and the two questions of the application; and ✖ Cancel under
    any question (everyone's)."""
    router = Router(name="seller.apply")
    router.callback_query.register(on_prompt_cancel, PromptCancelCb.filter())
    router.message.register(on_sell, Command("sell"))
    router.message.register(on_apply_name, Apply.name, F.text, ~F.text.startswith("/"))
    router.message.register(
        on_apply_description, Apply.description, F.text, ~F.text.startswith("/")
    )
    return router


def _store_router() -> Router:
    """Everything a store does, for sellers only (the role is checked once, here)."""
    router = Router(name="seller.store")
    router.message.filter(IsSeller())
    router.callback_query.filter(IsSeller())
    router.include_routers(
        orders.build_router(), products.build_router(), imports.build_router(), _menu_router()
    )
    return router


def _menu_router() -> Router:
    router = Router(name="seller.menu")

    def button(*to: SellerAction) -> CallbackQueryFilter:
        return SellerCb.filter(F.to.in_(to))

    router.callback_query.register(on_menu_home, button(SellerAction.home))
    router.callback_query.register(on_menu_new_product, button(SellerAction.new_product))
    router.callback_query.register(on_menu_products, button(SellerAction.products))
    router.callback_query.register(
        on_menu_orders, button(SellerAction.orders, SellerAction.returns)
    )
    router.callback_query.register(on_menu_payouts, button(SellerAction.payouts))
    router.callback_query.register(on_menu_reviews, button(SellerAction.reviews))
    router.callback_query.register(on_menu_report, button(SellerAction.report))
    router.message.register(on_report, Command("report"))
    router.callback_query.register(on_report_period, ReportCb.filter(F.scope == ReportScope.store))
    return router


def _refusals() -> Router:
    """What a store does, asked by someone who has none. (A seller's button that reaches here
    is an old one: it goes on to the fallback, which says so.)"""
    router = Router(name="seller.refusals")
    router.message.filter(~IsSeller())
    router.callback_query.filter(~IsSeller())
    for button in SELLER_BUTTONS:
        router.callback_query.register(on_not_a_seller, button.filter())
    router.callback_query.register(on_not_a_seller, ReportCb.filter(F.scope == ReportScope.store))
    router.message.register(on_not_a_seller, Command("report", "import"))
    return router
