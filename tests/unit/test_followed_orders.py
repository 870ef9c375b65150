"""Which orders have a delivery to follow (the Track button): read from the order table."""

from __future__ import annotations

from engine.order_actions import FOLLOWED, followed
from storage.vocabulary import OrderStatus


def test_every_order_but_a_cancelled_one_has_a_delivery_to_follow() -> None:
    assert set(OrderStatus) - FOLLOWED == {OrderStatus.cancelled}
    assert not followed(OrderStatus.cancelled)
    assert followed(OrderStatus.pending)
    assert followed(OrderStatus.returned)  # delivered first
