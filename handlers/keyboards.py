"""Keyboards: pure functions of view objects; they never query anything. The customer's
here; the seller's and the admin's in handlers/seller/keyboards.py and
handlers/admin/keyboards.py, built with `keyboard` and `clip` from here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from engine.accounts import AddressView
from engine.cart import CartView
from engine.catalog import CategoryNode, Page, ProductCard, ProductDetail, ReviewPage
from engine.order_actions import OrderAct
from engine.orders import OrderView, ShippingOption
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    CardAddCb,
    CartAction,
    CartCb,
    CartClearCb,
    CategoryCb,
    CheckoutCb,
    CheckoutStep,
    Menu,
    MenuCb,
    OrderAction,
    OrderCancelCb,
    OrderCb,
    Origin,
    ProductActCb,
    ProductAction,
    ProductCb,
    ProductReviewsCb,
    PromptCancelCb,
    ReturnLineCb,
    ReviewCb,
    SearchCb,
    SellerAction,
    SellerCb,
    WishlistCb,
    WishlistRemoveCb,
)
from handlers.i18n import price, t
from handlers.render import order_status
from storage.vocabulary import PaymentMethod

Button = InlineKeyboardButton


def button(text: str, data: CallbackData) -> Button:
    return Button(text=text, callback_data=data.pack())


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """Rows of buttons; an empty row (a pager with one page) is left out."""
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows if r])


def prompt_cancel(lang: str) -> InlineKeyboardMarkup:
    """✖ Cancel, under a question waiting for typed text (it ends it; nothing changes)."""
    return keyboard([[button(t(lang, "prompt.cancel"), PromptCancelCb())]])


def pairs(buttons: Sequence[Button]) -> list[list[Button]]:
    """Buttons two a row."""
    return [list(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


class _MiniApp:
    """The Mini App's address (WEBAPP_URL), set once at start-up; None: no Mini App buttons."""

    url: str | None = None


def use_mini_app(url: str | None) -> None:
    """Called once when the bot starts, with `settings.webapp_url`."""
    _MiniApp.url = url


def mini_app_url() -> str | None:
    """The Mini App's address, or None while it is off."""
    return _MiniApp.url


def mini_app_row(lang: str, key: str, route: str = "") -> list[Button]:
    """A button opening the Mini App (at its `route`, "#/p/12"), or nothing while it is off."""
    if _MiniApp.url is None:
        return []
    return [Button(text=t(lang, key), web_app=WebAppInfo(url=_MiniApp.url + route))]


# Telegram sets no length for a button's text (its apps shorten what does not fit the row);
# a full-width button's label stays within this many characters, so phones show it whole
LABEL_LIMIT = 48


def clip(label: str, limit: int = LABEL_LIMIT) -> str:
    """A button's label cut to `limit` characters with an ellipsis, after a whole word when
    one ends in the second half ("Weeknight Cookbook…", not "Weeknight Cookbook (Large Prin…")."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.:;·—-(") + "…"


def distinct(names: Sequence[str], limit: int) -> list[str]:
    """Each name clipped to `limit` (`clip`); names that would then read alike ("Organic
    Cotton…" twice) show what tells them apart instead, the words after those they share
    ("…Tee, Black", "…Tee, White"), clipped too. Names the same to the end stay as they are."""
    clipped = [clip(name, limit) for name in names]
    labels = list(clipped)
    for i, name in enumerate(names):
        alike = [other for j, other in enumerate(names) if j != i and clipped[j] == clipped[i]]
        if not alike:
            continue
        own = name.split()
        shared = min(_shared_words(own, other.split()) for other in alike)
        if shared == len(own):
            continue
        with_context = "…" + " ".join(own[max(0, shared - 1) :])  # the last shared word too
        labels[i] = (
            with_context
            if len(with_context) <= limit
            else clip("…" + " ".join(own[shared:]), limit)
        )
    return labels


def _shared_words(one: list[str], other: list[str]) -> int:
    """How many leading words two names share."""
    n = 0
    while n < min(len(one), len(other)) and one[n] == other[n]:
        n += 1
    return n


def fit(make: Callable[[str], str], name: str, limit: int = LABEL_LIMIT) -> str:
    """The label `make(name)` within `limit` characters: the name is shortened, never the rest
    (a price, a count of parcels)."""
    label = make(name)
    over = len(label) - limit
    return label if over <= 0 else make(clip(name, max(8, len(name) - over)))


def named(name: str, tail: str, limit: int = LABEL_LIMIT) -> str:
    """ "Name · $9.99": a name and what follows it, the name cut to fit, never the tail."""
    return fit(lambda shown: shown + tail, name, limit)


# IsSeller's answer (handlers/seller) for the message being handled: the seller's router asks
# it of every message on its way to the customer's, so a menu shown deep in a conversation,
# where no `me` is at hand, still knows whether it leads to a store (`has_store`)
_STORE: ContextVar[tuple[object, bool] | None] = ContextVar("has_store", default=None)


def remember_store(event: object, store: bool) -> None:
    _STORE.set((event, store))


def has_store(event: object) -> bool:
    """Whether the sender of `event` (this very update) has a store, as IsSeller found."""
    seen = _STORE.get()
    return seen is not None and seen[0] is event and seen[1]


def main_menu(lang: str, *, store: bool = False, admin: bool = False) -> InlineKeyboardMarkup:
    """The shop's menu; a seller's (`store`) has the way to their store too, an admin's
    (`admin`) the way to the admin panel."""

    def b(key: str, to: Menu) -> Button:
        return Button(text=t(lang, key), callback_data=MenuCb(to=to).pack())

    to_store = SellerCb(to=SellerAction.home).pack()
    return keyboard(
        [
            mini_app_row(lang, "webapp.open_shop"),
            [b("menu.browse", Menu.browse), b("menu.search", Menu.search)],
            [b("menu.cart", Menu.cart), b("menu.orders", Menu.orders)],
            [b("menu.wishlist", Menu.wishlist), b("menu.profile", Menu.profile)],
            *([[Button(text=t(lang, "menu.store"), callback_data=to_store)]] if store else []),
            *(
                [
                    [
                        Button(
                            text=t(lang, "menu.admin"),
                            callback_data=AdminCb(to=AdminAction.home).pack(),
                        )
                    ]
                ]
                if admin
                else []
            ),
            [b("menu.help", Menu.help)],
        ]
    )


def back_home(lang: str) -> list[Button]:
    return [Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.home).pack())]


def categories(
    lang: str, children: Sequence[CategoryNode], parent: CategoryNode | None, up: int | None
) -> InlineKeyboardMarkup:
    rows = [
        [Button(text=clip(c.name), callback_data=CategoryCb(id=c.category_id).pack())]
        for c in children
    ]
    if parent is not None:
        rows.insert(
            0,
            [
                Button(
                    text=t(lang, "browse.all", name=clip(parent.name, 30)),
                    callback_data=CategoryCb(id=parent.category_id, items=True).pack(),
                )
            ],
        )
    back = CategoryCb(id=up).pack() if up is not None else MenuCb(to=Menu.home).pack()
    rows.append([Button(text=t(lang, "back"), callback_data=back)])
    return keyboard(rows)


def product_list(
    lang: str,
    page: Page,
    pager: str,
    category: int | None = None,
    qty: int = 1,
    *,
    back: str | None = None,
) -> InlineKeyboardMarkup:
    """Products with their prices (sold out said so), pages and Back (`back`: its callback
    data; the main menu when None). `pager`: "search", "category", "wishlist", or "choice"
    (one page); a card opened from the list starts at `qty` and its Back returns here."""
    src = {
        "search": Origin.search,
        "category": Origin.category,
        "wishlist": Origin.wishlist,
    }.get(pager, Origin.none)
    rows = [
        [
            Button(
                text=_product_label(lang, c),
                callback_data=ProductCb(
                    id=c.product_id, qty=qty, src=src, ref=category or 0, page=page.page
                ).pack(),
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
    rows.append(
        back_home(lang) if back is None else [Button(text=t(lang, "back"), callback_data=back)]
    )
    return keyboard(rows)


def _product_label(lang: str, card: ProductCard) -> str:
    """ "Name · $9.99", or "Name · $9.99 · sold out": the name is cut, never the rest."""
    tail = f" · {price(card.unit_price, lang=lang)}"
    if card.stock_quantity <= 0:
        tail += f" · {t(lang, 'product.sold_out_short')}"
    return named(card.name, tail)


def _pager(kind: str, category: int | None, page: int) -> str:
    if kind == "search":
        return SearchCb(page=page).pack()
    if kind == "wishlist":
        return WishlistCb(page=page).pack()
    return CategoryCb(id=category or 0, page=page, items=True).pack()


def product_back(detail: ProductDetail, src: Origin, ref: int, page: int) -> str:
    """Where a card's Back leads: the list it was opened from (the same page), else the
    product's category."""
    if src == Origin.search:
        return SearchCb(page=page).pack()
    if src == Origin.category:
        return CategoryCb(id=ref, page=page, items=True).pack()
    if src == Origin.wishlist:
        return WishlistCb(page=page).pack()
    return CategoryCb(id=detail.category_id, items=True).pack()


def product(
    lang: str,
    detail: ProductDetail,
    qty: int,
    *,
    src: Origin = Origin.none,
    ref: int = 0,
    page: int = 1,
    photos: int = 0,
    wished: bool = False,
    held: int = 0,
    added_from: int | None = None,
) -> InlineKeyboardMarkup:
    """A product card's buttons; `src`, `ref`, `page`: where it was opened from (its Back);
    `photos`: how many photos it has when the card shows one (2 or more: "🖼 All photos");
    `wished`: in the viewer's wishlist ("♥ In wishlist" takes it out), else "♡ Wishlist";
    `held`: how many the viewer's cart holds as the card shows it (its Add adds to that);
    `added_from`: its Add was just tapped when the cart held this many: that place shows
    "✓ Added (n in the cart)" and repeats the tap (the engine then adds nothing: the cart no longer
    holds `added_from`), so a double tap adds once; Add moves one row down."""
    pid = detail.card.product_id

    def card(n: int) -> str:
        return ProductCb(id=pid, qty=n, card=True, src=src, ref=ref, page=page).pack()

    rows: list[list[Button]] = []
    if detail.card.stock_quantity > 0:
        rows.append(
            [
                Button(text="−", callback_data=card(max(1, qty - 1))),
                Button(text=str(qty), callback_data=card(qty)),
                # one more than the stock: the engine says how many there are
                Button(text="+", callback_data=card(min(qty + 1, 99))),
            ]
        )
        if added_from is not None and held > 0:
            again = CardAddCb(id=pid, qty=qty, seen=added_from, src=src, ref=ref, page=page)
            rows.append([button(t(lang, "product.added.marker", qty=held), again)])
        rows.append(
            [
                button(
                    t(lang, "product.add", qty=qty),
                    CardAddCb(id=pid, qty=qty, seen=held, src=src, ref=ref, page=page),
                )
            ]
        )
    else:
        rows.append(
            [
                Button(
                    text=t(lang, "product.notify"),
                    callback_data=ProductActCb(action=ProductAction.notify, id=pid).pack(),
                )
            ]
        )
    extra = []
    if detail.card.review_count > 0:
        extra.append(
            Button(
                text=t(lang, "product.reviews", count=detail.card.review_count),
                callback_data=ProductReviewsCb(id=pid, src=src, ref=ref, back_page=page).pack(),
            )
        )
    if photos > 1:
        extra.append(
            Button(
                text=t(lang, "product.photos", count=photos),
                callback_data=ProductActCb(action=ProductAction.photos, id=pid).pack(),
            )
        )
    rows.append(extra)
    rows.append(mini_app_row(lang, "webapp.open_product", f"#/p/{pid}"))
    rows.append(
        [
            wish_button(lang, pid, wished=wished),
            Button(text=t(lang, "menu.cart"), callback_data=MenuCb(to=Menu.cart).pack()),
        ]
    )
    rows.append([Button(text=t(lang, "back"), callback_data=product_back(detail, src, ref, page))])
    return keyboard(rows)


def wish_button(lang: str, product_id: int, *, wished: bool) -> InlineKeyboardButton:
    """A card's wishlist button: "♥ In wishlist" (takes it out) or "♡ Wishlist" (saves it)."""
    action = ProductAction.unwish if wished else ProductAction.wish
    return Button(
        text=t(lang, "product.unwish" if wished else "product.wish"),
        callback_data=ProductActCb(action=action, id=product_id).pack(),
    )


def with_wish(
    markup: InlineKeyboardMarkup | None, lang: str, product_id: int, *, wished: bool
) -> InlineKeyboardMarkup | None:
    """A card's buttons as they are, its wishlist button showing `wished` (None: no card)."""
    if markup is None:
        return None
    mine = {
        ProductActCb(action=a, id=product_id).pack()
        for a in (ProductAction.wish, ProductAction.unwish)
    }
    rows = [
        [
            wish_button(lang, product_id, wished=wished) if b.callback_data in mine else b
            for b in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def wishlist(lang: str, page: Page) -> InlineKeyboardMarkup:
    """A row per saved product (its number as in the text, its card, ✖ takes it out), then
    pages and Back; as the cart does."""
    first = (page.page - 1) * page.page_size
    rows = [
        [
            Button(
                text=clip(f"{n}. {c.name}", 24),
                callback_data=ProductCb(
                    id=c.product_id, src=Origin.wishlist, page=page.page
                ).pack(),
            ),
            Button(
                text="✖",
                callback_data=WishlistRemoveCb(id=c.product_id, page=page.page).pack(),
            ),
        ]
        for n, c in enumerate(page.items, first + 1)
    ]
    nav = []
    if page.page > 1:
        nav.append(
            Button(text=t(lang, "prev"), callback_data=WishlistCb(page=page.page - 1).pack())
        )
    if page.page < page.pages:
        nav.append(
            Button(text=t(lang, "next"), callback_data=WishlistCb(page=page.page + 1).pack())
        )
    rows.append(nav)
    rows.append(back_home(lang))
    return keyboard(rows)


def product_reviews(lang: str, reviews: ReviewPage, at: ProductReviewsCb) -> InlineKeyboardMarkup:
    """A page of reviews on a card: pages, and Back to the card as it was opened."""

    def turn(n: int) -> str:
        return ProductReviewsCb(
            id=at.id, page=n, src=at.src, ref=at.ref, back_page=at.back_page
        ).pack()

    nav = []
    if reviews.page > 1:
        nav.append(Button(text=t(lang, "prev"), callback_data=turn(reviews.page - 1)))
    if reviews.page < reviews.pages:
        nav.append(Button(text=t(lang, "next"), callback_data=turn(reviews.page + 1)))
    back = ProductCb(id=at.id, card=True, src=at.src, ref=at.ref, page=at.back_page).pack()
    return keyboard([nav, [Button(text=t(lang, "product.reviews.back"), callback_data=back)]])


CART_NAME_LIMIT = 11  # a cart line's name beside its number, −, + and ✖ on a phone


def cart(lang: str, view: CartView) -> InlineKeyboardMarkup:
    """A row per line (its number as in the text, − / + / ✖), then Checkout and Empty; an
    empty cart offers Browse."""
    rows = []
    names = distinct([line.name for line in view.lines], CART_NAME_LIMIT)
    for n, line in enumerate(view.lines, 1):
        pid, qty = line.product_id, line.quantity  # the quantity shown: −/+ change that one
        rows.append(
            [
                Button(
                    text=f"{n}. {names[n - 1]}",
                    callback_data=ProductCb(id=line.product_id).pack(),
                ),
                Button(
                    text="−", callback_data=CartCb(action=CartAction.dec, id=pid, qty=qty).pack()
                ),
                Button(
                    text="+", callback_data=CartCb(action=CartAction.inc, id=pid, qty=qty).pack()
                ),
                Button(
                    text="✖", callback_data=CartCb(action=CartAction.remove, id=pid, qty=qty).pack()
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
    else:
        rows.append(
            [Button(text=t(lang, "cart.browse"), callback_data=MenuCb(to=Menu.browse).pack())]
        )
    rows.append(back_home(lang))
    return keyboard(rows)


def cart_clear(lang: str, view: CartView) -> InlineKeyboardMarkup:
    """Under "Empty the cart?": Yes (for the cart as shown), No (the cart again)."""
    return keyboard(
        [
            [
                Button(
                    text=t(lang, "cart.clear.yes"),
                    callback_data=CartClearCb(seen=view.version).pack(),
                ),
                Button(text=t(lang, "cart.clear.no"), callback_data=MenuCb(to=Menu.cart).pack()),
            ]
        ]
    )


# the checkout's buttons carry its key: a checkout given up changes nothing in a later one
def addresses(lang: str, saved: Sequence[AddressView], key: str) -> InlineKeyboardMarkup:
    rows = [
        [
            Button(
                text=clip(f"{a.street}, {a.city}"),
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
    rows.append(checkout_back(lang, key, "cart"))
    return keyboard(rows)


def checkout_back(lang: str, key: str, to: str) -> list[Button]:
    """A checkout step's Back: the step before it (`to`: a CheckoutStep's value, or "cart"),
    with what was chosen kept."""
    return [
        Button(
            text=t(lang, "back"),
            callback_data=CheckoutCb(step=CheckoutStep.back, value=to, key=key).pack(),
        )
    ]


def _provider_label(lang: str, p: ShippingOption) -> str:
    """ "Sandbox Express — $6.00 · 2 parcels": the provider's name is cut, never its cost."""
    key = (
        "checkout.provider.option.free"
        if not p.shipping
        else "checkout.provider.option"
        if p.parcels == 1
        else "checkout.provider.option.parcels"
    )
    cost, each = price(p.shipping, lang=lang), price(p.per_parcel, lang=lang)
    return fit(
        lambda name: t(lang, key, name=name, cost=cost, parcels=p.parcels, each=each), p.name
    )


def providers(lang: str, options: Sequence[ShippingOption], key: str) -> InlineKeyboardMarkup:
    """The shipping choices with what each costs for this cart (one parcel per seller)."""
    return keyboard(
        [
            [
                Button(
                    text=_provider_label(lang, p),
                    callback_data=CheckoutCb(
                        step=CheckoutStep.provider, value=str(p.provider_id), key=key
                    ).pack(),
                )
            ]
            for p in options
        ]
        + [checkout_back(lang, key, CheckoutStep.address.value)]
    )


def skip_coupon(lang: str, key: str) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                Button(
                    text=t(lang, "checkout.coupon.skip"),
                    callback_data=CheckoutCb(step=CheckoutStep.skip_coupon, key=key).pack(),
                )
            ],
            checkout_back(lang, key, CheckoutStep.provider.value),
        ]
    )


def payment_methods(lang: str, methods: Sequence[PaymentMethod], key: str) -> InlineKeyboardMarkup:
    return keyboard(
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
        + [checkout_back(lang, key, CheckoutStep.skip_coupon.value)]
    )


def confirm(lang: str, key: str, seen: str) -> InlineKeyboardMarkup:
    """Place order (the summary as shown: its version `seen`), or Back to the payment step."""
    return keyboard(
        [
            [
                Button(
                    text=t(lang, "checkout.confirm"),
                    callback_data=CheckoutCb(step=CheckoutStep.confirm, value=seen, key=key).pack(),
                )
            ],
            checkout_back(lang, key, CheckoutStep.payment.value),
        ]
    )


def cancel_order(lang: str, view: OrderView) -> InlineKeyboardMarkup:
    """Under "Cancel order #N?": yes (the engine checks it can still be cancelled), or no."""
    return keyboard(
        [
            [
                Button(
                    text=t(lang, "order.cancel.yes"),
                    callback_data=OrderCancelCb(id=view.order_id, seen=view.payment_status).pack(),
                ),
                Button(
                    text=t(lang, "order.cancel.no"),
                    callback_data=OrderCb(action=OrderAction.show, id=view.order_id).pack(),
                ),
            ]
        ]
    )


def stars(product_id: int, seen: int) -> InlineKeyboardMarkup:
    """1 to 5 stars for a product whose review has `seen` stars now (0: none yet)."""
    return keyboard(
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


def orders(
    lang: str, views: Sequence[OrderView], action: OrderAction = OrderAction.show
) -> InlineKeyboardMarkup:
    """A list of orders; each button opens its order (`action`: or what it was chosen for,
    its tracking or the cancel question)."""
    rows = [
        [
            Button(
                text=t(
                    lang,
                    "orders.line",
                    order_id=o.order_id,
                    status=order_status(lang, o),
                    total=price(o.total, o.currency, lang=lang),
                ),
                callback_data=OrderCb(action=action, id=o.order_id).pack(),
            )
        ]
        for o in views
    ]
    rows.append(back_home(lang))
    return keyboard(rows)


def order(
    lang: str, view: OrderView, reviewed: Mapping[int, int] | None = None, *, payable: bool = False
) -> InlineKeyboardMarkup:
    """An order's buttons; `reviewed`: the stars of the customer's reviews, by product (a
    reviewed line offers to edit its review); `payable`: its card payment can be made."""
    rows: list[list[Button]] = []
    if payable:
        pay = OrderCb(action=OrderAction.pay, id=view.order_id).pack()
        rows.append([Button(text=t(lang, "order.pay"), callback_data=pay)])
    if view.followed:  # not cancelled, nor waiting for its payment: a delivery to follow
        track = OrderCb(action=OrderAction.track, id=view.order_id).pack()
        rows.append([Button(text=t(lang, "order.track"), callback_data=track)])
    for line in view.lines[:5]:  # what each line can still take: the engine says
        line_acts = view.acts_of_line(line)
        row = []
        if OrderAct.review in line_acts:
            had = (reviewed or {}).get(line.product_id)
            if not had:
                label = clip(t(lang, "order.review", name=line.name), 30)
            elif len(view.lines) == 1:
                label = t(lang, "order.review.edit", stars="★" * had)
            else:  # which line's review
                label = t(lang, "order.review.edit_of", name=clip(line.name, 20), stars="★" * had)
            row.append(
                Button(
                    text=label,
                    callback_data=ReviewCb(product_id=line.product_id).pack(),
                )
            )
        if OrderAct.return_items in line_acts:
            row.append(
                Button(
                    text=clip(t(lang, "order.return", name=line.name), 30),
                    callback_data=ReturnLineCb(
                        order_item_id=line.order_item_id, order_id=view.order_id
                    ).pack(),
                )
            )
        if row:
            rows.append(row)
    if OrderAct.cancel in view.acts:
        rows.append(
            [
                Button(
                    text=t(lang, "order.cancel"),
                    callback_data=OrderCb(action=OrderAction.ask_cancel, id=view.order_id).pack(),
                )
            ]
        )
    rows.append([Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.orders).pack())])
    return keyboard(rows)
