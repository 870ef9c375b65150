"""Who is calling the Mini App's API: Telegram's signed `initData`, checked on every call.

The page sends `Authorization: tma <initData>`: the query string Telegram gave it
(`Telegram.WebApp.initData`). Its `hash` is an HMAC-SHA256 of the other fields keyed by
HMAC-SHA256("WebAppData", bot token), exactly as Telegram specifies; aiogram's
`safe_parse_webapp_init_data` checks it. Data older than the maximum age (`auth_date`) is
refused as well, so a leaked initData stops working. The user it names is then signed up or
refreshed through the engine (`Accounts.register_from_telegram`, as the chat's ShopUser
middleware does), and every engine call made for the request acts as that user: bans, roles
and ownership hold as in the chat.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from aiohttp import web

from engine.accounts import TelegramIdentity, UserView
from engine.errors import NotFound
from engine.shop import Shop
from handlers.i18n import language

log = logging.getLogger(__name__)

SCHEME = "tma"
CLOCK_SKEW = timedelta(minutes=5)  # an auth_date this far ahead of our clock still counts


class Unauthorized(Exception):
    """No initData, a forged one, or one too old: the request changes nothing."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Caller:
    """The shop user behind a request, in the language the shop speaks to them."""

    user: UserView
    lang: str
    init: WebAppInitData

    @property
    def id(self) -> int:
        return int(self.user.id)


def signed_init_data(
    token: str,
    header: str | None,
    *,
    max_age: timedelta,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> WebAppInitData:
    """The initData of an `Authorization: tma <initData>` header, if Telegram signed it for
    this bot within `max_age`; otherwise `Unauthorized` saying why (for the log)."""
    scheme, _, raw = (header or "").strip().partition(" ")
    if scheme.lower() != SCHEME or not raw.strip():
        raise Unauthorized("missing")
    try:
        data = safe_parse_webapp_init_data(token, raw.strip())
    except Exception:  # a wrong hash, or fields that do not parse: forged either way
        raise Unauthorized("signature") from None
    signed = data.auth_date if data.auth_date.tzinfo else data.auth_date.replace(tzinfo=UTC)
    age = now() - signed
    if age > max_age or age < -CLOCK_SKEW:
        raise Unauthorized("expired")
    if data.user is None or data.user.id <= 0:
        raise Unauthorized("no_user")
    return data


class Callers:
    """Resolves a signed initData to the shop's user. A user already seen by this process
    with the same names and language is only read (`Accounts.me`: a ban still bites at once);
    anyone else is signed up or refreshed, as the chat's middleware does."""

    def __init__(self, shop: Shop, remember: int = 10_000) -> None:
        self.shop = shop
        self.remember = remember
        self.known: OrderedDict[TelegramIdentity, int] = OrderedDict()

    async def resolve(self, data: WebAppInitData) -> Caller:
        assert data.user is not None
        who = data.user
        identity = TelegramIdentity(
            who.id, who.first_name, who.last_name, who.username, who.language_code
        )
        user = await self._account(identity)
        return Caller(user, language(user.language_code), data)

    async def _account(self, identity: TelegramIdentity) -> UserView:
        user_id = self.known.get(identity)
        if user_id is not None:
            try:
                me = await self.shop.accounts.me(user_id)
            except NotFound:
                del self.known[identity]
            else:
                self.known.move_to_end(identity)
                return me
        me = await self.shop.accounts.register_from_telegram(identity)
        self.known[identity] = int(me.id)
        while len(self.known) > self.remember:
            self.known.popitem(last=False)
        return me


CALLER = web.RequestKey("caller", Caller)  # set by the API's middleware


def caller(request: web.Request) -> Caller:
    """The authenticated caller of an API request."""
    return request[CALLER]


def reader_language(request: web.Request) -> str:
    """For a refusal before anyone is known: the browser's first language."""
    accepted = request.headers.get("Accept-Language", "")
    return language(accepted.split(",")[0].split(";")[0].strip() or None)
