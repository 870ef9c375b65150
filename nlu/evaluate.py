"""Scoring a backend on the held-out phrases: per-intent precision/recall/F1 and entity
exact match (every slot of a phrase right, after normalisation, or the phrase counts wrong)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nlu.backends import Backend
from nlu.catalog import CatalogIndex
from nlu.dataset import TEST_FILE, Example, load
from nlu.postprocess import expected_entities
from nlu.types import Context, Intent


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """What `python -m nlu evaluate` prints and the tests assert on."""

    total: int = 0
    intent_correct: int = 0
    entity_correct: int = 0
    per_intent: list[IntentScore] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    predictions: list[Intent] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def entity_accuracy(self) -> float:
        return self.entity_correct / self.total if self.total else 0.0

    def lines(self) -> list[str]:
        out = [f"{'intent':<18} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"]
        for s in self.per_intent:
            out.append(
                f"{s.intent:<18} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:4d}"
            )
        n = self.total
        out.append(f"intent accuracy     {self.intent_accuracy:.3f} ({self.intent_correct}/{n})")
        out.append(f"entity exact match  {self.entity_accuracy:.3f} ({self.entity_correct}/{n})")
        return out


async def evaluate(
    backend: Backend, catalog: CatalogIndex, examples: Sequence[Example] | None = None
) -> Report:
    cases = list(examples if examples is not None else load(TEST_FILE).examples)
    report = Report()
    pairs: list[tuple[str, str]] = []
    for example in cases:
        predicted = await backend.parse(example.text, Context())
        report.predictions.append(predicted)
        expected = expected_entities(catalog, [(s.entity, s.value) for s in example.spans])
        got = predicted.entities.normalized()
        report.total += 1
        pairs.append((example.intent, predicted.name))
        if predicted.name == example.intent:
            report.intent_correct += 1
        else:
            report.mistakes.append(f"intent {example.text!r}: {predicted.name} != {example.intent}")
        if got == expected:
            report.entity_correct += 1
        else:
            report.mistakes.append(f"entities {example.text!r}: {got} != {expected}")
    for intent in sorted({gold for gold, _ in pairs}):
        tp = sum(1 for g, p in pairs if g == intent and p == intent)
        fp = sum(1 for g, p in pairs if g != intent and p == intent)
        fn = sum(1 for g, p in pairs if g == intent and p != intent)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report.per_intent.append(IntentScore(intent, precision, recall, f1, tp + fn))
    return report
