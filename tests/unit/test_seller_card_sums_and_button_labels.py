"""Walkthrough findings on the seller's side: the cash-on-delivery card shows the line that
makes "Your part" add up to what is collected; buttons keep their price and parcel count and
shorten the name instead; a store name ending in s takes only an apostrophe."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from engine.fulfilment import ParcelCard, Step
from engine.orders.views import ShippingOption
from handlers import keyboards as kb
from handlers.i18n import t
from handlers.seller.orders import parcel_text
from storage.vocabulary import OrderStatus, PaymentMethod, ShipmentStatus


def test_a_cash_parcel_card_shows_the_shipping_share_between_its_part_and_the_cash() -> None:
    card = ParcelCard(
        shipment_id=9,
        order_id=13,
        order_status=OrderStatus.pending,
        payment_method=PaymentMethod.cod,
        status=ShipmentStatus.pending,
        milestones=(),
        tracking_number=None,
        provider="Standard Post",
        customer="Sara",
        address={"recipient": "Sara", "street": "1 Lake Road", "city": "Dhaka"},
        lines=(),
        amount=Decimal("39.98"),
        currency="USD",
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        steps=(Step.confirm,),
        collect=Decimal("44.97"),
        shipping_share=Decimal("4.99"),
    )
    text = parcel_text("en", card)
    assert "Your part: <b>$39.98</b>" in text
    assert "share of the shipping: $4.99" in text
    assert text.index("$4.99") < text.index("Collect $44.97")
    assert "4,99" in parcel_text("es", card)


def test_shipping_buttons_keep_their_price_and_parcel_count() -> None:
    options = [
        ShippingOption(1, "Sandbox Express (simulated)", Decimal(3), 3, Decimal(9), 2, None),
        ShippingOption(2, "A" * 60, Decimal(3), 2, Decimal(6), 2, None),
    ]
    labels = [b.text for row in kb.providers("en", options, "k").inline_keyboard for b in row]
    assert labels[0] == "Sandbox Express (simulated) — $9.00 · 3 parcels"
    assert labels[1].endswith("— $6.00 · 2 parcels")
    assert "…" in labels[1]


def test_a_cart_button_cuts_its_name_after_a_word() -> None:
    assert kb.clip("1. Weeknight Cookbook (Hardcover)", 20) == "1. Weeknight…"
    assert kb.named("Weeknight Cookbook (Large Print)", " · $24.00") == (
        "Weeknight Cookbook (Large Print) · $24.00"
    )


def test_a_store_name_ending_in_s_takes_only_an_apostrophe() -> None:
    said = t("en", "checkout.cod.part", store="Urban Threads", amount="$44.97")
    assert said == "• Urban Threads' parcel: $44.97"
    assert (
        t("en", "checkout.cod.part", store="Maya Home", amount="$1") == "• Maya Home's parcel: $1"
    )
