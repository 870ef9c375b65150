"""What an outbox notification says: a pure function of its kind, its data and the
recipient's language (the dispatcher in bot/notify.py delivers it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import (
    Menu,
    MenuCb,
    OrderAction,
    OrderCb,
    ProductCb,
    RemindersCb,
    SellerAction,
    SellerCb,
)
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
    "charged_twice",
    "payment_not_taken",
    "return_approved",
    "return_rejected",
    "payment_failed",
}
# what also goes out by email to users who gave an address (bot/notify.py)
EMAIL_KINDS = frozenset(
    {
        *ORDER_BUTTONS,
        "refund_failed",
        "extra_charge",
        "payment_recovered",
        "bank_transfer_reminder",
        "payout_statement",
        "payout_paid",
        "admin_digest",
        "broadcast",
        "account_banned",
        "account_restored",
    }
)
# only worth hearing at once: to someone who has not started the bot these are undeliverable
# instead of waiting for their /start (bot/notify.py holds every other kind)
NOT_HELD = frozenset(
    {"broadcast", "cart_reminder", "back_in_stock", "bank_transfer_reminder", "admin_digest"}
)
MONEY = {"total", "amount", "refund", "gross", "commission", "refunds", "refunded", "net"}
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
        if key in MONEY:
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
    if kind == "payout_statement" and "payout_id" in payload:
        return _statement(lang, payload, params), _button(
            t(lang, "seller.open"), SellerCb(to=SellerAction.payouts).pack()
        )
    if key not in CATALOGS[DEFAULT]:
        key = "notify.generic"
    try:
        text = t(lang, key, **params)
    except (KeyError, IndexError):
        text = t(lang, "notify.generic")
    markup = None
    order_id = payload.get("order_id")
    if kind == "cart_reminder":
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t(lang, "notify.open_cart"), callback_data=MenuCb(to=Menu.cart).pack()
                    )
                ],
                [
                    InlineKeyboardButton(
                        text=t(lang, "notify.stop_reminders"),
                        callback_data=RemindersCb(on=False).pack(),
                    )
                ],
            ]
        )
    elif kind == "back_in_stock" and isinstance(payload.get("product_id"), int):
        markup = _button(t(lang, "notify.open_product"), ProductCb(id=payload["product_id"]).pack())
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


def _button(text: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)]]
    )


STATEMENT_LINES = 40  # a statement stays well inside Telegram's 4096 characters


def _statement(lang: str | None, payload: dict[str, Any], params: dict[str, Any]) -> str:
    """A seller's payout statement: every order line it covers, then the sums."""
    lines = [t(lang, "notify.payout_statement.head", payout_id=params.get("payout_id", "—"))]
    raw = payload.get("lines")
    entries = raw if isinstance(raw, list) else []
    for entry in entries[:STATEMENT_LINES]:
        if not isinstance(entry, dict):
            continue
        lines.append(
            t(
                lang,
                "notify.payout_statement.line",
                order_id=entry.get("order_id", "—"),
                name=escape(str(entry.get("name", "")))[:60],
                quantity=entry.get("quantity", "—"),
                net=_money(entry.get("net", "0")),
            )
        )
    if len(entries) > STATEMENT_LINES:
        lines.append(f"… +{len(entries) - STATEMENT_LINES}")
    lines.append(t(lang, "notify.payout_statement.sums", **params))
    return "\n".join(lines)
