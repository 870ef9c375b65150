"""The language layer's words: the shop's one tokeniser (`storage.vocabulary.tokenize`, which
the catalog's search reads text with too), a crude plural stemmer and long word lists.

Tokens keep their character offsets, so a span found by one part can be handed to another by
token positions and the original spelling (a coupon's case, say) stays recoverable.
"""

from __future__ import annotations

from storage.vocabulary import Token, tokenize, words

__all__ = ["Token", "stem", "tokenize", "wordlist", "words"]


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
