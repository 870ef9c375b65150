"""getUpdates: long polling that wakes on events, offsets, limits, allowed_updates, 401."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from sandbox import Emulator
from tests.sandbox.conftest import Raw


async def test_long_poll_wakes_on_the_update_not_the_timeout(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    # a poll that may wait a long minute: the answer must come with the update, long before
    # (the deadline below is half the poll's timeout, a liveness bound, not a speed claim)
    polling = asyncio.create_task(raw.ok("getUpdates", timeout=60))
    await tg.state.wait_for(lambda: tg.state.poll_generation > 0, 5)
    await alice.send("hello")
    updates = await asyncio.wait_for(polling, 30)
    assert [u["message"]["text"] for u in updates] == ["hello"]


async def test_long_poll_returns_empty_after_timeout(raw: Raw) -> None:
    started = time.monotonic()
    assert await raw.ok("getUpdates", timeout=1) == []
    assert time.monotonic() - started >= 0.9  # it waited its timeout out


async def test_offset_acknowledges_and_limit_caps(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    for text in ("one", "two", "three"):
        await alice.send(text)
    first = await raw.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["one", "two"]
    again = await raw.ok("getUpdates")  # nothing confirmed yet: everything comes back
    assert len(again) == 3
    rest = await raw.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["three"]
    assert await raw.ok("getUpdates", offset=rest[-1]["update_id"] + 1) == []
    assert tg.state.updates == []


async def test_negative_offset_keeps_the_tail(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    for text in ("a", "b", "c"):
        await alice.send(text)
    tail = await raw.ok("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in tail] == ["c"]


async def test_allowed_updates_filters_new_updates(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await raw.ok("getUpdates", allowed_updates=["callback_query"])
    await alice.send("ignored")
    assert await raw.ok("getUpdates") == []
    await raw.ok("getUpdates", allowed_updates=[])
    await alice.send("seen")
    assert [u["message"]["text"] for u in await raw.ok("getUpdates")] == ["seen"]


async def test_a_second_poller_ends_the_first_with_409(raw: Raw, tg: Emulator) -> None:
    first = asyncio.create_task(raw.call("getUpdates", timeout=10))
    await tg.state.wait_for(lambda: tg.state.poll_generation == 1, 5)
    assert (await raw.call("getUpdates", timeout=0))[0] == 200
    status, body = await first
    assert status == 409
    assert "terminated by other getUpdates request" in body["description"]


async def test_wrong_token_is_401(http: aiohttp.ClientSession, tg: Emulator) -> None:
    async with http.get(f"{tg.base_url}/bot1:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }


async def test_get_me_and_get_with_query_string(http: aiohttp.ClientSession, tg: Emulator) -> None:
    async with http.get(f"{tg.api_url}/getMe") as response:
        me = (await response.json())["result"]
    assert me["is_bot"] is True
    assert me["id"] == 123456789
    alice = tg.user("Alice")
    await alice.send("hi")
    async with http.get(f"{tg.api_url}/sendMessage?chat_id={alice.id}&text=yo") as response:
        assert (await response.json())["result"]["text"] == "yo"
    async with http.post(
        f"{tg.api_url}/sendMessage", data={"chat_id": str(alice.id), "text": "form"}
    ) as response:
        assert (await response.json())["result"]["text"] == "form"
    assert (await alice.expect_message("yo")).text == "yo"
