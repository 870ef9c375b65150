"""Search's rules that need no database: the words of a text, how many typos a word may have,
which catalog words a query word may mean, and how a product scores and ranks."""

from __future__ import annotations

from engine.catalog.search import Ranked, close_words, score, tolerance
from storage.vocabulary import tokenize, words

VOCABULARY = {"hoodie", "hoodies", "zip", "white", "grey", "mug", "mugs", "t", "shirt"}


def test_words_are_lowercase_runs_of_letters_and_digits_without_accents() -> None:
    assert words("Zip Hoodie, size XL-2") == ["zip", "hoodie", "size", "xl", "2"]
    assert words("Crème brûlée Mug") == ["creme", "brulee", "mug"]
    assert words("Cre\u0300me") == ["creme"]  # the accent typed as a mark of its own
    assert words("Levi’s Jeans, ＵＳＢ") == ["levi's", "jeans", "usb"]
    assert words("футболка") == ["футболка"]  # other scripts are words too
    assert words("…!") == []


def test_numbers_stay_whole_and_never_start_a_word() -> None:
    assert words("2 for $12.50, order #16, 1/2 price") == [
        *("2", "for", "$12.50", "order", "#16", "1/2", "price")
    ]
    assert words("size 2XL") == ["size", "2", "xl"]


def test_a_token_keeps_the_spelling_and_place_it_was_typed_in() -> None:
    text = "a Crème MUG"
    assert [(t.text, t.lower, text[t.start : t.end]) for t in tokenize(text)] == [
        ("a", "a", "a"),
        ("Crème", "creme", "Crème"),
        ("MUG", "mug", "MUG"),
    ]


def test_longer_words_may_have_more_typos() -> None:
    assert [tolerance(w) for w in ("mug", "hoodie", "sweatshirt")] == [0, 1, 2]


def test_a_query_word_means_the_catalog_words_within_its_typos_or_that_it_begins() -> None:
    assert close_words("hodoie", VOCABULARY) == {"hoodie": 1}  # two letters swapped: one typo
    assert close_words("hoo", VOCABULARY) == {"hoodie": 0, "hoodies": 0}
    assert close_words("mgu", VOCABULARY) == {}  # three letters: no typo allowed
    assert close_words("mu", VOCABULARY) == {}  # two letters begin nothing
    assert close_words("whyte", VOCABULARY) == {"white": 1}


def test_a_word_in_the_name_scores_twice_what_it_scores_in_the_category() -> None:
    exact = {"hoodie": {"hoodie": 0}}
    assert score(exact, {"zip", "hoodie"}, {"fashion"}) == (3.0, True)
    assert score(exact, {"zip"}, {"hoodie"}) == (1.5, False)
    assert score(exact, {"mug"}, {"kitchen"}) == (0.0, False)
    typo = {"hodoie": {"hoodie": 1}}
    assert score(typo, {"hoodie"}, set()) == (2.0, True)
    assert score(typo, set(), {"hoodie"}) == (1.0, False)


def test_a_product_is_named_only_when_every_query_word_is_in_its_name() -> None:
    variants = {"white": {"white": 0}, "hoodie": {"hoodie": 0}}
    assert score(variants, {"white", "zip", "hoodie"}, set()) == (6.0, True)
    assert score(variants, {"grey", "hoodie"}, {"white"}) == (4.5, False)


def test_candidates_rank_by_score_then_by_sales() -> None:
    ranked = sorted(
        [Ranked(-3.0, -5, 1, True), Ranked(-6.0, -1, 2, True), Ranked(-3.0, -9, 3, False)]
    )
    assert [r.product_id for r in ranked] == [2, 3, 1]
    assert ranked[0].score == 6.0
