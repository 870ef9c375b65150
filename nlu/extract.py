"""Rule-based extractors for the slots whose shape is regular enough for patterns.

Each extractor returns the normalised value and the character span it used, so later steps
(quantity, product mentions) do not read the same words twice: "under 30 dollars" must not
also become a quantity of 30, nor "#1042" an order of 1042 hoodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from nlu.numbers import DIGIT_WORDS, TENS, UNITS, parse_money, spoken_digits, word_number
from nlu.text import wordlist

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """A value and where in the text it came from."""

    value: T
    start: int
    end: int


_NUMBER_WORD = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
_CURRENCY_AFTER = r"(?:\s*(?:dollars?|bucks|usd|euros?|eur|quid|pounds?|\$))"
_AMOUNT = (
    rf"(?P<cur>[$€£]\s*)?(?P<num>\d+(?:[.,]\d{{1,2}})?|(?:{_NUMBER_WORD})(?:[\s-](?:{_NUMBER_WORD}))?"
    rf"|(?:a |one )?hundred)(?P<cur2>{_CURRENCY_AFTER})?"
)


def _amount(pattern_name: str) -> str:
    return (
        _AMOUNT.replace("?P<cur>", f"?P<{pattern_name}_cur>")
        .replace("?P<num>", f"?P<{pattern_name}>")
        .replace("?P<cur2>", f"?P<{pattern_name}_cur2>")
    )


_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_amount('lo')}\s*(?:and|to|-|–)\s*{_amount('hi')}"
    rf"|(?<![\w#]){_amount('lo2')}\s*(?:-|–|to)\s*{_amount('hi2')}",
    re.IGNORECASE,
)
_STRONG_MAX = r"under|below|less\s+than|cheaper\s+than|lower\s+than|beneath|no\s+more\s+than|<"
_WEAK_MAX = r"up\s+to|max(?:imum)?|at\s+most|within|budget(?:\s+(?:is|of))?|not\s+over"
_STRONG_MIN = r"over|above|more\s+than|greater\s+than|higher\s+than|pricier\s+than|>"
_WEAK_MIN = r"at\s+least|min(?:imum)?|starting\s+(?:at|from)|from"
_MAX = re.compile(
    rf"(?:\b|(?=<))(?P<kw>{_STRONG_MAX}|{_WEAK_MAX})\s*(?:of\s+|a\s+)?{_amount('v')}", re.IGNORECASE
)
_MIN = re.compile(
    rf"(?:\b|(?=>))(?P<kw>{_STRONG_MIN}|{_WEAK_MIN})\s*(?:of\s+)?{_amount('v')}", re.IGNORECASE
)
_OR_LESS = re.compile(
    rf"{_amount('v')}\s*(?P<dir>or\s+less|or\s+under|max|or\s+more|\+|plus)", re.I
)


def _money(match: re.Match[str], name: str) -> Decimal | None:
    raw = match.group(name)
    return parse_money(raw) if raw else None


def _has_currency(match: re.Match[str], *names: str) -> bool:
    return any(match.group(f"{n}_cur") or match.group(f"{n}_cur2") for n in names)


def extract_price(text: str) -> tuple[Found[Decimal] | None, Found[Decimal] | None]:
    """Price bounds: ("under 30 dollars") -> max 30, ("between 20 and 50") -> 20..50."""
    low: Found[Decimal] | None = None
    high: Found[Decimal] | None = None
    pricey = bool(
        re.search(r"\b(?:price|priced|cost|costs|budget|dollars?|bucks)\b|\$", text, re.I)
    )
    for match in _RANGE.finditer(text):
        explicit = match.group("lo") is not None
        names = ("lo", "hi") if explicit else ("lo2", "hi2")
        if not explicit and not _has_currency(match, *names) and not pricey:
            continue
        lo, hi = _money(match, names[0]), _money(match, names[1])
        if lo is not None and hi is not None and lo <= hi:
            low = Found(lo, match.start(), match.end())
            high = Found(hi, match.start(), match.end())
            return low, high
    for match in _MAX.finditer(text):
        strong = re.fullmatch(_STRONG_MAX, match.group("kw"), re.I) is not None
        if strong or _has_currency(match, "v") or pricey:
            value = _money(match, "v")
            if value is not None:
                high = Found(value, match.start(), match.end())
                break
    for match in _MIN.finditer(text):
        strong = re.fullmatch(_STRONG_MIN, match.group("kw"), re.I) is not None
        if strong or _has_currency(match, "v") or pricey:
            value = _money(match, "v")
            if value is not None and (high is None or match.start() != high.start):
                low = Found(value, match.start(), match.end())
                break
    if low is None and high is None:
        for match in _OR_LESS.finditer(text):
            value = _money(match, "v")
            if value is None or not (_has_currency(match, "v") or pricey):
                continue
            found = Found(value, match.start(), match.end())
            if match.group("dir").lower() in {"or more", "+", "plus"}:
                low = found
            else:
                high = found
            break
    return low, high


_CODE_KEYWORD = re.compile(
    r"\b(?:(?:promo|coupon|discount|voucher|gift)\s+)?(?:code|coupon|voucher|promo)\b\s*[:=]?\s*"
    r"(?:is\s+)?(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,19})\b",
    re.IGNORECASE,
)
_APPLY = re.compile(
    r"\b(?:apply|use|redeem|enter|add|try)\s+(?:the\s+|my\s+|this\s+)?"
    r"(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,19})\b",
    re.IGNORECASE,
)
_CODE_SHAPE = re.compile(r"\b(?P<code>[A-Z]{2,}[A-Z0-9_-]*\d+[A-Z0-9]*|[A-Z]{2,}-[A-Z0-9]+)\b")
_NOT_CODES = frozenset(
    wordlist(
        """a an the my this that it is to for on please pls plz code coupon voucher promo discount
        here now again and or me i you we one two three four five ten twenty it's thanks thx
        order cart basket checkout out of off with at in from by codes coupons vouchers
        promos mine"""
    )
)


def known_coupon(text: str, codes: frozenset[str]) -> Found[str] | None:
    """One of the shop's codes, typed or spoken: "save10", "SAVE 10", "save ten" and
    "save one zero" are SAVE10, "free ship" is FREESHIP. Up to four words are joined, number
    words read as digits."""
    if not codes:
        return None
    tokens = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9]+", text)]
    longest = max(len(c) for c in codes)
    for i in range(len(tokens)):
        joined = ""
        for j in range(i, min(i + 4, len(tokens))):
            word = tokens[j][0].lower()
            number = word_number(word)
            joined += str(number) if number is not None and not word.isdigit() else word
            if len(joined) > longest:
                break
            if joined.upper() in codes:
                return Found(joined.upper(), tokens[i][1], tokens[j][2])
    return None


def extract_coupon(text: str, codes: frozenset[str] = frozenset()) -> Found[str] | None:
    """One of the shop's `codes` (typed or spoken), else a code after "code"/"apply"/"use",
    or any SHOUTED10 looking token."""
    known = known_coupon(text, codes)
    if known is not None:
        return known
    for pattern, needs_shape in ((_CODE_KEYWORD, False), (_APPLY, True), (_CODE_SHAPE, True)):
        for match in pattern.finditer(text):
            code = match.group("code")
            if code.lower() in _NOT_CODES:
                continue
            shaped = any(c.isdigit() for c in code) or (code.isupper() and len(code) >= 4)
            if needs_shape and not shaped:
                continue
            if code.isdigit() and len(code) > 3:
                continue  # that is an order number, not a code
            return Found(code.upper(), match.start("code"), match.end("code"))
    return None


_DIGIT_WORD = "|".join(DIGIT_WORDS)
# ids of any length: one too long for any order is still the customer's words, refused by
# number later, never dropped (a dropped id would let "cancel my order" pick another order)
_ORDER_MARKED = re.compile(
    r"#\s?(?P<hash>\d+)\b"
    r"|\border\s*(?:number|num|no\.?|id|#)\s*[:#]?\s*(?P<numbered>\d+)\b"
    r"|\b(?:order|purchase|package|parcel|shipment)\s+(?P<bare>\d{3,})\b"
    r"|\b(?:number|no\.?)\s*(?P<num2>\d{3,})\b",
    re.IGNORECASE,
)
# in an order request, "my order 16" and "number 7" too (elsewhere "order 2 hoodies" is a count)
_ORDER_SHORT = re.compile(
    r"\b(?:order|purchase|package|parcel|shipment|number|no\.?|nr\.?)\s*(?P<short>\d{1,2})\b"
    r"(?![.,]\d)(?!\s*(?:dollars?|bucks|\$|%))",
    re.IGNORECASE,
)
# in an order request, one number word after the order's word: "cancel order number two",
# "track order seventeen" (but "order two hoodies" is a count: only at the end of the request)
_NUMBER_WORD = "|".join(sorted((*UNITS, *TENS), key=len, reverse=True))
_ORDER_WORD = re.compile(
    r"\b(?:order|purchase|package|parcel|shipment|number|no\.?|nr\.?)\s+(?:(?:number|no\.?|nr\.?)\s+)?"
    rf"(?P<word>{_NUMBER_WORD})\b(?=\s*(?:$|[,.!?;)]|please\b|pls\b|thanks\b|and\b|now\b))",
    re.IGNORECASE,
)
_SPOKEN = re.compile(rf"\b(?P<spoken>(?:(?:{_DIGIT_WORD})[\s-]+){{2,}}(?:{_DIGIT_WORD}))\b", re.I)
_BARE_DIGITS = re.compile(r"(?<![\w$.,])(?P<bare>\d{3,})\b(?![.,]\d)(?!\s*(?:dollars?|bucks|\$))")


def extract_order_id(text: str, *, loose: bool = False) -> Found[int] | None:
    """ "#1042", "order 1042", "order number one zero four two"; with `loose` (an order
    intent) also "order 16", "number 7", a bare number of three or more digits or any
    spoken digit string."""
    match = _ORDER_MARKED.search(text)
    if match:
        for group in ("hash", "numbered", "bare", "num2"):
            if match.group(group):
                return Found(int(match.group(group)), match.start(), match.end())
    short = _ORDER_SHORT.search(text) if loose else None
    if short:
        return Found(int(short.group("short")), short.start(), short.end())
    said = _ORDER_WORD.search(text) if loose else None
    if said:
        value = word_number(said.group("word"))
        if value:
            return Found(value, said.start(), said.end())
    for spoken in _SPOKEN.finditer(text):
        before = text[: spoken.start()].lower()
        marked = re.search(r"(?:order|number|no\.?|#)\s*$", before) is not None
        value = spoken_digits(spoken.group("spoken"))
        if value is not None and (marked or loose):
            return Found(value, spoken.start(), spoken.end())
    if loose:
        bare = _BARE_DIGITS.search(text)
        if bare:
            return Found(int(bare.group("bare")), bare.start(), bare.end())
    return None


_RATING_WORD = r"\d|one|two|three|four|five"
_RATING = re.compile(
    rf"\b(?P<a>{_RATING_WORD})\s*[-\s]?\s*stars?\b"
    rf"|\b(?P<b>{_RATING_WORD})\s*(?:/|out\s+of)\s*(?:5|five)\b"
    rf"|\b(?:rate|rating|rated|score|give)\s+(?:it|this|that|them|him|her|the\s+\w+)?\s*"
    rf"(?:a\s+|an\s+|of\s+|as\s+)?(?P<c>{_RATING_WORD})\b(?!\s*(?:\w+\s+)?(?:dollars|bucks|%))",
    re.IGNORECASE,
)


def extract_rating(text: str) -> Found[int] | None:
    """A 1-5 rating: "five stars", "4/5", "4 out of 5", "rate it 3"."""
    for match in _RATING.finditer(text):
        raw = match.group("a") or match.group("b") or match.group("c")
        value = word_number(raw)
        if value is not None and 1 <= value <= 5:
            if match.group("c"):  # "rate the kettle 2": the thing rated is no part of it
                return Found(value, match.start("c"), match.end("c"))
            return Found(value, match.start(), match.end())
    return None


COLOURS: dict[str, str] = {
    name: name
    for name in wordlist(
        """red blue navy black white grey green olive sand teal pink purple yellow orange brown
        beige cream gold silver maroon burgundy khaki charcoal"""
    )
} | {"gray": "grey", "violet": "purple", "tan": "sand"}
_COLOUR = re.compile(
    r"\b(?:navy\s+blue|(?P<c>" + "|".join(sorted(COLOURS, key=len, reverse=True)) + r"))\b",
    re.I,
)


def normalize_colour(text: str) -> str | None:
    cleaned = text.strip().lower()
    if cleaned == "navy blue":
        return "navy"
    return COLOURS.get(cleaned)


def extract_colour(text: str) -> Found[str] | None:
    match = _COLOUR.search(text)
    if not match:
        return None
    value = normalize_colour(match.group(0))
    return Found(value, match.start(), match.end()) if value else None


_SIZE_WORDS = {
    "xxs": "XXS",
    "xs": "XS",
    "s": "S",
    "m": "M",
    "l": "L",
    "xl": "XL",
    "xxl": "XXL",
    "xxxl": "XXXL",
    "2xl": "XXL",
    "3xl": "XXXL",
    "small": "S",
    "medium": "M",
    "med": "M",
    "large": "L",
    "extra small": "XS",
    "extra large": "XL",
    "x-large": "XL",
    "x large": "XL",
    "extra extra large": "XXL",
}
_SIZE_TERM = (
    r"extra\s+extra\s+large|extra\s+(?:small|large)|x-?\s?large"
    r"|xxxl|xxl|xxs|xl|xs|[23]xl|small|medium|large|med"
)
_SIZE = re.compile(
    rf"\bsize\b\s*[:=]?\s*(?P<sized>{_SIZE_TERM}|[sml]|\d{{1,2}}(?:\.5)?)\b"
    rf"|\bin\s+(?:a\s+)?(?P<in>{_SIZE_TERM}|[SML])\b"
    rf"|(?<!too )(?<!so )(?<!very )(?<!bit )\b(?P<bare>{_SIZE_TERM})\b(?!\s+print)",
    re.IGNORECASE,
)


def normalize_size(text: str) -> str | None:
    cleaned = re.sub(r"^size\s*", "", text.strip().lower())
    cleaned = re.sub(r"\s+", " ", cleaned)
    if cleaned in _SIZE_WORDS:
        return _SIZE_WORDS[cleaned]
    if re.fullmatch(r"\d{1,2}(?:\.5)?", cleaned):
        return cleaned
    return None


def extract_size(text: str) -> Found[str] | None:
    for match in _SIZE.finditer(text):
        raw = match.group("sized") or match.group("in") or match.group("bare")
        if match.group("in") and len(raw) == 1 and not raw.isupper():
            continue
        value = normalize_size(raw)
        if value:
            return Found(value, match.start(), match.end())
    return None


_CHEAP = re.compile(
    r"\b(?:cheap|cheaper|cheapest|inexpensive|budget|affordable|low[\s-]+(?:cost|price[ds]?)"
    r"|lowest[\s-]+price[ds]?|least\s+expensive|bargains?)\b",
    re.IGNORECASE,
)
_DEAR = re.compile(
    r"\b(?:expensive|priciest|pricey|premium|luxury|high[\s-]+end|most\s+expensive"
    r"|highest[\s-]+price[ds]?|top[\s-]+of[\s-]+the[\s-]+range)\b",
    re.IGNORECASE,
)


def extract_sort(text: str) -> str | None:
    """How a search wants its results ordered: "price_asc" for cheap / cheapest / budget,
    "price_desc" for expensive / premium / priciest; None for the best matches first.
    "not too expensive" and "least expensive" are cheap."""
    if _CHEAP.search(text) or re.search(
        r"\bnot\s+(?:too\s+|very\s+|so\s+)?(?:expensive|pricey)\b", text, re.I
    ):
        return "price_asc"
    if _DEAR.search(text):
        return "price_desc"
    return None


_COUNT = rf"(?P<n>\d{{1,6}}|{_NUMBER_WORD})"
_TAIL = (
    r"(?:\s+(?:items?|pieces?|pcs|units?|of\s+(?:them|those|it|each)))?"
    r"(?:\s+(?:in|on)\s+(?:my|the)\s+(?:cart|basket|bag|trolley))?"
    r"(?:\s*,?\s+(?:please|pls|plz|thanks|thank\s+you|instead|now|then))*\s*[.!?]*\s*$"
)
_WANTED_COUNT = (
    # "i only want 1 white zip hoodie", "i want only two", "only need 3 of the tees"
    re.compile(
        r"\b(?:only|just)\s+(?:(?:want|need|wanna|would\s+like|'d\s+like)(?:\s+to\s+(?:have|keep|buy|get))?"
        rf"|keep)\s+{_COUNT}\b(?![.,/]\d)",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:want|need|keep)\s+only\s+{_COUNT}\b(?![.,/]\d)", re.IGNORECASE),
    # "set white zip hoodie quantity to 1", "change the hoodies to 2", "update it to 3"
    re.compile(
        r"\b(?:set|change|update|reduce|lower|increase|raise|bump|cut|adjust)\b[^.!?]*?"
        rf"\b(?:to|at)\s+(?:just\s+|only\s+)?{_COUNT}{_TAIL}",
        re.IGNORECASE,
    ),
    # "one black tee is enough", "2 will do", "just one of them is fine"
    re.compile(
        rf"^\W*(?:(?:ok|okay|actually|no|hmm|wait|sorry)\W+)*(?:just\s+|only\s+)?{_COUNT}"
        r"(?:\s+[\w'-]+){0,4}?\s+(?:is|are|'s|will|would|should)\s+(?:be\s+)?"
        r"(?:enough|plenty|sufficient|do|fine|ok|okay)\b",
        re.IGNORECASE,
    ),
    # "that's too many, just one", "too many hoodies, only 2 please"
    re.compile(rf"\btoo\s+many\b[^.!?]*?\b(?:just|only)\s+{_COUNT}{_TAIL}", re.IGNORECASE),
    # "make it 3", "make the hoodies 1", "make that two please"
    re.compile(
        rf"\bmake\s+(?:it|that|this|them|those|these|the\b[^.!?]*?)\s+(?:just\s+|only\s+)?{_COUNT}{_TAIL}",
        re.IGNORECASE,
    ),
)


def extract_wanted_count(text: str) -> Found[int] | None:
    """The count of a cart line the customer wants to end with, not a count to add or take
    away: "i only want 1 white zip hoodie in my cart", "set the tee's quantity to 0", "change
    the hoodies to 2", "make it 3". None for any other count ("remove one of the tees", "add
    2", "set my address to 5 Main St")."""
    for pattern in _WANTED_COUNT:
        match = pattern.search(text)
        if match is None:
            continue
        said = match.group("n").lower()
        value = int(said) if said.isdigit() else word_number(said)
        if value is not None:
            return Found(value, match.start("n"), match.end("n"))
    return None
