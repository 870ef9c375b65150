"""All user-facing text goes through `t(lang, key, **params)`.

Catalogs live in `handlers/locales/<lang>.py` as a `MESSAGES` dict; adding a language means
adding a catalog (and listing it in CATALOGS). The user's Telegram language is used when a
catalog exists, English otherwise; a key missing from a catalog falls back to English.
Domain errors are worded from their code and params (`error_text`), never from exception text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.errors import DomainError
from handlers.locales import en

CATALOGS: dict[str, dict[str, str]] = {"en": en.MESSAGES}
DEFAULT = "en"


def language(code: str | None) -> str:
    base = (code or DEFAULT).split("-")[0].lower()
    return base if base in CATALOGS else DEFAULT


def t(lang: str | None, key: str, **params: Any) -> str:
    catalog = CATALOGS.get(language(lang), CATALOGS[DEFAULT])
    template = catalog.get(key) or CATALOGS[DEFAULT][key]
    return template.format(**{k: _show(v) for k, v in params.items()})


def _show(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return value


def price(amount: Decimal, currency: str = "USD") -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


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
    if "short_by" in params and isinstance(params["short_by"], Decimal):
        params["short_by"] = price(params["short_by"])
    safe = {k: v for k, v in params.items() if isinstance(v, str | int | Decimal)}
    try:
        return t(lang, key, **safe)
    except KeyError:  # a template wants a param this error did not carry
        return t(lang, "error.domain_error")
