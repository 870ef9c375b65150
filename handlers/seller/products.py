"""The seller's products: the add-product wizard (name, description, category picked in the
tree or typed by name, price, discount, stock, photos), "My products" in pages, a product's
screen with its stock, and editing after creation (name, description, prices, category,
photos, hide): one handler per button, chosen by its callback data.

What a seller naturally types is read at the wizard's steps: a category's name at the
category step (`on_category_typed`, nlu.categories) and, at the description step, a price
("12.50") is asked about before it is kept as the description (`on_product_description`)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from html import escape
from typing import Final

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.catalog import CategoryNode, ProductCard, ProductDetail, checked_prices
from engine.errors import InvalidInput, NotFound
from engine.shop import Shop
from handlers import keyboards as main_kb
from handlers.callbacks import NewProductCb, StockCb
from handlers.conversation import end_conversation
from handlers.i18n import DEFAULT, error_text, price, t
from handlers.render import price_tag
from handlers.screen import edit_or_keep, send_below, show
from handlers.seller import keyboards as kb
from handlers.seller.cb import (
    EditField,
    EditProductCb,
    PickCategoryCb,
    PriceAsDescriptionCb,
    ProductsCb,
    WizardCb,
    WizardMove,
)
from nlu.answers import yes_or_no
from nlu.categories import named, says_label
from nlu.numbers import parse_quantity
from nlu.text import words
from storage.vocabulary import parse_amount

PAGE_SIZE = 8
SKIP = ("no", "none", "-", "skip")
#: Whole answers that say "none" at an optional step (the description, the discount).
_NONE_SAID: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "no", "none", "skip", "skip it", "nope", "nah", "no thanks", "none thanks", "n a", "na",
        "no discount", "no sale", "not discounted", "no description", "nothing", "ninguno",
        "ninguna", "sin descuento", "nada",
    )
)  # fmt: skip


def says_none(text: str) -> bool:
    """Whether an answer to an optional step says there is none: "no", "nope", "no
    discount", "-" (as the step's own word SKIP does)."""
    polite = ("ok", "okay", "please", "thanks", "thank", "you", "sorry")
    return (
        text.strip().lower() in SKIP
        or tuple(w for w in words(text) if w not in polite) in _NONE_SAID
    )


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


# the questions waiting for typed text, and the buttons that belong to them (handlers.prompts)
PROMPTS: Final = {
    NewProduct: (PickCategoryCb, NewProductCb, WizardCb, PriceAsDescriptionCb),
    EditProduct: (),
    Stock: (),
}

#: The steps that wait for photos, not typed text: a voice note there is told to send a photo
#: (handlers/customer/voice.py), as "Send photos of it" asked.
PHOTO_STEPS: Final = frozenset({NewProduct.photos.state, EditProduct.photos.state})

# "-2 damaged in transit", "+10 found in the stockroom"
_CHANGE = re.compile(r"^\s*([+-]?\d{1,6})\s+(\S.*)$", re.DOTALL)


# --- the category picker: the tree, one level at a time, with the path shown -----------------
def category_path(tree: list[CategoryNode], category_id: int) -> str:
    """ "Home & Kitchen › Kitchen › Coffee" (escaped)."""
    return " › ".join(escape(n) for n in kb.path_names(tree, category_id))


def picker(
    lang: str, tree: list[CategoryNode], at: int, product: int = 0, kept: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The children of category `at` (0: the top level), under the path to it; `kept`: the
    category the wizard was given before Back, shown, with ✓ Keep."""
    if at:
        text = t(lang, "seller.new.category", path=category_path(tree, at))
    else:
        text = t(lang, "seller.new.category_top")
    if kept:
        text += "\n\n" + t(lang, "seller.new.kept_category", answer=category_path(tree, kept))
    return text, kb.categories(lang, tree, at, product, keep=bool(kept))


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
        kept = None if product else (await state.get_data()).get("category_id")
        text, markup = picker(lang, tree, target, product, int(kept) if kept else None)
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
    if message is not None:
        await edit_or_keep(message, t(lang, "seller.category.chosen", path=path))
        await ask(message, shop, lang, state, NewProduct.price)
    await query.answer()


def typed_category_screen(
    lang: str, tree: list[CategoryNode], typed: str, found: list[CategoryNode], kept: int | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The answer to a category's name typed that chose no leaf: the level of the one parent
    it names (as its button opens it); else the ones it may mean, or the top of the tree, with
    a line saying it names several, or none."""
    if len(found) == 1:
        return picker(lang, tree, found[0].category_id, kept=kept)
    quoted = escape(typed[:60])
    if found:
        line = t(lang, "seller.new.category_several", typed=quoted)
        return line, kb.category_choices(lang, tree, found, keep=bool(kept))
    question_, markup = picker(lang, tree, 0, kept=kept)
    return t(lang, "seller.new.category_none", typed=quoted) + "\n\n" + question_, markup


async def on_category_typed(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    """A category's name typed at the wizard's category step (nlu.categories: any case, a
    typo, "&" or "and"): naming exactly one, it is as if its button were tapped (a leaf is
    chosen, a parent's level opens); naming none or several, the choices are shown with a
    line saying so, and nothing changes. "back" is the Back button."""
    typed = (message.text or "").strip()
    if any(says_label(typed, t(said_in, "seller.new.back")) for said_in in (lang, DEFAULT)):
        await ask(message, shop, lang, state, NewProduct.description)  # Back, typed
        return
    tree = await shop.catalog.categories()
    found = [tree[i] for i in named(typed, [c.name for c in tree])]
    if len(found) == 1 and found[0].category_id not in {c.parent_id for c in tree}:
        await state.update_data(category_id=found[0].category_id)
        path = category_path(tree, found[0].category_id)
        await message.answer(t(lang, "seller.category.chosen", path=path))
        await ask(message, shop, lang, state, NewProduct.price)
        return
    kept = (await state.get_data()).get("category_id")
    text, markup = typed_category_screen(lang, tree, typed, found, int(kept) if kept else None)
    await message.answer(text, reply_markup=markup)


# --- the add-product wizard ------------------------------------------------------------------
STEPS = NewProduct.__all_states__  # the questions, in the order they are asked
QUESTION = {
    NewProduct.name: "seller.new.name",
    NewProduct.description: "seller.new.description",
    NewProduct.price: "seller.new.price",
    NewProduct.discount: "seller.new.discount",
    NewProduct.stock: "seller.new.stock",
}
KEPT = {  # where each question's answer is kept, to show it again after Back (and keep it)
    NewProduct.name: "name",
    NewProduct.description: "description",  # None: no description
    NewProduct.category: "category_id",
    NewProduct.price: "price",
    NewProduct.discount: "discount",  # None: no discount
    NewProduct.stock: "stock",
}
NONE = {NewProduct.description: "seller.new.no_description", NewProduct.discount: "seller.new.none"}


def step_name(step: State) -> str:
    return str(step.state).rsplit(":", 1)[-1]


async def question(
    shop: Shop, lang: str, step: State, data: dict[str, object]
) -> tuple[str, InlineKeyboardMarkup]:
    """A wizard's question, with Back and Cancel; after Back, the answer given before and
    ✓ Keep (which goes on with it)."""
    if step == NewProduct.category:
        kept_category = data.get("category_id")
        tree = await shop.catalog.categories()
        return picker(lang, tree, 0, kept=int(str(kept_category)) if kept_category else None)
    if step == NewProduct.photos:
        return t(lang, "seller.new.photos"), kb.photos_done(lang)
    text = t(lang, QUESTION[step])
    answered = KEPT[step] in data
    if answered:
        kept = data[KEPT[step]]
        if kept is None:
            shown = t(lang, NONE.get(step, "seller.new.none"))
        elif step in PRICED:
            shown = price(Decimal(str(kept)), lang=lang)
        else:
            shown = escape(str(kept))
        said = (
            "seller.new.kept_description" if step == NewProduct.description else "seller.new.kept"
        )
        text += "\n\n" + t(lang, said, answer=shown)
    return text, kb.wizard(lang, step_name(step), back=step != NewProduct.name, keep=answered)


PRICED = (NewProduct.price, NewProduct.discount)


#: The description offered back when it looked like a price ("12.50"): its key (the button
#: names it) and the words, until the description question is answered or left.
OFFERED: Final = "description_offered"


async def ask(message: Message, shop: Shop, lang: str, state: FSMContext, step: State) -> None:
    await state.set_state(step)
    await state.update_data({OFFERED: None})
    text, markup = await question(shop, lang, step, await state.get_data())
    await message.answer(text, reply_markup=markup)


async def start_wizard(
    shop: Shop, lang: str, state: FSMContext
) -> tuple[str, InlineKeyboardMarkup]:
    """A new product from the first question; what an earlier one was given is forgotten."""
    await end_conversation(state)
    await state.set_state(NewProduct.name)
    return await question(shop, lang, NewProduct.name, {})


async def on_wizard_back(
    query: CallbackQuery, callback_data: WizardCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    """Back to the question before the one this button was under, its answer shown (and
    every answer kept); an older question's Back changes nothing."""
    current = await state.get_state()
    at = next((i for i, s in enumerate(STEPS) if s.state == current), None)
    if at is None or step_name(STEPS[at]) != callback_data.step or at == 0:
        await query.answer(t(lang, "stale_button"))
        return
    previous = STEPS[at - 1]
    await state.set_state(previous)
    await state.update_data({OFFERED: None})
    await send_below(query, *await question(shop, lang, previous, await state.get_data()))
    await query.answer()


async def on_wizard_keep(
    query: CallbackQuery, callback_data: WizardCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    """✓ Keep under a question shown again by Back: its answer stays, the next question is
    asked. Under a question answered since (a double tap), or never answered: changes
    nothing."""
    current = await state.get_state()
    at = next((i for i, s in enumerate(STEPS) if s.state == current), None)
    data = await state.get_data()
    if (
        at is None
        or step_name(STEPS[at]) != callback_data.step
        or STEPS[at] not in KEPT
        or KEPT[STEPS[at]] not in data
    ):
        await query.answer(t(lang, "stale_button"))
        return
    if STEPS[at] == NewProduct.discount and data["discount"] is not None:
        try:  # the price may have changed since the discount was given
            checked_prices(str(data["price"]), str(data["discount"]))
        except InvalidInput as refused:
            await query.answer(error_text(lang, refused)[:200], show_alert=True)
            return
    following = STEPS[at + 1]
    await state.set_state(following)
    await state.update_data({OFFERED: None})
    await send_below(query, *await question(shop, lang, following, data))
    await query.answer()


async def on_wizard_cancel(query: CallbackQuery, lang: str, state: FSMContext) -> None:
    """Cancel: nothing is saved. Twice, or under a wizard that ended: said so."""
    if await state.get_state() not in {s.state for s in STEPS}:
        await query.answer(t(lang, "seller.new.ended"))
        return
    await end_conversation(state)
    await show(query, t(lang, "seller.new.cancelled"), kb.to_store(lang))
    await query.answer()


async def on_product_name(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    await state.update_data(name=(message.text or "").strip()[:150])
    await ask(message, shop, lang, state, NewProduct.description)


async def on_product_description(
    message: Message, shop: Shop, lang: str, state: FSMContext
) -> None:
    """The description; one that is plainly a price ("12.50", "€12.50", "12,50 eur": the
    price comes later) is offered back, with one tap to keep it, and the question waits."""
    text = (message.text or "").strip()
    offered = (await state.get_data()).get(OFFERED)
    reply = _offer_answer(text) if isinstance(offered, dict) else None
    if reply is False:  # "no sorry" to "is it really the description?": the question waits
        await state.update_data({OFFERED: None})
        await message.answer(t(lang, "seller.new.description_again"))
        return
    if reply is True and isinstance(offered, dict):  # "yes": the words offered are it
        text = str(offered["text"])
    elif amount(text) is not None:
        key = uuid.uuid4().hex[:12]
        await state.update_data({OFFERED: {"key": key, "text": text[:4000]}})
        said = t(lang, "seller.new.price_as_description", typed=escape(text[:60]))
        await message.answer(said, reply_markup=kb.price_as_description(lang, key))
        return
    await state.update_data(description=None if says_none(text) else text[:4000])
    await ask(message, shop, lang, state, NewProduct.category)


#: The first words of a short answer that says "no, that was not the description".
_NOT_IT: Final = frozenset({"no", "nope", "nah", "oops", "sorry", "wrong", "mistake", "whoops"})


def _offer_answer(text: str) -> bool | None:
    """A typed answer to "is it really the description?": True for a yes ("yes", "yes keep
    it"), False for a short no ("no sorry", "oops, wrong box"), None for anything else (the
    description itself)."""
    said = words(text)
    if yes_or_no(text) is True or (said[:1] == ["yes"] and len(said) <= 4):
        return True
    if yes_or_no(text) is False or (said[:1] and said[0] in _NOT_IT and len(said) <= 4):
        return False
    return None


async def on_price_as_description(
    query: CallbackQuery,
    callback_data: PriceAsDescriptionCb,
    shop: Shop,
    lang: str,
    state: FSMContext,
) -> None:
    """ "✓ Yes, that is the description": the words offered are the description, once, while
    that same question waits; then the category is asked."""
    offered = (await state.get_data()).get(OFFERED)
    if (
        await state.get_state() != NewProduct.description.state
        or not isinstance(offered, dict)
        or offered.get("key") != callback_data.key
    ):
        await query.answer(t(lang, "stale_button"))
        return
    await state.update_data({"description": str(offered["text"]), OFFERED: None})
    await state.set_state(NewProduct.category)
    await send_below(
        query, *await question(shop, lang, NewProduct.category, await state.get_data())
    )
    await query.answer()


async def on_old_category_button(
    query: CallbackQuery, callback_data: NewProductCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    """A leaf button of the old flat picker (a message from before the tree)."""
    await state.update_data(category_id=callback_data.category)
    await state.set_state(NewProduct.price)
    await send_below(query, *await question(shop, lang, NewProduct.price, await state.get_data()))
    await query.answer()


def amount(text: str | None) -> Decimal | None:
    """A typed price ("19.99", "$1,299.00", "29,50": storage.vocabulary.parse_amount); a
    negative one is not a number a price is typed as."""
    value = parse_amount(text)
    return value if value is not None and value >= 0 else None


async def on_product_price(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    value = amount(message.text)
    again = kb.wizard(lang, step_name(NewProduct.price))  # Back and Cancel stay at hand
    if value is None:
        await message.answer(t(lang, "seller.new.bad_number"), reply_markup=again)
        return
    try:
        checked_prices(value)  # the engine's rule, asked now rather than at the last step
    except InvalidInput as refused:
        await message.answer(error_text(lang, refused), reply_markup=again)
        return
    await state.update_data(price=str(value))
    await ask(message, shop, lang, state, NewProduct.discount)


async def on_product_discount(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    text = (message.text or "").strip().lower()
    none = says_none(text)
    value = None if none else amount(text)
    again = kb.wizard(lang, step_name(NewProduct.discount))  # Back and Cancel stay at hand
    if value is None and not none:
        await message.answer(t(lang, "seller.new.bad_discount"), reply_markup=again)
        return
    try:
        checked_prices(str((await state.get_data())["price"]), value)
    except InvalidInput as refused:
        await message.answer(error_text(lang, refused), reply_markup=again)
        return
    await state.update_data(discount=None if value is None else str(value))
    await ask(message, shop, lang, state, NewProduct.stock)


async def on_product_stock(message: Message, shop: Shop, lang: str, state: FSMContext) -> None:
    text = (message.text or "").strip()
    # "twelve", "a dozen" as well as digits; never a sign ("-3" is no count of items)
    count = int(text) if text.isdigit() else None if "-" in text else parse_quantity(text)
    if count is None:
        again = kb.wizard(lang, step_name(NewProduct.stock))  # Back and Cancel stay at hand
        await message.answer(t(lang, "seller.new.bad_count"), reply_markup=again)
        return
    text = str(count)
    photos = (await state.get_data()).get("photos") or []  # kept when Back led here
    await state.update_data(stock=int(text), photos=photos)
    await ask(message, shop, lang, state, NewProduct.photos)


async def on_product_photo(message: Message, state: FSMContext, lang: str) -> None:
    assert message.photo
    best = message.photo[-1]
    data = await state.get_data()
    photos = [*list(data.get("photos", [])), [best.file_id, best.file_unique_id]][:10]
    await state.update_data(photos=photos)
    await message.answer(
        t(lang, "seller.new.photo_saved", count=len(photos)), reply_markup=kb.photos_done(lang)
    )


async def on_product_done(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    created, markup = await _create(shop, lang, me, state)
    await send_below(query, created, markup)
    await query.answer()


#: Typed at "Send photos of it": the wizard's ✅ Done (with the photos sent so far, or none).
_PHOTOS_DONE: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "done", "i'm done", "im done", "finish", "finished", "that's all", "thats all",
        "that's it", "thats it", "no more", "skip", "skip it", "no photos", "no photo",
        "no pictures", "none", "no", "nope", "no thanks", "without photos", "listo", "terminado",
        "ya esta", "sin fotos", "ninguna",
    )
)  # fmt: skip


async def on_product_photos_typed(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """Typed at the photos step: "done", "skip", "no photos", "that's all" list the product as
    ✅ Done does (the photos sent so far, or none); anything else says to send a photo or
    type done, and the step waits."""
    said = tuple(
        w for w in words(message.text or "") if w not in ("ok", "okay", "please", "thanks")
    )
    if said not in _PHOTOS_DONE:
        await message.answer(
            t(lang, "seller.new.photos_or_done"), reply_markup=kb.photos_done(lang)
        )
        return
    created, markup = await _create(shop, lang, me, state)
    await message.answer(created, reply_markup=markup)


async def _create(
    shop: Shop, lang: str, me: UserView, state: FSMContext
) -> tuple[str, InlineKeyboardMarkup]:
    """The product the wizard gathered, listed (the wizard ends first: a second Done finds
    no wizard); what to say, and its buttons."""
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
    await end_conversation(state)
    created = t(
        lang,
        "seller.new.created",
        name=escape(detail.card.name),
        price=price(detail.card.unit_price),
        stock=detail.card.stock_quantity,
        photos=len(detail.images),
    )
    return created, kb.product_created(lang, detail.card.product_id)


# --- "My products", in pages -----------------------------------------------------------------
def product_line(lang: str, p: ProductCard) -> str:
    return t(
        lang,
        "seller.product.line",
        name=escape(p.name),
        price=price_tag(lang, p),  # the regular price struck through while discounted
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
    return text, kb.products(lang, shown, page, pages)


async def on_products_page(
    query: CallbackQuery, callback_data: ProductsCb, shop: Shop, lang: str, me: UserView
) -> None:
    text, markup = products_screen(lang, await shop.catalog.my_products(me.id), callback_data.page)
    await show(query, text, markup)
    await query.answer()


# --- one product: its screen, stock, and edits -----------------------------------------------
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
        discount=price(card.discount_price, lang=lang) if card.discount_price is not None else "—",
    )
    return text, kb.product(lang, card)


def photos_screen(lang: str, detail: ProductDetail) -> tuple[str, InlineKeyboardMarkup]:
    text = t(lang, "seller.photos.screen", name=escape(detail.card.name), count=len(detail.images))
    return text, kb.photos(lang, detail)


async def _product_view(
    shop: Shop, lang: str, me: UserView, product_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One of the seller's own products (hidden ones too); others are "not found"."""
    detail = await shop.listings.mine(me.id, product_id)
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


async def on_product(
    query: CallbackQuery,
    callback_data: EditProductCb | StockCb,
    shop: Shop,
    lang: str,
    me: UserView,
) -> None:
    """The product's screen (its stock shows on it)."""
    await show(query, *await _product_view(shop, lang, me, callback_data.id))
    await query.answer()


async def on_edit_ask(
    query: CallbackQuery,
    callback_data: EditProductCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Name, description, price or discount: asks for the new one. The engine checks it is
    this seller's product before anything is asked."""
    detail = await shop.listings.mine(me.id, callback_data.id)
    await state.set_state(EditProduct.value)
    await state.update_data(product_id=callback_data.id, field=callback_data.field.value)
    ask = t(lang, ASK[callback_data.field], name=escape(detail.card.name))
    await send_below(query, ask, main_kb.prompt_cancel(lang))
    await query.answer()


async def on_edit_category(
    query: CallbackQuery, callback_data: EditProductCb, shop: Shop, lang: str, me: UserView
) -> None:
    await shop.listings.mine(me.id, callback_data.id)  # the seller's own, before the picker
    if isinstance(query.message, Message):
        await _ask_category(query.message, shop, lang, product=callback_data.id)
    await query.answer()


async def on_hide_or_show(
    query: CallbackQuery, callback_data: EditProductCb, shop: Shop, lang: str, me: UserView
) -> None:
    listed = callback_data.field == EditField.show_again
    status = await shop.catalog.set_listed(me.id, callback_data.id, listed)
    await show(query, *await _product_view(shop, lang, me, callback_data.id))
    await query.answer(t(lang, f"seller.edit.status.{status.value}"))


async def on_photos(
    query: CallbackQuery, callback_data: EditProductCb, shop: Shop, lang: str, me: UserView
) -> None:
    await show(query, *photos_screen(lang, await shop.listings.mine(me.id, callback_data.id)))
    await query.answer()


async def on_photo_add(
    query: CallbackQuery,
    callback_data: EditProductCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    await shop.listings.mine(me.id, callback_data.id)  # the seller's own, before asking
    await state.set_state(EditProduct.photos)
    await state.update_data(product_id=callback_data.id)
    await send_below(query, t(lang, "seller.photos.ask"), main_kb.prompt_cancel(lang))
    await query.answer()


async def on_photo_change(
    query: CallbackQuery, callback_data: EditProductCb, shop: Shop, lang: str, me: UserView
) -> None:
    """Remove a photo, or make it the first; the photos screen shows the result."""
    pid, image = callback_data.id, callback_data.image
    if callback_data.field == EditField.photo_remove:
        after, said = await shop.listings.remove_photo(me.id, pid, image), "seller.photos.removed"
    else:
        after, said = await shop.listings.photo_first(me.id, pid, image), "seller.photos.moved"
    await show(query, *photos_screen(lang, after))
    await query.answer(t(lang, said))


async def on_edit_value(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    pid, field = int(data.get("product_id", 0)), EditField(str(data.get("field", "name")))
    text = (message.text or "").strip()
    if field == EditField.name:
        changes: dict[str, object] = {"name": text}
    elif field == EditField.description:
        changes = {"description": None if says_none(text) else text}
    else:
        none = field == EditField.discount and says_none(text)
        value = None if none else amount(text)
        if value is None and not none:
            await message.answer(
                t(lang, "seller.new.bad_number"), reply_markup=main_kb.prompt_cancel(lang)
            )
            return
        changes = {"price" if field == EditField.price else "discount_price": value}
    await shop.listings.update(me.id, pid, **changes)
    await end_conversation(state)
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


async def on_stock_ask(
    query: CallbackQuery,
    callback_data: StockCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Adjust stock: asks for the change and its reason."""
    product = (await shop.listings.mine(me.id, callback_data.id)).card
    await state.set_state(Stock.change)
    await state.update_data(product_id=product.product_id)
    ask = t(lang, "seller.stock.ask", name=escape(product.name), stock=product.stock_quantity)
    await send_below(query, ask, main_kb.prompt_cancel(lang))
    await query.answer()


async def on_stock_change(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """ "-2 damaged in transit": the change goes through the inventory ledger, with its reason."""
    found = _CHANGE.match(message.text or "")
    delta = int(found.group(1)) if found else 0
    if found is None or delta == 0:
        await message.answer(t(lang, "seller.stock.bad"), reply_markup=main_kb.prompt_cancel(lang))
        return
    product_id = int((await state.get_data()).get("product_id", 0))
    stock = await shop.inventory.adjust(me.id, product_id, delta, found.group(2).strip()[:500])
    await end_conversation(state)
    product = (await shop.listings.mine(me.id, product_id)).card
    await message.answer(
        t(
            lang,
            "seller.stock.done",
            name=escape(product.name),
            change=f"{delta:+d}",
            stock=stock,
            reason=escape(found.group(2).strip()[:200]),
        ),
        reply_markup=kb.to_products(lang),
    )


def build_router() -> Router:
    router = Router(name="seller.products")
    text = (F.text, ~F.text.startswith("/"))
    # the new-product wizard
    router.message.register(on_product_name, NewProduct.name, *text)
    router.message.register(on_product_description, NewProduct.description, *text)
    router.callback_query.register(on_price_as_description, PriceAsDescriptionCb.filter())
    router.callback_query.register(on_pick_category, PickCategoryCb.filter())
    router.message.register(on_category_typed, NewProduct.category, *text)
    router.callback_query.register(
        on_old_category_button, NewProduct.category, NewProductCb.filter(F.done.is_(False))
    )
    router.message.register(on_product_price, NewProduct.price, F.text)
    router.message.register(on_product_discount, NewProduct.discount, F.text)
    router.message.register(on_product_stock, NewProduct.stock, F.text)
    router.message.register(on_product_photo, NewProduct.photos, F.photo)
    router.message.register(
        on_product_photos_typed, NewProduct.photos, F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(on_wizard_back, WizardCb.filter(F.to == WizardMove.back))
    router.callback_query.register(on_wizard_cancel, WizardCb.filter(F.to == WizardMove.cancel))
    router.callback_query.register(on_wizard_keep, WizardCb.filter(F.to == WizardMove.keep))
    router.callback_query.register(
        on_product_done, NewProduct.photos, NewProductCb.filter(F.done.is_(True))
    )
    # the list, a product's screen, its edits and stock
    router.callback_query.register(on_products_page, ProductsCb.filter())
    edit = EditProductCb.filter
    router.callback_query.register(on_product, edit(F.field == EditField.show))
    router.callback_query.register(on_product, StockCb.filter(~F.adjust))
    router.callback_query.register(on_stock_ask, StockCb.filter(F.adjust))
    router.callback_query.register(on_edit_ask, edit(F.field.in_(set(ASK))))
    router.callback_query.register(on_edit_category, edit(F.field == EditField.category))
    router.callback_query.register(
        on_hide_or_show, edit(F.field.in_({EditField.hide, EditField.show_again}))
    )
    router.callback_query.register(on_photos, edit(F.field == EditField.photos))
    router.callback_query.register(on_photo_add, edit(F.field == EditField.photo_add))
    photo_change = {EditField.photo_remove, EditField.photo_first}
    router.callback_query.register(on_photo_change, edit(F.field.in_(photo_change)))
    router.message.register(on_edit_value, EditProduct.value, *text)
    router.message.register(on_edit_photo, EditProduct.photos, F.photo)
    router.message.register(on_stock_change, Stock.change, *text)
    return router
