"""Callback data factories: ids only, never prices or permissions, with a versioned prefix so
buttons already sitting in chat history keep decoding after a change (bump `v1` to change
a layout; keep decoding the old one for a while)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from storage.vocabulary import OrderPaymentStatus


class Menu(StrEnum):
    home = "home"
    browse = "browse"
    search = "search"
    cart = "cart"
    orders = "orders"
    wishlist = "wish"
    help = "help"
    profile = "me"


class MenuCb(CallbackData, prefix="v1m"):
    to: Menu


class CategoryCb(CallbackData, prefix="v1c"):
    id: int  # 0: the top of the tree
    page: int = 1
    items: bool = False  # False: the sub-categories; True: the products in it


class Origin(StrEnum):
    """Where a product card was opened from: where its Back leads."""

    none = ""  # a notification, the cart, a choice: Back shows the product's category
    category = "c"  # a category's list (`ref` the category, `page` its page)
    search = "s"  # the search results (the search kept in the conversation, `page`)
    wishlist = "w"


class ProductCb(CallbackData, prefix="v2p"):
    id: int
    qty: int = 1
    card: bool = False  # True: from the card's own buttons (edit it in place)
    src: Origin = Origin.none  # the list the card was opened from, and its page
    ref: int = 0
    page: int = 1


class ProductCbV1(CallbackData, prefix="v1p"):
    """A product button of an older layout (still in chat history): opens the card."""

    id: int
    qty: int = 1
    card: bool = False


class ProductAction(StrEnum):
    add = "add"
    wish = "wish"
    unwish = "unwish"  # ♥ In wishlist: take it out
    notify = "notify"  # 🔔 tell me when it is back in stock
    photos = "photos"  # all its photos, as an album


class ProductActCb(CallbackData, prefix="v1pa"):
    action: ProductAction
    id: int
    qty: int = 1


class SearchCb(CallbackData, prefix="v1s"):
    page: int


class ProductReviewsCb(CallbackData, prefix="v1pv"):
    """A page of a product's reviews, shown on its card; Back leads to the card as it was
    opened (`src`, `ref`, `back_page`: the card's own origin)."""

    id: int
    page: int = 1
    src: Origin = Origin.none
    ref: int = 0
    back_page: int = 1


class WishlistCb(CallbackData, prefix="v1w"):
    page: int = 1


class WishlistRemoveCb(CallbackData, prefix="v1wr"):
    """A wishlist line's ✖: the product, and the page of the list it was on."""

    id: int
    page: int = 1


class CartAction(StrEnum):
    inc = "inc"
    dec = "dec"
    remove = "rm"
    clear = "clear"
    checkout = "checkout"


class CartCb(CallbackData, prefix="v2k"):
    """A cart line's −/+/✖ name the product and the quantity the screen showed (`qty`): the
    engine refuses a change to a line that no longer reads so (an old cart message)."""

    action: CartAction
    id: int = 0
    qty: int = 0


class CartClearCb(CallbackData, prefix="v1kc"):
    """ "Yes, empty it" under "Empty the cart?": the cart as that question showed it
    (`seen`, CartView.version); a cart that changed since is not emptied."""

    seen: str


class CheckoutStep(StrEnum):
    address = "addr"
    new_address = "newaddr"
    provider = "prov"
    skip_coupon = "nocoupon"
    payment = "pay"
    confirm = "ok"
    back = "back"  # one step back; `value` names the step shown again


class CheckoutCb(CallbackData, prefix="v2o"):
    """A checkout step's button: the choice, and the checkout it belongs to (`key`, made when
    the checkout starts): a button of a checkout given up changes nothing in a later one, and
    "Place order" tapped again shows the order that key placed."""

    step: CheckoutStep
    value: str = ""
    key: str = ""


class OrderAction(StrEnum):
    show = "show"
    cancel = "cancel"  # cancel it (under a question that said what is refunded)
    ask_cancel = "askcancel"  # the card's ✖: asks first what goes back, where to
    track = "track"
    pay = "pay"  # a pending card order's invoice again


class OrderCb(CallbackData, prefix="v1r"):
    action: OrderAction
    id: int


class OrderCancelCb(CallbackData, prefix="v1rc"):
    """ "Yes, cancel it" under "Cancel order #N?": the payment status that question showed
    (what it said goes back); an order paid or refunded since is not cancelled on it."""

    id: int
    seen: OrderPaymentStatus


class SellerAction(StrEnum):
    home = "home"
    returns = "returns"
    products = "products"
    new_product = "new"
    orders = "orders"
    payouts = "payouts"
    reviews = "reviews"
    report = "report"


class SellerCb(CallbackData, prefix="v1s1"):
    to: SellerAction


class NewProductCb(CallbackData, prefix="v1s2"):
    category: int = 0
    done: bool = False  # the photos step is finished


class ShipmentAction(StrEnum):
    confirm = "confirm"
    reject = "reject"
    pack = "pack"
    ship = "ship"
    in_transit = "transit"
    out_for_delivery = "out"
    delivered = "delivered"


class ShipmentCb(CallbackData, prefix="v1s3"):
    action: ShipmentAction
    id: int


class ReturnDecision(StrEnum):
    approve = "ok"
    reject = "no"


class ReturnCb(CallbackData, prefix="v1s4"):
    decision: ReturnDecision
    id: int


class AdminAction(StrEnum):
    home = "home"
    sellers = "sellers"
    alerts = "alerts"
    coupons = "coupons"
    categories = "cats"
    providers = "provs"
    stores = "stores"
    report = "report"


class AdminCb(CallbackData, prefix="v1a1"):
    to: AdminAction


class SellerDecision(StrEnum):
    approve = "ok"
    reject = "no"


class SellerDecisionCb(CallbackData, prefix="v1a2"):
    decision: SellerDecision
    id: int


class AuditCb(CallbackData, prefix="v1a7"):
    """A page of /audit (its filter: an entity type, and an id or 0)."""

    entity: str = ""
    id: int = 0
    page: int = 1


class TransferCb(CallbackData, prefix="v1a8"):
    """The bank transfers waiting for payment (order 0), or "Mark paid" on one order."""

    order: int = 0


class BroadcastCb(CallbackData, prefix="v1a9"):
    """Send (or cancel) the broadcast whose preview carries this key."""

    key: str
    send: bool


class PromptCancelCb(CallbackData, prefix="v1q"):
    """✖ Cancel under a question waiting for typed text (a tracking number, a new price, a
    reason): not the question's own button, so handlers.prompts ends the wait; nothing
    changes."""


class PayoutRunCb(CallbackData, prefix="v1ap"):
    """Confirm (or cancel) running the payouts the preview showed."""

    run: bool


class ReviewCb(CallbackData, prefix="v2r2"):
    product_id: int
    rating: int = 0  # 0: ask for the stars
    seen: int = 0  # the stars the screen showed (0: no review yet); others are refused


class ReviewNext(StrEnum):
    comment = "c"
    done = "d"


class ReviewNextCb(CallbackData, prefix="v1r5"):
    """Under "Thank you for your review": add a comment, or done. Acts only while the
    conversation still offers that product's comment (an old button changes nothing)."""

    product_id: int
    act: ReviewNext


class ReturnLineCb(CallbackData, prefix="v1r3"):
    order_item_id: int
    order_id: int


class RemindersCb(CallbackData, prefix="v1n"):
    """Cart reminders on or off (the button under a reminder)."""

    on: bool


class ReportScope(StrEnum):
    store = "s"  # the seller's own store
    market = "m"  # the whole marketplace (admins)


class ReportCb(CallbackData, prefix="v1rp"):
    scope: ReportScope
    days: int


class StockCb(CallbackData, prefix="v1s5"):
    id: int  # one of the seller's own products
    adjust: bool = False  # False: show it; True: ask for the change and its reason


class CategoryAdminAction(StrEnum):
    list = "ls"
    show = "show"
    new = "new"  # pick the parent, then type the name
    rename = "ren"
    move = "mv"  # pick the new parent
    pick = "pick"  # a parent was picked (id 0: the top level)
    picker = "pg"  # another page of the parent picker


class CategoryAdminCb(CallbackData, prefix="v1a3"):
    action: CategoryAdminAction
    id: int = 0
    page: int = 1


class ProviderAdminAction(StrEnum):
    list = "ls"
    show = "show"
    new = "new"
    cost = "cost"
    on = "on"  # switch it on (a repeat changes nothing)
    off = "off"
    toggle = "tog"  # an older screen's switch: shows the provider as it is now, changes nothing


class ProviderAdminCb(CallbackData, prefix="v1a4"):
    action: ProviderAdminAction
    id: int = 0


class StoreAdminAction(StrEnum):
    list = "ls"
    show = "show"
    suspend = "susp"
    reinstate = "back"
    close = "close"


class StoreAdminCb(CallbackData, prefix="v1a5"):
    action: StoreAdminAction
    id: int = 0
    page: int = 1


class CouponAdminAction(StrEnum):
    show = "show"
    disable = "off"
    enable = "on"
    edit = "edit"


class CouponAdminCb(CallbackData, prefix="v1a6"):
    action: CouponAdminAction
    id: int


class ProfileAction(StrEnum):
    email = "email"
    phone = "phone"
    address = "addr"  # add one
    default = "def"  # make address `id` the default
    delete = "del"  # forget address `id`


class ProfileCb(CallbackData, prefix="v1u"):
    action: ProfileAction
    id: int = 0


class PayPalCb(CallbackData, prefix="v1pp"):
    """ "I have paid" under a PayPal link: our order, and the PayPal order to capture (the
    engine checks the order is the user's; PayPal's answer is checked against it)."""

    order: int
    ref: str


class CardAddCb(CallbackData, prefix="v1pk"):
    """A product card's "Add n to cart": n (`qty`), how many of it the cart held as the card
    was drawn (`seen`): a second tap on the same card, or one on an older card, adds nothing
    (the engine checks the cart still holds `seen`); and where the card was opened from
    (`src`, `ref`, `page`: its Back, as ProductCb carries them)."""

    id: int
    qty: int = 1
    seen: int = 0
    src: Origin = Origin.none
    ref: int = 0
    page: int = 1
