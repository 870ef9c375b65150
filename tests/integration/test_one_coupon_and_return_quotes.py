"""Engine rules behind the checkout's coupon step and the return's summary, on both
databases: an order takes one coupon (a second one replaces the first, with what each saves);
a return is quoted before it is asked (what goes back, how many, the refund the seller's
approval gives), and asked only as quoted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import CouponRejected, Outdated, ReturnNotAllowed
from storage.vocabulary import DiscountType, PaymentMethod
from tests.conftest import Database
from tests.integration.world import World


async def test_a_second_coupon_replaces_the_first_and_says_what_each_saves(db: Database) -> None:
    world = await World(db).setup()
    save10 = await world.coupon("SAVE10", DiscountType.fixed, "10.00")
    await world.coupon("WELCOME10", DiscountType.percentage, "10")
    me = await world.user()
    subtotal, shipping = Decimal("45.00"), Decimal("5.00")

    first = await world.shop.coupons.apply(me, "save10", subtotal, shipping)
    assert (first.quote.code, first.quote.discount, first.replaces) == (
        "SAVE10",
        Decimal("10.00"),
        None,
    )
    again = await world.shop.coupons.apply(me, "SAVE10", subtotal, shipping, applied="SAVE10")
    assert again.replaces is None  # the same coupon given twice replaces nothing

    second = await world.shop.coupons.apply(me, "welcome10", subtotal, shipping, applied="SAVE10")
    assert (second.quote.code, second.quote.discount) == ("WELCOME10", Decimal("4.50"))
    assert (second.replaces, second.replaced_discount) == ("SAVE10", Decimal("10.00"))

    with pytest.raises(CouponRejected):  # refused: the applied coupon stays as it was
        await world.shop.coupons.apply(me, "NOPE", subtotal, shipping, applied="SAVE10")

    await world.shop.coupons.disable(world.admin, save10)
    lapsed = await world.shop.coupons.apply(me, "WELCOME10", subtotal, shipping, applied="SAVE10")
    assert (lapsed.replaces, lapsed.replaced_discount) == ("SAVE10", None)


async def _three_delivered(world: World) -> tuple[int, int, int, int]:
    """(customer, order, line, seller's user) of a paid, delivered order of 3 × $20.00."""
    seller = await world.seller()
    hoodie = await world.product(seller, price="20.00")
    customer = await world.customer()
    order = await world.order(customer, {hoodie: 3}, PaymentMethod.card)
    order = await world.pay(order)
    await world.deliver(seller, order)
    return customer[0], order.order_id, order.lines[0].order_item_id, seller.user_id


async def test_a_return_is_quoted_as_the_approval_refunds_it_and_asked_only_as_quoted(
    db: Database,
) -> None:
    world = await World(db).setup()
    me, order, line, seller = await _three_delivered(world)
    returns = world.shop.returns

    quote = await returns.quote(me, order, {line: 2})
    assert [(x.order_item_id, x.units, x.refund) for x in quote.lines] == [
        (line, 2, Decimal("40.00"))
    ]
    assert quote.refund == Decimal("40.00")
    assert await returns.waiting(seller) == [], "a quote asks nothing of the seller"
    with pytest.raises(ReturnNotAllowed):
        await returns.quote(me, order, {line: 4})

    [asked] = await returns.request(me, order, {line: 2}, "too big", seen=quote.version)
    with pytest.raises(Outdated):  # the same summary confirmed twice asks back nothing more
        await returns.request(me, order, {line: 1}, "too big", seen=quote.version)
    assert [r.items for r in await returns.waiting(seller)] == [{line: 2}]

    last = await returns.quote(me, order, {line: 1})
    assert last.refund == Decimal("20.00")
    approved = await returns.approve(seller, asked.return_id)
    assert approved.refund_amount == quote.refund  # what the summary said goes back
