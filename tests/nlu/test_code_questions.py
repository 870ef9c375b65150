"""Asking which discount codes there are is a question for help; having a code of one's own
and asking to use it is a coupon request, even without the code's name."""

from __future__ import annotations

import pytest

from nlu.backends import EmbeddedBackend
from nlu.topics import help_topic
from nlu.types import Context


@pytest.mark.parametrize(
    "text", ["do you have any discount codes?", "any promo codes going?", "are there coupons"]
)
async def test_asking_which_codes_there_are_is_help_about_coupons(
    embedded: EmbeddedBackend, text: str
) -> None:
    intent = await embedded.parse(text, Context())
    assert intent.name == "help"
    assert help_topic(text) == "coupons"


@pytest.mark.parametrize(
    "text",
    [
        "i have a discount coupon, apply it please",
        "i've got a promo code, can you use it on my basket",
        "have a voucher here, redeem it for me",
    ],
)
async def test_a_code_of_ones_own_to_use_is_a_coupon_request(
    embedded: EmbeddedBackend, text: str
) -> None:
    intent = await embedded.parse(text, Context())
    assert intent.name == "apply_coupon", intent
