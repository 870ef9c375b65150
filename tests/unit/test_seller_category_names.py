"""A category's name as a seller types it at the add-product wizard's category step
(nlu.categories): any case, "&" or "and", the singular, a typo, part of a longer name; every
name the words may mean comes back, so the wizard picks only when there is one. And "back"
typed is the ⬅ Back button."""

from __future__ import annotations

import pytest

from nlu.categories import named, says_label

TREE = [
    "Fashion", "Men", "T-Shirts", "Hoodies", "Women", "Dresses", "Shoes", "Running Shoes",
    "Sneakers", "Home & Kitchen", "Kitchen", "Coffee", "Decor", "Lamps", "Home Office",
    "Accessories", "Accessories", "Clothing", "Cases", "Vases",
]  # fmt: skip


def _names(text: str) -> list[str]:
    return [TREE[i] for i in named(text, TREE)]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Clothing", "Clothing"),
        ("clothing", "Clothing"),
        ("clothng", "Clothing"),  # a typo
        ("hoodies", "Hoodies"),
        ("HOODIE", "Hoodies"),  # the singular
        ("home & kitchen", "Home & Kitchen"),
        ("Home and Kitchen", "Home & Kitchen"),
        ("kitchen", "Kitchen"),  # the whole name, not part of Home & Kitchen
        ("tshirts", "T-Shirts"),
        ("t shirt", "T-Shirts"),
        ("running", "Running Shoes"),  # part of one longer name
        ("the coffee category please", "Coffee"),
        ("Café", None),  # no such category: nothing is guessed
    ],
)
def test_a_typed_name_means_the_category_it_names(typed: str, meant: str | None) -> None:
    assert _names(typed) == ([meant] if meant else [])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("home", ["Home & Kitchen", "Home Office"]),  # part of two
        ("accessories", ["Accessories", "Accessories"]),  # two of that name
        ("vasse", ["Vases"]),
        ("casees", ["Cases"]),
        ("cases", ["Cases"]),  # written right: not its neighbour with one letter changed
    ],
)
def test_a_name_that_may_mean_several_gives_them_all(typed: str, meant: list[str]) -> None:
    assert _names(typed) == meant


@pytest.mark.parametrize("typed", ["", "20", "12.50", "garden tools", "man", "shoes for men"])
def test_words_that_name_no_category_give_none(typed: str) -> None:
    assert _names(typed) == []


@pytest.mark.parametrize(
    ("typed", "label"),
    [("back", "⬅ Back"), ("Go back", "⬅ Back"), ("atrás", "⬅ Atrás"), ("BACK!", "⬅ Back")],
)
def test_back_typed_is_the_back_button(typed: str, label: str) -> None:
    assert says_label(typed, label)


@pytest.mark.parametrize("typed", ["backpacks", "back to the shop", "", "hoodies"])
def test_other_words_are_not_the_back_button(typed: str) -> None:
    assert not says_label(typed, "⬅ Back")
