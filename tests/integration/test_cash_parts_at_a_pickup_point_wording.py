"""An order of two stores' goods, collected at a pickup point and paid in cash: its card says
what is paid as each parcel is collected, with no "them" that names nothing."""

from __future__ import annotations

from html import escape

from engine.fulfilment import Step
from engine.orders import OrderView
from storage.vocabulary import PaymentMethod
from tests.integration.test_customer_walk_fixes import pickup_point
from tests.integration.test_handlers_roles import Chats
from tests.integration.test_handlers_roles import chats as chats  # the fixture
from tests.integration.test_order_card_track_and_old_buttons import _open, _two_store_order
from tests.integration.world import Seller


async def test_cash_in_parts_at_a_pickup_point_is_said_of_the_parcels(chats: Chats) -> None:
    chats.world.provider = await pickup_point(chats)
    order, _, _ = await _two_store_order(chats, PaymentMethod.cod)
    text, _ = await _open(chats, order.order_id)
    assert "collect them" not in text, text
    assert f"Payment: to pay in 2 parts, one as you collect each parcel: ${order.total}" in text


async def _collect(chats: Chats, seller: Seller, order: OrderView) -> None:
    """The seller's parcel of the order shipped and then collected (delivered) at the point."""
    parcel = next(s for s in order.shipments if s.seller_id == seller.seller_id).shipment_id
    for step in (Step.ship, Step.delivered):
        assert (await chats.world.shop.fulfilment.act(seller.user_id, parcel, step)).changed


async def test_a_part_paid_as_its_parcel_was_collected_is_no_longer_said_to_be_due(
    chats: Chats,
) -> None:
    chats.world.provider = await pickup_point(chats)
    order, maya, lena = await _two_store_order(chats, PaymentMethod.cod)
    lamp, cup = (
        next(s.amount for s in order.shipments if s.seller_id == seller.seller_id)
        for seller in (maya, lena)
    )
    await _collect(chats, maya, order)
    text, _ = await _open(chats, order.order_id)
    assert "Status: 1 of 2 parcels collected\n" in text, text  # the other waits for Lena
    assert "one as you collect each parcel" not in text, text
    assert f"Payment: to pay when you collect the other parcel: ${cup}" in text, text
    mine = await chats.world.shop.sellers.mine(maya.user_id)
    assert mine is not None
    assert f"🏬 {escape(mine.store_name)}: ${lamp} paid as you collected it" in text, text
    assert f"🏬 Lena Lamps: ${cup} with its parcel" in text, text

    await _collect(chats, lena, order)  # the last part: the order is paid
    text, _ = await _open(chats, order.order_id)
    assert "to pay" not in text, text
    assert "Payment: paid (💵 Cash on delivery)" in text, text
