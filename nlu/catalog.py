"""Fuzzy matching of product and category mentions against the live catalog.

The index is built from plain tuples so the nlu layer never touches the database: the caller
(a handler, a test) passes what the engine's catalog view returns. Typed words are mapped to
catalog words exactly, by a crude plural stem, by a small synonym table, or by edit distance;
products are then scored by how much of the mention their name and category explain, weighted
so that rare words ("zip") count more than common ones ("hoodie").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from nlu.extract import COLOURS
from nlu.numbers import COUNT_PHRASES, TENS, UNITS
from nlu.text import Token, stem, wordlist, words

#: Spellings people use that neither stemming nor one typo explains.
SYNONYMS = {
    "hoody": "hoodie",
    "hoodys": "hoodie",
    "tshirt": "shirt",
    "tshirts": "shirt",
    "tees": "tee",
    "sneaks": "sneaker",
    "trainers": "sneaker",
    "trainer": "sneaker",
    "kicks": "sneaker",
    "headphone": "headphones",
    "headset": "headphones",
    "earphones": "headphones",
    "cans": "headphones",
    "skillet": "skillet",
    "frying": "skillet",
    "pan": "pan",
    "usbc": "usb",
    "notebook": "novel",
    "tent": "tent",
    "mat": "mat",
}
#: Everyday words that must never be "corrected" into a catalog word (show -> shoe).
COMMON_WORDS = frozenset(
    wordlist(
        """a about add added after again all also am an and any anything are as ask at away back
        bag basket be been best bit both but buy by can cancel cart check cheap cheaper checkout
        code colour color cost could coupon deliver delivery did do does done dont don't each
        else even every find for from get give go good got had has have help hello her here hey
        hi him his how i i'd i'm if in info into is it it's its just keep know last leave let
        like list look looking love make many may me mine more most much must my need new next
        no not now of off ok okay on one only or order other our out over pay pls please plz
        price put rate really refund remove return review see sell send shop show size so some
        still such take tell than thank thanks that the their them then there these they thing
        this those to too track under up us use very want was way we were what when where which
        while who why will wish with wishlist would yes you your stuff item items something
        thing"""
    )
)
#: Words that can sit inside a product name but never make a mention on their own.
_WEAK = frozenset({"over", "two", "room", "set", "pair", "print", "large", "person", "basic"})
_NUMBERISH = frozenset(UNITS) | frozenset(TENS) | frozenset(COUNT_PHRASES)


@dataclass(frozen=True)
class CatalogItem:
    """One product as the index sees it."""

    product_id: int
    name: str
    category: str
    attributes: tuple[str, ...] = ()  # e.g. ("red", "cotton"); colour words in names count too


@dataclass(frozen=True)
class Mention:
    """A run of tokens that reads like a catalog name: tokens[start:end]."""

    start: int
    end: int
    text: str


CatalogRow = CatalogItem | tuple[int, str, str] | tuple[int, str, str, Sequence[str]]


def _name_words(text: str) -> list[str]:
    return [stem(w) for w in words(text) if len(w) > 1 and w != "and"]


class CatalogIndex:
    """Products and categories, searchable by fuzzy mention."""

    def __init__(self, items: Sequence[CatalogItem], categories: Iterable[str] = ()) -> None:
        self.items = tuple(items)
        self._names = [frozenset(_name_words(i.name)) for i in self.items]
        self._cats = [frozenset(_name_words(i.category)) for i in self.items]
        self._attrs = [frozenset(_name_words(" ".join(i.attributes))) for i in self.items]
        self.categories: dict[frozenset[str], str] = {}
        for name in [*categories, *(i.category for i in self.items)]:
            key = frozenset(_name_words(name))
            if key:
                self.categories.setdefault(key, name)
        self.vocabulary = frozenset().union(
            *self._names, *self._cats, *self._attrs, *self.categories
        )
        df: dict[str, int] = {}
        for names, cats, attrs in zip(self._names, self._cats, self._attrs, strict=True):
            for word in names | cats | attrs:
                df[word] = df.get(word, 0) + 1
        total = max(len(self.items), 1)
        self._weight = {w: math.log(1 + total / df.get(w, 1)) for w in self.vocabulary}
        self._by_first: dict[str, list[str]] = {}
        for word in self.vocabulary:
            self._by_first.setdefault(word[0], []).append(word)
            self._by_first.setdefault(word[-2:], []).append(word)
        self._cache: dict[str, str | None] = {}
        self.protected = COMMON_WORDS
        #: the shop's coupon codes, upper case: "save ten" is read as SAVE10 when it exists
        self.coupons: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        rows: Iterable[CatalogRow],
        categories: Iterable[str] = (),
        common_words: Iterable[str] = (),
        coupons: Iterable[str] = (),
    ) -> CatalogIndex:
        """From `(product_id, name, category_name[, attributes])` tuples or CatalogItems;
        `categories` adds parent categories that hold no product directly."""
        items: list[CatalogItem] = []
        for row in rows:
            if isinstance(row, CatalogItem):
                items.append(row)
            elif len(row) == 4:
                items.append(CatalogItem(row[0], row[1], row[2], tuple(row[3])))
            else:
                items.append(CatalogItem(row[0], row[1], row[2]))
        index = cls(items, categories)
        index.protected = COMMON_WORDS | frozenset(w.lower() for w in common_words)
        index.coupons = frozenset(c.strip().upper() for c in coupons if c.strip())
        return index

    # --- words ---------------------------------------------------------------------------
    def canonical(self, word: str) -> str | None:
        """The catalog word a typed word stands for, or None."""
        if word in self._cache:
            return self._cache[word]
        result = self._canonical(word.lower())
        if len(self._cache) < 50_000:
            self._cache[word] = result
        return result

    def _canonical(self, word: str) -> str | None:
        for candidate in (word, stem(word), SYNONYMS.get(word), SYNONYMS.get(stem(word))):
            if candidate and candidate in self.vocabulary:
                return candidate
        if len(word) < 4 or word in self.protected or stem(word) in self.protected:
            return None
        if any(c.isdigit() for c in word):
            return None
        target = stem(word)
        limit = 1 if len(target) <= 6 else 2
        best: tuple[int, str] | None = None
        pool = {*self._by_first.get(target[0], ()), *self._by_first.get(target[-2:], ())}
        for known in sorted(pool):
            if abs(len(known) - len(target)) > limit or len(known) < 4:
                continue
            distance = OSA.distance(target, known, score_cutoff=limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, known)
        return best[1] if best else None

    def weight(self, word: str) -> float:
        return self._weight.get(word, 0.0)

    # --- categories ----------------------------------------------------------------------
    def match_category(self, fragment: str) -> str | None:
        """The category a fragment names ("hoodies", "running shoes"), if it names one."""
        key = frozenset(c for c in (self.canonical(w) for w in words(fragment)) if c)
        if not key or len(key) != len([w for w in words(fragment) if w not in ("and", "the")]):
            return None
        return self.categories.get(key)

    # --- products ------------------------------------------------------------------------
    def resolve(
        self,
        fragment: str,
        attributes: Mapping[str, str] | Iterable[str] = (),
        *,
        min_score: float = 0.55,
        limit: int = 10,
    ) -> list[tuple[int, float]]:
        """Products a mention may mean, best first, as (product_id, score in 0..1).

        `attributes` (colour, size, …) are matched against names and attributes like typed
        words, so "zip hoodie" with colour red prefers the Red Zip Hoodie."""
        values = attributes.values() if isinstance(attributes, Mapping) else attributes
        said = {c for c in (self.canonical(w) for w in words(fragment)) if c}
        extra = {c for c in (self.canonical(w) for v in values for w in words(v)) if c}
        if not said - COLOURS.keys():
            return []  # a colour alone names no product
        query = said | extra
        total = sum(self.weight(w) for w in query) or 1.0
        scored: list[tuple[int, float]] = []
        for item, names, cats, attrs in zip(
            self.items, self._names, self._cats, self._attrs, strict=True
        ):
            own = names | attrs
            if not said & (own | cats):
                continue
            in_name = query & own
            in_cat = (query & cats) - in_name
            recall = (
                sum(self.weight(w) for w in in_name) + 0.8 * sum(self.weight(w) for w in in_cat)
            ) / total
            precision = len(names & query) / max(len(names), 1)
            score = round(0.75 * recall + 0.25 * precision, 6)
            if score >= min_score:
                scored.append((item.product_id, score))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:limit]

    def search_words(self, text: str) -> str:
        """What to search for when a message is no clear request: its words without the
        everyday ones ("i", "want", "please", the words around entities in the training
        phrases) and counts, as typed (the shop's search forgives typos itself) but for
        synonyms and colour names: "i want two black t-shirts" -> "black shirts". Words the
        index does not know stay (a product listed since it was built); "" when nothing is
        left."""
        kept: list[str] = []
        for word in words(text):
            if word in _NUMBERISH:
                continue
            catalog_word = word in COLOURS or self.canonical(word) is not None
            if not catalog_word and (word in self.protected or len(word) < 2):
                continue
            said = COLOURS.get(word) or SYNONYMS.get(word) or word
            if said not in kept:
                kept.append(said)
        return " ".join(kept)

    def find_mentions(self, tokens: Sequence[Token], skip: Iterable[int] = ()) -> list[Mention]:
        """Runs of consecutive tokens that are catalog words, not crossing skipped tokens."""
        skipped = set(skip)
        mentions: list[Mention] = []
        run: list[int] = []

        def close() -> None:
            useful = [i for i in run if tokens[i].lower not in _WEAK | _NUMBERISH]
            if useful:
                text = " ".join(tokens[i].text for i in run)
                mentions.append(Mention(run[0], run[-1] + 1, text))
            run.clear()

        for i, token in enumerate(tokens):
            if i not in skipped and self.canonical(token.lower) is not None:
                run.append(i)
            else:
                close()
        close()
        return mentions
