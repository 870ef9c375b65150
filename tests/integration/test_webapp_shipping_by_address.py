"""The Mini App lists the ways to the address the customer picked, by the chat's rule: a
pickup point is offered only for an address in its own country; another customer's address
gets "not found". Both databases."""

from __future__ import annotations

from tests.integration.test_webapp_api import App, _shopper, app, world

__all__ = ["app", "world"]  # the fixtures

BATH = "3 Abbey Green, Bath BA1 1NW, United Kingdom"


async def test_a_pickup_point_in_the_uk_is_listed_for_a_uk_address_only(app: App) -> None:
    sara, dhaka = await _shopper(app)  # her address: Dhaka, Bangladesh
    hoodie = await app.world.product(await app.world.seller(), "Red Hoodie", "20.00")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 1})
    pickup = await app.world.shop.shipping.create_provider(
        app.world.admin, "Bath Pickup", "0", pickup_address=BATH
    )
    bath = await app.call(
        "POST",
        "addresses",
        sara,
        status=201,
        json={"line1": "9 Milsom St", "city": "Bath", "postal_code": "BA1 1DA", "country": "UK"},
    )

    to_dhaka = await app.call("GET", "shipping", sara, params={"address_id": dhaka})
    assert [o["provider_id"] for o in to_dhaka] == [app.world.provider]
    assert all(o["pickup_address"] is None for o in to_dhaka), to_dhaka

    to_bath = await app.call("GET", "shipping", sara, params={"address_id": bath["id"]})
    listed = {o["provider_id"]: o for o in to_bath}
    assert set(listed) == {app.world.provider, pickup.provider_id}, to_bath
    assert listed[pickup.provider_id]["pickup_address"] == BATH
    assert listed[pickup.provider_id]["price"] == "0.00"

    # someone else's address is not Sara's to ship to
    other, elsewhere = await _shopper(app, "Omar")
    refused = await app.call("GET", "shipping", sara, status=404, params={"address_id": elsewhere})
    assert refused["message"]
    theirs = await app.call("GET", "shipping", other, params={"address_id": elsewhere})
    assert [o["provider_id"] for o in theirs] == [app.world.provider]
