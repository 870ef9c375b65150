"""Keyboards: pure functions of view objects; they never query anything."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from engine.accounts import AddressView
from engine.cart import CartView
from engine.catalog import CategoryNode, Page, ProductDetail
from engine.order_actions import OrderAct
from engine.orders import OrderView
from engine.shipping import ProviderView
from handlers.callbacks import (
    CartAction,
    CartCb,
    CategoryCb,
    CheckoutCb,
    CheckoutStep,
    Menu,
    MenuCb,
    OrderAction,
    OrderCb,
    ProductActCb,
    ProductAction,
    ProductCb,
    ReturnLineCb,
    ReviewCb,
    SearchCb,
)
from handlers.i18n import price, t
from storage.vocabulary import PaymentMethod

Button = InlineKeyboardButton


def _kb(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows if r])


def _clip(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def main_menu(lang: str) -> InlineKeyboardMarkup:
    def b(key: str, to: Menu) -> Button:
        return Button(text=t(lang, key), callback_data=MenuCb(to=to).pack())

    return _kb(
        [
            [b("menu.browse", Menu.browse), b("menu.search", Menu.search)],
            [b("menu.cart", Menu.cart), b("menu.orders", Menu.orders)],
            [b("menu.wishlist", Menu.wishlist), b("menu.profile", Menu.profile)],
            [b("menu.help", Menu.help)],
        ]
    )


def back_home(lang: str) -> list[Button]:
    return [Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.home).pack())]


def categories(
    lang: str, children: Sequence[CategoryNode], parent: CategoryNode | None, up: int | None
) -> InlineKeyboardMarkup:
    rows = [
        [Button(text=_clip(c.name), callback_data=CategoryCb(id=c.category_id).pack())]
        for c in children
    ]
    if parent is not None:
        rows.insert(
            0,
            [
                Button(
                    text=t(lang, "browse.all", name=_clip(parent.name, 30)),
                    callback_data=CategoryCb(id=parent.category_id, items=True).pack(),
                )
            ],
        )
    back = CategoryCb(id=up).pack() if up is not None else MenuCb(to=Menu.home).pack()
    rows.append([Button(text=t(lang, "back"), callback_data=back)])
    return _kb(rows)


def product_list(
    lang: str,
    page: Page,
    pager: str,
    category: int | None = None,
    qty: int = 1,
) -> InlineKeyboardMarkup:
    """Products with their prices, pages and Back; a card opened from it starts at `qty`."""
    rows = [
        [
            Button(
                text=_clip(f"{c.name} · {price(c.unit_price)}"),
                callback_data=ProductCb(id=c.product_id, qty=qty).pack(),
            )
        ]
        for c in page.items
    ]
    nav = []
    if page.page > 1:
        nav.append(
            Button(text=t(lang, "prev"), callback_data=_pager(pager, category, page.page - 1))
        )
    if page.page < page.pages:
        nav.append(
            Button(text=t(lang, "next"), callback_data=_pager(pager, category, page.page + 1))
        )
    rows.append(nav)
    rows.append(back_home(lang))
    return _kb(rows)


def _pager(kind: str, category: int | None, page: int) -> str:
    if kind == "search":
        return SearchCb(page=page).pack()
    return CategoryCb(id=category or 0, page=page, items=True).pack()


def product(lang: str, detail: ProductDetail, qty: int) -> InlineKeyboardMarkup:
    pid = detail.card.product_id
    rows: list[list[Button]] = []
    if detail.card.stock_quantity > 0:
        rows.append(
            [
                Button(
                    text="−", callback_data=ProductCb(id=pid, qty=max(1, qty - 1), card=True).pack()
                ),
                Button(text=str(qty), callback_data=ProductCb(id=pid, qty=qty, card=True).pack()),
                Button(  # one more than the stock: the engine says how many there are
                    text="+",
                    callback_data=ProductCb(id=pid, qty=min(qty + 1, 99), card=True).pack(),
                ),
            ]
        )
        rows.append(
            [
                Button(
                    text=t(lang, "product.add", qty=qty),
                    callback_data=ProductActCb(action=ProductAction.add, id=pid, qty=qty).pack(),
                )
            ]
        )
    rows.append(
        [
            Button(
                text=t(lang, "product.wish"),
                callback_data=ProductActCb(action=ProductAction.wish, id=pid).pack(),
            ),
            Button(text=t(lang, "menu.cart"), callback_data=MenuCb(to=Menu.cart).pack()),
        ]
    )
    rows.append(
        [
            Button(
                text=t(lang, "back"),
                callback_data=CategoryCb(id=detail.category_id, items=True).pack(),
            )
        ]
    )
    return _kb(rows)


def cart(lang: str, view: CartView) -> InlineKeyboardMarkup:
    rows = []
    for line in view.lines:
        pid, qty = line.product_id, line.quantity  # the quantity shown: −/+ change that one
        rows.append(
            [
                Button(
                    text="−", callback_data=CartCb(action=CartAction.dec, id=pid, qty=qty).pack()
                ),
                Button(
                    text=_clip(f"{line.quantity} × {line.name}", 30),
                    callback_data=ProductCb(id=line.product_id).pack(),
                ),
                Button(
                    text="+", callback_data=CartCb(action=CartAction.inc, id=pid, qty=qty).pack()
                ),
                Button(
                    text="✖",
                    callback_data=CartCb(action=CartAction.remove, id=line.product_id).pack(),
                ),
            ]
        )
    if view.lines:
        rows.append(
            [
                Button(
                    text=t(lang, "cart.checkout"),
                    callback_data=CartCb(action=CartAction.checkout).pack(),
                )
            ]
        )
        rows.append(
            [
                Button(
                    text=t(lang, "cart.clear"), callback_data=CartCb(action=CartAction.clear).pack()
                )
            ]
        )
    rows.append(back_home(lang))
    return _kb(rows)


# the checkout's buttons carry its key: a checkout given up changes nothing in a later one
def addresses(lang: str, saved: Sequence[AddressView], key: str) -> InlineKeyboardMarkup:
    rows = [
        [
            Button(
                text=_clip(f"{a.street}, {a.city}"),
                callback_data=CheckoutCb(
                    step=CheckoutStep.address, value=str(a.address_id), key=key
                ).pack(),
            )
        ]
        for a in saved
    ]
    rows.append(
        [
            Button(
                text=t(lang, "checkout.address.new"),
                callback_data=CheckoutCb(step=CheckoutStep.new_address, key=key).pack(),
            )
        ]
    )
    return _kb(rows)


def providers(lang: str, options: Sequence[ProviderView], key: str) -> InlineKeyboardMarkup:
    return _kb(
        [
            [
                Button(
                    text=_clip(
                        t(lang, "checkout.provider.option", name=p.name, cost=price(p.cost))
                    ),
                    callback_data=CheckoutCb(
                        step=CheckoutStep.provider, value=str(p.provider_id), key=key
                    ).pack(),
                )
            ]
            for p in options
        ]
    )


def skip_coupon(lang: str, key: str) -> InlineKeyboardMarkup:
    return _kb(
        [
            [
                Button(
                    text=t(lang, "checkout.coupon.skip"),
                    callback_data=CheckoutCb(step=CheckoutStep.skip_coupon, key=key).pack(),
                )
            ]
        ]
    )


def payment_methods(lang: str, methods: Sequence[PaymentMethod], key: str) -> InlineKeyboardMarkup:
    return _kb(
        [
            [
                Button(
                    text=t(lang, f"checkout.pay.{m.value}"),
                    callback_data=CheckoutCb(
                        step=CheckoutStep.payment, value=m.value, key=key
                    ).pack(),
                )
            ]
            for m in methods
        ]
    )


def confirm(lang: str, key: str) -> InlineKeyboardMarkup:
    return _kb(
        [
            [
                Button(
                    text=t(lang, "checkout.confirm"),
                    callback_data=CheckoutCb(step=CheckoutStep.confirm, key=key).pack(),
                )
            ],
            back_home(lang),
        ]
    )


def stars(product_id: int, seen: int) -> InlineKeyboardMarkup:
    """1 to 5 stars for a product whose review has `seen` stars now (0: none yet)."""
    return _kb(
        [
            [
                Button(
                    text="★" * n,
                    callback_data=ReviewCb(product_id=product_id, rating=n, seen=seen).pack(),
                )
                for n in range(1, 6)
            ]
        ]
    )


def orders(lang: str, views: Sequence[OrderView]) -> InlineKeyboardMarkup:
    rows = [
        [
            Button(
                text=t(
                    lang,
                    "orders.line",
                    order_id=o.order_id,
                    status=t(lang, f"status.{o.status.value}"),
                    total=price(o.total),
                ),
                callback_data=OrderCb(action=OrderAction.show, id=o.order_id).pack(),
            )
        ]
        for o in views
    ]
    rows.append(back_home(lang))
    return _kb(rows)


def order(lang: str, view: OrderView) -> InlineKeyboardMarkup:
    rows = [
        [
            Button(
                text=t(lang, "order.track"),
                callback_data=OrderCb(action=OrderAction.track, id=view.order_id).pack(),
            )
        ]
    ]
    if OrderAct.review in view.acts:  # what the order can still take: the engine says
        for line in view.lines[:5]:
            row = [
                Button(
                    text=_clip(t(lang, "order.review", name=line.name), 30),
                    callback_data=ReviewCb(product_id=line.product_id).pack(),
                )
            ]
            if OrderAct.return_items in view.acts and line.refunded_quantity < line.quantity:
                row.append(
                    Button(
                        text=_clip(t(lang, "order.return", name=line.name), 30),
                        callback_data=ReturnLineCb(
                            order_item_id=line.order_item_id, order_id=view.order_id
                        ).pack(),
                    )
                )
            rows.append(row)
    if OrderAct.cancel in view.acts:
        rows.append(
            [
                Button(
                    text=t(lang, "order.cancel"),
                    callback_data=OrderCb(action=OrderAction.cancel, id=view.order_id).pack(),
                )
            ]
        )
    rows.append([Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.orders).pack())])
    return _kb(rows)
