"""The embedded intent classifier: TF-IDF features and a softmax (logistic) regression.

Pure Python on purpose: the training set is a few hundred phrases, so sparse dictionaries
train in a second or two and score a phrase in well under a millisecond, and the bot needs no
numerical library. Features are lower-cased words, word pairs and character 3-5-grams inside
words (which is what makes "chekout" and "checkout" look alike). The trained model is a JSON
file in a cache directory, named by a hash of the training data and of this module's
settings, so it is retrained exactly when either changes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlu.text import words

MODEL_VERSION = 3
EPOCHS = 30
LEARNING_RATE = 0.5
L2 = 1e-5
SEED = 7
_DIGITS = re.compile(r"\d")


def features(text: str) -> dict[str, float]:
    """Sparse TF counts for one phrase (before IDF weighting)."""
    tokens = [_DIGITS.sub("0", w) for w in words(text)]
    counts: dict[str, float] = {}

    def add(key: str) -> None:
        counts[key] = counts.get(key, 0.0) + 1.0

    for token in tokens:
        add("w:" + token)
        padded = f"<{token}>"
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                add("c:" + padded[i : i + n])
    for left, right in zip(["<s>", *tokens], [*tokens, "</s>"], strict=True):
        add(f"b:{left} {right}")
    if not tokens:
        add("empty")
    return counts


@dataclass
class Model:
    """Weights per feature (one float per class), IDF per feature, class names and biases."""

    classes: list[str]
    idf: dict[str, float]
    weights: dict[str, list[float]]
    bias: list[float]

    def vector(self, text: str) -> list[tuple[str, float]]:
        raw = features(text)
        known = [(k, (1.0 + math.log(v)) * self.idf[k]) for k, v in raw.items() if k in self.idf]
        norm = math.sqrt(sum(v * v for _, v in known)) or 1.0
        return [(k, v / norm) for k, v in known]

    def scores(self, vector: Iterable[tuple[str, float]]) -> list[float]:
        totals = list(self.bias)
        for key, value in vector:
            row = self.weights.get(key)
            if row is not None:
                totals = [t + value * w for t, w in zip(totals, row, strict=True)]
        return totals

    def predict(self, text: str) -> list[tuple[str, float]]:
        """Every class with its probability, best first."""
        probabilities = softmax(self.scores(self.vector(text)))
        ranked = sorted(zip(self.classes, probabilities, strict=True), key=lambda p: -p[1])
        return ranked

    def to_json(self) -> dict[str, object]:
        return {
            "version": MODEL_VERSION,
            "classes": self.classes,
            "idf": {k: round(v, 5) for k, v in self.idf.items()},
            "weights": {k: [round(w, 5) for w in row] for k, row in self.weights.items()},
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        if data.get("version") != MODEL_VERSION:
            raise ValueError("model file from another version")
        return cls(
            classes=list(data["classes"]),  # type: ignore[call-overload]
            idf=dict(data["idf"]),  # type: ignore[call-overload]
            weights=dict(data["weights"]),  # type: ignore[call-overload]
            bias=list(data["bias"]),  # type: ignore[call-overload]
        )


def softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def train(examples: Sequence[tuple[str, str]]) -> Model:
    """Fits the model by stochastic gradient descent on (text, intent) pairs, deterministically."""
    classes = sorted({intent for _, intent in examples})
    index = {name: i for i, name in enumerate(classes)}
    raw = [features(text) for text, _ in examples]
    df: dict[str, int] = {}
    for counts in raw:
        for key in counts:
            df[key] = df.get(key, 0) + 1
    n = len(examples)
    idf = {k: math.log((1 + n) / (1 + d)) + 1.0 for k, d in df.items()}
    model = Model(classes, idf, {k: [0.0] * len(classes) for k in idf}, [0.0] * len(classes))
    vectors = [model.vector(text) for text, _ in examples]
    targets = [index[intent] for _, intent in examples]
    order = list(range(n))
    rng = random.Random(SEED)  # noqa: S311 - a fixed shuffle order, not a secret
    step = 0
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = LEARNING_RATE / (1.0 + 0.2 * epoch)
        for i in order:
            step += 1
            vector = vectors[i]
            probabilities = softmax(model.scores(vector))
            gradient = list(probabilities)
            gradient[targets[i]] -= 1.0
            for key, value in vector:
                row = model.weights[key]
                model.weights[key] = [
                    w * (1.0 - rate * L2) - rate * g * value
                    for w, g in zip(row, gradient, strict=True)
                ]
            model.bias = [b - rate * g * 0.1 for b, g in zip(model.bias, gradient, strict=True)]
    return model


def cache_dir() -> Path:
    """Where trained models are kept: $NLU_CACHE_DIR, else ~/.cache/marketplace-bot/nlu."""
    configured = os.environ.get("NLU_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "marketplace-bot" / "nlu"


def data_key(examples: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    digest.update(f"v{MODEL_VERSION}/{EPOCHS}/{LEARNING_RATE}/{L2}/{SEED}\n".encode())
    for text, intent in examples:
        digest.update(f"{intent}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def load_or_train(examples: Sequence[tuple[str, str]], directory: Path | None = None) -> Model:
    """The cached model for these examples, training and saving it on first use.

    A cache that cannot be read or written (read-only home, a half-written file) only costs a
    retrain; it never stops the bot."""
    folder = directory or cache_dir()
    path = folder / f"intent-model-{data_key(examples)}.json"
    try:
        return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    model = train(examples)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(model.to_json(), separators=(",", ":")), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass
    return model
