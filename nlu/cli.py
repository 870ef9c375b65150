"""The command line: parse stdin line by line to JSON, evaluate on the held-out phrases, or
transcribe voice notes (OGG/Opus or any audio libsndfile reads), one transcript per file.

Uses the sample catalog in nlu/data/catalog.json unless --catalog names another JSON file of
the same shape ({"categories": [...], "products": [[id, name, category], ...]})."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

from nlu.backends import load_catalog, make_backend
from nlu.catalog import CatalogIndex
from nlu.dataset import CATALOG_FILE, STRANGER_DEV, STRANGER_TEST
from nlu.evaluate import evaluate, evaluate_heldout, evaluate_stranger
from nlu.types import Context


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlu", description=__doc__)
    parser.add_argument("command", choices=["parse", "evaluate", "transcribe"])
    parser.add_argument("files", nargs="*", type=Path, help="transcribe: the audio files")
    parser.add_argument(
        "--backend",
        choices=["embedded", "rasa", "rasa-only"],
        default="embedded",
        help="rasa falls back to embedded when the server is down; rasa-only does not",
    )
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--catalog", type=Path, default=CATALOG_FILE)
    parser.add_argument("--last-product", type=int, default=None)
    parser.add_argument("--last-order", type=int, default=None)
    parser.add_argument("--verbose", action="store_true", help="evaluate: list every mistake")
    parser.add_argument(
        "--voice",
        choices=["whisper", "pocketsphinx"],
        default=os.environ.get("VOICE_BACKEND", "whisper").replace("off", "whisper"),
        help="transcribe: the recogniser (default $VOICE_BACKEND, else whisper)",
    )
    parser.add_argument(
        "--whisper-model",
        default=os.environ.get("WHISPER_MODEL") or None,
        help="transcribe: a CTranslate2 Whisper model directory (default: the bundled tiny.en)",
    )
    parser.add_argument("--max-seconds", type=float, default=None)
    return parser


async def _transcribe(args: argparse.Namespace, catalog: CatalogIndex) -> int:
    """One line per file: the transcript as the nlu layer reads it, or `FILE: error: why`."""
    from nlu.speech import Recipe, SpeechPool, VoiceRefused
    from nlu.speech.vocabulary import build

    if not args.files:
        print("transcribe: name at least one audio file", file=sys.stderr)
        return 2
    vocabulary = build(catalog)
    pool = SpeechPool(
        Recipe(args.voice, args.whisper_model), max_seconds=args.max_seconds, processes=False
    )
    failed = 0
    try:
        for path in args.files:
            try:
                heard = await pool.transcribe(path.read_bytes(), vocabulary)
            except (OSError, VoiceRefused) as exc:
                failed += 1
                print(f"{path}: error: {exc}", file=sys.stderr)
                print("", flush=True)
                continue
            print(heard.text, flush=True)
    finally:
        await pool.aclose()
    return 1 if failed else 0


async def _run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    if args.command == "transcribe":
        return await _transcribe(args, catalog)
    backend = make_backend(args.backend, args.rasa_url, catalog)
    try:
        if args.command == "parse":
            context = Context(args.last_product, args.last_order)
            for line in sys.stdin:
                text = line.rstrip("\n")
                if not text.strip():
                    continue
                intent = await backend.parse(text, context)
                print(json.dumps(intent.to_json(text), ensure_ascii=False), flush=True)
            return 0
        report = await evaluate_heldout(backend, catalog)
        legacy = await evaluate(backend, catalog)
        dev = await evaluate_stranger(backend, catalog, STRANGER_DEV)
        test = await evaluate_stranger(backend, catalog, STRANGER_TEST)
        print(f"backend: {args.backend}; held-out split: nlu/data/heldout*.yml")
        print("\n".join(report.lines()))
        print(
            f"legacy split (test_phrases.yml): intent accuracy {legacy.intent_accuracy:.3f},"
            f" entity exact match {legacy.entity_accuracy:.3f}"
        )
        print("stranger split, dev half (looked at and tuned after: flatters):")
        print("\n".join("  " + line for line in dev.lines(per_intent=False)))
        print("stranger split, test half (only ever scored):")
        print("\n".join("  " + line for line in test.lines()))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"this process's peak RSS: {peak:.0f} MB (backend, catalog and all the splits)")
        if args.verbose:  # never the test half's: nobody reads those phrase by phrase
            print("\n".join(report.mistakes + dev.mistakes))
        return 0
    finally:
        await backend.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(_run(_parser().parse_args(argv)))
