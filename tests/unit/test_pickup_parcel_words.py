"""A parcel collected at a pickup point keeps the delivery statuses (out for delivery,
delivered) but reads as what they mean there, wherever a person reads them: the seller's card,
its buttons and what a tap says; the customer's milestone notices, their e-mail copies and
Track; the Mini App's board. The words are chosen by the pickup point the engine's card,
parcel or notice names, never by the provider's name; a door delivery reads as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from engine.fulfilment import Done, ParcelCard, Step
from engine.shipping import Milestone, Parcel
from handlers.notifications import push, render, status_card
from handlers.render import tracking
from handlers.seller import keyboards as kb
from handlers.seller import orders
from handlers.seller.orders import parcel_text
from handlers.webapp.seller import parcel as board_card
from storage.vocabulary import OrderStatus, PaymentMethod, ShipmentStatus, TrackingStatus

POINT = "Market Hall, 3 Station Square, Bath"
AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
ON_ITS_WAY = (TrackingStatus.order_received, TrackingStatus.shipped)
AFTER_SHIPPING = (Step.in_transit, Step.out_for_delivery, Step.delivered)

PICKUP_CARD = ParcelCard(
    shipment_id=3,
    order_id=16,
    order_status=OrderStatus.shipped,
    payment_method=PaymentMethod.card,
    status=ShipmentStatus.in_transit,
    milestones=ON_ITS_WAY,
    tracking_number=None,
    provider="Corner Courier",  # no "pickup" in its name: the card's address says where
    customer="Sara",
    address={"recipient": "Sara", "street": "12 Lake Road", "city": "Bath", "pickup": POINT},
    lines=(),
    amount=Decimal("71.00"),
    currency="USD",
    created_at=AT,
    steps=AFTER_SHIPPING,
)
# to the customer's door, by a provider whose name says pickup: the address decides
DOOR_CARD = replace(
    PICKUP_CARD,
    provider="Local Pickup Point",
    address={"recipient": "Sara", "street": "12 Lake Road", "city": "Bath"},
    tracking_number="TRK-1",
)


def _labels(card: ParcelCard, lang: str = "en") -> list[str]:
    markup = kb.parcel(lang, card)
    return [b.text for row in markup.inline_keyboard for b in row]


def _reached(card: ParcelCard, milestone: TrackingStatus) -> ParcelCard:
    steps = () if milestone == TrackingStatus.delivered else (Step.delivered,)
    return replace(card, milestones=(*ON_ITS_WAY, milestone), steps=steps)


# --- the seller's card ------------------------------------------------------------------------
def test_a_pickup_parcels_card_offers_ready_for_collection_and_collected() -> None:
    # the step taken last (shipped) comes first, marked done: a double tap changes nothing
    assert _labels(PICKUP_CARD)[:4] == [
        "✓ Shipped",
        "🛣 In transit",
        "📍 Ready for collection",
        "✅ Collected",
    ]
    assert _labels(PICKUP_CARD, "es")[:4] == [
        "✓ Enviado",
        "🛣 En tránsito",
        "📍 Listo para recoger",
        "✅ Recogido",
    ]
    assert _labels(DOOR_CARD)[1:4] == ["🛣 In transit", "🏃 Out for delivery", "✅ Delivered"]
    ready = _reached(PICKUP_CARD, TrackingStatus.out_for_delivery)
    assert _labels(ready)[:2] == ["✓ Ready for collection", "✅ Collected"]


def test_a_pickup_parcels_card_says_it_is_ready_for_collection_then_collected() -> None:
    ready = parcel_text("en", _reached(PICKUP_CARD, TrackingStatus.out_for_delivery))
    assert "📍 Ready for collection" in ready, ready
    assert "Out for delivery" not in ready, ready
    collected = parcel_text("en", _reached(PICKUP_CARD, TrackingStatus.delivered))
    assert "✅ Collected" in collected, collected
    assert "Delivered" not in collected, collected
    assert "📍 Listo para recoger" in parcel_text(
        "es", _reached(PICKUP_CARD, TrackingStatus.out_for_delivery)
    )
    door = parcel_text("en", _reached(DOOR_CARD, TrackingStatus.delivered))
    assert "✅ Delivered" in door, door


def test_the_seller_is_told_the_parcel_is_ready_for_collection_there_or_collected() -> None:
    ready = Done(_reached(PICKUP_CARD, TrackingStatus.out_for_delivery), True)
    assert orders.step_said("en", ready, Step.out_for_delivery) == (
        f"Order #16 is marked ready for collection at {POINT}."
    )
    assert orders.step_said("es", ready, Step.out_for_delivery) == (
        f"El pedido n.º 16 está marcado como listo para recoger en {POINT}."
    )
    collected = Done(_reached(PICKUP_CARD, TrackingStatus.delivered), True)
    assert orders.step_said("en", collected, Step.delivered) == "Order #16 is marked collected."
    door = Done(_reached(DOOR_CARD, TrackingStatus.out_for_delivery), True)
    assert (
        orders.step_said("en", door, Step.out_for_delivery)
        == "Order #16 is marked out for delivery."
    )
    assert orders.step_said("en", replace(collected, changed=False), Step.delivered) == (
        "Order #16 had moved on already: the card shows it as it is now."
    )


def test_the_mini_apps_board_words_a_pickup_parcel_as_the_chat_does() -> None:
    shown = board_card(PICKUP_CARD, "en")
    assert [s["label"] for s in shown["steps"]] == [
        "🛣 In transit",
        "📍 Ready for collection",
        "✅ Collected",
    ]
    assert shown["pickup_address"] == POINT
    assert (
        board_card(_reached(PICKUP_CARD, TrackingStatus.delivered), "en")["milestone_display"]
        == "Collected"
    )
    ready = board_card(_reached(PICKUP_CARD, TrackingStatus.out_for_delivery), "es")
    assert ready["milestone_display"] == "Listo para recoger"
    door = board_card(_reached(DOOR_CARD, TrackingStatus.out_for_delivery), "en")
    assert door["milestone_display"] == "Out for delivery"
    assert [s["label"] for s in board_card(DOOR_CARD, "en")["steps"]][1] == "🏃 Out for delivery"


# --- the customer's notices -------------------------------------------------------------------
def _notice(status: TrackingStatus, **more: object) -> dict[str, object]:
    return {
        "order_id": 16,
        "shipment_id": 3,
        "status": status.value,
        "location": None,
        "tracking_number": None,
        "store": "Maya's Lamps",
        "parcels": 1,
        "pickup": POINT,
        **more,
    }


@pytest.mark.parametrize(
    ("lang", "ready", "collected"),
    [
        ("en", f"📍 Ready for collection at {POINT}", "✅ Collected"),
        ("es", f"📍 Listo para recoger en {POINT}", "✅ Recogido"),
    ],
)
def test_the_customers_status_message_says_ready_for_collection_at_the_point_then_collected(
    lang: str, ready: str, collected: str
) -> None:
    shipped = _notice(TrackingStatus.shipped)
    out = _notice(TrackingStatus.out_for_delivery)
    done = _notice(TrackingStatus.delivered)
    text, _ = status_card(lang, 16, [shipped, out, done])
    assert ready in text, text
    assert collected in text, text
    for door_words in ("Out for delivery", "Delivered", "En reparto", "Entregado"):
        assert door_words not in text, text


def test_ready_for_collection_is_pushed_as_a_message_of_its_own() -> None:
    """The status card is edited in place, which makes no sound; a parcel that waits at a
    pickup point needs the customer to go there, so it is told as a new message too."""
    ready = push("en", _notice(TrackingStatus.out_for_delivery))
    assert ready is not None
    assert ready[0] == f"📍 Order #16 is ready for collection at {POINT}.", ready[0]
    several = push("es", _notice(TrackingStatus.out_for_delivery, parcels=2, store="Rhea"))
    assert several is not None
    assert several[0] == (
        f"📍 El paquete de Rhea (pedido n.º 16) ya se puede recoger en {POINT}."
    ), several[0]
    # at the door, out for delivery stays on the card alone; collected has its own notice
    door = {**_notice(TrackingStatus.out_for_delivery), "pickup": None}
    assert push("en", door) is None
    assert push("en", _notice(TrackingStatus.delivered)) is None


def test_the_e_mail_copies_say_ready_for_collection_and_collected() -> None:
    ready, _ = render("delivery_update", _notice(TrackingStatus.out_for_delivery), "en")
    assert ready == f"📍 Order #16 is ready for collection at {POINT}.", ready  # as pushed
    collected, _ = render("delivery_update", _notice(TrackingStatus.delivered), "en")
    assert collected == "✅ Collected: order #16.", collected
    door = {**_notice(TrackingStatus.out_for_delivery), "pickup": None}
    assert render("delivery_update", door, "en")[0] == "🏃 Out for delivery: order #16."


def test_an_order_collected_at_a_pickup_point_is_told_as_collected() -> None:
    text, markup = render("order_delivered", {"order_id": 16, "pickup": POINT}, "en")
    assert text.startswith("🎉 Order #16 is collected."), text
    assert markup is not None
    spanish, _ = render("order_delivered", {"order_id": 16, "pickup": POINT}, "es")
    assert spanish.startswith("🎉 Has recogido el pedido n.º 16."), spanish
    door, _ = render("order_delivered", {"order_id": 16}, "en")
    assert door.startswith("🎉 Order #16 is delivered."), door


# --- Track --------------------------------------------------------------------------------------
def _parcel(*reached: TrackingStatus, pickup: str | None = POINT) -> Parcel:
    steps = [Milestone(s, None, None, "seller", AT) for s in reached]
    return Parcel(3, "Maya's Lamps", None, steps, pickup)


def test_track_says_where_a_pickup_parcel_is_ready_for_collection_and_that_it_was_collected() -> (
    None
):
    ready = tracking("en", 16, [_parcel(*ON_ITS_WAY, TrackingStatus.out_for_delivery)])
    assert "📍 Ready for collection · " in ready, ready
    assert f"📍 It is ready for collection at {POINT}." in ready, ready
    assert "Out for delivery" not in ready, ready
    assert "will be ready" not in ready, ready

    everything = (*ON_ITS_WAY, TrackingStatus.out_for_delivery, TrackingStatus.delivered)
    collected = tracking("en", 16, [_parcel(*everything)])
    assert "✅ Collected · " in collected, collected
    assert f"📍 Pickup point: {POINT}" in collected, collected
    assert "Delivered" not in collected, collected
    spanish = tracking("es", 16, [_parcel(*everything)])
    assert "✅ Recogido · " in spanish, spanish
    assert "📍 Listo para recoger · " in spanish, spanish

    door = tracking("en", 16, [_parcel(*everything, pickup=None)])
    assert "🏃 Out for delivery · " in door, door
    assert "✅ Delivered · " in door, door


def test_the_ship_answer_to_a_tap_shows_the_place_as_written() -> None:
    """A tap's answer is plain text: "Bar & Grill" stays so, not "Bar &amp; Grill"; the chat
    message (HTML) escapes it."""
    card = replace(
        PICKUP_CARD,
        address={**PICKUP_CARD.address, "pickup": "Bar & Grill, 1 Quay"},
    )
    done = Done(card, changed=True)
    assert "Bar & Grill, 1 Quay" in orders._shipped("en", done, html=False)
    assert "Bar &amp; Grill, 1 Quay" in orders._shipped("en", done)
