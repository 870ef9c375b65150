"""Typed answers to the chat's questions: a bare yes or no, and "Which one?" answered by place
or by the words only one option has (nlu.answers)."""

from __future__ import annotations

import pytest

from nlu.answers import pick, yes_or_no

HOODIES = ["Red Zip Hoodie", "Black Zip Hoodie", "Olive Zip Hoodie"]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True), ("Yes please!", True), ("yep", True), ("go ahead", True), ("ok", True),
        ("no", False), ("nope", False), ("no thanks", False), ("cancel", False),
        ("yes add 2 hoodies", None), ("no, remove the lamp", None), ("hello", None),
    ],
)  # fmt: skip
def test_a_bare_yes_or_no(text: str, answer: bool | None) -> None:
    assert yes_or_no(text) is answer


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the red one", 0), ("black", 1), ("the olive zip hoodie please", 2),  # by its words
        ("2", 1), ("the second", 1), ("the last one", 2), ("first", 0),  # by its place
        ("hoodie", None), ("the zip one", None),  # words every option has
        ("blue", None), ("4", None), ("add 2 hoodies to my cart", None),  # none, or a request
    ],
)  # fmt: skip
def test_which_one_is_answered_by_place_or_by_its_own_words(text: str, index: int | None) -> None:
    assert pick(text, HOODIES) == index
