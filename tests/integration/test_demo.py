"""`seed-demo` fills an empty database with a consistent marketplace, once."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from storage.demo import seed_demo
from storage.models import (
    Base,
    Category,
    Coupon,
    DeliveryTracking,
    InventoryLog,
    Order,
    OrderCoupon,
    OrderItem,
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
