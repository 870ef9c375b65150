"""The command line: parse stdin line by line to JSON, or evaluate on the held-out phrases.

Uses the sample catalog in nlu/data/catalog.json unless --catalog names another JSON file of
the same shape ({"categories": [...], "products": [[id, name, category], ...]})."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nlu.backends import load_catalog, make_backend
from nlu.dataset import CATALOG_FILE
from nlu.evaluate import evaluate
from nlu.types import Context


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlu", description=__doc__)
    parser.add_argument("command", choices=["parse", "evaluate"])
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
    return parser


async def _run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
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
        report = await evaluate(backend, catalog)
        print("\n".join(report.lines()))
        if args.verbose:
            print("\n".join(report.mistakes))
        return 0
    finally:
        await backend.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(_run(_parser().parse_args(argv)))
