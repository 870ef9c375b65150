"""Seller conversations: /sell to apply or open the dashboard, the add-product wizard (photos
sent in the chat are kept by Telegram file id), stock adjustments with a reason, incoming
orders with confirm / reject / pack / ship (tracking number) / milestones, returns, payouts,
reviews, and /report (sales over 7, 30 or 90 days with a chart).

Every action goes through the engine, which checks that the store is this user's own."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.catalog import ProductCard
from engine.errors import NotFound
from engine.orders import OrderView
from engine.shop import Shop
from handlers import reports
from handlers.callbacks import (
    Menu,
    MenuCb,
    NewProductCb,
    ReportCb,
    ReportScope,
    ReturnCb,
    ReturnDecision,
    SellerAction,
    SellerCb,
    ShipmentAction,
    ShipmentCb,
    StockCb,
)
from handlers.i18n import price, t
from handlers.screen import show
from storage.vocabulary import SellerStatus, ShipmentStatus, TrackingStatus

Button = InlineKeyboardButton


class Apply(StatesGroup):
    name = State()
    description = State()


class NewProduct(StatesGroup):
    name = State()
    category = State()
    price = State()
    discount = State()
    stock = State()
    photos = State()


class Ship(StatesGroup):
    tracking = State()
    reject_reason = State()


class Stock(StatesGroup):
    change = State()


# "-2 damaged in transit", "+10 found in the stockroom"
_CHANGE = re.compile(r"^\s*([+-]?\d{1,6})\s+(\S.*)$", re.DOTALL)


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
    products = await shop.catalog.my_products(me.id)
    incoming = await shop.shipping.incoming(me.id)
    await message.answer(
        t(
            lang,
            "seller.dashboard",
            store=escape(store.store_name),
            products=len(products),
            orders=len(incoming),
        ),
        reply_markup=_menu(lang),
    )


async def on_apply_name(message: Message, state: FSMContext, lang: str) -> None:
    await state.update_data(store_name=(message.text or "").strip()[:150])
    await state.set_state(Apply.description)
    await message.answer(t(lang, "seller.apply.description"))


async def on_apply_description(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    store = await shop.sellers.apply(
        me.id, str(data.get("store_name", "")), (message.text or "").strip()[:2000]
    )
    await state.clear()
    await message.answer(t(lang, "seller.applied", store=escape(store.store_name)))


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
        await shop.sellers.mine(me.id)
        await state.set_state(NewProduct.name)
        await message.answer(t(lang, "seller.new.name"))
    elif to == SellerAction.products:
        rows = await shop.catalog.my_products(me.id)
        await message.answer(
            _products_text(lang, rows), reply_markup=_products_keyboard(lang, rows)
        )
    elif to == SellerAction.report:
        await _ask_period(message, shop, lang, me)
    elif to == SellerAction.orders:
        incoming = await shop.shipping.incoming(me.id)
        if not incoming:
            await message.answer(t(lang, "seller.orders.none"))
        for order in incoming[:10]:
            await message.answer(
                _order_text(lang, order), reply_markup=_order_keyboard(lang, order)
            )
    elif to == SellerAction.payouts:
        payouts = await shop.payouts.mine(me.id)
        lines = [
            t(
                lang,
                "seller.payout.line",
                payout_id=p.payout_id,
                amount=price(p.amount),
                status=p.status.value,
            )
            for p in payouts[:20]
        ]
        await message.answer("\n".join(lines) or t(lang, "seller.payouts.none"))
    elif to == SellerAction.returns:
        waiting = await shop.returns.waiting(me.id)
        if not waiting:
            await message.answer(t(lang, "seller.returns.none"))
        for ret in waiting[:10]:
            await message.answer(
                t(
                    lang,
                    "seller.return",
                    return_id=ret.return_id,
                    order_id=ret.order_id,
                    units=sum(ret.items.values()),
                    reason=escape(ret.reason),
                ),
                reply_markup=InlineKeyboardMarkup(
                    inline_keyboard=[
                        [
                            Button(
                                text=t(lang, "seller.return.approve"),
                                callback_data=ReturnCb(
                                    decision=ReturnDecision.approve, id=ret.return_id
                                ).pack(),
                            ),
                            Button(
                                text=t(lang, "seller.return.reject"),
                                callback_data=ReturnCb(
                                    decision=ReturnDecision.reject, id=ret.return_id
                                ).pack(),
                            ),
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


MAX_LISTED = 30


def _product_line(lang: str, p: ProductCard) -> str:
    return t(
        lang,
        "seller.product.line",
        name=escape(p.name),
        price=price(p.unit_price),
        stock=p.stock_quantity,
        status=t(lang, f"product.status.{p.status.value}"),
    )


def _products_text(lang: str, rows: list[ProductCard]) -> str:
    if not rows:
        return t(lang, "seller.products.none")
    lines = [t(lang, "seller.products.title", count=len(rows))]
    lines += [_product_line(lang, p) for p in rows[:MAX_LISTED]]
    return "\n".join(lines)


def _products_keyboard(lang: str, rows: list[ProductCard]) -> InlineKeyboardMarkup:
    buttons = [
        [
            Button(
                text=_clip(f"{p.name} · {p.stock_quantity}"),
                callback_data=StockCb(id=p.product_id).pack(),
            )
        ]
        for p in rows[:MAX_LISTED]
    ]
    buttons.append([_home_button(lang)])
    return InlineKeyboardMarkup(inline_keyboard=buttons)


def _clip(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _home_button(lang: str) -> Button:
    return Button(text=t(lang, "seller.home"), callback_data=SellerCb(to=SellerAction.home).pack())


async def _own_product(shop: Shop, me: UserView, product_id: int) -> ProductCard:
    """One of the acting seller's own products; anyone else's is "not found"."""
    for p in await shop.catalog.my_products(me.id):
        if p.product_id == product_id:
            return p
    raise NotFound(entity="product", id=product_id)


async def on_stock(
    query: CallbackQuery,
    callback_data: StockCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """A product's stock screen; "Adjust stock" asks for the change and its reason."""
    product = await _own_product(shop, me, callback_data.id)
    message = query.message
    if callback_data.adjust:
        await state.set_state(Stock.change)
        await state.update_data(product_id=product.product_id)
        if isinstance(message, Message):
            await message.answer(
                t(
                    lang,
                    "seller.stock.ask",
                    name=escape(product.name),
                    stock=product.stock_quantity,
                )
            )
        await query.answer()
        return
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                Button(
                    text=t(lang, "seller.stock.adjust"),
                    callback_data=StockCb(id=product.product_id, adjust=True).pack(),
                )
            ],
            [
                Button(
                    text=t(lang, "seller.products"),
                    callback_data=SellerCb(to=SellerAction.products).pack(),
                ),
                _home_button(lang),
            ],
        ]
    )
    await show(query, t(lang, "seller.stock.screen", line=_product_line(lang, product)), markup)
    await query.answer()


async def on_stock_change(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """ "-2 damaged in transit": the change goes through the inventory ledger, with its reason."""
    found = _CHANGE.match(message.text or "")
    delta = int(found.group(1)) if found else 0
    if found is None or delta == 0:
        await message.answer(t(lang, "seller.stock.bad"))
        return
    product_id = int((await state.get_data()).get("product_id", 0))
    stock = await shop.inventory.adjust(me.id, product_id, delta, found.group(2).strip()[:500])
    await state.clear()
    product = await _own_product(shop, me, product_id)
    await message.answer(
        t(
            lang,
            "seller.stock.done",
            name=escape(product.name),
            change=f"{delta:+d}",
            stock=stock,
            reason=escape(found.group(2).strip()[:200]),
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    Button(
                        text=t(lang, "seller.products"),
                        callback_data=SellerCb(to=SellerAction.products).pack(),
                    ),
                    _home_button(lang),
                ]
            ]
        ),
    )


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


def _order_text(lang: str, order: OrderView) -> str:
    lines = "\n".join(f"{line.quantity} × {escape(line.name)}" for line in order.lines)
    return t(
        lang,
        "seller.order",
        order_id=order.order_id,
        status=t(lang, f"status.{order.status.value}"),
        lines=lines,
    )


def _order_keyboard(lang: str, order: OrderView) -> InlineKeyboardMarkup:
    shipment = order.shipments[0]

    def b(key: str, action: ShipmentAction) -> Button:
        return Button(
            text=t(lang, key),
            callback_data=ShipmentCb(action=action, id=shipment.shipment_id).pack(),
        )

    if shipment.status == ShipmentStatus.pending:
        rows = [
            [
                b("seller.order.confirm", ShipmentAction.confirm),
                b("seller.order.reject", ShipmentAction.reject),
            ],
            [
                b("seller.order.pack", ShipmentAction.pack),
                b("seller.order.ship", ShipmentAction.ship),
            ],
        ]
    else:
        rows = [
            [
                b("seller.order.in_transit", ShipmentAction.in_transit),
                b("seller.order.out_for_delivery", ShipmentAction.out_for_delivery),
            ],
            [b("seller.order.delivered", ShipmentAction.delivered)],
        ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_shipment(
    query: CallbackQuery,
    callback_data: ShipmentCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    action, shipment_id = callback_data.action, callback_data.id
    if action in (ShipmentAction.ship, ShipmentAction.reject):
        await state.set_state(
            Ship.tracking if action == ShipmentAction.ship else Ship.reject_reason
        )
        await state.update_data(shipment_id=shipment_id)
        if isinstance(query.message, Message):
            key = (
                "seller.order.tracking_ask"
                if action == ShipmentAction.ship
                else "seller.order.reject_ask"
            )
            order_id = _order_id_of(query.message)
            await query.message.answer(t(lang, key, order_id=order_id))
        await query.answer()
        return
    steps = {
        ShipmentAction.confirm: lambda: shop.shipping.confirm(me.id, shipment_id),
        ShipmentAction.pack: lambda: shop.shipping.pack(me.id, shipment_id),
        ShipmentAction.in_transit: lambda: shop.shipping.update(
            me.id, shipment_id, TrackingStatus.in_transit
        ),
        ShipmentAction.out_for_delivery: lambda: shop.shipping.update(
            me.id, shipment_id, TrackingStatus.out_for_delivery
        ),
        ShipmentAction.delivered: lambda: shop.shipping.update(
            me.id, shipment_id, TrackingStatus.delivered
        ),
    }
    added = await steps[action]()
    label = t(lang, f"seller.order.{action.name}")
    await query.answer(
        t(lang, "seller.order.done", step=label) if added else t(lang, "seller.order.repeat")
    )


def _order_id_of(message: Message) -> str:
    text = message.text or ""
    return text.split("#", 1)[1].split()[0] if "#" in text else "?"


async def on_tracking(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    shipment_id = int(data.get("shipment_id", 0))
    await shop.shipping.confirm(me.id, shipment_id)
    await shop.shipping.pack(me.id, shipment_id)
    await shop.shipping.ship(me.id, shipment_id, (message.text or "").strip()[:100])
    await state.clear()
    await message.answer(t(lang, "seller.order.done", step=t(lang, "seller.order.ship")))


async def on_reject_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    order = await shop.shipping.reject(
        me.id, int(data.get("shipment_id", 0)), (message.text or "").strip()[:500]
    )
    await state.clear()
    await message.answer(t(lang, "seller.order.rejected", order_id=order.order_id))


# --- the add-product wizard ---------------------------------------------------------------
async def on_product_name(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    await state.update_data(name=(message.text or "").strip()[:150])
    tree = await shop.catalog.categories()
    parents = {c.parent_id for c in tree}
    leaves = [c for c in tree if c.category_id not in parents]
    rows = [
        [Button(text=c.name[:40], callback_data=NewProductCb(category=c.category_id).pack())]
        for c in leaves[:60]
    ]
    await state.set_state(NewProduct.category)
    await message.answer(
        t(lang, "seller.new.category"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def on_product_category(
    query: CallbackQuery, callback_data: NewProductCb, lang: str, state: FSMContext
) -> None:
    await state.update_data(category_id=callback_data.category)
    await state.set_state(NewProduct.price)
    if isinstance(query.message, Message):
        await query.message.answer(t(lang, "seller.new.price"))
    await query.answer()


def _amount(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


async def on_product_price(message: Message, lang: str, state: FSMContext) -> None:
    amount = _amount(message.text)
    if amount is None:
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    await state.update_data(price=str(amount))
    await state.set_state(NewProduct.discount)
    await message.answer(t(lang, "seller.new.discount"))


async def on_product_discount(message: Message, lang: str, state: FSMContext) -> None:
    text = (message.text or "").strip().lower()
    amount = None if text in ("no", "none", "-", "skip") else _amount(text)
    if amount is None and text not in ("no", "none", "-", "skip"):
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    await state.update_data(discount=None if amount is None else str(amount))
    await state.set_state(NewProduct.stock)
    await message.answer(t(lang, "seller.new.stock"))


async def on_product_stock(message: Message, lang: str, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if not text.isdigit():
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    await state.update_data(stock=int(text), photos=[])
    await state.set_state(NewProduct.photos)
    done = InlineKeyboardMarkup(
        inline_keyboard=[
            [Button(text=t(lang, "seller.new.done"), callback_data=NewProductCb(done=True).pack())]
        ]
    )
    await message.answer(t(lang, "seller.new.photos"), reply_markup=done)


async def on_product_photo(message: Message, state: FSMContext, lang: str) -> None:
    assert message.photo
    best = message.photo[-1]
    data = await state.get_data()
    photos = [*list(data.get("photos", [])), [best.file_id, best.file_unique_id]][:10]
    await state.update_data(photos=photos)
    done = InlineKeyboardMarkup(
        inline_keyboard=[
            [Button(text=t(lang, "seller.new.done"), callback_data=NewProductCb(done=True).pack())]
        ]
    )
    await message.answer(t(lang, "seller.new.photo_saved", count=len(photos)), reply_markup=done)


async def on_product_done(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    detail = await shop.catalog.create_product(
        me.id,
        category_id=int(data["category_id"]),
        name=str(data["name"]),
        price=str(data["price"]),
        discount_price=data.get("discount"),
        stock=int(data["stock"]),
    )
    for file_id, unique_id in data.get("photos", []):
        await shop.catalog.add_image(
            me.id,
            detail.card.product_id,
            telegram_file_id=file_id,
            telegram_file_unique_id=unique_id,
        )
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.answer(
            t(
                lang,
                "seller.new.created",
                name=escape(detail.card.name),
                price=price(detail.card.unit_price),
                stock=detail.card.stock_quantity,
                photos=len(data.get("photos", [])),
            )
        )
    await query.answer()


async def on_return(
    query: CallbackQuery, callback_data: ReturnCb, shop: Shop, lang: str, me: UserView
) -> None:
    if callback_data.decision == ReturnDecision.approve:
        await shop.returns.approve(me.id, callback_data.id)
    else:
        await shop.returns.reject(me.id, callback_data.id, "refused by the seller")
    await query.answer(t(lang, "seller.order.done", step=callback_data.decision.value))


def build_router() -> Router:
    router = Router(name="seller")
    router.message.register(on_sell, Command("sell"))
    router.message.register(on_apply_name, Apply.name, F.text, ~F.text.startswith("/"))
    router.message.register(
        on_apply_description, Apply.description, F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(on_seller_menu, SellerCb.filter())
    router.callback_query.register(on_shipment, ShipmentCb.filter())
    router.message.register(on_tracking, Ship.tracking, F.text, ~F.text.startswith("/"))
    router.message.register(on_reject_reason, Ship.reject_reason, F.text, ~F.text.startswith("/"))
    router.message.register(on_product_name, NewProduct.name, F.text, ~F.text.startswith("/"))
    router.callback_query.register(
        on_product_category, NewProduct.category, NewProductCb.filter(F.done.is_(False))
    )
    router.message.register(on_product_price, NewProduct.price, F.text)
    router.message.register(on_product_discount, NewProduct.discount, F.text)
    router.message.register(on_product_stock, NewProduct.stock, F.text)
    router.message.register(on_product_photo, NewProduct.photos, F.photo)
    router.callback_query.register(
        on_product_done, NewProduct.photos, NewProductCb.filter(F.done.is_(True))
    )
    router.callback_query.register(on_return, ReturnCb.filter())
    router.callback_query.register(on_stock, StockCb.filter())
    router.message.register(on_stock_change, Stock.change, F.text, ~F.text.startswith("/"))
    router.message.register(on_report, Command("report"))
    router.callback_query.register(on_report_period, ReportCb.filter(F.scope == ReportScope.store))
    return router
