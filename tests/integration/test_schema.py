"""The migrated database holds the design document's schema, with its rules in the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.models import DESIGN_TABLES
from tests.conftest import Database
from tests.design import TRANSCRIPTION, design_tables, find_design_doc, parse_design

TABLE_OF = {name: model.__tablename__ for name, model in DESIGN_TABLES.items()}
ADDED_TABLES = {
    "returns",
    "return_items",
    "refunds",
    "outbox",
    "processed_updates",
    "conversation_states",
}

# Rules the foundation issue names, by table: CHECK constraints that must exist.
REQUIRED_CHECKS: dict[str, set[str]] = {
    "reviews": {"ck_reviews_rating_1_to_5"},
    "products": {
        "ck_products_stock_not_negative",
        "ck_products_price_not_negative",
        "ck_products_discount_below_price",
    },
    "cart_items": {"ck_cart_items_quantity_positive", "ck_cart_items_price_not_negative"},
    "order_items": {"ck_order_items_quantity_positive", "ck_order_items_price_not_negative"},
    "return_items": {"ck_return_items_quantity_positive"},
    "orders": {"ck_orders_total_adds_up", "ck_orders_amounts_not_negative"},
    "payments": {"ck_payments_amount_not_negative", "ck_payments_refund_within_amount"},
    "coupons": {"ck_coupons_percentage_at_most_100", "ck_coupons_uses_within_max"},
    "inventory_logs": {"ck_inventory_logs_quantity_sign_matches_type"},
    "payouts": {"ck_payouts_amount_adds_up"},
}
# UNIQUE rules the issue names beyond the design's own UNIQUE columns
REQUIRED_UNIQUE: dict[str, list[tuple[str, ...]]] = {
    "users": [("telegram_id",), ("email",)],
    "coupons": [("code",)],
    "products": [("slug",), ("sku",)],
    "categories": [("slug",)],
    "reviews": [("product_id", "user_id")],
    "order_coupons": [("coupon_id", "user_id")],
    "payments": [("provider", "transaction_ref")],
}
BROWSE_FILTERS = ["category_id", "seller_id", "status", "price"]


def _schema(sync: Connection) -> dict[str, Any]:
    insp = inspect(sync)
    out: dict[str, Any] = {"tables": set(insp.get_table_names())}
    for table in out["tables"]:
        out[table] = {
            "columns": {c["name"] for c in insp.get_columns(table)},
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": insp.get_foreign_keys(table),
            "indexes": insp.get_indexes(table),
            "uniques": insp.get_unique_constraints(table),
            "checks": insp.get_check_constraints(table),
        }
    return out


_REFLECTED: dict[str, dict[str, Any]] = {}


@pytest.fixture
async def schema(db: Database) -> dict[str, Any]:
    """The migrated schema as the database reports it (reflected once per back end)."""
    if db.kind not in _REFLECTED:
        async with db.engine.connect() as conn:
            _REFLECTED[db.kind] = await conn.run_sync(_schema)
    return _REFLECTED[db.kind]


def _leading_columns(table: dict[str, Any]) -> set[str]:
    """Columns that lead some index (what a lookup by that column can use)."""
    leads = {ix["column_names"][0] for ix in table["indexes"] if ix["column_names"]}
    leads |= {uq["column_names"][0] for uq in table["uniques"]}
    if table["pk"]:
        leads.add(table["pk"][0])
    return leads


def _unique_sets(table: dict[str, Any]) -> set[tuple[str, ...]]:
    sets = {tuple(uq["column_names"]) for uq in table["uniques"]}
    sets |= {tuple(ix["column_names"]) for ix in table["indexes"] if ix.get("unique")}
    return sets


def test_design_transcription_matches_the_document() -> None:
    doc = find_design_doc()
    if doc is None:
        pytest.skip("design document not found (set DESIGN_DOC); using the transcription")
    assert parse_design(doc.read_text(encoding="utf-8")) == TRANSCRIPTION


def test_every_design_table_has_a_model() -> None:
    assert set(design_tables()) == set(DESIGN_TABLES)


@pytest.mark.parametrize("design_name", list(TRANSCRIPTION))
def test_design_table_exists_with_its_columns_keys_and_enums(
    schema: dict[str, Any], design_name: str
) -> None:
    design = design_tables()[design_name]
    table_name = TABLE_OF[design_name]
    assert table_name in schema["tables"], f"{design_name} is missing"
    table = schema[table_name]

    missing = [c for c in design.columns if c not in table["columns"]]
    assert not missing, f"{design_name} lacks design columns {missing}"
    assert table["pk"] == [design.primary_key]

    for column, target in design.foreign_keys.items():
        matching = [fk for fk in table["fks"] if fk["constrained_columns"] == [column]]
        assert matching, f"{design_name}.{column} has no foreign key"
        fk = matching[0]
        assert fk["referred_table"] == TABLE_OF[target]
        assert (fk.get("options") or {}).get("ondelete"), f"{design_name}.{column}: no ON DELETE"

    for column in design.unique:
        assert (column,) in _unique_sets(table), f"{design_name}.{column} is not UNIQUE"

    checks = " ".join(ck["sqltext"] for ck in table["checks"])
    for column, values in design.enums.items():
        for value in values:
            assert f"'{value}'" in checks, f"{design_name}.{column} does not allow {value!r}"


def test_every_foreign_key_is_indexed_and_deliberate(schema: dict[str, Any]) -> None:
    unindexed, undecided = [], []
    for table_name in schema["tables"]:
        if table_name in ("alembic_version",):
            continue
        table = schema[table_name]
        leads = _leading_columns(table)
        for fk in table["fks"]:
            column = fk["constrained_columns"][0]
            if column not in leads:
                unindexed.append(f"{table_name}.{column}")
            if not (fk.get("options") or {}).get("ondelete"):
                undecided.append(f"{table_name}.{column}")
    assert unindexed == []
    assert undecided == []


def test_required_checks_exist(schema: dict[str, Any]) -> None:
    for table_name, names in REQUIRED_CHECKS.items():
        present = {ck["name"] for ck in schema[table_name]["checks"]}
        assert names <= present, f"{table_name} lacks {names - present}"


def test_required_unique_constraints_exist(schema: dict[str, Any]) -> None:
    for table_name, column_sets in REQUIRED_UNIQUE.items():
        for columns in column_sets:
            assert columns in _unique_sets(schema[table_name]), f"{table_name}{columns}"


def test_browse_filters_are_indexed(schema: dict[str, Any]) -> None:
    leads = _leading_columns(schema["products"])
    assert set(BROWSE_FILTERS) <= leads


def test_one_default_address_per_type_and_one_primary_image(schema: dict[str, Any]) -> None:
    assert ("user_id", "type") in _unique_sets(schema["addresses"])
    assert ("product_id",) in _unique_sets(schema["product_images"])


def test_added_tables_exist(schema: dict[str, Any]) -> None:
    assert schema["tables"] >= ADDED_TABLES
