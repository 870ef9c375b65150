"""`seed-demo` fills an empty database with a consistent marketplace, once."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bot.demo import seed_demo
from engine.base import Rules
from engine.pricing import line_discounts
from storage.models import (
    AuditLog,
    Base,
    Category,
    Coupon,
    DeliveryTracking,
    InventoryLog,
    Order,
    OrderCoupon,
    OrderItem,
    Outbox,
    Payment,
    Payout,
    Product,
    ProductImage,
    Refund,
    Seller,
    Shipment,
    ShippingProvider,
    User,
)
from storage.vocabulary import (
    CouponStatus,
    DiscountType,
    OrderStatus,
    OutboxStatus,
    PaymentMethod,
    PaymentStatus,
    ProductStatus,
    SellerStatus,
)
from tests.conftest import Database


async def _snapshot(db: Database) -> dict[str, Any]:
    """Row counts and a digest of every table: what "nothing changed" means."""
    out: dict[str, Any] = {}
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(table.select())).all()
            out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


async def test_seeding_twice_changes_nothing(db: Database, media_dir: Path) -> None:
    first = await seed_demo(db.sessions, media_dir=media_dir)
    assert first.startswith("Demo shop ready")
    before = await _snapshot(db)
    second = await seed_demo(db.sessions, media_dir=media_dir)
    assert "nothing changed" in second
    assert await _snapshot(db) == before


async def test_the_demo_shop_is_believable_and_consistent(db: Database, media_dir: Path) -> None:
    await seed_demo(db.sessions, media_dir=media_dir)
    async with db.sessions() as s:
        categories = (await s.scalars(select(Category))).all()
        parents = {c.category_id: c.parent_id for c in categories}

        def depth(cid: int | None) -> int:
            return 0 if cid is None else 1 + depth(parents[cid])

        assert max(depth(c.category_id) for c in categories) >= 3

        sellers = (await s.scalars(select(Seller))).all()
        statuses = [x.status for x in sellers]
        assert len(sellers) >= 4
        assert SellerStatus.pending in statuses
        assert SellerStatus.suspended in statuses

        products = (await s.scalars(select(Product))).all()
        assert len(products) >= 80
        assert len({p.seller_id for p in products}) >= 3
        assert any(p.discount_price is not None for p in products)
        sold_out = [p for p in products if p.stock_quantity == 0]
        assert sold_out
        assert all(p.status == ProductStatus.out_of_stock for p in sold_out)

        # every product has a primary image whose file exists and is a PNG
        images = (await s.scalars(select(ProductImage).where(ProductImage.is_primary))).all()
        assert {i.product_id for i in images} == {p.product_id for p in products}
        for image in images:
            assert image.url is not None
            assert (media_dir / image.url).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # stock equals the sum of each product's inventory logs
        ledger = dict(
            (
                await s.execute(
                    select(InventoryLog.product_id, func.sum(InventoryLog.quantity)).group_by(
                        InventoryLog.product_id
                    )
                )
            ).all()
        )
        assert {p.product_id: p.stock_quantity for p in products} == ledger

        coupons = (await s.scalars(select(Coupon))).all()
        assert {c.discount_type for c in coupons} == set(DiscountType)
        assert any(c.status == CouponStatus.expired for c in coupons)
        assert any(c.max_uses is not None and c.uses_count == c.max_uses for c in coupons)
        assert any(c.min_order_amount is not None for c in coupons)
        uses = dict(
            (
                await s.execute(
                    select(OrderCoupon.coupon_id, func.count()).group_by(OrderCoupon.coupon_id)
                )
            ).all()
        )
        assert {c.coupon_id: c.uses_count for c in coupons} == {
            c.coupon_id: uses.get(c.coupon_id, 0) for c in coupons
        }

        providers = (await s.scalars(select(ShippingProvider))).all()
        assert len(providers) >= 2
        assert any(p.shipping_cost > 0 for p in providers)

        orders = (await s.scalars(select(Order))).all()
        assert {o.order_status for o in orders} == set(OrderStatus)
        assert {o.payment_method for o in orders} >= {
            PaymentMethod.card,
            PaymentMethod.cod,
            PaymentMethod.bank_transfer,
        }
        lines: dict[int, list[OrderItem]] = defaultdict(list)
        for item in (await s.scalars(select(OrderItem))).all():
            lines[item.order_id].append(item)
        for order in orders:
            subtotal = sum((i.price * i.quantity for i in lines[order.order_id]), Decimal(0))
            assert order.subtotal_amount == subtotal
            assert order.total_amount == subtotal - order.discount_amount + order.shipping_amount
            assert sum((i.discount_amount for i in lines[order.order_id]), Decimal(0)) in (
                order.discount_amount,
                Decimal(0),  # free shipping discounts the shipping, not the lines
            )

        payments = (await s.scalars(select(Payment))).all()
        by_order = {p.order_id: p for p in payments}
        assert set(by_order) == {o.order_id for o in orders}
        for order in orders:
            payment = by_order[order.order_id]
            assert payment.amount == order.total_amount
            if order.order_status in (OrderStatus.delivered, OrderStatus.shipped):
                assert payment.status == PaymentStatus.successful
        refunds = (await s.scalars(select(Refund))).all()
        assert refunds
        for refund in refunds:
            payment = next(p for p in payments if p.payment_id == refund.payment_id)
            assert payment.refunded_amount <= payment.amount

        delivered = [o.order_id for o in orders if o.order_status == OrderStatus.delivered]
        shipments = (
            await s.scalars(select(Shipment).where(Shipment.order_id.in_(delivered)))
        ).all()
        assert shipments
        assert all(sh.tracking_number and sh.delivered_at for sh in shipments)
        milestones = (await s.scalars(select(DeliveryTracking.status))).all()
        assert "out_for_delivery" in milestones
        assert "delivered" in milestones

        payouts = (await s.scalars(select(Payout))).all()
        assert payouts
        for payout in payouts:
            covered = (
                await s.scalars(select(OrderItem).where(OrderItem.payout_id == payout.payout_id))
            ).all()
            assert payout.gross_amount == sum(
                (i.price * i.quantity - i.discount_amount for i in covered), Decimal(0)
            )

        audited = (
            await s.execute(
                text("SELECT COUNT(DISTINCT entity_id) FROM audit_logs WHERE entity_type = 'order'")
            )
        ).scalar_one()
        assert audited == len(orders)
        users = await s.scalar(select(func.count()).select_from(User))
        assert users is not None
        assert users >= 10


async def _lines(db: Database) -> dict[int, list[OrderItem]]:
    async with db.sessions() as s:
        lines: dict[int, list[OrderItem]] = defaultdict(list)
        for item in (await s.scalars(select(OrderItem).order_by(OrderItem.order_item_id))).all():
            lines[item.order_id].append(item)
        return lines


async def test_every_demo_order_is_priced_as_the_checkout_prices_it(
    db: Database, media_dir: Path
) -> None:
    """One parcel per seller at the courier's price, and a coupon's discount spread over the
    lines by the engine's own rule (the old copy charged one parcel and split differently)."""
    await seed_demo(db.sessions, media_dir=media_dir)
    lines = await _lines(db)
    async with db.sessions() as s:
        orders = (await s.scalars(select(Order))).all()
        couriers = {p.provider_id: p for p in (await s.scalars(select(ShippingProvider))).all()}
        free_shipping = set(
            (
                await s.scalars(
                    select(OrderCoupon.order_id)
                    .join(Coupon, Coupon.coupon_id == OrderCoupon.coupon_id)
                    .where(Coupon.discount_type == DiscountType.free_shipping)
                )
            ).all()
        )
    assert free_shipping
    for order in orders:
        assert order.shipping_provider_id is not None
        parcels = len({i.seller_id for i in lines[order.order_id]})
        cost = couriers[order.shipping_provider_id].shipping_cost
        assert order.shipping_amount == cost * parcels, order.order_id
        on_lines = order.order_id not in free_shipping
        totals = [i.price * i.quantity for i in lines[order.order_id]]
        assert [i.discount_amount for i in lines[order.order_id]] == line_discounts(
            order.discount_amount, totals, on_lines
        ), order.order_id


async def test_the_demo_keeps_the_shops_currency_and_return_window(
    db: Database, media_dir: Path
) -> None:
    window = timedelta(days=30)
    await seed_demo(
        db.sessions, media_dir=media_dir, rules=Rules(currency="EUR", return_window=window)
    )
    async with db.sessions() as s:
        assert set((await s.scalars(select(Order.currency))).all()) == {"EUR"}
        covered = (
            await s.execute(
                select(Payout.created_at, Shipment.delivered_at)
                .join(OrderItem, OrderItem.payout_id == Payout.payout_id)
                .join(
                    Shipment,
                    (Shipment.order_id == OrderItem.order_id)
                    & (Shipment.seller_id == OrderItem.seller_id),
                )
            )
        ).all()
    assert covered  # the oldest deliveries are past even a 30-day window
    for paid_out, delivered in covered:
        assert delivered is not None
        assert delivered <= paid_out - window


async def test_the_demos_past_is_dated_in_the_past_and_already_told(
    db: Database, media_dir: Path
) -> None:
    """Rows carry the story's dates, not the moment of seeding, and the notifications of that
    past are not sent again when the bot first starts."""
    before = datetime.now(UTC)
    await seed_demo(db.sessions, media_dir=media_dir)
    async with db.sessions() as s:
        first_order = await s.scalar(select(func.min(Order.created_at)))
        assert first_order is not None
        assert first_order < before - timedelta(days=30)
        joined = dict((await s.execute(select(User.user_id, User.created_at))).all())
        for user_id, placed in (await s.execute(select(Order.user_id, Order.created_at))).all():
            assert joined[user_id] < placed
        latest = await s.scalar(select(func.max(AuditLog.created_at)))
        assert latest is not None
        # The story ends at the second seeding began in (its clock keeps whole seconds, read
        # a moment after `before`, so it may be the next second's first instant).
        assert latest <= before.replace(microsecond=0) + timedelta(seconds=1)
        waiting = await s.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status != OutboxStatus.sent)
        )
        assert waiting == 0
        assert await s.scalar(select(func.count()).select_from(Outbox))  # told back then
