"""Requests the ninth walk's tester typed that were read wrong: several products in one
request, a "one" that names a thing and not a count, "ditch it", "don't touch X", fewer
wanted ("one black tee is enough"), an answer to "Which one?" told from a new request, stars
typed alone. On the embedded backend and, for the list of things, the real Rasa server."""

from __future__ import annotations

import pytest

from nlu.answers import only_picks, stars_answer
from nlu.backends import EmbeddedBackend, RasaBackend
from nlu.catalog import CatalogIndex
from nlu.extract import extract_wanted_count
from nlu.things import listed
from nlu.topics import help_topics
from nlu.types import Context, Intent

SHOWN = Context(last_product_id=101)


def _steps(intent: Intent) -> list[tuple[str, str | None, int | None]]:
    return [
        (step.name, step.entities.product, step.entities.quantity)
        for step in (intent, *intent.then)
    ]


@pytest.mark.parametrize(
    ("text", "things"),
    [
        (
            "put the navy cotton tee and the grey desk lamp in my cart",
            ["put the navy cotton tee in my cart", "put the grey desk lamp in my cart"],
        ),
        ("remove the kettle and the yoga mat", ["remove the kettle", "remove the yoga mat"]),
        ("add 2 red t-shirts and 1 kettle", ["add 2 red t-shirts", "add 1 kettle"]),
        (
            "remove the desk lamp and the usb-c charger",
            ["remove the desk lamp", "remove the usb-c charger"],
        ),
        (
            "save the lamp, the kettle and the yoga mat for later",
            [
                "save the lamp for later",
                "save the kettle for later",
                "save the yoga mat for later",
            ],
        ),
        ("add the black and white hoodie", []),  # one thing, in two colours
        ("add a hoodie", []),
        ("add 2 red hoodies, a yoga mat and 3 unicorns", []),  # one the shop has not
        ("add unicorns, the lamp and the kettle", []),
    ],
)
def test_a_list_of_things_is_worded_once_for_each(
    catalog: CatalogIndex, text: str, things: list[str]
) -> None:
    assert listed(text, catalog) == things


async def test_each_thing_listed_is_a_request_of_its_own(embedded: EmbeddedBackend) -> None:
    said = await embedded.parse("put the navy cotton tee and the grey desk lamp in my cart", SHOWN)
    assert _steps(said) == [
        ("add_to_cart", "cotton tee", None),
        ("add_to_cart", "desk lamp", None),
    ]
    assert [step.entities.colour for step in (said, *said.then)] == ["navy", "grey"]
    said = await embedded.parse("add 2 red hoodies and a yoga mat, then check out", SHOWN)
    assert [(name, q) for name, _, q in _steps(said)] == [
        ("add_to_cart", 2),
        ("add_to_cart", 1),
        ("checkout", None),
    ]
    said = await embedded.parse("remove the kettle and the yoga mat", SHOWN)
    assert _steps(said) == [
        ("remove_from_cart", "kettle", None),
        ("remove_from_cart", "yoga mat", None),
    ]
    said = await embedded.parse("don't add the kettle and the yoga mat", SHOWN)
    assert said.negated is not None  # nothing is added
    assert said.name == "out_of_scope"
    assert said.then == ()


@pytest.mark.rasa
async def test_rasa_reads_each_thing_listed(rasa_url: str, catalog: CatalogIndex) -> None:
    backend = RasaBackend(rasa_url, catalog)
    try:
        said = await backend.parse("remove the kettle and the yoga mat", SHOWN)
    finally:
        await backend.aclose()
    assert _steps(said) == [
        ("remove_from_cart", "kettle", None),
        ("remove_from_cart", "yoga mat", None),
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("gimme 3 of the cheapest usb-c one", 3),
        ("add 2 of the red ones", 2),
        ("i'll take one", 1),
        ("add one hoodie", 1),
        ("add the red one", None),
        ("add the cheapest one", None),
    ],
)
async def test_one_that_names_a_thing_is_no_count(
    embedded: EmbeddedBackend, text: str, count: int | None
) -> None:
    said = await embedded.parse(text, SHOWN)
    assert said.name == "add_to_cart"
    assert said.entities.quantity == count


async def test_ditch_it_and_dont_touch_it(embedded: EmbeddedBackend) -> None:
    for text in ("ditch it", "get rid of them", "drop it please"):
        said = await embedded.parse(text, SHOWN)
        assert said.name == "remove_from_cart", text
        assert [m.product_id for m in said.entities.products] == [101], text
    said = await embedded.parse("toss it in", SHOWN)
    assert said.name == "add_to_cart"
    for text in (
        "dont touch the denim jacket",
        "leave the lamp alone",
        "please don't mess with it",
    ):
        said = await embedded.parse(text, SHOWN)
        assert said.negated == "remove_from_cart", text
        assert not said.is_confident() or said.name == "out_of_scope", text
    said = await embedded.parse("don't change my address", SHOWN)
    assert said.negated != "remove_from_cart"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("one black tee is enough", 1),
        ("2 will do", 2),
        ("just one of them is fine", 1),
        ("that's too many, just one", 1),
        ("too many hoodies, only 2 please", 2),
        ("one more would be nice", None),
        ("ten hoodies is too many", None),
    ],
)
def test_fewer_wanted_is_the_count_to_end_with(text: str, count: int | None) -> None:
    found = extract_wanted_count(text)
    assert (found.value if found else None) == count


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("the sand one", True),
        ("2", True),
        ("sand denim jacket please", True),
        ("I mean the rain jacket", True),
        ("remove the sand rain jacket from my cart", False),
        ("reduce the black graphic tees to just 1", False),
        ("add the sand one", False),
    ],
)
def test_an_answer_to_which_one_says_only_which(text: str, answers: bool) -> None:
    assert only_picks(text, ["Sand Denim Jacket", "Sand Rain Jacket"]) is answers


@pytest.mark.parametrize(
    ("text", "stars"),
    [
        ("3", 3),
        ("four", 4),
        ("4 stars", 4),
        ("★★★★", 4),
        ("⭐⭐⭐⭐⭐", 5),
        ("4/5", 4),
        ("I'd give it 4", 4),
        ("hmm, 4 please", 4),
        ("6", None),
        ("add 3", None),
        ("3 hoodies", None),
    ],
)
def test_stars_typed_alone(text: str, stars: int | None) -> None:
    assert stars_answer(text) == stars


async def test_a_refusal_then_what_is_wanted_instead(embedded: EmbeddedBackend) -> None:
    said = await embedded.parse(
        "don't cancel anything, just tell me the status of order 8", Context(last_order_id=15)
    )
    assert said.name == "track_order"
    assert said.entities.order_id == 8
    said = await embedded.parse("don't cancel it, it's fine", Context(last_order_id=15))
    assert said.negated == "cancel_order"


def test_two_questions_about_the_shop_are_both_answered() -> None:
    asked = help_topics("what payment methods do you take and how long is delivery")
    assert sorted(asked) == ["payment", "shipping"]
    assert help_topics("do you take paypal") == ["payment"]
    assert help_topics("hello there") == []
