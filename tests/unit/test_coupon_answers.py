"""How the checkout reads an answer to "Do you have a coupon?": a no skips the step, one of
the shop's codes is read however it is typed or said (the language layer's reading of codes),
a code-shaped word is asked of the engine, and anything else is no code."""

from __future__ import annotations

import pytest

from handlers.customer.checkout import CouponAnswer, read_coupon_answer

CODES = frozenset({"SAVE10", "WELCOME10", "FREESHIP"})


@pytest.mark.parametrize(
    "typed",
    [
        "no thanks",
        "No thanks!",
        "no, thank you",
        "skip",
        "Skip.",
        "none",
        "None",
        "no",
        "nothing",
        "not now",
        "no coupon",
        "I don't have a coupon",
        "I don't have one",
        "don't have any",
        "no gracias",
        "ninguno",
        "no tengo",
    ],
)
def test_a_no_skips_the_coupon(typed: str) -> None:
    assert read_coupon_answer(typed, CODES) == CouponAnswer(skip=True)


@pytest.mark.parametrize(
    "typed",
    ["save 10", "save ten", "Save-10", "SAVE10", "save10", "my code is save ten", "save one zero"],
)
def test_the_shops_code_is_read_however_it_is_written(typed: str) -> None:
    assert read_coupon_answer(typed, CODES) == CouponAnswer(code="SAVE10")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("NOPE", "NOPE"), ("xyz10", "XYZ10"), ("SUMMER20", "SUMMER20"), ("code ABC123", "ABC123")],
)
def test_a_code_shaped_answer_is_asked_of_the_engine(typed: str, code: str) -> None:
    assert read_coupon_answer(typed, CODES) == CouponAnswer(code=code)


@pytest.mark.parametrize(
    "typed",
    [
        "what is a coupon?",
        "hello",
        "I want to pay by card",
        "?",
        "yes",
        "save 10",  # SAVE10 is not one of this shop's codes
        "",
    ],
)
def test_anything_else_is_no_code(typed: str) -> None:
    codes = frozenset({"WELCOME10"})
    assert read_coupon_answer(typed, codes) == CouponAnswer()
