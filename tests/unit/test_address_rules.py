"""The address rules the address form asks the engine about, field by field."""

from __future__ import annotations

import pytest

from engine.accounts import AddressInput, clean_address, clean_address_field
from engine.errors import InvalidInput


@pytest.mark.parametrize(
    ("field", "typed", "saved"),
    [
        ("street", "  Flat 3,   14 Baker Street ", "Flat 3, 14 Baker Street"),
        ("street", "14 Baker Street\nFlat 3", "14 Baker Street, Flat 3"),
        ("city", "London", "London"),
        ("city", "Frankfurt am Main", "Frankfurt am Main"),
        ("postal_code", "nw1 6xe", "NW1 6XE"),
        ("postal_code", "", None),
        ("country", "UK", "United Kingdom"),
        ("country", "united  kingdom", "United Kingdom"),
        ("country", "U.S.A.", "United States"),
        ("country", "Deutschland", "Germany"),
    ],
)
def test_a_field_is_saved_tidied(field: str, typed: str, saved: str | None) -> None:
    assert clean_address_field(field, typed) == saved


@pytest.mark.parametrize(
    ("field", "typed", "rule"),
    [
        ("street", "", "required"),
        ("street", "14", "format"),
        ("street", "x" * 256, "too_long"),
        ("city", "14 Baker Street", "format"),
        ("city", "NW1 6XE", "format"),
        ("city", "", "required"),
        ("postal_code", "United Kingdom", "format"),
        ("postal_code", "not a postcode!", "format"),
        ("country", "London", "unknown"),
        ("country", "NW1 6XE", "unknown"),
    ],
)
def test_a_field_that_breaks_a_rule_is_refused_by_name(field: str, typed: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_address_field(field, typed)
    assert refused.value.params["field"] == field
    assert refused.value.params["rule"] == rule


def test_a_postal_code_must_fit_a_country_whose_codes_are_known() -> None:
    assert clean_address_field("postal_code", "NW16XE", country="United Kingdom") == "NW1 6XE"
    assert clean_address_field("postal_code", "H91 XY12", country="Ireland") == "H91 XY12"
    with pytest.raises(InvalidInput) as refused:
        clean_address_field("postal_code", "NW1 6XE", country="Germany")
    assert refused.value.params == {"field": "postal_code", "rule": "country", "country": "Germany"}


def test_the_garbled_baker_street_address_is_refused_whole() -> None:
    """The comma-split reading of issue 13 (street "Flat 3", city "14 Baker Street", country
    "London", postal code "United Kingdom") breaks the rules where it went wrong."""
    with pytest.raises(InvalidInput) as refused:
        clean_address(
            AddressInput(
                street="Flat 3",
                city="14 Baker Street",
                country="London",
                postal_code="United Kingdom",
            )
        )
    assert refused.value.params["field"] in ("city", "country", "postal_code")
    whole = clean_address(
        AddressInput(
            street="Flat 3, 14 Baker Street",
            city="London",
            country="uk",
            postal_code="nw1 6xe",
        )
    )
    assert (whole.street, whole.city, whole.postal_code, whole.country) == (
        "Flat 3, 14 Baker Street",
        "London",
        "NW1 6XE",
        "United Kingdom",
    )
