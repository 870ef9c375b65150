"""A seller marks a pickup point's parcel "Ready for collection", then "Collected", from the
Mini App's board, and the customer reads it so: their milestone notices (chat and e-mail),
Track, the chat's order card, and the Mini App's order page. The states stay the design's
(out for delivery, delivered); only the words differ, chosen by the point the order goes to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.fulfilment import Step
from handlers.notifications import render, status_card
from handlers.render import order, tracking
from storage.models import Outbox
from storage.vocabulary import OrderStatus, TrackingStatus
from tests.integration.test_webapp_api import App, Person
from tests.integration.test_webapp_api import app as app  # the fixture
from tests.integration.test_webapp_api import world as world  # the fixture

POINT = "Market Hall, 1 Main St, Bath"


async def _shipped_pickup_parcel(app: App) -> tuple[Person, Person, int, int]:
    """A paid order of one hoodie for an untracked pickup point, shipped by its seller: the
    seller and the customer (as the Mini App knows them), the order and its parcel."""
    point = await app.world.shop.shipping.create_provider(
        app.world.admin, "Corner Point", "1.00", pickup_address=POINT
    )
    app.world.provider = point.provider_id
    maya = await app.world.seller("Maya's")
    hoodie = await app.world.product(maya)
    placed = await app.world.pay(await app.world.order(await app.world.customer(), {hoodie: 1}))
    parcel = placed.shipments[0].shipment_id
    assert (await app.world.shop.fulfilment.act(maya.user_id, parcel, Step.ship)).changed
    seller, customer = await app.person(maya.user_id), await app.person(placed.user_id)
    return seller, customer, placed.order_id, parcel


async def _notices(app: App, user_id: int, order_id: int) -> list[dict[str, Any]]:
    """The customer's milestone notices of the order (in the chat), oldest first."""
    async with app.world.db.sessions() as s:
        rows = (
            await s.scalars(
                select(Outbox)
                .where(Outbox.user_id == user_id, Outbox.kind == "delivery_update")
                .order_by(Outbox.outbox_id)
            )
        ).all()
    return [dict(r.payload) for r in rows if r.payload.get("order_id") == order_id]


async def test_a_pickup_parcel_made_ready_then_collected_reads_so_to_seller_and_customer(
    app: App,
) -> None:
    seller, customer, order_id, parcel = await _shipped_pickup_parcel(app)
    board = await app.call("GET", "seller/board", seller)
    (card,) = board["queues"]["shipped"]
    labels = [s["label"] for s in card["steps"]]
    assert "📍 Ready for collection" in labels, labels
    assert "✅ Collected" in labels, labels
    assert "🏃 Out for delivery" not in labels, labels

    act = f"seller/parcels/{parcel}/act"
    ready = await app.call("POST", act, seller, json={"step": Step.out_for_delivery.value})
    assert ready["message"] == f"Order #{order_id} is marked ready for collection at {POINT}."
    assert ready["card"]["milestone_display"] == "Ready for collection"
    again = await app.call(
        "POST", act, seller, status=409, json={"step": Step.out_for_delivery.value}
    )
    assert again["changed"] is False  # a stale tap changes nothing

    notices = await _notices(app, customer.user_id, order_id)
    told, _ = status_card("en", order_id, notices)
    assert f"📍 Ready for collection at {POINT}" in told, told
    assert "Out for delivery" not in told, told
    email, _ = render("delivery_update", notices[-1], "en")
    assert email == f"📍 Order #{order_id} is ready for collection at {POINT}.", email  # as pushed
    parcels = await app.world.shop.shipping.parcels(customer.user_id, order_id)
    track = tracking("en", order_id, parcels)
    assert f"📍 It is ready for collection at {POINT}." in track, track

    collected = await app.call("POST", act, seller, json={"step": Step.delivered.value})
    assert collected["message"] == f"Order #{order_id} is marked collected."
    assert collected["card"]["milestone_display"] == "Collected"
    assert collected["card"]["steps"] == []

    notices = await _notices(app, customer.user_id, order_id)
    assert [n["status"] for n in notices][-2:] == [
        TrackingStatus.out_for_delivery.value,
        TrackingStatus.delivered.value,
    ]
    told, _ = status_card("es", order_id, notices)
    assert f"📍 Listo para recoger en {POINT}" in told, told
    assert "✅ Recogido" in told, told
    parcels = await app.world.shop.shipping.parcels(customer.user_id, order_id)
    track = tracking("en", order_id, parcels)
    assert "✅ Collected · " in track, track
    assert "Delivered" not in track, track

    view = await app.world.shop.orders.get(customer.user_id, order_id)
    assert view.status == OrderStatus.delivered  # the design's state, kept
    assert "Status: collected" in order("en", view), order("en", view)

    page = await app.call("GET", f"orders/{order_id}", customer)
    assert page["status"] == "delivered"
    assert page["status_display"] == "collected"
    (shipment,) = page["shipments"]
    assert shipment["status_display"] == "Collected"
    steps = [step["status_display"] for step in shipment["timeline"]]
    assert steps[-2:] == ["📍 Ready for collection", "✅ Collected"], steps
    listed = await app.call("GET", "orders", customer)
    assert [o["status_display"] for o in listed] == ["collected"]
