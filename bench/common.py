"""What every bench script shares: rows of the one table, percentiles, processes, memory.

A row is one figure beside a baseline measured in the same run on the same machine, so the
ratio means something even on a noisy box. `better` says which way is good: "higher" rows
(throughput) meet their target when value / baseline >= target ratio; "lower" rows (latency)
when value / baseline <= it; `limit` rows compare the value itself to an absolute bound.
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Row:
    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None  # None: no target, or not measurable in this run
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def higher(
    figure: str, value: float, baseline: float, unit: str, base: str, at_least: float
) -> Row:
    """A throughput-like figure: met when value >= at_least x baseline."""
    row = Row(figure, value, unit, baseline, base, f"≥ {at_least:g}× {base}")
    return _met(row, row.ratio is not None and row.ratio >= at_least)


def lower(figure: str, value: float, baseline: float, unit: str, base: str, at_most: float) -> Row:
    """A latency-like figure: met when value <= at_most x baseline."""
    row = Row(figure, value, unit, baseline, base, f"≤ {at_most:g}× {base}")
    return _met(row, row.ratio is not None and row.ratio <= at_most)


def limit(
    figure: str,
    value: float,
    unit: str,
    at_most: float,
    baseline: float | None = None,
    base: str = "",
    note: str = "",
) -> Row:
    """A figure with an absolute bound (p99 ≤ 100 ms, RSS ≤ 200 MB), baseline for context."""
    row = Row(figure, value, unit, baseline, base, f"≤ {at_most:g} {unit}", note=note)
    return _met(row, value <= at_most)


def info(
    figure: str, value: float | None, unit: str, baseline: float | None = None, base: str = ""
) -> Row:
    return Row(figure, value, unit, baseline, base)


def skipped(figure: str, why: str) -> Row:
    return Row(figure, None, "", note=why)


def _met(row: Row, ok: bool) -> Row:
    return Row(
        row.figure,
        row.value,
        row.unit,
        row.baseline,
        row.baseline_name,
        row.target,
        ok,
        row.note,
    )


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _number(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(rows: Sequence[Row]) -> str:
    """One plain-text table (also valid Markdown) of every row."""
    header = ["figure", "value", "baseline", "ratio", "target", "met?"]
    lines = []
    for row in rows:
        base = _number(row.baseline, row.unit)
        if row.baseline is not None and row.baseline_name:
            base = f"{base} ({row.baseline_name})"
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        met = {True: "yes", False: "NO", None: "—"}[row.met]
        value = _number(row.value, row.unit)
        if row.note:
            value = f"{value} ({row.note})" if row.value is not None else row.note
        lines.append([row.figure, value, base, ratio, row.target or "—", met])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(fmt(line) for line in lines)
    return "\n".join(out)


# --- processes ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the bot's own keys, plus `extra`."""
    prefixes = ("BOT_", "DATABASE_", "WEBHOOK_", "ADMIN_", "REDIS_", "TELEGRAM_", "VOICE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def run_module(module: str, args: Sequence[str], env: dict[str, str], cwd: Path) -> None:
    """`python -m module args` to completion; raises with its output when it fails."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"python -m {module} {' '.join(args)} failed:\n{out.decode()}")


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a Linux process in MB, from /proc/<pid>/status."""
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(rest.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


# --- databases ---------------------------------------------------------------------------
@asynccontextmanager
async def database(kind: str) -> AsyncIterator[URL]:
    """An empty database of `kind` ("sqlite" or "postgresql", at TEST_POSTGRES_URL's server)
    for one measurement, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-db-") as tmp:
            yield make_url(f"sqlite+aiosqlite:///{Path(tmp) / 'shop.db'}")
        return
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield make_url(PG_URL).set(drivername="postgresql+asyncpg", database=name)
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def pg_available() -> str | None:
    """None when PostgreSQL answers at TEST_POSTGRES_URL, else why not."""
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"skipped: no PostgreSQL at {make_url(PG_URL).render_as_string()} ({exc})"
    await conn.close()
    return None
