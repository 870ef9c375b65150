"""Allocation and percentages: exact to the cent, never negative, never over a line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.pricing import allocate, percent_of
from storage.vocabulary import from_minor_units

amounts = st.integers(min_value=0, max_value=10_000_000).map(from_minor_units)


def test_percent_rounds_half_up_once() -> None:
    assert percent_of(Decimal("19.99"), Decimal("10")) == Decimal("2.00")
    assert percent_of(Decimal("0.05"), Decimal("50")) == Decimal("0.03")
    assert percent_of(Decimal("100.00"), Decimal("12.5")) == Decimal("12.50")


def test_four_equal_lines_share_two_cents_without_going_negative() -> None:
    assert allocate(Decimal("0.02"), [Decimal("1.00")] * 4) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]


def test_nothing_to_share_over_is_refused() -> None:
    with pytest.raises(ValueError):
        allocate(Decimal("1.00"), [])
    with pytest.raises(ValueError):
        allocate(Decimal("-1.00"), [Decimal(1)])


@given(st.lists(amounts, min_size=1, max_size=12), st.data())
def test_allocation_is_exact_and_bounded(weights: list[Decimal], data: st.DataObject) -> None:
    whole = sum(weights, Decimal(0))
    cents = int(whole * 100)
    total = from_minor_units(data.draw(st.integers(min_value=0, max_value=cents)))
    parts = allocate(total, weights)
    assert sum(parts, Decimal(0)) == total
    assert all(Decimal(0) <= p <= w for p, w in zip(parts, weights, strict=True))
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
