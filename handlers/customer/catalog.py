"""Browsing the category tree, product cards, search by typing, and the wishlist."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    FSInputFile,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)

from engine.accounts import UserView
from engine.catalog import (
    BrowseQuery,
    CategoryNode,
    ImageView,
    Page,
    ProductDetail,
    Sort,
    parent_screen,
    path_to,
)
from engine.errors import InsufficientStock, Outdated
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import (
    CardAddCb,
    CategoryCb,
    Menu,
    MenuCb,
    ProductActCb,
    ProductAction,
    ProductCb,
    ProductCbV1,
    ProductReviewsCb,
    SearchCb,
    WishlistCb,
    WishlistRemoveCb,
)
from handlers.choices import PRODUCTS, Shown, remember
from handlers.i18n import error_text, t
from handlers.screen import edit_markup_or_keep, edit_or_keep, show

PAGE_SIZE = 8
REVIEWS_PAGE_SIZE = 5
ALBUM_LIMIT = 10  # photos in one Telegram album


async def _screen(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """In place of a text message, or new under a photo (handlers.screen.show)."""
    await show(query, text, markup)


async def on_browse(
    query: CallbackQuery, shop: Shop, lang: str, state: FSMContext | None = None
) -> None:
    await _show_category(query, shop, lang, 0, state)
    await query.answer()


async def on_category(
    query: CallbackQuery,
    callback_data: CategoryCb,
    shop: Shop,
    lang: str,
    state: FSMContext | None = None,
) -> None:
    if callback_data.items:
        await _show_items(query, shop, lang, callback_data.id, callback_data.page, state)
    else:
        await _show_category(query, shop, lang, callback_data.id, state)
    await query.answer()


def _path(lang: str, tree: list[CategoryNode], category_id: int) -> str:
    """The breadcrumb of a category screen: Fashion › Men › T-Shirts."""
    return " › ".join(escape(c.name) for c in path_to(tree, category_id)) or "—"


async def _show_category(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    category_id: int,
    state: FSMContext | None = None,
) -> None:
    """A category's sub-categories that hold something (a branch with nothing in it is not
    offered), else its products; the top of the tree says when there is nothing at all.
    `state`: where the products shown are remembered (handlers.choices)."""
    tree = await shop.catalog.categories()
    shelves = await shop.catalog.categories(for_buyers=True)
    by_id: dict[int, CategoryNode] = {c.category_id: c for c in tree}
    parent = by_id.get(category_id)
    children = [c for c in shelves if c.parent_id == (parent.category_id if parent else None)]
    if parent is not None and not children:
        await _show_items(query, shop, lang, category_id, 1, state)
        return
    up = None if parent is None else (parent.parent_id or 0)
    title = (
        t(lang, "browse.title" if children else "browse.empty")
        if parent is None
        else f"<b>{_path(lang, tree, category_id)}</b>\n{t(lang, 'browse.title')}"
    )
    if state is not None:  # no products shown: "the first one" means none of an older list
        await remember(state, None)
    await _screen(query, title, kb.categories(lang, children, parent, up))


async def send_shelves(message: Message, shop: Shop, lang: str) -> None:
    """The top of the category tree as a new message (asked for in words: "what do you
    sell"), as 🛍 Browse shows it."""
    shelves = await shop.catalog.categories(for_buyers=True)
    top = [c for c in shelves if c.parent_id is None]
    await message.answer(
        t(lang, "browse.title" if top else "browse.empty"),
        reply_markup=kb.categories(lang, top, None, None),
    )


async def _show_items(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    category_id: int,
    page: int,
    state: FSMContext | None = None,
) -> None:
    found = await shop.catalog.browse(
        BrowseQuery(category_id=category_id or None, page=page, page_size=PAGE_SIZE)
    )
    tree = await shop.catalog.categories()
    text = (
        t(
            lang,
            "browse.category",
            name=_path(lang, tree, category_id),
            total=found.total,
            page=found.page,
            pages=found.pages,
        )
        if found.items
        else t(lang, "browse.empty")
    )
    # Back: the screen this list was chosen on (the parent of a leaf, or the category
    # whose "All in …" it is), in the tree as shoppers walk it (no empty branches)
    shelves = await shop.catalog.categories(for_buyers=True)
    shelved = any(c.category_id == category_id for c in shelves)
    back = CategoryCb(id=parent_screen(shelves if shelved else tree, category_id)).pack()
    if state is not None:
        await remember(state, shown_products(found))
    await _screen(query, text, kb.product_list(lang, found, "category", category_id, back=back))


def _photo_of(image: ImageView | None, media_dir: Path | None) -> str | FSInputFile | None:
    """What to send a product photo as: Telegram's file id, else the file (None: neither)."""
    if image is None:
        return None
    if image.telegram_file_id:
        return image.telegram_file_id
    path = media_dir / image.url if image.url and media_dir else None
    return FSInputFile(path) if path is not None and path.is_file() else None


async def show_product(
    message: Message,
    shop: Shop,
    lang: str,
    product_id: int,
    *,
    qty: int,
    edit: bool,
    media_dir: Path | None = None,
    opened: ProductCb | None = None,
    viewer: int | None = None,
    added_from: int | None = None,
) -> None:
    """A product's card: new (`edit` False), or this card again in place (its own buttons).
    `opened`: the button it was opened with, whose list the card's Back returns to;
    `viewer`: who reads it (its wishlist button says whether they saved it);
    `added_from`: its Add was just tapped, when the cart held this many (see `kb.product`)."""
    # the card's own −/+ (edit) pick a quantity: the engine refuses more than the stock
    detail = await shop.catalog.product(product_id, quantity=qty if edit and qty != 1 else None)
    held = 0 if viewer is None else await _held(shop, viewer, product_id)
    caption = render.product(lang, detail, in_cart=held)
    origin = opened or ProductCb(id=product_id)
    image = detail.images[0] if detail.images else None
    photo = None if edit else _photo_of(image, media_dir)
    shows_photo = bool(message.photo) if edit else photo is not None
    wished = viewer is not None and await shop.wishlists.has(viewer, product_id)
    markup = kb.product(
        lang,
        detail,
        qty,
        src=origin.src,
        ref=origin.ref,
        page=origin.page,
        photos=len(detail.images) if shows_photo else 0,
        wished=wished,
        held=held,
        added_from=added_from,
    )
    if edit:
        await edit_or_keep(message, caption, markup)  # the same quantity again: kept
        return
    if photo is None:
        await message.answer(caption, reply_markup=markup)
        return
    sent = await message.answer_photo(photo, caption=caption, reply_markup=markup)
    if isinstance(photo, FSInputFile) and sent.photo and image is not None:
        best = sent.photo[-1]
        await shop.catalog.remember_telegram_file(image.image_id, best.file_id, best.file_unique_id)


async def _held(shop: Shop, viewer: int, product_id: int) -> int:
    """How many of the product the viewer's cart holds (what their card shows)."""
    cart = await shop.carts.view(viewer)
    return next((line.quantity for line in cart.lines if line.product_id == product_id), 0)


async def on_product(
    query: CallbackQuery,
    callback_data: ProductCb,
    shop: Shop,
    lang: str,
    me: UserView,
    media_dir: Path,
) -> None:
    if isinstance(query.message, Message):
        # the card's own buttons edit it in place; a list opens a new card
        await show_product(
            query.message,
            shop,
            lang,
            callback_data.id,
            qty=callback_data.qty,
            edit=callback_data.card,
            media_dir=media_dir,
            opened=callback_data,
            viewer=me.id,
        )
    await query.answer()


async def on_product_v1(
    query: CallbackQuery,
    callback_data: ProductCbV1,
    shop: Shop,
    lang: str,
    me: UserView,
    media_dir: Path,
) -> None:
    """A product button of the older layout: the card, as its newer button opens it."""
    await on_product(
        query,
        ProductCb(id=callback_data.id, qty=callback_data.qty, card=callback_data.card),
        shop,
        lang,
        me,
        media_dir,
    )


async def on_product_action(
    query: CallbackQuery,
    callback_data: ProductActCb,
    shop: Shop,
    lang: str,
    me: UserView,
    media_dir: Path,
) -> None:
    pid = callback_data.id
    if callback_data.action == ProductAction.add:
        # a card drawn before cards showed the cart: as if the cart held none then
        await on_card_add(query, CardAddCb(id=pid, qty=callback_data.qty), shop, lang, me)
    elif callback_data.action == ProductAction.notify:
        await _notify_when_back(query, shop, lang, me, pid)
    elif callback_data.action == ProductAction.photos:
        await _album(query, shop, lang, pid, media_dir)
    else:
        await _wish(query, shop, lang, me, pid, keep=callback_data.action == ProductAction.wish)


async def on_card_add(
    query: CallbackQuery, callback_data: CardAddCb, shop: Shop, lang: str, me: UserView
) -> None:
    """A card's "Add n to cart": added when the cart still holds what the card showed, and
    the card drawn again with what the cart holds now (its Add adds on top of that). Tapped
    twice, or on an older card, nothing is added: said so. Sold out since the card was drawn:
    the card again, as sold out, with what can be done (be told when it is back, save it).
    Added (or tapped again): the button under the finger becomes "✓ Added (n in the cart)", which
    repeats this very tap, so the second tap of a double tap adds nothing even when it lands
    on the redrawn card; Add moves one row down."""
    pid, qty = callback_data.id, callback_data.qty
    added_from: int | None = callback_data.seen
    try:
        cart = await shop.carts.add(me.id, pid, qty, seen=callback_data.seen)
    except Outdated as old:
        if old.params.get("entity") != "cart_line":
            raise
        notice = t(lang, "product.added.already", qty=int(old.params.get("held", 0)))
    except InsufficientStock as short:
        items = short.params.get("items") or [{}]
        sold_out = not items[0].get("available")
        if sold_out:
            name = (await shop.catalog.product(pid)).card.name
            notice = t(lang, "product.sold_out.now", name=name)
        else:
            notice = error_text(lang, short)
        qty = 1  # the card's quantity starts again within what there is
        added_from = None
    else:
        name = next((ln.name for ln in cart.lines if ln.product_id == pid), "")
        notice = t(lang, "product.added", qty=qty, name=name)
    if isinstance(query.message, Message):
        opened = ProductCb(
            id=pid,
            qty=qty,
            card=True,
            src=callback_data.src,
            ref=callback_data.ref,
            page=callback_data.page,
        )
        try:
            await show_product(
                query.message,
                shop,
                lang,
                pid,
                qty=qty,
                edit=True,
                opened=opened,
                viewer=me.id,
                added_from=added_from,
            )
        except InsufficientStock:  # fewer left than the card's quantity by now: from 1
            opened = opened.model_copy(update={"qty": 1})
            await show_product(
                query.message, shop, lang, pid, qty=1, edit=True, opened=opened, viewer=me.id
            )
    await query.answer(notice[:200])


async def _wish(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, product_id: int, *, keep: bool
) -> None:
    """♡ saves the product, ♥ takes it out; the card's button then shows where it is now.
    Tapped on an old card (saved or taken out already): said so, and nothing changes."""
    if keep:
        first = await shop.wishlists.add(me.id, product_id)
        said = "product.wished" if first else "product.wished.already"
    else:
        gone = await shop.wishlists.remove(me.id, product_id)
        said = "wishlist.removed" if gone else "wishlist.removed.already"
    if isinstance(query.message, Message):
        markup = kb.with_wish(query.message.reply_markup, lang, product_id, wished=keep)
        await edit_markup_or_keep(query.message, markup)
    await query.answer(t(lang, said))


async def _notify_when_back(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, product_id: int
) -> None:
    """🔔 on a sold-out card: the request is kept once (a second tap says so); a product
    that is back already (an old card) is said to be, and nothing is kept."""
    detail = await shop.catalog.product(product_id)
    name = detail.card.name
    if detail.card.stock_quantity > 0:
        await query.answer(t(lang, "product.notify.in_stock", name=name)[:200], show_alert=True)
        return
    first = await shop.wishlists.notify_when_back(me.id, product_id)
    key = "product.notify.new" if first else "product.notify.again"
    await query.answer(t(lang, key, name=name)[:200], show_alert=True)


async def _album(
    query: CallbackQuery, shop: Shop, lang: str, product_id: int, media_dir: Path
) -> None:
    """All of a product's photos as one album, under its card."""
    detail = await shop.catalog.product(product_id)
    shown = [
        (image, photo)
        for image in detail.images[:ALBUM_LIMIT]
        if (photo := _photo_of(image, media_dir)) is not None
    ]
    if len(shown) < 2 or not isinstance(query.message, Message):
        await query.answer(t(lang, "product.photos.one"))
        return
    await query.answer()
    sent = await query.message.answer_media_group(
        [InputMediaPhoto(media=photo) for _, photo in shown]
    )
    for (image, photo), message in zip(shown, sent, strict=False):
        if isinstance(photo, FSInputFile) and message.photo:
            best = message.photo[-1]
            await shop.catalog.remember_telegram_file(
                image.image_id, best.file_id, best.file_unique_id
            )


async def on_reviews(
    query: CallbackQuery, callback_data: ProductReviewsCb, shop: Shop, lang: str
) -> None:
    """A page of the product's reviews in place of its card (Back shows the card again)."""
    detail: ProductDetail = await shop.catalog.product(callback_data.id)
    reviews = await shop.catalog.reviews(
        callback_data.id, callback_data.page, page_size=REVIEWS_PAGE_SIZE
    )
    if isinstance(query.message, Message):
        await edit_or_keep(
            query.message,
            render.product_reviews(lang, detail, reviews),
            kb.product_reviews(lang, reviews, callback_data),
        )
    await query.answer()


class Searching(StatesGroup):
    """After 🔎 Search, the next text is what to look for, whatever it reads like."""

    words = State()


@dataclass(frozen=True)
class Search:
    """What a customer looks for: words, or a category, within a price range. Kept in the
    conversation so the results' pages show the same search."""

    words: str = ""
    category_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: Sort | None = None  # None: the best matches first (words), the most sold (else)

    def to_data(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "category_id": self.category_id,
            "min_price": None if self.min_price is None else str(self.min_price),
            "max_price": None if self.max_price is None else str(self.max_price),
            "sort": None if self.sort is None else self.sort.value,
        }

    @classmethod
    def of_data(cls, data: dict[str, Any], label: str) -> Search:
        """The search kept in the conversation (a label alone: a search for those words)."""
        kept = data.get("last_search_query")
        if not isinstance(kept, dict):
            return cls(words=label)
        low, high, sort = kept.get("min_price"), kept.get("max_price"), kept.get("sort")
        return cls(
            str(kept.get("words") or ""),
            kept.get("category_id"),
            None if low is None else Decimal(low),
            None if high is None else Decimal(high),
            Sort(sort) if sort in {s.value for s in Sort} else None,
        )


def shown_products(found: Page) -> Shown:
    """A page of products as a list shown (handlers.choices): ids, names, prices now."""
    items = found.items
    return Shown(
        PRODUCTS,
        tuple(c.product_id for c in items),
        tuple(c.name for c in items),
        tuple(c.unit_price for c in items),
    )


async def find(shop: Shop, search: Search, page: int = 1) -> Page:
    """A page of what the search finds (nothing when it names nothing), in its sort."""
    if search.words or search == Search():
        return await shop.catalog.search(
            search.words,
            page=page,
            page_size=PAGE_SIZE,
            min_price=search.min_price,
            max_price=search.max_price,
            sort=search.sort,
        )
    return await shop.catalog.browse(
        BrowseQuery(
            category_id=search.category_id,
            min_price=search.min_price,
            max_price=search.max_price,
            in_stock=True,
            sort=search.sort or Sort.popularity,
            page=page,
            page_size=PAGE_SIZE,
        )
    )


async def show_results(
    message: Message,
    shop: Shop,
    lang: str,
    state: FSMContext,
    search: Search,
    label: str,
    found: Page | None = None,
) -> None:
    """The one way results are shown, whoever asked (🔎 Search, free text, voice): the
    label, how many, the products with their prices, pages and Back; "Nothing matches"
    when nothing does. `found`: its first page, when the caller looked already."""
    found = found or await find(shop, search)
    await state.update_data(last_search=label, last_search_query=search.to_data())
    await remember(state, shown_products(found))
    await message.answer(
        _search_title(lang, label, found), reply_markup=kb.product_list(lang, found, "search")
    )


async def on_search_command(
    message: Message, command: CommandObject, shop: Shop, lang: str, state: FSMContext
) -> None:
    """/search red hoodie: the results at once; /search alone: the Search prompt."""
    words = (command.args or "").strip()[:200]
    if not words:
        await ask_for_search(message, lang, state)
        return
    await show_results(message, shop, lang, state, Search(words=words), words)


async def ask_for_search(message: Message, lang: str, state: FSMContext) -> None:
    """The Search prompt: what is typed next is searched for."""
    await state.set_state(Searching.words)
    await message.answer(t(lang, "search.prompt"))


async def on_search_button(query: CallbackQuery, lang: str, state: FSMContext) -> None:
    if isinstance(query.message, Message):
        await ask_for_search(query.message, lang, state)
    await query.answer()


async def on_search_words(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    await state.set_state(None)
    words = (message.text or "").strip()[:200]
    await show_results(message, shop, lang, state, Search(words=words), words)


async def on_search_page(
    query: CallbackQuery, callback_data: SearchCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    data = await state.get_data()
    if "last_search_query" not in data and "last_search" not in data:
        await _show_category(query, shop, lang, 0)  # the search is forgotten: browse
        await query.answer()
        return
    label = str(data.get("last_search", ""))
    found = await find(shop, Search.of_data(data, label), callback_data.page)
    await remember(state, shown_products(found))
    await _screen(query, _search_title(lang, label, found), kb.product_list(lang, found, "search"))
    await query.answer()


def _search_title(lang: str, text: str, found: Page) -> str:
    if not found.items:
        return t(lang, "search.none", query=escape(text))
    return t(
        lang,
        "search.results",
        query=escape(text),
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


async def _wishlist_page(shop: Shop, me: UserView, page: int) -> Page:
    """A page of the wishlist (the last one when it has fewer pages now)."""
    items = await shop.wishlists.list(me.id)
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return Page(items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(items), page, PAGE_SIZE)


async def on_wishlist(
    event: Message | CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    page: int = 1,
) -> None:
    """A page of the wishlist, kept as the list shown ("the first one" means its first)."""
    shown = await _wishlist_page(shop, me, page)
    await remember(state, shown_products(shown))
    text = render.wishlist(lang, shown)
    markup = kb.wishlist(lang, shown)
    if isinstance(event, CallbackQuery):
        await _screen(event, text, markup)
        await event.answer()
    else:
        await event.answer(text, reply_markup=markup)


async def on_wishlist_page(
    query: CallbackQuery,
    callback_data: WishlistCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    await on_wishlist(query, shop, lang, me, state, callback_data.page)


async def on_wishlist_remove(
    query: CallbackQuery, callback_data: WishlistRemoveCb, shop: Shop, lang: str, me: UserView
) -> None:
    """A line's ✖: the product out of the wishlist, the list again (the same page). An old
    ✖ (taken out already) is said to be, and nothing changes."""
    gone = await shop.wishlists.remove(me.id, callback_data.id)
    shown = await _wishlist_page(shop, me, callback_data.page)
    await _screen(query, render.wishlist(lang, shown), kb.wishlist(lang, shown))
    await query.answer(t(lang, "wishlist.removed" if gone else "wishlist.removed.already"))


def build_router() -> Router:
    router = Router(name="customer.catalog")
    router.callback_query.register(on_browse, MenuCb.filter(F.to == Menu.browse))
    router.callback_query.register(on_category, CategoryCb.filter())
    router.callback_query.register(on_product, ProductCb.filter())
    router.callback_query.register(on_product_v1, ProductCbV1.filter())
    router.callback_query.register(on_product_action, ProductActCb.filter())
    router.callback_query.register(on_card_add, CardAddCb.filter())
    router.callback_query.register(on_reviews, ProductReviewsCb.filter())
    router.callback_query.register(on_wishlist_page, WishlistCb.filter())
    router.callback_query.register(on_wishlist_remove, WishlistRemoveCb.filter())
    router.callback_query.register(on_search_button, MenuCb.filter(F.to == Menu.search))
    router.callback_query.register(on_search_page, SearchCb.filter())
    router.message.register(on_search_words, Searching.words, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_wishlist, MenuCb.filter(F.to == Menu.wishlist))
    router.message.register(on_wishlist, Command("wishlist"))
    router.message.register(on_search_command, Command("search"))
    return router
