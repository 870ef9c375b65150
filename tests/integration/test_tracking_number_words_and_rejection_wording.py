"""A sentence is not a tracking number: "i don't have one yet" typed at the question is
refused by the engine (it has no digit, and an apostrophe), the parcel stays as it was and
the question keeps waiting; the refusal says what a number looks like and, for a pickup
point's parcel, points at "Ship without a number", for a delivery that it can be sent when
the seller has it. Real numbers ship. The Mini App's Ship gets the same refusal as a 400.

Refusing a cash-on-delivery order (nothing paid) does not tell the seller the customer was
"refunded": only money that went back is said to have."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput
from engine.fulfilment import Step
from handlers.callbacks import ShipmentAction, ShipmentCb
from handlers.i18n import error_text
from storage.models import DeliveryTracking, Outbox
from storage.vocabulary import PaymentMethod, ShipmentStatus
from tests.conftest import Database
from tests.integration.test_handlers_roles import MAYA, Chats
from tests.integration.test_handlers_roles import chats as chats  # the fixture
from tests.integration.test_pickup_parcels_ship_without_a_number import (
    _carls_order,
    _courier,
    _paid_order,
    _point,
)
from tests.integration.test_seller_journey import lamp
from tests.integration.test_webapp_api import App, _paid_parcel
from tests.integration.test_webapp_api import app as app  # the fixture
from tests.integration.world import World

SENTENCE = "i don't have one yet"
HOME_REFUSAL = (
    "That is not a tracking number: one has at least one digit, and only letters, digits, "
    "spaces, hyphens, dots or slashes (like RR123456785GB or 1Z 999 AA1 01 2345 6784). No "
    "number yet? Send it when you have it: the order stays as it is until then."
)


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _nothing_told(world: World, order_id: int) -> None:
    """No milestone recorded, nothing queued for the customer about the parcel leaving."""
    async with world.db.sessions() as s:
        rows = (await s.scalars(select(Outbox).where(Outbox.kind == "delivery_update"))).all()
        steps = (await s.scalars(select(DeliveryTracking.status))).all()
    assert [r.payload for r in rows if r.payload.get("order_id") == order_id] == []
    assert list(steps) == []


# --- the engine ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", [SENTENCE, "not yet", "none yet, sorry", "ABC", "123 <b>", "tomorrow!", "#12"]
)
async def test_words_are_refused_as_a_delivery_tracking_number(world: World, typed: str) -> None:
    order, seller, parcel = await _paid_order(world, world.provider)  # to the address
    with pytest.raises(InvalidInput) as refused:
        await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship, typed)
    assert refused.value.params == {
        "field": "tracking_number",
        "rule": "format",
        "case": "required",
    }
    assert error_text("en", refused.value) == HOME_REFUSAL
    card = await world.shop.fulfilment.card(seller.user_id, parcel)
    assert (card.status, card.tracking_number) == (ShipmentStatus.pending, None)
    await _nothing_told(world, order.order_id)


async def test_real_tracking_numbers_ship(world: World) -> None:
    for number in ("1Z 999 AA1 01 2345 6784", "JD014600003828", "RR123456785GB", "SBX-1"):
        _, seller, parcel = await _paid_order(world, world.provider)
        done = await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship, number)
        assert done.changed
        assert done.card.tracking_number == number


async def test_words_at_a_pickup_parcel_point_at_shipping_without_a_number(world: World) -> None:
    order, seller, parcel = await _paid_order(world, await _point(world, tracked=True))
    with pytest.raises(InvalidInput) as refused:
        await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship, SENTENCE)
    assert refused.value.params["case"] == "optional"
    said = error_text("en", refused.value)
    assert "No number for this parcel? It may ship without one" in said, said
    assert "“Ship without a number”" in said, said
    assert "toca «Enviar sin número»" in error_text("es", refused.value)
    await _nothing_told(world, order.order_id)


async def test_refusing_a_cash_order_refunds_nothing_and_a_paid_one_refunds_it(
    world: World,
) -> None:
    seller = await world.seller()
    product = await world.product(seller)
    cod = await world.order(await world.customer(), {product: 1}, method=PaymentMethod.cod)
    done = await world.shop.fulfilment.reject(
        seller.user_id, cod.shipments[0].shipment_id, "out of stock"
    )
    assert done.changed
    assert (done.refunded, done.refund_due) == (Decimal(0), Decimal(0))

    paid = await world.pay(await world.order(await world.customer("Zoe"), {product: 1}))
    done = await world.shop.fulfilment.reject(
        seller.user_id, paid.shipments[0].shipment_id, "out of stock"
    )
    assert (done.refunded, done.refund_due) == (paid.total, Decimal(0))


# --- the seller's chat --------------------------------------------------------------------
async def test_a_sentence_at_a_delivery_question_is_refused_and_the_question_waits(
    chats: Chats,
) -> None:
    world = chats.world
    seller, home = await _carls_order(chats, await _courier(world))
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=home))
    said = await chats.say(MAYA, SENTENCE)
    assert said == [HOME_REFUSAL]
    card = await world.shop.fulfilment.card(seller, home)
    assert (card.status, card.tracking_number) == (ShipmentStatus.pending, None)
    said = await chats.say(MAYA, "JD014600003828")  # the question still waits
    assert any("is shipped with tracking JD014600003828" in text for text in said), said


async def test_a_sentence_at_a_pickup_question_points_at_the_button(chats: Chats) -> None:
    world = chats.world
    seller, pickup = await _carls_order(chats, await _point(world, tracked=True))
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=pickup))
    (said,) = await chats.say(MAYA, SENTENCE)
    assert "tap “Ship without a number”" in said, said
    assert (await world.shop.fulfilment.card(seller, pickup)).status == ShipmentStatus.pending
    said_none = await chats.say(MAYA, "none")  # plainly "none": ships without one
    assert any("is shipped without a tracking number" in t for t in said_none), said_none


async def test_rejecting_a_cash_order_in_the_chat_does_not_say_refunded(chats: Chats) -> None:
    world = chats.world
    _, parcel = await _carls_order(chats, await _courier(world))  # paid: refunded
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.reject, id=parcel))
    said = await chats.say(MAYA, "The lamp broke in the stockroom")
    assert any("your part is cancelled and the customer refunded" in t for t in said), said

    buyer = await world.customer("Dana")
    cod = await world.order(buyer, {await lamp(chats): 1}, method=PaymentMethod.cod)
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.reject, id=cod.shipments[0].shipment_id))
    said = await chats.say(MAYA, "The lamp broke in the stockroom")
    assert any("your part is cancelled" in t for t in said), said
    assert not any("refunded" in t for t in said), said
    assert any("nothing to refund" in t for t in said), said


# --- the Mini App -------------------------------------------------------------------------
async def test_the_mini_apps_ship_refuses_a_sentence_with_a_400(app: App) -> None:
    maya, seller, shipment = await _paid_parcel(app)
    refused = await app.call(
        "POST",
        f"seller/parcels/{shipment}/act",
        seller,
        status=400,
        json={"step": "ship", "tracking_number": SENTENCE},
    )
    assert refused["field"] == "tracking_number"
    assert refused["message"] == HOME_REFUSAL
    card = await app.world.shop.fulfilment.card(maya.user_id, shipment)
    assert (card.status, card.tracking_number) == (ShipmentStatus.pending, None)


async def test_the_mini_apps_reject_of_a_cash_order_does_not_say_refunded(app: App) -> None:
    maya = await app.world.seller("Maya's")
    hoodie = await app.world.product(maya)
    order = await app.world.order(await app.world.customer(), {hoodie: 1}, method=PaymentMethod.cod)
    seller = await app.person(maya.user_id)
    done = await app.call(
        "POST",
        f"seller/parcels/{order.shipments[0].shipment_id}/act",
        seller,
        json={"step": "reject", "reason": "out of stock"},
    )
    assert done["changed"] is True
    assert "refunded" not in done["message"], done["message"]
    assert "nothing to refund" in done["message"], done["message"]
