"""A cart's line buttons tell its lines apart: names that would be clipped alike show what
differs between them instead."""

from __future__ import annotations

from handlers.keyboards import CART_NAME_LIMIT, distinct


def test_names_clipped_alike_show_what_tells_them_apart() -> None:
    names = ["Organic Cotton Tee, Black", "Organic Cotton Tee, White", "Kettle"]
    labels = distinct(names, CART_NAME_LIMIT)
    assert labels[2] == "Kettle"
    assert labels[0] != labels[1], labels
    assert labels[0] == "…Tee, Black", labels
    assert labels[1] == "…Tee, White", labels
    assert all(len(label) <= CART_NAME_LIMIT for label in labels), labels


def test_names_that_differ_early_are_only_clipped() -> None:
    labels = distinct(["Weeknight Cookbook", "Pour-over Kettle"], CART_NAME_LIMIT)
    assert labels == ["Weeknight…", "Pour-over…"], labels


def test_the_same_name_twice_stays_as_it_is() -> None:
    assert distinct(["Desk Lamp Deluxe", "Desk Lamp Deluxe"], CART_NAME_LIMIT) == [
        "Desk Lamp…",
        "Desk Lamp…",
    ]
