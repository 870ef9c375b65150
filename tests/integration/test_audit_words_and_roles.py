"""The admin's audit log as a person would say it, on both databases (a walkthrough of the
sandbox as Demo Admin): a milestone a later step implied reads "implied by the next step",
not "source implied; implied True"; bookkeeping that says nothing to an admin is left out;
a field nobody named yet still reads as words ("gift wrap: yes"), never as Python (True, None,
a dict). And the role shown is the capacity in which someone acted on that row: Maya, who
also sells, is a customer on her own order's rows and a seller on her parcels' rows; an
admin acting on someone else's order is the admin."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from engine.accounts import AddressInput, TelegramIdentity
from engine.backoffice import AuditEntry
from handlers.admin import _audit_line as audit_line
from storage.vocabulary import PaymentMethod, TrackingStatus, UserRole
from tests.conftest import Database
from tests.integration.world import Seller, World

#: What Python says of its own values, and the bookkeeping the tester saw.
RAW = re.compile(
    r"\bTrue\b|\bFalse\b|\bNone\b|[{}\[\]]|'\w+':|&#x27;|\bsource\b|taken by|\bevent\b"
)


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _story(world: World, order_id: int) -> list[AuditEntry]:
    return await world.shop.backoffice.audit_search(
        world.admin, entity_type="order", entity_id=order_id, limit=200
    )


async def _ship_then_deliver(world: World, seller: Seller, shipment_id: int) -> None:
    """Shipped at once (received and packed implied), then marked delivered."""
    await world.shop.shipping.ship(seller.user_id, shipment_id, f"TRK-{shipment_id}")
    await world.shop.shipping.update(seller.user_id, shipment_id, TrackingStatus.delivered)


# --- what the rows say -----------------------------------------------------------------------
async def test_an_implied_milestone_reads_as_implied_by_the_next_step(world: World) -> None:
    seller = await world.seller("Lamps")
    lamp = await world.product(seller, "Desk Lamp")
    order = await world.pay(await world.order(await world.customer(), {lamp: 1}))
    await _ship_then_deliver(world, seller, order.shipments[0].shipment_id)
    story = await _story(world, order.order_id)
    english = [audit_line("en", e) for e in story]
    implied = [line for line in english if "implied by the next step" in line]
    assert len(implied) == 2, english  # received and packed: nobody reported them
    assert any("milestone: order received" in line for line in implied), implied
    assert any("milestone: shipped; reported by the seller" in line for line in english)
    for line in english:
        assert not RAW.search(line), line
        assert "implied True" not in line, line
        assert "source implied" not in line, line
    spanish = [audit_line("es", e) for e in story]
    assert sum("implícito por el paso siguiente" in line for line in spanish) >= 2, spanish
    assert not any(RAW.search(line) for line in spanish), spanish


async def test_the_rows_an_admin_reads_have_no_bookkeeping_and_name_things_in_words(
    world: World,
) -> None:
    """A refund taken by a settler (its token, its attempt), a payment's `taken` flag, an
    order placed without a coupon (None): none of it shows; an order's line reads "order
    #N", a milestone "in transit", an amount as money."""
    seller = await world.seller("Lamps")
    lamp = await world.product(seller, "Desk Lamp", price="20.00")
    order = await world.pay(await world.order(await world.customer("Sara"), {lamp: 1}))
    await world.shop.orders.cancel(order.user_id, order.order_id, "Changed my mind")
    story = await _story(world, order.order_id)
    lines = [audit_line("en", e) for e in story]
    for line in lines:
        assert not RAW.search(line), line
    placed = next(line for line in lines if f"Order #{order.order_id}: created" in line)
    assert "total: $25.00" in placed, placed  # the lamp and Speedy's $5.00
    assert "payment method: card" in placed, placed
    assert "coupon" not in placed, placed  # none was used: nothing to say
    refunded = [line for line in lines if line.split(" · ")[1].startswith("Refund #")]
    assert refunded, lines
    assert any("status: pending → processing" in line for line in refunded), refunded
    assert not any(re.search(r"\b[0-9a-f]{16,}\b", line) for line in refunded), refunded


async def test_a_field_nobody_named_yet_still_reads_as_words(world: World) -> None:
    seller = await world.seller()
    lamp = await world.product(seller, "Desk Lamp")
    order = await world.order(await world.customer(), {lamp: 1})
    async with world.db.uow() as uow:  # a row a later version of the shop might write
        uow.audit.record(
            "order",
            order.order_id,
            "update",
            by=world.admin,
            old={"gift_wrap": None, "rush": True},
            new={
                "gift_wrap": True,
                "rush": False,
                "courier_notes": {"door": "blue", "floor": 3},
                "stickers": ["fragile", "heavy"],
                "nothing_here": None,
            },
        )
        await uow.commit()
    [row] = [e for e in await _story(world, order.order_id) if e.action == "update"]
    line = audit_line("en", row)
    assert not RAW.search(line), line
    assert "gift wrap: yes" in line, line
    assert "rush: yes → no" in line, line
    assert "courier notes: door: blue, floor: 3" in line, line
    assert "stickers: fragile, heavy" in line, line
    assert "nothing here" not in line, line  # nothing to say: left out
    spanish = audit_line("es", row)
    assert "gift wrap: Sí" in spanish, spanish
    assert "rush: Sí → No" in spanish, spanish


# --- who acted, in which capacity -------------------------------------------------------------
async def _maya(world: World) -> tuple[Seller, tuple[int, int]]:
    """Maya, who sells lamps and shops too."""
    me = await world.shop.accounts.register_from_telegram(TelegramIdentity(7171, "Maya"))
    store = await world.shop.sellers.apply(me.id, "Maya's Lamps")
    await world.shop.sellers.approve(world.admin, store.seller_id)
    address = await world.shop.accounts.add_address(
        me.id, AddressInput(street="2 Side St", city="Dhaka", country="Bangladesh")
    )
    assert (await world.shop.accounts.me(me.id)).role == UserRole.seller
    return Seller(me.id, store.seller_id), (me.id, address.address_id)


def _roles(story: list[AuditEntry], user_id: int) -> dict[str, set[str]]:
    """The role each kind of row shows for what `user_id` did."""
    found: dict[str, set[str]] = {}
    for e in story:
        if e.changed_by == user_id:
            found.setdefault(e.entity_type, set()).add(e.by_role.value if e.by_role else "—")
    return found


async def test_a_seller_buying_is_a_customer_on_her_orders_rows(world: World) -> None:
    maya, shopper = await _maya(world)
    tom = await world.seller("Toms Hoodies")
    hoodie = await world.product(tom, "Red Hoodie")
    order = await world.pay(await world.order(shopper, {hoodie: 1}))
    await world.deliver(tom, order)
    await world.shop.reviews.write(maya.user_id, hoodie, 5, "Warm")
    item = order.lines[0].order_item_id
    [asked] = await world.shop.returns.request(maya.user_id, order.order_id, {item: 1}, "Too big")
    await world.shop.returns.approve(tom.user_id, asked.return_id)
    story = await _story(world, order.order_id)
    assert _roles(story, maya.user_id) == {
        "order": {"customer"},
        "payment": {"customer"},
        "return": {"customer"},
    }
    assert _roles(story, tom.user_id)["shipment"] == {"seller"}
    assert _roles(story, tom.user_id)["return"] == {"seller"}  # he approved it
    [review] = await world.shop.backoffice.audit_search(world.admin, entity_type="review")
    assert review.by_role == UserRole.customer
    lines = [audit_line("en", e) for e in story if e.changed_by == maya.user_id]
    assert lines
    assert all(line.endswith("by Maya (customer)") for line in lines), lines


async def test_a_seller_is_a_seller_on_her_parcels_rows_even_on_her_own_order(
    world: World,
) -> None:
    maya, shopper = await _maya(world)
    lamp = await world.product(maya, "Desk Lamp")
    sold = await world.pay(await world.order(await world.customer("Sara"), {lamp: 1}))
    own = await world.pay(await world.order(shopper, {lamp: 1}))  # from her own store
    for order in (sold, own):
        await world.shop.shipping.confirm(maya.user_id, order.shipments[0].shipment_id)
        await _ship_then_deliver(world, maya, order.shipments[0].shipment_id)
    # Sara's order moved on (shipped, delivered) because Maya's parcel did: as its seller
    assert _roles(await _story(world, sold.order_id), maya.user_id) == {
        "order": {"seller"},
        "shipment": {"seller"},
    }
    mine = await _story(world, own.order_id)
    assert _roles(mine, maya.user_id) == {
        "order": {"customer"},
        "payment": {"customer"},
        "shipment": {"seller"},
    }
    parcel = [audit_line("en", e) for e in mine if e.entity_type == "shipment"]
    assert parcel
    assert all(line.endswith("by Maya (seller)") for line in parcel), parcel


async def test_an_admin_acting_on_someone_elses_order_is_the_admin(world: World) -> None:
    maya, shopper = await _maya(world)
    tom = await world.seller("Toms Hoodies")
    hoodie = await world.product(tom, "Red Hoodie")
    order = await world.order(shopper, {hoodie: 1}, PaymentMethod.bank_transfer)
    await world.shop.orders.confirm_bank_transfer(world.admin, order.order_id)
    story = await _story(world, order.order_id)
    assert _roles(story, world.admin) == {"order": {"admin"}, "payment": {"admin"}}
    assert _roles(story, maya.user_id) == {"order": {"customer"}}
