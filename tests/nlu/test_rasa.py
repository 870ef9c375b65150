"""The Rasa backend: response mapping and fallback against a stand-in server (always run),
and the real Rasa Open Source server (marked `rasa`)."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from nlu.backends import BackendUnavailable, EmbeddedBackend, FallbackBackend, RasaBackend
from nlu.catalog import CatalogIndex
from nlu.dataset import TEST_FILE, load
from nlu.evaluate import evaluate, evaluate_heldout
from nlu.types import Context


def rasa_answer(text: str) -> dict[str, Any]:
    """What Rasa 3.6 returns for "add two red hoodys please" (abridged)."""
    return {
        "text": text,
        "intent": {"name": "add_to_cart", "confidence": 0.93},
        "entities": [
            {"entity": "quantity", "start": 4, "end": 7, "value": "two", "extractor": "DIET"},
            {"entity": "colour", "start": 8, "end": 11, "value": "red", "extractor": "DIET"},
            {"entity": "product", "start": 12, "end": 18, "value": "hoodys", "extractor": "DIET"},
        ],
        "intent_ranking": [
            {"name": "add_to_cart", "confidence": 0.93},
            {"name": "add_to_wishlist", "confidence": 0.04},
        ],
    }


@pytest.fixture
async def stand_in() -> AsyncIterator[str]:
    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        if body["text"] == "boom":
            return web.Response(status=500)
        return web.json_response(rasa_answer(body["text"]))

    app = web.Application()
    app.router.add_post("/model/parse", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_rasa_response_goes_through_the_same_post_processing(
    stand_in: str, catalog: CatalogIndex
) -> None:
    backend = RasaBackend(stand_in, catalog)
    try:
        intent = await backend.parse("add two red hoodys please", Context())
    finally:
        await backend.aclose()
    assert (intent.name, intent.confidence) == ("add_to_cart", 0.93)
    assert intent.entities.quantity == 2
    assert intent.entities.colour == "red"
    assert intent.entities.product == "hoodys"
    best = [i.name for i in catalog.items if i.product_id == intent.entities.product_ids[0]]
    assert best == ["Red Hoodie"]
    assert intent.ranking[1] == ("add_to_wishlist", 0.04)


def test_unknown_rasa_intents_are_out_of_scope(catalog: CatalogIndex) -> None:
    backend = RasaBackend("http://127.0.0.1:9", catalog)
    intent = backend.from_response(
        "hmm", {"intent": {"name": "nlu_fallback", "confidence": 0.7}, "entities": []}, Context()
    )
    assert intent.out_of_scope
    assert not intent.is_confident()


def test_rasa_context_resolution(catalog: CatalogIndex) -> None:
    backend = RasaBackend("http://127.0.0.1:9", catalog)
    body = {"intent": {"name": "cancel_order", "confidence": 0.9}, "entities": []}
    intent = backend.from_response("cancel that one", body, Context(last_order_id=1042))
    assert intent.entities.order_id == 1042
    spoken = backend.from_response(
        "cancel order one zero four two",
        {
            "intent": {"name": "cancel_order", "confidence": 0.9},
            "entities": [{"entity": "order_id", "start": 13, "end": 30}],
        },
        Context(last_order_id=7),
    )
    assert spoken.entities.order_id == 1042
    assert spoken.entities.from_context == frozenset()


async def test_server_errors_are_unavailable(stand_in: str, catalog: CatalogIndex) -> None:
    backend = RasaBackend(stand_in, catalog)
    try:
        with pytest.raises(BackendUnavailable, match="500"):
            await backend.parse("boom", Context())
    finally:
        await backend.aclose()


async def test_fallback_warns_once_and_answers_from_embedded(
    embedded: EmbeddedBackend, catalog: CatalogIndex, caplog: pytest.LogCaptureFixture
) -> None:
    down = RasaBackend(f"http://127.0.0.1:{free_port()}", catalog, timeout=2)
    backend = FallbackBackend(down, embedded, retry_after=0)
    caplog.set_level(logging.WARNING, logger="nlu.backends")
    try:
        first = await backend.parse("track order 1042", Context())
        second = await backend.parse("show my cart", Context())
    finally:
        await down.aclose()
    assert (first.name, first.entities.order_id) == ("track_order", 1042)
    assert second.name == "view_cart"
    assert backend.degraded
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


async def test_fallback_returns_to_the_primary(stand_in: str, embedded: EmbeddedBackend) -> None:
    primary = RasaBackend(stand_in, embedded.catalog)
    backend = FallbackBackend(primary, embedded, retry_after=0)
    backend._down_since = 0.0  # as if an earlier call had failed
    try:
        intent = await backend.parse("add two red hoodys please", Context())
    finally:
        await primary.aclose()
    assert intent.confidence == 0.93
    assert not backend.degraded


# --- the real server ----------------------------------------------------------------------
@pytest.mark.rasa
async def test_real_rasa_parses(rasa_url: str, catalog: CatalogIndex) -> None:
    backend = RasaBackend(rasa_url, catalog)
    try:
        intent = await backend.parse("add two red zip hoodies to my cart", Context())
        review = await backend.parse("give the yoga mat five stars", Context())
    finally:
        await backend.aclose()
    assert intent.name == "add_to_cart"
    assert intent.entities.quantity == 2
    assert intent.entities.colour == "red"
    assert intent.entities.product_ids
    assert review.name == "leave_review"
    assert review.entities.rating == 5


@pytest.mark.rasa
async def test_real_rasa_accuracy_and_agreement_with_embedded(
    rasa_url: str, catalog: CatalogIndex, embedded: EmbeddedBackend
) -> None:
    backend = RasaBackend(rasa_url, catalog)
    try:
        report = await evaluate(backend, catalog)
    finally:
        await backend.aclose()
    assert report.intent_accuracy >= 0.90, report.mistakes
    assert report.entity_accuracy >= 0.85, report.mistakes
    texts = [e.text for e in load(TEST_FILE).examples]
    ours = [embedded.parse_sync(t, Context()).name for t in texts]
    agree = sum(a.name == b for a, b in zip(report.predictions, ours, strict=True)) / len(texts)
    assert agree >= 0.90


@pytest.mark.rasa
async def test_real_rasa_held_out_targets(rasa_url: str, catalog: CatalogIndex) -> None:
    """Issue 16's held-out split through the real server and the shared rules."""
    backend = RasaBackend(rasa_url, catalog)
    try:
        report = await evaluate_heldout(backend, catalog)
    finally:
        await backend.aclose()
    assert report.balanced_accuracy >= 0.95, report.mistakes
    assert report.off_topic_action_rate <= 0.003, report.mistakes
    assert report.off_topic_recognised_rate >= 0.80, report.mistakes
    assert report.negation_accuracy >= 0.95, report.mistakes
