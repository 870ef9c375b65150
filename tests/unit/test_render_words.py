"""What the screens say about ratings and coupons: stars a person reads at a glance, and a
coupon described by what it does when its saving is not known yet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.coupons import CouponQuote
from handlers import render
from handlers.i18n import price
from storage.vocabulary import DiscountType


@pytest.mark.parametrize(
    ("rating", "shown"),
    [
        (Decimal("3"), "★★★☆☆"),
        (Decimal("3.5"), "★★★★☆"),
        (Decimal("4.49"), "★★★★☆"),
        (Decimal("0.2"), "☆☆☆☆☆"),
        (Decimal("5"), "★★★★★"),
    ],
)
def test_an_average_rating_is_five_stars_to_the_nearest_one(rating: Decimal, shown: str) -> None:
    assert render.stars(rating) == shown


def _quote(kind: DiscountType, discount: str) -> CouponQuote:
    return CouponQuote(coupon_id=1, code="CODE", discount_type=kind, discount=Decimal(discount))


def test_a_free_shipping_code_says_shipping_is_free_not_that_it_saves_nothing() -> None:
    kept = render.coupon("en", _quote(DiscountType.free_shipping, "0.00"), at_checkout=False)
    assert kept == "Coupon CODE will be used at checkout: shipping will be free."
    applied = render.coupon("en", _quote(DiscountType.free_shipping, "4.99"), at_checkout=True)
    assert applied == "Coupon CODE: shipping is free on this order."


def test_a_code_on_an_empty_cart_promises_no_amount() -> None:
    text = render.coupon("en", _quote(DiscountType.percentage, "0.00"), at_checkout=False)
    assert "0.00" not in text, text
    assert "save" not in text, text


def test_a_code_that_saves_says_how_much() -> None:
    text = render.coupon("en", _quote(DiscountType.fixed, "5.00"), at_checkout=False)
    saved = price(Decimal("5.00"), lang="en")
    assert text == f"Coupon CODE will be used at checkout: you save {saved} on this cart."
