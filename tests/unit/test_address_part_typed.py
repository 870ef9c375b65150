"""What a typed answer to "Which part should change?" names: one part, maybe with its new
value; several parts, or more than a part, are not read as one."""

from __future__ import annotations

import pytest

from handlers.customer.address_form import names_a_part, read_part


@pytest.mark.parametrize(
    ("text", "part"),
    [("the town", ("city", None)), ("City", ("city", None)), ("postcode", ("postal_code", None)),
     ("zip code please", ("postal_code", None)), ("no, the street", ("street", None)),
     ("change the country", ("country", None)), ("the city is wrong", ("city", None)),
     ("the postcode is NW1 6XE", ("postal_code", "NW1 6XE")),
     ("city: Leeds", ("city", "Leeds")),
     ("change the country to Ireland", ("country", "Ireland")),
     ("postcode should be nw1 6xf.", ("postal_code", "nw1 6xf")),
     ("el país es España", ("country", "España"))],
)  # fmt: skip
def test_one_part_named_is_read_with_its_new_value_when_given(
    text: str, part: tuple[str, str | None]
) -> None:
    assert read_part(text) == part


@pytest.mark.parametrize(
    "text",
    ["the city and the street", "I moved to another city", "yes", "no", "hmm",
     "London is the city"],
)  # fmt: skip
def test_no_part_or_several_or_more_than_a_part_is_not_one_part(text: str) -> None:
    assert read_part(text) is None


def test_parts_named_among_more_words_still_ask_which_part() -> None:
    assert names_a_part("the city and the street")
    assert not names_a_part("looks good")
