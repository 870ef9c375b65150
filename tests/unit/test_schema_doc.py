"""docs/schema.md names every column and table the shop adds to the design document."""

from __future__ import annotations

from storage.models import DESIGN_TABLES, Base
from tests.conftest import ROOT
from tests.design import TRANSCRIPTION

DOC = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")


def test_every_added_column_is_explained() -> None:
    unexplained = []
    for design_name, model in DESIGN_TABLES.items():
        design_columns = set(TRANSCRIPTION[design_name].columns)
        for column in model.__table__.columns:
            name = f"`{model.__tablename__}.{column.name}`"
            if column.name not in design_columns and name not in DOC:
                unexplained.append(name)
    assert unexplained == []


def test_every_added_table_is_explained() -> None:
    design = {model.__tablename__ for model in DESIGN_TABLES.values()}
    added = [t for t in Base.metadata.tables if t not in design]
    assert added
    assert [t for t in added if f"`{t}`" not in DOC] == []
