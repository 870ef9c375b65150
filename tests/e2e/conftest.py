"""The real bot process, started once per test session and mode, against the Bot API
emulator, with the demo shop in its own database.

`shop_bot` runs in polling mode and in webhook mode (with a secret token). Tests talk to it
as simulated users (`shop_bot.tg.user("Alice")`); every Bot API request the bot makes is
validated by the emulator, and any violation fails the test that caused it, as does any
request the emulator itself failed on (its traceback is in the failure). A bot that does not
start is reported with why: each worker's exit status and log tail, and where the emulator
stood (webhook, updates waiting, the calls the bot made).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from sandbox import Emulator, SimUser, StripeAccount
from sandbox.balancer import round_robin
from sandbox.emulator import describe_failures
from sandbox.paypal import PayPalServer
from sandbox.personas import Persona
from tests.conftest import (
    IN_CI,
    ROOT,
    create_pg_database,
    drop_pg_database,
    pg_unavailable_reason,
)
from tests.localstripe_server import localstripe

TOKEN = "123456789:AAE" + "e2e_token_for_tests_0123456789"
ADMIN_ID = 900_000_001  # the demo admin
SELLER_ID = 900_000_101  # the demo shop's first seller (Urban Threads)


@dataclass
class ShopBot:
    tg: Emulator
    mode: str
    logs: list[Path]
    processes: list[asyncio.subprocess.Process]
    admin: SimUser
    health_url: str | None = None  # webhook mode's /healthz
    database_url: str = ""  # the shop's database, for tests that let time pass in it

    def log_text(self) -> str:
        return "".join(log.read_text(encoding="utf-8", errors="replace") for log in self.logs)

    def why_not_started(self, reason: str) -> str:
        """What a report on a bot that did not start needs: each worker's state and log
        tail, and where the emulator stood. Read before the workers are stopped."""
        lines = [f"the bot did not start ({self.mode} mode): {reason}"]
        for process, log in zip(self.processes, self.logs, strict=True):
            status = process.returncode
            lines.append(
                f"  worker {log.name} (pid {process.pid}): "
                + ("still running" if status is None else f"exited with status {status}")
            )
        lines.append(f"  emulator: {self.tg.webhook_status()}")
        calls = Counter(method for method, _ in self.tg.state.calls)
        lines.append(f"  the bot's calls: {dict(calls) or 'none'}")
        if self.tg.failures:
            lines.append(describe_failures(self.tg.failures))
        for log in self.logs:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-80:]
            lines.append(f"--- {log.name}, last {len(tail)} lines ---")
            lines.extend(tail)
        return "\n".join(lines)


_LOG_RECORD = re.compile(r"^\d\d:\d\d:\d\d ")


def tracebacks(text: str, limit: int = 10) -> str:
    """The tracebacks in a bot's log, each with the log line that introduced it (not the
    whole log: a long run's log would drown the report)."""
    lines = text.splitlines()
    found: list[str] = []
    for index, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last):"):
            continue
        end = index + 1
        while end < len(lines) and not _LOG_RECORD.match(lines[end]):
            end += 1
        found.append("\n".join(lines[max(index - 1, 0) : min(end, index + 60)]))
    shown = "\n\n".join(found[:limit])
    more = f"\n\n(and {len(found) - limit} more)" if len(found) > limit else ""
    return shown + more


async def _redis_unavailable_reason(url: str) -> str | None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.ping()
        await client.flushdb()  # this test session's own database number
    except Exception as exc:  # any failure to reach it
        return f"no Redis at {url} ({exc})"
    finally:
        await client.aclose()
    return None


def _free_ports(count: int) -> list[int]:
    """`count` different ports free now: all held open until every one is picked, so the
    kernel cannot hand the same one out twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _free_port() -> int:
    return _free_ports(1)[0]


async def _run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()


@contextlib.asynccontextmanager
async def sandbox_process(home: Path) -> AsyncIterator[tuple[str, list[str]]]:
    """`python -m bot run` without a token, on a fresh demo database in `home`: yields the
    sandbox's base URL and its output so far; stops it and checks its log at the end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{home}/shop.db",
        "MEDIA_DIR": str(home / "media"),
        "SANDBOX_PORT": str(port),
    }
    await _run(["migrate"], env, home)
    await _run(["seed-demo"], env, home)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=home,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    stdout = process.stdout
    output: list[str] = []
    started = asyncio.Event()

    async def read() -> None:  # all along, so a chatty bot never blocks on a full pipe
        while line := await stdout.readline():
            output.append(line.decode())
            if "Open http://" in output[-1]:
                started.set()

    reader = asyncio.create_task(read())
    try:
        async with asyncio.timeout(60):
            await started.wait()
        yield f"http://127.0.0.1:{port}", output
    finally:
        process.terminate()
        await process.wait()
        await reader
    assert "Traceback" not in "".join(output), "".join(output)


@pytest.fixture(scope="session")
async def stripe_base() -> AsyncIterator[str]:
    """localstripe for the whole session: the emulator's card provider."""
    async with localstripe() as base:
        yield base


@pytest.fixture(scope="session")
async def paypal() -> AsyncIterator[PayPalServer]:
    """A PayPal-compatible server on loopback (sandbox/paypal.py): the bot creates, captures
    and refunds PayPal orders there; tests approve payments as the payer would."""
    server = PayPalServer()
    runner = await server.serve()
    yield server
    await runner.cleanup()


@pytest.fixture(scope="session", params=["polling", "webhook"])
async def shop_bot(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stripe_base: str,
    paypal: PayPalServer,
) -> AsyncIterator[ShopBot]:
    """Polling: one worker on SQLite. Webhook: two workers behind a round-robin balancer,
    sharing PostgreSQL and Redis (conversation state), as a production deployment runs."""
    mode = str(request.param)
    home = tmp_path_factory.mktemp(f"bot-{mode}")
    async with running_shop(mode, home, stripe_base, paypal) as bot:
        yield bot


@contextlib.asynccontextmanager
async def running_shop(
    mode: str,
    home: Path,
    stripe_base: str,
    paypal: PayPalServer,
    settings: dict[str, str] | None = None,
) -> AsyncIterator[ShopBot]:
    """The bot in `mode` ("polling" or "webhook", see `shop_bot`) on a fresh demo shop in
    `home`; `settings` (environment variables such as CURRENCY) go on top of the tests' own.
    On leaving: the bot is stopped, its log has no traceback, no request broke the rules."""
    database_url = f"sqlite+aiosqlite:///{home}/shop.db"
    pg_url = None
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    if mode == "webhook":
        reason = await pg_unavailable_reason() or await _redis_unavailable_reason(redis_url)
        if reason is not None:
            if IN_CI:
                pytest.fail(f"CI=true but the two-worker webhook mode cannot run: {reason}")
            pytest.skip(f"webhook mode (PostgreSQL and Redis) skipped: {reason}")
        pg_url = await create_pg_database("shop_e2e")
        database_url = pg_url.render_as_string(hide_password=False)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "ADMIN_", "REDIS_"))
    }
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(home / "media"),
        "LOG_LEVEL": "INFO",
        "FLOOD_BURST": "1000",  # simulated users tap faster than people
        "NOTIFY_PER_CHAT_RATE": "10",  # and read their notifications faster
        # voice notes through the bundled Whisper model, spoken replies too
        # (tests/e2e/test_voice.py)
        "VOICE_BACKEND": "whisper",
        "VOICE_REPLIES": "true",
        "VOICE_MAX_SECONDS": "45",
        # the shop's account, told to customers who pay by bank transfer
        "BANK_TRANSFER_DETAILS": "Marketplace Ltd · IBAN GB33BUKB20201555555555 · BIC BUKBGB22",
        # who customers write to: /help and the blocked-account message say it
        "SUPPORT_CONTACT": "@marketplace_support",
    }
    env |= settings or {}
    await _run(["migrate"], env, home)
    await _run(["seed-demo"], env, home)
    stripe = StripeAccount(stripe_base, "sk_test_e2e")
    async with Emulator(token=TOKEN, callback_timeout=10, stripe=stripe) as tg:
        env |= {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": tg.base_url,
            "ADMIN_IDS": str(ADMIN_ID),
            "PAYMENTS_PROVIDER_TOKEN": "284685063:TEST:sandbox",
            "STRIPE_API_KEY": stripe.api_key,
            "STRIPE_API_BASE": stripe.api_base,
            "PAYPAL_CLIENT_ID": paypal.client_id,
            "PAYPAL_CLIENT_SECRET": paypal.client_secret,
            "PAYPAL_API_BASE": paypal.base_url,
        }
        ports: list[int | None] = [None]
        public = None
        if mode == "webhook":
            public, first, second = _free_ports(3)
            ports = [first, second]
            env |= {
                "WEBHOOK_URL": f"http://127.0.0.1:{public}/telegram",
                "WEBHOOK_SECRET": "e2e-secret_token",
                "WEBHOOK_HOST": "127.0.0.1",
                "REDIS_URL": redis_url,
            }
        balancer = (
            round_robin(public, [p for p in ports if p is not None])
            if public is not None
            else contextlib.nullcontext([0])
        )
        async with balancer as counts:
            processes, logs = [], []
            for n, port in enumerate(ports):
                log = home / f"bot-{n}.log"
                worker_env = env if port is None else env | {"WEBHOOK_PORT": str(port)}
                with log.open("wb") as sink:
                    processes.append(
                        await asyncio.create_subprocess_exec(
                            sys.executable,
                            "-m",
                            "bot",
                            "run",
                            env=worker_env,
                            cwd=home,
                            stdout=sink,
                            stderr=asyncio.subprocess.STDOUT,
                        )
                    )
                logs.append(log)
            admin = tg.add_persona(Persona(id=ADMIN_ID, first_name="Demo", role_label="admin"))
            health = f"http://127.0.0.1:{public}/healthz" if public is not None else None
            bot = ShopBot(tg, mode, logs, processes, admin, health, database_url)
            probe = tg.user("Probe")
            await probe.send("/start")
            try:
                await _answered(probe, processes, 60)
                for port in ports:  # every worker listens, not only the one that answered
                    if port is not None:
                        await _healthy(f"http://127.0.0.1:{port}/healthz", processes, 60)
            except AssertionError as exc:
                report = bot.why_not_started(str(exc))
                await _stop(processes)
                raise AssertionError(report) from None
            await admin.send("/start")  # so that the bot may write to the admin
            await admin.expect_message("Welcome", timeout=30)
            try:
                yield bot
            finally:
                await _stop(processes)
                if pg_url is not None:
                    await drop_pg_database(pg_url)
            text = bot.log_text()
            problems = []
            if "Traceback" in text:
                problems.append(f"the bot's log has tracebacks:\n{tracebacks(text)}")
            try:
                tg.assert_no_violations()  # and no request the emulator failed on
            except AssertionError as exc:
                problems.append(str(exc))
            assert not problems, "\n".join(problems)
            if public is not None:  # both workers really took their share of the updates
                assert all(c > 0 for c in counts), counts
                # and exactly one of them ran the scheduler (the database's lock)
                assert text.count("this process runs the scheduler") == 1, text


async def _answered(
    probe: SimUser, processes: list[asyncio.subprocess.Process], within: float
) -> None:
    """The probe's /start is answered with the welcome, or AssertionError: no answer within
    `within` seconds, or a worker exited first (no point waiting for it any longer)."""
    welcome = asyncio.create_task(probe.expect_message("Welcome", timeout=within))
    exits = [asyncio.create_task(process.wait()) for process in processes]
    tasks = [welcome, *exits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        answered = welcome.done()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if answered:
        welcome.result()  # the welcome, or its AssertionError (nothing came in time)
        return
    raise AssertionError("a worker exited before the bot answered /start")


async def _healthy(
    url: str,
    processes: list[asyncio.subprocess.Process],
    within: float,
) -> None:
    """Wait until a worker's /healthz answers 200 (AssertionError if it never does or a
    worker exits first)."""
    async with aiohttp.ClientSession() as http:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            if any(p.returncode is not None for p in processes):
                raise AssertionError("a worker exited while starting")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {within} s")


async def _stop(processes: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM, as a service manager stops the bot; it must be gone within 30 s (a bot that
    does not stop would hang the suite: it is killed, and the test session fails)."""
    for process in processes:
        if process.returncode is None:
            process.terminate()
    stuck = []
    for process in processes:
        try:
            async with asyncio.timeout(30):
                await process.wait()
        except TimeoutError:
            stuck.append(process.pid)
            process.kill()
            await process.wait()
    assert not stuck, f"bot process(es) {stuck} did not stop within 30 s of SIGTERM"


@pytest.fixture
def tg(shop_bot: ShopBot) -> Iterator[Emulator]:
    """The emulator; after each test, no request the bot made may have broken the rules."""
    before, failed = len(shop_bot.tg.violations), len(shop_bot.tg.failures)
    yield shop_bot.tg
    assert shop_bot.tg.violations[before:] == []
    new = shop_bot.tg.failures[failed:]
    assert not new, describe_failures(new)
