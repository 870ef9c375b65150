"""The rule-based extractors and number parsers, one behaviour at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.extract import (
    extract_colour,
    extract_coupon,
    extract_order_id,
    extract_price,
    extract_rating,
    extract_size,
)
from nlu.numbers import parse_money, parse_quantity, spoken_digits, word_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("one", 1),
        ("two", 2),
        ("seven", 7),
        ("twelve", 12),
        ("twenty", 20),
        ("a", 1),
        ("an", 1),
        ("a couple of", 2),
        ("a pair of", 2),
        ("a dozen", 12),
        ("3", 3),
        ("x2", 2),
        ("2x", 2),
        ("twenty-one", 21),
        # a word that ends in x is not "<number>x": "six" was read as "si"
        ("six", 6),
        ("sixty-six", 66),
    ],
)
def test_quantity_words(text: str, value: int) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["zero", "hoodie", "", "lots"])
def test_not_a_quantity(text: str) -> None:
    assert parse_quantity(text) is None


def test_every_number_word_from_one_to_twenty() -> None:
    names = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    names += " fifteen sixteen seventeen eighteen nineteen twenty"
    assert [word_number(n) for n in names.split()] == list(range(1, 21))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("one zero four two", 1042),
        ("one oh four two", 1042),
        ("#1042", 1042),
        ("1 0 4 2", 1042),
        ("nine nine eight", 998),
    ],
)
def test_spoken_digits(text: str, value: int) -> None:
    assert spoken_digits(text) == value


@pytest.mark.parametrize(
    ("text", "order_id"),
    [
        ("where is #1042", 1042),
        ("track order 1042", 1042),
        ("order number one zero four two please", 1042),
        ("status of order no. 77", 77),
    ],
)
def test_order_ids(text: str, order_id: int) -> None:
    found = extract_order_id(text)
    assert found is not None
    assert found.value == order_id


def test_bare_numbers_are_order_ids_only_for_order_intents() -> None:
    assert extract_order_id("cancel one zero four two") is None
    loose = extract_order_id("cancel one zero four two", loose=True)
    assert loose is not None
    assert loose.value == 1042
    assert extract_order_id("under 300 dollars", loose=True) is None


@pytest.mark.parametrize(
    ("text", "order_id"),
    [
        ("cancel my order 16", 16),
        ("cancel order #16", 16),
        ("cancel number 16", 16),
        ("where is order no 7", 7),
        ("where is my order 123456789012", 123456789012),
        ("cancel #99999999999999999999", 99999999999999999999),  # refused by number later
    ],
)
def test_order_requests_read_short_and_long_ids(text: str, order_id: int) -> None:
    found = extract_order_id(text, loose=True)
    assert found is not None
    assert found.value == order_id


def test_a_short_number_after_order_is_a_count_outside_order_requests() -> None:
    assert extract_order_id("order 2 hoodies") is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("under 30 dollars", None, "30"),
        ("below $25", None, "25"),
        ("less than fifty bucks", None, "50"),
        ("between 20 and 50", "20", "50"),
        ("from $10 to $20", "10", "20"),
        ("shoes 20-50 bucks", "20", "50"),
        ("over $100", "100", None),
        ("more than 80 dollars", "80", None),
        ("at least $30", "30", None),
        ("up to 70 dollars", None, "70"),
        ("$40 or less", None, "40"),
        ("29.99 max", None, None),
    ],
)
def test_price_bounds(text: str, low: str | None, high: str | None) -> None:
    found_low, found_high = extract_price(text)
    assert (found_low.value if found_low else None) == (Decimal(low) if low else None)
    assert (found_high.value if found_high else None) == (Decimal(high) if high else None)


def test_numbers_without_price_words_are_not_prices() -> None:
    assert extract_price("add 2 to 3 hoodies") == (None, None)
    assert parse_money("$29.99") == Decimal("29.99")


def test_money_with_a_decimal_comma_or_in_words() -> None:
    assert parse_money("1,5 euro") == Decimal("1.5")  # was 15
    assert parse_money("$1,299") == Decimal("1299")
    assert parse_money("thirty bucks") == Decimal(30)
    assert parse_money("-5 dollars") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("apply SAVE10", "SAVE10"),
        ("use code welcome5", "WELCOME5"),
        ("coupon: FREESHIP please", "FREESHIP"),
        ("i have a promo code FREESHIP", "FREESHIP"),
        ("enter code SUMMER-15", "SUMMER-15"),
        ("redeem XMAS25 now", "XMAS25"),
    ],
)
def test_coupon_codes(text: str, code: str) -> None:
    found = extract_coupon(text)
    assert found is not None
    assert found.value == code


@pytest.mark.parametrize("text", ["i have a promo code", "use my coupon", "apply it please"])
def test_no_coupon_code(text: str) -> None:
    assert extract_coupon(text) is None


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("five stars", 5),
        ("5 stars", 5),
        ("one star, awful", 1),
        ("4/5", 4),
        ("3 out of 5", 3),
        ("rate it 2", 2),
        ("give it a 4", 4),
    ],
)
def test_ratings(text: str, rating: int) -> None:
    found = extract_rating(text)
    assert found is not None
    assert found.value == rating


def test_ratings_outside_one_to_five_are_ignored() -> None:
    assert extract_rating("7 stars") is None


@pytest.mark.parametrize(
    ("text", "colour"),
    [("a red hoodie", "red"), ("GRAY tee", "grey"), ("navy blue jacket", "navy")],
)
def test_colours(text: str, colour: str) -> None:
    found = extract_colour(text)
    assert found is not None
    assert found.value == colour


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("size M", "M"),
        ("in XL", "XL"),
        ("a large hoodie", "L"),
        ("extra large please", "XL"),
        ("in a medium", "M"),
        ("size 42", "42"),
    ],
)
def test_sizes(text: str, size: str) -> None:
    found = extract_size(text)
    assert found is not None
    assert found.value == size


@pytest.mark.parametrize(
    "text", ["what sizes are there", "it is too small", "Baking Basics large print", "in a box"]
)
def test_not_sizes(text: str) -> None:
    assert extract_size(text) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("cancel order number two", 2),  # the walkthrough: another order was offered
        ("track order seventeen", 17),
        ("cancel order nr 7", 7),
        ("where is order number nine?", 9),
    ],
)
def test_an_order_number_said_as_one_word_in_an_order_request(text: str, number: int) -> None:
    found = extract_order_id(text, loose=True)
    assert found is not None
    assert found.value == number


@pytest.mark.parametrize("text", ["cancel order two hoodies", "order two of the kettles"])
def test_a_number_word_before_goods_is_no_order_number(text: str) -> None:
    assert extract_order_id(text, loose=True) is None
