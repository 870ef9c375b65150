"""docs/engine.md is generated from the transition tables and the operation registry."""

from __future__ import annotations

from engine.docs import DOC, render
from engine.transitions import MACHINES


def test_the_engine_doc_is_not_stale() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `python -m engine.docs`"


def test_every_transition_is_drawn() -> None:
    text = render()
    for table in MACHINES.values():
        for (source, event), target in table.items():
            assert f"    {source.value} --> {target.value}: {event.value}" in text


def test_every_operation_says_who_may_call_it() -> None:
    rows = [line for line in render().splitlines() if line.startswith("| `")]
    assert len(rows) > 50
    assert all(line.split("|")[2].strip() for line in rows)
