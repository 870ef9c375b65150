"""Money, numbers and plurals through handlers/i18n.py: the shop's currency unless an amount
has its own, the reader's locale, and plural forms picked by each catalog's Plural-Forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural

from handlers import i18n, locales
from handlers.i18n import LANGUAGES, number, price, shop_currency, t, use_shop_currency


@pytest.fixture
def euro_shop() -> Iterator[None]:
    before = shop_currency()
    use_shop_currency("EUR")
    yield
    use_shop_currency(before)


def test_an_amount_without_a_currency_is_in_the_shops_currency(euro_shop: None) -> None:
    assert price(Decimal("1234.5")) == "€1,234.50"
    assert price(Decimal("19.99"), lang="en") == "€19.99"


def test_an_amount_with_its_own_currency_keeps_it(euro_shop: None) -> None:
    assert price(Decimal("5"), "USD") == "$5.00"
    assert price(Decimal("5"), "GBP") == "£5.00"
    assert price(Decimal("1200"), "JPY") == "¥1,200"  # no minor unit


def test_the_shop_currency_is_set_once_for_every_later_amount() -> None:
    before = shop_currency()
    try:
        use_shop_currency("gbp")
        assert shop_currency() == "GBP"
        assert t("en", "cart.subtotal", subtotal=price(Decimal("3"))) == "Subtotal: <b>£3.00</b>"
    finally:
        use_shop_currency(before)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 items"), (1, "1 item"), (2, "2 items"), (1500, "1500 items")],
)
def test_counts_take_the_english_plural_form(count: int, expected: str) -> None:
    assert t("en", "checkout.invoice.description", count=count) == (
        f"{expected} from the marketplace"
    )


def test_a_sentence_can_agree_with_its_count_twice() -> None:
    one = t("en", "notify.cart_reminder", items=1)
    many = t("en", "notify.cart_reminder", items=3)
    assert one.startswith("🛒 You left an item in your cart. It is still there"), one
    assert many.startswith("🛒 You left 3 items in your cart. They are still there"), many


def test_a_value_that_is_not_a_count_takes_the_other_form() -> None:
    line = t("en", "admin.provider.line", name="Post", cost="€3.00", days="—", status="on")
    assert line == "Post · €3.00 · — days · on"


def test_the_plural_rule_is_the_catalogs_own(tmp_path: Path) -> None:
    """Russian has three forms; a catalog with its Plural-Forms picks them as gettext does."""
    russian = Catalog(locale="ru", domain=locales.DOMAIN)  # Plural-Forms from CLDR (Babel)
    assert get_plural("ru").num_plurals == russian.num_plurals == 3
    russian.add(("books", "count"), ("{count} книга", "{count} книги", "{count} книг"))
    locales.write(russian, "ru", tmp_path)
    books = i18n.Catalog("ru", root=tmp_path)
    shown = [books.template("books", {"count": n}).format(count=n) for n in (1, 3, 5, 21, 11)]
    assert shown == ["1 книга", "3 книги", "5 книг", "21 книга", "11 книг"]


def test_numbers_follow_the_locale_and_ids_stay_as_they_are() -> None:
    assert number(Decimal("3"), "en", digits=1) == "3.0"
    assert number(Decimal("4.25"), "en", digits=1) == "4.2"  # banker's rounding, as Babel
    assert t("en", "cart.line", qty=2, name="Mug", total=Decimal("1234.5")).endswith("1,234.50")
    assert t("en", "order.head", order_id=12345) == "<b>Order #12345</b>"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalog_text_hedges_a_plural_with_s_in_brackets(lang: str) -> None:
    hedged = {
        key: form
        for key, entry in locales.entries(locales.read(lang)).items()
        for form in entry.forms
        if re.search(r"[a-z]\(s\)", form.replace("http(s)", ""))
    }
    assert hedged == {}  # "1 photo(s)": the catalog has the forms ("http(s)" is fine)
