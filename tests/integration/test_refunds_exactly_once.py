"""A refund reaches the card once: interrupted between the decision and the settlement, the
job completes it; settled twice at once, it is paid out once. The card provider is a
Stripe-compatible server (localstripe) on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from engine.base import RefundResult
from storage.models import AuditLog, Return
from storage.models import Seller as SellerRow
from storage.vocabulary import OrderPaymentStatus, OrderStatus, RefundStatus, ReturnStatus
from tests.conftest import Database
from tests.integration.stripe_world import StripeWorld, stripe_world
from tests.integration.world import Seller

if TYPE_CHECKING:
    from bot.adapters.stripe import StripeRefunds
    from engine.base import RefundRequest

pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning")


class Crash(BaseException):
    """The process dies here: nothing after this point runs (not an error it could catch)."""


@pytest.fixture
async def shop(db: Database) -> AsyncIterator[StripeWorld]:
    async with stripe_world(db) as built:
        yield built


async def _paid_order(shop: StripeWorld) -> tuple[Any, str]:
    world = shop.world
    seller = await world.seller()
    product = await world.product(seller, price="20.00", stock=5)
    order = await world.order(await world.customer(), {product: 2})
    charge = await shop.charge(order)
    return await world.pay(order, charge), charge


async def _cancel_and_die(shop: StripeWorld, order_id: int, user_id: int) -> None:
    """Cancel; the process dies right after the refund decision commits."""

    async def die(refund_ids: list[int]) -> list[Any]:
        raise Crash

    shop.world.shop.orders.settle_refunds = die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await shop.world.shop.orders.cancel(user_id, order_id)
    del shop.world.shop.orders.settle_refunds  # the next process settles for real


async def _refund_trail(shop: StripeWorld, refund_id: int) -> list[str]:
    async with shop.world.db.sessions() as s:
        rows = (
            await s.scalars(
                select(AuditLog)
                .where(AuditLog.entity_type == "refund", AuditLog.entity_id == refund_id)
                .order_by(AuditLog.audit_id)
            )
        ).all()
    return [str((row.new_data or {}).get("status", row.action)) for row in rows]


async def test_a_refund_left_pending_by_a_crash_is_settled_by_the_job_once(
    shop: StripeWorld,
) -> None:
    order, charge = await _paid_order(shop)
    await _cancel_and_die(shop, order.order_id, order.user_id)
    [refund] = await shop.refunds()
    assert refund.status == RefundStatus.pending
    assert await shop.refunds_on_stripe(charge) == []

    orders = shop.world.shop.orders
    assert await orders.resettle_stuck_refunds() == []  # just decided: its process may settle it
    shop.world.clock.advance(minutes=2)
    [settled] = await orders.resettle_stuck_refunds()
    assert settled.status == RefundStatus.succeeded
    assert await orders.resettle_stuck_refunds() == []

    [on_stripe] = await shop.refunds_on_stripe(charge)
    assert on_stripe.amount == 4500  # two at 20.00 and the 5.00 shipping, in cents
    assert on_stripe.metadata["refund_id"] == str(refund.refund_id)
    after = await orders.get(order.user_id, order.order_id)
    assert (after.status, after.payment_status) == (
        OrderStatus.cancelled,
        OrderPaymentStatus.refunded,
    )
    [row] = await shop.refunds()
    assert (row.provider_ref, row.attempts) == (on_stripe.id, 1)
    assert await _refund_trail(shop, refund.refund_id) == ["create", "processing", "succeeded"]
    assert len(await shop.outbox("refund_sent")) == 1


class DiesAfterAsking:
    """Stripe is asked, then the process dies before it can record the answer."""

    def __init__(self, stripe: StripeRefunds) -> None:
        self.stripe = stripe

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        await self.stripe.refund(transaction_ref, amount, currency)
        raise Crash

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        await self.stripe.refund_once(request)
        raise Crash


async def test_a_refund_whose_answer_was_lost_is_completed_by_the_job_without_paying_twice(
    shop: StripeWorld,
) -> None:
    order, charge = await _paid_order(shop)
    shop.world.deps.refunds = {"stripe": DiesAfterAsking(shop.stripe)}
    with pytest.raises(Crash):
        await shop.world.shop.orders.cancel(order.user_id, order.order_id)
    assert len(await shop.refunds_on_stripe(charge)) == 1  # the money left
    shop.world.deps.refunds = {"stripe": shop.stripe}  # the restarted process

    orders = shop.world.shop.orders
    shop.world.clock.advance(minutes=2)
    assert await orders.resettle_stuck_refunds() == []  # its taker may still be at work
    shop.world.clock.advance(minutes=5)
    [settled] = await orders.resettle_stuck_refunds()
    assert settled.status == RefundStatus.succeeded
    shop.world.clock.advance(minutes=10)
    assert await orders.resettle_stuck_refunds() == []

    [on_stripe] = await shop.refunds_on_stripe(charge)  # still exactly one
    [row] = await shop.refunds()
    assert (row.provider_ref, row.attempts) == (on_stripe.id, 2)
    after = await orders.get(order.user_id, order.order_id)
    assert after.payment_status == OrderPaymentStatus.refunded
    assert await _refund_trail(shop, row.refund_id) == [
        "create",
        "processing",
        "processing",
        "succeeded",
    ]
    assert len(await shop.outbox("refund_sent")) == 1


async def test_two_settles_at_once_pay_the_refund_out_once(shop: StripeWorld) -> None:
    order, charge = await _paid_order(shop)
    await _cancel_and_die(shop, order.order_id, order.user_id)
    [refund] = await shop.refunds()
    orders = shop.world.shop.orders
    results = await asyncio.gather(*(orders.settle_refunds([refund.refund_id]) for _ in range(4)))
    assert RefundStatus.succeeded in {views[0].status for views in results}
    assert len(await shop.refunds_on_stripe(charge)) == 1
    [row] = await shop.refunds()
    assert (row.status, row.attempts) == (RefundStatus.succeeded, 1)
    after = await orders.get(order.user_id, order.order_id)
    assert after.payment_status == OrderPaymentStatus.refunded
    assert len(await shop.outbox("refund_sent")) == 1


class DiesBeforeAsking:
    """The process dies after taking the refund, before asking the provider."""

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        raise Crash

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        raise Crash


async def test_a_return_whose_refund_the_job_completed_is_refunded(shop: StripeWorld) -> None:
    """The return's approval used to be the only step that marked it refunded, so a refund
    finished by the job after a crash left the return `approved` for ever."""
    world = shop.world
    order, charge = await _paid_order(shop)
    seller = await _seller_of(shop, order)
    await world.deliver(seller, order)
    line = order.lines[0].order_item_id
    [ret] = await world.shop.returns.request(order.user_id, order.order_id, {line: 1}, "torn")
    working = world.deps.refunds
    world.deps.refunds = {"stripe": DiesBeforeAsking()}
    with pytest.raises(Crash):
        await world.shop.returns.approve(seller.user_id, ret.return_id)
    world.deps.refunds = working
    world.clock.advance(minutes=6)
    [settled] = await world.shop.orders.resettle_stuck_refunds()
    assert settled.status == RefundStatus.succeeded
    [on_stripe] = await shop.refunds_on_stripe(charge)
    assert on_stripe.amount == 2000
    async with world.db.sessions() as s:
        row = await s.get(Return, ret.return_id)
        assert row is not None
        assert row.status == ReturnStatus.refunded


async def _seller_of(shop: StripeWorld, order: Any) -> Seller:
    async with shop.world.db.sessions() as s:
        row = await s.get(SellerRow, order.lines[0].seller_id)
        assert row is not None
        return Seller(row.user_id, row.seller_id)
