"""From what a recogniser writes to what the nlu layer reads.

Typed and spoken shop talk differ in a few regular ways: a coupon code is said as a word and a
number ("apply welcome ten" is WELCOME10), an order (or parcel) number in groups ("order ten
forty two", "order 10-42" is 1042, "parcel 7-7-2-1-9" is 77219), and "two" comes out as "to"
("add to red hoodies"). Nothing here guesses beyond those patterns; everything else passes
through unchanged.
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
    r"\b(?P<verb>add|put|get|buy|grab|order)\s+(?:to|too)\s+"
    r"(?!(?:my|the|your|cart|basket|bag|trolley|wishlist|wish|list|favou?rites|it|this|that|"
    r"them|a|an|me|checkout)\b)",
    re.IGNORECASE,
)
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
    text = _ORDER_NUMBER.sub(_order, text)
    return _TWO.sub(lambda m: f"{m.group('verb')} two ", text)
