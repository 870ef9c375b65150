"""Search, tolerant of typos the same way on both databases: the query's words are matched
against the catalog's own words (rapidfuzz's OSA distance, allowed by word length, or a
prefix), then the visible products holding a matched word are ranked by where they matched.

The catalog's words are kept between searches (`Vocabulary`) and brought up to date from
what tells that the catalog changed (`catalog_marker`), read through indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from rapidfuzz.distance import OSA
from sqlalchemy import func, or_, select

from engine.catalog.browse import Sort, effective_price, price_range, visible_to_buyers
from storage.models import Category, Product
from storage.uow import UnitOfWork
from storage.vocabulary import tokenize, words

SEARCH_CANDIDATES = 2000  # products ranked per search
QUERY_WORDS = 8  # words of a query searched for; the rest are ignored
VOCABULARY_SLACK = timedelta(minutes=5)  # longer than any transaction that renames a product


def tolerance(word: str) -> int:
    """How many typos a query word may have: none up to 3 letters, one up to 6, else two."""
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


def close_words(word: str, vocabulary: Iterable[str]) -> dict[str, int]:
    """The catalog's words a query word may mean, with its typo distance from each: those
    within its tolerance, and (from three letters) those it begins, at distance 0."""
    limit = tolerance(word)
    close = {v: d for v in vocabulary if (d := OSA.distance(word, v, score_cutoff=limit)) <= limit}
    if len(word) >= 3:
        close.update({v: 0 for v in vocabulary if v.startswith(word)})
    return close


def score(
    variants: Mapping[str, Mapping[str, int]], name: set[str], category: set[str]
) -> tuple[float, bool]:
    """How well a product (the words of its `name` and of its `category`'s) matches the query
    (each query word's `variants`): a word in the name scores 3 less its typo distance, a
    word in the category half that; and whether every query word is in the name."""
    total = 0.0
    named = True
    for close_terms in variants.values():
        best, in_name = 0.0, False
        for term, distance in close_terms.items():
            if term in name:
                best, in_name = max(best, 3.0 - distance), True
            elif term in category:
                best = max(best, 1.5 - distance / 2)
        total += best
        named = named and in_name
    return total, named


@dataclass(frozen=True, order=True)
class Ranked:
    """A search candidate, sorted best first (the negated score, then the negated sales, then
    the product id); what the other sorts order by rides along."""

    neg_score: float
    neg_sold: int
    product_id: int
    named: bool = field(compare=False)  # every query word is in its name
    price: Decimal = field(default=Decimal(0), compare=False)  # what it sells for now
    created_at: datetime | None = field(default=None, compare=False)
    rating: Fraction = field(default=Fraction(0), compare=False)  # 0 without reviews
    review_count: int = field(default=0, compare=False)

    @property
    def score(self) -> float:
        return -self.neg_score


# a sort other than the best match: (what it orders by, descending?); ties keep the best match
_SORT_KEYS: dict[Sort, tuple[Callable[[Ranked], Any], bool]] = {
    Sort.price_asc: (lambda r: r.price, False),
    Sort.price_desc: (lambda r: r.price, True),
    Sort.newest: (lambda r: r.created_at, True),
    Sort.rating: (lambda r: (r.rating, r.review_count), True),
    Sort.popularity: (lambda r: r.neg_sold, False),
}


def in_order(scored: list[Ranked], sort: Sort | None) -> list[Ranked]:
    """The ranked candidates in the order asked for: the best match first (None), or by
    price, newest, rating or sales as browsing sorts them, the better match first among
    equals (so the order is the same on every page)."""
    best_first = sorted(scored)
    if sort is None:
        return best_first
    key, descending = _SORT_KEYS[sort]
    return sorted(best_first, key=key, reverse=descending)  # stable: ties stay best first


async def ranked(
    uow: UnitOfWork,
    vocabulary: Vocabulary,
    text: str,
    min_price: Decimal | None,
    max_price: Decimal | None,
) -> list[Ranked]:
    """The visible products matching the words of `text`, best first (`score`); ties go to
    the better seller."""
    said = words(text)[:QUERY_WORDS]
    if not said:
        return []
    known = await vocabulary.words(uow)
    variants = {word: close_words(word, known) for word in said}
    # a folded word ("creme") is looked for as the names spell it ("crème")
    spellings = {s for close_terms in variants.values() for t in close_terms for s in known[t]}
    if not spellings:
        return []
    name = func.lower(Product.name)
    category = func.lower(Category.name)
    matches = [column.like(f"%{s}%") for s in spellings for column in (name, category)]
    # only what ranking needs: whole products are loaded for the chosen page alone
    rows = (
        await uow.session.execute(
            visible_to_buyers(
                select(
                    Product.product_id,
                    Product.name,
                    Product.sold_count,
                    Category.name,
                    effective_price(),
                    Product.created_at,
                    Product.rating_sum,
                    Product.review_count,
                )
            )
            .join(Category, Category.category_id == Product.category_id)
            .where(or_(*matches), *price_range(min_price, max_price))
            # the same candidates for every page: without an order the database may hand
            # over another set each time (PostgreSQL does, once rows are updated)
            .order_by(Product.sold_count.desc(), Product.product_id)
            .limit(SEARCH_CANDIDATES)
        )
    ).all()
    category_words: dict[str, set[str]] = {}
    scored = []
    for product_id, product_name, sold_count, category_name, *more in rows:
        in_category = category_words.get(category_name)
        if in_category is None:
            in_category = category_words[category_name] = set(words(category_name))
        points, named = score(variants, set(words(product_name)), in_category)
        if points > 0:
            price, created_at, rating_sum, review_count = more
            rating = Fraction(rating_sum, review_count) if review_count else Fraction(0)
            scored.append(
                Ranked(
                    -points,
                    -sold_count,
                    product_id,
                    named,
                    Decimal(price),
                    created_at,
                    rating,
                    review_count,
                )
            )
    scored.sort()
    return scored


# --- the catalog's words ---------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogMarker:
    newest_id: int
    newest_update: datetime | None
    categories: int
    category_update: datetime | None


async def catalog_marker(uow: UnitOfWork) -> CatalogMarker:
    """What tells that the catalog changed, read through indexes (newest product id and
    update, the categories' count and newest update)."""
    newest_id, newest_update, categories, category_update = (
        await uow.session.execute(
            select(
                select(func.max(Product.product_id)).scalar_subquery(),
                select(func.max(Product.updated_at)).scalar_subquery(),
                select(func.count(Category.category_id)).scalar_subquery(),
                select(func.max(Category.updated_at)).scalar_subquery(),
            )
        )
    ).one()
    return CatalogMarker(newest_id or 0, newest_update, categories, category_update)


class Vocabulary:
    """Every word of every product name and category name, kept between searches, with the
    ways names spell it (lowercase): the word "creme" is spelt "crème" in "Crème Mug"."""

    def __init__(self) -> None:
        self._kept: tuple[CatalogMarker, dict[str, frozenset[str]]] | None = None

    async def words(self, uow: UnitOfWork) -> Mapping[str, frozenset[str]]:
        """The words and their spellings, brought up to date in the caller's transaction.

        What tells that the catalog changed is read through indexes, never by scanning
        products: the newest product id (new products), the newest products.updated_at
        (renames; ix_products_updated_at), and the categories' count and newest update (a
        small table). New and recently updated products only add their words; a change
        among the categories, or a product id going backwards, rebuilds them all. Words of a
        renamed product's old name may stay: a word no product has scores nothing, so
        results are unchanged. A transaction commits after it wrote updated_at, so products
        updated within VOCABULARY_SLACK before the last marker are read again.
        """
        marker = await catalog_marker(uow)
        old, spelt = self._kept or (None, {})
        if old == marker:
            return spelt
        spelt = dict(spelt)  # a copy: a search running meanwhile keeps the one it was given
        if (
            old is not None
            and (old.categories, old.category_update) == (marker.categories, marker.category_update)
            and marker.newest_id >= old.newest_id
        ):
            touched = Product.product_id > old.newest_id
            if old.newest_update is not None:
                touched = or_(touched, Product.updated_at >= old.newest_update - VOCABULARY_SLACK)
            names = select(Product.name).where(touched)  # only new and renamed products'
        else:
            spelt.clear()
            names = select(Product.name).distinct()
            for (text,) in (await uow.session.execute(select(Category.name))).all():
                _add_words(spelt, text)
        for (text,) in (await uow.session.execute(names)).all():
            _add_words(spelt, text)
        self._kept = (marker, spelt)
        return spelt


def _add_words(spelt: dict[str, frozenset[str]], name: str) -> None:
    for token in tokenize(name):
        spelling = token.text.lower()
        if spelling not in spelt.get(token.lower, ()):
            spelt[token.lower] = spelt.get(token.lower, frozenset()) | {spelling}
