"""Reading a typed reference to the list the chat showed last (handlers.choices.refers)."""

from __future__ import annotations

from decimal import Decimal

from handlers.choices import PRODUCTS, Shown, refers

KETTLES = Shown(
    PRODUCTS,
    (11, 12, 13),
    ("Olive Pour-Over Kettle", "Red Pour-Over Kettle", "Kettlebell"),
    (Decimal("45.00"), Decimal("39.00"), Decimal("42.00")),
)
ONE = Shown(PRODUCTS, (7,), ("Teal Desk Lamp",), (Decimal("32.00"),))


def test_places_prices_and_words_pick_one() -> None:
    assert refers("the first one", KETTLES) == 0
    assert refers("2", KETTLES) == 1
    assert refers("the last", KETTLES) == 2
    assert refers("the cheaper one please", KETTLES) == 1  # by the prices shown
    assert refers("the most expensive one", KETTLES) == 0
    assert refers("show me the olive one", KETTLES) == 0
    assert refers("that one", ONE) == 0


def test_words_that_are_no_reference_fall_through() -> None:
    assert refers("that one", KETTLES) is None  # several shown: which?
    assert refers("add one", KETTLES) is None
    assert refers("kettle", KETTLES) is None
    assert refers("the fourth one", KETTLES) is None
    assert refers("the blue one", KETTLES) is None
    tied = Shown(PRODUCTS, (1, 2), ("A Mug", "B Mug"), (Decimal(5), Decimal(5)))
    assert refers("the cheapest one", tied) is None


def test_a_kept_list_reads_back_and_odd_data_is_none() -> None:
    assert Shown.of_data(KETTLES.to_data()) == KETTLES
    assert Shown.of_data({"kind": PRODUCTS, "ids": [1], "names": [], "prices": []}) is None
    assert Shown.of_data("x") is None
