"""No card charge is lost or kept twice: an invoice paid twice has its extra charge refunded,
a second payment sheet waits while one is in flight, and the reconciliation job records a
charge whose successful_payment never arrived (or refunds it when its order cannot take it).
The card provider is a Stripe-compatible server (localstripe), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.adapters.paypal import PayPal
from engine.errors import IllegalTransition, NotFound, PaymentInFlight, PaymentMismatch
from engine.orders import OrderView
from engine.reconcile import parse_payload, paypal_request_id
from sandbox.paypal import PayPalServer
from storage.models import AuditLog
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    RefundStatus,
)
from tests.conftest import Database
from tests.integration.stripe_world import StripeWorld, stripe_world
from tests.integration.world import World

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning")


@pytest.fixture
async def shop(db: Database) -> AsyncIterator[StripeWorld]:
    async with stripe_world(db) as built:
        yield built


async def _order(shop: StripeWorld) -> OrderView:
    world = shop.world
    seller = await world.seller()
    product = await world.product(seller, price="20.00", stock=5)
    return await world.order(await world.customer(), {product: 1})


async def _telegram_says_paid(shop: StripeWorld, order: OrderView, charge: str) -> bool:
    """What the successful_payment handler does with Telegram's message; True: kept."""
    taken = await shop.world.shop.orders.take_payment(
        order.user_id,
        order.order_id,
        provider="stripe",
        transaction_ref=charge,
        amount=order.total,
        currency=order.currency,
        telegram_charge_id=f"tg_{charge}",
    )
    return taken.kept


async def _reconcile_audits(shop: StripeWorld) -> list[dict[str, object]]:
    async with shop.world.db.sessions() as s:
        rows = (
            await s.scalars(
                select(AuditLog)
                .where(AuditLog.entity_type == "payment", AuditLog.action == "reconcile")
                .order_by(AuditLog.audit_id)
            )
        ).all()
    return [dict(row.new_data or {}) for row in rows]


# --- paid twice ---------------------------------------------------------------------------
async def test_an_invoice_paid_twice_has_the_extra_charge_refunded_and_the_admins_told(
    shop: StripeWorld,
) -> None:
    order = await _order(shop)
    first, second = await shop.charge(order), await shop.charge(order)  # two sheets at once
    assert await _telegram_says_paid(shop, order, first) is True
    assert await _telegram_says_paid(shop, order, second) is False
    assert await _telegram_says_paid(shop, order, second) is False  # delivered again: once

    assert await shop.refunds_on_stripe(first) == []
    [back] = await shop.refunds_on_stripe(second)
    assert back.amount == 2500  # the whole second charge, in cents
    payments = await shop.payments()
    assert [(p.transaction_ref, p.status) for p in payments] == [
        (first, PaymentStatus.successful),
        (second, PaymentStatus.refunded),
    ]
    [refund] = await shop.refunds()
    assert (refund.status, refund.provider_ref) == (RefundStatus.succeeded, back.id)
    after = await shop.world.shop.orders.get(order.user_id, order.order_id)
    assert (after.status, after.payment_status) == (OrderStatus.paid, OrderPaymentStatus.paid)

    [alert] = await shop.outbox("extra_charge")
    assert alert.user_id == shop.world.admin
    assert alert.payload["transaction_ref"] == second
    assert alert.payload["order_id"] == order.order_id
    [told] = await shop.outbox("charged_twice")
    assert told.user_id == order.user_id
    assert [m.payload["amount"] for m in await shop.outbox("refund_sent")] == ["25.00"]
    assert len(await shop.outbox("payment_received")) == 1


async def test_cancelling_after_a_double_payment_refunds_the_first_charge_too(
    shop: StripeWorld,
) -> None:
    order = await _order(shop)
    first, second = await shop.charge(order), await shop.charge(order)
    await _telegram_says_paid(shop, order, first)
    await _telegram_says_paid(shop, order, second)
    cancelled = await shop.world.shop.orders.cancel(order.user_id, order.order_id)
    assert cancelled.payment_status == OrderPaymentStatus.refunded
    assert [r.amount for r in await shop.refunds_on_stripe(first)] == [2500]
    assert [r.amount for r in await shop.refunds_on_stripe(second)] == [2500]


# --- one payment sheet at a time -----------------------------------------------------------
async def test_a_second_payment_sheet_waits_while_one_is_in_flight(shop: StripeWorld) -> None:
    order = await _order(shop)
    orders = shop.world.shop.orders
    ref = parse_payload(order.invoice_payload)
    assert ref is not None
    assert ref.order_id == order.order_id

    async def sheet() -> OrderView:
        return await orders.begin_card_payment(
            order.user_id, order.order_id, amount=order.total, currency="USD", tag=ref.tag
        )

    results = await asyncio.gather(sheet(), sheet(), sheet(), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, PaymentInFlight) for r in results if isinstance(r, BaseException))
    shop.world.clock.advance(seconds=61)  # that sheet was never paid: another may try
    await sheet()
    with pytest.raises(PaymentMismatch):  # the amount the sheet shows must be the order's
        await orders.begin_card_payment(
            order.user_id, order.order_id, amount=Decimal("1.00"), currency="USD"
        )
    with pytest.raises(NotFound):  # an invoice of another database's order with this number
        await orders.begin_card_payment(
            order.user_id, order.order_id, amount=order.total, currency="USD", tag="0badc0ffee"
        )
    await _telegram_says_paid(shop, order, await shop.charge(order))
    shop.world.clock.advance(seconds=61)
    with pytest.raises(IllegalTransition) as paid:
        await sheet()
    assert paid.value.params["status"] == "paid"
    [payment] = await shop.payments()
    assert (payment.status, payment.in_flight_until) == (PaymentStatus.successful, None)


# --- reconciliation ------------------------------------------------------------------------
async def test_a_charge_whose_successful_payment_was_lost_is_recorded_by_the_job(
    shop: StripeWorld,
) -> None:
    order = await _order(shop)
    charge = await shop.charge(order)  # Telegram's successful_payment never reaches the shop
    payments = shop.world.shop.payments
    assert await payments.reconcile() == []  # it may still be on its way
    shop.world.clock.advance(minutes=3)
    [found] = await payments.reconcile()
    assert (found.order_id, found.transaction_ref, found.kept) == (order.order_id, charge, True)
    assert await payments.reconcile() == []

    after = await shop.world.shop.orders.get(order.user_id, order.order_id)
    assert (after.status, after.payment_status) == (OrderStatus.paid, OrderPaymentStatus.paid)
    [payment] = await shop.payments()
    assert (payment.transaction_ref, payment.status) == (charge, PaymentStatus.successful)
    assert [a["kept"] for a in await _reconcile_audits(shop)] == [True]
    [alert] = await shop.outbox("payment_recovered")
    assert alert.user_id == shop.world.admin
    assert await shop.refunds_on_stripe(charge) == []
    # the lost message arrives after all: the same charge counts once
    assert await _telegram_says_paid(shop, order, charge) is True
    assert len(await shop.payments()) == 1
    assert len(await shop.outbox("payment_received")) == 1


async def test_a_lost_charge_of_an_order_that_expired_meanwhile_is_refunded_by_the_job(
    shop: StripeWorld,
) -> None:
    order = await _order(shop)
    charge = await shop.charge(order)
    shop.world.clock.advance(minutes=31)
    assert await shop.world.shop.orders.expire_unpaid() == [order.order_id]
    [found] = await shop.world.shop.payments.reconcile()
    assert (found.order_id, found.kept) == (order.order_id, False)
    assert await shop.world.shop.payments.reconcile() == []

    [back] = await shop.refunds_on_stripe(charge)
    assert back.amount == 2500
    after = await shop.world.shop.orders.get(order.user_id, order.order_id)
    assert after.status == OrderStatus.cancelled
    assert [p.status for p in await shop.payments()] == [
        PaymentStatus.failed,  # the attempt the expiry closed
        PaymentStatus.refunded,  # the charge that came too late
    ]
    assert [a["kept"] for a in await _reconcile_audits(shop)] == [False]
    [alert] = await shop.outbox("extra_charge")
    assert alert.user_id == shop.world.admin
    assert len(await shop.outbox("payment_not_taken")) == 1


async def test_a_charge_for_another_shops_order_of_the_same_number_is_left_alone(
    shop: StripeWorld,
) -> None:
    order = await _order(shop)
    theirs = await shop.charge(order, payload=f"order:{order.order_id}:0badc0ffee")
    shop.world.clock.advance(minutes=3)
    assert await shop.world.shop.payments.reconcile() == []
    assert await shop.refunds_on_stripe(theirs) == []
    after = await shop.world.shop.orders.get(order.user_id, order.order_id)
    assert (after.status, after.payment_status) == (OrderStatus.pending, OrderPaymentStatus.pending)
    assert [p.status for p in await shop.payments()] == [PaymentStatus.pending]


# --- PayPal --------------------------------------------------------------------------------
@pytest.fixture
async def paypal_shop(db: Database) -> AsyncIterator[tuple[World, PayPal, PayPalServer]]:
    server = PayPalServer()
    runner = await server.serve()
    world = await World(db).setup()
    world.clock.now = datetime.now(UTC)
    paypal = PayPal(server.client_id, server.client_secret, api_base=server.base_url)
    world.deps.refunds = {"paypal": paypal}
    try:
        yield world, paypal, server
        await world.assert_ledgers()
    finally:
        await runner.cleanup()


async def test_a_paypal_capture_the_shop_never_recorded_is_found_by_the_job(
    paypal_shop: tuple[World, PayPal, PayPalServer],
) -> None:
    world, paypal, server = paypal_shop
    seller = await world.seller()
    product = await world.product(seller, price="20.00", stock=5)
    order = await world.order(await world.customer(), {product: 1}, method=PaymentMethod.paypal)
    request_id = paypal_request_id(order.order_id, order.created_at)
    checkout = await paypal.create(order.order_id, order.total, "USD", request_id=request_id)
    server.approve(checkout.paypal_order_id)
    capture = await paypal.capture(checkout.paypal_order_id, order.order_id)  # then it died
    world.clock.advance(minutes=3)
    [found] = await world.shop.payments.reconcile()
    assert (found.provider, found.transaction_ref, found.kept) == (
        "paypal",
        capture.capture_id,
        True,
    )
    assert await world.shop.payments.reconcile() == []  # paid now: nothing left to look up
    paid = await world.shop.orders.get(order.user_id, order.order_id)
    assert (paid.status, paid.payment_status) == (OrderStatus.paid, OrderPaymentStatus.paid)
    cancelled = await world.shop.orders.cancel(order.user_id, order.order_id)
    assert cancelled.payment_status == OrderPaymentStatus.refunded
    assert server.orders[checkout.paypal_order_id].refunded == order.total
