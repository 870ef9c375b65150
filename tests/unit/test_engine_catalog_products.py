"""A product's rules without a database: prices and discount, names, SKUs, the average
rating; what buyers see, and how pages are counted and asked for."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.catalog import BUYER_STATUSES, MAX_PAGE_SIZE, Page, average_rating, checked_prices
from engine.catalog.browse import buyers_see, paging
from engine.catalog.products import checked_name, checked_sku
from engine.errors import InvalidInput
from storage.vocabulary import ProductStatus, SellerStatus


def rule_broken(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str]:
    return error.value.params["field"], error.value.params["rule"]


def test_prices_are_positive_amounts_and_the_discount_is_below_the_price() -> None:
    assert checked_prices("19.90", "14.5") == (Decimal("19.90"), Decimal("14.50"))
    assert checked_prices(20) == (Decimal("20.00"), None)
    for price, discount, broken in [
        ("0", None, ("price", "positive")),
        ("ten", None, ("price", "amount")),
        ("10", "-1", ("discount_price", "positive")),
        ("10", "10", ("discount_price", "below_price")),
    ]:
        with pytest.raises(InvalidInput) as error:
            checked_prices(price, discount)
        assert rule_broken(error) == broken


def test_names_and_skus_are_kept_trimmed_and_within_their_length() -> None:
    assert checked_name("  Zip hoodie ", 150) == "Zip hoodie"
    assert checked_sku(" zh-01 ") == "ZH-01"
    for name in ("   ", "x" * 101):
        with pytest.raises(InvalidInput) as error:
            checked_name(name, 100)
        assert rule_broken(error) == ("name", "length")
    with pytest.raises(InvalidInput) as sku_error:
        checked_sku("S" * 51)
    assert rule_broken(sku_error) == ("sku", "length")


def test_the_average_rating_has_one_decimal_and_none_without_reviews() -> None:
    assert average_rating(14, 3) == Decimal("4.7")
    assert average_rating(0, 0) is None


def test_buyers_see_active_and_sold_out_products_of_active_sellers() -> None:
    for status in ProductStatus:
        for seller in SellerStatus:
            expected = status in BUYER_STATUSES and seller == SellerStatus.active
            assert buyers_see(status, seller) is expected
    assert buyers_see(ProductStatus.out_of_stock, SellerStatus.active)


def test_a_page_asked_for_is_at_least_the_first_and_at_most_max_page_size_long() -> None:
    assert paging(0, 0) == (1, 1)
    assert paging(3, 10) == (3, 10)
    assert paging(-2, 500) == (1, MAX_PAGE_SIZE)


def test_pages_count_whole_and_partial_pages_and_one_when_empty() -> None:
    assert Page([], 0, 1, 10).pages == 1
    assert Page([], 10, 1, 10).pages == 1
    assert Page([], 11, 1, 10).pages == 2
