"""A seller's products after creation (engine/listings.py) and the seller's order desk
(engine/fulfilment.py): every change audited, photos kept in order with one primary, the
steps a parcel offers derived from the transition tables, and a ship that implies confirm
and pack recorded in one operation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from engine.errors import NotFound
from engine.fulfilment import Queue, Step, seller_steps
from storage.models import AuditLog, DeliveryTracking
from storage.vocabulary import PaymentMethod, ShipmentStatus, TrackingStatus
from tests.conftest import Database
from tests.integration.world import World

T = TrackingStatus


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _audits(world: World, product_id: int) -> list[AuditLog]:
    async with world.db.uow() as uow:
        return list(
            (
                await uow.session.scalars(
                    select(AuditLog)
                    .where(AuditLog.entity_type == "product", AuditLog.entity_id == product_id)
                    .order_by(AuditLog.audit_id)
                )
            ).all()
        )


async def test_photos_are_added_put_first_and_removed_with_an_audit_row_each(
    world: World,
) -> None:
    seller = await world.seller()
    detail = await world.shop.listings.create(
        seller.user_id,
        category_id=world.category,
        name="Grey Hoodie",
        price="30",
        stock=2,
        description="Soft.",
        photos=[("file-a", "ua"), ("file-b", "ub"), ("file-c", "uc")],
    )
    pid = detail.card.product_id
    assert [i.telegram_file_id for i in detail.images] == ["file-a", "file-b", "file-c"]
    assert [i.is_primary for i in detail.images] == [True, False, False]
    third = detail.images[2].image_id

    after = await world.shop.listings.photo_first(seller.user_id, pid, third)
    assert [i.telegram_file_id for i in after.images] == ["file-c", "file-a", "file-b"]
    assert [i.is_primary for i in after.images] == [True, False, False]
    after = await world.shop.listings.remove_photo(seller.user_id, pid, third)
    assert [i.telegram_file_id for i in after.images] == ["file-a", "file-b"]
    assert after.images[0].is_primary
    again = await world.shop.listings.remove_photo(seller.user_id, pid, third)  # a repeat
    assert again.images == after.images

    await world.shop.listings.update(seller.user_id, pid, name="Grey Hoodie XL", price="35")
    updates = [a for a in await _audits(world, pid) if a.action == "update"]
    assert len(updates) == 3 + 1 + 1 + 1  # three photos added, one moved, one removed, edits
    last = updates[-1]
    assert last.old_data is not None
    assert last.new_data is not None
    assert (last.old_data["name"], last.new_data["name"]) == ("Grey Hoodie", "Grey Hoodie XL")
    assert set(last.new_data) == {"name", "price"}

    other = await world.seller("Other")
    with pytest.raises(NotFound):
        await world.shop.listings.remove_photo(other.user_id, pid, after.images[0].image_id)


def test_the_steps_follow_the_shipment_table() -> None:
    pending, transit = ShipmentStatus.pending, ShipmentStatus.in_transit
    assert seller_steps(pending, frozenset()) == (Step.confirm, Step.pack, Step.ship, Step.reject)
    assert seller_steps(pending, frozenset({T.order_received})) == (
        Step.pack,
        Step.ship,
        Step.reject,
    )
    assert seller_steps(transit, frozenset({T.order_received, T.packed, T.shipped})) == (
        Step.in_transit,
        Step.out_for_delivery,
        Step.delivered,
    )
    assert seller_steps(ShipmentStatus.delivered, frozenset(T)) == ()


async def test_a_ship_records_the_confirm_and_pack_it_implies(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller)
    customer = await world.customer()
    order = await world.order(customer, {product: 1}, method=PaymentMethod.cod)
    shipment = order.shipments[0].shipment_id

    page = await world.shop.fulfilment.queue(seller.user_id, Queue.to_confirm)
    assert [c.shipment_id for c in page.cards] == [shipment]
    assert page.cards[0].address["city"] == "Dhaka"
    done = await world.shop.fulfilment.act(seller.user_id, shipment, Step.ship, "TRK-1")
    assert done.changed
    assert done.card.milestones == (T.order_received, T.packed, T.shipped)
    assert done.card.steps == (Step.in_transit, Step.out_for_delivery, Step.delivered)
    repeat = await world.shop.fulfilment.act(seller.user_id, shipment, Step.confirm)
    assert not repeat.changed  # a stale Confirm: nothing more is recorded
    async with world.db.uow() as uow:
        recorded = (
            await uow.session.scalars(
                select(DeliveryTracking.status).where(DeliveryTracking.shipment_id == shipment)
            )
        ).all()
    assert sorted(recorded) == sorted([T.order_received, T.packed, T.shipped])
    shipped = await world.shop.fulfilment.queue(seller.user_id, Queue.shipped)
    assert shipped.counts[Queue.shipped] == 1
    assert shipped.counts[Queue.to_confirm] == 0
