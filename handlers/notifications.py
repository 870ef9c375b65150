"""What an outbox notification says: a pure function of its kind, its data and the
recipient's language (the dispatcher in bot/notify.py delivers it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import (
    Menu,
    MenuCb,
    ProductCb,
    RemindersCb,
    SellerAction,
    SellerCb,
)
from handlers.customer.support import answer_keys
from handlers.i18n import CATALOGS, DEFAULT, price, t
from handlers.render import milestone
from handlers.seller.cb import NoticeParcelCb


class OpenOrderCb(CallbackData, prefix="v1no"):
    """ "Open the order" under a notification: the order comes as a new message below, so
    the notification it came from stays as it was (handlers/customer/start.py)."""

    id: int


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
# who cancelled an order (the engine's "by"): what its notice gives as the reason when none
# was typed, so it never ends in an empty "Reason:"
CANCELLED_BY = {"customer", "team"}


def _money(value: Any, lang: str | None, currency: Any = None) -> str:
    """An amount from a payload: in the payload's own currency when it names one."""
    try:
        return price(
            Decimal(str(value)), currency if isinstance(currency, str) else None, lang=lang
        )
    except (InvalidOperation, ValueError):
        return escape(str(value))


def render(
    kind: str, payload: dict[str, Any], lang: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    params: dict[str, Any] = {}
    for key, value in payload.items():
        if key in MONEY:
            params[key] = _money(value, lang, payload.get("currency"))
        elif isinstance(value, str):
            params[key] = escape(value)
        elif isinstance(value, int | float) or value is None:
            params[key] = "—" if value is None else value
    if kind == "delivery_update":
        params["milestone"] = _words(lang, payload)
        where = payload.get("location")
        params["where"] = f" ({escape(str(where))})" if where else ""
    if kind == "order_cancelled" and not str(payload.get("reason") or "").strip():
        by = payload.get("by")
        params["reason"] = t(lang, f"notify.cancelled_by.{by if by in CANCELLED_BY else 'none'}")
    if kind == "delivery_update" and payload.get("pickup"):
        pushed = push(lang, payload)  # its e-mail says where to collect it, as the chat does
        if pushed is not None:
            return pushed
    key = f"notify.{kind}"
    if kind == "order_delivered" and payload.get("pickup"):  # collected at a pickup point
        key = "notify.order_delivered.pickup"
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
    elif kind == "support_answer" and isinstance(payload.get("request_id"), int):
        markup = answer_keys(lang, payload["request_id"])  # ↩️ Reply: write back to it
    if kind in ORDER_BUTTONS and isinstance(order_id, int):
        # a seller's notice names its parcel: "Open the order" opens the seller's card of it
        # (the customer's order page is not the seller's to see)
        parcel = payload.get("shipment_id")
        opens = NoticeParcelCb(id=parcel) if isinstance(parcel, int) else OpenOrderCb(id=order_id)
        markup = _button(t(lang, "order.open"), opens.pack())
    elif kind in SELLER_BUTTONS:
        # straight to what the alert is about: the returns for a return, the payouts for a
        # statement, else the orders (to confirm first)
        to = {
            "payout_statement": SellerAction.payouts,
            "return_requested": SellerAction.returns,
        }.get(kind, SellerAction.orders)
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


# --- the order's status card -------------------------------------------------------------
# Delivery milestones are told on one message per order, edited in place as the parcel moves
# (edits make no sound); a new, short message goes out only where a push matters: when the
# order is shipped, when a pickup point's parcel is ready for collection (the customer has
# to go there), and when it is delivered (its own "order_delivered" notification, which
# also brings the card up to date). bot/notify.py keeps the card's message id.
CARD_KINDS = frozenset({"delivery_update", "order_delivered"})
PUSHED_MILESTONES = frozenset({"shipped"})
PUSHED_AT_PICKUP = frozenset({"out_for_delivery"})  # "ready for collection" there
CARD_LINES = 30  # the newest; a card stays well inside Telegram's 4096 characters


def _words(lang: str | None, payload: dict[str, Any]) -> str:
    """A milestone row's status in words; for a parcel collected at a pickup point (the
    engine's `pickup` in the row), "ready for collection at <the point>" and "collected"."""
    status = str(payload.get("status") or "in_transit")
    if f"milestone.{status}" not in CATALOGS[DEFAULT]:
        status = "in_transit"
    place = payload.get("pickup")
    return milestone(lang, status, str(place) if place else None, at=True)


def _milestone(lang: str | None, payload: dict[str, Any]) -> str:
    where = payload.get("location")
    said = _words(lang, payload) + (f" ({escape(str(where))})" if where else "")
    store = _parcel_of(payload)
    return t(lang, "milestone.parcel", store=store, milestone=said) if store else said


def _parcel_of(payload: dict[str, Any]) -> str | None:
    """The store whose parcel a milestone is about, when the order comes in several parcels
    (one store's "✅ Delivered" is not the whole order's); None for a single parcel."""
    parcels, store = payload.get("parcels"), payload.get("store")
    if isinstance(parcels, int) and parcels > 1 and isinstance(store, str) and store:
        return escape(store)
    return None


def status_card(
    lang: str | None, order_id: int, milestones: list[dict[str, Any]]
) -> tuple[str, InlineKeyboardMarkup]:
    """The order's status card: every delivery milestone told so far, oldest first (the
    payloads of its "delivery_update" notifications), and the button that opens the order."""
    lines = [_milestone(lang, m) for m in milestones[-CARD_LINES:]]
    text = t(lang, "notify.status_card", order_id=order_id, lines="\n".join(lines))
    return text, _button(t(lang, "order.open"), OpenOrderCb(id=order_id).pack())


def push(lang: str | None, payload: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup] | None:
    """The short new message a milestone is also worth (None: the card alone tells it): a
    shipped parcel's, with its tracking number when it has one, and the pickup point where
    it will be ready for collection when it goes to one; and a pickup point's parcel that
    is ready for collection there."""
    order_id = payload.get("order_id")
    status, place = payload.get("status"), payload.get("pickup")
    if not isinstance(order_id, int):
        return None
    store = _parcel_of(payload)
    if place and status in PUSHED_AT_PICKUP:
        at = escape(str(place))
        if store:
            text = t(lang, "notify.parcel_ready", order_id=order_id, store=store, place=at)
        else:
            text = t(lang, "notify.order_ready", order_id=order_id, place=at)
        return text, _button(t(lang, "order.open"), OpenOrderCb(id=order_id).pack())
    if status not in PUSHED_MILESTONES:
        return None
    number = payload.get("tracking_number")
    tracking = t(lang, "notify.tracking", number=escape(str(number))) if number else ""
    where = {"place": escape(str(place))} if place else {}  # where it will be collected
    if store:
        key = "notify.parcel_shipped.pickup" if where else "notify.parcel_shipped"
        text = t(lang, key, order_id=order_id, store=store, tracking=tracking, **where)
    else:
        key = "notify.order_shipped.pickup" if where else "notify.order_shipped"
        text = t(lang, key, order_id=order_id, tracking=tracking, **where)
    return text, _button(t(lang, "order.open"), OpenOrderCb(id=order_id).pack())


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
                net=_money(entry.get("net", "0"), lang, payload.get("currency")),
            )
        )
    if len(entries) > STATEMENT_LINES:
        lines.append(f"… +{len(entries) - STATEMENT_LINES}")
    lines.append(t(lang, "notify.payout_statement.sums", **params))
    return "\n".join(lines)
