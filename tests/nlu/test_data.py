"""The training and test files: enough variety per intent, well-formed, and kept apart."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from nlu.dataset import TEST_FILE, TRAINING_FILE, DataError, load, loads, parse_annotated
from nlu.types import INTENTS

ENTITY_TYPES = {
    "product",
    "category",
    "quantity",
    "colour",
    "size",
    "price_min",
    "price_max",
    "coupon_code",
    "order_id",
    "rating",
}


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9#$/]+", text.lower()))


def test_every_intent_has_at_least_25_distinct_training_examples() -> None:
    data = load(TRAINING_FILE)
    counts = Counter(e.intent for e in data.examples)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 25, counts
    texts = [_key(e.text) for e in data.examples]
    assert len(texts) == len(set(texts)), "duplicate training phrases"


def test_every_intent_is_in_the_held_out_set() -> None:
    counts = Counter(e.intent for e in load(TEST_FILE).examples)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 8


def test_no_test_phrase_appears_in_training() -> None:
    training = {_key(e.text) for e in load(TRAINING_FILE).examples}
    leaked = [e.text for e in load(TEST_FILE).examples if _key(e.text) in training]
    assert leaked == []


def test_annotations_use_known_entity_types_and_line_up() -> None:
    for path in (TRAINING_FILE, TEST_FILE):
        for example in load(path).examples:
            for span in example.spans:
                assert span.entity in ENTITY_TYPES, (path.name, example.text)
                assert example.text[span.start : span.end] == span.value


def test_parse_annotated_strips_markup_and_keeps_offsets() -> None:
    text, spans = parse_annotated("add [two](quantity) [red](colour) [hoodies](product)")
    assert text == "add two red hoodies"
    assert [(s.entity, s.value, s.start, s.end) for s in spans] == [
        ("quantity", "two", 4, 7),
        ("colour", "red", 8, 11),
        ("product", "hoodies", 12, 19),
    ]


def test_reader_refuses_yaml_it_does_not_understand() -> None:
    with pytest.raises(DataError, match=":3: unexpected line"):
        loads('version: "3.1"\nnlu:\nrules:\n')
    with pytest.raises(DataError, match="must start with '- '"):
        loads("nlu:\n- intent: greet\n  examples: |\n    hi\n")


def test_reader_reads_lookups_and_synonyms() -> None:
    data = loads(
        "nlu:\n- lookup: colour\n  examples: |\n    - red\n    - blue\n"
        "- intent: greet\n  examples: |\n    - hi\n"
    )
    assert data.lookups == {"colour": ("red", "blue")}
    assert data.intents == ("greet",)
