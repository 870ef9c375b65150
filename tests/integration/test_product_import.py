"""Bulk product import (engine/imports.py): a thousand rows in one go with a report; a file
with bad rows is refused whole, with the lines and reasons; a known SKU updates its product;
an .xlsx reads like a CSV; another store's SKU is not taken over."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInput
from storage.models import AuditLog, InventoryLog, Product, ProductImage
from tests.conftest import Database
from tests.integration.world import World

HEADER = ["name", "description", "price", "stock", "sku", "category", "images"]


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(n: int, **change: str) -> list[str]:
    row = {
        "name": f"Hoodie {n}",
        "description": f"Warm hoodie number {n}",
        "price": f"{10 + n % 50}.{n % 100:02d}",
        "stock": str(n % 7),
        "sku": f"HD-{n:05d}",
        "category": "Clothing > Hoodies",
        "images": f"https://img.example/{n}.jpg",
    }
    row.update(change)
    return [row[c] for c in HEADER]


async def _count(world: World, model: type, **where: object) -> int:
    async with world.db.uow() as uow:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return int(await uow.session.scalar(stmt) or 0)


async def test_a_thousand_row_csv_is_imported_with_a_report(world: World) -> None:
    seller = await world.seller()
    data = _csv([_row(n) for n in range(1, 1001)])

    preview = await world.shop.imports.check(seller.user_id, data, "catalog.csv")
    assert (len(preview.created), len(preview.updated), preview.refused) == (1000, 0, ())
    assert not preview.committed
    assert await _count(world, Product, seller_id=seller.seller_id) == 0  # a check writes nothing

    report = await world.shop.imports.run(seller.user_id, data, "catalog.csv")
    assert report.committed
    assert len(report.created) == 1000
    assert report.created[0] == (2, "HD-00001")  # line 1 is the header
    assert await _count(world, Product, seller_id=seller.seller_id) == 1000
    mine = {p.product_id: p for p in await world.shop.catalog.my_products(seller.user_id)}
    by_name = {p.name: p for p in mine.values()}
    assert by_name["Hoodie 7"].price == Decimal("17.07")
    assert by_name["Hoodie 7"].stock_quantity == 0
    assert by_name["Hoodie 8"].stock_quantity == 1
    detail = await world.shop.listings.mine(seller.user_id, by_name["Hoodie 8"].product_id)
    assert detail.sku == "HD-00008"
    assert detail.description == "Warm hoodie number 8"
    assert [i.url for i in detail.images] == ["https://img.example/8.jpg"]
    assert await _count(world, AuditLog, entity_type="product", action="create") >= 1000


async def test_a_file_with_bad_rows_is_refused_whole_with_line_numbers(world: World) -> None:
    seller = await world.seller()
    rows = [_row(n) for n in range(1, 11)]
    rows[2] = _row(3, price="ten")  # line 4
    rows[5] = _row(6, category="Clothing > Socks")  # line 7
    rows[7] = _row(8, sku="HD-00001")  # line 9: the SKU of line 2 again
    rows[8] = _row(9, stock="-1", images="ftp://nope")  # line 10: two reasons
    report = await world.shop.imports.run(seller.user_id, _csv(rows), "bad.csv")

    assert not report.committed
    refused = [(p.line, p.field, p.rule) for p in report.refused]
    assert refused == [
        (4, "price", "number"),
        (7, "category", "unknown_category"),
        (9, "sku", "duplicate_sku"),
        (10, "stock", "whole_number"),
        (10, "images", "url"),
    ]
    assert await _count(world, Product, seller_id=seller.seller_id) == 0  # not even the good ones


async def test_a_known_sku_updates_its_product_and_its_stock_through_the_ledger(
    world: World,
) -> None:
    seller = await world.seller()
    await world.shop.imports.run(seller.user_id, _csv([_row(1), _row(2)]), "first.csv")
    again = _csv([_row(1, price="99.00", stock="12", name="Hoodie One"), _row(3)])
    report = await world.shop.imports.run(seller.user_id, again, "second.csv")

    assert report.committed
    assert report.updated == ((2, "HD-00001"),)
    assert report.created == ((3, "HD-00003"),)
    cards = {p.name: p for p in await world.shop.catalog.my_products(seller.user_id)}
    assert set(cards) == {"Hoodie One", "Hoodie 2", "Hoodie 3"}
    assert cards["Hoodie One"].price == Decimal("99.00")
    assert cards["Hoodie One"].stock_quantity == 12
    logs = await _count(world, InventoryLog, product_id=cards["Hoodie One"].product_id)
    assert logs == 2  # the opening stock, then the import's correction


async def test_prices_are_read_as_the_chat_reads_them(world: World) -> None:
    """A decimal comma is not a thousands separator: "29,50" is 29.50, not 2950.00."""
    seller = await world.seller()
    rows = [_row(1, price="29,50"), _row(2, price="$1,299.00"), _row(3, price="1.299,50")]
    report = await world.shop.imports.run(seller.user_id, _csv(rows), "prices.csv")

    assert report.committed, report.refused
    prices = {p.name: p.price for p in await world.shop.catalog.my_products(seller.user_id)}
    assert prices == {
        "Hoodie 1": Decimal("29.50"),
        "Hoodie 2": Decimal("1299.00"),
        "Hoodie 3": Decimal("1299.50"),
    }


async def test_another_stores_sku_is_refused(world: World) -> None:
    first, second = await world.seller("First"), await world.seller("Second")
    await world.shop.imports.run(first.user_id, _csv([_row(1)]), "a.csv")
    report = await world.shop.imports.run(second.user_id, _csv([_row(2), _row(1)]), "b.csv")
    assert [(p.line, p.rule) for p in report.refused] == [(3, "sku_taken")]
    assert not report.committed
    assert await _count(world, Product, seller_id=second.seller_id) == 0


async def test_an_xlsx_reads_like_a_csv(world: World) -> None:
    seller = await world.seller()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Price", "Stock", "SKU", "Category path", "Image URLs"])
    sheet.append(["Grey Hoodie", 24.5, 3, "gh-1", "Hoodies", ""])
    sheet.append(["Navy Hoodie", 30, 0, "nh-1", "clothing › hoodies", "https://a.example/1.jpg"])
    buffer = io.BytesIO()
    book.save(buffer)

    report = await world.shop.imports.run(seller.user_id, buffer.getvalue(), "sheet.xlsx")
    assert report.committed, report.refused
    assert report.created == ((2, "GH-1"), (3, "NH-1"))
    cards = {p.name: p for p in await world.shop.catalog.my_products(seller.user_id)}
    assert cards["Grey Hoodie"].price == Decimal("24.50")
    assert cards["Navy Hoodie"].stock_quantity == 0
    assert await _count(world, ProductImage, product_id=cards["Navy Hoodie"].product_id) == 1


async def test_a_file_without_the_columns_is_refused(world: World) -> None:
    seller = await world.seller()
    with pytest.raises(InvalidInput) as refused:
        await world.shop.imports.check(seller.user_id, b"title,cost\nA,1\n", "x.csv")
    assert refused.value.params["missing"] == "name, price, stock, sku, category"
