"""What gives up a prompt ("never mind", "actually no, forget it") and what is an answer."""

from __future__ import annotations

import pytest

from handlers.customer.asking import drops, drops_only_the_answer
from handlers.customer.orders import declines


@pytest.mark.parametrize(
    "text",
    ["never mind", "Never mind!", "actually no, forget it", "stop", "cancel", "nvm",
     "no, never mind", "ok forget it thanks", "olvídalo", "no, da igual",
     # heard from a noisy "never mind" (CI), and said by the walk's seller
     "Nevermind me.", "forget it, I'll do it later",
     # the ninth session's walk: filed as a message to the team
     "nvm forget it", "never mind forget about it"],
)  # fmt: skip
def test_a_message_that_only_gives_up_drops_the_prompt(text: str) -> None:
    assert drops(text)
    assert declines(text)  # and at "Why are you returning it?", it is no reason


@pytest.mark.parametrize(
    "text",
    ["no", "no it has not arrived", "never arrived, please check", "forget it arrived broken",
     "it stopped working", "cancel the kettle, keep the mug", "yes", ""],
)  # fmt: skip
def test_a_message_that_says_something_is_not_dropped(text: str) -> None:
    assert not drops(text)


def test_a_reason_that_says_more_than_no_is_a_reason() -> None:
    assert not declines("no sound at all")
    assert not declines("no, the screen is cracked")


@pytest.mark.parametrize(
    ("text", "only_the_answer"),
    [("never mind", True), ("oh, forget it", True), ("nvm thanks", True), ("olvídalo", True),
     ("cancel", False), ("stop", False), ("I changed my mind", False), ("maybe later", False),
     ("never mind, cancel it", False), ("no coupon", False)],
)  # fmt: skip
def test_a_give_up_of_only_the_answer_is_told_from_one_that_ends_the_errand(
    text: str, only_the_answer: bool
) -> None:
    assert drops_only_the_answer(text) is only_the_answer
