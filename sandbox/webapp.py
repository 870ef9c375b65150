"""Mini Apps as Telegram's apps open them: signed initData, the launch URL, themes, links.

Telegram opens a Mini App page with its launch parameters in the URL fragment:

    <the bot's URL>#tgWebAppData=<initData>&tgWebAppVersion=8.0&tgWebAppPlatform=weba
                   &tgWebAppThemeParams=<JSON>

`initData` is a query string (`query_id`, `user` as JSON, `auth_date`, `start_param` when the
app was opened by a link that carries one, `chat_type`, `chat_instance`) plus `hash`: the hex
HMAC-SHA256 of the other fields as sorted `key=value` lines joined by a newline, keyed by
HMAC-SHA256(key="WebAppData", msg=<bot token>). The bot's server validates it with the same
token (aiogram: `aiogram.utils.web_app.safe_parse_webapp_init_data`). A Mini App opened from a
reply-keyboard button gets no initData at all (Telegram's "keyboard button Mini Apps" carry no
user information; they may only send data back with `sendData`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

VERSION = "8.0"  # the Bot API version whose Mini App features the sandbox's panel offers
PLATFORM = "weba"  # what Telegram Web (version A) reports

# Telegram's theme parameters for a light and a dark client (the keys Telegram sends).
LIGHT: dict[str, str] = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
    "header_bg_color": "#ffffff",
    "bottom_bar_bg_color": "#ffffff",
    "accent_text_color": "#3390ec",
    "section_bg_color": "#ffffff",
    "section_header_text_color": "#3390ec",
    "section_separator_color": "#e7e7e7",
    "subtitle_text_color": "#707579",
    "destructive_text_color": "#e53935",
}
DARK: dict[str, str] = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#0f0f0f",
    "header_bg_color": "#212121",
    "bottom_bar_bg_color": "#212121",
    "accent_text_color": "#8774e1",
    "section_bg_color": "#212121",
    "section_header_text_color": "#aaaaaa",
    "section_separator_color": "#100f10",
    "subtitle_text_color": "#aaaaaa",
    "destructive_text_color": "#e53935",
}
THEMES: dict[str, dict[str, str]] = {"light": LIGHT, "dark": DARK}


def _secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def data_check_string(fields: Mapping[str, str]) -> str:
    """The text Telegram signs: every field but `hash`, as sorted `key=value` lines."""
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")


def sign(token: str, fields: Mapping[str, str]) -> str:
    """`fields` plus their `hash`, as the query string Telegram hands to the page."""
    digest = hmac.new(_secret_key(token), data_check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()}, quote_via=quote)


def init_data(
    token: str,
    user: Mapping[str, Any],
    *,
    auth_date: int | None = None,
    query_id: str | None = None,
    start_param: str | None = None,
    chat_type: str = "sender",
    chat_instance: str | None = None,
) -> str:
    """Signed initData for `user` (a Bot API User object; `is_bot` is left out, as Telegram
    does). `auth_date` defaults to now; tests pass an old one to check a maximum age."""
    person = {k: v for k, v in user.items() if k != "is_bot" and v is not None}
    person.setdefault("allows_write_to_pm", True)
    fields: dict[str, str] = {}
    if query_id is not None:
        fields["query_id"] = query_id
    fields["user"] = json.dumps(person, ensure_ascii=False, separators=(",", ":"))
    fields["auth_date"] = str(int(time.time()) if auth_date is None else auth_date)
    if start_param is not None:
        fields["start_param"] = start_param
    fields["chat_type"] = chat_type
    if chat_instance is not None:
        fields["chat_instance"] = chat_instance
    return sign(token, fields)


def new_query_id() -> str:
    """A Mini App session id in Telegram's shape (it names the session for answerWebAppQuery)."""
    return "AAH" + secrets.token_urlsafe(21)


def launch_url(url: str, data: str, theme: str = "light") -> str:
    """The page's address with Telegram's launch parameters in the fragment (`data` may be
    empty: a keyboard-button Mini App gets no initData)."""
    fragment = urlencode(
        {
            "tgWebAppData": data,
            "tgWebAppVersion": VERSION,
            "tgWebAppPlatform": PLATFORM,
            "tgWebAppThemeParams": json.dumps(THEMES[theme], separators=(",", ":")),
        },
        quote_via=quote,
    )
    return f"{url}{'&' if '#' in url else '#'}{fragment}"


@dataclass(frozen=True)
class AppLink:
    """A `https://t.me/<bot>?startapp=<param>` or `t.me/<bot>/<app>?startapp=` link."""

    bot_username: str
    app: str | None
    start_param: str | None


_LINK = re.compile(r"/(?P<bot>[A-Za-z]\w{3,31})(?:/(?P<app>[A-Za-z]\w{2,63}))?/?")
_START_PARAM = re.compile(r"[A-Za-z0-9_-]{0,512}")


def parse_app_link(url: str) -> AppLink | None:
    """The Mini App a t.me link opens, or None when it is another kind of link."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.hostname not in ("t.me", "telegram.me"):
        return None
    match = _LINK.fullmatch(parts.path)
    if match is None:
        return None
    query = parse_qs(parts.query, keep_blank_values=True)
    if match["app"] is None and "startapp" not in query:
        return None  # t.me/<bot> alone opens the chat, not the app
    start = query.get("startapp", [None])[0]
    if start is not None and not _START_PARAM.fullmatch(start):
        return None
    return AppLink(match["bot"], match["app"], start or None)


__all__ = [
    "DARK",
    "LIGHT",
    "PLATFORM",
    "THEMES",
    "VERSION",
    "AppLink",
    "data_check_string",
    "init_data",
    "launch_url",
    "new_query_id",
    "parse_app_link",
    "sign",
]
