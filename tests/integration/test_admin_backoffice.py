"""The admin's engine operations behind the chat screens (issue 14), on both databases: who a
number or @username names, whether a coupon could be used today, the audit trail in words,
the bank transfers waiting, and the payouts preview agreeing with the payouts run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from engine.backoffice import Change
from engine.errors import Forbidden, Outdated
from storage.vocabulary import DiscountType, OrderStatus, PaymentMethod
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def test_a_bare_number_is_a_telegram_id_and_hash_is_the_shops_own(world: World) -> None:
    buyer = await world.user("Kim")
    card = await world.shop.backoffice.find_user(world.admin, f"#{buyer}")
    assert card.telegram_id is not None
    by_telegram = await world.shop.backoffice.find_user(world.admin, str(card.telegram_id))
    assert by_telegram.user_id == buyer
    assert (await world.shop.backoffice.find_user(world.admin, f"id:{buyer}")).user_id == buyer
    for attempt in (
        world.shop.backoffice.waiting_transfers(buyer),
        world.shop.backoffice.payouts_due(buyer),
        world.shop.backoffice.broadcast_audience(buyer),
        world.shop.backoffice.audit_page(buyer),
    ):
        with pytest.raises(Forbidden):
            await attempt


async def test_a_used_up_or_ended_coupon_is_not_active(world: World) -> None:
    seller = await world.seller()
    hoodie = await world.product(seller, stock=5)
    once = await world.coupon("ONCE", DiscountType.fixed, "5", max_uses=1)
    world.clock.advance(days=-2)  # made while it still ran: a past last day is refused
    ended = await world.coupon(
        "ENDED", DiscountType.percentage, "10", end_date=world.clock.now.date() + timedelta(days=1)
    )
    world.clock.advance(days=2)
    await world.order(await world.customer(), {hoodie: 1}, coupon="ONCE")
    standing = {c.coupon_id: c.standing for c in await world.shop.coupons.usage(world.admin)}
    assert standing == {once: "used_up", ended: "expired"}


async def test_the_audit_page_says_who_did_what_before_and_after(world: World) -> None:
    seller = await world.seller()
    hoodie = await world.product(seller)
    order = await world.pay(await world.order(await world.customer("Sara"), {hoodie: 1}))
    page = await world.shop.backoffice.audit_page(
        world.admin, entity_type="order", entity_id=order.order_id, per_page=1
    )
    everything = await world.shop.backoffice.audit_search(
        world.admin, entity_type="order", entity_id=order.order_id
    )
    paid = next(e for e in everything if e.entity_type == "order")  # the newest of the order's
    assert Change("order_status", "pending", "paid") in paid.changes
    assert (paid.by_name, paid.by_role and paid.by_role.value) == ("Sara", "customer")
    while page.has_next:  # older and older, down to the order's creation
        page = await world.shop.backoffice.audit_page(
            world.admin,
            entity_type="order",
            entity_id=order.order_id,
            page=page.page + 1,
            per_page=1,
        )
    assert page.page > 1
    assert page.entries[-1].action == "create"


async def test_an_orders_audit_tells_its_parcels_payments_and_moments_too(world: World) -> None:
    """/audit order N is the order's whole story: what its seller did to the parcel and its
    payment, not only the order's own row; a moment reads to the minute, not in ISO."""
    seller = await world.seller()
    hoodie = await world.product(seller)
    order = await world.pay(await world.order(await world.customer("Sara"), {hoodie: 1}))
    await world.deliver(seller, order)
    other = await world.order(await world.customer("Kim"), {hoodie: 1})  # not in this story
    story = await world.shop.backoffice.audit_search(
        world.admin, entity_type="order", entity_id=order.order_id, limit=200
    )
    kinds = {e.entity_type for e in story}
    assert {"order", "shipment", "payment"} <= kinds, kinds
    parcel = order.shipments[0].shipment_id
    assert {e.entity_id for e in story if e.entity_type == "shipment"} == {parcel}
    assert all(e.entity_id != other.order_id for e in story if e.entity_type == "order")
    shown = [v for e in story for c in e.changes for v in (c.before, c.after) if isinstance(v, str)]
    assert not any("T" in v and v[:4].isdigit() and v[4] == "-" for v in shown), shown


async def test_bank_transfers_wait_until_they_are_marked_paid(world: World) -> None:
    seller = await world.seller()
    hoodie = await world.product(seller)
    order = await world.order(await world.customer(), {hoodie: 1}, PaymentMethod.bank_transfer)
    world.clock.now = datetime.now(UTC) + timedelta(hours=3)  # orders carry the database's time
    [waiting] = await world.shop.backoffice.waiting_transfers(world.admin)
    assert (waiting.order_id, waiting.amount) == (order.order_id, order.total)
    assert waiting.reference
    assert waiting.age >= timedelta(hours=3)
    await world.shop.orders.confirm_bank_transfer(world.admin, order.order_id)
    await world.shop.orders.confirm_bank_transfer(world.admin, order.order_id)  # twice: once
    assert await world.shop.backoffice.waiting_transfers(world.admin) == []


async def test_the_payouts_preview_is_what_the_run_pays_and_writes_nothing(world: World) -> None:
    seller = await world.seller("Lamps")
    lamp = await world.product(seller, "Lamp", "40.00")
    order = await world.pay(await world.order(await world.customer(), {lamp: 1}))
    await world.deliver(seller, order)
    world.clock.advance(days=15)  # the return window is over
    [due] = await world.shop.backoffice.payouts_due(world.admin)
    assert (due.store_name, due.gross, due.commission, due.refunds, due.net) == (
        "Lamps",
        Decimal("40.00"),
        Decimal("4.00"),
        Decimal("0.00"),
        Decimal("36.00"),
    )
    assert due.period_start is not None
    assert due.pending_balance == Decimal("0.00")
    assert await world.shop.backoffice.payouts_due(world.admin) == [due]  # nothing written
    [made] = await world.shop.payouts.run(world.admin)
    assert (made.gross - made.refunds, made.commission, made.amount) == (
        due.gross - due.refunds,
        due.commission,
        due.net,
    )
    [after] = await world.shop.backoffice.payouts_due(world.admin)
    assert (after.lines, after.net, after.pending_balance) == (0, Decimal(0), Decimal("36.00"))


async def test_a_transfer_tapped_on_an_old_queue_changes_nothing(world: World) -> None:
    """The queue's "Mark paid" says the order was waiting: once it expired (or was paid by
    another admin), that tap records no payment and sends nothing back."""
    seller = await world.seller()
    hoodie = await world.product(seller)
    order = await world.order(await world.customer(), {hoodie: 1}, PaymentMethod.bank_transfer)
    world.clock.advance(days=30)
    assert await world.shop.orders.expire_unpaid() == [order.order_id]
    with pytest.raises(Outdated):
        await world.shop.orders.confirm_bank_transfer(world.admin, order.order_id, waiting=True)
    after = await world.shop.orders.get(world.admin, order.order_id)
    assert (after.status, after.payment_status) == (OrderStatus.cancelled, order.payment_status)
    assert world.card.calls == []

    paid = await world.order(await world.customer(), {hoodie: 1}, PaymentMethod.bank_transfer)
    await world.shop.orders.confirm_bank_transfer(world.admin, paid.order_id)  # one admin
    with pytest.raises(Outdated):  # the other admin's queue still listed it
        await world.shop.orders.confirm_bank_transfer(world.admin, paid.order_id, waiting=True)
