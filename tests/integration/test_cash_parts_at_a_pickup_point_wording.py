"""An order of two stores' goods, collected at a pickup point and paid in cash: its card says
what is paid as each parcel is collected, with no "them" that names nothing."""

from __future__ import annotations

from storage.vocabulary import PaymentMethod
from tests.integration.test_customer_walk_fixes import pickup_point
from tests.integration.test_handlers_roles import Chats
from tests.integration.test_handlers_roles import chats as chats  # the fixture
from tests.integration.test_order_card_track_and_old_buttons import _open, _two_store_order


async def test_cash_in_parts_at_a_pickup_point_is_said_of_the_parcels(chats: Chats) -> None:
    chats.world.provider = await pickup_point(chats)
    order, _, _ = await _two_store_order(chats, PaymentMethod.cod)
    text, _ = await _open(chats, order.order_id)
    assert "collect them" not in text, text
    assert f"Payment: to pay in 2 parts, one as you collect each parcel: ${order.total}" in text
