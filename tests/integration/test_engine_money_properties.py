"""Random carts, coupons and partial refunds: every amount stays exact and never negative,
on both databases (hypothesis drives the engine end to end)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.models import Payment, Refund
from storage.vocabulary import DiscountType, from_minor_units
from tests.conftest import Database
from tests.integration.world import World

prices = st.integers(min_value=1, max_value=99_999).map(from_minor_units)
lines = st.lists(
    st.tuples(prices, st.booleans(), st.integers(min_value=1, max_value=4)),
    min_size=1,
    max_size=4,
)
coupons = st.one_of(
    st.none(),
    st.tuples(st.just(DiscountType.percentage), st.integers(1, 100).map(str)),
    st.tuples(st.just(DiscountType.fixed), st.integers(1, 20_000).map(from_minor_units).map(str)),
    st.tuples(st.just(DiscountType.free_shipping), st.just("0")),
)
_worlds: dict[int, World] = {}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cart=lines, coupon=coupons, returned=st.data())
async def test_totals_refunds_and_payouts_stay_exact(
    db: Database,
    cart: list[tuple[Decimal, bool, int]],
    coupon: tuple[DiscountType, str] | None,
    returned: st.DataObject,
) -> None:
    world = _worlds.get(id(db)) or await World(db).setup()
    _worlds[id(db)] = world
    seller = await world.seller()
    items = {}
    for n, (price, discounted, quantity) in enumerate(cart):
        discount = str((price * Decimal("0.7")).quantize(Decimal("0.01"))) if discounted else None
        if discount is not None and Decimal(discount) >= price:
            discount = None
        product = await world.product(seller, f"Item {n}", str(price), stock=10, discount=discount)
        items[product] = quantity
    code = None
    if coupon is not None:
        code = f"CPN{seller.seller_id}"
        await world.coupon(code, coupon[0], coupon[1])
    customer = await world.customer()
    order = await world.pay(await world.order(customer, items, coupon=code))

    assert order.total == order.subtotal - order.discount + order.shipping
    assert min(order.total, order.discount, order.subtotal) >= 0
    if coupon is None or coupon[0] != DiscountType.free_shipping:
        assert sum((line.discount for line in order.lines), Decimal(0)) == order.discount
    assert all(0 <= line.discount <= line.price * line.quantity for line in order.lines)

    await world.deliver(seller, order)
    chosen = {
        line.order_item_id: returned.draw(st.integers(0, line.quantity), label="units")
        for line in order.lines
    }
    chosen = {k: v for k, v in chosen.items() if v}
    refunded = Decimal(0)
    if chosen:
        [ret] = await world.shop.returns.request(customer[0], order.order_id, chosen, "test")
        full = Decimal(0)
        for line in order.lines:
            units = chosen.get(line.order_item_id, 0)
            if units == line.quantity:
                full += line.paid
            elif units:
                full += (line.paid * units / line.quantity).quantize(Decimal("0.01"))
        cents = returned.draw(st.integers(0, max(int(full * 100) - 2, 0)), label="refund")
        done = await world.shop.returns.approve(
            seller.user_id, ret.return_id, from_minor_units(cents)
        )
        refunded = done.refund_amount
        assert refunded == from_minor_units(cents)
    after = await world.shop.orders.get(customer[0], order.order_id)
    assert all(0 <= line.refunded_amount <= line.paid for line in after.lines)
    assert sum((line.refunded_amount for line in after.lines), Decimal(0)) == refunded
    async with db.sessions() as s:
        back = await s.scalar(
            select(func.coalesce(func.sum(Refund.amount), 0))
            .join(Payment)
            .where(Payment.order_id == order.order_id)
        )
        payment = await s.scalar(select(Payment).where(Payment.order_id == order.order_id))
    assert payment is not None
    assert back is not None
    assert Decimal(back) == refunded == payment.refunded_amount <= payment.amount

    world.clock.advance(days=15)
    payouts = [p for p in await world.shop.payouts.run() if p.seller_id == seller.seller_id]
    [payout] = payouts
    gross = sum((line.paid for line in after.lines), Decimal(0))
    assert (payout.gross, payout.refunds) == (gross, refunded)
    assert payout.amount == payout.gross - payout.commission - payout.refunds >= 0
    assert payout.commission == ((gross - refunded) / 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
