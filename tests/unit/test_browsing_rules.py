"""Pure rules behind the browsing screens: the breadcrumb, where Back leads from a category's
products, and the cart's version that a confirmation carries."""

from __future__ import annotations

from decimal import Decimal

from engine.cart import CartLine, CartView
from engine.catalog import CategoryNode, parent_screen, path_to

TREE = [
    CategoryNode(1, "Fashion", "fashion", None, 0),
    CategoryNode(2, "Men", "men", 1, 1),
    CategoryNode(3, "T-Shirts", "t-shirts", 2, 2),
    CategoryNode(4, "Hoodies", "hoodies", 2, 2),
    CategoryNode(5, "Books", "books", None, 0),
]


def test_the_path_runs_from_the_top_down_to_the_category() -> None:
    assert [c.name for c in path_to(TREE, 3)] == ["Fashion", "Men", "T-Shirts"]
    assert [c.name for c in path_to(TREE, 1)] == ["Fashion"]
    assert path_to(TREE, 0) == []
    assert path_to(TREE, 99) == []


def test_back_from_a_leafs_products_is_its_parent_and_from_all_in_it_is_the_category() -> None:
    assert parent_screen(TREE, 3) == 2  # T-Shirts' products: back to Men
    assert parent_screen(TREE, 2) == 2  # "All in Men": back to Men's sub-categories
    assert parent_screen(TREE, 5) == 0  # a top-level leaf: back to the top
    assert parent_screen(TREE, 99) == 0


def _line(product_id: int, quantity: int) -> CartLine:
    return CartLine(product_id, f"P{product_id}", 1, quantity, Decimal("1.00"), Decimal("1.00"), 9)


def test_a_carts_version_changes_with_any_line_or_quantity_and_only_then() -> None:
    one = CartView(7, [_line(1, 2), _line(2, 1)])
    assert one.version == CartView(7, [_line(1, 2), _line(2, 1)]).version
    assert one.version != CartView(7, [_line(1, 3), _line(2, 1)]).version
    assert one.version != CartView(7, [_line(1, 2)]).version
    assert one.version != CartView(7, []).version
    assert len(one.version) <= 20  # it rides in a button's 64 bytes
