"""Bulk product import: a seller's CSV or .xlsx of products, checked row by row, then all of
it written in one transaction or none of it.

Columns (a header row names them, in any order; case and spaces do not matter):
name, description, price, discount_price, stock, sku, category, images. `category` is the
path from the top of the tree ("Home & Kitchen > Kitchen > Coffee"; `>`, `›` or `/` between
the names), or a name that only one category has. `images` are http(s) URLs separated by
spaces, commas or `|`. The SKU matches the seller's own products: a known SKU updates that
product (its stock is set to `stock` through the inventory ledger), a new one creates it.

`check` says what would happen (created, updated, refused with line numbers and reasons)
and writes nothing; `run` checks again inside its transaction and writes only when no row
is refused, so a file is imported whole or not at all."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import delete, or_, select

from engine.base import Deps, audit, operation, seller_of
from engine.catalog import Catalog, checked_prices
from engine.errors import InvalidInput, NotFound
from engine.inventory import log_stock, receive
from storage.models import Category, Product, ProductImage, Seller
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryChangeType,
    InventoryReference,
    MoneyError,
    ProductStatus,
    money,
    parse_amount,
    slugify,
)

COLUMNS: Final = (
    "name",
    "description",
    "price",
    "discount_price",
    "stock",
    "sku",
    "category",
    "images",
)
REQUIRED: Final = ("name", "price", "stock", "sku", "category")
ALIASES: Final = {
    "category path": "category",
    "category_path": "category",
    "image urls": "images",
    "image_urls": "images",
    "discount": "discount_price",
    "discount price": "discount_price",
}
MAX_ROWS: Final = 5000
MAX_BYTES: Final = 5 * 1024 * 1024
MAX_IMAGES: Final = 10
_PATH_SPLIT = re.compile(r"\s*(?:>|›|/)\s*")
_URL_SPLIT = re.compile(r"[\s,|]+")


@dataclass(frozen=True)
class Problem:
    """Why a row (its line in the file: the header is line 1) is refused."""

    line: int
    field: str
    rule: str  # required, number, positive, below_price, too_long, unknown_category,
    # ambiguous_category, duplicate_sku, sku_taken, url, too_many_images
    value: str = ""


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    description: str | None
    price: Decimal
    discount_price: Decimal | None
    stock: int
    sku: str
    category_id: int
    images: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    """What a file does: rows to create and to update (line, SKU), and the refused rows.
    `committed` is True only when the products were written."""

    rows: int
    created: tuple[tuple[int, str], ...] = ()
    updated: tuple[tuple[int, str], ...] = ()
    refused: tuple[Problem, ...] = ()
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused and self.rows > 0

    @property
    def refused_rows(self) -> int:
        """How many rows were refused (a row may have several problems)."""
        return len({p.line for p in self.refused})


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a spreadsheet's number: its shortest exact spelling
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> _Table:
    """The rows of a CSV (UTF-8, comma or semicolon separated) or an .xlsx (its first sheet),
    by column name, with their line numbers; blank lines are skipped."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(field="file", rule="too_large", max=MAX_BYTES)
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = list(_xlsx_rows(data))
    elif name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(field="file", rule="encoding") from None
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        raw = [
            (n, [c.strip() for c in row])
            for n, row in enumerate(csv.reader(io.StringIO(text), dialect), 1)
        ]
    else:
        raise InvalidInput(field="file", rule="format")
    raw = [(n, row) for n, row in raw if any(c for c in row)]
    if not raw:
        raise InvalidInput(field="file", rule="empty")
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in raw[0][1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(field="file", rule="columns", missing=", ".join(missing))
    if len(raw) - 1 > MAX_ROWS:
        raise InvalidInput(field="file", rule="too_many_rows", max=MAX_ROWS)
    table = _Table(header)
    for line, cells in raw[1:]:
        table.rows.append(
            (line, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)})
        )
    return table


def _xlsx_rows(data: bytes) -> Iterable[tuple[int, list[str]]]:
    import openpyxl  # only when a spreadsheet comes

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # whatever openpyxl finds wrong, the file is unreadable
        raise InvalidInput(field="file", rule="unreadable") from None
    try:
        sheet = book.worksheets[0]
        for n, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield n, [_cell(c) for c in row]
    finally:
        book.close()


def _category_index(rows: list[tuple[int, str, int | None]]) -> tuple[dict[str, int], set[str]]:
    """Every category by its lowercased path, and by its bare name when only one has it."""
    by_id = {cid: (name, parent) for cid, name, parent in rows}
    paths: dict[str, int] = {}
    names: dict[str, list[int]] = {}
    for cid, name, _ in rows:
        chain: list[str] = []
        current: int | None = cid
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            n, parent = by_id[current]
            chain.append(n.lower())
            current = parent
        paths[" > ".join(reversed(chain))] = cid
        names.setdefault(name.lower(), []).append(cid)
    ambiguous = {n for n, ids in names.items() if len(ids) > 1}
    for n, ids in names.items():
        if len(ids) == 1:
            paths.setdefault(n, ids[0])
    return paths, ambiguous


def _check_row(
    line: int,
    cells: dict[str, str],
    categories: dict[str, int],
    ambiguous: set[str],
) -> Row | list[Problem]:
    problems: list[Problem] = []

    def text(column: str, limit: int, *, required: bool = False) -> str:
        value = cells.get(column, "").strip()
        if required and not value:
            problems.append(Problem(line, column, "required"))
        elif len(value) > limit:
            problems.append(Problem(line, column, "too_long", str(limit)))
        return value

    def amount(column: str, *, required: bool) -> Decimal | None:
        value = cells.get(column, "").strip()
        if not value:
            if required:
                problems.append(Problem(line, column, "required"))
            return None
        typed = parse_amount(value)  # "$1,299.00", "29,50": as in the chat
        try:
            parsed = None if typed is None else money(typed)
        except MoneyError:
            parsed = None
        if parsed is None:
            problems.append(Problem(line, column, "number", value[:30]))
        return parsed

    name = text("name", 150, required=True)
    description = text("description", 4000)
    sku = text("sku", 50, required=True).upper()
    price = amount("price", required=True)
    discount = amount("discount_price", required=False)
    if price is not None:  # the catalog's own rule: positive amounts, the discount below
        try:
            checked_prices(price, discount)
        except InvalidInput as refused:
            field, rule = str(refused.params["field"]), str(refused.params["rule"])
            shown = price if field == "price" else discount
            problems.append(Problem(line, field, rule, str(shown)))
    stock_text = cells.get("stock", "").strip()
    stock = int(stock_text) if stock_text.isdigit() else -1
    if not stock_text:
        problems.append(Problem(line, "stock", "required"))
    elif stock < 0 or stock > 1_000_000:
        problems.append(Problem(line, "stock", "whole_number", stock_text[:30]))
    path = cells.get("category", "").strip()
    key = " > ".join(p.lower() for p in _PATH_SPLIT.split(path) if p)
    category_id = categories.get(key) if key not in ambiguous else None
    if not path:
        problems.append(Problem(line, "category", "required"))
    elif key in ambiguous:
        problems.append(Problem(line, "category", "ambiguous_category", path[:60]))
    elif category_id is None:
        problems.append(Problem(line, "category", "unknown_category", path[:60]))
    urls = tuple(u for u in _URL_SPLIT.split(cells.get("images", "").strip()) if u)
    for url in urls:
        if not re.match(r"^https?://\S+$", url) or len(url) > 255:
            problems.append(Problem(line, "images", "url", url[:60]))
    if len(urls) > MAX_IMAGES:
        problems.append(Problem(line, "images", "too_many_images", str(MAX_IMAGES)))
    if problems:
        return problems
    assert price is not None
    assert category_id is not None
    return Row(line, name, description or None, price, discount, stock, sku, category_id, urls)


class Imports:
    def __init__(self, deps: Deps, catalog: Catalog) -> None:
        self.d = deps
        self.catalog = catalog

    async def _plan(
        self, uow: UnitOfWork, seller: Seller, table: _Table
    ) -> tuple[ImportReport, list[Row], dict[str, Product]]:
        rows = (
            await uow.session.execute(
                select(Category.category_id, Category.name, Category.parent_id)
            )
        ).all()
        categories, ambiguous = _category_index([(int(a), str(b), c) for a, b, c in rows])
        good: list[Row] = []
        refused: list[Problem] = []
        seen: dict[str, int] = {}
        for line, cells in table.rows:
            checked = _check_row(line, cells, categories, ambiguous)
            if isinstance(checked, list):
                refused.extend(checked)
                continue
            if checked.sku in seen:
                refused.append(
                    Problem(line, "sku", "duplicate_sku", f"{checked.sku}@{seen[checked.sku]}")
                )
                continue
            seen[checked.sku] = line
            good.append(checked)
        skus = [r.sku for r in good]
        existing: dict[str, Product] = {}
        for start in range(0, len(skus), 500):
            chunk = skus[start : start + 500]
            for known in (
                await uow.session.scalars(select(Product).where(Product.sku.in_(chunk)))
            ).all():
                existing[known.sku] = known
        created: list[tuple[int, str]] = []
        updated: list[tuple[int, str]] = []
        for row in good:
            product = existing.get(row.sku)
            if product is None:
                created.append((row.line, row.sku))
            elif product.seller_id != seller.seller_id:
                refused.append(Problem(row.line, "sku", "sku_taken", row.sku))
            else:
                updated.append((row.line, row.sku))
        refused.sort(key=lambda p: p.line)
        report = ImportReport(
            rows=len(table.rows),
            created=tuple(created),
            updated=tuple(updated),
            refused=tuple(refused),
        )
        return report, good, existing

    @operation("seller (active)")
    async def check(self, actor_id: int, data: bytes, filename: str) -> ImportReport:
        """What importing this file would do, row by row; nothing is written."""
        table = read_table(data, filename)
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id)
            report, _, _ = await self._plan(uow, seller, table)
            return report

    @operation("seller (active)")
    async def run(self, actor_id: int, data: bytes, filename: str) -> ImportReport:
        """Import the file: create the new SKUs, update the known ones, in one transaction;
        when any row is refused nothing is written and the report says why, by line."""
        table = read_table(data, filename)
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id)
            report, rows, existing = await self._plan(uow, seller, table)
            if not report.ok:
                return report
            taken = await self._slugs(uow, [r.name for r in rows if r.sku not in existing])
            for row in rows:
                product = existing.get(row.sku)
                if product is None:
                    await self._create(uow, seller, row, taken, actor_id)
                else:
                    await self._update(uow, product, row, actor_id)
            await uow.commit()
            return ImportReport(
                report.rows, report.created, report.updated, report.refused, committed=True
            )

    @operation("the shop's command line (system)")
    async def run_for_store(
        self, seller_id: int, data: bytes, filename: str, *, dry_run: bool = False
    ) -> ImportReport:
        """The same import for a store named by its seller id (`python -m bot
        import-products`), acting as the store's owner; `dry_run` only checks."""
        async with self.d.read() as uow:
            seller = await uow.session.get(Seller, seller_id)
            if seller is None:
                raise NotFound(entity="seller", id=seller_id)
            owner = seller.user_id
        if dry_run:
            return await self.check(owner, data, filename)
        return await self.run(owner, data, filename)

    async def _slugs(self, uow: UnitOfWork, names: list[str]) -> set[str]:
        """The slugs already taken that new products named `names` could clash with."""
        bases = {(slugify(n) or "item")[:152] for n in names}
        taken: set[str] = set()
        listed = sorted(bases)
        for start in range(0, len(listed), 200):
            chunk = listed[start : start + 200]
            conditions = [Product.slug == b for b in chunk] + [
                Product.slug.like(f"{b}-%") for b in chunk
            ]
            taken.update(
                (await uow.session.scalars(select(Product.slug).where(or_(*conditions)))).all()
            )
        return taken

    async def _create(
        self, uow: UnitOfWork, seller: Seller, row: Row, taken: set[str], by: int
    ) -> None:
        base = (slugify(row.name) or "item")[:152]
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        product = Product(
            seller_id=seller.seller_id,
            category_id=row.category_id,
            name=row.name,
            slug=slug,
            description=row.description,
            price=row.price,
            discount_price=row.discount_price,
            stock_quantity=0,
            sku=row.sku,
            status=ProductStatus.out_of_stock,
        )
        uow.session.add(product)
        await uow.session.flush()
        receive(
            uow,
            product,
            row.stock,
            reference=InventoryReference.initial,
            by=by,
            reference_id=product.product_id,
        )
        if row.stock > 0:
            product.status = ProductStatus.active
        _add_images(uow, product.product_id, row)
        audit(
            uow,
            "product",
            product.product_id,
            "create",
            by=by,
            new={
                "name": row.name,
                "price": row.price,
                "discount_price": row.discount_price,
                "stock": row.stock,
                "sku": row.sku,
                "source": "import",
                "line": row.line,
            },
        )

    async def _update(self, uow: UnitOfWork, product: Product, row: Row, by: int) -> None:
        fields = {
            "name": row.name,
            "description": row.description,
            "price": row.price,
            "discount_price": row.discount_price,
            "category_id": row.category_id,
        }
        old = {k: getattr(product, k) for k, v in fields.items() if getattr(product, k) != v}
        for k in list(old):
            setattr(product, k, fields[k])
        delta = row.stock - product.stock_quantity
        if delta:
            old["stock"] = product.stock_quantity
            log_stock(
                uow,
                product,
                delta,
                InventoryChangeType.adjustment,
                InventoryReference.manual,
                None,
                by,
                f"import, line {row.line}",
            )
        if row.images:
            current = (
                await uow.session.scalars(
                    select(ProductImage.url).where(ProductImage.product_id == product.product_id)
                )
            ).all()
            if list(current) != list(row.images):
                await uow.session.execute(
                    delete(ProductImage).where(ProductImage.product_id == product.product_id)
                )
                _add_images(uow, product.product_id, row)
                old["images"] = list(current)
        if old:
            new = {k: (row.stock if k == "stock" else fields.get(k, list(row.images))) for k in old}
            audit(
                uow,
                "product",
                product.product_id,
                "update",
                by=by,
                old=old,
                new={**new, "source": "import", "line": row.line},
            )


def _add_images(uow: UnitOfWork, product_id: int, row: Row) -> None:
    """The row's images as the product's gallery, in the file's order, the first primary."""
    for position, url in enumerate(row.images):
        uow.session.add(
            ProductImage(
                product_id=product_id,
                url=url,
                alt_text=row.name[:150],
                is_primary=position == 0,
                position=position,
            )
        )
