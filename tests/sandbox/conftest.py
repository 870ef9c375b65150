"""Fixtures for the emulator's own tests: a fresh emulator and a raw HTTP client per test."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from PIL import Image

from sandbox import Emulator


class Raw:
    """Calls the emulator the way any HTTP client would, returning (status, JSON body)."""

    def __init__(self, session: aiohttp.ClientSession, tg: Emulator) -> None:
        self.session = session
        self.tg = tg

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.tg.api_url}/{method}", json=params) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert status == 200, body
        assert body["ok"], body
        return body["result"]

    async def error(self, method: str, **params: Any) -> str:
        """Call expecting a 400; return its description."""
        status, body = await self.call(method, **params)
        assert status == 400, body
        assert body["ok"] is False, body
        assert body["error_code"] == 400, body
        assert body["description"].startswith("Bad Request: ")
        return str(body["description"])


@pytest.fixture
async def tg() -> AsyncIterator[Emulator]:
    async with Emulator(use_env_spec=False, callback_timeout=10.0) as emulator:
        yield emulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def raw(http: aiohttp.ClientSession, tg: Emulator) -> Raw:
    return Raw(http, tg)


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def recording(seconds: float, container: str = "webm", codec: str = "libopus") -> bytes:
    """A tone of `seconds` as a browser or a file would hold it (WebM/Opus like Chromium's
    MediaRecorder, or WAV with codec pcm_s16le)."""
    import av
    import av.audio.stream
    import numpy as np

    rate = 48_000
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as target:
        stream = target.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.audio.stream.AudioStream)
        t = np.arange(int(seconds * rate)) / rate
        tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        for start in range(0, len(tone), 960):
            frame = av.AudioFrame.from_ndarray(
                tone[None, start : start + 960], format="s16", layout="mono"
            )
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return buffer.getvalue()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium with Playwright (skips outside CI when either is "
        "missing)",
    )
