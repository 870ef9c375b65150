"""Admin screens for the shop's structure: the category tree (list, create under a parent
picked from the tree, rename, move) and the shipping providers (list, create, change the
cost, switch on or off). Only admins reach them (the admin router's role filter)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
from handlers.admin.ui import Button, admin_home, clip, keyboard, page_of, screen
from handlers.callbacks import (
    CategoryAdminAction,
    CategoryAdminCb,
    ProviderAdminAction,
    ProviderAdminCb,
)
from handlers.i18n import price, t

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


def _category_rows(nodes: list[CategoryNode], action: CategoryAdminAction) -> list[list[Button]]:
    return [
        [
            Button(
                text=clip("  " * c.depth + ("└ " if c.depth else "") + c.name),
                callback_data=CategoryAdminCb(action=action, id=c.category_id).pack(),
            )
        ]
        for c in nodes
    ]


def _pager(action: CategoryAdminAction, page: int, pages: int) -> list[Button]:
    nav = []
    if page > 1:
        nav.append(
            Button(text="◀", callback_data=CategoryAdminCb(action=action, page=page - 1).pack())
        )
    if page < pages:
        nav.append(
            Button(text="▶", callback_data=CategoryAdminCb(action=action, page=page + 1).pack())
        )
    return nav


async def _categories_screen(shop: Shop, lang: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    tree = await shop.catalog.categories()
    items, page, pages = page_of(tree, page)
    rows = _category_rows(items, C.show)
    rows.append(_pager(C.list, page, pages))
    rows.append(
        [
            Button(
                text=t(lang, "admin.category.new"),
                callback_data=CategoryAdminCb(action=C.new).pack(),
            ),
            admin_home(lang),
        ]
    )
    text = t(lang, "admin.categories", count=len(tree), page=page, pages=pages)
    return text, keyboard(rows)


async def show_categories(query: CallbackQuery, shop: Shop, lang: str, page: int) -> None:
    await screen(query, *await _categories_screen(shop, lang, page))


async def _category(shop: Shop, category_id: int) -> tuple[dict[int, CategoryNode], CategoryNode]:
    tree = {c.category_id: c for c in await shop.catalog.categories()}
    if category_id not in tree:
        raise NotFound(entity="category", id=category_id)
    return tree, tree[category_id]


async def on_category_admin(
    query: CallbackQuery,
    callback_data: CategoryAdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    action, cid = callback_data.action, callback_data.id
    if action == C.list:
        await show_categories(query, shop, lang, callback_data.page)
    elif action == C.show:
        tree, node = await _category(shop, cid)
        children = sum(1 for c in tree.values() if c.parent_id == cid)
        text = t(
            lang,
            "admin.category",
            name=escape(node.name),
            path=escape(_path(tree, node)),
            children=children,
        )
        rows = [
            [
                Button(
                    text=t(lang, "admin.category.rename"),
                    callback_data=CategoryAdminCb(action=C.rename, id=cid).pack(),
                ),
                Button(
                    text=t(lang, "admin.category.move"),
                    callback_data=CategoryAdminCb(action=C.move, id=cid).pack(),
                ),
            ],
            [
                Button(
                    text=t(lang, "admin.category.add_here"),
                    callback_data=CategoryAdminCb(action=C.new, id=cid).pack(),
                )
            ],
            [
                Button(
                    text=t(lang, "admin.categories.back"),
                    callback_data=CategoryAdminCb(action=C.list).pack(),
                ),
                admin_home(lang),
            ],
        ]
        await screen(query, text, keyboard(rows))
    elif action == C.new and cid:  # "add a sub-category here": the parent is known
        _, parent = await _category(shop, cid)
        await _ask_name(query, lang, state, parent)
    elif action in (C.new, C.move):
        if action == C.move:
            await _category(shop, cid)
        await state.set_state(None)
        await state.update_data(cat_purpose=action.value, cat_id=cid)
        await _picker(query, shop, lang, 1, cid if action == C.move else None)
    elif action == C.picker:
        data = await state.get_data()
        moving = int(data.get("cat_id", 0)) if data.get("cat_purpose") == C.move.value else None
        await _picker(query, shop, lang, callback_data.page, moving)
    elif action == C.pick:
        await _picked(query, shop, lang, me, state, cid)
        return
    elif action == C.rename:
        _, node = await _category(shop, cid)
        await state.set_state(CategoryEdit.rename)
        await state.update_data(cat_id=cid)
        if isinstance(query.message, Message):
            await query.message.answer(t(lang, "admin.category.rename_ask", name=escape(node.name)))
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
    items, page, pages = page_of(tree, page)
    rows = [
        [
            Button(
                text=t(lang, "admin.category.top"),
                callback_data=CategoryAdminCb(action=C.pick, id=0).pack(),
            )
        ]
    ]
    rows += _category_rows(items, C.pick)
    rows.append(_pager(C.picker, page, pages))
    rows.append(
        [
            Button(
                text=t(lang, "admin.categories.back"),
                callback_data=CategoryAdminCb(action=C.list).pack(),
            )
        ]
    )
    await screen(query, t(lang, "admin.category.pick", page=page, pages=pages), keyboard(rows))


async def _ask_name(
    query: CallbackQuery, lang: str, state: FSMContext, parent: CategoryNode | None
) -> None:
    await state.set_state(CategoryEdit.name)
    await state.update_data(parent_id=0 if parent is None else parent.category_id)
    if isinstance(query.message, Message):
        where = t(lang, "admin.category.top") if parent is None else escape(parent.name)
        await query.message.answer(t(lang, "admin.category.name_ask", parent=where))


async def _picked(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext, parent_id: int
) -> None:
    data = await state.get_data()
    purpose = data.get("cat_purpose")
    parent = None if parent_id == 0 else (await _category(shop, parent_id))[1]
    if purpose == C.new.value:
        await _ask_name(query, lang, state, parent)
    elif purpose == C.move.value:
        moving = int(data.get("cat_id", 0))
        await shop.catalog.move_category(me.id, moving, None if parent is None else parent_id)
        await state.update_data(cat_purpose=None)
        await show_categories(query, shop, lang, 1)
        await query.answer(t(lang, "admin.category.moved"))
        return
    else:  # a picker left over from an earlier visit
        await query.answer(t(lang, "stale_button"))
        return
    await query.answer()


async def on_category_name(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    parent_id = int((await state.get_data()).get("parent_id", 0))
    node = await shop.catalog.create_category(
        me.id, (message.text or "").strip(), parent_id or None
    )
    await state.clear()
    await message.answer(
        t(lang, "admin.category.created", name=escape(node.name)),
        reply_markup=keyboard(
            [
                [
                    Button(
                        text=t(lang, "admin.categories.back"),
                        callback_data=CategoryAdminCb(action=C.list).pack(),
                    ),
                    admin_home(lang),
                ]
            ]
        ),
    )


async def on_category_rename(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    category_id = int((await state.get_data()).get("cat_id", 0))
    name = (message.text or "").strip()
    await shop.catalog.rename_category(me.id, category_id, name)
    await state.clear()
    await message.answer(
        t(lang, "admin.category.renamed", name=escape(name)),
        reply_markup=keyboard(
            [
                [
                    Button(
                        text=t(lang, "admin.categories.back"),
                        callback_data=CategoryAdminCb(action=C.list).pack(),
                    ),
                    admin_home(lang),
                ]
            ]
        ),
    )


async def on_categories_command(message: Message, shop: Shop, lang: str) -> None:
    text, markup = await _categories_screen(shop, lang, 1)
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


async def _providers_screen(shop: Shop, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    providers = await shop.shipping.providers(include_inactive=True)
    lines = [t(lang, "admin.providers")] + [_provider_line(lang, p) for p in providers]
    rows = [
        [
            Button(
                text=clip(f"{p.name} · {price(p.cost, lang=lang)}"),
                callback_data=ProviderAdminCb(action=P.show, id=p.provider_id).pack(),
            )
        ]
        for p in providers[:40]
    ]
    rows.append(
        [
            Button(
                text=t(lang, "admin.provider.new"),
                callback_data=ProviderAdminCb(action=P.new).pack(),
            ),
            admin_home(lang),
        ]
    )
    return "\n".join(lines), keyboard(rows)


async def show_providers(query: CallbackQuery, shop: Shop, lang: str) -> None:
    text, markup = await _providers_screen(shop, lang)
    await screen(query, text, markup)


async def _provider(shop: Shop, provider_id: int) -> ProviderView:
    for p in await shop.shipping.providers(include_inactive=True):
        if p.provider_id == provider_id:
            return p
    raise NotFound(entity="shipping_provider", id=provider_id)


def _provider_screen(lang: str, p: ProviderView) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            Button(
                text=t(lang, "admin.provider.cost"),
                callback_data=ProviderAdminCb(action=P.cost, id=p.provider_id).pack(),
            ),
            Button(
                text=t(
                    lang, "admin.provider.switch_off" if p.active else "admin.provider.switch_on"
                ),
                callback_data=ProviderAdminCb(
                    action=P.off if p.active else P.on, id=p.provider_id
                ).pack(),
            ),
        ],
        [
            Button(
                text=t(lang, "admin.providers.back"),
                callback_data=ProviderAdminCb(action=P.list).pack(),
            ),
            admin_home(lang),
        ],
    ]
    return t(lang, "admin.provider", line=_provider_line(lang, p)), keyboard(rows)


async def on_provider_admin(
    query: CallbackQuery,
    callback_data: ProviderAdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    action, pid = callback_data.action, callback_data.id
    if action == P.list:
        await show_providers(query, shop, lang)
    elif action in (P.show, P.toggle):  # an older screen's toggle only shows it as it is
        await screen(query, *_provider_screen(lang, await _provider(shop, pid)))
    elif action in (P.on, P.off):  # what the screen offered: a repeat changes nothing
        updated = await shop.shipping.update_provider(me.id, pid, active=action == P.on)
        await screen(query, *_provider_screen(lang, updated))
    elif action == P.cost:
        current = await _provider(shop, pid)
        await state.set_state(ProviderEdit.cost)
        await state.update_data(provider_id=pid)
        if isinstance(query.message, Message):
            await query.message.answer(
                t(
                    lang,
                    "admin.provider.cost_ask",
                    name=escape(current.name),
                    cost=price(current.cost, lang=lang),
                )
            )
    elif action == P.new:
        await state.set_state(ProviderEdit.new)
        if isinstance(query.message, Message):
            await query.message.answer(t(lang, "admin.provider.new_ask"))
    await query.answer()


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


async def on_provider_new(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """ "Night Owl Express, 7.50, 1": name, cost and (optionally) days on the way."""
    parts = [p.strip() for p in (message.text or "").split(",")]
    cost = _amount(parts[1]) if len(parts) > 1 else None
    days = parts[2] if len(parts) > 2 else ""
    if not parts[0] or cost is None or (days and not days.isdigit()) or len(parts) > 3:
        await message.answer(t(lang, "admin.provider.new_bad"))
        return
    made = await shop.shipping.create_provider(
        me.id, parts[0], cost, estimated_days=int(days) if days else None
    )
    await state.clear()
    await message.answer(
        t(lang, "admin.provider.created", line=_provider_line(lang, made)),
        reply_markup=_provider_screen(lang, made)[1],
    )


async def on_provider_cost(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    cost = _amount(message.text or "")
    if cost is None:
        await message.answer(t(lang, "seller.new.bad_number"))
        return
    provider_id = int((await state.get_data()).get("provider_id", 0))
    updated = await shop.shipping.update_provider(me.id, provider_id, cost=cost)
    await state.clear()
    await message.answer(
        t(lang, "admin.provider.updated", line=_provider_line(lang, updated)),
        reply_markup=_provider_screen(lang, updated)[1],
    )


async def on_providers_command(message: Message, shop: Shop, lang: str) -> None:
    text, markup = await _providers_screen(shop, lang)
    await message.answer(text, reply_markup=markup)


def build_router() -> Router:
    router = Router(name="admin.catalog")
    typed = (F.text, ~F.text.startswith("/"))
    router.message.register(on_categories_command, Command("categories"))
    router.callback_query.register(on_category_admin, CategoryAdminCb.filter())
    router.message.register(on_category_name, CategoryEdit.name, *typed)
    router.message.register(on_category_rename, CategoryEdit.rename, *typed)
    router.message.register(on_providers_command, Command("providers"))
    router.callback_query.register(on_provider_admin, ProviderAdminCb.filter())
    router.message.register(on_provider_new, ProviderEdit.new, *typed)
    router.message.register(on_provider_cost, ProviderEdit.cost, *typed)
    return router
