"""Transcription off the event loop: a pool of worker processes, each loading its recogniser
once, that decode and transcribe whole notes. The bot's loop only awaits a future, so a long
note never stalls other chats; a recogniser that crashes takes a worker down, not the bot.

Workers are spawned (never forked from a process that runs an event loop and threads). They
go when the bot goes, however it ends (SIGKILL included), and leave Ctrl-C to the bot.
"""

from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import logging
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Protocol

from nlu.speech.types import Transcript, Vocabulary

if TYPE_CHECKING:
    from nlu.speech.audio import Audio

log = logging.getLogger(__name__)
BACKENDS = ("whisper", "pocketsphinx")


class Transcriber(Protocol):
    """A recogniser: synchronous, loaded once, used from one worker at a time."""

    name: str

    def transcribe(self, audio: Audio, vocabulary: Vocabulary | None = None) -> Transcript: ...


@dataclass(frozen=True)
class Recipe:
    """How a worker builds its recogniser (plain data: it crosses the process boundary)."""

    backend: str
    model: str | None = None  # whisper: a CTranslate2 model directory; None = the bundled one
    threads: int = 0  # whisper: CPU threads per worker; 0 = cores / workers


def load(recipe: Recipe) -> Transcriber:
    if recipe.backend == "whisper":
        from nlu.speech.whisper import WhisperTranscriber

        return WhisperTranscriber(recipe.model, threads=recipe.threads)
    if recipe.backend == "pocketsphinx":
        from nlu.speech.sphinx import PocketsphinxTranscriber

        return PocketsphinxTranscriber()
    raise ValueError(f"unknown voice backend {recipe.backend!r}: expected one of {BACKENDS}")


_worker: Transcriber | None = None


def _init_worker(recipe: Recipe) -> None:
    global _worker
    _worker = load(recipe)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _init_process_worker(recipe: Recipe, parent_pid: int) -> None:
    """A worker process's start: SIGINT (Ctrl-C reaches the whole process group) is the
    bot's to handle, which then stops the pool; and the worker dies with the bot."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    _init_worker(recipe)


def _die_with_parent(parent_pid: int) -> None:
    """Exit when the parent does, however it ends. Otherwise an orphaned worker waits on its
    task queue forever (it holds that pipe's write end itself), keeping its model's memory and
    multiprocessing's resource tracker, which leaves only once no process holds its pipe.

    On Linux the kernel sends SIGKILL when the parent goes (PR_SET_PDEATHSIG). Strictly, when
    the parent *thread* that started the worker ends: SpeechPool starts workers in
    `executor.submit`, called by the thread that runs the event loop, which lives as long as
    the bot. Elsewhere a thread waits on the pipe multiprocessing keeps from the parent."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent_pid:  # it went before the signal was armed
            os._exit(1)
        return
    parent = multiprocessing.parent_process()
    if parent is None or not parent.is_alive():
        os._exit(1)
    threading.Thread(
        target=_exit_when_closed, args=(parent.sentinel,), name="parent-watch", daemon=True
    ).start()


def _exit_when_closed(sentinel: int) -> None:
    wait([sentinel])
    os._exit(1)


def _ready() -> str:
    assert _worker is not None
    return _worker.name


def _work(data: bytes, max_seconds: float | None, vocabulary: Vocabulary | None) -> Transcript:
    """In the worker: decode the note, then transcribe it (VoiceRefused propagates)."""
    import time

    from nlu.speech.audio import decode

    started = time.perf_counter()
    audio = decode(data, max_seconds)
    assert _worker is not None
    heard = _worker.transcribe(audio, vocabulary)
    return dataclasses.replace(heard, elapsed=time.perf_counter() - started)


class SpeechPool:
    """`await pool.transcribe(ogg_bytes, vocabulary)` from the event loop.

    `processes=False` runs the workers as threads of this process instead (for tools that
    transcribe one file after another; the recogniser is then shared, used by one thread)."""

    def __init__(
        self,
        recipe: Recipe,
        *,
        workers: int = 1,
        max_seconds: float | None = 60.0,
        processes: bool = True,
    ) -> None:
        self.recipe = recipe
        self.workers = max(1, workers)
        if recipe.backend == "whisper" and recipe.threads == 0:
            cores = os.cpu_count() or 1
            self.recipe = Recipe(recipe.backend, recipe.model, max(1, cores // self.workers))
        self.max_seconds = max_seconds
        self.processes = processes
        self._executor: Executor | None = None
        self._starting = asyncio.Lock()

    def _make_executor(self) -> Executor:
        if self.processes:
            return ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_process_worker,
                initargs=(self.recipe, os.getpid()),
            )
        _init_worker(self.recipe)
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")

    async def start(self) -> None:
        """Start the workers and load each one's model now, not on the first note."""
        async with self._starting:
            if self._executor is not None:
                return
            loop = asyncio.get_running_loop()
            executor = await loop.run_in_executor(None, self._make_executor)
            ready = [loop.run_in_executor(executor, _ready) for _ in range(self.workers)]
            await asyncio.gather(*ready)
            self._executor = executor
            log.info("voice: %d %s worker(s) ready", self.workers, self.recipe.backend)

    async def transcribe(self, data: bytes, vocabulary: Vocabulary | None = None) -> Transcript:
        await self.start()
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor, _work, data, self.max_seconds, vocabulary
            )
        except BrokenProcessPool:
            log.error("voice: a worker died; starting a fresh pool")
            broken, self._executor = self._executor, None
            broken.shutdown(wait=False, cancel_futures=True)
            raise

    async def aclose(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: executor.shutdown(wait=True, cancel_futures=True)
            )
