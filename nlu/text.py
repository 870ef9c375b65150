"""Tokenising shared by the classifier, the extractors and the catalog index.

One tokeniser everywhere means a span found by one part can be handed to another by token
positions, and character offsets are kept so the original spelling (a coupon's case, say)
stays recoverable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[#$€£]?\d+(?:[.,]\d+)?(?:/\d+)?|[a-z0-9]+(?:['’][a-z]+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    """A word or number with its place in the original text."""

    text: str  # as typed
    lower: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group(0), m.group(0).lower().replace("’", "'"), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]


def words(text: str) -> list[str]:
    return [token.lower for token in tokenize(text)]


def stem(word: str) -> str:
    """A crude plural stripper: enough to make "hoodies", "hoodie" and "dresses" meet."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def wordlist(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string, for long vocabularies."""
    return frozenset(text.split())
