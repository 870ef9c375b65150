"""Search keeps the catalog's words between calls; every change to names reaches it, also
when another worker (another Shop on the same database) made the change."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from engine.shop import Shop
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


def ids(page: object) -> list[int]:
    return [c.product_id for c in page.items]  # type: ignore[attr-defined]


async def test_search_finds_new_renamed_and_recategorised_products_made_by_another_worker(
    world: World,
) -> None:
    reader = Shop(world.deps)  # a second worker: its own in-memory vocabulary
    seller = await world.seller()
    hoodie = await world.product(seller, "Red Hoodie")
    assert ids(await reader.catalog.search("hodie")) == [hoodie]
    assert (await reader.catalog.search("ketle")).total == 0

    kettle = await world.product(seller, "Steel Kettle")
    assert ids(await reader.catalog.search("ketle")) == [kettle]

    await world.shop.catalog.update_product(seller.user_id, hoodie, name="Lamb Sweater")
    assert ids(await reader.catalog.search("sweatr")) == [hoodie]
    assert (await reader.catalog.search("hodie")).total == 0

    kitchen = await world.shop.catalog.create_category(world.admin, "Cookware")
    await world.shop.catalog.update_product(seller.user_id, kettle, category_id=kitchen.category_id)
    assert ids(await reader.catalog.search("cookwear")) == [kettle]


async def test_the_category_tree_checked_at_an_updates_start_is_the_databases(
    world: World,
) -> None:
    reader = Shop(world.deps)  # a second worker, serving the tree it checked
    names = ["Clothing", "Hoodies"]
    async with world.db.uow() as uow:
        serve = await reader.catalog.check_categories(uow)
    serve()
    assert [c.name for c in await reader.catalog.categories()] == names

    await world.shop.catalog.create_category(world.admin, "Bags")  # by the other worker
    async with world.db.uow() as uow:  # the next update's claim checks the tree again
        serve = await reader.catalog.check_categories(uow)
    serve()
    assert [c.name for c in await reader.catalog.categories()] == ["Bags", *names]

    await reader.catalog.rename_category(world.admin, world.category, "Sweaters")  # here
    assert [c.name for c in await reader.catalog.categories()] == ["Bags", "Clothing", "Sweaters"]
