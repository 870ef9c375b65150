"""Every flow of the design, through the engine, on SQLite and PostgreSQL.

After each test the `world` fixture checks that every product's stock equals the sum of its
inventory logs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.accounts import AddressInput
from engine.catalog import BrowseQuery, Sort
from engine.errors import (
    CartChanged,
    CouponRejected,
    IllegalTransition,
    InvalidInput,
    NotFound,
    ProductUnavailable,
    RefundTooLarge,
    ReturnNotAllowed,
    ReviewNotAllowed,
)
from storage.models import AuditLog, Order, Outbox, Payment, Product, Refund
from storage.uow import UpdateEffects, current_update
from storage.vocabulary import (
    AddressType,
    DiscountType,
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ProductStatus,
    ReturnStatus,
    SellerStatus,
    TrackingStatus,
)
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _outbox(world: World, kind: str) -> list[dict[str, object]]:
    async with world.db.sessions() as s:
        rows = (
            await s.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.outbox_id))
        ).all()
    return [r.payload | {"user_id": r.user_id} for r in rows]


# --- sellers and catalog ----------------------------------------------------------------
async def test_a_seller_applies_is_approved_and_lists(world: World) -> None:
    user = await world.user("Maya")
    applied = await world.shop.sellers.apply(user, "Urban Threads", "Clothes")
    assert applied.status == SellerStatus.pending
    with pytest.raises(Exception) as not_yet:
        await world.shop.catalog.create_product(
            user, category_id=world.category, name="Tee", price="9.99", stock=3
        )
    assert not_yet.value.params["action"] == "seller_not_active"  # type: ignore[attr-defined]
    assert [s.store_name for s in await world.shop.sellers.pending(world.admin)] == [
        "Urban Threads"
    ]
    with pytest.raises(InvalidInput):
        await world.shop.sellers.reject(world.admin, applied.seller_id, "  ")
    approved = await world.shop.sellers.approve(world.admin, applied.seller_id)
    assert approved.status == SellerStatus.active
    product = await world.shop.catalog.create_product(
        user, category_id=world.category, name="Tee", price="9.99", stock=3
    )
    assert product.card.stock_quantity == 3
    assert product.slug == "tee"
    assert (await _outbox(world, "seller_approve"))[0]["user_id"] == user


async def test_a_rejected_applicant_reads_why(world: World) -> None:
    user = await world.user()
    applied = await world.shop.sellers.apply(user, "Shady Shop")
    rejected = await world.shop.sellers.reject(world.admin, applied.seller_id, "No tax id")
    assert rejected.status == SellerStatus.rejected
    assert (await world.shop.sellers.mine(user)).status_reason == "No tax id"  # type: ignore[union-attr]


async def test_suspending_a_seller_hides_its_products(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, "Blue Hoodie")
    buyer = await world.customer()
    assert (await world.shop.catalog.browse(BrowseQuery())).total == 1
    await world.shop.sellers.suspend(world.admin, seller.seller_id, "late shipments")
    assert (await world.shop.catalog.browse(BrowseQuery())).total == 0
    assert (await world.shop.catalog.search("hoodie")).total == 0
    with pytest.raises(NotFound):
        await world.shop.catalog.product(product)
    with pytest.raises(ProductUnavailable):
        await world.shop.carts.add(buyer[0], product, 1)
    assert (await world.shop.catalog.product(product, viewer_id=seller.user_id)).card.name
    await world.shop.sellers.reinstate(world.admin, seller.seller_id)
    assert (await world.shop.catalog.browse(BrowseQuery())).total == 1


async def test_browse_filters_and_sorts(world: World) -> None:
    a, b = await world.seller("A"), await world.seller("B")
    other = (await world.shop.catalog.create_category(world.admin, "Mugs")).category_id
    cheap = await world.product(a, "Cheap Hoodie", "10.00", stock=5)
    dear = await world.product(a, "Dear Hoodie", "90.00", stock=5, discount="45.00")
    empty = await world.product(b, "Empty Hoodie", "30.00", stock=0)
    mug = await world.product(b, "Mug", "8.00", stock=5, category=other)

    def ids(page: object) -> list[int]:
        return [c.product_id for c in page.items]  # type: ignore[attr-defined]

    by_price = await world.shop.catalog.browse(BrowseQuery(sort=Sort.price_asc))
    assert ids(by_price) == [mug, cheap, empty, dear]
    subtree = await world.shop.catalog.browse(BrowseQuery(category_id=world.top_category))
    assert set(ids(subtree)) == {cheap, dear, empty}
    assert ids(
        await world.shop.catalog.browse(BrowseQuery(seller_id=b.seller_id, sort=Sort.price_asc))
    ) == [mug, empty]
    priced = await world.shop.catalog.browse(
        BrowseQuery(min_price=Decimal("20"), max_price=Decimal("50"), sort=Sort.price_desc)
    )
    assert ids(priced) == [dear, empty]
    assert empty not in ids(await world.shop.catalog.browse(BrowseQuery(in_stock=True)))
    page = await world.shop.catalog.browse(BrowseQuery(sort=Sort.newest, page=2, page_size=3))
    assert (page.total, page.pages, ids(page)) == (4, 2, [cheap])


async def test_search_forgives_typos_and_ranks_names_first(world: World) -> None:
    seller = await world.seller()
    hoodie = await world.product(seller, "Red Hoodie")
    jacket = await world.product(seller, "Rain Jacket")
    assert [c.product_id for c in (await world.shop.catalog.search("hodie")).items] == [hoodie]
    assert (
        next(c.product_id for c in (await world.shop.catalog.search("red hoody")).items) == hoodie
    )
    # the category "Hoodies" matches too, but a name match ranks first
    found = [c.product_id for c in (await world.shop.catalog.search("jackt hoodies")).items]
    assert set(found) == {hoodie, jacket}
    assert (await world.shop.catalog.search("zzzz")).total == 0


async def test_search_finds_names_written_with_accents_or_curly_apostrophes(world: World) -> None:
    seller = await world.seller()
    mug = await world.product(seller, "Crème Mug")
    jeans = await world.product(seller, "Levi’s Jeans")
    for typed in ("creme", "crème", "crme mug"):
        assert [c.product_id for c in (await world.shop.catalog.search(typed)).items] == [mug]
    for typed in ("levis", "levi's", "levi’s jeans"):
        assert [c.product_id for c in (await world.shop.catalog.search(typed)).items] == [jeans]


async def test_product_detail_has_rating_and_seller(world: World) -> None:
    seller = await world.seller("Nice Store")
    product = await world.product(seller)
    detail = await world.shop.catalog.product(product)
    assert (detail.store_name, detail.card.rating, detail.card.review_count) == (
        "Nice Store",
        None,
        0,
    )


async def test_product_rules(world: World) -> None:
    seller = await world.seller()
    with pytest.raises(InvalidInput) as too_dear:
        await world.shop.catalog.create_product(
            seller.user_id, category_id=world.category, name="X", price="10", discount_price="10"
        )
    assert too_dear.value.params["rule"] == "below_price"
    first = await world.product(seller, "Same Name")
    second = await world.product(seller, "Same Name")
    slugs = [(await world.shop.catalog.product(p)).slug for p in (first, second)]
    assert slugs == ["same-name", "same-name-2"]
    await world.shop.catalog.create_product(
        seller.user_id, category_id=world.category, name="Dup", price="1", sku="S-1"
    )
    with pytest.raises(InvalidInput):
        await world.shop.catalog.create_product(
            seller.user_id, category_id=world.category, name="Dup 2", price="1", sku="s-1"
        )


# --- inventory --------------------------------------------------------------------------
async def test_stock_adjustments_are_logged_and_never_negative(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=5)
    assert await world.shop.inventory.adjust(seller.user_id, product, -5, "damaged") == 0
    assert (await world.shop.catalog.product(product)).card.status == ProductStatus.out_of_stock
    with pytest.raises(Exception) as short:
        await world.shop.inventory.adjust(seller.user_id, product, -1, "oops")
    assert type(short.value).__name__ == "InsufficientStock"
    assert await world.shop.inventory.restock(seller.user_id, product, 12) == 12
    assert (await world.shop.catalog.product(product)).card.status == ProductStatus.active
    ledger = await world.shop.inventory.ledger(product)
    assert (ledger.stock, ledger.logged) == (12, 12)


# --- cart, wishlist, coupons ------------------------------------------------------------
async def test_cart_changes_are_reported_exactly_at_checkout(world: World) -> None:
    seller = await world.seller()
    a = await world.product(seller, "A Hoodie", "20.00", stock=5)
    b = await world.product(seller, "B Hoodie", "30.00", stock=5)
    c = await world.product(seller, "C Hoodie", "40.00", stock=5)
    me = await world.customer()
    for product in (a, b, c):
        await world.shop.carts.add(me[0], product, 2)
    await world.shop.catalog.update_product(seller.user_id, a, price="25.00")
    await world.shop.inventory.adjust(seller.user_id, b, -4, "broken")
    await world.shop.catalog.set_listed(seller.user_id, c, False)
    with pytest.raises(CartChanged) as changed:
        await world.place(me)
    assert {(x["product_id"], x["change"]) for x in changed.value.params["changes"]} == {
        (a, "price_changed"),
        (b, "insufficient_stock"),
        (c, "product_inactive"),
    }
    cart, changes = await world.shop.carts.review(me[0])
    assert len(changes) == 3
    assert [(line.product_id, line.quantity, line.unit_price) for line in cart.lines] == [
        (a, 2, Decimal("25.00")),
        (b, 1, Decimal("30.00")),
    ]
    order = await world.place(me)
    assert order.subtotal == Decimal("80.00")


async def test_wishlist(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller)
    me = await world.user()
    await world.shop.wishlists.add(me, product)
    await world.shop.wishlists.add(me, product)
    assert [p.product_id for p in await world.shop.wishlists.list(me)] == [product]
    await world.shop.wishlists.remove(me, product)
    assert await world.shop.wishlists.list(me) == []


async def test_coupon_refusals_say_exactly_why(world: World) -> None:
    me = await world.user()
    today = world.clock().date()
    world.clock.advance(days=-2)  # made while it still ran: a past last day is refused
    await world.coupon("OLD", DiscountType.fixed, "5", end_date=today - timedelta(days=1))
    world.clock.advance(days=2)
    await world.coupon("SOON", DiscountType.fixed, "5", start_date=today + timedelta(days=2))
    await world.coupon("BIG", DiscountType.fixed, "5", min_order_amount="50.00")
    off = await world.coupon("OFF", DiscountType.percentage, "10")
    await world.shop.coupons.disable(world.admin, off)

    async def reason(code: str, subtotal: str = "20.00") -> tuple[str, object]:
        with pytest.raises(CouponRejected) as refused:
            await world.shop.coupons.quote(me, code, Decimal(subtotal))
        return refused.value.params["reason"], refused.value.params.get("short_by")

    assert await reason("OLD") == ("expired", None)
    assert await reason("SOON") == ("not_started", None)
    assert await reason("BIG", "42.50") == ("below_minimum", Decimal("7.50"))
    assert await reason("off") == ("disabled", None)
    assert await reason("NOPE") == ("unknown", None)
    quote = await world.shop.coupons.quote(me, "big", Decimal("50.00"))
    assert quote.discount == Decimal("5.00")


async def test_a_code_more_spending_would_not_mend_is_refused_for_that_first(
    world: World,
) -> None:
    """ "Add $30.00 more" is said only of a code that more would make usable: one used up, or
    used by this customer already, is refused as such whatever the cart holds."""
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle", "20.00", stock=9)
    await world.coupon("ONCE", DiscountType.fixed, "5", min_order_amount="50.00", max_uses=1)
    await world.coupon("MINE", DiscountType.fixed, "5", min_order_amount="50.00")
    first, second = await world.customer("Ana"), await world.customer("Ben")
    await world.order(first, {kettle: 3}, coupon="ONCE")
    await world.order(first, {kettle: 3}, coupon="MINE")

    async def reason(customer: tuple[int, int], code: str) -> str:
        with pytest.raises(CouponRejected) as refused:
            await world.shop.coupons.quote(customer[0], code, Decimal("20.00"))
        return str(refused.value.params["reason"])

    assert await reason(second, "ONCE") == "used_up"
    assert await reason(first, "MINE") == "already_used"
    assert await reason(second, "MINE") == "below_minimum"


# --- orders and payments ----------------------------------------------------------------
async def test_an_order_adds_up_and_its_discount_is_spread_to_the_cent(world: World) -> None:
    seller = await world.seller()
    a = await world.product(seller, "A Hoodie", "19.99", stock=9)
    b = await world.product(seller, "B Hoodie", "5.01", stock=9, discount="3.33")
    await world.coupon("TEN", DiscountType.percentage, "10")
    order = await world.order(await world.customer(), {a: 3, b: 1}, coupon="TEN")
    assert order.subtotal == Decimal("63.30")
    assert order.discount == Decimal("6.33")
    assert order.shipping == Decimal("5.00")
    assert order.total == order.subtotal - order.discount + order.shipping == Decimal("61.97")
    assert sum((line.discount for line in order.lines), Decimal(0)) == order.discount
    placed = await _outbox(world, "order_placed")
    assert placed[0]["total"] == "61.97"


async def test_free_shipping_coupon_discounts_the_shipping(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    await world.coupon("SHIPFREE", DiscountType.free_shipping, "0")
    order = await world.order(await world.customer(), {product: 1}, coupon="shipfree")
    assert (order.discount, order.total) == (Decimal("5.00"), Decimal("20.00"))
    assert all(line.discount == 0 for line in order.lines)


async def test_card_payment_tells_the_seller_and_a_mismatch_is_refused(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    order = await world.order(await world.customer(), {product: 1})
    assert await _outbox(world, "new_order") == []
    with pytest.raises(Exception) as wrong:
        await world.shop.orders.confirm_payment(
            order.user_id,
            order.order_id,
            provider="stripe",
            transaction_ref="ch_x",
            amount=Decimal("1.00"),
        )
    assert type(wrong.value).__name__ == "PaymentMismatch"
    paid = await world.pay(order, "ch_x")
    assert (paid.status, paid.payment_status) == (OrderStatus.paid, OrderPaymentStatus.paid)
    with pytest.raises(Exception) as reused:
        await world.shop.orders.confirm_payment(
            order.user_id,
            order.order_id,
            provider="stripe",
            transaction_ref="ch_x",
            amount=order.total + 1,
        )
    assert type(reused.value).__name__ == "PaymentMismatch"
    assert [m["user_id"] for m in await _outbox(world, "new_order")] == [seller.user_id]


async def test_a_failed_payment_is_audited_and_can_be_retried(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    order = await world.order(await world.customer(), {product: 1})
    failed = await world.shop.orders.fail_payment(
        order.user_id, order.order_id, provider="stripe", reason="card_declined"
    )
    assert failed.payment_status == OrderPaymentStatus.failed
    paid = await world.pay(order, "ch_retry")
    assert paid.payment_status == OrderPaymentStatus.paid
    async with world.db.sessions() as s:
        statuses = sorted((await s.scalars(select(Payment.status))).all())
        failure = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.entity_type == "payment",
                AuditLog.new_data["status"].as_string() == "failed",
            )
        )
    assert statuses == [PaymentStatus.failed, PaymentStatus.successful]
    assert failure == 1


async def test_unpaid_orders_expire_and_give_their_stock_back(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.order(me, {product: 2})
    cod = await world.order(me, {product: 1}, method=PaymentMethod.cod)
    assert await world.shop.orders.expire_unpaid() == []
    world.clock.advance(minutes=31)
    assert await world.shop.orders.expire_unpaid() == [order.order_id]
    expired = await world.shop.orders.get(me[0], order.order_id)
    assert expired.status == OrderStatus.cancelled
    assert (await world.shop.orders.get(me[0], cod.order_id)).status == OrderStatus.pending
    assert (await world.shop.catalog.product(product)).card.stock_quantity == 2
    late = await world.pay(order)  # the money came anyway: recorded, and sent back
    assert late.status == OrderStatus.cancelled
    assert world.card.calls == [(f"ch_{order.order_id}", order.total)]


async def test_cancelling_a_paid_order_restocks_and_refunds(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 2}))
    cancelled = await world.shop.orders.cancel(me[0], order.order_id, "changed my mind")
    assert cancelled.status == OrderStatus.cancelled
    assert cancelled.payment_status == OrderPaymentStatus.refunded
    assert world.card.calls == [(f"ch_{order.order_id}", order.total)]
    assert (await world.shop.catalog.product(product)).card.stock_quantity == 3
    async with world.db.sessions() as s:
        payment = await s.scalar(select(Payment))
    assert payment is not None
    assert payment.refunded_amount == payment.amount


async def test_a_refund_the_provider_refuses_waits_for_an_admin(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 1}))
    world.card.fail = True
    cancelled = await world.shop.orders.cancel(me[0], order.order_id)
    assert cancelled.payment_status == OrderPaymentStatus.paid  # nothing went back yet
    assert [m["user_id"] for m in await _outbox(world, "refund_failed")] == [world.admin]
    async with world.db.sessions() as s:
        refund_id = await s.scalar(select(Refund.refund_id))
    assert refund_id is not None
    world.card.fail = False
    retried = await world.shop.orders.retry_refund(world.admin, refund_id)
    assert retried.status.value == "succeeded"
    final = await world.shop.orders.get(me[0], order.order_id)
    assert final.payment_status == OrderPaymentStatus.refunded


async def test_nothing_can_be_cancelled_once_shipped(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 1}))
    shipment = order.shipments[0].shipment_id
    await world.shop.shipping.confirm(seller.user_id, shipment)
    await world.shop.shipping.ship(seller.user_id, shipment, "TRK1")
    with pytest.raises(IllegalTransition):
        await world.shop.orders.cancel(me[0], order.order_id)


async def test_bank_transfer_is_confirmed_by_an_admin(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.order(me, {product: 1}, method=PaymentMethod.bank_transfer)
    assert order.bank_reference
    assert order.bank_reference.startswith("MKT")
    paid = await world.shop.orders.confirm_bank_transfer(world.admin, order.order_id, order.total)
    assert paid.status == OrderStatus.paid
    await world.deliver(seller, paid)
    assert (await world.shop.orders.get(me[0], order.order_id)).status == OrderStatus.delivered


async def test_cash_on_delivery_ships_unpaid_and_is_paid_on_delivery(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.order(me, {product: 1}, method=PaymentMethod.cod)
    assert [m["user_id"] for m in await _outbox(world, "new_order")] == [seller.user_id]
    await world.deliver(seller, order)
    done = await world.shop.orders.get(me[0], order.order_id)
    assert (done.status, done.payment_status) == (OrderStatus.delivered, OrderPaymentStatus.paid)


# --- shipping ---------------------------------------------------------------------------
async def test_milestones_go_forward_only_and_repeats_are_ignored(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 1}))
    shipment = order.shipments[0].shipment_id
    with pytest.raises(IllegalTransition):
        await world.shop.shipping.update(seller.user_id, shipment, TrackingStatus.delivered)
    assert await world.shop.shipping.confirm(seller.user_id, shipment) is True
    assert await world.shop.shipping.confirm(seller.user_id, shipment) is False
    await world.shop.shipping.pack(seller.user_id, shipment)
    await world.shop.shipping.ship(seller.user_id, shipment, "TRK-9")
    assert (await world.shop.orders.get(me[0], order.order_id)).status == OrderStatus.shipped
    assert (
        await world.shop.shipping.provider_update(
            world.provider, "TRK-9", TrackingStatus.out_for_delivery, "Dhaka"
        )
        is True
    )
    with pytest.raises(IllegalTransition):
        await world.shop.shipping.update(
            None, shipment, TrackingStatus.in_transit, source="provider_push"
        )
    await world.shop.shipping.update(None, shipment, TrackingStatus.delivered)
    timeline = (await world.shop.shipping.timeline(me[0], order.order_id))[shipment]
    assert [m.status for m in timeline] == [
        TrackingStatus.order_received,
        TrackingStatus.packed,
        TrackingStatus.shipped,
        TrackingStatus.out_for_delivery,
        TrackingStatus.delivered,
    ]
    updates = await _outbox(world, "delivery_update")
    assert [u["status"] for u in updates] == [m.status.value for m in timeline]
    assert (await world.shop.orders.get(me[0], order.order_id)).status == OrderStatus.delivered


async def test_a_multi_seller_order_follows_all_its_shipments(world: World) -> None:
    a, b = await world.seller("A"), await world.seller("B")
    pa = await world.product(a, "A Hoodie", stock=3)
    pb = await world.product(b, "B Hoodie", stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {pa: 1, pb: 2}))
    assert len(order.shipments) == 2
    assert order.shipping == Decimal("10.00")
    for who, shipment in zip((a, b), order.shipments, strict=True):
        await world.shop.shipping.confirm(who.user_id, shipment.shipment_id)
        await world.shop.shipping.pack(who.user_id, shipment.shipment_id)
    await world.shop.shipping.ship(a.user_id, order.shipments[0].shipment_id, "SAME-1")
    with pytest.raises(InvalidInput) as taken:
        await world.shop.shipping.ship(b.user_id, order.shipments[1].shipment_id, "SAME-1")
    assert taken.value.params["rule"] == "taken"
    incoming_a = await world.shop.shipping.incoming(a.user_id)
    assert [line.product_id for line in incoming_a[0].lines] == [pa]
    await world.deliver(a, order)
    assert (await world.shop.orders.get(me[0], order.order_id)).status == OrderStatus.paid
    await world.deliver(b, order)
    assert (await world.shop.orders.get(me[0], order.order_id)).status == OrderStatus.delivered


# --- after delivery ---------------------------------------------------------------------
async def test_reviews_need_the_product_received_and_can_be_edited(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    with pytest.raises(ReviewNotAllowed):
        await world.shop.reviews.write(me[0], product, 5)
    order = await world.pay(await world.order(me, {product: 1}))
    with pytest.raises(ReviewNotAllowed):
        await world.shop.reviews.write(me[0], product, 5)
    await world.deliver(seller, order)
    await world.shop.reviews.write(me[0], product, 5, "Great")
    await world.shop.reviews.write(me[0], product, 3, "Okay after a week")
    card = (await world.shop.catalog.product(product)).card
    assert (card.rating, card.review_count) == (Decimal("3.0"), 1)
    assert [r.comment for r in await world.shop.reviews.received(seller.user_id)] == [
        "Okay after a week"
    ]
    with pytest.raises(InvalidInput):
        await world.shop.reviews.write(me[0], product, 6)


async def test_a_partial_return_refunds_restocks_and_the_payout_deducts_it(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, "Tee", "10.00", stock=10)
    await world.coupon("THREE", DiscountType.fixed, "3.00")
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 3}, coupon="THREE"))
    assert order.total == Decimal("32.00")  # 30 - 3 + 5 shipping
    await world.deliver(seller, order)
    line = order.lines[0].order_item_id
    [ret] = await world.shop.returns.request(me[0], order.order_id, {line: 2}, "too small")
    with pytest.raises(ReturnNotAllowed):
        await world.shop.returns.request(me[0], order.order_id, {line: 2}, "again")
    with pytest.raises(RefundTooLarge):
        await world.shop.returns.approve(seller.user_id, ret.return_id, Decimal("18.01"))
    done = await world.shop.returns.approve(seller.user_id, ret.return_id, Decimal("15.00"))
    assert (done.status, done.refund_amount) == (ReturnStatus.refunded, Decimal("15.00"))
    after = await world.shop.orders.get(me[0], order.order_id)
    assert after.payment_status == OrderPaymentStatus.partially_refunded
    assert after.status == OrderStatus.delivered
    assert (await world.shop.catalog.product(product)).card.stock_quantity == 9
    world.clock.advance(days=15)
    [payout] = await world.shop.payouts.run(world.admin)
    assert (payout.gross, payout.refunds) == (Decimal("27.00"), Decimal("15.00"))
    assert payout.commission == Decimal("1.20")
    assert payout.amount == Decimal("10.80")
    assert await world.shop.payouts.run(world.admin) == []  # a line is paid out once
    statement = (await _outbox(world, "payout_statement"))[0]
    assert statement["amount"] == "10.80"
    assert statement["user_id"] == seller.user_id
    await world.shop.payouts.mark_paid(world.admin, payout.payout_id, "BANK-1")
    assert (await world.shop.payouts.mine(seller.user_id))[0].status.value == "paid"


async def test_returning_everything_marks_the_order_returned(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=2)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 2}))
    await world.deliver(seller, order)
    [ret] = await world.shop.returns.request(
        me[0], order.order_id, {order.lines[0].order_item_id: 2}, "broken"
    )
    await world.shop.returns.approve(seller.user_id, ret.return_id)
    after = await world.shop.orders.get(me[0], order.order_id)
    assert (after.status, after.payment_status) == (
        OrderStatus.returned,
        OrderPaymentStatus.partially_refunded,
    )
    assert after.lines[0].refunded_amount == after.lines[0].paid == Decimal("40.00")


async def test_returns_close_with_the_window_and_can_be_rejected(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=4)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 2}))
    line = order.lines[0].order_item_id
    with pytest.raises(ReturnNotAllowed) as early:
        await world.shop.returns.request(me[0], order.order_id, {line: 1}, "meh")
    assert early.value.params["reason"] == "not_delivered"
    await world.deliver(seller, order)
    [ret] = await world.shop.returns.request(me[0], order.order_id, {line: 1}, "meh")
    rejected = await world.shop.returns.reject(seller.user_id, ret.return_id, "worn")
    assert rejected.status == ReturnStatus.rejected
    world.clock.advance(days=15)
    with pytest.raises(ReturnNotAllowed) as late:
        await world.shop.returns.request(me[0], order.order_id, {line: 1}, "meh")
    assert late.value.params["reason"] == "window_closed"


# --- accounts and admin -----------------------------------------------------------------
async def test_profile_and_addresses(world: World) -> None:
    me = await world.user()
    with pytest.raises(InvalidInput):
        await world.shop.accounts.update_profile(me, email="not-an-email")
    view = await world.shop.accounts.update_profile(
        me, email="Sara@Example.com", phone="+880 1711 000001"
    )
    assert view.email == "sara@example.com"
    first = await world.shop.accounts.add_address(
        me, AddressInput(street="1 A St", city="Cork", country="Ireland")
    )
    second = await world.shop.accounts.add_address(
        me, AddressInput(street="2 B St", city="Cork", country="Ireland"), default=True
    )
    listed = await world.shop.accounts.addresses(me)
    assert [(a.address_id, a.is_default) for a in listed] == [
        (second.address_id, True),
        (first.address_id, False),
    ]
    other = await world.user("Other")
    with pytest.raises(InvalidInput):
        await world.shop.accounts.update_profile(other, email="sara@example.com")


async def test_the_same_address_saved_again_by_a_replay_writes_nothing(world: World) -> None:
    """Chaos run of 2026-11-29: the bot died after ✅ Save had stored the address and before it
    showed the shipping choice. The replay saved the same place again, which was a second
    write, so it stopped there ("That went through") and the customer was left on a stale
    "Is this address right?" screen. Saving a place already saved, unchanged, writes nothing,
    so the replay goes on to the next screen."""
    me = await world.user()
    home = AddressInput(street="7 Lake Road", city="Dhaka", country="Bangladesh")
    async with world.db.uow() as uow:  # the update, stored before it is handled
        await uow.inbox.claim(
            1,
            4242,
            fingerprint="f",
            payload={"update_id": 4242},
            worker="w",
            now=world.clock(),
            stale_before=world.clock(),
        )
        await uow.commit()
    token = current_update.set(UpdateEffects(1, 4242))
    try:
        first = await world.shop.accounts.add_address(me, home)  # then the process died
        current_update.set(UpdateEffects(1, 4242))  # the replay: the same steps again
        again = await world.shop.accounts.add_address(me, replace(home, city=" dhaka "))
    finally:
        current_update.reset(token)
    assert again.address_id == first.address_id
    assert again.is_default
    assert [a.address_id for a in await world.shop.accounts.addresses(me)] == [first.address_id]
    async with world.db.sessions() as s:
        saved = await s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "address")
        )
    assert saved == 1


async def test_one_default_place_whatever_types_its_addresses_were_saved_as(
    world: World,
) -> None:
    """The walkthrough's two ★: a place saved for shipping and billing, then another saved
    for shipping only made the default, left the first the billing default."""
    me = await world.user()
    home = AddressInput(street="1 A St", city="Cork", country="Ireland")
    await world.shop.accounts.add_address(me, home)
    await world.shop.accounts.add_address(me, replace(home, type=AddressType.billing))
    work = await world.shop.accounts.add_address(
        me, AddressInput(street="9 Quay", city="Cork", country="Ireland")
    )
    await world.shop.accounts.set_default_address(me, work.address_id)
    book = await world.shop.accounts.address_book(me)
    assert [(a.street, a.is_default) for a in book] == [("9 Quay", True), ("1 A St", False)]
    defaults = {(a.type, a.street) for a in await world.shop.accounts.addresses(me) if a.is_default}
    assert defaults == {(AddressType.shipping, "9 Quay"), (AddressType.billing, "9 Quay")}


async def test_a_banned_user_can_only_read_why(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller)
    me = await world.user()
    await world.shop.accounts.ban(world.admin, me, "fraud")
    with pytest.raises(Exception) as refused:
        await world.shop.carts.add(me, product, 1)
    assert type(refused.value).__name__ == "Banned"
    assert refused.value.params == {"reason": "fraud"}  # type: ignore[attr-defined]
    mine = await world.shop.accounts.me(me)
    assert (mine.status.value, mine.status_reason) == ("banned", "fraud")
    await world.shop.accounts.unban(world.admin, me)
    await world.shop.carts.add(me, product, 1)


async def test_admin_views(world: World) -> None:
    seller = await world.seller("Busy")
    product = await world.product(seller, stock=100)
    me = await world.customer()
    delivered = await world.pay(await world.order(me, {product: 2}))
    await world.deliver(seller, delivered)
    cancelled = await world.order(me, {product: 1})
    await world.shop.orders.cancel(me[0], cancelled.order_id)
    await world.shop.reviews.write(me[0], product, 4)
    await world.shop.inventory.adjust(seller.user_id, product, -60, "stock count")
    other = await world.product(seller, "Fiddled", stock=10)
    for _ in range(3):
        await world.shop.inventory.adjust(seller.user_id, other, -1, "shrinkage")
    [perf] = await world.shop.backoffice.seller_performance(world.admin)
    assert (perf.revenue, perf.orders, perf.cancellation_rate, perf.rating) == (
        Decimal("40.00"),
        2,
        Decimal("0.500"),
        Decimal("4.0"),
    )
    alerts = await world.shop.backoffice.inventory_watch(world.admin)
    assert [(a.kind, a.product_id, a.change) for a in alerts] == [
        ("large_adjustment", product, -60),
        ("frequent_adjustments", other, 3),
    ]
    trail = await world.shop.backoffice.audit_search(
        world.admin, entity_type="order", entity_id=cancelled.order_id
    )
    assert {e.action for e in trail} == {"create", "status_change"}
    async with world.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Order)) == 2
        assert await s.scalar(select(Product.sold_count)) == 2


# --- sellers refusing their part, shipping providers ------------------------------------
async def test_a_seller_refusing_the_only_part_cancels_and_refunds(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {product: 2}))
    with pytest.raises(InvalidInput):
        await world.shop.shipping.reject(seller.user_id, order.shipments[0].shipment_id, " ")
    after = await world.shop.shipping.reject(
        seller.user_id, order.shipments[0].shipment_id, "out of stock in the warehouse"
    )
    assert (after.status, after.payment_status) == (
        OrderStatus.cancelled,
        OrderPaymentStatus.refunded,
    )
    assert world.card.calls == [(f"ch_{order.order_id}", order.total)]
    assert (await world.shop.catalog.product(product)).card.stock_quantity == 3


async def test_a_seller_refusing_its_part_of_a_multi_seller_order(world: World) -> None:
    a, b = await world.seller("A"), await world.seller("B")
    pa = await world.product(a, "A Hoodie", "20.00", stock=3)
    pb = await world.product(b, "B Hoodie", "30.00", stock=3)
    me = await world.customer()
    order = await world.pay(await world.order(me, {pa: 1, pb: 1}))
    assert order.total == Decimal("60.00")  # 50 + two parcels at 5.00
    mine = next(s for s in order.shipments if s.seller_id == b.seller_id)
    after = await world.shop.shipping.reject(b.user_id, mine.shipment_id, "discontinued")
    assert after.status == OrderStatus.paid
    assert after.payment_status == OrderPaymentStatus.partially_refunded
    assert world.card.calls == [(f"ch_{order.order_id}", Decimal("35.00"))]
    await world.deliver(a, after)
    done = await world.shop.orders.get(me[0], order.order_id)
    assert done.status == OrderStatus.delivered
    assert (await world.shop.catalog.product(pb)).card.stock_quantity == 3


async def test_a_cod_order_collects_less_when_one_seller_refuses(world: World) -> None:
    a, b = await world.seller("A"), await world.seller("B")
    pa = await world.product(a, "A Hoodie", "20.00", stock=3)
    pb = await world.product(b, "B Hoodie", "30.00", stock=3)
    me = await world.customer()
    order = await world.order(me, {pa: 1, pb: 1}, method=PaymentMethod.cod)
    mine = next(s for s in order.shipments if s.seller_id == b.seller_id)
    await world.shop.shipping.reject(b.user_id, mine.shipment_id, "discontinued")
    await world.deliver(a, order)
    done = await world.shop.orders.get(me[0], order.order_id)
    assert (done.status, done.payment_status) == (OrderStatus.delivered, OrderPaymentStatus.paid)
    async with world.db.sessions() as s:
        collected = await s.scalar(
            select(Payment.amount).where(Payment.status == PaymentStatus.successful)
        )
    assert collected == Decimal("25.00")


async def test_admins_manage_shipping_providers(world: World) -> None:
    express = await world.shop.shipping.create_provider(
        world.admin, "Express", "12.50", estimated_days=1
    )
    with pytest.raises(InvalidInput):
        await world.shop.shipping.create_provider(world.admin, "Express", "1.00")
    names = [p.name for p in await world.shop.shipping.providers()]
    assert names == ["Speedy", "Express"]
    await world.shop.shipping.update_provider(world.admin, express.provider_id, active=False)
    assert [p.name for p in await world.shop.shipping.providers()] == ["Speedy"]
    me = await world.customer()
    seller = await world.seller()
    product = await world.product(seller)
    await world.shop.carts.add(me[0], product, 1)
    with pytest.raises(NotFound):
        await world.shop.orders.place_order(
            me[0],
            address_id=me[1],
            provider_id=express.provider_id,
            payment_method=PaymentMethod.card,
            checkout_key="k",
        )


async def test_a_broadcast_reaches_every_active_user_once_through_the_outbox(
    world: World,
) -> None:
    me = await world.user("Reader")
    banned = await world.user("Spammer")
    await world.shop.accounts.ban(world.admin, banned, "spam")
    with pytest.raises(InvalidInput):
        await world.shop.backoffice.broadcast(world.admin, "   ")
    count = await world.shop.backoffice.broadcast(world.admin, "Weekend <b>sale</b>")
    rows = await _outbox(world, "broadcast")
    assert count == len(rows) == 2  # the admin and the reader, not the banned user
    assert {r["user_id"] for r in rows} == {world.admin, me}
    assert all(r["text"] == "Weekend <b>sale</b>" for r in rows)
