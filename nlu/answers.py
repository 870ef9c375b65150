"""A message that only answers yes or no ("yes please", "nope", "go ahead"): it answers the
question the chat asked last, if one is waiting, and asks for nothing by itself."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.text import stem, wordlist, words

_YES = re.compile(
    r"^\W*(?:yes|yess+|yeah|yea|yep|yup|ya|yah|y|sure|ok|okay|k|alright|all\s+right|confirm"
    r"|confirmed|correct|right|do\s+it|go\s+ahead|go\s+on|please\s+do|yes\s+please|of\s+course"
    r"|absolutely|definitely|affirmative|si|sí)(?:\W+(?:please|pls|thanks|thank\s+you|do\s+it"
    r"|go\s+ahead|that'?s\s+right))*\W*$",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\W*(?:no|nope|nah|n|no\s+thanks|no\s+thank\s+you|don'?t|do\s+not|not\s+now|never\s*mind"
    r"|nvm|cancel|cancel\s+that|stop|wrong|that'?s\s+wrong|negative)(?:\W+(?:thanks|thank\s+you"
    r"|don'?t|please|pls))*\W*$",
    re.IGNORECASE,
)


def yes_or_no(text: str) -> bool | None:
    """True for a bare yes, False for a bare no, None for anything that says more."""
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None


_ORDINALS = {
    "first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3,
    "three": 3, "fourth": 4, "4th": 4, "four": 4, "fifth": 5, "5th": 5, "five": 5,
    "sixth": 6, "6th": 6, "six": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
}  # fmt: skip
_FILLER = wordlist(
    "the a an one ones that this please pls i want i'd like id take number no option choice"
    " it is its yes ok okay st nd rd th"
)


def narrow(text: str, options: Sequence[str]) -> list[int]:
    """Which of `options` (the names offered, in the order shown) a typed answer to "Which
    one?" means, as indexes: one by place ("the second", "3rd one", "the last one"), or those
    whose names have the words said that not every option has ("the white one" among four
    hoodies, two of them white). Empty when the answer singles nothing out (it is then read
    as a new request)."""
    said = [w for w in words(text) if w not in _FILLER]
    if not said or not options:
        return []
    if len(said) == 1:
        place = _ORDINALS.get(said[0])
        if place is None and said[0].isdigit():
            place = int(said[0])
        if said[0] == "last":
            place = len(options)
        if place is not None:
            return [place - 1] if 1 <= place <= len(options) else []
    names = [{stem(w) for w in words(name)} for name in options]
    shared = set.intersection(*names) if len(names) > 1 else set()
    asked = {stem(w) for w in said} - shared  # "the white hoodie": "hoodie" tells nothing
    if not asked:
        return []
    hits = [len(asked & name) for name in names]
    best = max(hits)
    if best == 0:
        return []
    return [i for i, hit in enumerate(hits) if hit == best]


#: Words an answer to "Which one?" may say besides the options' own: a place, a polite word.
_ANSWER_WORDS = (
    _FILLER
    | frozenset(_ORDINALS)
    | wordlist(
        "last thanks thank you mean meant go with pick choose ill i'll have get that's thats"
        " sorry oh ah hmm um yeah yep sure"
    )
)


def only_picks(text: str, options: Sequence[str]) -> bool:
    """Whether `text` says nothing but which of `options` it means ("the sand one", "2",
    "sand denim jacket please"): a message with words of its own ("remove the sand rain
    jacket from my cart") is a new request, whatever option it also names."""
    said = words(text)
    named = {stem(w) for name in options for w in words(name)}
    return bool(said) and all(w in _ANSWER_WORDS or w.isdigit() or stem(w) in named for w in said)


#: A typed answer to "How many stars?": a number from 1 to 5 alone, or said as stars ("4",
#: "four", "4 stars", "★★★★", "4/5", "I'd give it 4", "3 please").
_STARS = re.compile(
    r"^[^\w★⭐]*(?:(?:hmm+|um+|uh|ok|okay|well|maybe|i'?d\s+(?:say|give\s+(?:it|them))|give\s+it"
    r"|let'?s\s+say|say)\W+)*"
    r"(?:(?P<n>[1-5]|one|two|three|four|five)(?:\s*(?:/|out\s+of)\s*(?:5|five))?"
    r"(?:\s*[-\s]?\s*(?:stars?|★))?|(?P<drawn>[★⭐]{1,5}))"
    r"(?:\W+(?:please|pls|thanks|thank\s+you|from\s+me))*\W*$",
    re.IGNORECASE,
)
_STAR_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def stars_answer(text: str) -> int | None:
    """The stars (1-5) a message typed at "How many stars?" gives, or None when it says
    anything else."""
    match = _STARS.match(text.strip())
    if match is None:
        return None
    if match.group("drawn"):
        return len(match.group("drawn"))
    said = match.group("n").lower()
    return int(said) if said.isdigit() else _STAR_WORDS[said]


def pick(text: str, options: Sequence[str]) -> int | None:
    """The one option a typed answer to "Which one?" means (`narrow`), or None."""
    chosen = narrow(text, options)
    return chosen[0] if len(chosen) == 1 else None
