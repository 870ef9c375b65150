"""What the e2e harness (tests/e2e/conftest.py) says when the bot does not start, or leaves a
traceback in its log: why, in a few lines, instead of a 60 s wait and the whole log."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from sandbox import Emulator
from sandbox.personas import Persona
from tests.e2e.conftest import ShopBot, _answered, tracebacks


async def test_a_worker_that_exits_at_start_is_reported_at_once_with_its_status_and_log(
    tmp_path: Path,
) -> None:
    log = tmp_path / "bot-0.log"
    script = "import sys; print('12:00:00 ERROR   bot: no database', flush=True); sys.exit(3)"
    async with Emulator(use_env_spec=False) as tg:
        with log.open("wb") as sink:
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-c", script, stdout=sink, stderr=asyncio.subprocess.STDOUT
            )
        admin = tg.add_persona(Persona(id=900_000_001, first_name="Demo", role_label="admin"))
        bot = ShopBot(tg, "webhook", [log], [worker], admin)
        probe = tg.user("Probe")
        await probe.send("/start")
        started = time.monotonic()
        with pytest.raises(AssertionError) as raised:
            await _answered(probe, [worker], 60)
        assert time.monotonic() - started < 30  # not the whole minute
        report = bot.why_not_started(str(raised.value))
    assert "a worker exited before the bot answered /start" in report
    assert f"worker bot-0.log (pid {worker.pid}): exited with status 3" in report
    assert "emulator: no webhook (getUpdates); 1 update(s) waiting" in report
    assert "the bot's calls: none" in report
    assert report.endswith("12:00:00 ERROR   bot: no database")


def test_the_bot_s_tracebacks_are_shown_without_the_rest_of_its_log() -> None:
    chatter = [
        f"12:00:{n % 60:02d} INFO    aiogram.event: Update id={n} is handled" for n in range(5000)
    ]
    failure = [
        "12:01:00 ERROR   bot.middlewares: update 3169 failed",
        "Traceback (most recent call last):",
        '  File "bot/x.py", line 1, in <module>',
        "aiogram.exceptions.TelegramServerError: Telegram server says - Internal Server Error",
    ]
    text = "\n".join([*chatter, *failure, *chatter])
    shown = tracebacks(text)
    assert shown == "\n".join(failure)
    assert tracebacks("\n".join(chatter)) == ""
