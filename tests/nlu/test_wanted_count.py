"""A count to end with ("i only want 1", "set … to 0", "make it 3") read apart from a count to
add or take away."""

from __future__ import annotations

import pytest

from nlu.extract import extract_wanted_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("i only want 1 white zip hoodie in my cart", 1),
        ("I want only two", 2),
        ("set white zip hoodie quantity to 1", 1),
        ("set the quantity of the tee to 0", 0),
        ("change the hoodies to 2", 2),
        ("make the hoodies 1", 1),
        ("make it three please", 3),
    ],
)
def test_a_count_to_end_with_is_read(text: str, count: int) -> None:
    found = extract_wanted_count(text)
    assert found is not None
    assert found.value == count


@pytest.mark.parametrize(
    "text",
    [
        "remove one white zip hoodie",
        "add 2 hoodies",
        "i want 2 tees",
        "set my address to 5 Main St",
        "change my order to 2 day shipping",
        "make it 2.5",
    ],
)
def test_other_counts_are_no_count_to_end_with(text: str) -> None:
    assert extract_wanted_count(text) is None
