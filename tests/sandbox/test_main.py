"""`python -m sandbox` serves on the given port and prints its base URL."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


async def test_entry_point_prints_base_url_and_serves() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = (await process.stdout.readline()).decode()
        assert line.startswith("Bot API emulator at http://127.0.0.1:")
        base = line.rsplit(" ", 1)[-1].strip()
        url = f"{base}/bot123456789:SANDBOX-token_for-tests/getMe"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert (await response.json())["result"]["is_bot"] is True
    finally:
        process.terminate()
        await process.communicate()
    assert process.returncode == 0


async def test_entry_point_with_web_serves_the_chat_page() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--web",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            await process.stdout.readline()  # Bot API emulator at ...
            line = (await process.stdout.readline()).decode()
        assert line.startswith("Sandbox web chat: http://127.0.0.1:")
        base = line.split()[3]
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/") as response:
                assert response.status == 200
            async with http.get(base + "/sandbox/api/personas") as response:
                names = [p["first_name"] for p in (await response.json())["personas"]]
        assert names == ["Sara", "John", "Maya", "Demo Admin"]
    finally:
        process.terminate()
        await process.communicate()
    assert process.returncode == 0
