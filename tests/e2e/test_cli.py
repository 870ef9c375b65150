"""`python -m bot` as a newcomer runs it: a real process, real databases, its real output."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import ROOT, create_pg_database, drop_pg_database
from tests.e2e.conftest import sandbox_process


def bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "ADMIN_", "REDIS_", "MEDIA_"))
    }
    environment |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shop.db",
        "MEDIA_DIR": str(tmp_path / "media"),
    } | env
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,  # no .env from the working tree
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_newcomer_migrates_seeds_and_is_told_what_to_set(tmp_path: Path) -> None:
    migrated = bot(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "(head)" in migrated.stdout

    seeded = bot(tmp_path, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.startswith("Demo shop ready")
    assert len(list((tmp_path / "media" / "products").glob("*.png"))) >= 80

    again = bot(tmp_path, "seed-demo")
    assert again.returncode == 0
    assert "nothing changed" in again.stdout


async def test_without_a_token_the_shop_opens_in_the_local_sandbox(tmp_path: Path) -> None:
    """`python -m bot run` with no BOT_TOKEN: the web chat answers, and the bot behind it."""
    async with sandbox_process(tmp_path) as (base, output):
        assert "BOT_TOKEN" in "".join(output)
        sara = f"{base}/sandbox/api/personas/900000201"
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/") as page:
                assert page.status == 200
                assert "<html" in (await page.text()).lower()
            async with http.get(f"{base}/sandbox/api/personas") as listed:
                names = {p["first_name"] for p in (await listed.json())["personas"]}
            assert {"Sara", "Maya", "Demo Admin"} <= names
            async with http.post(f"{sara}/send", json={"text": "/start"}) as sent:
                assert sent.status == 200
            since, seen = "", list[dict[str, object]]()
            async with asyncio.timeout(30):
                while not any("Welcome back, Sara" in str(m) for m in seen):
                    query = {"since": since, "wait": "10"}
                    async with http.get(f"{sara}/chat", params=query) as got:
                        chat = await got.json()
                    since, seen = chat["since"], chat["messages"]


async def _greeted(base: str, persona: int = 900000201) -> bool:
    """Send /start as a persona through the web chat; True once the bot greets them (a
    greeting kept in the chat from before does not count)."""
    chat = f"{base}/sandbox/api/personas/{persona}"

    def greeted(page: dict[str, Any], after: int) -> bool:
        return any(m["id"] > after and "Welcome back" in str(m) for m in page["messages"])

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{chat}/chat") as got:
            page = await got.json()  # the chat as it stands: what it held already
        after = max((int(m["id"]) for m in page["messages"]), default=0)
        async with http.post(f"{chat}/send", json={"text": "/start"}) as sent:
            assert sent.status == 200
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                while not greeted(page, after):
                    async with http.get(
                        f"{chat}/chat", params={"since": page["since"], "wait": "10"}
                    ) as got:
                        page = await got.json()
        return greeted(page, after)


async def test_the_sandbox_restarted_on_the_same_data_answers(tmp_path: Path) -> None:
    """`make run`, use it, Ctrl-C, `make run` again: the bot must not go silent. (The
    emulator numbered updates from 1 again and the bot dropped them as handled already.)"""
    async with sandbox_process(tmp_path) as (base, _):
        assert await _greeted(base)
        assert await _greeted(base, 900000202)
    async with sandbox_process(tmp_path) as (base, _):
        assert await _greeted(base), "the restarted sandbox did not answer /start"
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{base}/sandbox/api/personas/900000202/chat", params={"since": ""}) as got,
        ):
            kept = (await got.json())["messages"]
        assert any("Welcome back" in str(m) for m in kept), "the chat before the restart is lost"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@localhost/shop", "unsupported database 'mysql'"),
        ("sqlite+aiosqlite://", "needs a file path"),
        ("postgresql+asyncpg://nobody@127.0.0.1:1/shop", "cannot connect to the database"),
    ],
)
@pytest.mark.parametrize("command", ["migrate", "run"])
def test_a_bad_database_url_is_one_clear_line(
    tmp_path: Path, url: str, says: str, command: str
) -> None:
    result = bot(tmp_path, command, DATABASE_URL=url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: DATABASE_URL:")
    assert says in lines[0]


def test_seeding_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    result = bot(tmp_path, "seed-demo")
    assert result.returncode == 2
    assert "python -m bot migrate" in result.stderr


def test_running_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    """It used to print "no such table" tracebacks and exit 1."""
    result = bot(tmp_path, "run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "python -m bot migrate" in lines[0]


def test_an_unreachable_bot_api_is_retried_then_one_line(tmp_path: Path) -> None:
    """It used to be a TelegramNetworkError traceback after about 3 s."""
    assert bot(tmp_path, "migrate").returncode == 0
    result = bot(
        tmp_path,
        "run",
        BOT_TOKEN="123456789:AAE" + "z" * 32,
        TELEGRAM_API_BASE="http://127.0.0.1:1",
        STARTUP_API_WAIT_SECONDS="5",
        RUN_SCHEDULER="false",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "does not answer" in result.stderr  # it said it was retrying
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("the Bot API at http://127.0.0.1:1 did not answer"), result.stderr


def test_check_config_masks_secrets(tmp_path: Path) -> None:
    token = "123456789:AAE" + "z" * 32
    result = bot(
        tmp_path,
        "check-config",
        BOT_TOKEN=token,
        REDIS_URL="redis://:hunter2@127.0.0.1:6379/0",
        RASA_URL="http://rasa:pa55word@127.0.0.1:5005",
        WEBHOOK_URL="https://hook:s3cr3t@shop.example.com/telegram",
        WEBHOOK_SECRET="webhook_secret",
    )
    assert result.returncode == 0
    assert token not in result.stdout
    assert "BOT_TOKEN=**********" in result.stdout
    for password in ("hunter2", "pa55word", "s3cr3t"):
        assert password not in result.stdout
    assert "REDIS_URL=redis://:***@127.0.0.1:6379/0" in result.stdout


@pytest.mark.postgres
async def test_migrate_and_seed_on_postgresql(tmp_path: Path, postgres_ready: None) -> None:
    url = await create_pg_database("shop_cli")
    try:
        plain = url.render_as_string(hide_password=False).replace("+asyncpg", "")
        assert bot(tmp_path, "migrate", DATABASE_URL=plain).returncode == 0
        seeded = bot(tmp_path, "seed-demo", DATABASE_URL=plain)
        assert seeded.returncode == 0, seeded.stderr
        assert seeded.stdout.startswith("Demo shop ready")
    finally:
        await drop_pg_database(url)
