"""Per line of an order: return and review once its own seller's parcel was delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from engine.order_actions import OrderAct, acts_of, line_acts_of
from storage.vocabulary import OrderStatus, ShipmentStatus

DELIVERED_AT = datetime(2026, 1, 10, tzinfo=UTC)


@dataclass(frozen=True)
class Parcel:
    seller_id: int
    status: ShipmentStatus
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Line:
    seller_id: int
    quantity: int = 1
    refunded_quantity: int = 0
    asked_back: int = 0


PARCELS = [
    Parcel(1, ShipmentStatus.delivered, DELIVERED_AT),
    Parcel(2, ShipmentStatus.pending),
]


def test_only_the_delivered_sellers_line_is_returnable_and_reviewable() -> None:
    assert line_acts_of(Line(1), PARCELS) == {OrderAct.review, OrderAct.return_items}
    assert line_acts_of(Line(2), PARCELS) == frozenset()
    assert {OrderAct.review, OrderAct.return_items} <= acts_of(
        OrderStatus.shipped, PARCELS, [Line(1), Line(2)]
    )


def test_a_refunded_line_can_still_be_reviewed_but_not_returned() -> None:
    assert line_acts_of(Line(1, refunded_quantity=1), PARCELS) == {OrderAct.review}


def test_the_return_window_closes_returns_not_reviews() -> None:
    window = timedelta(days=14)
    late = DELIVERED_AT + timedelta(days=15)
    assert line_acts_of(Line(1), PARCELS, now=late, return_window=window) == {OrderAct.review}
    assert OrderAct.return_items not in acts_of(
        OrderStatus.delivered, PARCELS, [Line(1)], now=late, return_window=window
    )
