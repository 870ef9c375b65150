"""Admin screens for the shop's structure: the category tree (list, create under a parent
picked from the tree, rename, move) and the shipping providers (list, create, change the
cost, switch on or off). Only admins reach them (the admin router's role filter)."""

from __future__ import annotations

import re
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.catalog import CategoryNode
from engine.errors import NotFound
from engine.shipping import ProviderView
from engine.shop import Shop
from handlers import keyboards as main_kb
from handlers.admin import keyboards as kb
from handlers.callbacks import (
    CategoryAdminAction,
    CategoryAdminCb,
    ProviderAdminAction,
    ProviderAdminCb,
)
from handlers.conversation import end_conversation
from handlers.i18n import price, t
from handlers.screen import send_below, show
from storage.vocabulary import parse_amount

C = CategoryAdminAction
P = ProviderAdminAction


class CategoryEdit(StatesGroup):
    name = State()  # a new category's name (its parent is in the state data)
    rename = State()


class ProviderEdit(StatesGroup):
    new = State()  # "name, cost[, days]"
    cost = State()


# --- categories ---------------------------------------------------------------------------
def _path(tree: dict[int, CategoryNode], node: CategoryNode) -> str:
    names = [node.name]
    parent = node.parent_id
    while parent is not None and parent in tree and len(names) < 10:
        names.append(tree[parent].name)
        parent = tree[parent].parent_id
    return " › ".join(reversed(names))


async def categories_screen(shop: Shop, lang: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    tree = await shop.catalog.categories()
    shown, page, pages = kb.page_of(tree, page)
    text = t(lang, "admin.categories", count=len(tree), page=page, pages=pages)
    return text, kb.categories(lang, shown, page, pages)


async def _category(shop: Shop, category_id: int) -> tuple[dict[int, CategoryNode], CategoryNode]:
    tree = {c.category_id: c for c in await shop.catalog.categories()}
    if category_id not in tree:
        raise NotFound(entity="category", id=category_id)
    return tree, tree[category_id]


async def on_categories_page(
    query: CallbackQuery, callback_data: CategoryAdminCb, shop: Shop, lang: str
) -> None:
    await show(query, *await categories_screen(shop, lang, callback_data.page))
    await query.answer()


async def on_category(
    query: CallbackQuery, callback_data: CategoryAdminCb, shop: Shop, lang: str
) -> None:
    """A category: its path and how many sub-categories it has; rename, move, add under."""
    tree, node = await _category(shop, callback_data.id)
    children = sum(1 for c in tree.values() if c.parent_id == node.category_id)
    text = t(
        lang,
        "admin.category",
        name=escape(node.name),
        path=escape(_path(tree, node)),
        children=children,
    )
    await show(query, text, kb.category(lang, node.category_id))
    await query.answer()


async def on_new_here(
    query: CallbackQuery, callback_data: CategoryAdminCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    """ "Add a sub-category here": the parent is known, the name is asked."""
    _, parent = await _category(shop, callback_data.id)
    await _ask_name(query, lang, state, parent)
    await query.answer()


async def on_pick_parent(
    query: CallbackQuery, callback_data: CategoryAdminCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    """A new category, or a category to move: its parent is picked from the tree first."""
    action, cid = callback_data.action, callback_data.id
    if action == C.move:
        await _category(shop, cid)
    await state.set_state(None)
    await state.update_data(cat_purpose=action.value, cat_id=cid)
    await _picker(query, shop, lang, 1, cid if action == C.move else None)
    await query.answer()


async def on_picker_page(
    query: CallbackQuery, callback_data: CategoryAdminCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    data = await state.get_data()
    moving = int(data.get("cat_id", 0)) if data.get("cat_purpose") == C.move.value else None
    await _picker(query, shop, lang, callback_data.page, moving)
    await query.answer()


async def on_rename(
    query: CallbackQuery, callback_data: CategoryAdminCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    _, node = await _category(shop, callback_data.id)
    await state.set_state(CategoryEdit.rename)
    await state.update_data(cat_id=callback_data.id)
    await send_below(
        query,
        t(lang, "admin.category.rename_ask", name=escape(node.name)),
        main_kb.prompt_cancel(lang),
    )
    await query.answer()


async def _picker(
    query: CallbackQuery, shop: Shop, lang: str, page: int, moving: int | None
) -> None:
    """The parent picker: the top level, then the tree (a category being moved is left out,
    with everything under it, since it cannot go under itself)."""
    tree = await shop.catalog.categories()
    if moving is not None:
        below = {moving}
        for c in tree:  # depth-first order: parents come before their children
            if c.parent_id in below:
                below.add(c.category_id)
        tree = [c for c in tree if c.category_id not in below]
    shown, page, pages = kb.page_of(tree, page)
    text = t(lang, "admin.category.pick", page=page, pages=pages)
    await show(query, text, kb.parents(lang, shown, page, pages))


async def _ask_name(
    query: CallbackQuery, lang: str, state: FSMContext, parent: CategoryNode | None
) -> None:
    await state.set_state(CategoryEdit.name)
    await state.update_data(parent_id=0 if parent is None else parent.category_id)
    where = t(lang, "admin.category.top") if parent is None else escape(parent.name)
    await send_below(
        query, t(lang, "admin.category.name_ask", parent=where), main_kb.prompt_cancel(lang)
    )


async def on_pick(
    query: CallbackQuery,
    callback_data: CategoryAdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """A parent picked: the new category's name is asked, or the category moves there."""
    parent_id = callback_data.id
    data = await state.get_data()
    purpose = data.get("cat_purpose")
    parent = None if parent_id == 0 else (await _category(shop, parent_id))[1]
    if purpose == C.new.value:
        await _ask_name(query, lang, state, parent)
        await query.answer()
    elif purpose == C.move.value:
        moving = int(data.get("cat_id", 0))
        await shop.catalog.move_category(me.id, moving, None if parent is None else parent_id)
        await state.update_data(cat_purpose=None)
        await show(query, *await categories_screen(shop, lang, 1))
        await query.answer(t(lang, "admin.category.moved"))
    else:  # a picker left over from an earlier visit
        await query.answer(t(lang, "stale_button"))


async def on_category_name(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    parent_id = int((await state.get_data()).get("parent_id", 0))
    node = await shop.catalog.create_category(
        me.id, (message.text or "").strip(), parent_id or None
    )
    await end_conversation(state)
    await message.answer(
        t(lang, "admin.category.created", name=escape(node.name)),
        reply_markup=kb.to_categories(lang),
    )


async def on_category_rename(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    category_id = int((await state.get_data()).get("cat_id", 0))
    name = (message.text or "").strip()
    await shop.catalog.rename_category(me.id, category_id, name)
    await end_conversation(state)
    await message.answer(
        t(lang, "admin.category.renamed", name=escape(name)),
        reply_markup=kb.to_categories(lang),
    )


async def on_categories_command(message: Message, shop: Shop, lang: str) -> None:
    text, markup = await categories_screen(shop, lang, 1)
    await message.answer(text, reply_markup=markup)


# --- shipping providers -------------------------------------------------------------------
def _provider_line(lang: str, p: ProviderView) -> str:
    return t(
        lang,
        "admin.provider.line",
        name=escape(p.name),
        cost=price(p.cost, lang=lang),
        days=p.estimated_days if p.estimated_days is not None else "—",
        status=t(lang, "admin.provider.on" if p.active else "admin.provider.off"),
    )


async def providers_screen(shop: Shop, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    providers = await shop.shipping.providers(include_inactive=True)
    lines = [t(lang, "admin.providers")] + [_provider_line(lang, p) for p in providers]
    return "\n".join(lines), kb.providers(lang, providers)


async def _provider(shop: Shop, provider_id: int) -> ProviderView:
    for p in await shop.shipping.providers(include_inactive=True):
        if p.provider_id == provider_id:
            return p
    raise NotFound(entity="shipping_provider", id=provider_id)


def _provider_screen(lang: str, p: ProviderView) -> tuple[str, InlineKeyboardMarkup]:
    return t(lang, "admin.provider", line=_provider_line(lang, p)), kb.provider(lang, p)


async def on_providers_page(query: CallbackQuery, shop: Shop, lang: str) -> None:
    await show(query, *await providers_screen(shop, lang))
    await query.answer()


async def on_provider(
    query: CallbackQuery, callback_data: ProviderAdminCb, shop: Shop, lang: str
) -> None:
    """A provider's screen; an older screen's toggle only shows it as it is."""
    await show(query, *_provider_screen(lang, await _provider(shop, callback_data.id)))
    await query.answer()


async def on_provider_switch(
    query: CallbackQuery, callback_data: ProviderAdminCb, shop: Shop, lang: str, me: UserView
) -> None:
    """On or off, as the screen offered: a repeat changes nothing."""
    on = callback_data.action == P.on
    updated = await shop.shipping.update_provider(me.id, callback_data.id, active=on)
    await show(query, *_provider_screen(lang, updated))
    await query.answer()


async def on_provider_cost_ask(
    query: CallbackQuery, callback_data: ProviderAdminCb, shop: Shop, lang: str, state: FSMContext
) -> None:
    current = await _provider(shop, callback_data.id)
    await state.set_state(ProviderEdit.cost)
    await state.update_data(provider_id=callback_data.id)
    cost = price(current.cost, lang=lang)
    ask = t(lang, "admin.provider.cost_ask", name=escape(current.name), cost=cost)
    await send_below(query, ask, main_kb.prompt_cancel(lang))
    await query.answer()


#: "name, cost[, days]". The cost may have a decimal comma ("7,50" is 7.50: a comma with no
#: space after it and one or two digits is part of the amount, not the next field).
_NEW_PROVIDER = re.compile(
    r"(?P<name>[^,]*[^,\s][^,]*),\s*(?P<cost>[$€£]?\s*[0-9][0-9 ]*(?:[.,][0-9]{1,2})?(?:\s*[$€£])?)"
    r"(?:\s*,\s*(?P<days>[0-9]{1,3}))?\s*"
)


async def on_provider_new_ask(query: CallbackQuery, lang: str, state: FSMContext) -> None:
    await state.set_state(ProviderEdit.new)
    await send_below(query, t(lang, "admin.provider.new_ask"), main_kb.prompt_cancel(lang))
    await query.answer()


async def on_provider_new(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """ "Night Owl Express, 7.50, 1": name, cost and (optionally) days on the way."""
    said = _NEW_PROVIDER.fullmatch((message.text or "").strip())
    cost = parse_amount(said.group("cost")) if said else None
    if said is None or cost is None:
        await message.answer(
            t(lang, "admin.provider.new_bad"), reply_markup=main_kb.prompt_cancel(lang)
        )
        return
    days = said.group("days")
    made = await shop.shipping.create_provider(
        me.id, said.group("name").strip(), cost, estimated_days=int(days) if days else None
    )
    await end_conversation(state)
    await message.answer(
        t(lang, "admin.provider.created", line=_provider_line(lang, made)),
        reply_markup=_provider_screen(lang, made)[1],
    )


async def on_provider_cost(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    cost = parse_amount(message.text)
    if cost is None:
        await message.answer(
            t(lang, "seller.new.bad_number"), reply_markup=main_kb.prompt_cancel(lang)
        )
        return
    provider_id = int((await state.get_data()).get("provider_id", 0))
    updated = await shop.shipping.update_provider(me.id, provider_id, cost=cost)
    await end_conversation(state)
    await message.answer(
        t(lang, "admin.provider.updated", line=_provider_line(lang, updated)),
        reply_markup=_provider_screen(lang, updated)[1],
    )


async def on_providers_command(message: Message, shop: Shop, lang: str) -> None:
    text, markup = await providers_screen(shop, lang)
    await message.answer(text, reply_markup=markup)


def build_router() -> Router:
    router = Router(name="admin.catalog")
    typed = (F.text, ~F.text.startswith("/"))
    category = CategoryAdminCb.filter
    router.message.register(on_categories_command, Command("categories"))
    router.callback_query.register(on_categories_page, category(F.action == C.list))
    router.callback_query.register(on_category, category(F.action == C.show))
    router.callback_query.register(on_new_here, category((F.action == C.new) & (F.id != 0)))
    router.callback_query.register(on_pick_parent, category((F.action == C.new) & (F.id == 0)))
    router.callback_query.register(on_pick_parent, category(F.action == C.move))
    router.callback_query.register(on_picker_page, category(F.action == C.picker))
    router.callback_query.register(on_pick, category(F.action == C.pick))
    router.callback_query.register(on_rename, category(F.action == C.rename))
    router.message.register(on_category_name, CategoryEdit.name, *typed)
    router.message.register(on_category_rename, CategoryEdit.rename, *typed)
    provider = ProviderAdminCb.filter
    router.message.register(on_providers_command, Command("providers"))
    router.callback_query.register(on_providers_page, provider(F.action == P.list))
    router.callback_query.register(on_provider, provider(F.action.in_({P.show, P.toggle})))
    router.callback_query.register(on_provider_switch, provider(F.action.in_({P.on, P.off})))
    router.callback_query.register(on_provider_cost_ask, provider(F.action == P.cost))
    router.callback_query.register(on_provider_new_ask, provider(F.action == P.new))
    router.message.register(on_provider_new, ProviderEdit.new, *typed)
    router.message.register(on_provider_cost, ProviderEdit.cost, *typed)
    return router
