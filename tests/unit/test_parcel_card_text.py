"""The seller's order card says where the parcel goes: for a pickup order, the pickup point,
never the customer's home address (found in the fresh-eyes walkthrough, issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from engine.fulfilment import ParcelCard
from handlers.seller.orders import parcel_text
from storage.vocabulary import OrderStatus, PaymentMethod, ShipmentStatus

HOME = {
    "recipient": "Sara Ahmed",
    "street": "12 Lake Road",
    "city": "Dhaka",
    "country": "Bangladesh",
    "phone": "+8801711000001",
}


def _card(address: dict[str, str]) -> ParcelCard:
    return ParcelCard(
        shipment_id=3,
        order_id=16,
        order_status=OrderStatus.pending,
        payment_method=PaymentMethod.cod,
        status=ShipmentStatus.pending,
        milestones=(),
        tracking_number=None,
        provider="Local Pickup Point",
        customer="Sara",
        address=address,
        lines=(),
        amount=Decimal("71.00"),
        currency="USD",
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        steps=(),
    )


def test_a_pickup_order_shows_the_pickup_point() -> None:
    text = parcel_text("en", _card(HOME | {"pickup": "Market Hall, 3 Station Square, Bath"}))
    assert "Market Hall, 3 Station Square, Bath" in text
    assert "12 Lake Road" not in text
    assert "+8801711000001" in text  # who collects it can still be called


def test_a_delivered_order_shows_the_address() -> None:
    text = parcel_text("en", _card(HOME))
    assert "12 Lake Road, Dhaka, Bangladesh" in text


def test_a_spanish_seller_reads_the_amount_in_spanish_notation() -> None:
    assert "$71.00" in parcel_text("en", _card(HOME))
    spanish = parcel_text("es", _card(HOME))
    assert "71,00\xa0US$" in spanish
    assert "$71.00" not in spanish
