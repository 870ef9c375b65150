"""Scheduler wiring: jobs in the shop's database, never dropped for coming due while down."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.scheduler import create_scheduler, sync_url


def test_the_job_store_uses_the_shops_database_through_a_blocking_driver() -> None:
    assert str(sync_url("sqlite+aiosqlite:///data/shop.db")) == "sqlite:///data/shop.db-jobs"
    assert str(sync_url("sqlite+aiosqlite://")) == "sqlite://"
    assert (
        sync_url("postgresql+asyncpg://u@h/db").render_as_string() == "postgresql+psycopg://u@h/db"
    )
    with pytest.raises(ValueError):
        sync_url("mysql://h/db")


def test_missed_runs_are_coalesced_and_never_dropped(tmp_path: Path) -> None:
    scheduler = create_scheduler(f"sqlite+aiosqlite:///{tmp_path}/jobs.db")
    defaults = scheduler._job_defaults  # APScheduler keeps them here; no public accessor
    assert defaults["coalesce"] is True
    assert defaults["misfire_grace_time"] is None
    assert defaults["max_instances"] == 1
