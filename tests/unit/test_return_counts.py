"""How many units go back, typed as a person types it (the return's "How many?")."""

from __future__ import annotations

import pytest

from handlers.customer.orders import read_units


@pytest.mark.parametrize(
    ("typed", "units"),
    [("2", 2), ("two", 2), ("2 please", 2), ("Three of them", 3), ("all", -1), ("todos", -1)],
)
def test_a_count_is_read(typed: str, units: int) -> None:
    assert read_units(typed) == units


@pytest.mark.parametrize("typed", ["it broke", "too big", "", "?"])
def test_words_that_are_no_count_are_none(typed: str) -> None:
    assert read_units(typed) is None
