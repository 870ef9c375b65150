"""Fault injection: 429 with retry_after, 5xx, slow answers, dropped connections, rates."""

from __future__ import annotations

import time

import aiohttp
import pytest

from sandbox import Emulator
from sandbox.faults import Faults
from tests.sandbox.conftest import Raw


async def test_429_twice_then_success(raw: Raw, tg: Emulator) -> None:
    tg.faults.add(method="getMe", kind="429", retry_after=1, times=2)
    for _ in range(2):
        status, body = await raw.call("getMe")
        assert status == 429
        assert body["parameters"] == {"retry_after": 1}
        assert body["description"] == "Too Many Requests: retry after 1"
    assert (await raw.ok("getMe"))["is_bot"]
    assert [f.kind for f in tg.faults.injected] == ["429", "429"]


async def test_5xx_and_other_methods_untouched(raw: Raw, tg: Emulator) -> None:
    tg.faults.add(method="sendMessage", kind="5xx", status=502)
    assert (await raw.call("getMe"))[0] == 200
    status, body = await raw.call("sendMessage", chat_id=1, text="x")
    assert status == 502
    assert body["ok"] is False


async def test_slow(raw: Raw, tg: Emulator) -> None:
    tg.faults.add(method="getMe", kind="slow", delay=0.3)
    started = time.monotonic()
    await raw.ok("getMe")
    assert time.monotonic() - started >= 0.3


async def test_drop_closes_the_connection(raw: Raw, tg: Emulator) -> None:
    tg.faults.add(kind="drop")
    with pytest.raises(aiohttp.ClientError):
        await raw.call("getMe")
    assert (await raw.ok("getMe"))["is_bot"]


def test_rate_is_reproducible_with_a_seed() -> None:
    def run() -> list[bool]:
        faults = Faults(seed=42)
        faults.add(kind="5xx", rate=0.3)
        return [faults.pick("getMe") is not None for _ in range(50)]

    first = run()
    assert first == run()
    assert 5 < sum(first) < 25


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Faults().add(kind="boom")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="probability"):
        Faults().add(kind="5xx", rate=2)
