"""Shared fixtures: real databases, a clean state for every test.

`db` runs a test on SQLite and on PostgreSQL. SQLite gets a fresh copy of a migrated file per
test; PostgreSQL gets a database of its own for the test session (migrated once) whose tables
are truncated before every test. PostgreSQL is found through TEST_POSTGRES_URL (default: the
local server's `test` database, which is used only to create and drop the session's own
database). Without a reachable server the PostgreSQL half is skipped with one line saying why,
except under CI=true, where it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Base
from storage.uow import UnitOfWork

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = make_url(
    os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
).set(drivername="postgresql+asyncpg")


@dataclass
class Database:
    """A migrated, empty database for one test."""

    kind: str  # "sqlite" or "postgresql"
    url: URL
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)


# --- PostgreSQL ---------------------------------------------------------------------------
def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def pg_unavailable_reason() -> str | None:
    try:
        conn = await asyncpg.connect(_dsn(PG_URL), timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"no PostgreSQL at {PG_URL.render_as_string()} ({exc}); set TEST_POSTGRES_URL"
    await conn.close()
    return None


async def create_pg_database(prefix: str) -> URL:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(_dsn(PG_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_URL.set(database=name)


async def drop_pg_database(url: URL) -> None:
    conn = await asyncpg.connect(_dsn(PG_URL))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_ready() -> None:
    reason = asyncio.run(pg_unavailable_reason())
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unreachable: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
async def pg_session_db(postgres_ready: None) -> AsyncIterator[Database]:
    url = await create_pg_database("shop_test")
    engine = make_engine(url)
    await migrate.upgrade(engine)
    try:
        yield Database("postgresql", url, engine, make_sessionmaker(engine))
    finally:
        await engine.dispose()
        await drop_pg_database(url)


async def truncate_all(engine: AsyncEngine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


# --- SQLite -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(engine)
    await engine.dispose()
    return path


# --- the fixture tests use ----------------------------------------------------------------
@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "shop.db"
    shutil.copyfile(sqlite_template, path)
    url = make_url(f"sqlite+aiosqlite:///{path}")
    engine = make_engine(url)
    try:
        yield Database("sqlite", url, engine, make_sessionmaker(engine))
    finally:
        await engine.dispose()


@pytest.fixture
async def postgres_db(pg_session_db: Database) -> Database:
    await truncate_all(pg_session_db.engine)
    return pg_session_db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL, each from an empty migrated schema."""
    name = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    database: Database = request.getfixturevalue(name)
    return database


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, in one line, why PostgreSQL tests were skipped (and how many)."""
    reasons = [
        str(report.longrepr[2])
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and "PostgreSQL tests skipped" in report.longrepr[2]
    ]
    if reasons:
        terminalreporter.write_line(f"{len(reasons)} {reasons[0].removeprefix('Skipped: ')}")
