"""A parcel going to a pickup point is shipped without a tracking number the seller may not
have: one whose provider tracks nothing ships at the tap of Ship, with no question; one whose
provider tracks parcels is asked for its number, with "Ship without a number" under the
question (typed "none" says the same). A delivery to the customer's address still needs its
number: the engine refuses it without one, and the question keeps waiting. The customer's
"on its way" notice and Track name the pickup point where the parcel will be ready, and never
a "None" number. A second tap after shipping says it is shipped already and changes nothing;
every status change is a transition with its audit row."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select

from engine.accounts import AddressInput, TelegramIdentity
from engine.errors import InvalidInput
from engine.fulfilment import Step
from engine.orders import OrderView
from handlers.callbacks import ShipmentAction, ShipmentCb
from handlers.i18n import error_text
from handlers.notifications import push, render
from handlers.render import tracking
from handlers.seller.cb import ShipWithoutNumberCb
from storage.models import AuditLog, DeliveryTracking, Outbox
from storage.vocabulary import OrderStatus, ShipmentStatus, TrackingStatus
from tests.conftest import Database
from tests.integration.test_handlers_roles import CARL, MAYA, Chats
from tests.integration.test_handlers_roles import chats as chats  # the fixture
from tests.integration.test_seller_journey import lamp, maya
from tests.integration.world import Seller, World

POINT = "Market Hall, 3 Station Square, Bath"


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _point(world: World, *, tracked: bool, name: str = "Corner Point") -> int:
    """A pickup point (its provider tracks parcels, or not), made by the shop's admin."""
    view = await world.shop.shipping.create_provider(
        world.admin,
        name,
        "1.00",
        pickup_address=POINT,
        tracking_url_template="https://track.example/{number}" if tracked else None,
    )
    return view.provider_id


async def _paid_order(world: World, provider: int) -> tuple[OrderView, Seller, int]:
    """A paid order of one hoodie, sent with `provider`: the order, its seller, its parcel."""
    seller = await world.seller()
    product = await world.product(seller)
    world.provider = provider
    order = await world.pay(await world.order(await world.customer(), {product: 1}))
    return order, seller, order.shipments[0].shipment_id


async def _milestones(world: World, shipment: int) -> list[TrackingStatus]:
    async with world.db.sessions() as s:
        found = await s.scalars(
            select(DeliveryTracking.status)
            .where(DeliveryTracking.shipment_id == shipment)
            .order_by(DeliveryTracking.tracking_id)
        )
        return list(found.all())


async def _shipped_notice(world: World, order_id: int) -> dict[str, object]:
    async with world.db.sessions() as s:
        rows = (await s.scalars(select(Outbox).where(Outbox.kind == "delivery_update"))).all()
    found = [r.payload for r in rows if r.payload.get("order_id") == order_id]
    shipped = [p for p in found if p.get("status") == TrackingStatus.shipped.value]
    assert len(shipped) == 1, found
    return shipped[0]


# --- the engine ---------------------------------------------------------------------------
async def test_a_pickup_parcel_of_an_untracked_provider_ships_without_a_number(
    world: World,
) -> None:
    order, seller, parcel = await _paid_order(world, await _point(world, tracked=False))
    done = await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship)
    assert done.changed
    assert done.card.status == ShipmentStatus.in_transit
    assert done.card.tracking_number is None
    assert (await world.shop.orders.get(order.user_id, order.order_id)).status == (
        OrderStatus.shipped
    )
    # the shipment and the order moved through their tables, each with its audit row
    async with world.db.sessions() as s:
        moves = (
            await s.scalars(
                select(AuditLog).where(
                    AuditLog.action == "status_change",
                    AuditLog.new_data["event"].as_string().in_(["dispatch", "ship"]),
                )
            )
        ).all()
    assert sorted((m.entity_type, m.entity_id) for m in moves) == [
        ("order", order.order_id),
        ("shipment", parcel),
    ]

    # tapped again (a stale screen): nothing changes, one "shipped" milestone stays
    again = await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship)
    assert not again.changed
    assert (await _milestones(world, parcel)).count(TrackingStatus.shipped) == 1
    assert again.card.tracking == "unused"  # Ship asks nothing


async def test_the_customer_is_told_where_the_parcel_will_be_ready_with_no_none_number(
    world: World,
) -> None:
    order, seller, parcel = await _paid_order(world, await _point(world, tracked=False))
    await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship)
    notice = await _shipped_notice(world, order.order_id)
    assert notice["pickup"] == POINT
    pushed = push("en", notice)
    assert pushed is not None
    text = pushed[0]
    assert f"on its way to {POINT}, where it will be ready for collection" in text, text
    assert "None" not in text, text
    assert "Tracking number" not in text, text
    email, _ = render("delivery_update", notice, "es")  # its e-mail twin says it too
    assert f"en camino a {POINT}, donde estará listo para recoger" in email, email

    parcels = await world.shop.shipping.parcels(order.user_id, order.order_id)
    assert [p.pickup_address for p in parcels] == [POINT]
    track = tracking("en", order.order_id, parcels)
    assert f"📍 It will be ready for collection at {POINT}." in track, track
    assert "None" not in track, track
    assert "tracking" not in track, track


async def test_a_delivery_to_the_customers_address_is_never_shipped_without_a_number(
    world: World,
) -> None:
    _, seller, parcel = await _paid_order(world, world.provider)  # the world's courier
    for number in (None, "  "):
        with pytest.raises(InvalidInput) as refused:
            await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship, number)
        assert refused.value.params == {"field": "tracking_number", "rule": "required"}
        said = error_text("en", refused.value)
        assert said == (
            "A parcel delivered to the customer's address needs its tracking number: "
            "please send it."
        )
    assert (await world.shop.fulfilment.card(seller.user_id, parcel)).status == (
        ShipmentStatus.pending
    )
    assert await _milestones(world, parcel) == []
    done = await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship, "TRK-HOME-1")
    assert done.changed
    assert done.card.tracking_number == "TRK-HOME-1"
    assert done.card.tracking == "required"  # what the card's Ship asks by


async def test_a_tracked_pickup_point_takes_a_number_or_goes_without(world: World) -> None:
    point = await _point(world, tracked=True)
    _, seller, numbered = await _paid_order(world, point)
    done = await world.shop.fulfilment.act(seller.user_id, numbered, Step.ship, "LOCK-1")
    assert done.changed
    assert done.card.tracking_number == "LOCK-1"

    order, other, bare = await _paid_order(world, point)
    done = await world.shop.fulfilment.act(other.user_id, bare, Step.ship)
    assert done.changed
    assert done.card.tracking_number is None
    assert done.card.status == ShipmentStatus.in_transit
    pushed = push("en", await _shipped_notice(world, order.order_id))
    assert pushed is not None
    assert POINT in pushed[0], pushed
    assert done.card.tracking == "optional"  # asked for, may be skipped
    assert done.card.pickup_address == POINT


# --- the seller's chat --------------------------------------------------------------------
def _sent(chats: Chats, before: int) -> list[SendMessage]:
    return [m for m in chats.telegram.sent[before:] if isinstance(m, SendMessage)]


def _labels(message: SendMessage) -> list[str]:
    markup = message.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [b.text for row in markup.inline_keyboard for b in row]


async def _carls_order(chats: Chats, provider: int) -> tuple[int, int]:
    """Carl's paid order of a lamp of Maya's, sent with `provider`: (Maya's user id, the
    parcel)."""
    world = chats.world
    world.provider = provider
    product = await lamp(chats)
    carl = await world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    address = await world.shop.accounts.add_address(
        carl.id, AddressInput(street="4 Elm St", city="Bath", country="United Kingdom")
    )
    order = await world.pay(await world.order((carl.id, address.address_id), {product: 1}))
    return (await maya(chats)).user_id, order.shipments[0].shipment_id


async def test_ship_at_an_untracked_pickup_point_asks_nothing_and_a_second_tap_changes_nothing(
    chats: Chats,
) -> None:
    _, parcel = await _carls_order(chats, await _point(chats.world, tracked=False))
    before = len(chats.telegram.sent)
    answer, sent = await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=parcel))
    assert sent == [], sent  # no "Send the tracking number"
    assert answer is not None
    assert "is shipped without a tracking number" in answer, answer
    assert f"ready for collection at {POINT}" in answer, answer
    assert not any("tracking number for order" in str(m.text) for m in _sent(chats, before))

    again, sent = await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=parcel))
    assert again is not None
    assert "is shipped already" in again, again
    assert sent == []
    assert (await _milestones(chats.world, parcel)).count(TrackingStatus.shipped) == 1


async def test_ship_without_a_number_under_the_question_ships_once(chats: Chats) -> None:
    seller, parcel = await _carls_order(chats, await _point(chats.world, tracked=True))
    before = len(chats.telegram.sent)
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=parcel))
    (question,) = _sent(chats, before)
    assert "Send the tracking number" in str(question.text), question.text
    assert f"to be collected at {POINT}" in str(question.text), question.text
    assert _labels(question) == ["🚚 Ship without a number", "✖ Cancel"]

    _, sent = await chats.tap(MAYA, ShipWithoutNumberCb(id=parcel))
    assert any("is shipped without a tracking number" in str(text) for text in sent), sent
    card = await chats.world.shop.fulfilment.card(seller, parcel)
    assert card.status == ShipmentStatus.in_transit
    assert card.tracking_number is None

    again, sent = await chats.tap(MAYA, ShipWithoutNumberCb(id=parcel))  # the old button
    assert again is not None
    assert "is shipped already" in again, again
    assert sent == []
    assert (await _milestones(chats.world, parcel)).count(TrackingStatus.shipped) == 1


async def test_typed_none_ships_a_pickup_parcel_but_not_a_delivery(chats: Chats) -> None:
    world = chats.world
    seller, pickup = await _carls_order(chats, await _point(world, tracked=True))
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=pickup))
    said = await chats.say(MAYA, "None")
    assert any("is shipped without a tracking number" in text for text in said), said
    assert (await world.shop.fulfilment.card(seller, pickup)).status == ShipmentStatus.in_transit

    _, home = await _carls_order(chats, await _courier(world))
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=home))
    said = await chats.say(MAYA, "none")
    assert said == [
        "A parcel delivered to the customer's address needs its tracking number: please send it."
    ]
    assert (await world.shop.fulfilment.card(seller, home)).status == ShipmentStatus.pending
    said = await chats.say(MAYA, "TRK-77")  # the question still waits for the number
    assert any("is shipped with tracking TRK-77" in text for text in said), said


async def _courier(world: World) -> int:
    view = await world.shop.shipping.create_provider(world.admin, "Home Courier", "4.00")
    return view.provider_id
