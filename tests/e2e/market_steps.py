"""Steps of the marketplace stories: opening a store through the chat (apply, approval,
a first product), and moving the shop's clock past the return window for payouts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from sandbox import Emulator, SimUser
from storage.db import make_engine
from storage.models import Shipment
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found, check_out


async def open_store(
    shop_bot: ShopBot,
    tg: Emulator,
    owner_name: str,
    store: str,
    product: str,
    price: str,
    stock: int = 5,
    category: str = "Home & Kitchen › Decor › Lamps",
    photos: Sequence[bytes] = (),
) -> SimUser:
    """A new user applies to sell, the admin approves, the seller lists `product` (with
    `photos`, images as bytes)."""
    owner = tg.user(owner_name)
    admin = shop_bot.admin
    await owner.send("/sell")
    await owner.expect_message("What is it called?")
    await owner.send(store)
    await owner.expect_message("what do you sell?")
    await owner.send("Things people like.")
    await owner.expect_message("waiting for an admin's approval")
    await admin.expect_message(f"{store} applied to sell")
    await admin.send("/admin")
    await admin.expect_message("Admin")
    await admin.click("Sellers waiting")
    await admin.expect_message(store)
    await admin.click("Approve")
    await owner.expect_message("is approved")
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Add a product")
    await owner.expect_message("what is its name?")
    await owner.send(product)
    await owner.expect_message("Describe it")
    await owner.send("skip")
    await pick_category(owner, category)
    await owner.expect_message("Price?")
    await owner.send(price)
    await owner.expect_message("discounted price")
    await owner.send("no")
    await owner.expect_message("How many")
    await owner.send(str(stock))
    await owner.expect_message("Send photos")
    for n, photo in enumerate(photos, start=1):
        await owner.send_photo(photo)
        await owner.expect_message(f"Photo {n} saved")
    await owner.click("Done")
    await owner.expect_message("is listed")
    return owner


#: The demo shop's Local Pickup Point, where its parcels are collected.
DEMO_PICKUP_POINT = "Market Hall, 3 Station Square, Bath BA1 1SU"


async def pickup_order(
    shop_bot: ShopBot,
    tg: Emulator,
    owner_name: str,
    store: str,
    product: str,
    price: str,
    buyer_name: str,
) -> tuple[SimUser, SimUser, int]:
    """A new store lists `product`; a new customer orders it for collection at the demo's
    Local Pickup Point; the store is told. Its owner, the customer, the order's number."""
    owner = await open_store(shop_bot, tg, owner_name, store, product, price)
    buyer = tg.user(buyer_name)
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, product.lower(), product)
    await check_out(
        buyer, address="9 Quay St, Bath, United Kingdom, BA1 2AB", provider="Local Pickup Point"
    )
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await owner.expect_message(f"New order #{order}")
    return owner, buyer, order


async def pick_category(owner: SimUser, path: str) -> None:
    """Walk the category picker down `path` ("Home & Kitchen › Decor › Lamps"): a parent's
    button opens it (its label ends in ›), the last name is chosen."""
    await owner.expect_message("Which category?")
    names = path.split(" › ")
    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        await owner.click(name if last else f"{name} ›")
        if not last:
            await owner.expect_edit(" › ".join(names[: depth + 1]))
    await owner.expect_edit(f"Category: {path}")


async def ship_and_deliver(owner: SimUser, tracking: str) -> None:
    """The seller opens its orders to confirm, opens the oldest card, confirms it, ships it
    with `tracking`, then marks it in transit, out for delivery and delivered: the card
    changes in place after each step."""
    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message("Orders to confirm")
    await owner.click("#")  # the first order's button
    await owner.expect_edit("Order #")
    assert "confirmed" in str((await owner.click("Confirm")).get("text"))
    await owner.expect_edit("Order received by the seller")
    await owner.click("Ship")
    await owner.expect_message("Send the tracking number")
    await owner.send(tracking)
    await owner.expect_edit("🚚 Shipped")  # the card, in place
    await owner.expect_message("is shipped with tracking")
    for step, said in (
        ("In transit", "in transit"),
        ("Out for delivery", "out for delivery"),
        ("Delivered", "delivered"),
    ):
        assert said in str((await owner.click(step)).get("text"))


async def deliveries_age(shop_bot: ShopBot, order_id: int, days: int) -> None:
    """Time passes: the order's deliveries happened `days` days ago (the return window is
    counted from them). The bot's own database, written as the clock would have."""
    engine = make_engine(shop_bot.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(Shipment)
                .where(Shipment.order_id == order_id)
                .values(delivered_at=datetime.now(UTC) - timedelta(days=days))
            )
    finally:
        await engine.dispose()


def order_id_in(text: str | None) -> int:
    """The number after the first '#' of a message ("Order #42 is placed")."""
    assert text is not None
    assert "#" in text, text
    return int(text.split("#", 1)[1].split()[0].rstrip(".:,"))


async def address_order(
    shop_bot: ShopBot, tg: Emulator, name: str, kind: str
) -> tuple[SimUser, SimUser, int]:
    """A new store of `kind` lamps, owned by `name`, and a new customer's order of its lamp to
    their address; the owner is told of it. The owner, the customer, the order's number."""
    mode = shop_bot.mode
    product = f"{kind} Lamp {name} {mode}"
    seller = await open_store(shop_bot, tg, name, f"{kind} Lamps {name} {mode}", product, "30")
    buyer = tg.user(f"Buyer of {name}")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, product, product)
    await check_out(buyer, address="5 Canal St, Manchester, United Kingdom")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    await seller.expect_message(f"#{order}", timeout=20)  # the new order's notice
    return seller, buyer, order
