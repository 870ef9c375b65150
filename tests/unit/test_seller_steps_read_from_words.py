"""How a seller's words, typed or heard, are read as a step on a parcel (nlu/order_steps.py):
"confirm it", "ship order 15", the delivery steps the card offers ("out for delivery",
"mark it delivered", a pickup point's "ready for collection" and "it was collected"), and
what is left to the customer's reading ("checkout", "confirm my order", "was it delivered")."""

from __future__ import annotations

import pytest

from engine.fulfilment import Step
from nlu.order_steps import OrderStep, StepSaid, read_order_step

S = OrderStep


@pytest.mark.parametrize(
    ("words", "read"),
    [
        ("confirm it", StepSaid(S.confirm)),
        ("Confirm order 15", StepSaid(S.confirm, 15)),
        ("confirm this one", StepSaid(S.confirm)),
        ("please confirm #15.", StepSaid(S.confirm, 15)),
        ("ok, confirm order no. 15", StepSaid(S.confirm, 15)),
        ("packed", StepSaid(S.pack)),
        ("mark order 15 as packed", StepSaid(S.pack, 15)),
        ("order 15 is shipped", StepSaid(S.ship, 15)),
        ("ship it", StepSaid(S.ship)),
        ("ship order 37", StepSaid(S.ship, 37)),  # as the bot's whisper hears it
        ("Confirm order seventeen.", StepSaid(S.confirm, 17)),  # and a number below twenty
        ("order twenty five is packed", StepSaid(S.pack, 25)),
        ("reject this one", StepSaid(S.reject)),
        ("reject order 15 because out of stock", StepSaid(S.reject, 15, "out of stock")),
        ("confirmar pedido 15", StepSaid(S.confirm, 15)),
        ("envíalo", StepSaid(S.ship)),
        # the delivery steps the card offers, in its words
        ("in transit", StepSaid(S.in_transit)),
        ("Intransit.", StepSaid(S.in_transit)),  # as whisper hears "in transit"
        ("order 15 is in transit", StepSaid(S.in_transit, 15)),
        ("out for delivery", StepSaid(S.out_for_delivery)),
        ("Out for delivery.", StepSaid(S.out_for_delivery)),
        ("mark order 15 as out for delivery", StepSaid(S.out_for_delivery, 15)),
        ("it's out for delivery", StepSaid(S.out_for_delivery)),
        ("delivered", StepSaid(S.delivered)),
        ("mark it delivered", StepSaid(S.delivered)),
        ("Mark order 58 delivered", StepSaid(S.delivered, 58)),
        ("order 15 has been delivered", StepSaid(S.delivered, 15)),
        # a pickup point's parcel: ready for collection there, then collected
        ("ready for collection", StepSaid(S.out_for_delivery)),
        ("order 15 is ready for pickup", StepSaid(S.out_for_delivery, 15)),
        ("it was collected", StepSaid(S.delivered)),
        ("It was collected.", StepSaid(S.delivered)),
        ("mark order 15 collected", StepSaid(S.delivered, 15)),
        # Spanish, as the card's buttons say it
        ("en reparto", StepSaid(S.out_for_delivery)),
        ("pedido 15 entregado", StepSaid(S.delivered, 15)),
        ("marcar como entregado", StepSaid(S.delivered)),
        ("listo para recoger", StepSaid(S.out_for_delivery)),
        ("pedido 15 recogido", StepSaid(S.delivered, 15)),
        ("en tránsito", StepSaid(S.in_transit)),
    ],
)
def test_a_sellers_command_names_its_step_and_order(words: str, read: StepSaid) -> None:
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
        # the customer asking, not the seller telling
        "was it delivered",
        "is it shipped",
        "has order 15 been delivered",
        "was my order delivered",
        "my order was delivered",
        "not delivered",
        "it was not collected",
        "deliver to my address",
        "out for delivery and delivered",
        "ready",
        "collection",
        "¿ya está entregado?",
    ],
)
def test_other_words_are_not_a_step(words: str) -> None:
    assert read_order_step(words) is None


def test_every_step_read_is_one_the_engine_takes_and_the_card_offers() -> None:
    """The reading names its steps without the engine (nlu never imports it): the same
    names, every one of the card's steps readable."""
    assert {s.value for s in OrderStep} == {s.value for s in Step}
