"""Fault injection: make the emulator misbehave the way Telegram sometimes does.

A bot must survive 429 flood waits, 5xx hiccups, slow answers and dropped connections. Rules
apply per method (or to every method) either a fixed number of times or at a rate drawn from
a seeded RNG, so a failing test replays identically.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["429", "5xx", "slow", "drop"]
KINDS: frozenset[str] = frozenset({"429", "5xx", "slow", "drop"})


@dataclass
class Fault:
    """One rule. `times` counts down to zero; `rate` (0..1) applies on each matching call."""

    kind: FaultKind
    method: str | None = None
    times: int | None = None
    rate: float | None = None
    retry_after: int = 1
    delay: float = 1.0
    status: int = 500
    hits: int = 0

    def matches(self, method: str) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.times is None or self.hits < self.times


@dataclass
class Injected:
    method: str
    kind: str


@dataclass
class Faults:
    """The emulator's rule set: `add()` rules, and the server asks `pick()` on every call."""

    seed: int = 0
    rules: list[Fault] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 - reproducible tests, not security

    def add(
        self,
        *,
        kind: FaultKind,
        method: str | None = None,
        times: int | None = None,
        rate: float | None = None,
        retry_after: int = 1,
        delay: float = 1.0,
        status: int = 500,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if rate is not None and not 0 <= rate <= 1:
            raise ValueError("rate is a probability between 0 and 1")
        if not 500 <= status <= 599:
            raise ValueError("status for a 5xx fault must be 500-599")
        if times is None and rate is None:
            times = 1
        rule = Fault(kind, method, times, rate, retry_after, delay, status)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str) -> Fault | None:
        for rule in self.rules:
            if not rule.matches(method):
                continue
            if rule.rate is not None and self._rng.random() >= rule.rate:
                continue
            rule.hits += 1
            self.injected.append(Injected(method, rule.kind))
            return rule
        return None
