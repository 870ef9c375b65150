"""What every Mini App request handler reaches: the shop, the bot, the settings, the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram import Bot
from aiohttp import web

from engine.shop import Shop
from handlers.webapp.auth import Callers

if TYPE_CHECKING:
    from handlers.webapp import WebAppConfig


@dataclass(frozen=True)
class WebApp:
    shop: Shop
    bot: Bot
    config: WebAppConfig
    callers: Callers


CONTEXT = web.AppKey("webapp", WebApp)


def context(request: web.Request) -> WebApp:
    return request.app[CONTEXT]
