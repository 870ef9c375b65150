"""The checkout quote is what the order charges: the same lines, subtotal, shipping,
discount and total, priced by one rule (engine.orders.priced), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from engine.errors import CartEmpty, CouponRejected, NotFound, Outdated
from engine.order_actions import PaymentState
from storage.vocabulary import DiscountType, OrderStatus, PaymentMethod
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (None, None),
        (DiscountType.percentage, "15"),
        (DiscountType.fixed, "7.50"),
        (DiscountType.free_shipping, "0"),
    ],
)
async def test_the_quote_equals_the_placed_orders_amounts(
    world: World, kind: DiscountType | None, value: str | None
) -> None:
    one, two = await world.seller("North"), await world.seller("South")
    tee = await world.product(one, "Tee", "12.35", stock=9)
    mug = await world.product(two, "Mug", "8.10", stock=9, discount="6.99")
    customer = await world.customer()
    await world.shop.carts.add(customer[0], tee, 3)
    await world.shop.carts.add(customer[0], mug, 2)
    code = None
    if kind is not None:
        code = f"Q{kind.value.upper()[:8]}"
        await world.coupon(code, kind, str(value))

    quote = await world.shop.orders.quote(customer[0], world.provider, code and code.lower())
    order = await world.place(customer, PaymentMethod.card, code)

    assert [(q.product_id, q.quantity, q.price) for q in quote.lines] == [
        (line.product_id, line.quantity, line.price) for line in order.lines
    ]
    assert (quote.subtotal, quote.shipping, quote.discount, quote.total, quote.currency) == (
        order.subtotal,
        order.shipping,
        order.discount,
        order.total,
        order.currency,
    )
    assert quote.subtotal == sum((q.total for q in quote.lines), Decimal("0.00"))
    assert quote.total == quote.subtotal + quote.shipping - quote.discount
    assert quote.shipping > 0  # two sellers: two parcels at the provider's price
    assert (quote.discount > 0) == (kind is not None)
    assert quote.provider == order.provider == "Speedy"


async def test_a_quote_takes_nothing_and_refuses_what_the_order_would(world: World) -> None:
    seller = await world.seller()
    tee = await world.product(seller, "Tee", "10.00", stock=2)
    customer = await world.customer()
    with pytest.raises(CartEmpty):
        await world.shop.orders.quote(customer[0], world.provider)
    await world.shop.carts.add(customer[0], tee, 2)
    with pytest.raises(NotFound):
        await world.shop.orders.quote(customer[0], 10**30)
    with pytest.raises(CouponRejected):
        await world.shop.orders.quote(customer[0], world.provider, "NOSUCHCODE")
    await world.coupon("ONCE", DiscountType.fixed, "3", max_uses=1)
    first = await world.shop.orders.quote(customer[0], world.provider, "ONCE")
    again = await world.shop.orders.quote(customer[0], world.provider, "ONCE")
    assert first == again  # quoting redeems nothing
    order = await world.place(customer, PaymentMethod.bank_transfer, "ONCE")
    assert order.total == first.total
    assert order.payment_state == PaymentState.awaiting_transfer
    assert order.refund_on_cancel == Decimal("0.00")  # nothing paid: nothing to give back


async def test_cancelling_a_paid_order_gives_back_what_the_card_said(world: World) -> None:
    seller = await world.seller()
    tee = await world.product(seller, "Tee", "10.00", stock=2)
    customer = await world.customer()
    order = await world.pay(await world.order(customer, {tee: 2}))
    said = (await world.shop.orders.get(customer[0], order.order_id)).refund_on_cancel
    assert said == order.total
    cancelled = await world.shop.orders.cancel(customer[0], order.order_id)
    assert cancelled.payment_state == PaymentState.refunded
    assert sum((amount for _, amount in world.card.calls), Decimal("0.00")) == said


async def test_a_cancel_answered_on_an_older_question_changes_nothing(world: World) -> None:
    """The question said "nothing goes back" (unpaid); the order was paid since: that "Yes"
    does not cancel it (Outdated), and the order stays paid."""
    seller = await world.seller()
    tee = await world.product(seller, "Tee", "10.00", stock=2)
    customer = await world.customer()
    order = await world.order(customer, {tee: 1}, PaymentMethod.bank_transfer)
    seen = order.payment_status
    await world.shop.orders.confirm_bank_transfer(world.admin, order.order_id)
    with pytest.raises(Outdated):
        await world.shop.orders.cancel(customer[0], order.order_id, seen=seen)
    after = await world.shop.orders.get(customer[0], order.order_id)
    assert after.payment_state == PaymentState.paid
    assert after.status == OrderStatus.paid
    cancelled = await world.shop.orders.cancel(
        customer[0], order.order_id, seen=after.payment_status
    )
    assert cancelled.status == OrderStatus.cancelled
