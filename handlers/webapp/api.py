"""The customer's JSON API: the storefront, the cart, addresses, checkout and orders.

Each handler is parse, one engine operation as the caller, present (present.py). The cart is
the chat's cart: both faces call the same engine operations on the same rows.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from html import unescape
from typing import Any

from aiohttp import web

from engine.accounts import AddressInput
from engine.catalog import BrowseQuery, Page, Sort
from engine.errors import CouponRejected, InvalidInput, NotFound, Outdated
from engine.order_actions import PaymentState
from engine.orders import OrderView
from handlers import render
from handlers.customer.checkout import invoice
from handlers.i18n import CATALOGS, DEFAULT, catalog, day, error_text, price, shop_currency, t
from handlers.webapp import present
from handlers.webapp.auth import caller
from handlers.webapp.context import context
from storage.vocabulary import AddressType, PaymentMethod, SellerStatus, UserRole

WEBAPP_VERSION = 2  # bumped when the API changes in a way an open page must reload for
PAGE_SIZE = 20
SORTS = {
    "popular": Sort.popularity,
    "price_asc": Sort.price_asc,
    "price_desc": Sort.price_desc,
    "newest": Sort.newest,
    "rating": Sort.rating,
}
# what browsing filters and sorts by, and the engine's search (price range only) does not
PAYABLE = (PaymentState.awaiting, PaymentState.failed)  # a card order that can still be paid
BROWSE_ONLY = ("category", "seller", "in_stock", "rating_min", "sort")


# --- parsing ---------------------------------------------------------------------------------
def whole(value: Any, name: str, default: int | None = None) -> int:
    """A whole number from a query string or a JSON body (`InvalidInput` otherwise)."""
    if value is None or value == "":
        if default is None:
            raise InvalidInput(field=name, rule="required")
        return default
    if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]{1,18}", str(value).strip()):
        raise InvalidInput(field=name, rule="number")
    return int(str(value).strip())


def amount(value: Any, name: str) -> Decimal | None:
    """An amount of money from text (never a float): None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise InvalidInput(field=name, rule="number")
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(field=name, rule="number") from None
    if not found.is_finite() or found < 0:
        raise InvalidInput(field=name, rule="number")
    return found


def text(value: Any, name: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(field=name, rule="required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(field=name, rule="format")
    return value.strip()


async def body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (an empty one for no body)."""
    if not request.can_read_body:
        return {}
    try:
        found = await request.json()
    except ValueError:
        raise InvalidInput(field="body", rule="json") from None
    if not isinstance(found, dict):
        raise InvalidInput(field="body", rule="json")
    return found


def plain(html: str) -> str:
    """A chat message's text without its HTML markup, for a page that shows text as text."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def ident(request: web.Request, name: str = "id") -> int:
    return whole(request.match_info[name], name)


# --- who and which words ---------------------------------------------------------------------
async def me(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    store = await shop.sellers.mine(who.id)
    return web.json_response(
        {
            "user_id": who.id,
            "first_name": who.user.first_name,
            "language": who.lang,
            "is_seller": store is not None and store.status == SellerStatus.active,
            "seller_status": None if store is None else store.status.value,
            "is_admin": who.user.role == UserRole.admin,
            "currency": shop_currency(),
            "webapp_version": WEBAPP_VERSION,
        }
    )


async def strings(request: web.Request) -> web.Response:
    """The page's own words (`app.*` keys) in the caller's language, English where the
    catalog lacks one. Plural messages are not among them: the server words counts."""
    english, words = CATALOGS[DEFAULT], catalog(caller(request).lang)
    keys = [key for key in english if key.startswith("app.") and key not in english.counts]
    return web.json_response({key: words.template(key, {}) for key in keys})


# --- the storefront --------------------------------------------------------------------------
async def categories(request: web.Request) -> web.Response:
    nodes = await context(request).shop.catalog.categories()
    return web.json_response([present.category(n) for n in nodes])


async def _page_of(
    request: web.Request, found: Page, ignored: list[str] | None = None
) -> web.Response:
    lang = caller(request).lang
    ids = [c.product_id for c in found.items]
    extras = await context(request).shop.catalog.showcase(ids)
    return web.json_response(
        {
            "items": [present.card(c, lang, extras.get(c.product_id)) for c in found.items],
            "page": found.page,
            "pages": found.pages,
            "total": found.total,
            "ignored": ignored or [],
        }
    )


async def products(request: web.Request) -> web.Response:
    q = request.query
    shop = context(request).shop
    page = max(1, whole(q.get("page"), "page", 1))
    low, high = amount(q.get("price_min"), "price_min"), amount(q.get("price_max"), "price_max")
    words = (q.get("q") or "").strip()
    if words:
        # the engine's search ranks by best match and filters by price only: the other
        # filters and the sort apply to browsing, and the answer names those it left aside
        found = await shop.catalog.search(
            words[:200], page, PAGE_SIZE, min_price=low, max_price=high
        )
        ignored = [name for name in BROWSE_ONLY if q.get(name) not in (None, "", "0")]
        return await _page_of(request, found, ignored)
    sort = SORTS.get(q.get("sort") or "popular")
    if sort is None:
        raise InvalidInput(field="sort", rule="unknown")
    query = BrowseQuery(
        category_id=whole(q["category"], "category") if q.get("category") else None,
        seller_id=whole(q["seller"], "seller") if q.get("seller") else None,
        min_price=low,
        max_price=high,
        in_stock=q.get("in_stock") in ("1", "true"),
        min_rating=whole(q["rating_min"], "rating_min") if q.get("rating_min") else None,
        sort=sort,
        page=page,
        page_size=PAGE_SIZE,
    )
    return await _page_of(request, await shop.catalog.browse(query))


def _reviews(found: Any, lang: str) -> dict[str, Any]:
    return {
        "items": [
            {
                "stars": r.rating,
                "comment": r.comment,
                "name": r.author,
                "date": r.created_at.isoformat(),
                "date_display": day(r.created_at.date(), lang),
            }
            for r in found.items
        ],
        "page": found.page,
        "pages": found.pages,
        "total": found.total,
    }


async def product(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    product_id = ident(request)
    detail = await shop.catalog.product(product_id, who.id)
    wished = await shop.wishlists.has(who.id, product_id)
    shown = present.product(detail, who.lang, in_wishlist=wished)
    try:
        reviews = await shop.catalog.reviews(product_id, 1)
    except NotFound:  # a hidden product (its seller looks at it) has no public reviews
        shown["reviews_page"] = None
        shown["reviews"] = detail.card.review_count
    else:
        shown["reviews_page"] = _reviews(reviews, who.lang)
    return web.json_response(shown)


async def reviews(request: web.Request) -> web.Response:
    page = max(1, whole(request.query.get("page"), "page", 1))
    found = await context(request).shop.catalog.reviews(ident(request), page)
    return web.json_response(_reviews(found, caller(request).lang))


# --- the cart (the chat's cart) --------------------------------------------------------------
async def _cart(request: web.Request, *, review: bool = False) -> web.Response:
    who, shop = caller(request), context(request).shop
    changes: list[Any] = []
    if review:
        view, changes = await shop.carts.review(who.id)
    else:
        view = await shop.carts.view(who.id)
    extras = await shop.catalog.showcase([line.product_id for line in view.lines])
    return web.json_response(present.cart(view, who.lang, extras, changes))


async def cart(request: web.Request) -> web.Response:
    """The cart brought up to date (`Carts.review`): new prices taken, what changed said."""
    return await _cart(request, review=request.query.get("review") == "1")


async def cart_add(request: web.Request) -> web.Response:
    data = await body(request)
    await context(request).shop.carts.add(
        caller(request).id,
        whole(data.get("product_id"), "product_id"),
        whole(data.get("quantity"), "quantity", 1),
    )
    return await _cart(request)


async def cart_set(request: web.Request) -> web.Response:
    data = await body(request)
    await context(request).shop.carts.set_quantity(
        caller(request).id, ident(request, "product_id"), whole(data.get("quantity"), "quantity")
    )
    return await _cart(request)


async def cart_remove(request: web.Request) -> web.Response:
    await context(request).shop.carts.remove(caller(request).id, ident(request, "product_id"))
    return await _cart(request)


async def wish(request: web.Request) -> web.Response:
    shop, who = context(request).shop, caller(request)
    product_id = ident(request, "product_id")
    if request.method == "DELETE":
        await shop.wishlists.remove(who.id, product_id)
    else:
        await shop.wishlists.add(who.id, product_id)
    return web.json_response({"product_id": product_id, "in_wishlist": request.method != "DELETE"})


# --- checkout --------------------------------------------------------------------------------
async def addresses(request: web.Request) -> web.Response:
    found = await context(request).shop.accounts.address_book(caller(request).id)
    return web.json_response([present.address(a) for a in found])


async def add_address(request: web.Request) -> web.Response:
    """A new address, checked by the engine's address rules; a refused field comes back as
    `{"error": "invalid_input", "field": ..., "message": ...}`."""
    data = await body(request)
    lines = [text(data.get("line1"), "street", required=True), text(data.get("line2"), "street")]
    kind = data.get("type") or AddressType.shipping.value
    if kind not in {t.value for t in AddressType}:
        raise InvalidInput(field="type", rule="unknown")
    saved = await context(request).shop.accounts.add_address(
        caller(request).id,
        AddressInput(
            street="\n".join(line for line in lines if line),
            city=text(data.get("city"), "city") or "",
            country=text(data.get("country"), "country") or "",
            state=text(data.get("state"), "state"),
            postal_code=text(data.get("postal_code"), "postal_code"),
            recipient_name=text(data.get("full_name"), "recipient_name"),
            phone=text(data.get("phone"), "phone"),
            type=AddressType(kind),
        ),
        default=bool(data.get("default")),
    )
    return web.json_response(present.address(saved), status=201)


async def shipping(request: web.Request) -> web.Response:
    """The ways the cart can travel to `address_id` (the engine's rule, as the chat lists
    them: a pickup point in another country is not one); without it, every active one."""
    who = caller(request)
    address = request.query.get("address_id")
    choice = await context(request).shop.shipping.options_for(
        who.id, None if address in (None, "") else whole(address, "address_id")
    )
    lang, options = who.lang, choice.options
    return web.json_response(
        [
            {
                "provider_id": o.provider_id,
                "name": o.name,
                **present.money("price", o.shipping, lang),
                "parcels": o.parcels,
                "days": o.estimated_days,
                "pickup_address": o.pickup_address,
            }
            for o in options
        ]
    )


def _method(value: Any) -> PaymentMethod:
    if value not in {m.value for m in PaymentMethod}:
        raise InvalidInput(field="payment_method", rule="unknown")
    return PaymentMethod(value)


async def _summary(
    request: web.Request,
    provider_id: int,
    coupon: str | None,
    address_id: int | None,
    method: PaymentMethod | None,
) -> dict[str, Any]:
    """The summary the page shows: what placing the order would charge, a coupon that does
    not apply said (`coupon_error`, the quote given without it); with the address and the
    payment method, its `version`, which "Place order" sends back as `seen`."""
    who, shop = caller(request), context(request).shop
    coupon_error = None
    try:
        found = await shop.orders.quote(who.id, provider_id, coupon)
    except CouponRejected as refused:
        coupon_error = plain(error_text(who.lang, refused))
        found = await shop.orders.quote(who.id, provider_id, None)
    shown = present.quote(found, who.lang, coupon_error)
    if address_id is not None and method is not None:
        shown["version"] = found.version(address_id=address_id, method=method)
    return shown


async def quote(request: web.Request) -> web.Response:
    """What placing the order would charge; a coupon that does not apply is said
    (`coupon_error`) and the quote given without it. Given the address and the payment
    method too, the summary's `version` (what "Place order" sends as `seen`)."""
    data = await body(request)
    address = data.get("address_id")
    method = data.get("payment_method")
    shown = await _summary(
        request,
        whole(data.get("provider_id"), "provider_id"),
        text(data.get("coupon"), "coupon"),
        None if address in (None, "") else whole(address, "address_id"),
        None if method in (None, "") else _method(method),
    )
    return web.json_response(shown)


async def checkout(request: web.Request) -> web.Response:
    """Place the order the page's summary showed (`seen`: its `version`), as the chat's
    "Place order" does: the same `checkout_key` returns the same order (a double tap places
    one); a summary that reads otherwise now (the cart changed in another window, another
    choice made since, or no version sent) places nothing and answers 409 with the summary
    as it is now (`quote`). Then what paying takes: a card invoice link for `openInvoice`,
    or instructions."""
    who, app = caller(request), context(request)
    data = await body(request)
    method = _method(data.get("payment_method"))
    address_id = whole(data.get("address_id"), "address_id")
    provider_id = whole(data.get("provider_id"), "provider_id")
    coupon = text(data.get("coupon"), "coupon")
    seen = data.get("seen")
    try:
        order = await app.shop.orders.place_order(
            who.id,
            address_id=address_id,
            provider_id=provider_id,
            payment_method=method,
            coupon_code=coupon,
            checkout_key=text(data.get("checkout_key"), "checkout_key", required=True) or "",
            seen=seen if isinstance(seen, str) else "",  # none sent: never as now
        )
    except Outdated:
        now = await _summary(request, provider_id, coupon, address_id, method)
        said = plain(t(who.lang, "app.checkout.changed"))
        return web.json_response(
            {"error": Outdated.code, "message": said, "quote": now}, status=409
        )
    payments = app.config.payments
    shown: dict[str, Any] = {"order": present.order(order, who.lang)}
    total = price(order.total, order.currency, lang=who.lang)
    shown["message"] = plain(t(who.lang, "checkout.placed", order_id=order.order_id, total=total))
    if order.payment_method == PaymentMethod.card:
        link = await _invoice_link(request, order)
        if link:
            shown["invoice_link"] = link
        else:
            shown["instructions"] = t(who.lang, "checkout.invoice.unavailable")
    elif order.payment_method == PaymentMethod.bank_transfer:
        shown["instructions"] = plain(render.bank_transfer(who.lang, order, payments.bank_details))
        shown["bank_reference"] = order.bank_reference
    elif order.payment_method == PaymentMethod.cod:
        shown["instructions"] = plain(t(who.lang, "checkout.cod", total=total))
    return web.json_response(shown)


async def _invoice_link(request: web.Request, order: OrderView) -> str | None:
    """A `createInvoiceLink` link for a card order that still waits for its money (the
    chat's own invoice, `handlers.customer.checkout.invoice`), else None."""
    app, lang = context(request), caller(request).lang
    token = app.config.payments.provider_token
    if (
        not token
        or order.payment_method != PaymentMethod.card
        or order.payment_state not in PAYABLE
    ):
        return None
    return await app.bot.create_invoice_link(**invoice(lang, order, token))


# --- my orders -------------------------------------------------------------------------------
async def orders(request: web.Request) -> web.Response:
    who = caller(request)
    found = await context(request).shop.orders.history(who.id)
    return web.json_response([present.order(o, who.lang) for o in found])


async def order(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    order_id = ident(request)
    found = await shop.orders.get(who.id, order_id)
    timeline = await shop.shipping.timeline(who.id, order_id)
    shown = present.order(found, who.lang, timeline)
    link = await _invoice_link(request, found)
    if link:  # a card order still to pay: the page offers "Pay" again (after a cancel, say)
        shown["invoice_link"] = link
    return web.json_response(shown)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/api/me", me),
        web.get("/api/strings", strings),
        web.get("/api/categories", categories),
        web.get("/api/products", products),
        web.get("/api/products/{id}", product),
        web.get("/api/products/{id}/reviews", reviews),
        web.get("/api/cart", cart),
        web.post("/api/cart/items", cart_add),
        web.put("/api/cart/items/{product_id}", cart_set),
        web.delete("/api/cart/items/{product_id}", cart_remove),
        web.post("/api/wishlist/{product_id}", wish),
        web.delete("/api/wishlist/{product_id}", wish),
        web.get("/api/addresses", addresses),
        web.post("/api/addresses", add_address),
        web.get("/api/shipping", shipping),
        web.post("/api/quote", quote),
        web.post("/api/checkout", checkout),
        web.get("/api/orders", orders),
        web.get("/api/orders/{id}", order),
    ]
