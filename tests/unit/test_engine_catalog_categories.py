"""The category tree without a database: its depth-first walk, the way up from a category,
and the tree kept between calls, served without a transaction only where it was checked,
only while it is still the kept one, and only for TREE_CHECK_SECONDS."""

from __future__ import annotations

import contextvars

import pytest

from engine.catalog import categories
from engine.catalog.categories import CategoryTree, depth_first, upwards

ROWS = (  # id, name, slug, parent; ordered by name as the database reads them
    (5, "Books", "books", None),
    (1, "Fashion", "fashion", None),
    (4, "Hoodies", "hoodies", 2),
    (2, "Men", "men", 1),
    (3, "T-Shirts", "t-shirts", 2),
)


def test_the_tree_lists_parents_before_children_and_siblings_by_name() -> None:
    nodes = depth_first(ROWS)
    assert [(n.name, n.depth) for n in nodes] == [
        ("Books", 0),
        ("Fashion", 0),
        ("Men", 1),
        ("Hoodies", 2),
        ("T-Shirts", 2),
    ]


def test_the_way_up_ends_at_the_top_and_walks_a_cycle_once() -> None:
    parents = {row[0]: row[3] for row in ROWS}
    assert upwards(parents, 3) == [3, 2, 1]
    assert upwards(parents, 5) == [5]
    assert upwards(parents, 99) == []
    assert upwards({1: 2, 2: 1}, 1) == [1, 2]


def test_the_same_rows_keep_the_same_tree_and_changed_rows_make_a_new_one() -> None:
    tree = CategoryTree()
    kept = tree.keep(ROWS)
    assert tree.keep(tuple(ROWS)) is kept
    renamed = ((5, "Novels", "books", None), *ROWS[1:])
    assert tree.keep(renamed) is not kept


def test_a_checked_tree_is_served_only_in_the_context_that_checked_it() -> None:
    tree = CategoryTree()
    serve = tree.serving(tree.keep(ROWS))
    handler = contextvars.copy_context()
    handler.run(serve)
    assert handler.run(tree.served) == list(depth_first(ROWS))
    assert contextvars.copy_context().run(tree.served) is None


def test_a_checked_tree_is_not_served_once_a_category_changed_here() -> None:
    tree = CategoryTree()
    handler = contextvars.copy_context()
    handler.run(tree.serving(tree.keep(ROWS)))
    tree.forget()
    assert handler.run(tree.served) is None
    tree.keep(ROWS)  # read again: the same rows, but a tree nobody checked
    assert handler.run(tree.served) is None


def test_a_checked_tree_is_read_again_after_the_check_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(categories, "monotonic", lambda: clock[0])
    tree = CategoryTree()
    handler = contextvars.copy_context()
    handler.run(tree.serving(tree.keep(ROWS)))
    clock[0] += categories.TREE_CHECK_SECONDS
    assert handler.run(tree.served) is not None
    clock[0] += 0.5
    assert handler.run(tree.served) is None
