"""The address rules refuse what no address holds (a postcode "asdf!!", a city "12345" or
"London!!!", a street of one character or of symbols, a phone "abc", very long answers) and
take real addresses from everywhere: postcodes of other shapes, no postcode at all, names in
other scripts, phones written the local way."""

from __future__ import annotations

import pytest

from engine.accounts import AddressInput, clean_address, clean_address_field, valid_phone
from engine.errors import InvalidInput


@pytest.mark.parametrize(
    ("field", "typed", "rule"),
    [
        ("postal_code", "asdf!!", "format"),
        ("postal_code", "!!!", "format"),
        ("postal_code", "x" * 60, "format"),
        ("city", "12345", "format"),
        ("city", "London!!!", "symbols"),
        ("city", "$$$abc", "symbols"),
        ("city", "New York <script>", "symbols"),
        ("city", "x", "format"),
        ("city", "London" * 40, "too_long"),
        ("street", "a", "format"),
        ("street", "!!!a", "symbols"),
        ("street", "@@ Baker $$$", "symbols"),
        ("street", "aaaaaaa", "format"),
        ("street", "14 Baker Street " * 400, "too_long"),
    ],
)
def test_nonsense_is_refused_by_its_rule(field: str, typed: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_address_field(field, typed)
    assert (refused.value.params["field"], refused.value.params["rule"]) == (field, rule)


@pytest.mark.parametrize("typed", ["abc", "123", "++44 20", "phone: 555", "1" * 20, "x" * 500])
def test_a_phone_that_is_no_number_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        valid_phone(typed)
    assert refused.value.params == {"field": "phone", "rule": "format"}


@pytest.mark.parametrize(
    "typed",
    [
        "(555) 123-4567",
        "+1 (555) 123-4567",
        "+44 20 7946 0958",
        "020 7946 0958",
        "555-1234",
        "+7 912 345-67-89",
        "+31 6 12345678",
        "+49.30.123456",
    ],
)
def test_phones_written_the_local_way_are_taken(typed: str) -> None:
    assert valid_phone(typed) == typed


@pytest.mark.parametrize(
    ("typed", "country", "saved"),
    [
        ("SW1A 1AA", "United Kingdom", "SW1A 1AA"),
        ("sw1a1aa", "UK", "SW1A 1AA"),
        ("K1A 0B1", "Canada", "K1A 0B1"),
        ("k1a0b1", "Canada", "K1A 0B1"),
        ("1234 AB", "Netherlands", "1234 AB"),
        ("1234ab", "Netherlands", "1234 AB"),
        ("94103-1234", "United States", "94103-1234"),
        ("94103", "United States", "94103"),
        ("D02 X285", "Ireland", "D02 X285"),
        ("100-0001", "Japan", "100-0001"),
        ("01310-100", "Brazil", "01310-100"),
        ("123 45", "Sweden", "123 45"),
        ("00-950", "Poland", "00-950"),
        ("1205", "Bangladesh", "1205"),
        ("", "Hong Kong", None),  # no postcodes there
        ("", "Ireland", None),
        ("", "United Arab Emirates", None),
    ],
)
def test_postcodes_of_other_countries_are_taken(
    typed: str, country: str, saved: str | None
) -> None:
    assert clean_address_field("postal_code", typed, country=country) == saved


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("city", "Saint-Étienne"),
        ("city", "L'Aquila"),
        ("city", "St. John's"),
        ("city", "Frankfurt (Oder)"),
        ("city", "Washington, D.C."),
        ("city", "Łódź"),
        ("city", "São Paulo"),
        ("city", "東京"),
        ("city", "Москва"),
        ("city", "القاهرة"),
        ("street", "Flat 3, 14 Baker Street"),
        ("street", "Calle 5 #10-20"),
        ("street", "1-2-3 Chiyoda"),
        ("street", "c/o Smith, 5 Rue de l'Église"),
        ("street", "ул. Ленина, д. 5"),
        ("street", "P.O. Box 123"),
        ("street", "Rose Cottage"),
        ("street", "Apt. 4B; 221B Baker St."),
        ("street", "千代田区千代田1-1"),
        ("street", "5th Avenue & 42nd St"),
    ],
)
def test_real_names_from_everywhere_are_taken(field: str, typed: str) -> None:
    assert clean_address_field(field, typed) == typed


def test_a_whole_address_from_the_mini_app_is_checked_by_the_same_rules() -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_address(
            AddressInput(street="14 Baker Street", city="London", country="UK", phone="abc")
        )
    assert refused.value.params["field"] == "phone"
    with pytest.raises(InvalidInput) as refused:
        clean_address(AddressInput(street="14 Baker Street", city="London!!!", country="UK"))
    assert refused.value.params["field"] == "city"
