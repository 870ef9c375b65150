"""Rasa's reading blended with the embedded classifier's (nlu.backends.blend): DIET is
confidently wrong on wording it has never seen, and the two classifiers err on different
messages. The blend is arithmetic on two rankings; Rasa's JSON is the protocol boundary, so
these tests hand RasaBackend.from_response the body a Rasa server sends."""

from __future__ import annotations

from typing import Any

import pytest

from nlu.backends import RasaBackend, blend, make_backend
from nlu.catalog import CatalogIndex
from nlu.types import OUT_OF_SCOPE, Context


def body(*ranking: tuple[str, float]) -> dict[str, Any]:
    name, confidence = ranking[0]
    return {
        "intent": {"name": name, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
    }


def test_equal_shares_average_the_two_rankings() -> None:
    name, confidence, ranked = blend(
        [("remove_from_cart", 0.78), ("add_to_cart", 0.2)],
        [("add_to_cart", 0.9), ("remove_from_cart", 0.1)],
        share=0.5,
    )
    assert (name, round(confidence, 2)) == ("add_to_cart", 0.55)
    assert [n for n, _ in ranked] == ["add_to_cart", "remove_from_cart"]


def test_rasas_fallback_counts_as_out_of_scope_and_unranked_intents_as_nothing() -> None:
    name, confidence, ranked = blend(
        [("nlu_fallback", 0.5), ("checkout", 0.4)],
        [(OUT_OF_SCOPE, 0.7), ("help", 0.3)],
        share=0.5,
    )
    assert (name, round(confidence, 2)) == (OUT_OF_SCOPE, 0.6)
    assert dict(ranked)["help"] == pytest.approx(0.15)  # Rasa did not rank help at all


def test_a_second_opinion_turns_rasas_confident_mistake_around(catalog: CatalogIndex) -> None:
    said = body(("remove_from_cart", 0.78), ("add_to_cart", 0.2), ("view_cart", 0.02))

    def embedded(text: str) -> list[tuple[str, float]]:
        assert text == "okay stick that kettle in the cart too"
        return [("add_to_cart", 0.95), ("remove_from_cart", 0.03), ("view_cart", 0.02)]

    text = "okay stick that kettle in the cart too"
    alone = RasaBackend("http://127.0.0.1:9", catalog).from_response(text, said, Context())
    assert alone.name == "remove_from_cart"
    both = RasaBackend("http://127.0.0.1:9", catalog, second_opinion=embedded)
    intent = both.from_response(text, said, Context())
    assert intent.name == "add_to_cart"
    assert intent.confidence == pytest.approx(0.5 * 0.2 + 0.5 * 0.95)
    assert intent.entities.products  # the kettle, found by the same entity rules


def test_the_rasa_backends_take_the_embedded_classifier_as_second_opinion(
    catalog: CatalogIndex,
) -> None:
    backend = make_backend("rasa-only", "http://127.0.0.1:9", catalog)
    assert isinstance(backend, RasaBackend)
    assert backend.second_opinion is not None
    assert backend.share == 0.5
    alone = make_backend("rasa-only", "http://127.0.0.1:9", catalog, rasa_blend=1.0)
    assert isinstance(alone, RasaBackend)
    assert alone.second_opinion is None
