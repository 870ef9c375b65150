"""The real bot process, started once per test session and mode, against the Bot API
emulator, with the demo shop in its own database.

`shop_bot` runs in polling mode and in webhook mode (with a secret token). Tests talk to it
as simulated users (`shop_bot.tg.user("Alice")`); every Bot API request the bot makes is
validated by the emulator, and any violation fails the test that caused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from sandbox import Emulator, SimUser, StripeAccount
from sandbox.personas import Persona
from tests.conftest import ROOT

TOKEN = "123456789:AAE" + "e2e_token_for_tests_0123456789"
ADMIN_ID = 900_000_001  # the demo admin
SELLER_ID = 900_000_101  # the demo shop's first seller (Urban Threads)


@dataclass
class ShopBot:
    tg: Emulator
    mode: str
    log: Path
    process: asyncio.subprocess.Process
    admin: SimUser
    health_url: str | None = None  # webhook mode's /healthz

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    output: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not any("Open http://" in line for line in output):
                output.append((await process.stdout.readline()).decode())
        yield f"http://127.0.0.1:{port}", output
    finally:
        process.terminate()
        rest, _ = await process.communicate()
        output.append(rest.decode())
    assert "Traceback" not in "".join(output), "".join(output)


@pytest.fixture(scope="session")
async def stripe_base() -> AsyncIterator[str]:
    """A Stripe-compatible server (localstripe) on loopback: the emulator charges invoices on
    it as Telegram's payment provider would, and the bot refunds those charges there."""
    with warnings.catch_warnings():
        # localstripe registers plain functions as aiohttp routes, which aiohttp deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        from localstripe import resources, server

        resources.store.dump_to_disk = lambda: None  # keep the fake's state in memory
        runner = web.AppRunner(server.app)
        await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture(scope="session", params=["polling", "webhook"])
async def shop_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, stripe_base: str
) -> AsyncIterator[ShopBot]:
    mode = str(request.param)
    home = tmp_path_factory.mktemp(f"bot-{mode}")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "ADMIN_", "REDIS_"))
    }
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{home}/shop.db",
        "MEDIA_DIR": str(home / "media"),
        "LOG_LEVEL": "INFO",
        "FLOOD_BURST": "1000",  # simulated users tap faster than people
        "NOTIFY_PER_CHAT_RATE": "10",  # and read their notifications faster
    }
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
        }
        if mode == "webhook":
            port = _free_port()
            env |= {
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                "WEBHOOK_SECRET": "e2e-secret_token",
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            }
        log = home / "bot.log"
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=env,
                cwd=home,
                stdout=sink,
                stderr=asyncio.subprocess.STDOUT,
            )
        admin = tg.add_persona(Persona(id=ADMIN_ID, first_name="Demo", role_label="admin"))
        health = env["WEBHOOK_URL"].replace("/telegram", "/healthz") if mode == "webhook" else None
        bot = ShopBot(tg, mode, log, process, admin, health)
        probe = tg.user("Probe")
        await probe.send("/start")
        try:
            await probe.expect_message("Welcome", timeout=60)
        except AssertionError:
            process.terminate()
            await process.wait()
            raise AssertionError(f"the bot did not start:\n{bot.log_text()}") from None
        await admin.send("/start")  # so that the bot may write to the admin
        await admin.expect_message("Welcome", timeout=30)
        yield bot
        process.terminate()
        await process.wait()
        text = bot.log_text()
        assert "Traceback" not in text, text
        tg.assert_no_violations()


@pytest.fixture
def tg(shop_bot: ShopBot) -> Iterator[Emulator]:
    """The emulator; after each test, no request the bot made may have broken the rules."""
    before = len(shop_bot.tg.violations)
    yield shop_bot.tg
    assert shop_bot.tg.violations[before:] == []
