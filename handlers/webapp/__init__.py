"""The shop as a Telegram Mini App: a page and its JSON API, served by the bot's own web server.

    /app/                   the page (static/index.html, Telegram's WebApp script put in)
    /app/<file>             the page's own files (static/)
    /app/api/...            the JSON API (api.py customers, seller.py, admin.py)
    /app/api/media/<id>     a product photo (media.py); the only API path without initData

Every API call is authenticated by Telegram's signed initData (auth.py) and made as that
user through the engine, like a chat update: the Mini App is another face of the same shop,
with the same cart, orders and rules. A `DomainError` comes back as
`{"error": code, "message": <the chat's words for it, in the user's language, as plain text>}`.
See docs/mini-app.md for the API and its settings.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from pathlib import Path

from aiogram import Bot
from aiohttp import web

from engine.errors import (
    Banned,
    CartChanged,
    DomainError,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    Outdated,
    PaymentInFlight,
)
from engine.shop import Shop
from handlers.customer.checkout import PaymentConfig
from handlers.i18n import error_text, t
from handlers.webapp import admin, api, media, seller
from handlers.webapp.api import plain
from handlers.webapp.auth import CALLER, Callers, Unauthorized, reader_language, signed_init_data
from handlers.webapp.context import CONTEXT, WebApp
from storage.vocabulary import UserStatus

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
SCRIPT_PLACEHOLDER = "<!-- telegram-web-app-script -->"
PUBLIC = frozenset({"media"})  # API routes a browser fetches without initData (<img src>)
_CONFLICT = (CartChanged, Outdated, IllegalTransition, PaymentInFlight)
# an amount of money typed as something else ("abc"): the chat's words for it, not the
# catalogs' generic "That does not look right"
_AMOUNTS = frozenset({"price", "discount_price", "value", "min_order", "amount"})

__all__ = ["TELEGRAM_SCRIPT", "WebAppConfig", "build_app"]


@dataclass(frozen=True)
class WebAppConfig:
    """The settings the Mini App needs (bot/runner.py builds it from bot.settings)."""

    bot_token: str
    media_dir: Path
    payments: PaymentConfig = field(default_factory=lambda: PaymentConfig(provider_token=None))
    script_url: str = TELEGRAM_SCRIPT
    max_age: timedelta = timedelta(days=1)


def build_app(shop: Shop, bot: Bot, config: WebAppConfig) -> web.Application:
    """The Mini App as an aiohttp application, to mount at /app/ on the bot's web server."""
    app = web.Application(middlewares=[_api_guard])
    app[CONTEXT] = WebApp(shop, bot, config, Callers(shop))
    app.router.add_get("/", _index)
    for module in (api, seller, admin, media):
        app.router.add_routes(module.routes())
    app.router.add_get("/{name:[A-Za-z0-9_.-]+}", _static_file)
    return app


async def _index(request: web.Request) -> web.Response:
    """The page, with the WebApp script of this deployment (telegram.org's, or the
    sandbox's local one) in place of its placeholder."""
    config = request.app[CONTEXT].config
    try:
        page = (STATIC / "index.html").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise web.HTTPNotFound() from None
    script = f'<script src="{escape(config.script_url, quote=True)}"></script>'
    page = page.replace(SCRIPT_PLACEHOLDER, script, 1)
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-cache"})


async def _static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = STATIC / name
    if name.startswith(".") or name == "index.html" or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "no-cache"})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _api_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /app/api/ call: authenticated (401 refuses anyone unsigned, 403 a banned user),
    and its refusals turned into JSON in the caller's language."""
    route = request.match_info.route
    if "/api/" not in request.path or route.name in PUBLIC:
        return await handler(request)
    context = request.app[CONTEXT]
    try:
        data = signed_init_data(
            context.config.bot_token,
            request.headers.get("Authorization"),
            max_age=context.config.max_age,
        )
    except Unauthorized as refused:
        log.info("mini app call refused (%s): %s %s", refused.why, request.method, request.path)
        message = plain(t(reader_language(request), "webapp.unauthorized"))
        return web.json_response({"error": "unauthorized", "message": message}, status=401)
    lang = reader_language(request)
    try:
        who = await context.callers.resolve(data)
        lang = who.lang
        if who.user.status == UserStatus.banned:
            raise Banned(reason=who.user.status_reason)
        request[CALLER] = who
        return await handler(request)
    except web.HTTPException:
        raise
    except DomainError as error:
        return refusal(error, lang)
    except Exception:
        log.exception("mini app call failed: %s %s", request.method, request.path)
        return web.json_response({"error": "internal"}, status=500)


def refusal(error: DomainError, lang: str) -> web.Response:
    """A domain error as the API answers it: its code, and the chat's words for it."""
    if isinstance(error, Banned):
        reason = error.params.get("reason") or "—"
        return web.json_response(
            {"error": "banned", "message": plain(t(lang, "banned", reason=reason))}, status=403
        )
    status = 400
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Forbidden):
        status = 403
    elif isinstance(error, _CONFLICT):
        status = 409
    said = error_text(lang, error)
    if isinstance(error, InvalidInput) and (
        error.params.get("rule") == "number" and error.params.get("field") in _AMOUNTS
    ):
        said = t(lang, "seller.new.bad_number")
    # the chat's words are Telegram HTML: the page shows text as text
    body: dict[str, object] = {"error": error.code, "message": plain(said)}
    if isinstance(error, InvalidInput) and error.params.get("field"):
        body["field"] = error.params["field"]
    return web.json_response(body, status=status)
