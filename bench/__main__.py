"""`make bench`: every benchmark, one table. Each figure beside a baseline from the same run.

python -m bench [--quick] [--only updates,checkout,catalog,miniapp,language]
--quick shortens the runs (fewer products, seconds, rounds) for a smoke check.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time

from bench import catalog, checkout, language, miniapp, updates
from bench.common import Row, skipped, table

AREAS = ("language", "catalog", "miniapp", "checkout", "updates")


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0))
    return f"{cores} cores (nproc), {model}, Python {platform.python_version()}"


async def run(areas: list[str], quick: bool) -> list[Row]:
    out: list[Row] = []
    for area in areas:
        started = time.perf_counter()
        try:
            if area == "language":
                out += await language.rows()
            elif area == "catalog":
                out += await catalog.rows(10_000 if quick else 100_000)
            elif area == "miniapp":
                out += await miniapp.rows(10_000 if quick else 100_000)
            elif area == "checkout":
                out += await checkout.rows(1 if quick else 4)
            elif area == "updates":
                out += await updates.rows(10 if quick else 20, 3.0 if quick else 8.0)
        except Exception as exc:  # one area failing still prints the others
            out.append(skipped(area, f"FAILED: {type(exc).__name__}: {str(exc)[:200]}"))
        print(f"  {area}: {time.perf_counter() - started:.0f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(AREAS))
    args = parser.parse_args()
    areas = [a for a in args.only.split(",") if a in AREAS]
    print(f"bench on {machine()}", flush=True)
    rows = asyncio.run(run(areas, args.quick))
    print(table(rows))
    missed = [r.figure for r in rows if r.met is False]
    print(
        f"\n{len(rows)} figures; targets missed: {len(missed)}"
        + (f" ({', '.join(missed)})" if missed else "")
    )


if __name__ == "__main__":
    main()
