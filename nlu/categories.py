"""Which category a typed name means, among the names of a category tree ("hoodies",
"Home & Kitchen", "home and kitchen", "clothng", "running" for Running Shoes), and whether a
typed answer says a button's label ("back" for "⬅ Back").

Case, accents, "&"/"and", plurals and a typo are forgiven; the caller (the add-product
wizard's category step) gets every name the words may mean, and picks one only when there is
exactly one. Pure: names in, indexes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rapidfuzz.distance import OSA

from nlu.text import stem, wordlist, words

#: Words around a name that say nothing about which one ("the hoodies category, please").
_AROUND: Final = wordlist(
    "a an and the please pls plz category categories section it is its y el la los las una un"
    " categoria categorias por favor"
)
#: Words around a button's label ("go back").
_AROUND_LABEL: Final = _AROUND | wordlist("go to ir volver")


def _words(text: str, around: frozenset[str] = _AROUND) -> list[str]:
    return [w for w in words(text) if w not in around]


def _allowed(length: int) -> int:
    """Typos forgiven in a name of `length` letters: none in a short one ("Men" is not
    "Man", "Case" is not "Cafe"), one from five letters, two from nine."""
    return 0 if length < 5 else 1 if length < 9 else 2


def _close(said: str, name: str) -> bool:
    return OSA.distance(said, name) <= _allowed(len(name))


def _same(said: list[str], name: list[str]) -> bool:
    """The words name the whole name: as written, in the singular, or with a typo ("t shirts",
    "tshirt" and "T-Shirts" meet: the words are compared run together too)."""
    if not said or not name:
        return False
    plain = "".join(said), "".join(name)
    singular = "".join(stem(w) for w in said), "".join(stem(w) for w in name)
    if plain[0] == plain[1] or singular[0] == singular[1]:
        return True
    return _close(plain[0], plain[1]) or _close(singular[0], singular[1])


def _within(said: list[str], name: list[str]) -> bool:
    """Every word said is a word of the name (in the singular, or with a typo), and the name
    has more: "running" for Running Shoes."""
    if not said or len(said) >= len(name):
        return False
    return all(any(_same([w], [n]) for n in name) for w in said)


def named(text: str, names: Sequence[str]) -> list[int]:
    """The indexes of `names` the typed text may mean, in their order: those it names exactly
    (the same words, in any case, "&" or "and"); else those it names in the singular or with
    a typo; else those it names part of ("running" for Running Shoes). Empty when it names
    none."""
    said = _words(text)
    if not said:
        return []
    keys = [_words(name) for name in names]
    exact = [i for i, key in enumerate(keys) if key and sorted(key) == sorted(said)]
    if exact:
        return exact
    close = [i for i, key in enumerate(keys) if _same(said, key)]
    if close:
        return close
    return [i for i, key in enumerate(keys) if _within(said, key)]


def says_label(text: str, label: str) -> bool:
    """Whether a typed answer is a button's label, its emoji aside ("back", "Back", "go back"
    for "⬅ Back")."""
    said = _words(text, _AROUND_LABEL)
    return bool(said) and said == _words(label, _AROUND_LABEL)
