"""Text shown to users: pure functions of engine views, through the i18n catalog.

Everything interpolated from users or sellers is HTML-escaped (the bot sends parse_mode=HTML),
and long texts are cut to Telegram's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from engine.accounts import AddressView, UserView
from engine.cart import CartChange, CartView
from engine.catalog import ProductDetail
from engine.orders import OrderView
from engine.shipping import Milestone
from handlers.i18n import price, t

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def fit(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def welcome(lang: str, user: UserView) -> str:
    name = escape(user.first_name or "there")
    return t(lang, "welcome.new" if user.created else "welcome.back", name=name)


def banned(lang: str, reason: str | None) -> str:
    return t(lang, "banned", reason=escape(reason or "—"))


def product(lang: str, detail: ProductDetail) -> str:
    card = detail.card
    if card.discount_price is not None:
        money = t(lang, "product.discount", old=price(card.price), new=price(card.discount_price))
    else:
        money = f"<b>{price(card.price)}</b>"
    stock = (
        t(lang, "product.stock", stock=card.stock_quantity)
        if card.stock_quantity
        else t(lang, "product.sold_out")
    )
    rating = (
        t(lang, "product.rating", rating=card.rating, count=card.review_count)
        if card.rating is not None
        else t(lang, "product.no_rating")
    )
    lines = [
        f"<b>{escape(card.name)}</b>",
        money,
        stock,
        rating,
        t(lang, "product.seller", store=escape(detail.store_name)),
    ]
    if detail.description:
        lines += ["", escape(detail.description)]
    return fit("\n".join(lines), CAPTION_LIMIT)


def cart(lang: str, view: CartView) -> str:
    if not view.lines:
        return t(lang, "cart.empty")
    lines = [t(lang, "cart.title")]
    lines += [
        t(lang, "cart.line", qty=line.quantity, name=escape(line.name), total=price(line.total))
        for line in view.lines
    ]
    lines.append(t(lang, "cart.subtotal", subtotal=price(view.subtotal)))
    return fit("\n".join(lines))


def cart_changes(lang: str, changes: Sequence[CartChange]) -> str:
    lines = [t(lang, "cart.changed")]
    for c in changes:
        lines.append(
            t(lang, f"cart.change.{c.change.value}", name=escape(c.name), old=c.old, new=c.new)
        )
    return "\n".join(lines)


def address(a: AddressView) -> str:
    parts = [a.street, a.city, a.postal_code or "", a.country]
    return escape(", ".join(p for p in parts if p))


def order(lang: str, view: OrderView) -> str:
    lines = "\n".join(
        t(
            lang,
            "cart.line",
            qty=line.quantity,
            name=escape(line.name),
            total=price(line.price * line.quantity),
        )
        for line in view.lines
    )
    return fit(
        t(
            lang,
            "order.detail",
            order_id=view.order_id,
            status=t(lang, f"status.{view.status.value}"),
            payment=t(lang, f"status.{view.payment_status.value}"),
            method=t(lang, f"checkout.pay.{view.payment_method.value}"),
            lines=lines,
            total=price(view.total),
        )
    )


def summary(
    lang: str,
    cart_view: CartView,
    *,
    provider: str,
    shipping: str,
    discount: str,
    total: str,
    method: str,
    address_text: str,
) -> str:
    lines = "\n".join(
        t(lang, "cart.line", qty=line.quantity, name=escape(line.name), total=price(line.total))
        for line in cart_view.lines
    )
    return fit(
        t(
            lang,
            "checkout.summary",
            lines=lines,
            subtotal=price(cart_view.subtotal),
            provider=escape(provider),
            shipping=shipping,
            discount=discount,
            total=total,
            method=t(lang, f"checkout.pay.{method}"),
            address=address_text,
        )
    )


def tracking(lang: str, order_id: int, milestones: dict[int, list[Milestone]]) -> str:
    rows = []
    for _, steps in sorted(milestones.items()):
        for m in steps:
            where = f" — {escape(m.location)}" if m.location else ""
            rows.append(f"{t(lang, f'milestone.{m.status.value}')}{where}")
    body = "\n".join(rows) if rows else t(lang, "order.tracking.none")
    return fit(t(lang, "order.tracking", order_id=order_id, milestones=body))
