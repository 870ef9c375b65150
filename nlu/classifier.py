"""The embedded intent classifier: TF-IDF features and a softmax (logistic) regression.

Features are lower-cased words, word pairs and character 3-5-grams inside words (which is
what makes "chekout" and "checkout" look alike). Scoring gathers a phrase's feature rows
from one numpy matrix (well under a millisecond); training on the few thousand hand-written
and generated phrases uses numpy too (mini-batches of BATCH). numpy is always there:
matplotlib, a dependency, needs it. The trained model is a JSON file in a cache directory,
named by a hash of the training data and of this module's settings, so it is retrained
exactly when either changes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.text import words

MODEL_VERSION = 4
EPOCHS = 30
BATCH = 4
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
    #: the weights as one numpy matrix, built on first use (scoring is a gather and a dot)
    _matrix: Any = field(default=None, repr=False, compare=False)
    _row: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def vector(self, text: str) -> list[tuple[str, float]]:
        raw = features(text)
        known = [(k, (1.0 + math.log(v)) * self.idf[k]) for k, v in raw.items() if k in self.idf]
        norm = math.sqrt(sum(v * v for _, v in known)) or 1.0
        return [(k, v / norm) for k, v in known]

    def scores(self, vector: Iterable[tuple[str, float]]) -> list[float]:
        import numpy as np

        if self._matrix is None:
            self._row = {key: i for i, key in enumerate(self.weights)}
            self._matrix = np.array(list(self.weights.values()) or [[0.0] * len(self.classes)])
        pairs = [(self._row[k], v) for k, v in vector if k in self._row]
        totals = np.array(self.bias)
        if pairs:
            rows = [i for i, _ in pairs]
            totals = totals + np.array([v for _, v in pairs]) @ self._matrix[rows]
        return [float(t) for t in totals]

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
    """Fits the model by mini-batch gradient descent on (text, intent) pairs, deterministically.

    Uses numpy (always present: matplotlib needs it) to train a few thousand phrases in
    seconds."""
    import numpy as np

    classes = sorted({intent for _, intent in examples})
    index = {name: i for i, name in enumerate(classes)}
    raw = [features(text) for text, _ in examples]
    df: dict[str, int] = {}
    for counts in raw:
        for key in counts:
            df[key] = df.get(key, 0) + 1
    n = len(examples)
    idf = {k: math.log((1 + n) / (1 + d)) + 1.0 for k, d in df.items()}
    keys = sorted(idf)
    column = {k: i for i, k in enumerate(keys)}
    shell = Model(classes, idf, {}, [0.0] * len(classes))
    rows = [shell.vector(text) for text, _ in examples]
    targets = np.array([index[intent] for _, intent in examples])
    weights = np.zeros((len(keys), len(classes)))
    bias = np.zeros(len(classes))
    rng = random.Random(SEED)  # noqa: S311 - a fixed shuffle order, not a secret
    order = list(range(n))
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = LEARNING_RATE / (1.0 + 0.2 * epoch)
        for first in range(0, n, BATCH):
            batch = order[first : first + BATCH]
            cols = np.array([column[k] for i in batch for k, _ in rows[i]], dtype=np.int64)
            vals = np.array([v for i in batch for _, v in rows[i]])
            owner = np.array([b for b, i in enumerate(batch) for _ in rows[i]], dtype=np.int64)
            scores = np.tile(bias, (len(batch), 1))
            np.add.at(scores, owner, weights[cols] * vals[:, None])
            scores -= scores.max(axis=1, keepdims=True)
            probabilities = np.exp(scores)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            gradient = probabilities
            gradient[np.arange(len(batch)), targets[batch]] -= 1.0
            touched = np.unique(cols)
            weights[touched] *= 1.0 - rate * L2
            np.add.at(weights, cols, -rate * gradient[owner] * vals[:, None])
            bias -= rate * 0.1 * gradient.sum(axis=0)
    return Model(
        classes,
        idf,
        {k: [float(w) for w in weights[column[k]]] for k in keys},
        [float(b) for b in bias],
    )


def cache_dir() -> Path:
    """Where trained models are kept: $NLU_CACHE_DIR, else ~/.cache/marketplace-bot/nlu."""
    configured = os.environ.get("NLU_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "marketplace-bot" / "nlu"


def data_key(examples: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    digest.update(f"v{MODEL_VERSION}/{EPOCHS}/{BATCH}/{LEARNING_RATE}/{L2}/{SEED}\n".encode())
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
