"""The Mini App places what its summary showed: the quote carries the summary's version, the
page sends it back with "Place order", and a cart changed in another window since orders
nothing and answers with the summary as it is now. Both databases."""

from __future__ import annotations

from typing import Any

from tests.integration.test_webapp_api import App, Person, _shopper, app, world

__all__ = ["app", "world"]  # the fixtures


async def _quote(app: App, who: Person, address: int, method: str = "cod") -> Any:
    """The summary the page shows for this address and payment method."""
    return await app.call(
        "POST",
        "quote",
        who,
        json={"provider_id": app.world.provider, "address_id": address, "payment_method": method},
    )


async def test_a_cart_changed_in_another_window_is_not_ordered_at_a_price_never_seen(
    app: App,
) -> None:
    sara, address = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), "Red Hoodie", "20.00", stock=5)
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 1})
    shown = await _quote(app, sara, address)
    assert shown["total"] == "25.00"
    assert shown["version"]

    # the chat (another window) adds a second hoodie meanwhile
    await app.world.shop.carts.set_quantity(sara.user_id, hoodie, 2)
    body = {
        "checkout_key": "seen-1",
        "address_id": address,
        "provider_id": app.world.provider,
        "payment_method": "cod",
        "seen": shown["version"],
    }
    refused = await app.call("POST", "checkout", sara, status=409, json=body)
    assert refused["error"] == "outdated"
    assert refused["message"]
    now = refused["quote"]
    assert (now["subtotal"], now["total"]) == ("40.00", "45.00")  # the summary as it is now
    assert now["version"] != shown["version"]
    assert await app.world.shop.orders.history(sara.user_id) == []

    placed = await app.call("POST", "checkout", sara, json=body | {"seen": now["version"]})
    assert placed["order"]["total"] == "45.00"
    assert len(await app.world.shop.orders.history(sara.user_id)) == 1


async def test_a_summary_shown_with_another_payment_method_orders_nothing(app: App) -> None:
    sara, address = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), price="20.00")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 1})
    shown = await _quote(app, sara, address, method="cod")
    body = {
        "checkout_key": "seen-2",
        "address_id": address,
        "provider_id": app.world.provider,
        "payment_method": "bank_transfer",
        "seen": shown["version"],
    }
    refused = await app.call("POST", "checkout", sara, status=409, json=body)
    assert refused["quote"]["total"] == "25.00"
    assert await app.world.shop.orders.history(sara.user_id) == []


async def test_a_place_order_without_the_summarys_version_orders_nothing(app: App) -> None:
    """A page of an older layout (it sends no version) gets the summary to confirm."""
    sara, address = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), price="20.00")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 1})
    body = {
        "checkout_key": "seen-3",
        "address_id": address,
        "provider_id": app.world.provider,
        "payment_method": "cod",
    }
    refused = await app.call("POST", "checkout", sara, status=409, json=body)
    assert refused["quote"]["version"]
    assert await app.world.shop.orders.history(sara.user_id) == []
