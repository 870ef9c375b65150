"""The seller's products: the add-product wizard (name, description, category picked in the
tree, price, discount, stock, photos), "My products" in pages, a product's screen with its
stock, and editing after creation (name, description, prices, category, photos, hide)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.catalog import CategoryNode, ProductCard, ProductDetail, checked_prices
from engine.errors import InvalidInput, NotFound
from engine.shop import Shop
from handlers.callbacks import NewProductCb, SellerAction, SellerCb, StockCb
from handlers.i18n import error_text, price, t
from handlers.screen import edit_or_keep, show
from handlers.seller.cb import EditField, EditProductCb, PickCategoryCb, ProductsCb
from storage.vocabulary import ProductStatus

Button = InlineKeyboardButton
PAGE_SIZE = 8
SKIP = ("no", "none", "-", "skip")


class NewProduct(StatesGroup):
    name = State()
    description = State()
    category = State()
    price = State()
    discount = State()
    stock = State()
    photos = State()


class Stock(StatesGroup):
    change = State()


class EditProduct(StatesGroup):
    value = State()  # the new name, description, price or discount
    photos = State()  # photos to add


# "-2 damaged in transit", "+10 found in the stockroom"
_CHANGE = re.compile(r"^\s*([+-]?\d{1,6})\s+(\S.*)$", re.DOTALL)


def _home(lang: str) -> Button:
    return Button(text=t(lang, "seller.home"), callback_data=SellerCb(to=SellerAction.home).pack())


def _clip(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


# --- the category picker: the tree, one level at a time, with the path shown -----------------
def category_path(tree: list[CategoryNode], category_id: int) -> str:
    """ "Home & Kitchen › Kitchen › Coffee" (escaped)."""
    by_id = {c.category_id: c for c in tree}
    names: list[str] = []
    current = by_id.get(category_id)
    while current is not None and len(names) < 20:
        names.append(current.name)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return " › ".join(escape(n) for n in reversed(names))


def picker(
    lang: str, tree: list[CategoryNode], at: int, product: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """The children of category `at` (0: the top level) as buttons; a parent's button opens
    it (›), a leaf's chooses it."""
    parents = {c.parent_id for c in tree}
    children = [c for c in tree if (c.parent_id or 0) == at]
    rows = [
        [
            Button(
                text=_clip(c.name + (" ›" if c.category_id in parents else "")),
                callback_data=PickCategoryCb(id=c.category_id, product=product).pack(),
            )
        ]
        for c in children[:60]
    ]
    if at:
        node = next((c for c in tree if c.category_id == at), None)
        up = (node.parent_id or 0) if node is not None else 0
        rows.append(
            [
                Button(
                    text=t(lang, "seller.category.up"),
                    callback_data=PickCategoryCb(id=up, product=product, nav=True).pack(),
                )
            ]
        )
    where = category_path(tree, at) if at else t(lang, "seller.category.top")
    return t(lang, "seller.new.category", path=where), InlineKeyboardMarkup(inline_keyboard=rows)


async def _ask_category(message: Message, shop: Shop, lang: str, product: int = 0) -> None:
    text, markup = picker(lang, await shop.catalog.categories(), 0, product)
    await message.answer(text, reply_markup=markup)


async def on_pick_category(
    query: CallbackQuery,
    callback_data: PickCategoryCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """A tap in the picker: go up, open a parent, or choose a leaf (for the wizard, or for a
    product being edited)."""
    tree = await shop.catalog.categories()
    product = callback_data.product
    if product == 0 and await state.get_state() != NewProduct.category.state:
        await query.answer(t(lang, "stale_button"))
        return
    target = callback_data.id
    has_children = {c.parent_id for c in tree}
    if callback_data.nav or target in has_children:
        text, markup = picker(lang, tree, target, product)
        await show(query, text, markup)
        await query.answer()
        return
    if not any(c.category_id == target for c in tree):
        raise NotFound(entity="category", id=target)
    path = category_path(tree, target)
    message = query.message if isinstance(query.message, Message) else None
    if product:
        detail = await shop.listings.update(me.id, product, category_id=target)
        if message is not None:
            await edit_or_keep(message, t(lang, "seller.category.chosen", path=path))
            await _send_product_screen(message, shop, lang, me, detail.card.product_id)
        await query.answer(t(lang, "seller.edit.saved"))
        return
    await state.update_data(category_id=target)
    await state.set_state(NewProduct.price)
    if message is not None:
        await edit_or_keep(message, t(lang, "seller.category.chosen", path=path))
        await message.answer(t(lang, "seller.new.price"))
    await query.answer()


# --- the add-product wizard ------------------------------------------------------------------
async def start_wizard(message: Message, lang: str, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(NewProduct.name)
    await message.answer(t(lang, "seller.new.name"))


async def on_product_name(message: Message, lang: str, state: FSMContext) -> None:
    await state.update_data(name=(message.text or "").strip()[:150])
    await state.set_state(NewProduct.description)
    await message.answer(t(lang, "seller.new.description"))


async def on_product_description(
    message: Message, shop: Shop, lang: str, state: FSMContext
) -> None:
    text = (message.text or "").strip()
    await state.update_data(description=None if text.lower() in SKIP else text[:4000])
    await state.set_state(NewProduct.category)
    await _ask_category(message, shop, lang)


async def on_old_category_button(
    query: CallbackQuery, callback_data: NewProductCb, lang: str, state: FSMContext
) -> None:
    """A leaf button of the old flat picker (a message from before the tree)."""
    await state.update_data(category_id=callback_data.category)
    await state.set_state(NewProduct.price)
    if isinstance(query.message, Message):
        await query.message.answer(t(lang, "seller.new.price"))
    await query.answer()


def amount(text: str | None) -> Decimal | None:
    """A typed amount: "19.99", "$1,299.00", or with a decimal comma, "29,50"."""
    said = (text or "").strip().lstrip("$").strip()
    if re.fullmatch(r"\d+,\d{1,2}", said):  # a decimal comma, not a thousands separator
        said = said.replace(",", ".")
    try:
        value = Decimal(said.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


async def on_product_price(message: Message, lang: str, state: FSMContext) -> None:
    value = amount(message.text)
    if value is None:
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    try:
        checked_prices(value)  # the engine's rule, asked now rather than at the last step
    except InvalidInput as refused:
        await message.answer(error_text(lang, refused))
        return
    await state.update_data(price=str(value))
    await state.set_state(NewProduct.discount)
    await message.answer(t(lang, "seller.new.discount"))


async def on_product_discount(message: Message, lang: str, state: FSMContext) -> None:
    text = (message.text or "").strip().lower()
    value = None if text in SKIP else amount(text)
    if value is None and text not in SKIP:
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    try:
        checked_prices(str((await state.get_data())["price"]), value)
    except InvalidInput as refused:
        await message.answer(error_text(lang, refused))
        return
    await state.update_data(discount=None if value is None else str(value))
    await state.set_state(NewProduct.stock)
    await message.answer(t(lang, "seller.new.stock"))


def _done(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [Button(text=t(lang, "seller.new.done"), callback_data=NewProductCb(done=True).pack())]
        ]
    )


async def on_product_stock(message: Message, lang: str, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if not text.isdigit():
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    await state.update_data(stock=int(text), photos=[])
    await state.set_state(NewProduct.photos)
    await message.answer(t(lang, "seller.new.photos"), reply_markup=_done(lang))


async def on_product_photo(message: Message, state: FSMContext, lang: str) -> None:
    assert message.photo
    best = message.photo[-1]
    data = await state.get_data()
    photos = [*list(data.get("photos", [])), [best.file_id, best.file_unique_id]][:10]
    await state.update_data(photos=photos)
    await message.answer(
        t(lang, "seller.new.photo_saved", count=len(photos)), reply_markup=_done(lang)
    )


async def on_product_done(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    photos = [(str(f), str(u)) for f, u in data.get("photos", [])]
    detail = await shop.listings.create(
        me.id,
        category_id=int(data["category_id"]),
        name=str(data["name"]),
        description=data.get("description"),
        price=str(data["price"]),
        discount_price=data.get("discount"),
        stock=int(data["stock"]),
        photos=photos,
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
                photos=len(detail.images),
            ),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        Button(
                            text=t(lang, "seller.edit.open"),
                            callback_data=EditProductCb(id=detail.card.product_id).pack(),
                        ),
                        _home(lang),
                    ]
                ]
            ),
        )
    await query.answer()


# --- "My products", in pages -----------------------------------------------------------------
def product_line(lang: str, p: ProductCard) -> str:
    return t(
        lang,
        "seller.product.line",
        name=escape(p.name),
        price=price(p.unit_price),
        stock=p.stock_quantity,
        status=t(lang, f"product.status.{p.status.value}"),
    )


def products_screen(
    lang: str, rows: list[ProductCard], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not rows:
        text = t(lang, "seller.products.none")
    else:
        text = "\n".join(
            [t(lang, "seller.products.title", count=len(rows), page=page, pages=pages)]
            + [product_line(lang, p) for p in shown]
        )
    buttons = [
        [
            Button(
                text=_clip(f"{p.name} · {p.stock_quantity}"),
                callback_data=EditProductCb(id=p.product_id).pack(),
            )
        ]
        for p in shown
    ]
    nav = []
    if page > 1:
        nav.append(Button(text="◀", callback_data=ProductsCb(page=page - 1).pack()))
    if pages > 1:
        nav.append(
            Button(
                text=t(lang, "seller.page", page=page, pages=pages),
                callback_data=ProductsCb(page=page).pack(),
            )
        )
    if page < pages:
        nav.append(Button(text="▶", callback_data=ProductsCb(page=page + 1).pack()))
    if nav:
        buttons.append(nav)
    buttons.append(
        [
            Button(
                text=t(lang, "seller.new_product"),
                callback_data=SellerCb(to=SellerAction.new_product).pack(),
            ),
            _home(lang),
        ]
    )
    return text, InlineKeyboardMarkup(inline_keyboard=buttons)


async def on_products_page(
    query: CallbackQuery, callback_data: ProductsCb, shop: Shop, lang: str, me: UserView
) -> None:
    text, markup = products_screen(lang, await shop.catalog.my_products(me.id), callback_data.page)
    await show(query, text, markup)
    await query.answer()


# --- one product: its screen, stock, and edits -----------------------------------------------
async def own_product(shop: Shop, me: UserView, product_id: int) -> ProductDetail:
    """One of the acting seller's own products (hidden ones too); others are "not found"."""
    return await shop.listings.mine(me.id, product_id)


def product_screen(lang: str, detail: ProductDetail, path: str) -> tuple[str, InlineKeyboardMarkup]:
    card = detail.card
    text = t(
        lang,
        "seller.edit.screen",
        line=product_line(lang, card),
        sku=escape(detail.sku),
        path=path,
        description=escape(detail.description or "—"),
        photos=len(detail.images),
        discount=price(card.discount_price) if card.discount_price is not None else "—",
    )

    def b(key: str, field: EditField) -> Button:
        return Button(
            text=t(lang, key), callback_data=EditProductCb(id=card.product_id, field=field).pack()
        )

    hidden = card.status == ProductStatus.inactive
    rows = [
        [
            b("seller.edit.name", EditField.name),
            b("seller.edit.description", EditField.description),
        ],
        [b("seller.edit.price", EditField.price), b("seller.edit.discount", EditField.discount)],
        [b("seller.edit.category", EditField.category), b("seller.edit.photos", EditField.photos)],
        [
            Button(
                text=t(lang, "seller.stock.adjust"),
                callback_data=StockCb(id=card.product_id, adjust=True).pack(),
            ),
            b("seller.edit.show", EditField.show_again)
            if hidden
            else b("seller.edit.hide", EditField.hide),
        ],
        [
            Button(text=t(lang, "seller.products"), callback_data=ProductsCb(page=1).pack()),
            _home(lang),
        ],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def photos_screen(lang: str, detail: ProductDetail) -> tuple[str, InlineKeyboardMarkup]:
    pid = detail.card.product_id
    rows = []
    for n, image in enumerate(detail.images, 1):
        row = [
            Button(
                text=t(lang, "seller.photos.remove", n=n),
                callback_data=EditProductCb(
                    id=pid, field=EditField.photo_remove, image=image.image_id
                ).pack(),
            )
        ]
        if n > 1:
            row.append(
                Button(
                    text=t(lang, "seller.photos.first", n=n),
                    callback_data=EditProductCb(
                        id=pid, field=EditField.photo_first, image=image.image_id
                    ).pack(),
                )
            )
        rows.append(row)
    rows.append(
        [
            Button(
                text=t(lang, "seller.photos.add"),
                callback_data=EditProductCb(id=pid, field=EditField.photo_add).pack(),
            ),
            Button(
                text=t(lang, "seller.edit.back"),
                callback_data=EditProductCb(id=pid).pack(),
            ),
        ]
    )
    text = t(lang, "seller.photos.screen", name=escape(detail.card.name), count=len(detail.images))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _product_view(
    shop: Shop, lang: str, me: UserView, product_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    detail = await own_product(shop, me, product_id)
    path = category_path(await shop.catalog.categories(), detail.category_id)
    return product_screen(lang, detail, path)


async def _send_product_screen(
    message: Message, shop: Shop, lang: str, me: UserView, product_id: int
) -> None:
    text, markup = await _product_view(shop, lang, me, product_id)
    await message.answer(text, reply_markup=markup)


ASK = {
    EditField.name: "seller.edit.ask.name",
    EditField.description: "seller.edit.ask.description",
    EditField.price: "seller.edit.ask.price",
    EditField.discount: "seller.edit.ask.discount",
}


async def on_edit_product(
    query: CallbackQuery,
    callback_data: EditProductCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """The product's screen, and each of its edit buttons. The engine checks it is this
    seller's product before anything is asked."""
    pid, field = callback_data.id, callback_data.field
    detail = await own_product(shop, me, pid)
    message = query.message if isinstance(query.message, Message) else None
    said = None
    if field == EditField.show:
        text, markup = await _product_view(shop, lang, me, pid)
        await show(query, text, markup)
    elif field in ASK:
        await state.set_state(EditProduct.value)
        await state.update_data(product_id=pid, field=field.value)
        if message is not None:
            await message.answer(t(lang, ASK[field], name=escape(detail.card.name)))
    elif field == EditField.category:
        if message is not None:
            await _ask_category(message, shop, lang, product=pid)
    elif field in (EditField.hide, EditField.show_again):
        status = await shop.catalog.set_listed(me.id, pid, field == EditField.show_again)
        said = t(lang, f"seller.edit.status.{status.value}")
        text, markup = await _product_view(shop, lang, me, pid)
        await show(query, text, markup)
    elif field == EditField.photos:
        text, markup = photos_screen(lang, detail)
        await show(query, text, markup)
    elif field == EditField.photo_add:
        await state.set_state(EditProduct.photos)
        await state.update_data(product_id=pid)
        if message is not None:
            await message.answer(t(lang, "seller.photos.ask"))
    elif field in (EditField.photo_remove, EditField.photo_first):
        if field == EditField.photo_remove:
            after = await shop.listings.remove_photo(me.id, pid, callback_data.image)
            said = t(lang, "seller.photos.removed")
        else:
            after = await shop.listings.photo_first(me.id, pid, callback_data.image)
            said = t(lang, "seller.photos.moved")
        text, markup = photos_screen(lang, after)
        await show(query, text, markup)
    await query.answer(said)


async def on_edit_value(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    pid, field = int(data.get("product_id", 0)), EditField(str(data.get("field", "name")))
    text = (message.text or "").strip()
    if field == EditField.name:
        changes: dict[str, object] = {"name": text}
    elif field == EditField.description:
        changes = {"description": None if text.lower() in SKIP else text}
    else:
        value = None if field == EditField.discount and text.lower() in SKIP else amount(text)
        if value is None and not (field == EditField.discount and text.lower() in SKIP):
            await message.answer(t(lang, "seller.new.bad_number"))
            return
        changes = {"price" if field == EditField.price else "discount_price": value}
    await shop.listings.update(me.id, pid, **changes)
    await state.clear()
    await message.answer(t(lang, "seller.edit.saved"))
    await _send_product_screen(message, shop, lang, me, pid)


async def on_edit_photo(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    assert message.photo
    best = message.photo[-1]
    pid = int((await state.get_data()).get("product_id", 0))
    detail = await shop.listings.add_photo(me.id, pid, best.file_id, best.file_unique_id)
    text, markup = photos_screen(lang, detail)
    await message.answer(
        t(lang, "seller.new.photo_saved", count=len(detail.images)) + "\n\n" + text,
        reply_markup=markup,
    )


async def on_stock(
    query: CallbackQuery,
    callback_data: StockCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """A product's stock screen; "Adjust stock" asks for the change and its reason."""
    detail = await own_product(shop, me, callback_data.id)
    product = detail.card
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
    text, markup = await _product_view(shop, lang, me, product.product_id)
    await show(query, text, markup)
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
    product = (await own_product(shop, me, product_id)).card
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
                        callback_data=ProductsCb(page=1).pack(),
                    ),
                    _home(lang),
                ]
            ]
        ),
    )
