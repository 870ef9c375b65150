"""Asking whether the shop has discount codes ("any promo codes?") is answered: the shop
lists no code (a coupon has no mark saying it may be shown to everyone), so the answer says
how codes reach customers and how to use one, and names none of the shop's codes. Before,
it was asked back "Which coupon code?" or not understood."""

from __future__ import annotations

import re

import pytest

from storage.vocabulary import DiscountType
from tests.integration.test_customer_walk_fixes import chats
from tests.integration.test_handlers_roles import CARL, Chats

__all__ = ["chats"]


@pytest.mark.parametrize(
    "question",
    [
        "do you have any discount codes?",
        "any promo codes?",
        "are there any coupons?",
        "what coupons do you have",
    ],
)
async def test_asking_for_discount_codes_says_how_they_come_and_names_none(
    chats: Chats, question: str
) -> None:
    await chats.world.coupon("STAFFONLY", DiscountType.percentage, "50")
    said = "\n".join(await chats.say(CARL, question))
    assert "Discount codes" in said, said
    assert "announcements" in said
    assert "STAFFONLY" not in said
    assert "Which coupon code?" not in said


async def test_giving_a_code_still_applies_it(chats: Chats) -> None:
    await chats.world.coupon("WELCOME10", DiscountType.percentage, "10")
    said = "\n".join(await chats.say(CARL, "apply WELCOME10"))
    assert "Discount codes" not in said
    assert "WELCOME10" in said


@pytest.mark.parametrize("question", ["any promo codes?", "apply my coupon"])
async def test_the_coupon_answers_name_no_code_as_an_example(chats: Chats, question: str) -> None:
    """The answers once said "for example: apply SAVE10", a code this shop does not have: a
    customer who typed it was told there is no coupon SAVE10."""
    await chats.world.coupon("WELCOME10", DiscountType.percentage, "10")
    said = "\n".join(await chats.say(CARL, question))
    assert re.findall(r"\b[A-Z]{3,}\d+\b", said) == [], said
