"""The engine rules behind the card and cart taps and the shelves, on both databases: an Add
tapped twice on one card adds once (also when both taps arrive at once), a cart's ✖ removes
only the line its screen showed, the tree buyers walk has no empty branch, a search can be
sorted by price, and the pages of a search never repeat a product."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import update

from engine.catalog import BrowseQuery, Sort
from engine.catalog import search as search_module
from engine.errors import Outdated
from storage.models import Product
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


async def _held(world: World, buyer: int, product: int) -> int:
    cart = await world.shop.carts.view(buyer)
    return next((line.quantity for line in cart.lines if line.product_id == product), 0)


async def test_an_add_tapped_twice_on_one_card_adds_once(world: World) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle")
    buyer, _ = await world.customer()
    await world.shop.carts.add(buyer, kettle, 1, seen=0)  # the card showed none in the cart
    with pytest.raises(Outdated) as refused:
        await world.shop.carts.add(buyer, kettle, 1, seen=0)  # the same card again
    assert refused.value.params["held"] == 1
    assert await _held(world, buyer, kettle) == 1
    await world.shop.carts.add(buyer, kettle, 2, seen=1)  # the card drawn after the add
    assert await _held(world, buyer, kettle) == 3
    await world.shop.carts.add(buyer, kettle, 1)  # typed ("add a kettle"): no card to check
    assert await _held(world, buyer, kettle) == 4


async def test_two_taps_at_once_on_one_card_add_once(world: World) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle")
    mug = await world.product(seller, "Mug")
    buyer, _ = await world.customer()
    # the very first add (the cart is made by it), a new line in a cart that exists, and
    # one more on a line that exists (a card drawn with 1 in the cart)
    for product, seen in ((kettle, 0), (mug, 0), (kettle, 1)):
        results = await asyncio.gather(
            world.shop.carts.add(buyer, product, 1, seen=seen),
            world.shop.carts.add(buyer, product, 1, seen=seen),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1, results
        assert isinstance(refused[0], Outdated), refused
        assert await _held(world, buyer, product) == seen + 1


async def test_a_cart_screens_remove_takes_out_only_the_line_it_showed(world: World) -> None:
    seller = await world.seller()
    kettle = await world.product(seller, "Kettle")
    buyer, _ = await world.customer()
    await world.shop.carts.add(buyer, kettle, 1)
    await world.shop.carts.set_quantity(buyer, kettle, 2, seen=1)  # on a newer screen
    with pytest.raises(Outdated):
        await world.shop.carts.remove(buyer, kettle, seen=1)  # the older screen's ✖
    assert await _held(world, buyer, kettle) == 2
    await world.shop.carts.remove(buyer, kettle, seen=2)
    assert await _held(world, buyer, kettle) == 0


async def test_the_tree_buyers_walk_leaves_out_branches_with_nothing_in_them(
    world: World,
) -> None:
    shop, admin = world.shop, world.admin
    sports = await shop.catalog.create_category(admin, "Sports")
    yoga = await shop.catalog.create_category(admin, "Yoga", parent_id=sports.category_id)
    tents = await shop.catalog.create_category(admin, "Tents", parent_id=sports.category_id)
    books = await shop.catalog.create_category(admin, "Books")
    seller = await world.seller()
    await world.product(seller, "Red Hoodie")  # Clothing › Hoodies
    await world.product(seller, "Blue Tent", stock=0, category=tents.category_id)  # sold out
    hidden = await world.product(seller, "Yoga Mat", category=yoga.category_id)
    await shop.catalog.set_listed(seller.user_id, hidden, False)
    closed = await world.seller()
    await world.product(closed, "Crime Novel", category=books.category_id)
    await shop.sellers.suspend(admin, closed.seller_id, "paperwork")

    shelves = [c.name for c in await shop.catalog.categories(for_buyers=True)]
    # a sold-out product is still seen (and said sold out); a hidden one, or a suspended
    # store's, is not
    assert shelves == ["Clothing", "Hoodies", "Sports", "Tents"]
    everything = [c.name for c in await shop.catalog.categories()]
    assert {"Yoga", "Books"} <= set(everything)


async def _prices(world: World, words: str, sort: Sort | None) -> list[Decimal]:
    page = await world.shop.catalog.search(words, 1, 10, sort=sort)
    return [card.unit_price for card in page.items]


async def test_a_search_sorted_by_price_lists_the_cheapest_or_the_dearest_first(
    world: World,
) -> None:
    seller = await world.seller()
    await world.product(seller, "Grey Zip Hoodie", price="60.00", discount="35.00")
    await world.product(seller, "Black Zip Hoodie", price="45.00")
    await world.product(seller, "White Hoodie", price="20.00")
    await world.product(seller, "Zip Hoodie", price="99.00")
    await world.product(seller, "Hoodie Zip Puller", price="2.00")
    assert await _prices(world, "zip hoodie", Sort.price_asc) == [
        Decimal("2.00"),
        Decimal("20.00"),
        Decimal("35.00"),
        Decimal("45.00"),
        Decimal("99.00"),
    ]
    assert await _prices(world, "zip hoodie", Sort.price_desc) == [
        Decimal("99.00"),
        Decimal("45.00"),
        Decimal("35.00"),
        Decimal("20.00"),
        Decimal("2.00"),
    ]
    best = await world.shop.catalog.search("zip hoodie", 1, 10)
    assert best.items[-1].name == "White Hoodie"  # without a sort: the best match first
    # the same sort for a category browsed ("cheap hoodies")
    cheapest = await world.shop.catalog.browse(
        BrowseQuery(category_id=world.category, sort=Sort.price_asc)
    )
    assert [c.unit_price for c in cheapest.items][:2] == [Decimal("2.00"), Decimal("20.00")]


async def test_the_pages_of_a_search_never_repeat_a_product(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranked among a limited number of candidates, a search must pick the same candidates
    for every page, also after products changed between two pages."""
    monkeypatch.setattr(search_module, "SEARCH_CANDIDATES", 4)
    seller = await world.seller()
    mugs = [await world.product(seller, f"Mug {letter}") for letter in "ABCDEF"]

    async def touch(*products: int) -> None:  # an edit, a sale: the rows are rewritten
        async with world.db.sessions() as session, session.begin():
            await session.execute(
                update(Product).where(Product.product_id.in_(products)).values(description="new")
            )

    await touch(mugs[0])
    first = await world.shop.catalog.search("mug", 1, 2)
    await touch(*mugs[3:])
    second = await world.shop.catalog.search("mug", 2, 2)
    shown = [c.product_id for c in first.items + second.items]
    assert len(shown) == len(set(shown)), shown


async def test_a_search_kept_in_the_conversation_pages_in_its_price_order(world: World) -> None:
    """What the chat shows for "the cheapest hoodies" (a category, in price order): every
    page in that order, as the search kept between pages says."""
    from handlers.customer.catalog import PAGE_SIZE, Search, find

    seller = await world.seller()
    for n in range(PAGE_SIZE + 3):
        await world.product(seller, f"Hoodie {n}", price=f"{50 - 3 * n}.00")
    cheapest = Search(category_id=world.top_category, sort=Sort.price_asc)
    kept = Search.of_data({"last_search_query": cheapest.to_data()}, "cheapest hoodies")
    assert kept == cheapest
    first, second = await find(world.shop, kept), await find(world.shop, kept, 2)
    prices = [c.unit_price for c in first.items + second.items]
    assert len(prices) == PAGE_SIZE + 3
    assert prices == sorted(prices)
    dearest = await find(world.shop, Search(words="hoodie", sort=Sort.price_desc))
    assert [c.unit_price for c in dearest.items] == sorted(prices, reverse=True)[:PAGE_SIZE]
