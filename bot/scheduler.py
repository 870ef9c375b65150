"""Scheduler wiring: APScheduler 3.11 with its job store in the shop's own database.

Jobs are referenced by importable names with stable ids and take ids, not objects. A job that
came due while the process was down still runs once at start (coalesce, no misfire grace
limit). The jobs themselves arrive with the notifications issue.
"""

from __future__ import annotations

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import URL, make_url

JOBS_TABLE = "apscheduler_jobs"


def sync_url(async_url: str | URL) -> URL:
    """The job store is synchronous: the same database through a blocking driver."""
    url = make_url(async_url) if isinstance(async_url, str) else async_url
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite")
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    raise ValueError(f"no job store for {backend!r}")


def create_scheduler(database_url: str) -> AsyncIOScheduler:
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=sync_url(database_url), tablename=JOBS_TABLE)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone="UTC",
    )
