"""Several things named in one request: "put the navy cotton tee and the grey desk lamp in my
cart", "remove the kettle, the yoga mat and 2 socks". Each thing is read as a request of its
own, worded as the customer worded the whole ("put the grey desk lamp in my cart"), so its
count, colour and size stay its own.

A list is two or more catalog mentions (each naming a product of the shop), one after the
other, with nothing between two of them but "and", "&", "plus", "as well as" or a comma, and
the next thing's own count, colour, size or article ("and 2 of the grey"). "The black and
white hoodie" names one thing (colours are no mentions); "hoodies and jackets" searched for
is not touched (only requests about products are split, see `LISTED_INTENTS`).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from nlu.catalog import CatalogIndex, Mention
from nlu.extract import COLOURS
from nlu.text import Token, tokenize, wordlist

#: The requests whose object can be several products at once.
LISTED_INTENTS: Final = frozenset({"add_to_cart", "remove_from_cart", "add_to_wishlist"})

#: Between two things: the joining word, then the next thing's own words before its name.
_JOIN: Final = re.compile(
    r"^\s*(?:,\s*(?:and\s+|&\s*|plus\s+)?|&\s*|(?:and|plus|n|as\s+well\s+as|also)\s+)"
    r"(?P<own>.*)$",
    re.IGNORECASE | re.DOTALL,
)

#: Between two runs of catalog words, what keeps them one name ("usb-c charger", "t-shirt").
_PART_OF_NAME: Final = re.compile(r"^[\s/-]*(?:[a-z0-9]{1,2}[\s/-]*)?$", re.IGNORECASE)

#: What a thing's own words before its name may be: an article, a count, a colour, a size.
_OWN: Final = wordlist(
    "the a an some my one two three four five six seven eight nine ten another more of pair"
    " pairs x size small medium large xs s m l xl xxl"
) | frozenset(COLOURS)


def _own(word: str) -> bool:
    return word in _OWN or word.isdigit() or re.fullmatch(r"x\d{1,3}|\d{1,3}x", word) is not None


def listed(text: str, catalog: CatalogIndex) -> list[str]:
    """The request worded once for each thing `text` lists (in the order said), or [] when
    it names fewer than two things as a list."""
    tokens = tokenize(text)
    colours = {i for i, token in enumerate(tokens) if token.lower in COLOURS}
    mentions: list[Mention] = []
    for m in catalog.find_mentions(tokens, colours):
        last = mentions[-1] if mentions else None
        if last is not None and _PART_OF_NAME.match(
            text[tokens[last.end - 1].end : tokens[m.start].start]
        ):  # "usb-c charger": one name, whatever its middle
            m = Mention(last.start, m.end, text[tokens[last.start].start : tokens[m.end - 1].end])
            mentions.pop()
        mentions.append(m)
    mentions = [m for m in mentions if catalog.resolve(m.text, limit=1)]
    if len(mentions) < 2:
        return []
    starts = [_first_own(text, tokens, mentions[0].start, stop=0)]
    for before, after in pairwise(mentions):
        gap = text[tokens[before.end - 1].end : tokens[after.start].start]
        joined = _JOIN.match(gap)
        if joined is None:
            return []
        own = joined.group("own").split()
        if not all(_own(w.lower().strip(",")) for w in own):
            return []
        starts.append(_first_own(text, tokens, after.start, stop=before.end))
    head = text[: tokens[starts[0]].start]
    if re.search(r"(?:,|&|\band|\bplus)\s*$", head, re.IGNORECASE):
        return []  # "add unicorns, the lamp and the kettle": so is one before the first
    tail = text[tokens[mentions[-1].end - 1].end :]
    if _JOIN.match(tail) and re.match(r"^\s*(?:,|&|and\b|plus\b)", tail, re.IGNORECASE):
        return []  # "…, a yoga mat and 3 unicorns": a thing the shop does not know is listed
    return [
        (head + text[tokens[start].start : tokens[m.end - 1].end] + tail).strip()
        for start, m in zip(starts, mentions, strict=True)
    ]


def _first_own(text: str, tokens: list[Token], at: int, *, stop: int) -> int:
    """Where the thing whose name starts at token `at` starts: its own words before the name
    (article, count, colour, size, and a part joined by a hyphen: "t-shirt"), back to token
    `stop` at most."""
    while at > stop and (
        _own(tokens[at - 1].lower) or text[tokens[at - 1].end : tokens[at].start] == "-"
    ):
        at -= 1
    return at
