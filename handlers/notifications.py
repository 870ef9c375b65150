"""What an outbox notification says: a pure function of its kind, its data and the
recipient's language (the dispatcher in bot/notify.py delivers it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import OrderAction, OrderCb, SellerAction, SellerCb
from handlers.i18n import CATALOGS, DEFAULT, price, t

ORDER_BUTTONS = {
    "order_placed",
    "payment_received",
    "delivery_update",
    "order_delivered",
    "order_cancelled",
    "order_part_cancelled",
    "order_expired",
    "refund_sent",
    "return_approved",
    "return_rejected",
    "payment_failed",
}
SELLER_BUTTONS = {"new_order", "return_requested", "payout_statement", "seller_approve"}


def _money(value: Any) -> str:
    try:
        return price(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return escape(str(value))


def render(
    kind: str, payload: dict[str, Any], lang: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    params: dict[str, Any] = {}
    for key, value in payload.items():
        if key in ("total", "amount", "refund", "gross", "commission", "refunds"):
            params[key] = _money(value)
        elif isinstance(value, str):
            params[key] = escape(value)
        elif isinstance(value, int | float) or value is None:
            params[key] = "—" if value is None else value
    if kind == "delivery_update":
        params["milestone"] = t(lang, f"milestone.{payload.get('status', 'in_transit')}")
        where = payload.get("location")
        params["where"] = f" ({escape(str(where))})" if where else ""
    key = f"notify.{kind}"
    if key not in CATALOGS[DEFAULT]:
        key = "notify.generic"
    try:
        text = t(lang, key, **params)
    except (KeyError, IndexError):
        text = t(lang, "notify.generic")
    markup = None
    order_id = payload.get("order_id")
    if kind in ORDER_BUTTONS and isinstance(order_id, int):
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t(lang, "order.open"),
                        callback_data=OrderCb(action=OrderAction.show, id=order_id).pack(),
                    )
                ]
            ]
        )
    elif kind in SELLER_BUTTONS:
        to = SellerAction.payouts if kind == "payout_statement" else SellerAction.orders
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t(lang, "seller.open"), callback_data=SellerCb(to=to).pack()
                    )
                ]
            ]
        )
    return text, markup
