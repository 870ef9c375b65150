"""All user-facing text goes through `t(lang, key, **params)`.

Catalogs live in `handlers/locales/<lang>.py` as a `MESSAGES` dict; adding a language means
adding a catalog (and listing it in CATALOGS). The user's Telegram language is used when a
catalog exists, English otherwise; a key missing from a catalog falls back to English.
Domain errors are worded from their code and params (`error_text`), never from exception text.

Numbers, money and plurals follow the language's locale, through Babel (CLDR data):

- **Money**: `price(amount, currency, lang=...)`. The currency of a shown amount is decided
  here and only here: the amount's own currency when it has one (an order's), otherwise the
  shop's (`CURRENCY` in the settings, set once at start-up with `use_shop_currency`). So a
  call site that passes no currency shows the shop's, never a dollar sign by default.
- **Plurals**: a placeholder may carry its plural forms by CLDR category, with `#` for the
  number: `"{count:one=# item|other=# items}"`. The language's plural rule picks the form
  (English has one/other; Russian one/few/many/other), as gettext's `ngettext` does, in one
  mechanism for every catalog. A value that is not a whole number takes the `other` form.
- **Other numbers**: a `Decimal` parameter is shown with two decimals in the locale's
  notation (`number` formats one with the digits you choose). Whole numbers, counts
  included, are shown as they are (order ids are not grouped).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_currency, format_decimal

from engine.errors import DomainError
from handlers.locales import en

CATALOGS: dict[str, dict[str, str]] = {"en": en.MESSAGES}
DEFAULT = "en"
_PLURAL = re.compile(r"(zero|one|two|few|many|other)=")


class _Shop:
    """The shop's currency, from the settings; USD (the settings' default) until set."""

    currency = "USD"


def use_shop_currency(code: str) -> None:
    """Called once when the bot starts, with `settings.currency`."""
    _Shop.currency = code.upper()


def shop_currency() -> str:
    return _Shop.currency


def language(code: str | None) -> str:
    base = (code or DEFAULT).split("-")[0].lower()
    return base if base in CATALOGS else DEFAULT


@cache
def locale(lang: str | None) -> Locale:
    """The Babel locale of a catalog language: numbers read as the text around them."""
    return Locale.parse(language(lang))


def has_text(lang: str | None, key: str) -> bool:
    """Does the catalog (or English) word `key`? For keys made from data, with a fallback."""
    return key in CATALOGS.get(language(lang), CATALOGS[DEFAULT]) or key in CATALOGS[DEFAULT]


def t(lang: str | None, key: str, **params: Any) -> str:
    catalog = CATALOGS.get(language(lang), CATALOGS[DEFAULT])
    template = catalog.get(key) or CATALOGS[DEFAULT][key]
    where = locale(lang)
    return template.format(**{k: _Param(v, where) for k, v in params.items()})


class _Param:
    """One parameter on its way into a template: plural forms chosen, decimals localised."""

    __slots__ = ("locale", "value")

    def __init__(self, value: Any, where: Locale) -> None:
        self.value, self.locale = value, where

    def __format__(self, spec: str) -> str:
        if _PLURAL.match(spec):
            return self._plural(spec)
        if isinstance(self.value, Decimal) and not spec:
            return format_decimal(self.value, format="#,##0.00", locale=self.locale)
        return format(self.value, spec)

    def _plural(self, spec: str) -> str:
        forms = dict(part.split("=", 1) for part in spec.split("|"))
        value = self.value
        if isinstance(value, int) and not isinstance(value, bool):
            form = forms.get(self.locale.plural_form(value)) or forms["other"]
            return form.replace("#", str(value))  # as any whole number: not grouped
        return forms["other"].replace("#", str(value))


def plural(lang: str | None, count: int, forms: str) -> str:
    """`forms` as in a template (`"one=# item|other=# items"`), for text built in code."""
    return format(_Param(count, locale(lang)), forms)


def price(amount: Decimal, currency: str | None = None, *, lang: str | None = None) -> str:
    """An amount of money for the reader: in `currency` (an order's own), else the shop's."""
    return format_currency(amount, currency or _Shop.currency, locale=locale(lang))


def number(value: Decimal | int, lang: str | None = None, *, digits: int | None = None) -> str:
    """A number in the locale's notation; `digits` fixes how many decimals it shows."""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def error_text(lang: str | None, error: DomainError) -> str:
    """The friendly sentence for a domain error, from its code and params."""
    params = dict(error.params)
    key = f"error.{error.code}"
    if error.code == "coupon_rejected":
        key = f"error.coupon.{params.get('reason', 'unknown')}"
    elif error.code == "return_not_allowed":
        key = f"error.return.{params.get('reason', 'not_delivered')}"
    elif error.code == "order_act_not_allowed":
        key = f"error.order_act.{params.get('act')}"
        status = f"status.{params.get('status')}"
        if status in CATALOGS[DEFAULT]:
            params["status"] = t(lang, status)
    elif error.code == "invalid_input":
        specific = f"error.invalid.{params.get('field')}.{params.get('rule')}"
        key = specific if specific in CATALOGS[DEFAULT] else "error.invalid_input"
    elif error.code == "forbidden" and params.get("action") in (
        "admin_only",
        "seller_only",
        "seller_not_active",
    ):
        key = f"error.forbidden.{params['action']}"
    if key not in CATALOGS[DEFAULT]:
        key = "error.domain_error"
    if error.code == "insufficient_stock":
        items = params.get("items") or [{}]
        params = {"available": items[0].get("available", 0)}
        if not params["available"]:
            key = "error.insufficient_stock.sold_out"  # not "only 0 left"
    for money_param in ("short_by", "price"):  # amounts of money, shown as money
        if isinstance(params.get(money_param), Decimal):
            params[money_param] = price(params[money_param], lang=lang)
    safe = {k: v for k, v in params.items() if isinstance(v, str | int | Decimal)}
    try:
        return t(lang, key, **safe)
    except KeyError:  # a template wants a param this error did not carry
        return t(lang, "error.domain_error")
