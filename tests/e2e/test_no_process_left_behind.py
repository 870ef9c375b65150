"""A stopped bot leaves no process behind: its speech workers, and multiprocessing's resource
tracker beside them, go with it however it is stopped (Ctrl-C, SIGTERM, SIGKILL), and Ctrl-C
prints no traceback from a worker.

The real bot runs in sandbox mode with VOICE_BACKEND=whisper (the bundled model). Its process
tree is read from /proc once the workers are ready, so children re-parented to init after the
bot died are still found; whatever a test leaves is killed at its end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [
    pytest.mark.voice,
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc"),
]

Proc = tuple[int, int]  # pid, start time (a pid alone may be reused)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """State, parent pid and start time of a process, or None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> set[Proc]:
    children: dict[int, list[Proc]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append((int(entry.name), stat[2]))
    found: set[Proc] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def running(procs: set[Proc]) -> set[Proc]:
    """Those still running: a zombie has exited (waiting for init to reap it)."""
    return {
        (pid, start) for pid, start in procs if (s := _stat(pid)) and s[2] == start and s[0] != "Z"
    }


def left_behind(procs: set[Proc], within: float = 10.0) -> dict[int, str]:
    """The processes still running after `within` seconds, with their command lines."""
    deadline = time.monotonic() + within
    while (alive := running(procs)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return {pid: _cmdline(pid) for pid, _ in alive}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated demo shop, made once; each test runs the bot on a copy."""
    home = tmp_path_factory.mktemp("demo-shop")
    env = _env(home)
    for command in ("migrate", "seed-demo"):
        subprocess.run(
            [sys.executable, "-m", "bot", command],
            cwd=home,
            env=env,
            check=True,
            capture_output=True,
        )
    return home


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "REDIS_", "VOICE_", "WHISPER_"))
    }
    return env | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{home}/shop.db",
        "MEDIA_DIR": str(home / "media"),
        "SANDBOX_PORT": str(_free_port()),
        "LOG_LEVEL": "INFO",
        "VOICE_BACKEND": "whisper",
        "VOICE_WORKERS": "1",
    }


@contextlib.contextmanager
def _running(
    args: list[str], home: Path, ready: str
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`python <args>` in a session of its own (a Ctrl-C can go to its process group alone),
    once its log shows `ready`. At the end whatever is left of that group is killed."""
    log = home / "process.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=home,
            env=_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while ready not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{args} did not get ready:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield process, log
    finally:
        with contextlib.suppress(ProcessLookupError):  # orphans keep the group
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _workers(procs: set[Proc]) -> list[str]:
    return [c for pid, _ in procs if "spawn_main" in (c := _cmdline(pid))]


@pytest.mark.parametrize("stop", ["ctrl-c", "SIGTERM", "SIGKILL"])
def test_a_stopped_bot_leaves_no_process_behind(stop: str, demo_shop: Path, tmp_path: Path) -> None:
    home = tmp_path / "shop"
    shutil.copytree(demo_shop, home)
    with _running(["-m", "bot", "run"], home, "whisper worker(s) ready") as (bot, log):
        children = descendants(bot.pid)
        assert _workers(children), children  # a speech worker is among them

        if stop == "ctrl-c":  # the terminal sends SIGINT to the whole foreground process group
            os.killpg(bot.pid, signal.SIGINT)
        else:
            bot.send_signal(signal.Signals[stop])
        bot.wait(timeout=30)

        assert left_behind(children) == {}
        if stop != "SIGKILL":
            output = log.read_text(errors="replace")
            assert "Traceback" not in output, output


def test_speech_workers_go_with_a_process_that_had_no_time_to_stop_them(tmp_path: Path) -> None:
    """SIGTERM to a process without a handler for it (the webhook-mode bot while its workers
    load, or `python -m nlu transcribe`): it dies at once and stops nothing itself."""
    script = (
        "import asyncio, logging\n"
        "from nlu.speech import Recipe, SpeechPool\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "async def main():\n"
        "    pool = SpeechPool(Recipe('whisper'))\n"
        "    await pool.start()\n"
        "    await asyncio.sleep(300)\n"
        "    await pool.aclose()\n"
        "asyncio.run(main())\n"
    )
    with _running(["-c", script], tmp_path, "whisper worker(s) ready") as (owner, _):
        children = descendants(owner.pid)
        assert _workers(children), children

        owner.send_signal(signal.SIGTERM)
        assert owner.wait(timeout=30) == -signal.SIGTERM
        assert left_behind(children) == {}
