"""What the engine's views look like as JSON for the Mini App's page.

The page computes nothing: every amount goes out as an exact decimal string (`"12.50"`)
and as the text to show (`"$12.50"`, `"12,50 US$"`), formatted for the caller's language by
handlers.i18n; every moment as ISO 8601 and as text. Words come from the gettext catalogs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine.accounts import AddressView
from engine.cart import CartChange, CartView, Change
from engine.catalog import CategoryNode, ImageView, ProductCard, ProductDetail, Showcase
from engine.orders import OrderView, QuoteView
from engine.shipping import Milestone
from handlers.i18n import moment, number, price, t
from handlers.render import milestone, money_state, order_status, state_key

Json = dict[str, Any]
API = "/app/api"


def dumps(value: Any) -> str:
    """JSON for values the audit log keeps as they were (decimals, dates): as text."""
    return json.dumps(value, default=str)


def money(key: str, amount: Decimal, lang: str, currency: str | None = None) -> Json:
    """`{key: "12.50", key_display: "$12.50"}`: exact for machines, worded for people."""
    return {key: str(amount), f"{key}_display": price(amount, currency, lang=lang)}


def rating(value: Decimal | None, lang: str) -> Json:
    """`{rating: "4.5", rating_display: "4,5"}`: an average rating, in the reader's notation."""
    if value is None:
        return {"rating": None, "rating_display": None}
    return {"rating": str(value), "rating_display": number(value, lang, digits=1)}


def when(key: str, at: datetime | None, lang: str) -> Json:
    if at is None:
        return {key: None, f"{key}_display": None}
    return {key: at.isoformat(), f"{key}_display": moment(at, lang)}


def photo_url(image: ImageView | None) -> str | None:
    return None if image is None else f"{API}/media/{image.image_id}"


def category(node: CategoryNode) -> Json:
    return {
        "id": node.category_id,
        "name": node.name,
        "parent_id": node.parent_id,
        "depth": node.depth,
    }


def card(c: ProductCard, lang: str, extra: Showcase | None = None) -> Json:
    return {
        "id": c.product_id,
        "name": c.name,
        **money("price", c.unit_price, lang),
        "regular_price_display": None if c.was_price is None else price(c.was_price, lang=lang),
        "stock": c.stock_quantity,
        "in_stock": c.stock_quantity > 0,
        **rating(c.rating, lang),
        "reviews": c.review_count,
        "seller": {"id": c.seller_id, "name": None if extra is None else extra.store_name},
        "photo_url": None if extra is None else photo_url(extra.photo),
    }


def product(detail: ProductDetail, lang: str, *, in_wishlist: bool) -> Json:
    first = detail.images[0] if detail.images else None
    shown = card(detail.card, lang, Showcase(detail.store_name, first))
    return shown | {
        "description": detail.description,
        "sku": detail.sku,
        "category_id": detail.category_id,
        "status": detail.card.status.value,
        "photos": [photo_url(i) for i in detail.images],
        "images": [{"id": i.image_id, "url": photo_url(i)} for i in detail.images],
        "in_wishlist": in_wishlist,
    }


def cart(
    view: CartView, lang: str, photos: Mapping[int, Showcase], changes: Sequence[CartChange]
) -> Json:
    return {
        "lines": [
            {
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                **money("price", line.unit_price, lang),
                **money("line_total", line.total, lang),
                "stock": line.available,
                "photo_url": photo_url(photos[line.product_id].photo)
                if line.product_id in photos
                else None,
            }
            for line in view.lines
        ],
        "count": view.item_count,
        **money("subtotal", view.subtotal, lang),
        "version": view.version,
        "changes": [change(c, lang) for c in changes],
    }


def change(c: CartChange, lang: str) -> str:
    """What changed in the cart since the customer saw it, in words (plain text)."""
    old, new = c.old, c.new
    if c.change == Change.price_changed:  # the engine hands prices over as text
        old, new = price(Decimal(old), lang=lang), price(Decimal(new), lang=lang)
    return t(lang, f"cart.change.{c.change.value}", name=c.name, old=old, new=new)


def address(a: AddressView) -> Json:
    return {
        "id": a.address_id,
        "type": a.type.value,
        "full_name": a.recipient_name,
        "phone": a.phone,
        "street": a.street,
        "city": a.city,
        "state": a.state,
        "postal_code": a.postal_code,
        "country": a.country,
        "is_default": a.is_default,
        "text": ", ".join(p for p in (a.street, a.city, a.postal_code, a.country) if p),
    }


def quote(q: QuoteView, lang: str, coupon_error: str | None) -> Json:
    cur = q.currency
    return {
        "lines": [
            {
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                **money("price", line.price, lang, cur),
                **money("line_total", line.total, lang, cur),
            }
            for line in q.lines
        ],
        **money("subtotal", q.subtotal, lang, cur),
        **money("shipping", q.shipping, lang, cur),
        **money("discount", q.discount, lang, cur),
        **money("total", q.total, lang, cur),
        "currency": cur,
        "provider": q.provider,
        "pickup_address": q.pickup_address,
        "coupon": None if q.coupon is None else q.coupon.code,
        "coupon_error": coupon_error,
    }


def order(
    o: OrderView, lang: str, timeline: Mapping[int, Sequence[Milestone]] | None = None
) -> Json:
    cur = o.currency
    shown: Json = {
        "id": o.order_id,
        "status": o.status.value,
        # as the chat's order card says them: "collected" at a pickup point, "1 of 2 parcels
        # on the way", cash "to pay when you collect it"
        "status_display": order_status(lang, o),
        "payment_status": o.payment_status.value,
        "payment_display": money_state(lang, o),
        "payment_method_display": t(lang, f"checkout.pay.{o.payment_method.value}"),
        "payment_method": o.payment_method.value,
        **money("subtotal", o.subtotal, lang, cur),
        **money("shipping", o.shipping, lang, cur),
        **money("discount", o.discount, lang, cur),
        **money("total", o.total, lang, cur),
        "currency": cur,
        "bank_reference": o.bank_reference,
        **when("created_at", o.created_at, lang),
        **when("expires_at", o.expires_at, lang),
        "provider": o.provider,
        "pickup_address": o.pickup_address,
        "count": sum(line.quantity for line in o.lines),
        "tracking_numbers": o.tracking_numbers,
    }
    if timeline is None:
        return shown
    return shown | {
        "lines": [
            {
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                # the catalogue price before the coupon: lines add up to the subtotal, and
                # the coupon is the order's one discount line (as the chat's order page)
                **money("price", line.price, lang, cur),
                **money("line_total", line.total, lang, cur),
            }
            for line in o.lines
        ],
        "address": o.address,
        "shipments": [
            {
                "id": s.shipment_id,
                "status": s.status.value,
                "status_display": t(
                    lang, state_key("app.shipment_status", s.status.value, o.pickup_address)
                ),
                "tracking_number": s.tracking_number,
                "store": s.store,
                "items": [
                    {"name": line.name, "quantity": line.quantity}
                    for line in o.lines
                    if line.seller_id == s.seller_id
                ],
                "timeline": [
                    {
                        "status": m.status.value,
                        # a pickup point's: ready for collection, collected
                        "status_display": milestone(lang, m.status.value, o.pickup_address),
                        "location": m.location,
                        **when("at", m.at, lang),
                    }
                    for m in timeline.get(s.shipment_id, ())
                ],
            }
            for s in o.shipments
        ],
    }
