"""Migrations bring an empty database to the models' schema, and back, on both back ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import make_engine
from storage.migrate import include_object
from storage.models import Base
from tests.conftest import create_pg_database, drop_pg_database


@pytest.fixture
async def empty_sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def empty_postgresql(postgres_ready: None) -> AsyncIterator[AsyncEngine]:
    url = await create_pg_database("shop_migrations")
    engine = make_engine(url)
    yield engine
    await engine.dispose()
    await drop_pg_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest) -> AsyncEngine:
    """A database with no tables at all, on each back end."""
    engine: AsyncEngine = request.getfixturevalue(f"empty_{request.param}")
    return engine


def _differences(sync: Connection) -> list[Any]:
    context = MigrationContext.configure(
        sync, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(sync: Connection) -> set[str]:
    return set(inspect(sync).get_table_names())


async def test_migrating_an_empty_database_gives_exactly_the_models(
    empty_engine: AsyncEngine,
) -> None:
    assert await migrate.current_revision(empty_engine) is None
    await migrate.upgrade(empty_engine)
    assert await migrate.current_revision(empty_engine) == migrate.head_revision()
    async with empty_engine.connect() as conn:
        differences = await conn.run_sync(_differences)
        tables = await conn.run_sync(_tables)
    assert differences == []
    assert set(Base.metadata.tables) <= tables


async def test_downgrade_removes_everything_and_upgrade_restores_it(
    empty_engine: AsyncEngine,
) -> None:
    await migrate.upgrade(empty_engine)
    await migrate.downgrade(empty_engine, "base")
    async with empty_engine.connect() as conn:
        assert await conn.run_sync(_tables) == {"alembic_version"}
    await migrate.upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


async def test_migrating_twice_is_harmless(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)
    await migrate.upgrade(empty_engine)
    assert await migrate.current_revision(empty_engine) == migrate.head_revision()
