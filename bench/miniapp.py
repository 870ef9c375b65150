"""The Mini App's storefront API at scale: browse and search over HTTP against hand-written SQL.

The data set and the baseline are bench/catalog.py's (`loaded`, `hand_browse`, `hand_search`):
100,000 bulk-inserted products, and one hand-written SQL statement pair (the page, and its
total) per call. The API is served as in production: `bot.runner.mini_app` builds
`handlers.webapp.build_app` from the bot's settings, `bot.runner._service_app` mounts it at
/app/ beside /healthz, and `bot.runner._start_web` listens on a free port on 127.0.0.1. Every
call goes over HTTP (one keep-alive client session, as a page's fetches are) with
`Authorization: tma <initData>`, signed as Telegram signs it (`sandbox.webapp.init_data` with
the bot's token), so each one is authenticated and its user resolved as a real one is.

- browse: `GET /app/api/products?category=<top>&sort=popular&page=N`, the same pages as the
  catalog rows (1, 2, 3, 6, 11, 51), 20 cards a page with store names and photos; baseline:
  `hand_browse` for the same 20 rows and the total.
- search: `GET /app/api/products?q=...`, catalog.py's 8 queries (two with typos), first page;
  baseline: `hand_search` for 20 rows and the total.

The time is the whole round trip as a client sees it: request, authentication, the engine,
presenting, JSON both ways.

Run alone: python -m bench.miniapp [--products 100000] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiogram import Bot
from pydantic import AnyHttpUrl, SecretStr

from bench.catalog import (
    PAGES,
    QUERIES,
    Catalog,
    command_line,
    hand_browse,
    hand_search,
    loaded,
    on_databases,
    p95,
)
from bench.common import Row, free_port, lower
from bot.runner import _service_app, _start_web, mini_app
from bot.settings import Settings
from handlers.webapp.api import PAGE_SIZE
from sandbox.webapp import init_data

TOKEN = "123456789:AAE" + "bench-mini-app-0123456789abcdefg"
BUYER = {"id": 700_000_001, "first_name": "Bench", "language_code": "en"}
PUBLIC_URL = "https://shop.example.com/app/"  # what a proxy would serve; only buttons use it


class Storefront:
    """An HTTP client of the Mini App's API, signed in as one Telegram user."""

    def __init__(self, session: aiohttp.ClientSession, base: str, init: str) -> None:
        self.session, self.base = session, base
        self.headers = {"Authorization": f"tma {init}"}

    async def products(self, **query: str | int) -> dict[str, Any]:
        url = f"{self.base}/app/api/products"
        params = {k: str(v) for k, v in query.items()}
        async with self.session.get(url, params=params, headers=self.headers) as response:
            answer: dict[str, Any] = await response.json()
            if response.status != 200:
                raise RuntimeError(f"GET products {params}: {response.status} {answer}")
            return answer


@asynccontextmanager
async def serving(data: Catalog) -> AsyncIterator[Storefront]:
    """The bot's web server with the Mini App over `data`, and a signed-in client of it."""
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=data.url.render_as_string(hide_password=False),
        bot_token=SecretStr(TOKEN),
        webapp_url=AnyHttpUrl(PUBLIC_URL),
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    bot = Bot(TOKEN)  # never called by the storefront's calls
    webapp = mini_app(settings, data.shop, bot)
    assert webapp is not None
    runner = await _start_web(settings, _service_app(settings, data.engine, data.shop, webapp))
    try:
        async with aiohttp.ClientSession() as session:
            yield Storefront(session, f"http://127.0.0.1:{port}", init_data(TOKEN, BUYER))
    finally:
        await runner.cleanup()
        await bot.session.close()


async def measure(kind: str, products: int) -> list[Row]:
    async with loaded(kind, products) as data, serving(data) as app:
        engine, top = data.engine, data.top
        first = await app.products(category=top, sort="popular")
        if first["total"] == 0 or len(first["items"]) != min(PAGE_SIZE, first["total"]):
            raise RuntimeError(f"the storefront shows {first['total']} of {products} products")
        browse = await p95(
            lambda n: app.products(category=top, sort="popular", page=PAGES[n % len(PAGES)] + 1)
        )
        browse_sql = await p95(lambda n: hand_browse(engine, top, PAGES[n % len(PAGES)], PAGE_SIZE))
        search = await p95(lambda n: app.products(q=QUERIES[n % len(QUERIES)]))
        search_sql = await p95(lambda n: hand_search(engine, QUERIES[n % len(QUERIES)], PAGE_SIZE))
    return [
        lower(f"Mini App browse p95 (HTTP), {data.label}", browse, browse_sql, "ms", "SQL", 2),
        lower(f"Mini App search p95 (HTTP), {data.label}", search, search_sql, "ms", "SQL", 2),
    ]


async def rows(products: int = 100_000, databases: str = "both") -> list[Row]:
    return await on_databases("Mini App storefront", measure, products, databases)


def main() -> None:
    command_line(__doc__, rows)


if __name__ == "__main__":
    main()
