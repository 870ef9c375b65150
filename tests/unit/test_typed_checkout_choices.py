"""How a typed answer at a checkout step that offers buttons is read (one reader for every
step, handlers/customer/checkout.py `read_choice`): an address by its words, its place or
"home"; a shipping option by its name, its place, "pickup" or "the cheapest" (the engine's
first); a way to pay as before; none of them when the words name several, none, one not
offered, say "not" or ask a question. And "none" to the postal code is No postal code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.accounts import AddressView
from engine.orders.checkout import DeliveryChoice
from engine.orders.views import ShippingOption
from handlers.customer.address_form import says_no_postal_code
from handlers.customer.checkout import (
    NEW_ADDRESS,
    address_choices,
    provider_choices,
    read_choice,
    read_payment_method,
)
from storage.vocabulary import AddressType, PaymentMethod


def _address(
    address_id: int, street: str, city: str, postal_code: str, *, default: bool = False
) -> AddressView:
    return AddressView(
        address_id,
        AddressType.shipping,
        "Ada Lovelace",
        street,
        city,
        None,
        "United Kingdom",
        postal_code,
        None,
        default,
    )


BATH = _address(11, "4 Tanner Street", "Bath", "BA1 1AA", default=True)
YORK = _address(12, "8 Kiln Row", "York", "YO1 7HH")


def _option(
    provider_id: int, name: str, cost: str, pickup: str | None = None, days: int | None = 3
) -> ShippingOption:
    return ShippingOption(provider_id, name, Decimal(cost), 1, Decimal(cost), days, pickup)


#: As the engine lists them for a UK address: cheapest first.
UK = DeliveryChoice(
    [
        _option(1, "Local Pickup Point", "0.00", "Market Hall, Bath"),
        _option(2, "Standard Post", "4.99"),
        _option(3, "Speedy Couriers", "9.99"),
    ],
    "United Kingdom",
    False,
)
ITALY = DeliveryChoice(
    [_option(2, "Standard Post", "4.99"), _option(3, "Speedy Couriers", "9.99")], "Italy", True
)


@pytest.mark.parametrize(
    ("said", "chosen"),
    [
        ("York", YORK.address_id),
        ("the Kiln Row one please", YORK.address_id),
        ("bath", BATH.address_id),
        ("the first one", BATH.address_id),
        ("2", YORK.address_id),
        ("the last one", YORK.address_id),
        ("home", BATH.address_id),  # the default address
        ("the usual", BATH.address_id),
        ("a new address", NEW_ADDRESS),
        ("another one", NEW_ADDRESS),
        ("somewhere nice", None),
        ("not Bath", None),
        ("how long does it take to York?", None),
        ("3", None),  # no third address
    ],
)
def test_an_address_is_named_by_its_words_place_or_home(said: str, chosen: int | None) -> None:
    assert read_choice(said, address_choices([BATH, YORK])) == chosen


def test_home_is_the_only_address_when_none_is_the_default() -> None:
    only = _address(13, "2 Quay St", "Cork", "T12 X2Y")
    assert read_choice("home", address_choices([only])) == only.address_id
    assert read_choice("new address", address_choices([])) == NEW_ADDRESS
    assert read_choice("the first one", address_choices([])) is None


NEW_ROAD = _address(14, "12 New Road", "Leeds", "LS1 4AP")


@pytest.mark.parametrize(
    ("said", "chosen"),
    [
        ("New Road", NEW_ROAD.address_id),  # its street's words, not "a new address"
        ("the one on new road please", NEW_ROAD.address_id),
        ("12 New Road", NEW_ROAD.address_id),
        ("a new address", NEW_ADDRESS),
        ("new", NEW_ADDRESS),
        ("a new one in Leeds", NEW_ADDRESS),  # "new" here is not the street's
        ("add a new address on New Road", NEW_ADDRESS),
        ("York", YORK.address_id),
    ],
)
def test_a_saved_addresss_own_words_win_over_the_new_address_words(
    said: str, chosen: int | None
) -> None:
    assert read_choice(said, address_choices([NEW_ROAD, YORK])) == chosen


def test_a_shipping_options_name_is_its_own_not_the_cheapest() -> None:
    priced = DeliveryChoice(
        [_option(1, "Standard Post", "4.99"), _option(2, "Cheap Post Plus", "5.99")],
        "United Kingdom",
        False,
    )
    assert read_choice("cheap post plus", provider_choices(priced)) == 2
    assert read_choice("the cheapest", provider_choices(priced)) == 1


@pytest.mark.parametrize(
    ("said", "chosen"),
    [
        ("standard please", 2),
        ("Speedy", 3),
        ("post", 2),
        ("the cheapest", 1),  # the one that costs least (the engine's `cheapest`)
        ("cheapest one please", 1),
        ("pickup", 1),
        ("I'll pick it up", 1),
        ("the second one", 2),
        ("3", 3),
        ("fast", None),  # all three take 3 days
        ("hello?", None),
        ("not the cheapest", None),
        ("standard or speedy", None),
        ("which one is cheaper?", None),
    ],
)
def test_a_shipping_option_is_named_by_its_name_place_pickup_or_price(
    said: str, chosen: int | None
) -> None:
    assert read_choice(said, provider_choices(UK)) == chosen


def test_the_cheapest_and_the_fastest_are_the_engines_and_a_tie_names_none() -> None:
    timed = DeliveryChoice(
        [
            _option(1, "Standard Post", "4.99", days=5),
            _option(2, "Parcel Line", "4.99", days=None),
            _option(3, "Speedy Couriers", "9.99", days=1),
        ],
        "United Kingdom",
        False,
    )
    assert (timed.cheapest, timed.fastest) == (None, 3)  # two cost 4.99; one says no days
    assert read_choice("the fastest please", provider_choices(timed)) == 3
    assert read_choice("whichever is quickest", provider_choices(timed)) == 3
    assert read_choice("the cheapest", provider_choices(timed)) is None  # which of the two?
    assert read_choice("not the fastest", provider_choices(timed)) is None
    assert UK.fastest is None  # all take 3 days
    assert UK.cheapest == 1


def test_pickup_names_nothing_where_no_pickup_point_serves_the_address() -> None:
    assert read_choice("pickup", provider_choices(ITALY)) is None
    assert read_choice("the cheapest", provider_choices(ITALY)) == 2


@pytest.mark.parametrize(
    ("said", "chosen"),
    [
        ("cash please", PaymentMethod.cod),
        ("by card", PaymentMethod.card),
        ("bank transfer", PaymentMethod.bank_transfer),
        ("the first one", PaymentMethod.card),
        ("paypal", None),  # not offered
        ("card or paypal", None),
        ("card or cash?", None),
        ("not by card", None),
        ("hmm, let me see", None),
    ],
)
def test_a_way_to_pay_is_read_by_the_same_reader(said: str, chosen: PaymentMethod | None) -> None:
    offered = (PaymentMethod.card, PaymentMethod.cod, PaymentMethod.bank_transfer)
    assert read_payment_method(said, offered) == chosen


@pytest.mark.parametrize(
    ("said", "none"),
    [
        ("none", True),
        ("no", True),
        ("there isn't one", True),
        ("no postcode", True),
        ("NW1 6XE", False),
        ("not a postcode!", False),
    ],
)
def test_none_to_the_postal_code_is_no_postal_code(said: str, none: bool) -> None:
    assert says_no_postal_code(said) is none
