"""Seller conversations: /sell to apply or open the dashboard, the add-product wizard and
product editing (handlers/seller/products.py), incoming orders as cards that change in place
(handlers/seller/orders.py), bulk import of a CSV or .xlsx sent as a document
(handlers/seller/imports.py), payouts, reviews, and /report (sales over 7, 30 or 90 days with a
chart).

Applying is open to everyone (`open_router`); everything else sits behind the seller role,
checked once on the router (`IsSeller`), so a forged button or command of a customer is
refused before any prompt (`refusals`). The engine still checks that each id is the seller's
own."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.aftersales import PayoutView
from engine.errors import InvalidInput
from engine.shop import Shop
from handlers import reports
from handlers.callbacks import (
    Menu,
    MenuCb,
    NewProductCb,
    ReportCb,
    ReportScope,
    ReturnCb,
    SellerAction,
    SellerCb,
    ShipmentCb,
    StockCb,
)
from handlers.i18n import error_text, price, t
from handlers.seller import imports, orders, products
from handlers.seller.cb import (
    EditProductCb,
    OrdersCb,
    OrdersView,
    ParcelCb,
    PickCategoryCb,
    ProductsCb,
    ReturnCardCb,
)
from handlers.seller.orders import Ship
from handlers.seller.products import EditProduct, NewProduct, Stock
from storage.vocabulary import PayoutStatus, SellerStatus, UserRole

Button = InlineKeyboardButton

__all__ = ["Apply", "EditProduct", "IsSeller", "NewProduct", "Ship", "Stock", "build_router"]


class Apply(StatesGroup):
    name = State()
    description = State()


class IsSeller(Filter):
    """The user has a store: the seller role (an admin may have a store too)."""

    async def __call__(
        self, event: Any, me: UserView | None = None, shop: Shop | None = None
    ) -> bool:
        if me is None or shop is None:
            return False
        if me.role == UserRole.seller:
            return True
        return me.role == UserRole.admin and await shop.sellers.mine(me.id) is not None


def _menu(lang: str) -> InlineKeyboardMarkup:
    def b(key: str, to: SellerAction) -> Button:
        return Button(text=t(lang, key), callback_data=SellerCb(to=to).pack())

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                b("seller.new_product", SellerAction.new_product),
                b("seller.products", SellerAction.products),
            ],
            [b("seller.orders", SellerAction.orders), b("seller.payouts", SellerAction.payouts)],
            [b("seller.returns", SellerAction.returns), b("seller.reviews", SellerAction.reviews)],
            [
                b("seller.report", SellerAction.report),
                Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.home).pack()),
            ],
        ]
    )


async def on_sell(message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext) -> None:
    await state.clear()
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
    await _dashboard(message, shop, lang, me)


async def _dashboard(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    store = await shop.sellers.mine(me.id)
    if store is None:
        await message.answer(t(lang, "error.forbidden.seller_only"))
        return
    listed = await shop.catalog.my_products(me.id)
    incoming = await shop.shipping.incoming(me.id)
    await message.answer(
        t(
            lang,
            "seller.dashboard",
            store=escape(store.store_name),
            products=len(listed),
            orders=len(incoming),
        ),
        reply_markup=_menu(lang),
    )


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
    await state.clear()
    await message.answer(t(lang, "seller.applied", store=escape(store.store_name)))


def payouts_text(lang: str, payouts: list[PayoutView]) -> str:
    """A seller's payout statements, newest first: the period each covers, the sales, what
    was refunded, the marketplace's commission and what is paid; and what is still on its
    way (payouts made and not sent yet). The amounts are the engine's, never added up here
    beyond the total still to come."""
    if not payouts:
        return t(lang, "seller.payouts.none")
    rows = [t(lang, "seller.payouts.title")]
    for p in payouts[:20]:
        rows.append(
            t(
                lang,
                "seller.payout.statement",
                payout_id=p.payout_id,
                start=p.period_start.strftime("%d %b %Y"),
                end=p.period_end.strftime("%d %b %Y"),
                gross=price(p.gross, lang=lang),
                refunds=price(p.refunds, lang=lang),
                commission=price(p.commission, lang=lang),
                amount=price(p.amount, lang=lang),
                status=t(lang, f"payout.status.{p.status.value}"),
            )
        )
    waiting = [p.amount for p in payouts if p.status == PayoutStatus.pending]
    if waiting:
        rows.append(
            t(lang, "seller.payouts.waiting", amount=price(sum(waiting, Decimal(0)), lang=lang))
        )
    return "\n\n".join(rows)


async def on_seller_menu(
    query: CallbackQuery,
    callback_data: SellerCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    to = callback_data.to
    if to == SellerAction.home:
        await _dashboard(message, shop, lang, me)
    elif to == SellerAction.new_product:
        store = await shop.sellers.mine(me.id)
        if store is None or store.status != SellerStatus.active:  # refused before asking
            await query.answer(t(lang, "error.forbidden.seller_not_active"), show_alert=True)
            return
        await products.start_wizard(message, lang, state)
    elif to == SellerAction.products:
        text, markup = products.products_screen(lang, await shop.catalog.my_products(me.id), 1)
        await message.answer(text, reply_markup=markup)
    elif to == SellerAction.report:
        await _ask_period(message, shop, lang, me)
    elif to in (SellerAction.orders, SellerAction.returns):
        view = OrdersView.returns if to == SellerAction.returns else None
        text, markup = await orders.orders_page(shop, lang, me, view)
        await message.answer(text, reply_markup=markup)
    elif to == SellerAction.payouts:
        await message.answer(
            payouts_text(lang, await shop.payouts.mine(me.id)),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=t(lang, "seller.home"),
                            callback_data=SellerCb(to=SellerAction.home).pack(),
                        )
                    ]
                ]
            ),
        )
    elif to == SellerAction.reviews:
        reviews = await shop.reviews.received(me.id)
        lines = [
            t(lang, "seller.review.line", stars="★" * r.rating, comment=escape(r.comment or ""))
            for r in reviews[:20]
        ]
        await message.answer("\n".join(lines) or t(lang, "seller.reviews.none"))
    await query.answer()


# --- /report: sales over a chosen period, with a chart -------------------------------------
async def _ask_period(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    store = await shop.sellers.mine(me.id)
    if store is None:
        await message.answer(t(lang, "error.forbidden.seller_only"))
        return
    await message.answer(
        t(lang, "report.choose", title=escape(store.store_name)),
        reply_markup=reports.periods(lang, ReportScope.store),
    )


async def on_report(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    await _ask_period(message, shop, lang, me)


async def on_report_period(
    query: CallbackQuery, callback_data: ReportCb, shop: Shop, lang: str, me: UserView
) -> None:
    report = await shop.backoffice.store_sales(me.id, callback_data.days)
    await reports.deliver(query, lang, report, ReportScope.store)


async def on_not_a_seller(event: Message | CallbackQuery, lang: str = "en") -> None:
    """A seller's button or command from someone without a store: refused, nothing asked."""
    await event.answer(t(lang, "error.forbidden.seller_only"))


SELLER_BUTTONS = (
    SellerCb,
    NewProductCb,
    ShipmentCb,
    ReturnCb,
    StockCb,
    OrdersCb,
    ParcelCb,
    ReturnCardCb,
    PickCategoryCb,
    ProductsCb,
    EditProductCb,
    imports.ImportCb,
)


def build_router() -> Router:
    seller = Router(name="seller")
    seller.include_routers(_open_router(), _store_router(), _refusals())
    return seller


def _open_router() -> Router:
    """Anyone may apply: /sell, and the two questions of the application."""
    router = Router(name="seller.apply")
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
    router.callback_query.register(on_seller_menu, SellerCb.filter())
    # orders and returns
    router.callback_query.register(orders.on_orders, OrdersCb.filter())
    router.callback_query.register(orders.on_parcel, ParcelCb.filter())
    router.callback_query.register(orders.on_shipment, ShipmentCb.filter())
    router.message.register(orders.on_tracking, Ship.tracking, F.text, ~F.text.startswith("/"))
    router.message.register(
        orders.on_reject_reason, Ship.reject_reason, F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(orders.on_return_card, ReturnCardCb.filter())
    router.callback_query.register(orders.on_return, ReturnCb.filter())
    router.message.register(
        orders.on_refuse_reason, Ship.refuse_return, F.text, ~F.text.startswith("/")
    )
    # the new-product wizard
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(products.on_product_name, NewProduct.name, *text)
    router.message.register(products.on_product_description, NewProduct.description, *text)
    router.callback_query.register(products.on_pick_category, PickCategoryCb.filter())
    router.callback_query.register(
        products.on_old_category_button,
        NewProduct.category,
        NewProductCb.filter(F.done.is_(False)),
    )
    router.message.register(products.on_product_price, NewProduct.price, F.text)
    router.message.register(products.on_product_discount, NewProduct.discount, F.text)
    router.message.register(products.on_product_stock, NewProduct.stock, F.text)
    router.message.register(products.on_product_photo, NewProduct.photos, F.photo)
    router.callback_query.register(
        products.on_product_done, NewProduct.photos, NewProductCb.filter(F.done.is_(True))
    )
    # products: the list, a product's screen, edits, stock
    router.callback_query.register(products.on_products_page, ProductsCb.filter())
    router.callback_query.register(products.on_edit_product, EditProductCb.filter())
    router.message.register(products.on_edit_value, EditProduct.value, *text)
    router.message.register(products.on_edit_photo, EditProduct.photos, F.photo)
    router.callback_query.register(products.on_stock, StockCb.filter())
    router.message.register(products.on_stock_change, Stock.change, *text)
    # bulk import: a CSV or .xlsx sent as a document
    router.message.register(imports.on_import_help, Command("import"))
    router.message.register(imports.on_document, F.document)
    router.callback_query.register(imports.on_import, imports.ImportCb.filter())
    # the sales report
    router.message.register(on_report, Command("report"))
    router.callback_query.register(on_report_period, ReportCb.filter(F.scope == ReportScope.store))
    return router


def _refusals() -> Router:
    """What a store does, asked by someone who has none."""
    router = Router(name="seller.refusals")
    for button in SELLER_BUTTONS:
        router.callback_query.register(on_not_a_seller, button.filter())
    router.callback_query.register(on_not_a_seller, ReportCb.filter(F.scope == ReportScope.store))
    router.message.register(on_not_a_seller, Command("report", "import"))
    return router
