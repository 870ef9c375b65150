"""Sales reports, stock adjustments, coupon edits and the admin's user look-up, through the
engine on both databases; and the report chart as a real PNG."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select, update

from engine.errors import Forbidden, InvalidInput, NotFound
from handlers import reports
from storage.models import AuditLog, InventoryLog, Order
from storage.vocabulary import DiscountType, InventoryChangeType
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def test_a_store_report_counts_paid_lines_per_day_to_the_cent(world: World) -> None:
    # orders are stamped by the database's clock: the engine's clock is set to agree
    world.clock.now = datetime.now(UTC)
    seller = await world.seller("Mugs & Co")
    other = await world.seller()
    mug = await world.product(seller, "Blue Mug", "12.50", stock=20)
    cup = await world.product(seller, "Tiny Cup", "3.35", stock=20)
    elsewhere = await world.product(other, "Lamp", "40.00", stock=5)
    buyer = await world.customer()
    first = await world.pay(await world.order(buyer, {mug: 2, elsewhere: 1}))
    await world.pay(await world.order(buyer, {mug: 1, cup: 3}))
    await world.order(buyer, {cup: 1})  # never paid: not a sale
    today = world.clock.now.date()
    async with world.db.sessions() as s, s.begin():  # the first order was placed 2 days ago
        await s.execute(
            update(Order)
            .where(Order.order_id == first.order_id)
            .values(created_at=world.clock.now - timedelta(days=2))
        )

    report = await world.shop.backoffice.store_sales(seller.user_id, 7)
    assert report.store_name == "Mugs & Co"
    assert (report.days, len(report.by_day)) == (7, 7)
    assert (report.first_day, report.last_day) == (today - timedelta(days=6), today)
    assert report.revenue == Decimal("47.55")  # 25.00 + 12.50 + 10.05, nothing from the lamp
    assert (report.orders, report.units) == (2, 6)
    assert report.gross - report.discounts - report.refunds == report.revenue
    assert {d.day: d.revenue for d in report.by_day if d.revenue} == {
        today - timedelta(days=2): Decimal("25.00"),
        today: Decimal("22.55"),
    }
    assert [(p.name, p.units, p.revenue) for p in report.top_products] == [
        ("Blue Mug", 3, Decimal("37.50")),
        ("Tiny Cup", 3, Decimal("10.05")),
    ]
    assert report.top_stores == []
    world.clock.advance(days=6)  # the first order's day has left a 7-day window
    assert (await world.shop.backoffice.store_sales(seller.user_id, 7)).revenue == Decimal("22.55")

    market = await world.shop.backoffice.marketplace_sales(world.admin, 30)
    assert market.store_name is None
    assert market.revenue == Decimal("87.55")
    assert [s.revenue for s in market.top_stores] == [Decimal("47.55"), Decimal("40.00")]

    with pytest.raises(Forbidden):
        await world.shop.backoffice.marketplace_sales(seller.user_id, 30)
    with pytest.raises(Forbidden):
        await world.shop.backoffice.store_sales(buyer[0], 30)
    with pytest.raises(InvalidInput):
        await world.shop.backoffice.store_sales(seller.user_id, 0)


async def test_the_chart_is_an_800_by_600_png_and_the_summary_is_exact(world: World) -> None:
    world.clock.now = datetime.now(UTC)
    seller = await world.seller("Chart Shop 📈")
    product = await world.product(seller, "Hoodie 🧥 with a very long name indeed", "19.99")
    buyer = await world.customer()
    await world.pay(await world.order(buyer, {product: 3}))
    report = await world.shop.backoffice.store_sales(seller.user_id, 30)
    png = reports.draw(report, reports.labels("en", report))
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (800, 600))
    text = reports.summary("en", report)
    assert "Revenue: <b>$59.97</b>" in text
    assert "Hoodie 🧥 with a very long name indeed — 3 sold, $59.97" in text
    spanish = reports.summary("es", report)  # amounts in the reader's notation
    assert "59,97\xa0US$" in spanish
    assert "$59.97" not in spanish
    assert "59,97\xa0US$" in reports.caption("es", report)
    assert reports.draw(report, reports.labels("es", report)) != png  # its own axis labels
    world.clock.advance(days=40)
    quiet = await world.shop.backoffice.store_sales(seller.user_id, 7)
    assert quiet.revenue == 0
    assert "No sales in this period." in reports.summary("en", quiet)
    assert Image.open(io.BytesIO(reports.draw(quiet, reports.labels("en", quiet)))).size == (
        800,
        600,
    )


async def test_a_stock_adjustment_writes_a_ledger_row_and_an_audit_row(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=8)
    assert await world.shop.inventory.adjust(seller.user_id, product, -3, "damaged in transit") == 5
    async with world.db.sessions() as s:
        log = (
            await s.scalars(
                select(InventoryLog).where(
                    InventoryLog.product_id == product,
                    InventoryLog.change_type == InventoryChangeType.adjustment,
                )
            )
        ).one()
        audit = (
            await s.scalars(
                select(AuditLog).where(
                    AuditLog.entity_type == "product", AuditLog.action == "stock_adjustment"
                )
            )
        ).one()
    assert (log.quantity, log.stock_after, log.reason) == (-3, 5, "damaged in transit")
    assert audit.old_data == {"stock": 8}
    assert audit.new_data == {"stock": 5, "change": -3, "reason": "damaged in transit"}


async def test_admins_edit_coupons_within_their_rules(world: World) -> None:
    coupon = await world.coupon("EDITME", DiscountType.percentage, "10", max_uses=5)
    seller = await world.seller()
    product = await world.product(seller, price="50.00")
    buyer = await world.customer()
    await world.order(buyer, {product: 1}, coupon="EDITME")
    edited = await world.shop.coupons.update(
        world.admin, coupon, value="15", max_uses=2, end_date=date(2026, 12, 31)
    )
    assert (edited.discount_value, edited.max_uses, edited.end_date) == (
        Decimal("15.00"),
        2,
        date(2026, 12, 31),
    )
    with pytest.raises(InvalidInput) as below:
        await world.shop.coupons.update(world.admin, coupon, max_uses=0)
    assert below.value.params["field"] == "max_uses"
    with pytest.raises(InvalidInput):
        await world.shop.coupons.update(world.admin, coupon, value="101")
    with pytest.raises(Forbidden):
        await world.shop.coupons.update(buyer[0], coupon, value="50")
    with pytest.raises(NotFound):
        await world.shop.coupons.update(world.admin, 999_999, value="5")


async def test_admins_find_users_and_the_bot_knows_whose_menu_to_set(world: World) -> None:
    buyer = await world.user("Eve")
    card = await world.shop.backoffice.find_user(world.admin, str(buyer))
    assert (card.user_id, card.first_name) == (buyer, "Eve")
    assert card.telegram_id is not None
    by_tg = await world.shop.backoffice.find_user(world.admin, f"tg:{card.telegram_id}")
    assert by_tg.user_id == buyer
    with pytest.raises(NotFound):
        await world.shop.backoffice.find_user(world.admin, "@nobody_here")
    with pytest.raises(InvalidInput):
        await world.shop.backoffice.find_user(world.admin, "not a user")
    with pytest.raises(Forbidden):
        await world.shop.backoffice.find_user(buyer, str(buyer))

    seller = await world.seller()
    chats = await world.shop.backoffice.command_chats()
    mine = await world.shop.backoffice.command_chats(seller.seller_id)
    assert len(mine.sellers) == 1
    assert mine.sellers[0] in chats.sellers
    assert chats.admins  # the world's admin has a Telegram id
    await world.shop.sellers.suspend(world.admin, seller.seller_id, "late parcels")
    assert mine.sellers[0] not in (await world.shop.backoffice.command_chats()).sellers


async def test_a_coupon_cannot_be_made_or_moved_to_end_before_today(world: World) -> None:
    today = world.clock().date()
    with pytest.raises(InvalidInput) as made:
        await world.coupon("GONE", DiscountType.fixed, "5", end_date=today - timedelta(days=1))
    assert (made.value.params["field"], made.value.params["rule"]) == ("end_date", "past")
    assert await world.shop.coupons.usage(world.admin) == []
    coupon = await world.coupon("LAST", DiscountType.fixed, "5", end_date=today)  # today: fine
    with pytest.raises(InvalidInput) as moved:
        await world.shop.coupons.update(world.admin, coupon, end_date=date(2020, 1, 1))
    assert moved.value.params["rule"] == "past"
    [kept] = await world.shop.coupons.usage(world.admin)
    assert (kept.end_date, kept.standing) == (today, "active")
