"""All user-facing text goes through `t(lang, key, **params)`.

The words are gettext catalogs, one per language: `handlers/locales/<lang>/LC_MESSAGES/
messages.po`, keyed by message key (handlers/locales/__init__.py tells the layout). Each is
compiled by Babel into an in-memory .mo and read by gettext's `GNUTranslations` the first
time that language is spoken; nothing is built ahead of time. A language is used when the
reader's code (Telegram's `language_code`, or the one they chose in their profile) has a
catalog, English otherwise; a message a catalog lacks, or has fuzzy or untranslated, comes
from English. Adding a language is adding a catalog:
`python -m handlers.locales new <code>`, then translating it.

Domain errors are worded from their code and params (`error_text`), never from exception
text. Numbers, money, dates and plurals follow the language's locale:

- **Plurals**: a message that counts is a plural entry of the catalog (msgid_plural names
  the parameter that counts), and gettext's `ngettext` picks the form by the catalog's
  Plural-Forms: `t("en", "cart.clear.ask", count=3)`. A value that is not a whole number
  (a dash for "not known") takes the catalog's last form (English's and Spanish's plural).
- **Money**: `price(amount, currency, lang=...)`, through Babel (CLDR data). The currency of
  a shown amount is decided here and only here: the amount's own currency when it has one
  (an order's), otherwise the shop's (`CURRENCY` in the settings, set once at start-up with
  `use_shop_currency`). So a call site that passes no currency shows the shop's, never a
  dollar sign by default.
- **Other numbers**: a `Decimal` parameter is shown with two decimals in the locale's
  notation (`number` formats one with the digits you choose). Whole numbers, counts
  included, are shown as they are (order ids are not grouped).
- **Dates**: `day` and `moment`, in the pattern the catalog gives (`format.day`,
  `format.moment`: "05 Mar 2026" in English, "5 mar 2026" in Spanish) or in CLDR's for a
  skeleton.

Why not aiogram's I18n middleware: it keeps one locale per update in a context variable,
and much of what the bot says is for someone else (a seller's new order, an outbox
notification, an e-mail), worded in the reader's language, not the sender's. Every render
function here takes `lang` explicitly instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.numbers import format_currency, format_decimal

from engine.errors import DomainError
from handlers import locales

DEFAULT = locales.REFERENCE
LANGUAGES: tuple[str, ...] = locales.languages()  # the ones with a catalog, English first


class _Shop:
    """The shop's currency, from the settings; USD (the settings' default) until set."""

    currency = "USD"


def use_shop_currency(code: str) -> None:
    """Called once when the bot starts, with `settings.currency`."""
    _Shop.currency = code.upper()


def shop_currency() -> str:
    return _Shop.currency


def language(code: str | None) -> str:
    """The catalog language for a Telegram `language_code` ("es-419" → "es")."""
    base = (code or DEFAULT).split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def language_name(lang: str) -> str:
    """A language's name in itself, as a choice of language shows it: English, Español."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


@cache
def locale(lang: str | None) -> Locale:
    """The Babel locale of a catalog language: numbers read as the text around them."""
    return Locale.parse(language(lang))


class Catalog:
    """One language's words: its .po compiled into gettext's translations, which parameter
    counts in each plural message, and the catalog to ask for what this one lacks."""

    def __init__(
        self, lang: str, fallback: Catalog | None = None, *, root: Path = locales.ROOT
    ) -> None:
        po = locales.read(lang, root)
        found = locales.entries(po)
        for entry in found.values():  # fuzzy or untranslated: the fallback's words instead
            if not entry.usable:
                po.delete((entry.key, entry.count) if entry.count else entry.key)
        mo = BytesIO()
        write_mo(mo, po)
        mo.seek(0)
        self.lang = lang
        self.gettext = GNUTranslations(mo)
        self.fallback = fallback
        self.keys = frozenset(key for key, entry in found.items() if entry.usable)
        self.counts = {key: e.count for key, e in found.items() if e.count and e.usable}
        self._last = {key: found[key].forms[-1] for key in self.counts}

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.keys))

    def __len__(self) -> int:
        return len(self.keys)

    def template(self, key: str, params: Mapping[str, Any]) -> str:
        """The text of `key` for these params: for a plural message, the form for its count."""
        if key not in self.keys:
            if self.fallback is None:
                raise KeyError(key)
            return self.fallback.template(key, params)
        count = self.counts.get(key)
        if count is None:
            return self.gettext.gettext(key)
        n = params[count]  # a KeyError, as str.format's for a missing parameter
        if isinstance(n, int) and not isinstance(n, bool):
            return self.gettext.ngettext(key, count, n)
        return self._last[key]


@cache
def catalog(lang: str) -> Catalog:
    """A catalog language's words, compiled the first time they are needed."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    return Catalog(lang, None if lang == DEFAULT else catalog(DEFAULT))


class _Catalogs(Mapping[str, Catalog]):
    """Every catalog by language, each compiled when first asked for."""

    def __getitem__(self, lang: str) -> Catalog:
        return catalog(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


CATALOGS: Mapping[str, Catalog] = _Catalogs()  # `key in CATALOGS[DEFAULT]`: is it worded?


def has_text(lang: str | None, key: str) -> bool:
    """Does the catalog (or English) word `key`? For keys made from data, with a fallback."""
    return key in catalog(language(lang)) or key in catalog(DEFAULT)


_POSSESSIVE = re.compile(r"\{(\w+)\}'s\b")


def _possessive(template: str, params: dict[str, Any]) -> str:
    """A name in a template's "{store}'s" takes just an apostrophe when it ends in s:
    "Urban Threads' parcel", not "Urban Threads's parcel" (the rule lives here, once)."""

    def one(match: re.Match[str]) -> str:
        value = str(params.get(match.group(1), ""))
        return match.group(0)[:-1] if value.lower().endswith("s") else match.group(0)

    return _POSSESSIVE.sub(one, template) if "}'s" in template else template


def t(lang: str | None, key: str, **params: Any) -> str:
    template = _possessive(catalog(language(lang)).template(key, params), params)
    where = locale(lang)
    return template.format(**{k: _Param(v, where) for k, v in params.items()})


class _Param:
    """One parameter on its way into a template: decimals in the reader's notation."""

    __slots__ = ("locale", "value")

    def __init__(self, value: Any, where: Locale) -> None:
        self.value, self.locale = value, where

    def __format__(self, spec: str) -> str:
        if isinstance(self.value, Decimal) and not spec:
            return format_decimal(self.value, format="#,##0.00", locale=self.locale)
        return format(self.value, spec)


def price(amount: Decimal, currency: str | None = None, *, lang: str | None = None) -> str:
    """An amount of money for the reader: in `currency` (an order's own), else the shop's."""
    return format_currency(amount, currency or _Shop.currency, locale=locale(lang))


def number(value: Decimal | int, lang: str | None = None, *, digits: int | None = None) -> str:
    """A number in the locale's notation; `digits` fixes how many decimals it shows."""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def day(value: date, lang: str | None, *, skeleton: str | None = None) -> str:
    """A day for the reader: in the catalog's pattern (`format.day`: "05 Mar 2026",
    "5 mar 2026"), or in CLDR's for a `skeleton` ("yMMMd": "Mar 5, 2026", "5 mar 2026")."""
    if skeleton is not None:
        return format_skeleton(skeleton, value, locale=locale(lang))
    return format_date(value, t(lang, "format.day"), locale=locale(lang))


def moment(value: datetime, lang: str | None) -> str:
    """A point in time, in UTC, in the catalog's pattern: "05 Mar 2026, 14:30 UTC"."""
    return format_datetime(value, t(lang, "format.moment"), tzinfo=UTC, locale=locale(lang))


def error_text(lang: str | None, error: DomainError) -> str:
    """The friendly sentence for a domain error, from its code and params."""
    english = catalog(DEFAULT)
    params = dict(error.params)
    key = f"error.{error.code}"
    if error.code == "coupon_rejected":
        key = f"error.coupon.{params.get('reason', 'unknown')}"
    elif error.code == "return_not_allowed":
        key = f"error.return.{params.get('reason', 'not_delivered')}"
    elif error.code == "order_act_not_allowed":
        key = f"error.order_act.{params.get('act')}"
        status = f"status.{params.get('status')}"
        if status in english:
            params["status"] = t(lang, status)
    elif error.code == "illegal_transition":  # "for this store", not "for this order"
        specific = f"error.illegal_transition.{params.get('machine')}"
        key = specific if specific in english else "error.illegal_transition"
    elif error.code == "invalid_input":  # a `case` may word it more closely, when worded
        specific = f"error.invalid.{params.get('field')}.{params.get('rule')}"
        closer = f"{specific}.{params.get('case')}"
        key = next((k for k in (closer, specific) if k in english), "error.invalid_input")
    elif error.code == "forbidden" and params.get("action") in (
        "admin_only",
        "seller_only",
        "seller_not_active",
    ):
        key = f"error.forbidden.{params['action']}"
    if key not in english:
        key = "error.domain_error"
    if error.code == "insufficient_stock":
        items = params.get("items") or [{}]
        params = {"available": items[0].get("available", 0)}
        if not params["available"]:
            key = "error.insufficient_stock.sold_out"  # not "only 0 left"
    for money_param in ("short_by", "price", "discount"):  # amounts of money, shown as money
        if isinstance(params.get(money_param), Decimal):
            params[money_param] = price(params[money_param], lang=lang)
    safe = {k: v for k, v in params.items() if isinstance(v, str | int | Decimal)}
    try:
        return t(lang, key, **safe)
    except KeyError:  # a template wants a param this error did not carry
        return t(lang, "error.domain_error")
