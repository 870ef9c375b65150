"""`python -m bot run` as a process that can be killed with SIGKILL and started again.

Each start is an *incarnation* with its own log file (bot-0.log, bot-1.log, ...) in the
test's directory; all of them are kept and summarised when the test fails. An incarnation is
ready once the emulator sees it ask for updates (polling: `getUpdates`) or register its
webhook (`setWebhook`, sent after its web server listens). Every process started here is
killed at interpreter exit if a test somehow left it running.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sandbox import Emulator

_LIVE: set[int] = set()  # pids of bot processes started here and not yet reaped


@atexit.register
def _kill_leftovers() -> None:
    for pid in list(_LIVE):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@dataclass
class Incarnation:
    number: int
    process: asyncio.subprocess.Process
    log: Path
    started: float  # time.monotonic()
    ready: float | None = None
    killed: float | None = None
    returncode: int | None = None
    notes: list[str] = field(default_factory=list)


class BotNotReady(AssertionError):
    """An incarnation exited or stayed silent while starting."""


class BotProcess:
    def __init__(self, env: dict[str, str], home: Path, mode: str, tg: Emulator) -> None:
        self.env = env
        self.home = home
        self.mode = mode
        self.tg = tg
        self.incarnations: list[Incarnation] = []

    @property
    def current(self) -> Incarnation | None:
        return self.incarnations[-1] if self.incarnations else None

    @property
    def up(self) -> bool:
        now = self.current
        return now is not None and now.ready is not None and now.process.returncode is None

    async def start(self, within: float = 90.0) -> Incarnation:
        """Start a new incarnation (the previous one must be gone) and wait until it is ready."""
        previous = self.current
        assert previous is None or previous.process.returncode is not None, "still running"
        number = len(self.incarnations)
        log = self.home / f"bot-{number}.log"
        method = "getUpdates" if self.mode == "polling" else "setWebhook"
        state = self.tg.state
        seen = len(state.calls)
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=self.env,
                cwd=self.home,
                stdout=sink,
                stderr=asyncio.subprocess.STDOUT,
            )
        _LIVE.add(process.pid)
        life = Incarnation(number, process, log, time.monotonic())
        self.incarnations.append(life)
        deadline = time.monotonic() + within
        while not any(m == method for m, _ in state.calls[seen:]):
            if process.returncode is not None or time.monotonic() > deadline:
                raise BotNotReady(
                    f"bot incarnation {number} did not become ready "
                    f"(exit code {process.returncode}):\n{self.tail(life, 60)}"
                )
            await state.wait_for(lambda: any(m == method for m, _ in state.calls[seen:]), 0.25)
        life.ready = time.monotonic()
        return life

    async def kill(self) -> Incarnation:
        """SIGKILL the running incarnation and reap it."""
        life = self.current
        assert life is not None
        if life.process.returncode is None:
            life.process.kill()
            life.killed = time.monotonic()
        await self._reap(life)
        return life

    async def stop(self, within: float = 20.0) -> None:
        """End the running incarnation politely (SIGTERM), by SIGKILL if it will not go."""
        life = self.current
        if life is None or life.process.returncode is not None:
            if life is not None:
                await self._reap(life)
            return
        life.process.terminate()
        try:
            async with asyncio.timeout(within):
                await life.process.wait()
        except TimeoutError:
            life.notes.append(f"did not stop within {within} s of SIGTERM; killed")
            life.process.kill()
        await self._reap(life)

    async def _reap(self, life: Incarnation) -> None:
        life.returncode = await life.process.wait()
        _LIVE.discard(life.process.pid)

    # --- logs -------------------------------------------------------------------------------
    @staticmethod
    def tail(life: Incarnation, lines: int) -> str:
        text = life.log.read_text(encoding="utf-8", errors="replace") if life.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        return "".join(
            life.log.read_text(encoding="utf-8", errors="replace")
            for life in self.incarnations
            if life.log.exists()
        )

    def digest(self, tail: int = 25) -> str:
        """Per incarnation: how it ended, its errors and tracebacks, and its last lines."""
        out = [f"bot logs in {self.home}:"]
        for life in self.incarnations:
            ended = (
                "running"
                if life.returncode is None
                else f"SIGKILLed (exit {life.returncode})"
                if life.killed is not None
                else f"exit {life.returncode}"
            )
            out.append(f"--- {life.log.name}: {ended} {' '.join(life.notes)}")
            text = life.log.read_text(encoding="utf-8", errors="replace")
            lines = text.splitlines()
            errors = _error_blocks(lines)
            if errors:
                out.append(f"    {len(errors)} error(s)/traceback(s); first ones:")
                for block in errors[:3]:
                    out.extend("    | " + line for line in block[:30])
            out.append(f"    last {min(tail, len(lines))} lines:")
            out.extend("    | " + line for line in lines[-tail:])
        return "\n".join(out)


def _error_blocks(lines: list[str]) -> list[list[str]]:
    """Lines logged at ERROR/CRITICAL, each with the traceback that follows it."""
    blocks: list[list[str]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not (" ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")):
            continue
        block = [line]
        while index < len(lines) and (
            lines[index].startswith((" ", "\t", "Traceback", "During handling", "The above"))
            or lines[index].split(":")[0].endswith(("Error", "Exception", "Interrupted"))
            or not lines[index].strip()
        ):
            block.append(lines[index])
            index += 1
        blocks.append(block)
    return blocks


def error_count(text: str) -> int:
    return len(_error_blocks(text.splitlines()))
