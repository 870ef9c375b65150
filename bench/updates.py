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

Scaling out: two webhook workers behind a round-robin balancer (sandbox/balancer.py), closed
loop only. The shop's two share a freshly migrated PostgreSQL demo shop and Redis (their
conversations; BENCH_REDIS_URL, default redis://127.0.0.1:6379/8, emptied first; skipped when
none answers), as a production deployment runs; the echo bot's two share nothing. Each bot's
gain is two workers' updates/s over its own one worker's; the shop's gain is then set against
the echo bot's, the most any bot could gain from a second worker on this machine.

Run alone: python -m bench.updates [--seconds 8] [--users 20] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
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
from sandbox.balancer import round_robin
from sandbox.personas import Persona

TOKEN = "123456789:AAE" + "bench_token_for_updates_0123456"
ADMIN_ID = 900_000_001
ROUND = 8  # updates per round, both bots
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
WEBHOOK_SECRET = "bench-secret"  # noqa: S105 - a local test value, not a secret


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
    return await _all_ready([Worker(process, log)], probe)


async def _all_ready(workers: list[Worker], probe: Awaitable[str]) -> str:
    """The probe's result once the bot answers; the log of a worker that dies first."""
    answered = asyncio.ensure_future(probe)
    died = [asyncio.ensure_future(w.process.wait()) for w in workers]
    await asyncio.wait([answered, *died], return_when=asyncio.FIRST_COMPLETED)
    for waiting in died:
        waiting.cancel()
    if not answered.done():
        answered.cancel()
        dead = next(w for w in workers if w.process.returncode is not None)
        raise RuntimeError(f"the bot exited before answering:\n{_text(dead.log)[-3000:]}")
    return answered.result()


async def _listening(port: int, within: float = 120.0) -> None:
    """Wait until something accepts connections on loopback `port`."""
    async with asyncio.timeout(within):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            return


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


@dataclass
class Worker:
    process: asyncio.subprocess.Process
    log: Path
    port: int | None = None  # a webhook worker's own port


def _env(tg: Emulator, home: Path, database_url: str) -> dict[str, str]:
    return clean_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=tg.base_url,
        DATABASE_URL=database_url,
        MEDIA_DIR=str(home / "media"),
        ADMIN_IDS=str(ADMIN_ID),
        LOG_LEVEL="INFO",
        FLOOD_BURST="100000",  # simulated users tap faster than people
        RUN_SCHEDULER="true",  # as in production (with several workers, one runs it)
    )


def _webhook_env(public: int, port: int) -> dict[str, str]:
    """A webhook worker listening on `port`, which Telegram reaches at `public`."""
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{public}/telegram",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


async def _start(kind: str, env: dict[str, str], home: Path, name: str) -> Worker:
    module = ["-m", "bot", "run"] if kind == "shop" else ["-m", "bench.echo_bot"]
    log = home / f"{name}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *module, env=env, cwd=home, stdout=sink, stderr=sink
        )
    return Worker(process, log)


async def _stop(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.returncode is None:
            worker.process.terminate()
    for worker in workers:
        await worker.process.wait()


@contextlib.asynccontextmanager
async def bot_process(
    kind: str,
    mode: str,
    tg: Emulator,
    home: Path,
    database_url: str,
    extra: dict[str, str] | None = None,
) -> AsyncIterator[tuple[asyncio.subprocess.Process, Path]]:
    """One process of the bot (`kind` "shop" or "echo") in `mode`, stopped on leaving."""
    env = _env(tg, home, database_url)
    if mode == "webhook":
        port = free_port()
        env |= _webhook_env(port, port)
    env |= extra or {}
    worker = await _start(kind, env, home, f"{kind}-{mode}")
    try:
        yield worker.process, worker.log
    finally:
        await _stop([worker])


@contextlib.asynccontextmanager
async def webhook_workers(
    kind: str, tg: Emulator, home: Path, database_url: str, count: int
) -> AsyncIterator[list[Worker]]:
    """`count` webhook processes of the bot behind a round-robin balancer at the public
    URL, as tests/e2e/conftest.py `running_shop` runs them: the same settings but each
    worker's port; every worker sets the webhook to the balancer's URL, and the shop's share
    Redis for conversations and let the database's lock pick the one that runs the scheduler.
    """
    public, ports = free_port(), [free_port() for _ in range(count)]
    env = _env(tg, home, database_url)
    if kind == "shop":
        env["REDIS_URL"] = REDIS_URL
    workers: list[Worker] = []
    async with round_robin(public, ports):
        try:
            for n, port in enumerate(ports):
                worker_env = env | _webhook_env(public, port)
                worker = await _start(kind, worker_env, home, f"{kind}-webhook-{n}")
                worker.port = port
                workers.append(worker)
            yield workers
        finally:
            await _stop(workers)


async def measure(
    kind: str,
    mode: str,
    home: Path,
    database_url: str,
    users: int,
    seconds: float,
    rate: float | None,
    workers: int = 1,
) -> Measured:
    """Throughput, then (given a `rate`) latency at that rate, of one bot process or, in
    webhook mode, of `workers` behind a balancer; memory figures are the largest worker's."""
    async with contextlib.AsyncExitStack() as stack:
        tg = await stack.enter_async_context(
            Emulator(token=TOKEN, callback_timeout=30, use_env_spec=False)
        )
        if workers == 1:
            process, log = await stack.enter_async_context(
                bot_process(kind, mode, tg, home, database_url)
            )
            running = [Worker(process, log)]
        else:
            assert mode == "webhook", "several workers share updates through a webhook"
            running = await stack.enter_async_context(
                webhook_workers(kind, tg, home, database_url, workers)
            )
        tg.add_persona(Persona(id=ADMIN_ID, first_name="Demo", role_label="admin"))
        probe = tg.user("Probe")

        async def answered() -> str:
            for worker in running:  # every worker listens, not only the one that answers
                if worker.port is not None:
                    await _listening(worker.port)
            return await (find_product(probe) if kind == "shop" else _echoes(probe))

        product = await _all_ready(running, answered())
        await asyncio.sleep(1.0)
        idle_peak = max(memory_mb(w.process.pid)[1] for w in running)
        await drive(tg, kind, product, users, 1.0, None)  # warm up
        db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        spy = (
            None
            if workers > 1
            else await _profile(running[0].process.pid, kind, f"{mode}-{db}", seconds)
        )
        throughput = await drive(tg, kind, product, users, seconds, None)
        if spy is not None:
            await spy.wait()
        paced = Run() if rate is None else await drive(tg, kind, product, users, seconds, rate)
        load_peak = max(memory_mb(w.process.pid)[1] for w in running)
        tg.assert_no_violations()
    log_text = "".join(_text(w.log) for w in running)
    return Measured(throughput, paced, idle_peak, load_peak, log_text)


def _py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


async def _profile(
    pid: int, kind: str, mode: str, seconds: float
) -> asyncio.subprocess.Process | None:
    """BENCH_PROFILE=<dir>: record the shop process with py-spy during the closed-loop run
    (a collapsed-stack file per mode and database, `shop-polling-sqlite.txt` and so on, for
    `python -m bench.profile`, speedscope or flamegraph.pl)."""
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


def _scaling_rows(
    users: int, echo: tuple[Measured, Measured], shop: tuple[Measured, Measured]
) -> list[Row]:
    """Each bot's gain from one webhook worker to two, and the shop's against the echo's."""
    (echo_one, echo_two), (shop_one, shop_two) = echo, shop
    problems = [
        f"{kind}: {len(m.throughput.failures)} users stalled"
        for kind, m in (("echo", echo_two), ("shop", shop_two))
        if m.throughput.failures
    ]
    if "Traceback" in shop_two.log:
        problems.append("shop log has a Traceback")
    schedulers = shop_two.log.count("this process runs the scheduler")
    if schedulers != 1:  # the database's lock lets exactly one worker run it
        problems.append(f"{schedulers} workers ran the scheduler")

    def gain(bot: tuple[Measured, Measured]) -> float:
        one, two = bot[0].throughput.rate, bot[1].throughput.rate
        return two / one if one else math.nan

    shop_gain, echo_gain = gain(shop), gain(echo)
    where = f"webhook, {DATABASES['postgresql']}"
    return [
        info(
            f"updates/s, {where}, 2 workers ({users} users)",
            shop_two.throughput.rate,
            "upd/s",
            shop_one.throughput.rate,
            "1 worker",
        ),
        info(
            f"updates/s, webhook, echo, 2 workers ({users} users)",
            echo_two.throughput.rate,
            "upd/s",
            echo_one.throughput.rate,
            "1 worker",
        ),
        replace(
            higher(f"gain from a 2nd worker, {where}", shop_gain, echo_gain, "×", "echo", 0.8),
            note="; ".join(problems),
        ),
    ]


async def _redis_unavailable() -> str | None:
    """None when Redis answers at REDIS_URL (then emptied: the bench's own database number),
    else why not."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
        await client.flushdb()
    except Exception as exc:  # any failure to reach it
        return f"skipped: no Redis at {REDIS_URL} ({exc})"
    finally:
        await client.aclose()
    return None


async def rows(users: int = 20, seconds: float = 8.0, rate: float = 100.0) -> list[Row]:
    out: list[Row] = []
    kinds = ["sqlite"]
    missing = await pg_available()
    if missing is None:
        kinds.append("postgresql")
    no_redis = None if missing is not None else await _redis_unavailable()
    unused = "sqlite+aiosqlite:///unused.db"
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        peaks: list[tuple[float, float]] = []
        for mode in ("polling", "webhook"):
            home = Path(tmp) / f"echo-{mode}"
            home.mkdir()
            echo = await measure("echo", mode, home, unused, users, seconds, rate)
            echo_two = None  # two webhook workers, right after one: both see the same machine
            if mode == "webhook" and missing is None and no_redis is None:
                home = Path(tmp) / "echo-webhook-2"
                home.mkdir()
                echo_two = await measure("echo", mode, home, unused, users, seconds, None, 2)
            for kind in kinds:
                home = Path(tmp) / f"shop-{mode}-{kind}"
                home.mkdir()
                async with database(kind) as url:
                    database_url = url.render_as_string(hide_password=False)
                    await prepare(home, database_url)
                    shop = await measure("shop", mode, home, database_url, users, seconds, rate)
                peaks.append((shop.idle_peak_mb, shop.load_peak_mb))
                out += _rows_of(mode, DATABASES[kind], users, rate, echo, shop)
                if echo_two is not None and kind == "postgresql":
                    home = Path(tmp) / "shop-webhook-postgresql-2"
                    home.mkdir()
                    async with database(kind) as url:
                        database_url = url.render_as_string(hide_password=False)
                        await prepare(home, database_url)
                        shop_two = await measure(
                            "shop", mode, home, database_url, users, seconds, None, 2
                        )
                    out += _scaling_rows(users, (echo, echo_two), (shop, shop_two))
        if missing is not None:
            out.append(skipped("updates, PostgreSQL", missing))
        elif no_redis is not None:
            out.append(skipped("updates, webhook, PostgreSQL, 2 workers", no_redis))
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
