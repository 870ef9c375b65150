"""The seller's "Ship without a number" button (under the tracking number's question of a
pickup point's parcel) has exactly one handler, as every seller button does, and is offered
only where the engine lets the parcel go without a number."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from engine.fulfilment import ParcelCard
from engine.shipping import TrackingNumber
from handlers import seller
from handlers.seller import keyboards as kb
from handlers.seller.cb import ShipWithoutNumberCb
from storage.vocabulary import OrderStatus, PaymentMethod, ShipmentStatus
from tests.unit.test_handlers_buttons import _takers

CARD = ParcelCard(
    shipment_id=3,
    order_id=16,
    order_status=OrderStatus.paid,
    payment_method=PaymentMethod.card,
    status=ShipmentStatus.pending,
    milestones=(),
    tracking_number=None,
    provider="Local Pickup Point",
    customer="Sara",
    address={"recipient": "Sara", "pickup": "Market Hall, Bath"},
    lines=(),
    amount=Decimal("71.00"),
    currency="USD",
    created_at=datetime(2026, 11, 29, tzinfo=UTC),
    steps=(),
)


async def test_ship_without_a_number_has_one_handler() -> None:
    assert await _takers(seller.build_router(), ShipWithoutNumberCb(id=7)) == [
        "on_ship_without_number"
    ]


def test_the_question_offers_it_only_where_a_parcel_may_go_without_a_number() -> None:
    def labels(tracking: TrackingNumber) -> list[str]:
        markup = kb.tracking_question("en", replace(CARD, tracking=tracking))
        return [b.text for row in markup.inline_keyboard for b in row]

    assert labels(TrackingNumber.optional) == ["🚚 Ship without a number", "✖ Cancel"]
    assert labels(TrackingNumber.required) == ["✖ Cancel"]
