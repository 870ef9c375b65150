"""Updates per second and latency of the real bot process, against a bare echo bot.

Both run as their own processes against the project's Bot API emulator (in this process),
first by long polling and then by webhook. The shop runs as in production, with its
scheduler on, once on SQLite and once on PostgreSQL (TEST_POSTGRES_URL's server; skipped when
none answers), each time on a freshly migrated demo shop; the echo bot, which has no
database, is measured once per mode and is the baseline of both.

Simulated users each repeat a round of eight updates: for the shop, /start → Browse →
Fashion → Men → T-Shirts → a product → Add 1 to cart → /cart; for the echo bot, the same
mix of two texts and six button taps. An update's latency runs from the moment the emulator
queues it to the moment the reply it causes (message, edit or callback answer) has arrived.

Two runs per bot and mode: closed loop (N users as fast as they are answered: throughput), and
paced at a fixed rate (100 updates/s: the latency target). Peak RSS of the shop process is
read from /proc while idle and after the load (the memory figures of the table).

Run alone: python -m bench.updates [--seconds 8] [--users 20] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    DATABASES,
    Row,
    clean_env,
    database,
    free_port,
    higher,
    info,
    limit,
    memory_mb,
    percentile,
    pg_available,
    run_module,
    skipped,
    table,
)
from sandbox import Emulator, SimUser
from sandbox.personas import Persona

TOKEN = "123456789:AAE" + "bench_token_for_updates_0123456"
ADMIN_ID = 900_000_001
ROUND = 8  # updates per round, both bots


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000


@dataclass
class Measured:
    throughput: Run
    paced: Run
    idle_peak_mb: float
    load_peak_mb: float
    log: str


Step = Callable[[], Awaitable[object]]


class Timer:
    """Times one update: from queuing it to its awaited replies, paced when asked."""

    def __init__(self, run: Run, interval: float | None) -> None:
        self.run, self.interval = run, interval
        self.next_at = time.monotonic()

    async def __call__(self, action: Step, *then: Step) -> None:
        if self.interval is not None:
            self.next_at += self.interval
            delay = self.next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        started = time.perf_counter()
        await action()
        for wait in then:
            await wait()
        self.run.latencies.append(time.perf_counter() - started)


async def shop_round(user: SimUser, timed: Timer, product_data: str) -> None:
    await timed(lambda: user.send("/start"), lambda: user.expect_message("Welcome", timeout=30))
    await timed(lambda: user.click("Browse", timeout=30), lambda: user.expect_edit(timeout=30))
    await timed(lambda: user.click("Fashion", timeout=30), lambda: user.expect_edit(timeout=30))
    await timed(lambda: user.click("Men", timeout=30), lambda: user.expect_edit(timeout=30))
    listing: list[int] = []

    async def wait_listing() -> None:
        listing.append((await user.expect_edit("T-Shirts", timeout=30)).message_id)

    await timed(lambda: user.click("T-Shirts", timeout=30), wait_listing)
    await timed(
        lambda: user.click_button(listing[0], data=product_data, timeout=30),
        lambda: user.expect_message("Sold by", timeout=30),
    )
    await timed(lambda: user.click("Add 1 to cart", timeout=30))
    await timed(lambda: user.send("/cart"), lambda: user.expect_message("Your cart", timeout=30))


async def echo_round(user: SimUser, timed: Timer, _: str) -> None:
    await timed(lambda: user.send("hello"), lambda: user.expect_message("echo", timeout=30))
    for _tap in range(ROUND - 2):
        await timed(
            lambda: user.click("Tap", timeout=30), lambda: user.expect_edit("tapped", timeout=30)
        )
    await timed(lambda: user.send("/cart"), lambda: user.expect_message("echo", timeout=30))


async def find_product(user: SimUser) -> str:
    """The callback data of an in-stock T-shirt (the product every round opens)."""
    await user.send("/start")
    await user.expect_message("Welcome", timeout=30)
    for label in ("Browse", "Fashion", "Men", "T-Shirts"):
        await user.click(label, timeout=30)
    listing = await user.expect_edit("T-Shirts", timeout=30)
    assert listing.reply_markup is not None
    for row in listing.reply_markup.inline_keyboard[:-2]:
        data = str(row[0].callback_data)
        await user.click_button(listing.message_id, data=data, timeout=30)
        card = await user.expect_message("Sold by", timeout=30)
        if "In stock" in (card.caption or card.text or ""):
            return data
    raise RuntimeError("no T-shirt in stock in the demo shop")


async def _echoes(user: SimUser) -> str:
    await user.send("hello")
    await user.expect_message("echo", timeout=60)
    return ""


def _text(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


async def _ready(process: asyncio.subprocess.Process, log: Path, probe: Awaitable[str]) -> str:
    """The probe's result once the bot answers; the bot's log if it dies first."""
    answered = asyncio.ensure_future(probe)
    died = asyncio.ensure_future(process.wait())
    await asyncio.wait([answered, died], return_when=asyncio.FIRST_COMPLETED)
    if not answered.done():
        answered.cancel()
        raise RuntimeError(f"the bot exited before answering:\n{_text(log)[-3000:]}")
    died.cancel()
    return answered.result()


async def drive(
    tg: Emulator,
    kind: str,
    product: str,
    users: int,
    seconds: float,
    rate: float | None,
) -> Run:
    """`users` simulated users repeating rounds for `seconds` (paced to `rate` in total)."""
    run = Run()
    one_round = shop_round if kind == "shop" else echo_round
    people = [tg.user(f"Bench{n}") for n in range(users)]
    deadline = time.monotonic() + seconds

    async def person(user: SimUser) -> None:
        timed = Timer(run, None if rate is None else users / rate)
        while time.monotonic() < deadline:
            try:
                await one_round(user, timed, product)
            except AssertionError as exc:
                run.failures.append(str(exc))
                return

    started = time.perf_counter()
    await asyncio.gather(*(person(u) for u in people))
    run.elapsed = time.perf_counter() - started
    return run


@contextlib.asynccontextmanager
async def bot_process(
    kind: str,
    mode: str,
    tg: Emulator,
    home: Path,
    database_url: str,
    extra: dict[str, str] | None = None,
) -> AsyncIterator[tuple[asyncio.subprocess.Process, Path]]:
    env = clean_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=tg.base_url,
        DATABASE_URL=database_url,
        MEDIA_DIR=str(home / "media"),
        ADMIN_IDS=str(ADMIN_ID),
        LOG_LEVEL="INFO",
        FLOOD_BURST="100000",  # simulated users tap faster than people
        RUN_SCHEDULER="true",  # as in production
    )
    if mode == "webhook":
        port = free_port()
        env |= {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": "bench-secret",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
    env |= extra or {}
    module = ["-m", "bot", "run"] if kind == "shop" else ["-m", "bench.echo_bot"]
    log = home / f"{kind}-{mode}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *module, env=env, cwd=home, stdout=sink, stderr=sink
        )
    try:
        yield process, log
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def measure(
    kind: str, mode: str, home: Path, database_url: str, users: int, seconds: float, rate: float
) -> Measured:
    async with (
        Emulator(token=TOKEN, callback_timeout=30, use_env_spec=False) as tg,
        bot_process(kind, mode, tg, home, database_url) as (process, log),
    ):
        tg.add_persona(Persona(id=ADMIN_ID, first_name="Demo", role_label="admin"))
        probe = tg.user("Probe")
        product = await _ready(
            process, log, find_product(probe) if kind == "shop" else _echoes(probe)
        )
        await asyncio.sleep(1.0)
        _, idle_peak = memory_mb(process.pid)
        await drive(tg, kind, product, users, 1.0, None)  # warm up
        spy = await _profile(process.pid, kind, mode, seconds)
        throughput = await drive(tg, kind, product, users, seconds, None)
        if spy is not None:
            await spy.wait()
        paced = await drive(tg, kind, product, users, seconds, rate)
        _, load_peak = memory_mb(process.pid)
        tg.assert_no_violations()
    return Measured(throughput, paced, idle_peak, load_peak, _text(log))


def _py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


async def _profile(
    pid: int, kind: str, mode: str, seconds: float
) -> asyncio.subprocess.Process | None:
    """BENCH_PROFILE=<dir>: record the shop process with py-spy during the closed-loop run
    (a collapsed-stack file per mode, for speedscope or flamegraph.pl)."""
    target = os.environ.get("BENCH_PROFILE")
    spy = _py_spy()
    if not target or kind != "shop" or spy is None:
        return None
    out = Path(target) / f"shop-{mode}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--format",
        "raw",
        "--output",
        str(out),
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def prepare(home: Path, database_url: str) -> None:
    """A migrated demo shop in `database_url`."""
    env = clean_env(DATABASE_URL=database_url, MEDIA_DIR=str(home / "media"))
    await run_module("bot", ["migrate"], env, home)
    await run_module("bot", ["seed-demo"], env, home)


def _rows_of(
    mode: str, name: str, users: int, rate: float, echo: Measured, shop: Measured
) -> list[Row]:
    problems = [
        f"{kind}: {len(m.throughput.failures) + len(m.paced.failures)} users stalled"
        for kind, m in (("echo", echo), ("shop", shop))
        if m.throughput.failures or m.paced.failures
    ]
    if "Traceback" in shop.log:
        problems.append("shop log has a Traceback")
    where = f"{mode}, {name}"
    return [
        higher(
            f"updates/s, {where} ({users} users)",
            shop.throughput.rate,
            echo.throughput.rate,
            "upd/s",
            "echo",
            0.5,
        ),
        info(
            f"p50 latency, {where}, closed loop",
            shop.throughput.p(50),
            "ms",
            echo.throughput.p(50),
            "echo",
        ),
        limit(
            f"p99 latency, {where}, at {rate:g} upd/s (got {shop.paced.rate:.0f})",
            shop.paced.p(99),
            "ms",
            100,
            echo.paced.p(99),
            "echo",
            note="; ".join(problems),
        ),
        info(
            f"p50 latency, {where}, at {rate:g} upd/s",
            shop.paced.p(50),
            "ms",
            echo.paced.p(50),
            "echo",
        ),
    ]


async def rows(users: int = 20, seconds: float = 8.0, rate: float = 100.0) -> list[Row]:
    out: list[Row] = []
    kinds = ["sqlite"]
    missing = await pg_available()
    if missing is None:
        kinds.append("postgresql")
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        peaks: list[tuple[float, float]] = []
        for mode in ("polling", "webhook"):
            home = Path(tmp) / f"echo-{mode}"
            home.mkdir()
            echo = await measure(
                "echo", mode, home, "sqlite+aiosqlite:///unused.db", users, seconds, rate
            )
            for kind in kinds:
                home = Path(tmp) / f"shop-{mode}-{kind}"
                home.mkdir()
                async with database(kind) as url:
                    database_url = url.render_as_string(hide_password=False)
                    await prepare(home, database_url)
                    shop = await measure("shop", mode, home, database_url, users, seconds, rate)
                peaks.append((shop.idle_peak_mb, shop.load_peak_mb))
                out += _rows_of(mode, DATABASES[kind], users, rate, echo, shop)
        if missing is not None:
            out.append(skipped("updates, PostgreSQL", missing))
        idle = max(p[0] for p in peaks)
        loaded = max(p[1] for p in peaks)
        out.append(limit("peak RSS of the bot, idle (no voice)", idle, "MB", 200))
        out.append(limit("peak RSS of the bot, under update load (no voice)", loaded, "MB", 200))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    print(table(asyncio.run(rows(args.users, args.seconds, args.rate))))


if __name__ == "__main__":
    main()
