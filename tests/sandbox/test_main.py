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
