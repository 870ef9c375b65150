"""The embedded backend end to end: accuracy on held-out phrases, entities, context."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from nlu.backends import EmbeddedBackend, FallbackBackend, RasaBackend, prepare
from nlu.catalog import CatalogIndex
from nlu.classifier import data_key, load_or_train
from nlu.evaluate import evaluate
from nlu.postprocess import EntityBuilder, EntitySpan
from nlu.types import Context, Intent


async def test_held_out_accuracy(embedded: EmbeddedBackend, catalog: CatalogIndex) -> None:
    report = await evaluate(embedded, catalog)
    assert report.total >= 140
    assert report.intent_accuracy >= 0.95, report.mistakes
    assert report.entity_accuracy >= 0.90, report.mistakes
    assert all(score.f1 >= 0.8 for score in report.per_intent), report.per_intent


async def parse(backend: EmbeddedBackend, text: str, context: Context | None = None) -> Intent:
    return await backend.parse(text, context or Context())


async def test_full_cart_phrase(embedded: EmbeddedBackend, catalog: CatalogIndex) -> None:
    intent = await parse(embedded, "pls add two red zip hoodies in XL to my cart")
    assert intent.name == "add_to_cart"
    assert intent.is_confident()
    entities = intent.entities
    assert entities.quantity == 2
    assert entities.colour == "red"
    assert entities.size == "XL"
    best = next(i for i in catalog.items if i.product_id == entities.product_ids[0])
    assert "Zip Hoodie" in best.name


async def test_search_with_price_bounds(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "show me sneakers between 20 and 50 dollars")
    assert intent.name == "search"
    assert intent.entities.category == "Sneakers"
    assert (intent.entities.price_min, intent.entities.price_max) == (Decimal(20), Decimal(50))


async def test_order_id_spoken(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "where is order one zero four two")
    assert intent.name == "track_order"
    assert intent.entities.order_id == 1042
    assert intent.entities.from_context == frozenset()


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("add -5 pour-over kettles", -5),
        ("add minus three pour-over kettles", -3),
        ("add 1000000 pour-over kettles", 1_000_000),
        ("add 1e9 pour-over kettles", 1_000_000_000),
        ("add 0 pour-over kettles", 0),
        ("add two pour-over kettles", 2),
    ],
)
async def test_quantities_are_read_as_typed(
    embedded: EmbeddedBackend, text: str, quantity: int
) -> None:
    """Out of range or not, the count is what was typed: the shop answers what it accepts."""
    intent = await parse(embedded, text)
    assert intent.name == "add_to_cart"
    assert intent.entities.quantity == quantity


@pytest.mark.parametrize(
    ("text", "span", "quantity"),
    [("add -5 pour-over kettles", "5", -5), ("add minus two kettles", "two", -2)],
)
def test_a_quantity_a_model_reported_keeps_its_sign(
    catalog: CatalogIndex, text: str, span: str, quantity: int
) -> None:
    """Rasa's spans go through the same reading: the sign next to the span counts."""
    start = text.index(span)
    reported = [EntitySpan("quantity", span, start, start + len(span))]
    entities = EntityBuilder(catalog).build(text, "add_to_cart", Context(), reported)
    assert entities.quantity == quantity


async def test_add_it_uses_the_last_shown_product(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "add it", Context(last_product_id=109))
    assert intent.name == "add_to_cart"
    assert intent.entities.product_ids == (109,)
    assert intent.entities.from_context == frozenset({"product"})


async def test_cancel_that_one_uses_the_last_shown_order(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "cancel that one", Context(last_order_id=1042))
    assert intent.name == "cancel_order"
    assert intent.entities.order_id == 1042
    assert "order_id" in intent.entities.from_context


async def test_text_beats_context(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "cancel order #77", Context(last_order_id=1042))
    assert intent.entities.order_id == 77
    assert intent.entities.from_context == frozenset()


async def test_context_is_not_used_by_unrelated_intents(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "show my cart", Context(last_product_id=109, last_order_id=5))
    assert intent.name == "view_cart"
    assert intent.entities.product_ids == ()
    assert intent.entities.order_id is None


@pytest.mark.parametrize("text", ["what's the weather in paris", "", "   ", "🙂"])
async def test_out_of_scope_is_not_confident(embedded: EmbeddedBackend, text: str) -> None:
    intent = await parse(embedded, text)
    assert not intent.is_confident()


async def test_gibberish_has_low_confidence(embedded: EmbeddedBackend) -> None:
    intent = await parse(embedded, "xqzv plmk")
    assert intent.out_of_scope or intent.confidence < 0.5
    assert not intent.is_confident(0.6)


def test_is_confident_threshold() -> None:
    assert Intent("checkout", 0.7).is_confident(0.6)
    assert not Intent("checkout", 0.5).is_confident(0.6)
    assert not Intent("out_of_scope", 0.99).is_confident(0.1)


def test_model_is_cached_by_data_hash(tmp_path: Path) -> None:
    pairs = [("hi", "greet"), ("hello", "greet"), ("checkout", "checkout"), ("pay", "checkout")]
    first = load_or_train(pairs, tmp_path)
    files = list(tmp_path.glob("intent-model-*.json"))
    assert [f.name for f in files] == [f"intent-model-{data_key(pairs)}.json"]
    assert json.loads(files[0].read_text())["classes"] == ["checkout", "greet"]
    again = load_or_train(pairs, tmp_path)
    assert again.predict("hello")[0][0] == first.predict("hello")[0][0] == "greet"
    changed = [*pairs, ("yo", "greet")]
    load_or_train(changed, tmp_path)
    assert len(list(tmp_path.glob("intent-model-*.json"))) == 2


def test_a_corrupt_cache_file_is_retrained(tmp_path: Path) -> None:
    pairs = [("hi", "greet"), ("checkout", "checkout")]
    (tmp_path / f"intent-model-{data_key(pairs)}.json").write_text("{not json")
    assert load_or_train(pairs, tmp_path).predict("hi")[0][0] == "greet"


def test_intent_json_shape(embedded: EmbeddedBackend) -> None:
    text = "show me yoga mats under $30"
    data = embedded.parse_sync(text, Context()).to_json(text)
    assert set(data) == {"text", "intent", "confidence", "entities"}
    assert data["intent"] == "search"
    assert data["entities"]["price_max"] == "30"
    assert data["entities"]["product_ids"]
    json.dumps(data)


@pytest.mark.parametrize("text", ["book a hotel in rome", "what's 5 times 7"])
async def test_slots_outside_the_intent_are_dropped(embedded: EmbeddedBackend, text: str) -> None:
    intent = await parse(embedded, text)
    assert intent.out_of_scope
    assert intent.entities.normalized() == {}


def test_prepare_trains_the_embedded_model_behind_any_backend(tmp_path: Path) -> None:
    """The bot trains the text model while it starts (`Language.start`), in a thread: with
    Rasa in front, the embedded model is still what its second opinion and its fallback read
    with, so that one is prepared too."""
    phrases = tmp_path / "tiny.yml"
    phrases.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n'
        "- intent: view_cart\n  examples: |\n    - show my cart\n    - my basket\n",
        encoding="utf-8",
    )
    embedded = EmbeddedBackend(training_files=(phrases,), cache_dir=tmp_path / "cache")
    rasa = RasaBackend("http://127.0.0.1:9", embedded.catalog, second_opinion=embedded.predict)
    assert embedded._model is None
    prepare(FallbackBackend(rasa, embedded))
    assert embedded._model is not None
    assert list((tmp_path / "cache").glob("intent-model-*.json"))  # kept for the next start
