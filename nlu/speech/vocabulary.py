"""The shop's vocabulary for the recognisers, built from the live catalog and the intents'
training phrases: a Whisper prompt (names it should spell as the shop does) and the sentences
pocketsphinx's small language model is estimated from, with numbers spelled out as spoken."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from functools import lru_cache

from nlu.catalog import CatalogIndex
from nlu.dataset import TRAINING_FILE, load
from nlu.extract import COLOURS
from nlu.speech.types import Vocabulary
from nlu.text import stem

#: Words of the grammar and numbers: never catalogue words misheard ("your" is not "yoga",
#: "ten" not "tent", "and" not "sand").
CLOSED_WORDS = frozenset(
    """a an the and or but not no yes to of in on at by for from with into onto out up off
    my your our their his her its me you us them they we he she it i this that these those
    is am are was were be been being have has had do does did will would shall should can
    could may might must what which who whom whose how when where why there here all any
    some each every both either more most less such than then too very just only also so
    zero oh one two three four five six seven eight nine ten eleven twelve twenty thirty
    forty fifty sixty seventy eighty ninety hundred""".split()  # noqa: SIM905
)

PROMPT_CHARS = 880  # Whisper keeps at most 223 prompt tokens (~4 characters each here)
#: How shop requests sound, numbers said as words (Whisper copies a prompt's style: with
#: "order 1042" in it, it writes "order one zero four two" as digits, and joins or splits
#: them wrongly more often than it mishears the words).
INTENT_PROMPT = (
    "Hi! Add two to my cart, remove one from my basket, what's in my cart, my wishlist, "
    "check out. Apply the coupon code. Track order two eight one six. Cancel my order, "
    "return it, refund, four stars, help."
)
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_TOKEN = re.compile(r"[$€£]?\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)?")
#: How people say the things the shop sells, for the language model (numbers in words).
TEMPLATES = (
    "{name}",
    "add {name} to my cart",
    "add two {name}",
    "show me the {name}",
    "remove the {name} from my cart",
    "add the {name} to my wishlist",
    "tell me about the {name}",
)
CATEGORY_TEMPLATES = ("{name}", "show me {name}", "any {name} under thirty dollars")
#: How people say the shop's coupon codes ("apply save ten", "code free ship").
CODE_TEMPLATES = ("{code}", "apply {code}", "use code {code}", "coupon {code}")


def number_words(n: int) -> str:
    """12 -> "twelve", 45 -> "forty five", 250 -> "two hundred fifty"; longer numbers are
    read digit by digit ("one zero four two"), as people read order numbers."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = "" if n % 100 == 0 else " " + number_words(n % 100)
        return _ONES[n // 100] + " hundred" + rest
    return " ".join(_ONES[int(d)] for d in str(n))


def spoken(text: str) -> str:
    """Text as it is said, lower case: "$30" -> "thirty dollars", "SAVE10" -> "save ten",
    "#1042" -> "one zero four two", "T-Shirts" -> "t shirts"."""
    out: list[str] = []
    lowered = text.lower().replace("&", " and ").replace("-", " ")
    for token in re.findall(r"[$€£]?\d+(?:\.\d+)?|[a-z]+\d+|[a-z]+(?:'[a-z]+)?", lowered):
        if token[0] in "$€£":
            out.append(number_words(int(float(token[1:]))) + " dollars")
        elif token.isdigit() or token.replace(".", "", 1).isdigit():
            out.append(number_words(int(float(token))))
        elif (code := re.fullmatch(r"([a-z]+)(\d+)", token)) is not None:
            out.append(code[1] + " " + number_words(int(code[2])))
        else:
            out.append(token)
    return " ".join(out)


@lru_cache(maxsize=1)
def _training_sentences() -> tuple[str, ...]:
    return tuple(dict.fromkeys(spoken(e.text) for e in load(TRAINING_FILE).examples))


def _dictionary() -> frozenset[str]:
    """English words with a pronunciation (pocketsphinx's CMUdict), when it is installed
    (else the shop's own sentences' words are what is known)."""
    try:
        from nlu.speech.sphinx import dictionary

        return frozenset(dictionary())
    except ImportError:
        return frozenset()


def code_words(code: str, known: Collection[str]) -> str:
    """A coupon code as people say it: "SAVE10" -> "save ten", "FREESHIP" -> "free ship"
    (letters that are no word themselves but split into two known words of three letters or
    more are said as those two), "WELCOME10" -> "welcome ten"."""
    out: list[str] = []
    for part in re.findall(r"[a-z]+|\d+", code.lower()):
        if part.isdigit():
            out.append(number_words(int(part)))
            continue
        cuts = [
            f"{part[:n]} {part[n:]}"
            for n in range(3, len(part) - 2)
            if part[:n] in known and part[n:] in known
        ]
        out.append(part if part in known or not cuts else cuts[0])
    return " ".join(out)


def build(catalog: CatalogIndex) -> Vocabulary:
    """The vocabulary of this catalog (products, categories, attributes, coupon codes) and
    of the intents."""
    names = [item.name for item in catalog.items]
    categories = list(dict.fromkeys([*catalog.categories.values()]))
    attributes = list(dict.fromkeys(a for item in catalog.items for a in item.attributes))
    sentences = list(_training_sentences())
    for name in names:
        said = spoken(name)
        sentences.extend(t.format(name=said) for t in TEMPLATES)
    for category in categories:
        said = spoken(category)
        sentences.extend(t.format(name=said) for t in CATEGORY_TEMPLATES)
    sentences.extend(spoken(a) for a in attributes)
    known = _dictionary() or frozenset(w for s in sentences for w in s.split())
    codes = [code_words(c, known) for c in sorted(catalog.coupons)]
    sentences.extend(t.format(code=code) for code in codes for t in CODE_TEMPLATES)
    unique = tuple(dict.fromkeys(s for s in sentences if s))
    prompt = _prompt(names, categories, attributes, codes)
    words = frozenset(w for s in unique for w in s.split())
    digest = hashlib.sha256("\n".join((prompt, *unique)).encode()).hexdigest()[:16]
    catalogue = frozenset(
        w
        for text in (*names, *categories, *attributes)
        for w in re.findall(r"[a-z]+", spoken(text).lower())
        if len(w) >= 3 and w not in CLOSED_WORDS
    )
    return Vocabulary(
        prompt=prompt,
        sentences=unique,
        words=words,
        key=digest,
        catalogue=catalogue,
        codes=tuple(codes),
    )


def _prompt(
    names: list[str], categories: list[str], attributes: list[str], codes: list[str]
) -> str:
    """How requests sound, the shop's codes as said and its colours, then the catalog's
    distinct name words, then the categories and attributes not already said, cut to fit
    Whisper's prompt window (the start is what matters most)."""
    colours: list[str] = []
    seen: set[str] = set()
    said: list[str] = []
    for text in (*names, *attributes, *categories):
        for word in re.findall(r"[A-Za-z0-9][\w'-]*", text):
            lowered = word.lower()
            if lowered in COLOURS:
                if COLOURS[lowered] not in colours:
                    colours.append(COLOURS[lowered])
                continue
            key = stem(lowered)
            if key not in seen:
                seen.add(key)
                said.append(word)
    prompt = INTENT_PROMPT
    if codes:
        prompt += " Codes: " + ", ".join(codes) + "."
    if colours:
        prompt += " Colours: " + ", ".join(colours) + "."
    if said:
        prompt += " " + " ".join(said) + "."
    if len(prompt) > PROMPT_CHARS:
        prompt = prompt[:PROMPT_CHARS].rsplit(" ", 1)[0] + "."
    return prompt
