"""Numbers as people type them: digits, words ("two", "a couple"), spoken digit strings."""

from __future__ import annotations

import re
from decimal import Decimal

from storage.vocabulary import CURRENCY_WORDS, parse_amount

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: Words that stand for a count in a shopping phrase ("a couple of", "a dozen").
COUNT_PHRASES = {
    "a": 1,
    "an": 1,
    "single": 1,
    "couple": 2,
    "pair": 2,
    "few": 3,
    "dozen": 12,
    "both": 2,
}
#: Single spoken digits, including "oh" for zero as in "one oh four two".
DIGIT_WORDS = {name: value for name, value in UNITS.items() if value < 10} | {"oh": 0, "o": 0}
_FILLERS = {"a", "an", "of", "the"}
_DIGITS = re.compile(r"^[#]?(\d+)$")


_UNIT = "|".join(sorted((u for u in UNITS if 0 < UNITS[u] < 10), key=len, reverse=True))
_TEEN = "|".join(sorted((u for u in UNITS if UNITS[u] >= 10), key=len, reverse=True))
_TEN = "|".join(sorted(TENS, key=len, reverse=True))
_BELOW_100 = rf"(?:(?:{_TEN})(?:[\s-]+(?:{_UNIT}))?|{_TEEN}|{_UNIT})"
_COMPOUND = re.compile(
    rf"\b(?:(?P<h>a|one|{_UNIT})[\s-]+hundred(?:[\s-]+(?:and[\s-]+)?(?P<rest>{_BELOW_100}))?"
    rf"|(?P<tens>{_TEN})[\s-]+(?P<unit>{_UNIT}))\b",
    re.IGNORECASE,
)


def _below_100(text: str) -> int:
    parts = re.split(r"[\s-]+", text.lower())
    if parts[0] in TENS:
        return TENS[parts[0]] + (UNITS[parts[1]] if len(parts) > 1 else 0)
    return UNITS[parts[0]]


def _compound(match: re.Match[str]) -> str:
    if match.group("tens"):
        return str(TENS[match.group("tens").lower()] + UNITS[match.group("unit").lower()])
    head = match.group("h").lower()
    hundreds = 1 if head in ("a", "one") else UNITS[head]
    rest = match.group("rest")
    return str(hundreds * 100 + (_below_100(rest) if rest else 0))


_DIGIT_NAMES = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
#: An order's number said digit by digit after its lead word: "track order five five three
#: one" is "track order 5531" (three digits or more, so "order two hoodies" stays).
_SPOKEN_ORDER = re.compile(
    r"\b(?P<lead>(?:order|parcel|package|shipment|number)(?:\s+(?:number|no\.?))?\s+#?)"
    rf"(?P<digits>(?:(?:{_DIGIT_NAMES})[\s-]+){{2,}}(?:{_DIGIT_NAMES}))\b",
    re.IGNORECASE,
)


def _spoken_order(match: re.Match[str]) -> str:
    digits = re.split(r"[\s-]+", match.group("digits").lower())
    return match.group("lead") + "".join(str(DIGIT_WORDS[d]) for d in digits)


def normalise(text: str) -> str:
    """Compound number words as digits, up to 999: "twenty five" -> "25", "a hundred and
    twenty" -> "120"; an order's number said digit by digit as its digits ("order one zero
    four two" -> "order 1042": "five" there is no rating). Single number words stay ("two
    hoodies")."""
    return _COMPOUND.sub(_compound, _SPOKEN_ORDER.sub(_spoken_order, text))


def word_number(text: str) -> int | None:
    """ "seven" -> 7, "twenty one" / "twenty-one" -> 21, "12" -> 12; None if not a number."""
    cleaned = normalise(text.strip().lower()).replace("-", " ")
    match = _DIGITS.match(cleaned)
    if match:
        return int(match.group(1))
    parts = cleaned.split()
    if len(parts) == 1:
        if parts[0] in UNITS:
            return UNITS[parts[0]]
        return TENS.get(parts[0])
    if len(parts) == 2 and parts[0] in TENS and parts[1] in UNITS and UNITS[parts[1]] < 10:
        return TENS[parts[0]] + UNITS[parts[1]]
    return None


def parse_quantity(text: str) -> int | None:
    """How many: "3", "three", "a couple of", "a pair", "an", "x2"; None if no count."""
    cleaned = normalise(text.strip().lower())
    if cleaned.endswith("x") and cleaned[:-1].isdigit():
        cleaned = cleaned[:-1]  # "2x", never the x of "six"
    elif cleaned.startswith("x") and cleaned[1:].isdigit():
        cleaned = cleaned[1:]
    value = word_number(cleaned)
    if value is not None:
        return value if value > 0 else None
    parts = [p for p in cleaned.replace("-", " ").split() if p not in _FILLERS]
    if not parts:
        return COUNT_PHRASES.get(cleaned)
    if len(parts) == 1 and parts[0] in COUNT_PHRASES:
        return COUNT_PHRASES[parts[0]]
    value = word_number(" ".join(parts))
    return value if value else None


_DECIMAL_COUNT = re.compile(r"[-−]?(?P<whole>\d+)[.,](?P<part>\d+)")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_SLASHED = re.compile(r"\d+/\d+")


def fraction(word: str) -> bool:
    """Whether one word is a count that is no whole number: "2.5", "2,5", "1/2", "-0.5"
    ("2.0" is whole; "2,500" is a thousands separator, not a fraction)."""
    if _SLASHED.fullmatch(word):
        return True
    decimal = _DECIMAL_COUNT.fullmatch(word)
    if decimal is None or _THOUSANDS.fullmatch(word):
        return False
    return decimal.group("part").strip("0") != ""


def spoken_digits(text: str) -> int | None:
    """ "one zero four two" -> 1042, "1 0 4 2" -> 1042, "#1042" -> 1042."""
    cleaned = text.strip().lower().replace("-", " ").replace("#", " ")
    parts = cleaned.split()
    if not parts:
        return None
    digits: list[str] = []
    for part in parts:
        if part.isdigit():
            digits.append(part)
        elif part in DIGIT_WORDS:
            digits.append(str(DIGIT_WORDS[part]))
        elif part in {"number", "no", "order", "no."}:
            continue
        else:
            return None
    return int("".join(digits)) if digits else None


def parse_money(text: str) -> Decimal | None:
    """ "$30", "30 dollars", "29.99", "1,5 euro", "thirty bucks" -> Decimal; None if no
    amount (or a negative one). Digits go through the project's one amount parser."""
    amount = parse_amount(text)
    if amount is None:
        number = word_number(CURRENCY_WORDS.sub(" ", text.lower()).strip())
        return Decimal(number) if number is not None else None
    return amount if amount >= 0 else None
