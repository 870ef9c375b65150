"""Money parsing and minor units: exact, or refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.vocabulary import (
    MAX_AMOUNT,
    MoneyError,
    from_minor_units,
    money,
    parse_amount,
    to_minor_units,
)

cents = st.integers(min_value=-9_999_999_999, max_value=9_999_999_999)


def test_text_and_integers_become_exact_cents() -> None:
    assert money("19.99") == Decimal("19.99")
    assert money(" 5 ") == Decimal("5.00")
    assert money(7) == Decimal("7.00")
    assert str(money("0.1")) == "0.10"


def test_half_a_cent_rounds_up_once() -> None:
    assert money("2.675") == Decimal("2.68")
    assert money("-2.675") == Decimal("-2.68")
    assert money("2.674999") == Decimal("2.67")


@pytest.mark.parametrize("bad", [0.1, True, "ten", "NaN", "Infinity", "", "1e400"])
def test_floats_booleans_and_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        money(bad)  # type: ignore[arg-type]


def test_the_column_range_is_enforced_for_stored_amounts_only() -> None:
    assert money("99999999.99") == MAX_AMOUNT
    with pytest.raises(MoneyError):
        money("100000000.00")
    assert money("100000000.00", bounded=False) == Decimal("100000000.00")


def test_invoice_amounts_are_integer_minor_units() -> None:
    assert to_minor_units(money("19.99")) == 1999
    assert to_minor_units(money("0.30"), "usd") == 30
    assert to_minor_units(money("1500"), "JPY") == 1500
    assert from_minor_units(1999) == Decimal("19.99")
    with pytest.raises(MoneyError):
        to_minor_units(money("10.50"), "JPY")  # yen have no cents
    with pytest.raises(MoneyError):
        from_minor_units(19.99)  # type: ignore[arg-type]


@given(cents)
def test_minor_units_round_trip(units: int) -> None:
    assert to_minor_units(from_minor_units(units)) == units


@given(st.lists(st.integers(min_value=-99_999_999, max_value=99_999_999), max_size=50))
def test_sums_of_parsed_amounts_are_exact(values: list[int]) -> None:
    amounts = [from_minor_units(v) for v in values]
    assert to_minor_units(sum(amounts, Decimal(0))) == sum(values)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("19.99", "19.99"),
        ("$1,299.00", "1299.00"),
        ("1 299", "1299"),
        ("29,50", "29.50"),
        ("1,5 euro", "1.5"),  # a decimal comma: not 15
        ("1.299,50", "1299.50"),
        ("30 dollars", "30"),
        ("$ 7.50", "7.50"),
        ("-5", "-5"),
    ],
)
def test_an_amount_as_people_type_it(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["", "abc", "1,2345", "1.2.3", "12,", "1e9", "NaN", "٣", None])
def test_what_is_not_an_amount_is_none(typed: str | None) -> None:
    assert parse_amount(typed) is None
