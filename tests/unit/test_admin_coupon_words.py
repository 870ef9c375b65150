"""An admin's coupon in words (nlu/new_coupon.py): the code, a percentage or an amount off
(a Decimal, never a float), a minimum order, a last day and a usage limit; and the words that
ask for no new coupon (a question, "don't", a customer applying or mentioning a code)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nlu.new_coupon import NewCoupon, read_new_coupon
from storage.vocabulary import DiscountType

TODAY = date(2026, 11, 2)
P, F, FREE = DiscountType.percentage, DiscountType.fixed, DiscountType.free_shipping


@pytest.mark.parametrize(
    ("said", "coupon"),
    [
        ("create a coupon SAVE20 for 20% off", NewCoupon("SAVE20", P, Decimal(20))),
        (
            "new coupon WELCOME5, 5 dollars off, until 31 December",
            NewCoupon("WELCOME5", F, Decimal(5), end_date=date(2026, 12, 31)),
        ),
        (
            "make a code SPRING for 10% off orders over $50, 100 uses",
            NewCoupon("SPRING", P, Decimal(10), min_order=Decimal(50), max_uses=100),
        ),
        (
            "Create a new discount code summer15: 15 percent off, minimum order 30, "
            "valid until 2027-03-01, max 50 uses",
            NewCoupon(
                "SUMMER15",
                P,
                Decimal(15),
                min_order=Decimal(30),
                end_date=date(2027, 3, 1),
                max_uses=50,
            ),
        ),
        (
            "create coupon FREESHIP free shipping on orders over 25 dollars",
            NewCoupon("FREESHIP", FREE, Decimal(0), min_order=Decimal(25)),
        ),
        (
            "new coupon BIGSALE twenty percent off until Dec 31 2027",
            NewCoupon("BIGSALE", P, Decimal(20), end_date=date(2027, 12, 31)),
        ),
        (
            "could you create a coupon XMAS for 5 euros off until 24/12?",
            NewCoupon("XMAS", F, Decimal(5), end_date=date(2026, 12, 24)),
        ),
        (
            "new code: LAUNCH-2027 $7.50 off until March 1",
            NewCoupon("LAUNCH-2027", F, Decimal("7.50"), end_date=date(2027, 3, 1)),
        ),
        (
            "make a 10% coupon called SPRING for the first 20 customers",
            NewCoupon("SPRING", P, Decimal(10), max_uses=20),
        ),
        (
            "new coupon 20OFF 20% off until end of month, single use",
            NewCoupon("20OFF", P, Decimal(20), end_date=date(2026, 11, 30), max_uses=1),
        ),
        ("add a coupon SAVE10 for $10 off", NewCoupon("SAVE10", F, Decimal(10))),
        (
            "crea un cupón VERANO10 del 10% hasta el 31 de agosto",
            NewCoupon("VERANO10", P, Decimal(10), end_date=date(2027, 8, 31)),
        ),
        (
            "nuevo cupón BIENVENIDA de 5 euros, 100 usos",
            NewCoupon("BIENVENIDA", F, Decimal(5), max_uses=100),
        ),
    ],
)
def test_a_coupon_asked_for_in_words_is_read_whole(said: str, coupon: NewCoupon) -> None:
    read = read_new_coupon(said, TODAY)
    assert read == coupon
    assert read is not None
    assert isinstance(read.value, Decimal)


def test_a_day_without_a_year_is_the_next_one_to_come() -> None:
    assert read_new_coupon("new coupon EARLY 5% off until 3 February", TODAY) == NewCoupon(
        "EARLY", P, Decimal(5), end_date=date(2027, 2, 3)
    )
    today = read_new_coupon("new coupon TODAY1 5% off until 2 November", TODAY)
    assert today is not None
    assert today.end_date == TODAY


def test_an_amount_with_cents_is_exact() -> None:
    read = read_new_coupon("create a coupon CENTS for $0.10 off", TODAY)
    assert read is not None
    assert read.value == Decimal("0.10")
    assert str(read.value) == "0.10"


def test_a_request_missing_its_code_or_discount_says_what_is_missing() -> None:
    no_code = read_new_coupon("create a coupon for 20% off", TODAY)
    assert no_code is not None
    assert no_code.missing == ("code",)
    no_offer = read_new_coupon("new coupon TEN", TODAY)
    assert no_offer is not None
    assert (no_offer.code, no_offer.missing) == ("TEN", ("discount",))
    shouted = read_new_coupon("CREATE A COUPON FOR 20% OFF", TODAY)
    assert shouted is not None
    assert shouted.code is None


@pytest.mark.parametrize(
    "said",
    [
        "how do I create a coupon?",
        "can I make a coupon for my friend?",
        "don't create a coupon SAVE20",
        "add coupon SAVE10",  # a customer applying a code
        "apply coupon SAVE10",
        "I have a new coupon code SAVE10",
        "i got a new coupon SAVE10 for 10% off",
        "I want a new hoodie",
        "add a hoodie to cart",
        "make it 2",
        "new",
        "",
    ],
)
def test_words_that_ask_for_no_new_coupon_are_left_alone(said: str) -> None:
    assert read_new_coupon(said, TODAY) is None
