"""The seller's keyboards: pure functions of the engine's views; they never query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton as Button
from aiogram.types import InlineKeyboardMarkup

from engine.catalog import CategoryNode, ProductCard, ProductDetail
from engine.fulfilment import (
    STEP_OF_MILESTONE,
    ParcelCard,
    ParcelPage,
    Queue,
    ReturnCard,
    ReturnPage,
    Step,
)
from engine.shipping import TrackingNumber
from handlers.callbacks import (
    Menu,
    MenuCb,
    NewProductCb,
    ReturnCb,
    SellerAction,
    SellerCb,
    ShipmentCb,
    StockCb,
)
from handlers.i18n import price, t
from handlers.keyboards import button, clip, keyboard, named, pairs, prompt_cancel
from handlers.render import state_key
from handlers.seller.cb import (
    ACTION_OF_STEP,
    BUTTON_OF_DECISION,
    EditField,
    EditProductCb,
    ImportCb,
    OrdersCb,
    OrdersView,
    ParcelCb,
    PickCategoryCb,
    PriceAsDescriptionCb,
    ProductsCb,
    ReturnCardCb,
    ShipWithoutNumberCb,
    WizardCb,
    WizardMove,
)
from storage.vocabulary import ProductStatus


def home(lang: str) -> Button:
    return button(t(lang, "seller.home"), SellerCb(to=SellerAction.home))


MENU: Final = (
    ("seller.new_product", SellerAction.new_product),
    ("seller.products", SellerAction.products),
    ("seller.orders", SellerAction.orders),
    ("seller.payouts", SellerAction.payouts),
    ("seller.returns", SellerAction.returns),
    ("seller.reviews", SellerAction.reviews),
    ("seller.report", SellerAction.report),
)
EDITS: Final = (
    ("seller.edit.name", EditField.name),
    ("seller.edit.description", EditField.description),
    ("seller.edit.price", EditField.price),
    ("seller.edit.discount", EditField.discount),
    ("seller.edit.category", EditField.category),
    ("seller.edit.photos", EditField.photos),
)


def menu(lang: str) -> InlineKeyboardMarkup:
    """The store's dashboard, two buttons a row, and Back to the shop's menu."""
    buttons = [button(t(lang, key), SellerCb(to=to)) for key, to in MENU]
    return keyboard(pairs([*buttons, button(t(lang, "back"), MenuCb(to=Menu.home))]))


def to_store(lang: str) -> InlineKeyboardMarkup:
    return keyboard([[home(lang)]])


def pager(lang: str, page: int, pages: int, to: Callable[[int], CallbackData]) -> list[Button]:
    """◀ "2 / 5" ▶ (`to(n)`: page n's button); nothing when there is one page."""
    if pages <= 1:
        return []
    label = button(t(lang, "seller.page", page=page, pages=pages), to(page))
    back = [button("◀", to(page - 1))] if page > 1 else []
    on = [button("▶", to(page + 1))] if page < pages else []
    return [*back, label, *on]


# --- products ------------------------------------------------------------------------------
def categories(
    lang: str, tree: Sequence[CategoryNode], at: int, product: int = 0, *, keep: bool = False
) -> InlineKeyboardMarkup:
    """The children of category `at` (0: the top level); a parent's button opens it (›), a
    leaf's chooses it; and Up, below the top. `keep`: the wizard's category, chosen before
    Back, can be kept."""
    parents = {c.parent_id for c in tree}
    children = [c for c in tree if (c.parent_id or 0) == at][:60]
    rows = [
        [
            button(
                clip(c.name + (" ›" if c.category_id in parents else "")),
                PickCategoryCb(id=c.category_id, product=product),
            )
        ]
        for c in children
    ]
    if at:
        node = next((c for c in tree if c.category_id == at), None)
        up = (node.parent_id or 0) if node is not None else 0
        to_parent = PickCategoryCb(id=up, product=product, nav=True)
        rows.append([button(t(lang, "seller.category.up"), to_parent)])
    if not product:  # the new-product wizard's question
        if keep:
            rows.append([keep_button(lang, "category")])
        rows.append(wizard_row(lang, "category"))
    return keyboard(rows)


def path_names(tree: Sequence[CategoryNode], category_id: int) -> list[str]:
    """The names from the top of the tree down to a category: ["Home & Kitchen", "Kitchen",
    "Coffee"] (plain text: a screen escapes them)."""
    by_id = {c.category_id: c for c in tree}
    names: list[str] = []
    current = by_id.get(category_id)
    while current is not None and len(names) < 20:
        names.append(current.name)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return names[::-1]


def category_choices(
    lang: str, tree: Sequence[CategoryNode], shown: Sequence[CategoryNode], *, keep: bool = False
) -> InlineKeyboardMarkup:
    """The categories a typed name may mean, each under its path ("Clothing › Accessories"):
    a parent's button opens it (›), a leaf's chooses it; then the wizard's buttons."""
    parents = {c.parent_id for c in tree}
    rows = [
        [
            button(
                clip(
                    " › ".join(path_names(tree, c.category_id))
                    + (" ›" * (c.category_id in parents))
                ),
                PickCategoryCb(id=c.category_id),
            )
        ]
        for c in shown[:60]
    ]
    if keep:
        rows.append([keep_button(lang, "category")])
    rows.append(wizard_row(lang, "category"))
    return keyboard(rows)


def price_as_description(lang: str, key: str) -> InlineKeyboardMarkup:
    """Under "That looks like a price": ✓ it is the description (one tap), then Back and
    Cancel; typing the description answers too."""
    keep = button(t(lang, "seller.new.price_as_description.yes"), PriceAsDescriptionCb(key=key))
    return keyboard([[keep], wizard_row(lang, "description")])


def wizard_row(lang: str, step: str, *, back: bool = True) -> list[Button]:
    """Back (the previous question, answers kept) and Cancel (nothing saved), under each
    question of the add-product wizard."""
    row = [button(t(lang, "seller.new.back"), WizardCb(to=WizardMove.back, step=step))]
    return [
        *(row if back else []),
        button(t(lang, "seller.new.cancel"), WizardCb(to=WizardMove.cancel, step=step)),
    ]


def keep_button(lang: str, step: str) -> Button:
    """✓ Keep: the answer a question shown again by Back was given stays; on to the next."""
    return button(t(lang, "seller.new.keep"), WizardCb(to=WizardMove.keep, step=step))


def wizard(lang: str, step: str, *, back: bool = True, keep: bool = False) -> InlineKeyboardMarkup:
    """A question's Back and Cancel; above them ✓ Keep, when it was answered before."""
    kept = [[keep_button(lang, step)]] if keep else []
    return keyboard([*kept, wizard_row(lang, step, back=back)])


def photos_done(lang: str) -> InlineKeyboardMarkup:
    return keyboard(
        [[button(t(lang, "seller.new.done"), NewProductCb(done=True))], wizard_row(lang, "photos")]
    )


def product_created(lang: str, product_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [[button(t(lang, "seller.edit.open"), EditProductCb(id=product_id)), home(lang)]]
    )


def _to_products(lang: str) -> list[Button]:
    return [button(t(lang, "seller.products"), ProductsCb(page=1)), home(lang)]


def to_products(lang: str) -> InlineKeyboardMarkup:
    """My products, and home (under a stock change)."""
    return keyboard([_to_products(lang)])


def products(
    lang: str, shown: Sequence[ProductCard], page: int, pages: int
) -> InlineKeyboardMarkup:
    """A page of "My products": each opens its screen; pages; Add a product, and home."""
    return keyboard(
        [
            *(
                [button(named(p.name, f" · {p.stock_quantity}"), EditProductCb(id=p.product_id))]
                for p in shown
            ),
            pager(lang, page, pages, lambda n: ProductsCb(page=n)),
            [
                button(t(lang, "seller.new_product"), SellerCb(to=SellerAction.new_product)),
                home(lang),
            ],
        ]
    )


def product(lang: str, card: ProductCard) -> InlineKeyboardMarkup:
    """A product's screen: its edits, stock, hide or show, and the way back."""

    def b(key: str, field: EditField) -> Button:
        return button(t(lang, key), EditProductCb(id=card.product_id, field=field))

    stock = button(t(lang, "seller.stock.adjust"), StockCb(id=card.product_id, adjust=True))
    if card.status == ProductStatus.inactive:
        listed = b("seller.edit.show", EditField.show_again)
    else:
        listed = b("seller.edit.hide", EditField.hide)
    edits = [b(key, field) for key, field in EDITS]
    return keyboard([*pairs([*edits, stock, listed]), _to_products(lang)])


def photos(lang: str, detail: ProductDetail) -> InlineKeyboardMarkup:
    """Remove each photo, or make it the first; add one; back to the product."""

    def b(text: str, field: EditField, image: int = 0) -> Button:
        return button(text, EditProductCb(id=detail.card.product_id, field=field, image=image))

    rows = [
        [b(t(lang, "seller.photos.remove", n=n), EditField.photo_remove, image.image_id)]
        + (
            [b(t(lang, "seller.photos.first", n=n), EditField.photo_first, image.image_id)]
            if n > 1
            else []
        )
        for n, image in enumerate(detail.images, 1)
    ]
    add = b(t(lang, "seller.photos.add"), EditField.photo_add)
    return keyboard([*rows, [add, b(t(lang, "seller.edit.back"), EditField.show)]])


# --- orders and returns ----------------------------------------------------------------------
def parcel(
    lang: str, card: ParcelCard, back: OrdersView = OrdersView.to_confirm
) -> InlineKeyboardMarkup:
    """The steps the card's state allows, two a row (a pickup point's parcel is made ready
    for collection, then collected: `step_label`); back to its list, and home."""
    steps = [
        button(
            step_label(lang, card, step),
            ShipmentCb(action=ACTION_OF_STEP[step], id=card.shipment_id),
        )
        for step in card.steps
    ]
    done = STEP_OF_MILESTONE.get(card.last_milestone) if card.last_milestone else None
    if done is not None and done in DONE_MARKED and steps:
        # the step taken last keeps the first place, marked done: the second tap of a double
        # tap on "✅ Confirm" lands on "✓ Confirmed" (the same step: nothing changes), not on
        # the next step that would otherwise have moved under the finger
        key = state_key("seller.order.done", done.value, card.pickup_address)
        marker = button(t(lang, key), ShipmentCb(action=ACTION_OF_STEP[done], id=card.shipment_id))
        steps = [marker, *steps]
    to_list = button(t(lang, "seller.orders.back"), OrdersCb(view=_list_of(card, back)))
    return keyboard([*pairs(steps), [to_list, home(lang)]])


#: The steps a card marks as done in the first place, while further steps remain.
DONE_MARKED: Final = frozenset(
    {Step.confirm, Step.pack, Step.ship, Step.in_transit, Step.out_for_delivery}
)


def step_label(lang: str, card: ParcelCard, step: Step) -> str:
    """A step's button: out for delivery and delivered read "Ready for collection" and
    "Collected" for a parcel going to a pickup point (the card's `pickup_address`)."""
    return t(lang, state_key("seller.order", ACTION_OF_STEP[step].name, card.pickup_address))


def tracking_question(lang: str, card: ParcelCard) -> InlineKeyboardMarkup:
    """Under "Send the tracking number": "Ship without a number" where the parcel may go
    without one (`ParcelCard.tracking`), and ✖ Cancel."""
    rows = prompt_cancel(lang).inline_keyboard
    if card.tracking != TrackingNumber.required:
        skip = button(
            t(lang, "seller.order.ship_without_number"), ShipWithoutNumberCb(id=card.shipment_id)
        )
        rows = [[skip], *rows]
    return keyboard(rows)


def _list_of(card: ParcelCard, back: OrdersView) -> OrdersView:
    """The list a card belongs in now (after a step it may have moved to the next one)."""
    if Step.delivered in card.steps:
        return OrdersView.shipped
    if Step.ship in card.steps:
        return OrdersView.to_confirm if Step.confirm in card.steps else OrdersView.to_ship
    return back


def orders(lang: str, page: ParcelPage) -> InlineKeyboardMarkup:
    view = OrdersView(page.queue.value)

    def label(c: ParcelCard) -> str:
        amount = price(c.amount, c.currency, lang=lang)
        return clip(f"#{c.order_id} · {c.customer or '—'} · {amount}", 48)

    cards = [[button(label(c), ParcelCb(id=c.shipment_id, view=view))] for c in page.cards]
    return _list(lang, view, page.counts, cards, page.page, page.pages)


def returns(lang: str, page: ReturnPage, counts: dict[Queue, int]) -> InlineKeyboardMarkup:
    cards = [
        [
            button(
                t(lang, "seller.returns.open", return_id=c.ret.return_id, order_id=c.ret.order_id),
                ReturnCardCb(id=c.ret.return_id),
            )
        ]
        for c in page.cards
    ]
    return _list(lang, OrdersView.returns, counts, cards, page.page, page.pages)


def _list(
    lang: str,
    view: OrdersView,
    counts: dict[Queue, int],
    cards: list[list[Button]],
    page: int,
    pages: int,
) -> InlineKeyboardMarkup:
    """One of the lists: the four tabs (with their counts, this one marked), a button per
    card, pages, and home."""
    tabs = [
        button(
            ("• " if tab == view else "")
            + t(lang, f"seller.orders.tab.{tab.value}", count=counts.get(Queue(tab.value), 0)),
            OrdersCb(view=tab),
        )
        for tab in OrdersView
    ]
    turn = pager(lang, page, pages, lambda n: OrdersCb(view=view, page=n))
    return keyboard([tabs[:2], tabs[2:], *cards, turn, [home(lang)]])


def return_card(lang: str, card: ReturnCard) -> InlineKeyboardMarkup:
    """Approve / Refuse while the return waits; back to the returns, and home."""
    decisions = [
        button(
            t(lang, f"seller.return.{BUTTON_OF_DECISION[e].name}"),
            ReturnCb(decision=BUTTON_OF_DECISION[e], id=card.ret.return_id),
        )
        for e in card.decisions
    ]
    back = button(t(lang, "seller.orders.back"), OrdersCb(view=OrdersView.returns))
    return keyboard([decisions, [back, home(lang)]])


# --- bulk import -----------------------------------------------------------------------------
def import_file(lang: str, rows: int) -> InlineKeyboardMarkup:
    """Under a report with nothing refused: Import (its rows), or Cancel."""
    return keyboard(
        [
            [
                button(t(lang, "import.go", count=rows), ImportCb(go=True)),
                button(t(lang, "import.cancel"), ImportCb(go=False)),
            ]
        ]
    )
