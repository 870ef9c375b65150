"""Fuzzy catalog resolution: typos, plurals, attributes and categories."""

from __future__ import annotations

from nlu.catalog import CatalogIndex, CatalogItem
from nlu.text import tokenize

SMALL = CatalogIndex.build(
    [
        (1, "Red Hoodie", "Hoodies"),
        (2, "Navy Zip Hoodie", "Hoodies"),
        (3, "Red Zip Hoodie", "Hoodies"),
        (4, "Black Trail Runner", "Running Shoes"),
        (5, "Pour-Over Kettle", "Coffee"),
        CatalogItem(6, "Studio Headphones", "Headphones", ("wireless", "black")),
    ],
    categories=["Fashion", "Shoes"],
)


def ids(found: list[tuple[int, float]]) -> list[int]:
    return [pid for pid, _ in found]


def test_red_hoody_finds_red_hoodie_first() -> None:
    found = SMALL.resolve("red hoody")
    assert ids(found)[0] == 1
    assert all(0 < score <= 1 for _, score in found)


def test_typos_and_plurals() -> None:
    assert ids(SMALL.resolve("hodie"))[:1] == [1]
    assert ids(SMALL.resolve("kettels")) == [5]
    assert ids(SMALL.resolve("trial runners")) == [4]


def test_attributes_pick_the_variant() -> None:
    assert ids(SMALL.resolve("zip hoodie", {"colour": "red"}))[0] == 3
    assert ids(SMALL.resolve("zip hoodie", {"colour": "navy"}))[0] == 2
    assert ids(SMALL.resolve("headphones", ["wireless"])) == [6]


def test_names_that_differ_only_in_words_not_said_tie() -> None:
    tees = CatalogIndex.build(
        [
            (1, "Black Cotton Tee", "T-Shirts"),
            (2, "Black Graphic Tee", "T-Shirts"),
            (3, "Navy Cotton Tee", "T-Shirts"),
            (4, "Sand Cotton Tee", "T-Shirts"),
        ]
    )
    found = tees.resolve("tees", {"colour": "black"})
    top = found[0][1]
    assert {pid for pid, score in found if score >= top - 1e-9} == {1, 2}  # ask, not guess


def test_search_words_are_the_catalog_words_said() -> None:
    assert SMALL.search_words("i want two red hoodys please") == "red hoodie"
    assert SMALL.search_words("any gray hoodies?") == "grey hoodies"
    assert SMALL.search_words("i want it please") == ""
    assert SMALL.search_words("any beeswax candles?") == "beeswax candles"  # listed since


def test_unrelated_words_resolve_to_nothing() -> None:
    assert SMALL.resolve("show") == []
    assert SMALL.resolve("pizza") == []
    assert SMALL.resolve("red") == []  # a colour alone names no product


def test_categories_by_name_and_plural() -> None:
    assert SMALL.match_category("hoodies") == "Hoodies"
    assert SMALL.match_category("running shoes") == "Running Shoes"
    assert SMALL.match_category("shoes") == "Shoes"
    assert SMALL.match_category("zip hoodie") is None


def test_common_words_are_never_corrected_into_products() -> None:
    assert SMALL.canonical("show") is None  # not "shoe"
    assert SMALL.canonical("hoddie") == "hoodie"


def test_mentions_stop_at_skipped_tokens() -> None:
    tokens = tokenize("add the red zip hoody to my cart")
    mentions = SMALL.find_mentions(tokens, skip={2})  # "red" is taken as a colour
    assert [m.text for m in mentions] == ["zip hoody"]


def test_sample_catalog_resolves_its_own_names(catalog: CatalogIndex) -> None:
    for item in catalog.items:
        assert item.product_id in ids(catalog.resolve(item.name))[:2], item.name


def test_a_name_with_accents_is_found_typed_with_or_without_them() -> None:
    index = CatalogIndex.build([(1, "Crème Brûlée Mug", "Kitchen"), (2, "Steel Mug", "Kitchen")])
    assert ids(index.resolve("creme brulee mug"))[:1] == [1]
    assert ids(index.resolve("crème brûlée"))[:1] == [1]
    assert index.search_words("i want a crème brulee mug") == "creme brulee mug"
