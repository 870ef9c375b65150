"""The shop's shared vocabulary: enums, money and id types.

This module is a leaf: it imports only the standard library, so every layer (storage,
engine, nlu, handlers, sandbox) can use it without pulling in a database or Telegram
library. The enum values are the design document's (`../shared/spec/marketplace-design.md`);
values added beyond the design are marked "added" and listed in docs/schema.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final, NewType

# --- ids -------------------------------------------------------------------------------
# The shop's own user id, so it is never mixed up with a Telegram id (both are ints). The
# other tables' ids are plain ints: nothing else has an id of the same kind to confuse.
UserId = NewType("UserId", int)


# --- enums -----------------------------------------------------------------------------
class UserRole(StrEnum):
    customer = "customer"
    admin = "admin"
    seller = "seller"


class UserStatus(StrEnum):
    active = "active"
    inactive = "inactive"
    banned = "banned"


class AddressType(StrEnum):
    billing = "billing"
    shipping = "shipping"


class ProductStatus(StrEnum):
    active = "active"
    inactive = "inactive"
    out_of_stock = "out_of_stock"


class OrderStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    returned = "returned"


class OrderPaymentStatus(StrEnum):
    """Orders.payment_status."""

    pending = "pending"
    paid = "paid"
    failed = "failed"
    refunded = "refunded"
    partially_refunded = "partially_refunded"  # added: a return refunds part of an order


class PaymentMethod(StrEnum):
    card = "card"
    paypal = "paypal"
    cod = "cod"
    bank_transfer = "bank_transfer"


class PaymentStatus(StrEnum):
    """Payments.status: one row per payment attempt."""

    pending = "pending"
    successful = "successful"
    failed = "failed"
    refunded = "refunded"


class DiscountType(StrEnum):
    percentage = "percentage"
    fixed = "fixed"
    free_shipping = "free_shipping"


class CouponStatus(StrEnum):
    active = "active"
    expired = "expired"
    disabled = "disabled"


class InventoryChangeType(StrEnum):
    stock_in = "in"
    stock_out = "out"
    adjustment = "adjustment"


class InventoryReference(StrEnum):
    """InventoryLogs.reference_type: why stock moved (the design names order, restock, return)."""

    order = "order"
    restock = "restock"
    ret = "return"
    initial = "initial"  # added: the stock a product was listed with
    manual = "manual"  # added: a seller's or admin's correction, with a reason
    cancellation = "cancellation"  # added: an order cancelled before shipment
    expiry = "expiry"  # added: an unpaid order expired


class SellerStatus(StrEnum):
    pending = "pending"  # added: applied, waiting for an admin
    active = "active"
    suspended = "suspended"
    closed = "closed"
    rejected = "rejected"  # added: an admin refused the application


class ProviderStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class ShipmentStatus(StrEnum):
    pending = "pending"
    in_transit = "in_transit"
    delivered = "delivered"
    failed = "failed"
    returned = "returned"


class TrackingStatus(StrEnum):
    order_received = "order_received"
    packed = "packed"
    shipped = "shipped"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    failed = "failed"


class PayoutStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    failed = "failed"


class ReturnStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    refunded = "refunded"


class RefundStatus(StrEnum):
    pending = "pending"  # decided, not yet asked of the provider
    processing = "processing"  # taken by one settler (refunds.taken_by) and asked of the provider
    succeeded = "succeeded"
    failed = "failed"


class OutboxChannel(StrEnum):
    telegram = "telegram"
    email = "email"


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after retries
    undeliverable = "undeliverable"  # the user blocked the bot, or has no address
    held = "held"  # the user has not started the bot yet: waits for their /start, within a bound


class SupportStatus(StrEnum):
    """support_requests.status (added): a customer's message to the shop's team."""

    open = "open"  # waiting for an admin's answer
    answered = "answered"  # an admin answered it (support_requests.answer)


class UpdateStatus(StrEnum):
    """processed_updates.status: a Telegram update in the inbox."""

    claimed = "claimed"  # stored and being handled (by processed_updates.claimed_by)
    done = "done"  # handled; kept a while so a re-delivery is recognised
    failed = "failed"  # handling failed on every try; kept for the maintainer


# --- money -----------------------------------------------------------------------------
CENT: Final = Decimal("0.01")
MAX_AMOUNT: Final = Decimal("99999999.99")  # what NUMERIC(10,2) holds
CURRENCY_EXPONENT: Final = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "BDT": 2, "INR": 2}


class MoneyError(ValueError):
    """A value that is not an exact amount of money (or does not fit NUMERIC(10,2))."""


def money(value: Decimal | int | str, *, bounded: bool = True) -> Decimal:
    """Parse an amount exactly and quantize it to cents, rounding half up.

    Floats are refused: `0.1` as a float is not ten cents, and accepting it would hide the
    error wherever it came from. `bounded` amounts must fit NUMERIC(10,2) (every stored
    amount); totals computed over many rows may be larger.
    """
    if isinstance(value, (float, bool)):
        raise MoneyError(f"money must be Decimal, int or str, not {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    try:
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than any amount of money has
        raise MoneyError(f"amount out of range: {value!r}") from exc
    if bounded and abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"amount out of range (at most {MAX_AMOUNT}): {value!r}")
    return amount


#: Currency signs and words around a typed amount ("$", "30 dollars", "1,5 euro").
CURRENCY_WORDS = re.compile(
    r"\$|€|£|\b(?:usd|eur|gbp|dollars?|euros?|pounds?|bucks?|cents?)\b", re.IGNORECASE
)
_THOUSANDS_COMMAS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_THOUSANDS_DOTS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}")


def parse_amount(text: str | None) -> Decimal | None:
    """An amount as people type it, or None when it is not one; the one parser for typed
    amounts (prices, coupon values, spreadsheet cells, "under 30 dollars").

    "19.99", "$1,299.00", "1 299", "29,50" and "1,5 euro" (a decimal comma), "1.299,50"
    (dots for thousands). An ambiguous comma ("1,2345") is not guessed. A minus sign is kept:
    whether a negative amount is allowed is the caller's rule. Not rounded: `money()`
    decides that.
    """
    said = CURRENCY_WORDS.sub(" ", text or "").strip()
    said = re.sub(r"(?<=[0-9])[\s\u00a0'_](?=[0-9]{3}\b)", "", said)  # "1 299", "1'299"
    sign = ""
    if said[:1] in "+-" and said:
        sign, said = ("-" if said[0] == "-" else ""), said[1:].strip()
    if "," in said:
        if _THOUSANDS_COMMAS.fullmatch(said):
            said = said.replace(",", "")
        elif _THOUSANDS_DOTS.fullmatch(said) or _DECIMAL_COMMA.fullmatch(said):
            said = said.replace(".", "").replace(",", ".")
        else:
            return None
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+", said):
        return None
    try:
        value = Decimal(sign + said)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def to_minor_units(amount: Decimal, currency: str = "USD") -> int:
    """An amount as an integer of the currency's smallest unit (what Telegram invoices take)."""
    exponent = CURRENCY_EXPONENT.get(currency.upper(), 2)
    scaled = money(amount).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount} has more precision than {currency} allows")
    return int(scaled)


def from_minor_units(units: int, currency: str = "USD") -> Decimal:
    """The inverse of `to_minor_units`."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise MoneyError(f"minor units must be an int, not {type(units).__name__}")
    exponent = CURRENCY_EXPONENT.get(currency.upper(), 2)
    return money(Decimal(units).scaleb(-exponent))


# --- text ------------------------------------------------------------------------------
#: A number as shoppers write one ("$12.50", "1/2", "#16"), else a word: letters and digits of
#: any script, accents (also as separate marks) and one inner apostrophe ("don't").
_TOKEN: Final = re.compile(
    r"[#$€£]?\d+(?:[.,]\d+)?(?:/\d+)?"
    r"|[^\W_](?:[^\W_]|[\u0300-\u036f])*(?:['’][^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*)?"
)


@dataclass(frozen=True)
class Token:
    """A word or number of a text and where it stands: `text` is `source[start:end]`."""

    text: str  # as typed
    lower: str  # as compared: fold(text)
    start: int
    end: int


def fold(word: str) -> str:
    """A word as words are compared: lowercase, accents dropped, ’ as ' ("Crème" -> "creme")."""
    word = word.casefold().replace("’", "'")
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def tokenize(text: str) -> list[Token]:
    """The words and numbers of `text`, folded, with their places: the shop's one tokeniser.

    The catalog's search and the language layer both read text through it, so a word one of
    them finds in a product name is the word the other finds there. Numbers stay whole with
    their currency sign or "#" ("$12.50", "#16", "1/2": an amount, an order, a fraction), and
    a number is never the start of a word ("2xl" is "2", "xl"), as the language layer's
    number readers need; a price is no product word, so search loses nothing by it.
    """
    return [Token(m[0], fold(m[0]), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def words(text: str) -> list[str]:
    """The folded words and numbers of `text`, as `tokenize` finds them."""
    return [fold(m[0]) for m in _TOKEN.finditer(text)]


def slugify(text: str) -> str:
    """A URL-safe slug: lowercase ASCII words joined by hyphens ("Zip Hoodie" -> "zip-hoodie")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
