"""`python -m nlu` as a user runs it: a real subprocess, stdin in, JSON lines out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NLU_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "nlu", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_parse_prints_one_json_object_per_line(nlu_cache: Path) -> None:
    lines = "add two red hoodys to my cart\n\nwhere is order #1042\nhello\n"
    result = run(["parse", "--backend", "embedded"], lines, nlu_cache)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == [
        "add two red hoodys to my cart",
        "where is order #1042",
        "hello",
    ]
    assert [r["intent"] for r in rows] == ["add_to_cart", "track_order", "greet"]
    assert rows[0]["entities"]["quantity"] == 2
    assert rows[0]["entities"]["product_ids"]
    assert rows[1]["entities"] == {"order_id": 1042}
    assert all(set(r) == {"text", "intent", "confidence", "entities"} for r in rows)


def test_parse_with_context(nlu_cache: Path) -> None:
    result = run(["parse", "--last-product", "109"], "add it\n", nlu_cache)
    row = json.loads(result.stdout)
    assert row["entities"]["product_ids"] == [109]
    assert row["entities"]["from_context"] == ["product"]


def test_evaluate_prints_per_intent_scores(nlu_cache: Path) -> None:
    result = run(["evaluate"], "", nlu_cache)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "prec" in out
    assert "recall" in out
    assert "f1" in out
    assert "add_to_cart" in out
    assert "out_of_scope" in out
    assert "intent accuracy" in out
    assert "entity exact match" in out


def test_unknown_backend_is_a_usage_error(nlu_cache: Path) -> None:
    result = run(["parse", "--backend", "gpt"], "", nlu_cache)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
