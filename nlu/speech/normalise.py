"""From what a recogniser writes to what the nlu layer reads.

Typed and spoken shop talk differ in a few regular ways: a coupon code is said as a word and a
number ("apply welcome ten" is WELCOME10), an order (or parcel) number in groups ("order ten
forty two", "order 10-42" is 1042, "parcel 7-7-2-1-9" is 77219), and "two" comes out as "to"
("add to red hoodies"); inside a spoken number and before "stars" a digit may come out as a
word that sounds like it ("parcel free free aid", "order to 021", "fine start"). Nothing here
guesses beyond those patterns; everything else passes through unchanged.
"""

from __future__ import annotations

import re

from nlu.numbers import TENS, UNITS

_NUMBER_WORDS = {**UNITS, **TENS, "oh": 0}
_NUMBER = r"(?:\d{1,4}|(?:%s)(?:[\s-]+(?:%s))?)" % (  # noqa: UP031 - regex alternations
    "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)),
    "|".join(sorted(UNITS, key=len, reverse=True)),
)
_CODE = re.compile(
    r"\b(?P<lead>(?:apply|use|redeem|enter|try)(?:\s+(?:the|my|this|a))?"
    r"(?:\s+(?:promo|coupon|discount|voucher))?(?:\s+code)?|code|coupon|voucher|promo)"
    rf"\s+(?P<word>[a-z]{{2,12}})[\s-]*(?P<number>{_NUMBER})\b",
    re.IGNORECASE,
)
_NOT_CODE_WORDS = frozenset({"the", "my", "this", "a", "an", "code", "coupon", "number", "it"})
_TWO = re.compile(
    # "order" after my / the / your / this / that is the noun: "my order to 221 Baker Street"
    r"\b(?<!my )(?<!the )(?<!your )(?<!this )(?<!that )"
    r"(?P<verb>add|put|get|buy|grab|order)\s+(?:to|too)\s+"
    r"(?!(?:my|the|your|cart|basket|bag|trolley|wishlist|wish|list|favou?rites|it|this|that|"
    r"them|a|an|me|checkout)\b)",
    re.IGNORECASE,
)
#: What whisper writes for a digit said on its own, read as the digit only inside a spoken
#: number or before "stars": "parcel free free aid" is 338, "order to 021" 2021, "two zero to
#: one" 2021, "fine start" five stars.
_SOUNDS_LIKE = {
    "to": "two",
    "too": "two",
    "free": "three",
    "tree": "three",
    "for": "four",
    "fore": "four",
    "won": "one",
    "fine": "five",
    "aid": "eight",
    "ate": "eight",
}
_DIGITS = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
_HEARD_DIGIT = r"(?:%s|%s|\d+)" % (_DIGITS, "|".join(_SOUNDS_LIKE))  # noqa: UP031
_SPOKEN_RUN = re.compile(
    r"\b(?P<lead>(?:order|parcel|package|shipment|number)(?:\s+(?:number|no\.?))?[\s,-]+)"
    rf"(?P<run>{_HEARD_DIGIT}(?:[\s,-]+{_HEARD_DIGIT})+)\b",
    re.IGNORECASE,
)
_STARS = re.compile(
    r"\b(?P<number>%s|%s)(?P<gap>\s+)(?P<word>stars?\b|start\b)"  # noqa: UP031
    % (_DIGITS, "|".join(_SOUNDS_LIKE)),
    re.IGNORECASE,
)


def _spoken_run(match: re.Match[str]) -> str:
    """Digits heard as other words, inside a number after an order's lead word. The run must
    be a number beyond doubt: three or more parts, or two that are both digits (a group
    that starts with 0, "021", counts as two), so "order for two hoodies" and "my order to
    221 Baker Street" stay as said."""
    parts = re.findall(_HEARD_DIGIT, match.group("run"), re.IGNORECASE)
    real = sum(
        2 if p.startswith("0") and len(p) > 1 else 1 if p.isdigit() or p.lower() in UNITS else 0
        for p in parts
    )
    if len(parts) < 3 and real < 2:
        return match.group(0)
    run = re.sub(
        r"\b(%s)\b" % "|".join(_SOUNDS_LIKE),  # noqa: UP031
        lambda m: _SOUNDS_LIKE[m.group(1).lower()],
        match.group("run"),
        flags=re.IGNORECASE,
    )
    return match.group("lead") + run


def _stars(match: re.Match[str]) -> str:
    number, word = match.group("number"), match.group("word")
    digit = _SOUNDS_LIKE.get(number.lower(), number)
    if number[0].isupper():
        digit = digit.capitalize()
    if word.lower() == "start":
        word = "Stars" if word[0].isupper() else "stars"
    return f"{digit}{match.group('gap')}{word}"


_ORDER_NUMBER = re.compile(
    r"\b(?P<lead>(?:order|parcel|package|shipment|purchase)(?:\s+(?:number|no\.?|id))?|number)"
    r"\s+#?"
    rf"(?P<groups>{_NUMBER}(?:[\s,-]+{_NUMBER})+)\b",
    re.IGNORECASE,
)


def _value(group: str) -> str | None:
    """ "10" -> "10", "forty two" -> "42", "oh" -> "0"; None if not a number."""
    group = group.strip().lower()
    if group.isdigit():
        return group
    parts = re.split(r"[\s-]+", group)
    if not all(p in _NUMBER_WORDS for p in parts):
        return None
    if len(parts) == 2 and parts[0] in TENS and UNITS.get(parts[1], 10) < 10:
        return str(TENS[parts[0]] + UNITS[parts[1]])
    return "".join(str(_NUMBER_WORDS[p]) for p in parts)


def _code(match: re.Match[str]) -> str:
    word, number = match.group("word"), _value(match.group("number"))
    if number is None or word.lower() in _NOT_CODE_WORDS or word.lower() in _NUMBER_WORDS:
        return match.group(0)
    return f"{match.group('lead')} {word.upper()}{number}"


def _order(match: re.Match[str]) -> str:
    groups = re.findall(_NUMBER, match.group("groups"), re.IGNORECASE)
    values = [_value(g) for g in groups]
    if any(v is None for v in values):
        return match.group(0)
    return f"{match.group('lead')} {''.join(v for v in values if v)}"


def for_nlu(transcript: str) -> str:
    """The transcript as the nlu layer expects typed text."""
    text = " ".join(transcript.split())
    text = _CODE.sub(_code, text)
    text = _SPOKEN_RUN.sub(_spoken_run, text)
    text = _ORDER_NUMBER.sub(_order, text)
    text = _STARS.sub(_stars, text)
    return _TWO.sub(lambda m: f"{m.group('verb')} two ", text)
