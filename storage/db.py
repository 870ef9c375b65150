"""Database engine and session factory for SQLite (embedded default) and PostgreSQL.

SQLite is opened with foreign keys enforced and WAL journaling; its calls run on the event
loop's thread, and a lock another process holds is waited for on the loop
(storage/sqlite_inline.py). Every transaction that may write starts with BEGIN IMMEDIATE:
SQLite ignores SELECT ... FOR UPDATE, so taking the write lock at the start of the
transaction is what serialises writers (a read-then-write transaction can otherwise fail
with "database is locked" half way through).
A transaction opened for reading only (`UnitOfWork.reading()`, which sets `READ_ONLY` on its
connection) begins DEFERRED: in WAL mode it reads a snapshot without any lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline

SUPPORTED = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_ALIASES = {"postgres": "postgresql", "sqlite3": "sqlite"}


# execution option of a connection whose transaction only reads (storage/uow.py)
READ_ONLY = "shop_read_only"


class DatabaseUrlError(ValueError):
    """A DATABASE_URL this project cannot use."""


def normalise_url(raw: str) -> URL:
    """Parse a database URL and pick the async driver this project uses for it.

    `sqlite:///data/shop.db`, `postgres://…` and `postgresql://…` are accepted as shorthands;
    any other back end or driver is refused with a message naming what is expected.
    """
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise DatabaseUrlError(
            "expected sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
        ) from exc
    backend = _ALIASES.get(url.get_backend_name(), url.get_backend_name())
    if backend not in SUPPORTED:
        raise DatabaseUrlError(
            f"unsupported database {backend!r}: expected sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    driver = url.drivername.partition("+")[2]
    wanted = SUPPORTED[backend].split("+")[1]
    if driver and driver != wanted:
        raise DatabaseUrlError(f"driver {driver!r} is not supported: use {SUPPORTED[backend]}://")
    url = url.set(drivername=SUPPORTED[backend])
    if backend == "sqlite" and url.database in (None, ""):
        raise DatabaseUrlError("a SQLite URL needs a file path: sqlite+aiosqlite:///data/shop.db")
    if backend == "postgresql" and not url.database:
        raise DatabaseUrlError(
            "a PostgreSQL URL needs a database name: postgresql+asyncpg://host/db"
        )
    return url


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(
            "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        )


def sqlite_folder(raw_url: str | URL) -> Path | None:
    """The directory a SQLite database file lives in (made on first use), or None for other
    databases and for in-memory ones."""
    url = raw_url if isinstance(raw_url, URL) else normalise_url(raw_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).parent


def make_engine(raw_url: str | URL, *, echo: bool = False) -> AsyncEngine:
    url = raw_url if isinstance(raw_url, URL) else normalise_url(raw_url)
    if url.get_backend_name() == "sqlite":
        folder = sqlite_folder(url)
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        database = url.database or ""
        engine = create_async_engine(
            url,
            echo=echo,
            async_creator=sqlite_inline.connector(database, uri=database.startswith("file:")),
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
