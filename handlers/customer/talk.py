"""Typing freely: "add two red hoodies", "anything for running under 30 dollars?", "apply
SAVE10", "where's my order 1042", "cancel it".

The language layer (nlu/) only says what the words ask for; this module sends each intent
down the same engine path the buttons use. Nothing that spends money or cannot be undone
happens from words alone: cancelling and checking out get a one-tap confirmation, and an
ambiguous product gets a choice. Low confidence or out-of-scope text becomes a search (a
read, never an action) or a helpful answer with the menu.
"""

from __future__ import annotations

import asyncio
import logging
import time
from html import escape
from typing import Any, cast

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.catalog import BrowseQuery
from engine.errors import CouponRejected
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import CartAction, CartCb, OrderAction, OrderCb, ProductCb
from handlers.customer.catalog import PAGE_SIZE, _search_title, show_product
from handlers.i18n import error_text, price, t
from nlu import Backend, CatalogIndex, Context, Intent

log = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0


class Language:
    """The language backend with an up-to-date view of the catalog (refreshed at most once a
    minute, so new products are understood by name soon after they are listed)."""

    def __init__(self, backend: Backend, shop: Shop) -> None:
        self.backend, self.shop = backend, shop
        self._refreshed = 0.0
        self._lock = asyncio.Lock()
        self._index: CatalogIndex | None = None

    async def parse(self, text: str, context: Context) -> Intent:
        await self._refresh()
        return await self.backend.parse(text, context)

    async def catalog(self) -> CatalogIndex:
        """The live catalog as the language layer sees it (the voice vocabulary's source)."""
        await self._refresh()
        assert self._index is not None
        return self._index

    async def _refresh(self) -> None:
        if time.monotonic() - self._refreshed < REFRESH_SECONDS:
            return
        async with self._lock:
            if time.monotonic() - self._refreshed < REFRESH_SECONDS:
                return
            rows = await self.shop.catalog.index_rows()
            categories = [c.name for c in await self.shop.catalog.categories()]
            index = CatalogIndex.build(rows, categories)
            self._index = index
            for part in (
                self.backend,
                getattr(self.backend, "primary", None),
                getattr(self.backend, "fallback", None),
            ):
                if part is not None and hasattr(part, "use_catalog"):
                    part.use_catalog(index)
            self._refreshed = time.monotonic()


async def _context(state: FSMContext) -> Context:
    data = await state.get_data()
    return Context(
        last_product_id=data.get("last_product_id"), last_order_id=data.get("last_order_id")
    )


def _choices(lang: str, ids: list[int], names: dict[int, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=names.get(i, f"#{i}")[:40], callback_data=ProductCb(id=i).pack()
                )
            ]
            for i in ids[:8]
        ]
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


async def on_free_text(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, language: Language
) -> None:
    text = (message.text or "").strip()[:500]
    await understand(message, text, shop, lang, me, state, language)


async def understand(
    message: Message | Heard,
    text: str,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    language: Language,
) -> None:
    """Typed or heard words, down the same path: parse, then the intent's handler (or a
    search, or a helpful answer, when the words are not confidently a shop request)."""
    message = cast(Message, message)
    intent = await language.parse(text, await _context(state))
    log.info("understood %r as %s (%.2f)", text, intent.name, intent.confidence)
    if not intent.is_confident():
        await _search_or_help(message, shop, lang, state, text)
        return
    await INTENTS.get(intent.name, _unsupported)(message, shop, lang, me, state, intent, text)


async def _search_or_help(
    message: Message, shop: Shop, lang: str, state: FSMContext, text: str
) -> None:
    found = await shop.catalog.search(text, page=1, page_size=PAGE_SIZE)
    await state.update_data(last_search=text)
    if found.items:
        await message.answer(
            _search_title(lang, text, found), reply_markup=kb.product_list(lang, found, "search")
        )
    else:
        await message.answer(t(lang, "talk.not_understood"), reply_markup=kb.main_menu(lang))


async def _greet(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    await message.answer(render.welcome(lang, me), reply_markup=kb.main_menu(lang))


async def _help(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    await message.answer(t(lang, "help"), reply_markup=kb.main_menu(lang))


async def _search(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    e = intent.entities
    category_id = None
    if e.category:
        category_id = next(
            (
                c.category_id
                for c in await shop.catalog.categories()
                if c.name.lower() == e.category.lower()
            ),
            None,
        )
    if e.products and not (e.price_min or e.price_max or category_id):
        ids = list(e.product_ids)
        await message.answer(
            t(lang, "talk.found", count=len(ids)),
            reply_markup=_choices(lang, ids, {i: n for i, n, _ in await shop.catalog.index_rows()}),
        )
        return
    if category_id or e.price_min is not None or e.price_max is not None:
        found = await shop.catalog.browse(
            BrowseQuery(
                category_id=category_id,
                min_price=e.price_min,
                max_price=e.price_max,
                in_stock=True,
                page_size=PAGE_SIZE,
            )
        )
        title = (
            t(lang, "talk.browse", total=found.total) if found.items else t(lang, "browse.empty")
        )
        await message.answer(
            title, reply_markup=kb.product_list(lang, found, "category", category_id)
        )
        return
    await _search_or_help(message, shop, lang, state, e.product or text)


async def _one_product(message: Message, shop: Shop, lang: str, intent: Intent) -> int | None:
    """The product the words mean, or None after offering a choice (or saying none fits)."""
    best = sorted(intent.entities.best_products())
    if len(best) == 1:
        return best[0]
    names = {i: n for i, n, _ in await shop.catalog.index_rows()}
    if best:
        await message.answer(t(lang, "talk.which"), reply_markup=_choices(lang, best, names))
    else:
        await message.answer(t(lang, "talk.no_product"), reply_markup=kb.main_menu(lang))
    return None


async def _product_info(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    product_id = await _one_product(message, shop, lang, intent)
    if product_id is not None:
        await state.update_data(last_product_id=product_id)
        await show_product(message, shop, lang, product_id, qty=1, edit=False)


async def _add_to_cart(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    product_id = await _one_product(message, shop, lang, intent)
    if product_id is None:
        return
    quantity = intent.entities.quantity or 1
    cart = await shop.carts.add(me.id, product_id, quantity)
    await state.update_data(last_product_id=product_id)
    name = next((line.name for line in cart.lines if line.product_id == product_id), "")
    await message.answer(
        t(lang, "product.added", qty=quantity, name=escape(name))
        + "\n\n"
        + render.cart(lang, cart),
        reply_markup=kb.cart(lang, cart),
    )


async def _remove_from_cart(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    product_id = await _one_product(message, shop, lang, intent)
    if product_id is None:
        return
    cart = await shop.carts.remove(me.id, product_id)
    await message.answer(render.cart(lang, cart), reply_markup=kb.cart(lang, cart))


async def _view_cart(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    cart = await shop.carts.view(me.id)
    await message.answer(render.cart(lang, cart), reply_markup=kb.cart(lang, cart))


async def _wishlist(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    if intent.name == "add_to_wishlist":
        product_id = await _one_product(message, shop, lang, intent)
        if product_id is None:
            return
        await shop.wishlists.add(me.id, product_id)
        await message.answer(t(lang, "product.wished"))
        return
    from handlers.customer.catalog import on_wishlist

    await on_wishlist(message, shop, lang, me)


async def _apply_coupon(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    code = intent.entities.coupon_code
    if not code:
        await message.answer(t(lang, "talk.which_coupon"))
        return
    cart = await shop.carts.view(me.id)
    try:
        quote = await shop.coupons.quote(me.id, code, cart.subtotal)
    except CouponRejected as refused:
        await message.answer(error_text(lang, refused))
        return
    await state.update_data(coupon=quote.code)
    await message.answer(
        t(lang, "talk.coupon_kept", code=escape(quote.code), discount=price(quote.discount)),
        reply_markup=kb.cart(lang, cart),
    )


async def _checkout(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    cart = await shop.carts.view(me.id)
    if not cart.lines:
        await message.answer(t(lang, "cart.empty"), reply_markup=kb.main_menu(lang))
        return
    confirm = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(lang, "cart.checkout"),
                    callback_data=CartCb(action=CartAction.checkout).pack(),
                )
            ]
        ]
    )
    await message.answer(render.cart(lang, cart), reply_markup=confirm)


async def _order_id(
    message: Message, shop: Shop, lang: str, me: UserView, intent: Intent
) -> int | None:
    order_id = intent.entities.order_id
    if order_id is None:
        history = await shop.orders.history(me.id, limit=1)
        order_id = history[0].order_id if history else None
    if order_id is None:
        await message.answer(t(lang, "orders.none"))
    return order_id


async def _track(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    order_id = await _order_id(message, shop, lang, me, intent)
    if order_id is None:
        return
    view = await shop.orders.get(me.id, order_id)
    await state.update_data(last_order_id=order_id)
    timeline = await shop.shipping.timeline(me.id, order_id)
    await message.answer(
        render.order(lang, view) + "\n\n" + render.tracking(lang, order_id, timeline),
        reply_markup=kb.order(lang, view),
    )


async def _history(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    views = await shop.orders.history(me.id, limit=10)
    await message.answer(
        t(lang, "orders.title") if views else t(lang, "orders.none"),
        reply_markup=kb.orders(lang, views),
    )


async def _cancel(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    order_id = await _order_id(message, shop, lang, me, intent)
    if order_id is None:
        return
    view = await shop.orders.get(me.id, order_id)
    await state.update_data(last_order_id=order_id)
    confirm = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(lang, "order.cancel"),
                    callback_data=OrderCb(action=OrderAction.cancel, id=order_id).pack(),
                )
            ]
        ]
    )
    await message.answer(
        t(lang, "talk.confirm_cancel") + "\n\n" + render.order(lang, view), reply_markup=confirm
    )


async def _after_sales(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    await message.answer(t(lang, f"talk.{intent.name}"), reply_markup=kb.main_menu(lang))


async def _unsupported(
    message: Message,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    intent: Intent,
    text: str,
) -> None:
    await _search_or_help(message, shop, lang, state, text)


INTENTS = {
    "greet": _greet,
    "help": _help,
    "search": _search,
    "product_info": _product_info,
    "add_to_cart": _add_to_cart,
    "remove_from_cart": _remove_from_cart,
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


def build_router() -> Router:
    router = Router(name="customer.talk")
    router.message.register(on_free_text, StateFilter(None), F.text, ~F.text.startswith("/"))
    return router
