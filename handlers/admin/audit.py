"""The audit log in words, for the chat's /audit and the Mini App's audit page alike.

An audit entry (`engine.backoffice.AuditEntry`) is said as what it is about ("Order #12"),
what happened ("order status: pending → paid", "created"), its changes field by field
("milestone: order received", "implied by the next step", "total: $25.00") and who did it in
which capacity ("Maya (customer)"). Every word comes from the catalog:

- a field's name: `admin.audit.field.<field>`; a field no one named yet reads as its own
  name in words ("gift_wrap" → "gift wrap", "widget_id" → "widget");
- a value of the shop's vocabulary (statuses, milestones, payment methods, coupon types):
  `admin.audit.value.<value>`; a yes / no: `admin.audit.yes`, `admin.audit.no`; money as
  money; an id of another row as "#12"; free text as it was typed;
- a field whose value says it all: `admin.audit.said.<field>.<value>` ("implied by the next
  step" for `source: implied`, "reported by the seller" for `source: seller`).

The engine leaves its bookkeeping out (`engine.backoffice.BOOKKEEPING`) and decides the
capacity; this only words. Everything here is plain text: the chat escapes it for HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from engine.backoffice import AuditEntry, Change, Shown
from handlers.i18n import day, has_text, number, price, t

#: Fields that hold an amount of money (shown in the shop's currency).
MONEY: Final = frozenset(
    {
        "amount",
        "total_amount",
        "price",
        "discount_price",
        "cost",
        "gross",
        "refunds",
        "commission",
        "refunded_amount",
        "min_order_amount",
    }
)
#: Fields ending in `_id` that are no row of the shop's (shown as they are), and fields
#: that name a row without saying so.
NOT_ROWS: Final = frozenset({"telegram_id"})
ROWS: Final = frozenset({"image_added"})
#: Fields whose values are words of the shop's vocabulary even when no catalog words them
#: yet ("in_transit" reads "in transit"); other values are shown as they were written (a
#: provider's reference "re_1" stays so).
VOCABULARY: Final = frozenset(
    {"milestone", "source", "cause", "type", "role", "payment_method", "provider", "released"}
)
#: A value that may be a word of the shop's vocabulary ("in_transit", "bank_transfer").
_TOKEN: Final = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_DECIMAL: Final = re.compile(r"^-?[0-9]+\.[0-9]+$")
_DAY: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class EntryWords:
    """One audit entry in words."""

    what: str  # "Order #12"
    action: str  # "status changed", "created"
    head: str  # the status that moved ("order status: pending → paid"), else `action`
    changes: tuple[str, ...]  # the other changes, one phrase each
    every_change: tuple[str, ...]  # all of them, the status too
    role: str | None  # the capacity they acted in ("customer"); None: the shop did it


def _is_row(name: str) -> bool:
    return (name.endswith("_id") and name not in NOT_ROWS) or name in ROWS


def field_words(lang: str, name: str) -> str:
    """An audited field as an admin reads it: "order status", "total", "store"; one no one
    named yet by its own name in words ("gift wrap"; "widget_id": "widget")."""
    key = f"admin.audit.field.{name}"
    if has_text(lang, key):
        return t(lang, key)
    named = name[:-3] if name.endswith("_id") and _is_row(name) else name
    return named.replace("_", " ").strip() or name


def value_words(lang: str, name: str, value: Shown) -> str:
    """A field's value as an admin reads it: a word of the shop's vocabulary in the reader's
    language ("in transit", "tarjeta"), yes or no, money as money, a number and a day in
    the reader's notation, another row as "#12", anything else as it was written."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t(lang, "admin.audit.yes" if value else "admin.audit.no")
    if name in MONEY:
        try:
            return price(Decimal(value), lang=lang)
        except (InvalidOperation, ValueError):
            return value
    if _is_row(name) and value.isdigit():
        return t(lang, "admin.audit.ref", id=value)
    if _DECIMAL.match(value):
        return number(Decimal(value), lang)
    if _DAY.match(value):
        try:
            return day(date.fromisoformat(value), lang)
        except ValueError:
            return value
    if _TOKEN.match(value):
        key = f"admin.audit.value.{value}"
        if has_text(lang, key):
            return t(lang, key)
        if name in VOCABULARY or name.endswith("status"):
            return value.replace("_", " ")
    return value


def _token(value: Shown) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if value is not None and _TOKEN.match(value) else None


def _offer(lang: str, kind: Shown, value: Shown) -> str | None:
    """A coupon's discount as its type says it: "20%", "$5.00"."""
    if not isinstance(value, str) or kind not in ("percentage", "fixed"):
        return None
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if kind == "fixed":
        return price(amount, lang=lang)
    return t(lang, "admin.audit.percent", value=number(amount, lang))


def change_words(lang: str, change: Change, kind: Shown = None) -> str:
    """One change: "milestone: order received", "rush: yes → no", or the phrase that says
    it all ("implied by the next step"); a coupon's discount as its `kind` (its type) says
    it ("discount: 20%")."""
    field = field_words(lang, change.field)
    offer = _offer(lang, kind, change.after) if change.field == "value" else None
    if offer is not None and change.before is None:
        return t(lang, "admin.audit.is", field=field, value=offer)
    if change.before is None:
        token = _token(change.after)
        key = f"admin.audit.said.{change.field}.{token}"
        if token is not None and has_text(lang, key):
            return t(lang, key)
        return t(
            lang, "admin.audit.is", field=field, value=value_words(lang, change.field, change.after)
        )
    return t(
        lang,
        "admin.audit.moved",
        field=field,
        before=value_words(lang, change.field, change.before),
        after=value_words(lang, change.field, change.after),
    )


def entity_words(lang: str, e: AuditEntry) -> str:
    """What the entry is about: "Order #12", "Parcel #3"."""
    key = f"admin.audit.kind.{e.entity_type}"
    kind = t(lang, key) if has_text(lang, key) else e.entity_type.replace("_", " ").capitalize()
    return t(lang, "admin.audit.entity", entity=kind, id=e.entity_id)


def action_words(lang: str, action: str) -> str:
    key = f"admin.audit.action.{action}"
    return t(lang, key) if has_text(lang, key) else action.replace("_", " ")


def role_words(lang: str, e: AuditEntry) -> str | None:
    """The capacity the person acted in ("customer"); None when the shop itself did it."""
    if e.by_name is None:
        return None
    return t(lang, f"admin.role.{e.by_role.value}") if e.by_role else "—"


def words(lang: str, e: AuditEntry) -> EntryWords:
    """The entry in words: a status change leads with the status that moved."""
    moved = next(
        (c for c in e.changes if e.action == "status_change" and c.field.endswith("status")),
        None,
    )
    action = action_words(lang, e.action)
    kind = next((c.after for c in e.changes if c.field == "type"), None)
    every = tuple(change_words(lang, c, kind) for c in e.changes)
    return EntryWords(
        what=entity_words(lang, e),
        action=action,
        head=action if moved is None else change_words(lang, moved),
        changes=tuple(said for c, said in zip(e.changes, every, strict=True) if c is not moved),
        every_change=every,
        role=role_words(lang, e),
    )
