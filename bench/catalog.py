"""The catalog at scale: 100,000 products, browse and search against hand-written SQL.

Products are bulk-inserted (Core executemany, not the engine's one-by-one create_product) with
names drawn from a shop vocabulary (brand, colour, material, kind) so that search has real
work: typo-tolerant matching against the catalog's words, then ranking. Each figure is the
p95 of the engine call (`shop.catalog.browse` / `shop.catalog.search`) beside the p95 of one
hand-written SQL statement pair (the page, and its total) returning the same rows.

`loaded` (the filled database), `hand_browse` / `hand_search` (the SQL baseline), `PAGES`,
`QUERIES` and `p95` are shared with bench/miniapp.py, which measures the same browse and search
through the Mini App's HTTP API against the same baseline.

Run alone: python -m bench.catalog [--products 100000] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checkout import Market
from bench.common import DATABASES, Row, database, lower, percentile, pg_available, skipped, table
from engine.base import Deps, Rules
from engine.catalog import BrowseQuery, Sort
from engine.shop import Shop
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Product
from storage.uow import UnitOfWork
from storage.vocabulary import ProductStatus

BRANDS = [
    f"{a}{b}"
    for a in ("Nor", "Vel", "Kas", "Tor", "Mira", "Bel", "Zan", "Oka")
    for b in ("dex", "ora", "ind", "ust", "ello", "ami", "ton", "vik")
]
COLOURS = ["Red", "Blue", "Black", "White", "Green", "Grey", "Navy", "Olive", "Beige", "Pink"]
MATERIALS = ["Cotton", "Wool", "Linen", "Leather", "Denim", "Steel", "Bamboo", "Ceramic"]
KINDS = [
    "Hoodie",
    "Tee",
    "Jacket",
    "Scarf",
    "Kettle",
    "Mug",
    "Backpack",
    "Sneakers",
    "Lamp",
    "Wallet",
    "Jeans",
    "Blanket",
    "Teapot",
    "Belt",
    "Cap",
    "Socks",
]
QUERIES = [
    "cotton hoodie",
    "red kettle",
    "wool scarf",
    "leather wallet",
    "hoddie",
    "denim jakcet",
    "navy sneakers",
    "ceramic teapot",
]
SAMPLES = 40
PAGES = [0, 1, 2, 5, 10, 50]  # browse pages measured (0-based), cycled through the samples


async def _fill(engine: AsyncEngine, shop: Shop, products: int) -> tuple[int, float]:
    """Categories through the engine, then `products` rows in bulk; (top category, seconds)."""
    market = await Market.build(shop, buyers=0)
    async with shop.deps.uow() as uow:
        admin_id = int(
            (await uow.session.execute(text("SELECT min(user_id) FROM users"))).scalar_one()
        )
    top = await shop.catalog.create_category(admin_id, "Everything")
    leaves = [
        (await shop.catalog.create_category(admin_id, kind, parent_id=top.category_id)).category_id
        for kind in KINDS
    ]
    seller_id = await market.seller_id()
    rng = random.Random(8)  # noqa: S311 - reproducible data, not security
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for n in range(products):
        kind = rng.randrange(len(KINDS))
        name = f"{rng.choice(BRANDS)} {rng.choice(COLOURS)} {rng.choice(MATERIALS)} {KINDS[kind]}"
        stock = rng.choice([0, 3, 10, 25, 100])
        price = Decimal(rng.randrange(500, 20000)) / 100
        batch.append(
            {
                "seller_id": seller_id,
                "category_id": leaves[kind],
                "name": name,
                "slug": f"p-{n}",
                "sku": f"SKU{n:07d}",
                "price": price,
                "discount_price": (price * Decimal("0.8")).quantize(Decimal("0.01"))
                if n % 5 == 0
                else None,
                "stock_quantity": stock,
                "status": ProductStatus.active if stock else ProductStatus.out_of_stock,
                "sold_count": rng.randrange(0, 500),
            }
        )
        if len(batch) == 5000:
            await _insert(engine, batch)
            batch = []
    if batch:
        await _insert(engine, batch)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")
    return top.category_id, time.perf_counter() - started


async def _insert(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(Product), rows)


async def p95(call: Callable[[int], Awaitable[object]]) -> float:
    """The p95 in ms of `call(n)` over SAMPLES calls (n = 0, 1, ...), after one warm-up."""
    await call(0)  # warm: caches, prepared statements
    times = []
    for n in range(SAMPLES):
        started = time.perf_counter()
        await call(n)
        times.append(time.perf_counter() - started)
    return percentile(times, 95) * 1000


VISIBLE = """
    FROM products p JOIN sellers s ON s.seller_id = p.seller_id
    WHERE p.status IN ('active', 'out_of_stock') AND s.status = 'active'
"""
SUBTREE = """
    WITH RECURSIVE subtree(id) AS (
        SELECT category_id FROM categories WHERE category_id = :top
        UNION ALL SELECT c.category_id FROM categories c JOIN subtree t ON c.parent_id = t.id)
"""


async def hand_browse(engine: AsyncEngine, top: int, page: int, size: int = 10) -> list[Any]:
    """The baseline for a browse page: `top`'s subtree, by popularity, page `page` (0-based)
    of `size` rows, and the total, in hand-written SQL."""
    where = f"{VISIBLE} AND p.category_id IN (SELECT id FROM subtree)"  # noqa: S608 - constants
    page_sql = f"{SUBTREE} SELECT p.* {where} ORDER BY p.sold_count DESC, p.product_id"
    async with engine.connect() as connection:
        total = (
            await connection.execute(text(f"{SUBTREE} SELECT count(*) {where}"), {"top": top})
        ).scalar()
        rows = (
            await connection.execute(
                text(f"{page_sql} LIMIT :size OFFSET :skip"),
                {"top": top, "size": size, "skip": page * size},
            )
        ).all()
    return [total, rows]


async def hand_search(engine: AsyncEngine, query: str, size: int = 10) -> list[Any]:
    """The baseline for a search: every word of `query` in the name (LIKE), the first `size`
    rows by popularity, and the total, in hand-written SQL."""
    words = query.split()
    like = " AND ".join(f"lower(p.name) LIKE :w{i}" for i in range(len(words)))
    params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
    where = f"{VISIBLE} AND {like}"
    async with engine.connect() as connection:
        total = (await connection.execute(text(f"SELECT count(*) {where}"), params)).scalar()
        rows = (
            await connection.execute(
                text(f"SELECT p.* {where} ORDER BY p.sold_count DESC, p.product_id LIMIT {size:d}"),
                params,
            )
        ).all()
    return [total, rows]


@dataclass(frozen=True)
class Catalog:
    """A migrated database of `products` products, and the shop over it."""

    kind: str  # "sqlite" or "postgresql"
    url: URL
    engine: AsyncEngine
    shop: Shop
    top: int  # the category whose subtree holds every product
    products: int
    fill_seconds: float

    @property
    def label(self) -> str:
        """What every row of this data set says: `100k products, SQLite`."""
        count = f"{self.products // 1000}k" if self.products >= 1000 else str(self.products)
        return f"{count} products, {DATABASES[self.kind]}"


@asynccontextmanager
async def loaded(kind: str, products: int) -> AsyncIterator[Catalog]:
    """A throwaway database of `kind`, migrated and filled with `products` products."""
    async with database(kind) as url:
        engine = make_engine(url)
        try:
            await migrate.upgrade(engine)
            sessions = make_sessionmaker(engine)
            shop = Shop(Deps(uow=lambda: UnitOfWork(sessions), rules=Rules()))
            top, seconds = await _fill(engine, shop, products)
            yield Catalog(kind, url, engine, shop, top, products, seconds)
        finally:
            await engine.dispose()


async def measure(kind: str, products: int) -> list[Row]:
    async with loaded(kind, products) as data:
        shop, engine, top = data.shop, data.engine, data.top
        browse = await p95(
            lambda n: shop.catalog.browse(
                BrowseQuery(category_id=top, sort=Sort.popularity, page=PAGES[n % len(PAGES)] + 1)
            )
        )
        browse_sql = await p95(lambda n: hand_browse(engine, top, PAGES[n % len(PAGES)]))
        search = await p95(lambda n: shop.catalog.search(QUERIES[n % len(QUERIES)]))
        search_sql = await p95(lambda n: hand_search(engine, QUERIES[n % len(QUERIES)]))
    return [
        Row(f"bulk insert {data.label}", products / data.fill_seconds, "rows/s"),
        lower(f"browse page p95, {data.label}", browse, browse_sql, "ms", "SQL", 2),
        lower(f"search p95, {data.label}", search, search_sql, "ms", "SQL", 2),
    ]


Measure = Callable[[str, int], Awaitable[list[Row]]]


async def on_databases(what: str, measure: Measure, products: int, databases: str) -> list[Row]:
    """`measure` on SQLite and/or PostgreSQL (a skipped row when PostgreSQL is not there)."""
    out = await measure("sqlite", products) if databases in ("sqlite", "both") else []
    if databases in ("postgresql", "both"):
        reason = await pg_available()
        if reason:
            return [*out, skipped(f"{what}, PostgreSQL", reason)]
        out += await measure("postgresql", products)
    return out


async def rows(products: int = 100_000, databases: str = "both") -> list[Row]:
    return await on_databases("catalog", measure, products, databases)


def command_line(
    doc: str | None, rows: Callable[[int, str], Coroutine[Any, Any, list[Row]]]
) -> None:
    """`--products N --db sqlite|postgresql|both`, then the table of `rows`."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(table(asyncio.run(rows(args.products, args.db))))


def main() -> None:
    command_line(__doc__, rows)


if __name__ == "__main__":
    main()
