"""The engine operations behind the browsing screens, on both databases: a name typed alone
names one product or none, "notify me when back" is kept once and the back-in-stock job
tells once, emptying a cart refuses a cart its question did not show, and reviews are read
by page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from engine.errors import NotFound, Outdated
from storage.models import Outbox, WishlistItem
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def test_a_name_alone_names_the_one_product_it_fits_clearly(world: World) -> None:
    seller = await world.seller()
    white = await world.product(seller, "White Zip Hoodie")
    await world.product(seller, "Sand Zip Hoodie")
    await world.product(seller, "White Pullover Hoodie")
    found = await world.shop.catalog.lookup("white zip hoodie")
    assert found is not None
    assert found.product_id == white
    assert (await world.shop.catalog.lookup("whte zip hoodie")) == found  # a typo
    assert (await world.shop.catalog.lookup("white zip hodoie")) == found  # two letters swapped
    assert await world.shop.catalog.lookup("zip hoodie") is None  # two fit equally
    assert await world.shop.catalog.lookup("hoodie") is None
    assert await world.shop.catalog.lookup("white teapot") is None  # not all in one name
    assert await world.shop.catalog.lookup("") is None


async def test_notify_me_when_back_is_kept_once_and_told_once(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, "Yoga Block", stock=1)
    buyer, _ = await world.customer()
    await world.shop.inventory.adjust(seller.user_id, product, -1, "damaged")  # sold out
    first, second = await asyncio.gather(
        world.shop.wishlists.notify_when_back(buyer, product),
        world.shop.wishlists.notify_when_back(buyer, product),
    )
    assert sorted([first, second]) == [False, True]
    assert await world.shop.wishlists.notify_when_back(buyer, product) is False
    async with world.db.sessions() as session:
        kept = await session.scalar(
            select(func.count()).select_from(WishlistItem).where(WishlistItem.product_id == product)
        )
    assert kept == 1

    await world.shop.inventory.restock(seller.user_id, product, 4)
    assert await world.shop.housekeeping.back_in_stock() == 1
    assert await world.shop.housekeeping.back_in_stock() == 0
    async with world.db.sessions() as session:
        told = await session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.kind == "back_in_stock")
        )
    assert told == 1


async def test_emptying_refuses_a_cart_the_question_did_not_show(world: World) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle")
    mug = await world.product(seller, "Mug")
    buyer, _ = await world.customer()
    asked = await world.shop.carts.add(buyer, kettle, 2)
    await world.shop.carts.add(buyer, mug, 1)  # after the question was shown
    with pytest.raises(Outdated):
        await world.shop.carts.clear(buyer, seen=asked.version)
    assert (await world.shop.carts.view(buyer)).item_count == 3
    now = await world.shop.carts.view(buyer)
    assert (await world.shop.carts.clear(buyer, seen=now.version)).lines == []
    # the same Yes again, on an empty cart: nothing to refuse, nothing to do
    assert (await world.shop.carts.clear(buyer, seen=now.version)).lines == []


async def test_reviews_are_read_by_page_of_visible_products_only(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, "Desk Lamp")
    page = await world.shop.catalog.reviews(product, page=3)
    assert (page.items, page.total, page.page, page.pages) == ([], 0, 1, 1)
    await world.shop.catalog.set_listed(seller.user_id, product, listed=False)
    with pytest.raises(NotFound):
        await world.shop.catalog.reviews(product)
