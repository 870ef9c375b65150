"""Alembic environment: migrations run on a connection handed over by storage.migrate.

`python -m bot migrate` (or `alembic upgrade head` with DATABASE_URL set) ends up here.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage.migrate import include_object
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_on_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from storage.db import make_engine

    engine = make_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///data/shop.db"))
    async with engine.connect() as connection:
        await connection.run_sync(run_on_connection)
        await connection.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
elif connection is not None:
    run_on_connection(connection)
else:  # the plain `alembic` command line
    asyncio.run(_run_standalone())
