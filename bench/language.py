"""Understanding typed text: the embedded classifier's parse p95 and accuracy, against the
Rasa server when RASA_URL answers (scripts/rasa/up.sh starts one; skipped with a note if not).

The phrases are the held-out splits of nlu/data (what `python -m nlu evaluate` scores): the
independent one of issue 16 (heldout*.yml) and the older test_phrases.yml.
bench/voice.py, when present, adds the voice rows (its `rows()` coroutine).

Run alone: python -m bench.language
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import time

import aiohttp

from bench.common import Row, info, percentile, skipped, table
from nlu.backends import Backend, load_catalog, make_backend
from nlu.dataset import CATALOG_FILE, HELDOUT_FILE, NEGATED_FILE, TEST_FILE, load
from nlu.evaluate import evaluate_heldout
from nlu.types import Context

RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005")


async def _parse_p95(backend: Backend) -> float:
    phrases = [e.text for f in (HELDOUT_FILE, NEGATED_FILE, TEST_FILE) for e in load(f).examples]
    await backend.parse(phrases[0], Context())  # warm: model load, caches
    times = []
    for phrase in phrases:
        started = time.perf_counter()
        await backend.parse(phrase, Context())
        times.append(time.perf_counter() - started)
    return percentile(times, 95) * 1000


async def _rasa_answers() -> bool:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http,
            http.get(f"{RASA_URL.rstrip('/')}/status") as response,
        ):
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def rows() -> list[Row]:
    catalog = load_catalog(CATALOG_FILE)
    embedded = make_backend("embedded", None, catalog)
    try:
        p95 = await _parse_p95(embedded)
        report = await evaluate_heldout(embedded, catalog)
    finally:
        await embedded.aclose()
    rasa_p95 = rasa_accuracy = rasa_actions = None
    if await _rasa_answers():
        rasa = make_backend("rasa-only", RASA_URL, catalog)
        try:
            rasa_p95 = await _parse_p95(rasa)
            rasa_report = await evaluate_heldout(rasa, catalog)
            rasa_accuracy = rasa_report.balanced_accuracy * 100
            rasa_actions = rasa_report.off_topic_action_rate * 100
        finally:
            await rasa.aclose()
    out = [
        info("language: embedded parse p95", p95, "ms", rasa_p95, "Rasa"),
        info(
            "language: embedded balanced accuracy (held-out)",
            report.balanced_accuracy * 100,
            "%",
            rasa_accuracy,
            "Rasa",
        ),
        info(
            "language: off-topic confident actions",
            report.off_topic_action_rate * 100,
            "%",
            rasa_actions,
            "Rasa",
        ),
        info("language: negation respected", report.negation_accuracy * 100, "%"),
        info(
            "language: embedded entity exact match (annotated)",
            report.annotated_entity_accuracy * 100,
            "%",
        ),
    ]
    if rasa_p95 is None:
        out.append(skipped("language: Rasa", f"skipped: no Rasa at {RASA_URL} (make rasa)"))
    return [*out, *await voice_rows()]


async def voice_rows() -> list[Row]:
    """bench/voice.py's rows when that module exists (the voice issue writes it)."""
    try:
        voice = importlib.import_module("bench.voice")
    except ModuleNotFoundError as exc:
        if exc.name != "bench.voice":
            raise
        return [skipped("voice", "skipped: bench/voice.py is not there yet")]
    produce = getattr(voice, "rows", None)
    if produce is None:
        return [skipped("voice", "skipped: bench/voice.py has no rows()")]
    result = produce()
    if inspect.isawaitable(result):
        result = await result
    return [_as_row(r) for r in result]


def _as_row(row: object) -> Row:
    if isinstance(row, Row):
        return row
    return skipped(str(row), "")


def main() -> None:
    print(table(asyncio.run(rows())))


if __name__ == "__main__":
    main()
