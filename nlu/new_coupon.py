"""A coupon an admin asks for in words: "create a coupon SAVE20 for 20% off", "new coupon
WELCOME5, 5 dollars off, until 31 December", "make a code SPRING for 10% off orders over $50,
100 uses". `read_new_coupon` is a pure function of the words and today's date.

Only words that clearly ask to create one are read: a verb of making (create, new, make, set
up, generate; "add" only with an amount off, since "add coupon SAVE10" is also how a
customer applies one) before a coupon noun (coupon, voucher, code, discount code), no
question, no "don't". What is read:

- the code: the word after "coupon", "code", "called" or "named", else a word in capitals
  with a letter ("WELCOME5");
- the discount: a percentage ("20%", "20 percent"), an amount ("$5", "5 dollars", "5 off"),
  or free shipping; a Decimal from the words, never a float;
- a minimum order ("on orders over $50", "minimum order 30"), a last day ("until 31
  December", "till Dec 31 2027", "until 2027-03-01", "for 2 weeks"; a day without a year is
  the next one to come), a usage limit ("100 uses", "max 50 times", "first 20 customers",
  "single use").

A request missing its code or its discount is still a request (`NewCoupon.missing` says
what to ask for); words that are no such request are None.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from nlu.numbers import TENS, UNITS, normalise
from nlu.text import wordlist
from storage.vocabulary import DiscountType, parse_amount

_VERB: Final = (
    r"create|new|make|set\s*up|generate|add"
    r"|crea|crear|cr[eé]ame|nuevo|nueva|haz|hacer|genera|generar|a[ñn]ade|a[ñn]adir|agrega|agregar"
)
#: Verbs that make a request of a coupon only with an amount off said, or (for "new") at the
#: start: "add coupon SAVE10" applies one, "I have a new coupon code" tells of one.
_ADDING: Final = re.compile(r"add|a[ñn]ade|a[ñn]adir|agrega|agregar", re.IGNORECASE)
_NEW: Final = re.compile(r"new|nuevo|nueva", re.IGNORECASE)
_LEAD: Final = re.compile(
    r"^(?:(?:please|ok|okay|hey|so|now|and|a|an|un|una|por\s+favor)\W+)*$", re.IGNORECASE
)
#: A customer's words about a code of their own.
_APPLYING: Final = re.compile(
    r"\b(?:apply|redeem|enter|i\s+have|i'?ve\s+got|i\s+got|aplica|aplicar|tengo)\b", re.IGNORECASE
)
_NOUN: Final = (
    r"coupons?|vouchers?|(?:discount|promo|promotion|coupon|voucher)\s+codes?|codes?"
    r"|cup[oó]n(?:es)?|c[oó]digos?(?:\s+de\s+descuento)?"
)
#: A verb of making, then (a few words later) a coupon noun: "create a 10% coupon".
_ASKS: Final = re.compile(
    rf"\b(?P<verb>{_VERB})\b(?:\s+\S+){{0,4}}?\s+(?P<noun>{_NOUN})\b", re.IGNORECASE
)
#: A request put politely ("could you create ...?"): a request all the same.
_POLITE: Final = re.compile(
    r"^\s*(?:please\s+)?(?:can|could|would|will)\s+you\s+(?:please\s+)?", re.IGNORECASE
)
_QUESTION: Final = re.compile(
    r"\?|¿|^\s*(?:how|what|why|where|when|can|could|should|do|does|did|is|are|will|would"
    r"|c[oó]mo|qu[eé]|puedo|se\s+puede)\b",
    re.IGNORECASE,
)
_NEGATED: Final = re.compile(
    rf"\b(?:don'?t|do\s+not|never|no\s+need\s+to|stop|no)\s+(?:\w+\s+){{0,2}}(?:{_VERB})\b",
    re.IGNORECASE,
)
_CODE_SHAPE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,49}$")
#: Words after "coupon" or "code" that are no code ("a coupon for 20% off").
_NOT_CODES: Final = wordlist(
    """for of that with giving gives worth off which to on at the a an and code codes coupon
    coupons voucher called named new discount promo percent dollars euros pounds until till
    valid good expiring expires ending usable only once single first max min minimum limit
    de del para con que por un una el la los las llamado cupon cupón codigo código hasta
    descuento nuevo nueva"""
)
_CURRENCY_CODES: Final = frozenset({"USD", "EUR", "GBP", "OFF", "SKU", "UTC"})
_NAMED: Final = re.compile(
    rf"\b(?:{_NOUN}|called|named|llamado|llamada)\s*[:=]?\s*[\"'“‘«]?(?P<code>[A-Za-z0-9][\w-]*)",
    re.IGNORECASE,
)
_CAPITALS: Final = re.compile(r"(?<![\w$€£])(?P<code>[A-Z0-9][A-Z0-9_-]{2,49})(?![\w])")

_MONEY: Final = (
    r"(?:[$€£]\s*[0-9][0-9.,]*|[0-9][0-9.,]*\s*(?:[$€£]|usd|eur|gbp|dollars?|bucks?|euros?"
    r"|pounds?|d[oó]lares?|libras?)|[0-9][0-9.,]*)"
)
_MINIMUM: Final = re.compile(
    rf"(?:\b(?:on|for|with)\s+)?\b(?:(?:orders?|purchases?|baskets?|carts?|spend(?:ing)?)\s+"
    rf"(?:(?:of\s+)?(?:over|above|more\s+than|from|at\s+least|of\s+at\s+least)|of)"
    rf"|min(?:imum)?\.?(?:\s+(?:order|purchase|spend|basket))?(?:\s+(?:of|is))?"
    rf"|(?:when\s+)?(?:spending|you\s+spend)\s+(?:over|at\s+least)?"
    rf"|pedidos?\s+(?:de\s+m[aá]s\s+de|desde|superiores?\s+a|mayores?\s+de)"
    rf"|(?:compra|pedido)\s+m[ií]nim[oa]\s+(?:de)?|m[ií]nimo(?:\s+de)?)"
    rf"\s*:?\s*(?P<amount>{_MONEY})(?:\s+or\s+more)?",
    re.IGNORECASE,
)
_NUMBER_WORD: Final = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
_USES: Final = re.compile(
    r"\b(?:(?:max(?:imum)?|up\s+to|at\s+most|limit(?:ed)?(?:\s+(?:to|of))?|only|hasta)\s+)?"
    rf"(?P<n>[0-9]+|{_NUMBER_WORD})\s+(?:uses?|times|redemptions|usos|veces)\b"
    r"|\b(?:usage\s+limit|max(?:imum)?\s+uses|limit|l[ií]mite(?:\s+de\s+usos)?)\s*(?:of|:|de)?\s*"
    r"(?P<n2>[0-9]+)\b"
    r"|\b(?:first|primer[oa]s)\s+(?P<n3>[0-9]+)\s+(?:customers|people|orders|buyers|shoppers"
    r"|users|clientes|pedidos|personas)\b"
    r"|\b(?P<once>single[\s-]use|one[\s-]time|one\s+use|once|un\s+solo\s+uso)\b",
    re.IGNORECASE,
)
_PERCENT: Final = re.compile(
    r"(?P<n>[0-9]+(?:[.,][0-9]+)?)\s*(?:%|percent\b|per\s*cent\b|pct\b|por\s*ciento\b)",
    re.IGNORECASE,
)
_FIXED: Final = re.compile(
    r"(?:[$€£]\s*(?P<a>[0-9][0-9.,]*)"
    r"|(?P<b>[0-9][0-9.,]*)\s*(?:[$€£]|\b(?:usd|eur|gbp|dollars?|bucks?|euros?|pounds?"
    r"|d[oó]lares?|libras?)\b)"
    r"|(?P<c>[0-9][0-9.,]*)\s+off\b|\bfixed\s+(?P<d>[0-9][0-9.,]*))",
    re.IGNORECASE,
)
_FREE_SHIPPING: Final = re.compile(
    r"\bfree\s+(?:shipping|delivery)\b|\benv[ií]o\s+gratis\b|\bfree_shipping\b", re.IGNORECASE
)

MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "enero", "ene"),
            ("february", "feb", "febrero"),
            ("march", "mar", "marzo"),
            ("april", "apr", "abril", "abr"),
            ("may", "mayo"),
            ("june", "jun", "junio"),
            ("july", "jul", "julio"),
            ("august", "aug", "agosto", "ago"),
            ("september", "sep", "sept", "septiembre", "setiembre"),
            ("october", "oct", "octubre"),
            ("november", "nov", "noviembre"),
            ("december", "dec", "diciembre", "dic"),
        ),
        start=1,
    )
    for name in names
}
_MONTH: Final = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_WORD: Final = re.compile(_MONTH, re.IGNORECASE)
_MAKING: Final = re.compile(rf"(?:{_VERB}|{_NOUN})", re.IGNORECASE)
_UNTIL: Final = (
    r"(?:valid\s+|good\s+|usable\s+|runs?\s+|running\s+|v[aá]lido\s+)?"
    r"(?:until|till|til|through|thru|to|ends?(?:\s+on)?|ending(?:\s+on)?|expires?(?:\s+on)?"
    r"|expiring(?:\s+on)?|by|hasta(?:\s+el)?)\s+(?:on\s+|the\s+)?"
)
_DAY_FIRST: Final = re.compile(
    rf"\b{_UNTIL}(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?(?:\s+of|\s+de)?\s+(?P<m>{_MONTH})\.?"
    rf"(?:,?\s+(?:de\s+)?(?P<y>[0-9]{{4}}))?\b",
    re.IGNORECASE,
)
_MONTH_FIRST: Final = re.compile(
    rf"\b{_UNTIL}(?P<m>{_MONTH})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:,?\s+(?P<y>[0-9]{{4}}))?\b",
    re.IGNORECASE,
)
_ISO: Final = re.compile(
    rf"\b{_UNTIL}(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}})\b", re.IGNORECASE
)
_SLASHED: Final = re.compile(
    rf"\b{_UNTIL}(?P<a>[0-9]{{1,2}})[/.](?P<b>[0-9]{{1,2}})(?:[/.](?P<y>[0-9]{{2,4}}))?\b",
    re.IGNORECASE,
)
_END_OF: Final = re.compile(
    rf"\b{_UNTIL}(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<what>month|year|{_MONTH})\b",
    re.IGNORECASE,
)
_FOR_DAYS: Final = re.compile(
    r"\b(?:for|valid\s+for|durante)\s+(?P<n>[0-9]+|a|one|two|three|four)\s+"
    r"(?P<unit>days?|weeks?|months?|d[ií]as|semanas?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NewCoupon:
    """A coupon an admin asked for in words; a part not said is None."""

    code: str | None
    discount_type: DiscountType | None
    value: Decimal | None  # percent, or an amount of the shop's currency; 0 for free shipping
    min_order: Decimal | None = None
    end_date: date | None = None
    max_uses: int | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """What must still be said before it can be created: "code", "discount"."""
        return tuple(
            name
            for name, absent in (("code", self.code is None), ("discount", self.value is None))
            if absent
        )


def _cut(text: str, match: re.Match[str]) -> str:
    """The text without what `match` read (spaces kept, so offsets elsewhere stay)."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _amount(said: str) -> Decimal | None:
    value = parse_amount(said.strip().rstrip(".,"))
    return value if value is not None and value >= 0 else None


def _whole(said: str) -> int | None:
    said = said.lower()
    if said.isdigit():
        return int(said)
    return UNITS.get(said, TENS.get(said))


def _year_for(day: int, month: int, year: str | None, today: date) -> date | None:
    """The day named: in the year said, else the next one to come (today counts)."""
    if not 1 <= month <= 12:
        return None
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [today.year, today.year + 1]
    for y in years:
        if 1 <= day <= monthrange(y, month)[1]:
            found = date(y, month, day)
            if year or found >= today:
                return found
    return None


def _end_date(text: str, today: date) -> tuple[date | None, str]:
    """The last day said, and the text without it."""
    for pattern in (_ISO, _DAY_FIRST, _MONTH_FIRST):
        m = pattern.search(text)
        if m:
            month = m.group("m")
            number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
            return _year_for(int(m.group("d")), number, m.group("y"), today), _cut(text, m)
    m = _SLASHED.search(text)
    if m:
        first, second = int(m.group("a")), int(m.group("b"))
        day, month = (second, first) if second > 12 >= first else (first, second)
        return _year_for(day, month, m.group("y"), today), _cut(text, m)
    m = _END_OF.search(text)
    if m:
        what = m.group("what").lower()
        if what == "year":
            return date(today.year, 12, 31), _cut(text, m)
        month = today.month if what == "month" else MONTHS[what]
        year = today.year if month >= today.month else today.year + 1
        return date(year, month, monthrange(year, month)[1]), _cut(text, m)
    m = _FOR_DAYS.search(text)
    if m:
        count = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}.get(m.group("n").lower())
        n = count if count is not None else int(m.group("n"))
        unit = m.group("unit").lower()
        if unit.startswith(("week", "semana")):
            return today + timedelta(days=7 * n - 1), _cut(text, m)
        if unit.startswith(("month", "mes")):
            return today + timedelta(days=30 * n - 1), _cut(text, m)
        return today + timedelta(days=n - 1), _cut(text, m)
    return None, text


def _code(text: str, start: int) -> tuple[str | None, str]:
    """The code said (upper-case), and the text without it."""
    for m in _NAMED.finditer(text, start):
        word = m.group("code").strip("-_")
        if word.lower() in _NOT_CODES or not _CODE_SHAPE.match(word):
            continue
        if word.isdigit() or _PERCENT.match(text, m.start("code")):
            continue
        if _FIXED.match(text, m.start("code")) or _MONTH_WORD.fullmatch(word):
            continue
        return word.upper(), _cut(text, m)
    for m in _CAPITALS.finditer(text):
        word = m.group("code")
        if (
            any(c.isalpha() for c in word)
            and word not in _CURRENCY_CODES
            and word.lower() not in _NOT_CODES
            and not _MAKING.fullmatch(word)
            and not _MONTH_WORD.fullmatch(word)
        ):
            return word, _cut(text, m)
    return None, text


def _discount(text: str) -> tuple[DiscountType | None, Decimal | None]:
    m = _PERCENT.search(text)
    if m:
        return DiscountType.percentage, _amount(m.group("n"))
    m = _FIXED.search(text)
    if m:
        said = next(g for g in m.group("a", "b", "c", "d") if g)
        return DiscountType.fixed, _amount(said)
    if _FREE_SHIPPING.search(text):
        return DiscountType.free_shipping, Decimal(0)
    return None, None


def _spelled(text: str) -> str:
    """Number words as digits where they count something here: "twenty percent", "five
    dollars off", "ten uses"."""
    text = normalise(text)
    return re.sub(
        rf"\b(?P<n>{_NUMBER_WORD})(?=\s*(?:%|percent|per\s*cent|dollars?|bucks?|euros?"
        r"|pounds?|off\b|uses?\b|times\b))",
        lambda m: str(_whole(m.group("n"))),
        text,
        flags=re.IGNORECASE,
    )


def read_new_coupon(text: str, today: date) -> NewCoupon | None:
    """The coupon `text` asks an admin's shop to create (see the module), or None when the
    words ask for no new coupon."""
    said = " ".join(text.split())
    polite = _POLITE.match(said)
    if polite:
        said = said[polite.end() :].rstrip(" ?")
    if not said or _QUESTION.search(said) or _NEGATED.search(said) or _APPLYING.search(said):
        return None
    asks = _ASKS.search(said)
    if asks is None:
        return None
    said = _spelled(said)
    asks = _ASKS.search(said)
    if asks is None:
        return None
    code, rest = _code(said, asks.start("noun"))
    end_date, rest = _end_date(rest, today)
    min_order = None
    m = _MINIMUM.search(rest)
    if m:
        min_order, rest = _amount(m.group("amount")), _cut(rest, m)
    max_uses = None
    m = _USES.search(rest)
    if m:
        said_uses = m.group("once") or next(g for g in m.group("n", "n2", "n3") if g)
        max_uses = 1 if m.group("once") else _whole(said_uses)
        rest = _cut(rest, m)
    kind, value = _discount(rest)
    verb = asks.group("verb")
    if value is None and (
        _ADDING.fullmatch(verb) or (_NEW.fullmatch(verb) and not _LEAD.match(said[: asks.start()]))
    ):
        return None  # "add coupon SAVE10", "I have a new coupon code": a customer's own
    return NewCoupon(code, kind, value, min_order, end_date, max_uses)
