"""How a seller's typed words are read as a step on a parcel: "confirm it", "ship order 15",
and what is left to the customer's reading ("checkout", "confirm my order")."""

from __future__ import annotations

import pytest

from engine.fulfilment import Step
from handlers.seller.orders import TypedStep, read_order_step


@pytest.mark.parametrize(
    ("words", "read"),
    [
        ("confirm it", TypedStep(Step.confirm)),
        ("Confirm order 15", TypedStep(Step.confirm, 15)),
        ("confirm this one", TypedStep(Step.confirm)),
        ("please confirm #15.", TypedStep(Step.confirm, 15)),
        ("ok, confirm order no. 15", TypedStep(Step.confirm, 15)),
        ("packed", TypedStep(Step.pack)),
        ("mark order 15 as packed", TypedStep(Step.pack, 15)),
        ("order 15 is shipped", TypedStep(Step.ship, 15)),
        ("ship it", TypedStep(Step.ship)),
        ("reject this one", TypedStep(Step.reject)),
        (
            "reject order 15 because out of stock",
            TypedStep(Step.reject, 15, "out of stock"),
        ),
        ("confirmar pedido 15", TypedStep(Step.confirm, 15)),
        ("envíalo", TypedStep(Step.ship)),
    ],
)
def test_a_sellers_command_names_its_step_and_order(words: str, read: TypedStep) -> None:
    assert read_order_step(words) == read


@pytest.mark.parametrize(
    "words",
    [
        "checkout",
        "confirm",  # a customer's checkout says it too: a step needs "it" or a number
        "confirm my order",
        "did you ship it?",
        "don't ship it",
        "ship to my address",
        "when will you ship order 15",
        "confirm and ship order 15",
        "confirm order 15 and 16",
        "confirm order 15 because I said so",  # only a refusal gives a reason
        "reject it because",
        "ship order 99999999999",
        "add two kettles",
    ],
)
def test_other_words_are_not_a_step(words: str) -> None:
    assert read_order_step(words) is None
