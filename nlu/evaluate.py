"""Scoring a backend on held-out phrases.

`evaluate` scores one list of phrases (by default the legacy split, test_phrases.yml):
per-intent precision/recall/F1 and entity exact match. `evaluate_heldout` scores the
independent split of issue 16 (heldout.yml and heldout_negated.yml), written by hand before
the generated training data and never tuned on, and adds what a shop cares about:

- balanced accuracy: the mean of the per-intent recalls, out_of_scope included;
- the off-topic action rate: out-of-scope phrases answered with a confident state-changing
  action (add, remove, wishlist, coupon, checkout, cancel, return, review);
- off-topic recognised: out-of-scope phrases the bot does not act on as a shop request;
- negation: negated requests ("don't add the hoodie") that lead to no state-changing action;
  and of those that do, how many would be done without asking (`Intent.is_sure`);
- entity exact match on the annotated phrases.

A prediction below the backend's confidence threshold counts as out_of_scope, because that is
what the bot does with it (`Intent.is_confident`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlu.backends import Backend
from nlu.catalog import CatalogIndex
from nlu.dataset import HELDOUT_FILE, NEGATED_FILE, TEST_FILE, Example, load
from nlu.postprocess import expected_entities
from nlu.types import OUT_OF_SCOPE, STATE_CHANGING, Context, Intent


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


def acted_as(intent: Intent) -> str:
    """What the bot does with a parse: its intent when confident, else out_of_scope."""
    return intent.name if intent.is_confident() else OUT_OF_SCOPE


@dataclass
class Report:
    """What `python -m nlu evaluate` prints and the tests assert on."""

    total: int = 0
    intent_correct: int = 0
    entity_correct: int = 0
    per_intent: list[IntentScore] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    predictions: list[Intent] = field(default_factory=list)
    parse_seconds: list[float] = field(default_factory=list)  # wall clock, one per phrase
    # the held-out figures (evaluate_heldout)
    annotated: int = 0
    annotated_correct: int = 0
    off_topic: int = 0
    off_topic_actions: int = 0
    off_topic_recognised: int = 0
    off_topic_unasked: int = 0  # of off_topic_actions, read surely enough to act unasked
    wrong_actions: int = 0  # any phrase read as a state-changing request it is not
    wrong_unasked: int = 0  # of those, read surely enough (Intent.is_sure) to act unasked
    negated: int = 0
    negation_correct: int = 0
    negation_unasked: int = 0  # of the negated requests not respected, read surely (is_sure)
    intents_only: bool = False  # plain-text phrases (the stranger split): no entity figures

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def entity_accuracy(self) -> float:
        return self.entity_correct / self.total if self.total else 0.0

    @property
    def balanced_accuracy(self) -> float:
        scores = [s.recall for s in self.per_intent if s.support]
        return sum(scores) / len(scores) if scores else 0.0

    @property
    def annotated_entity_accuracy(self) -> float:
        return self.annotated_correct / self.annotated if self.annotated else 0.0

    @property
    def off_topic_action_rate(self) -> float:
        return self.off_topic_actions / self.off_topic if self.off_topic else 0.0

    @property
    def off_topic_recognised_rate(self) -> float:
        return self.off_topic_recognised / self.off_topic if self.off_topic else 0.0

    @property
    def negation_accuracy(self) -> float:
        return self.negation_correct / self.negated if self.negated else 0.0

    def lines(self, *, per_intent: bool = True) -> list[str]:
        out = [f"{'intent':<18} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"] if per_intent else []
        for s in self.per_intent if per_intent else ():
            out.append(
                f"{s.intent:<18} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:4d}"
            )
        n = self.total
        out.append(f"intent accuracy     {self.intent_accuracy:.3f} ({self.intent_correct}/{n})")
        out.append(f"balanced accuracy   {self.balanced_accuracy:.3f}")
        if not self.intents_only:
            out.append(
                f"entity exact match  {self.entity_accuracy:.3f} ({self.entity_correct}/{n})"
            )
        if self.annotated:
            out.append(
                f"entities (annotated phrases) {self.annotated_entity_accuracy:.3f}"
                f" ({self.annotated_correct}/{self.annotated})"
            )
        if self.off_topic:
            out.append(
                f"off-topic confident actions  {self.off_topic_action_rate:.3%}"
                f" ({self.off_topic_actions}/{self.off_topic})"
            )
            out.append(
                f"off-topic recognised         {self.off_topic_recognised_rate:.3%}"
                f" ({self.off_topic_recognised}/{self.off_topic})"
            )
        if self.off_topic:
            out.append(
                f"off-topic acted on unasked   {self.off_topic_unasked / self.off_topic:.3%}"
                f" ({self.off_topic_unasked}/{self.off_topic}; read at >= SURE, not confirmed)"
            )
        if self.wrong_actions:
            out.append(
                f"wrong state-changing readings {self.wrong_actions}/{n},"
                f" {self.wrong_unasked} of them at >= SURE (the rest are asked about first)"
            )
        if self.negated:
            out.append(
                f"negation respected           {self.negation_accuracy:.3%}"
                f" ({self.negation_correct}/{self.negated})"
            )
            out.append(
                f"negated requests done unasked {self.negation_unasked}/{self.negated}"
                " (the rest of those not respected are asked about first: low confidence,"
                " or hedged)"
            )
        if self.parse_seconds:
            ordered = sorted(self.parse_seconds)
            p50, p95 = (ordered[round(q * (len(ordered) - 1))] * 1000 for q in (0.5, 0.95))
            out.append(f"parse time (wall clock)      p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        return out


async def evaluate(
    backend: Backend, catalog: CatalogIndex, examples: Sequence[Example] | None = None
) -> Report:
    """Scores `examples` (default: the legacy split) by the raw intent names."""
    cases = list(examples if examples is not None else load(TEST_FILE).examples)
    report = Report()
    await _score(backend, catalog, cases, report, effective=False)
    return report


async def evaluate_heldout(
    backend: Backend,
    catalog: CatalogIndex,
    examples: Sequence[Example] | None = None,
    negated: Sequence[Example] | None = None,
    *,
    intents_only: bool = False,
) -> Report:
    """Scores the independent held-out split by what the bot would do (see module doc);
    `intents_only` for phrases without entity annotations (the stranger split)."""
    cases = list(examples if examples is not None else load(HELDOUT_FILE).examples)
    negations = list(negated if negated is not None else load(NEGATED_FILE).examples)
    report = Report(intents_only=intents_only)
    await _score(backend, catalog, cases, report, effective=True)
    for example in negations:
        predicted = await backend.parse(example.text, Context())
        report.negated += 1
        if acted_as(predicted) in STATE_CHANGING:
            report.negation_unasked += predicted.is_sure()
            report.mistakes.append(
                f"negation {example.text!r}: {predicted.name} {predicted.confidence:.2f}"
            )
        else:
            report.negation_correct += 1
    return report


async def evaluate_stranger(
    backend: Backend, catalog: CatalogIndex, files: tuple[Path, Path]
) -> Report:
    """Scores one half of the stranger split (its phrases and its negated requests) on
    intents, off-topic text and negation."""
    phrases, negated = files
    return await evaluate_heldout(
        backend, catalog, load(phrases).examples, load(negated).examples, intents_only=True
    )


async def _score(
    backend: Backend,
    catalog: CatalogIndex,
    cases: Sequence[Example],
    report: Report,
    *,
    effective: bool,
) -> None:
    pairs: list[tuple[str, str]] = []
    for example in cases:
        started = time.perf_counter()
        predicted = await backend.parse(example.text, Context())
        report.parse_seconds.append(time.perf_counter() - started)
        report.predictions.append(predicted)
        name = acted_as(predicted) if effective else predicted.name
        expected = expected_entities(catalog, [(s.entity, s.value) for s in example.spans])
        got = predicted.entities.normalized()
        report.total += 1
        pairs.append((example.intent, name))
        if name == example.intent:
            report.intent_correct += 1
        else:
            report.mistakes.append(
                f"intent {example.text!r}: {name} ({predicted.confidence:.2f}) != {example.intent}"
            )
        if got == expected:
            report.entity_correct += 1
        elif not report.intents_only:
            report.mistakes.append(f"entities {example.text!r}: {got} != {expected}")
        if example.spans:
            report.annotated += 1
            report.annotated_correct += got == expected
        if name in STATE_CHANGING and name != example.intent:
            report.wrong_actions += 1
            report.wrong_unasked += predicted.is_sure()
        if example.intent == OUT_OF_SCOPE:
            report.off_topic += 1
            report.off_topic_actions += name in STATE_CHANGING
            report.off_topic_unasked += name in STATE_CHANGING and predicted.is_sure()
            report.off_topic_recognised += name == OUT_OF_SCOPE
    for intent in sorted({gold for gold, _ in pairs}):
        tp = sum(1 for g, p in pairs if g == intent and p == intent)
        fp = sum(1 for g, p in pairs if g != intent and p == intent)
        fn = sum(1 for g, p in pairs if g == intent and p != intent)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report.per_intent.append(IntentScore(intent, precision, recall, f1, tp + fn))
