"""The sandbox keeps its chats across a restart, as Telegram keeps a chat's history.

Each test runs a real emulator on a data dir, stops it (or kills it), starts a new one on the
same dir and looks at what a tester would see: the web chat's history, its buttons and
photos, the updates the bot gets, the ids handed out. See sandbox/history.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from sandbox import DEMO_PERSONAS, Emulator, history
from tests.sandbox.conftest import png
from tests.sandbox.test_web_api import SARA, Page
from tests.sandbox.webbot import running_bot

ROOT = Path(__file__).resolve().parents[2]
WELCOME = "Welcome to the"
ADD = {"inline_keyboard": [[{"text": "Add to cart", "callback_data": "add"}]]}
ADD_BUTTON = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Add to cart", callback_data="add")]]
)


@contextlib.asynccontextmanager
async def sandbox(data: Path, **options: Any) -> AsyncIterator[Emulator]:
    """The web sandbox with the demo personas, keeping its state in `data`."""
    emulator = Emulator(
        use_env_spec=False, personas=DEMO_PERSONAS, web=True, data_dir=data, **options
    )
    async with emulator:
        yield emulator


@contextlib.asynccontextmanager
async def api(tg: Emulator) -> AsyncIterator[Bot]:
    """A Bot pointed at the emulator, for calls a bot makes without polling."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
    bot = Bot(tg.token, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


async def texts(page: Page) -> list[str]:
    return [m.get("html", "") for m in (await page.chat())["messages"]]


async def test_the_web_chat_shows_the_same_history_after_a_restart(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    async with sandbox(tmp_path) as tg, running_bot(tg) as bot:
        page = Page(http, tg)
        await page.post("send", text="/start")
        welcome = await page.wait_for(WELCOME)
        status, _ = await page.post("click", message_id=welcome["id"], index=0)
        assert status == 200
        cart = await page.wait_for("Cart: 1")
        await page.post("click", message_id=cart["id"], index=0)  # Checkout
        await page.wait_for("Hoodie, front")
        status, _ = await page.upload("photo", png(300, 200), "mine.png", caption="my hoodie")
        assert status == 200
        reply = await page.wait_for("Nice photo: my hoodie")
        await bot.delete_message(SARA, reply["id"])
        before = (await page.chat())["messages"]
        photos = {}
        for message in before:
            if "photo" in message:
                async with http.get(tg.base_url + message["photo"]["url"]) as response:
                    photos[message["photo"]["url"]] = await response.read()

    async with sandbox(tmp_path) as tg:
        page = Page(http, tg)
        after = (await page.chat())["messages"]
        assert after == before  # texts, edits, buttons, photos, the invoice, in order
        shown = [m.get("html", "") for m in after]
        assert not any("Nice photo" in text for text in shown)  # the deletion held too
        assert [b["text"] for row in after[1]["buttons"] for b in row] == ["Checkout"]
        assert any("invoice" in m and m["invoice"]["payable"] for m in after)
        assert len(photos) == 2
        for url, data in photos.items():
            async with http.get(tg.base_url + url) as response:
                assert response.status == 200
                assert await response.read() == data


async def test_a_tap_on_a_button_from_before_the_restart_reaches_the_bot(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    async with sandbox(tmp_path) as tg, running_bot(tg):
        page = Page(http, tg)
        await page.post("send", text="/start")
        welcome = await page.wait_for(WELCOME)

    async with sandbox(tmp_path) as tg, running_bot(tg):
        page = Page(http, tg)
        status, body = await page.post("click", message_id=welcome["id"], index=0)
        assert status == 200, body
        assert body["answer"]["text"] == "Added to cart"  # the bot got the callback_query
        edited = await page.wait_for("Cart: 1")
        assert edited["id"] == welcome["id"]  # and edited the old message in place
        assert edited["edited"]
        tg.assert_no_violations()


async def test_message_and_update_ids_go_on_without_repeats(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    async with sandbox(tmp_path) as tg, api(tg) as bot:
        sara = tg.persona(SARA)
        first = await sara.send("hello")
        last = await bot.send_message(SARA, "the newest, soon deleted")
        await bot.delete_message(SARA, last.message_id)
        seen = await bot.get_updates()
        await bot.get_updates(offset=seen[-1].update_id + 1)  # delivered

    async with sandbox(tmp_path) as tg, api(tg) as bot:
        sara = tg.persona(SARA)
        again = await sara.send("hello again")
        sent = await bot.send_message(SARA, "after the restart")
        updates = await bot.get_updates()
    assert first["message_id"] < last.message_id < again["message_id"] < sent.message_id
    assert len(updates) == 1
    assert updates[0].update_id > seen[-1].update_id
    assert updates[0].message is not None
    assert updates[0].message.text == "hello again"


async def test_what_the_bot_had_not_fetched_reaches_it_once_after_the_restart(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    async with sandbox(tmp_path) as tg, api(tg) as bot:
        sara = tg.persona(SARA)
        await sara.send("/start")
        await bot.get_updates(offset=(await bot.get_updates())[-1].update_id + 1)
        offer = await bot.send_message(SARA, "A hoodie?", reply_markup=ADD_BUTTON)
        await sara.send("is it warm?")
        # the tap goes out and the sandbox stops before any bot fetched it
        tap = asyncio.create_task(sara.click_button(offer.message_id, index=0))
        assert await tg.state.wait_for(
            lambda: any("callback_query" in u for u in tg.state.updates), 5
        )
        tap.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tap

    async with sandbox(tmp_path) as tg, running_bot(tg):
        sara = tg.persona(SARA)
        await sara.expect_message("You said: is it warm?", timeout=10)
        edited = await sara.expect_edit("Cart: 1", timeout=10)  # the tap, answered and acted on
        assert edited.message_id == offer.message_id
        await sara.expect_no_message(within=0.5)
        tg.assert_no_violations()  # answering a query asked before the restart is right

    async with sandbox(tmp_path) as tg, running_bot(tg):  # and once only
        sara = tg.persona(SARA)
        await sara.expect_no_message(within=1.0)
        answers = [m for m in sara.messages if m.get("text") == "You said: is it warm?"]
        assert len(answers) == 1


async def test_a_photo_the_bot_sent_can_be_sent_again_by_its_file_id_after_a_restart(
    tmp_path: Path,
) -> None:
    async with sandbox(tmp_path) as tg, api(tg) as bot:
        await tg.persona(SARA).send("/start")
        first = await bot.send_photo(SARA, BufferedInputFile(png(640, 480), "hoodie.png"))
        assert first.photo is not None

    async with sandbox(tmp_path) as tg, api(tg) as bot:
        # a shop keeps the file_id of its product photo and sends it again by that id
        again = await bot.send_photo(SARA, first.photo[-1].file_id)
        assert again.photo is not None
        assert [p.file_unique_id for p in again.photo] == [p.file_unique_id for p in first.photo]
        downloaded = await bot.download(first.photo[-1].file_id)
        assert downloaded is not None
        assert downloaded.read()[:3] == b"\xff\xd8\xff"  # the JPEG Telegram made of it
        tg.assert_no_violations()


async def test_the_launchers_update_id_file_keeps_the_chats_beside_it(tmp_path: Path) -> None:
    """`make run` names only `data/sandbox-update-id`: the chats are kept in that folder."""
    ids = tmp_path / "sandbox-update-id"
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, update_ids_file=ids) as tg:
        await tg.persona(SARA).send("kept?")
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, update_ids_file=ids) as tg:
        assert [m.get("text") for m in tg.persona(SARA).messages] == ["kept?"]
    assert (tmp_path / "sandbox-chats").is_dir()


async def test_only_the_last_messages_of_a_chat_are_kept(tmp_path: Path) -> None:
    async with sandbox(tmp_path, keep_messages=3) as tg:
        sara = tg.persona(SARA)
        for number in range(1, 6):
            await sara.send(f"message {number}")

    async with sandbox(tmp_path, keep_messages=3) as tg:
        sara = tg.persona(SARA)
        assert [m["text"] for m in sara.messages] == ["message 3", "message 4", "message 5"]
        assert (await sara.send("message 6"))["message_id"] == 6


async def test_a_long_session_is_folded_into_snapshots_and_restores_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "JOURNAL_LIMIT", 2_000)  # bytes: a fold every few messages
    async with sandbox(tmp_path) as tg:
        sara = tg.persona(SARA)
        for number in range(1, 31):
            await sara.send(f"message {number}")
        folder = next((tmp_path / "sandbox-chats").iterdir())
        assert max(int(p.stem.split("-")[1]) for p in folder.glob("snapshot-*.json")) > 5

    async with sandbox(tmp_path) as tg:
        texts = [m["text"] for m in tg.persona(SARA).messages]
        assert texts == [f"message {number}" for number in range(1, 31)]
        assert len(tg.state.updates) == 30  # nobody fetched them: all still queued
    generations = {int(p.name.split(".")[0].split("-")[1]) for p in folder.glob("*-*.json*")}
    newest = max(generations)
    assert generations == {newest - 1, newest}  # the newest and the one before, no older
    assert (folder / f"snapshot-{newest}.json").exists()


async def test_a_torn_last_record_is_logged_and_the_rest_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with sandbox(tmp_path) as tg:
        await tg.persona(SARA).send("one")
        await tg.persona(SARA).send("two")
    (journal,) = (tmp_path / "sandbox-chats").rglob("journal-*.jsonl")
    whole = journal.read_bytes()
    journal.write_bytes(whole[: len(whole) - 40])  # killed in the middle of the last write

    with caplog.at_level(logging.WARNING, logger="sandbox"):
        async with sandbox(tmp_path) as tg:
            sara = tg.persona(SARA)
            assert [m["text"] for m in sara.messages] == ["one", "two"]
            assert (await sara.send("three"))["message_id"] == 3
    assert any("torn record" in r.getMessage() for r in caplog.records), caplog.text


async def test_a_damaged_snapshot_is_set_aside_and_the_one_before_restores_the_chat(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with sandbox(tmp_path) as tg:
        await tg.persona(SARA).send("one")
    async with sandbox(tmp_path) as tg:
        await tg.persona(SARA).send("two")
    folder = next((tmp_path / "sandbox-chats").iterdir())
    newest = max(folder.glob("snapshot-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    newest.write_bytes(newest.read_bytes()[:100])  # a disk that lost the end of it

    with caplog.at_level(logging.WARNING, logger="sandbox"):
        async with sandbox(tmp_path) as tg:
            assert [m["text"] for m in tg.persona(SARA).messages] == ["one", "two"]
    assert any("is damaged" in r.getMessage() for r in caplog.records), caplog.text
    assert newest.with_name(newest.name + ".corrupt").exists()  # kept for a look


async def test_a_missing_file_is_logged_and_the_chat_still_opens(
    tmp_path: Path, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    async with sandbox(tmp_path) as tg:
        await tg.persona(SARA).send_photo(png(), caption="a photo")
        await tg.persona(SARA).send("and a text")
    for blob in (tmp_path / "sandbox-chats").rglob("files/*"):
        blob.unlink()

    with caplog.at_level(logging.WARNING, logger="sandbox"):
        async with sandbox(tmp_path) as tg:
            page = Page(http, tg)
            shown = (await page.chat())["messages"]
            assert [m.get("html") for m in shown] == ["a photo", "and a text"]
            async with http.get(tg.base_url + shown[0]["photo"]["url"]) as response:
                assert response.status == 404
    assert any("are missing" in r.getMessage() for r in caplog.records), caplog.text


async def test_a_killed_sandbox_keeps_everything_it_had_said_ok_to(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    """kill -9: no stop, no final save. What the emulator answered before is on disk."""
    base, process = await start_process(tmp_path)
    try:
        chat = f"{base}/sandbox/api/personas/{SARA}"
        async with http.post(f"{chat}/send", json={"text": "/start"}) as response:
            assert response.status == 200
        token = "123456789:SANDBOX-token_for-tests"
        sent = {"chat_id": SARA, "text": "Pick one", "reply_markup": ADD}
        async with http.post(f"{base}/bot{token}/sendMessage", json=sent) as response:
            assert (await response.json())["ok"]
        async with http.get(f"{chat}/chat") as response:
            before = (await response.json())["messages"]
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL

    base, process = await start_process(tmp_path)
    try:
        async with http.get(f"{base}/sandbox/api/personas/{SARA}/chat") as response:
            assert (await response.json())["messages"] == before
        async with http.get(f"{base}/bot{token}/getUpdates") as response:
            updates = (await response.json())["result"]
        assert [u["message"]["text"] for u in updates] == ["/start"]  # not yet fetched: kept
    finally:
        process.terminate()
        await process.wait()


async def start_process(data: Path) -> tuple[str, asyncio.subprocess.Process]:
    """`python -m sandbox --web --data <data>` on a free port; its base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--web",
        "--data",
        str(data),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    async with asyncio.timeout(30):
        line = (await process.stdout.readline()).decode()
    if not line.startswith("Bot API emulator at "):
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise AssertionError(f"the sandbox did not start: {line!r}")
    return line.rsplit(" ", 1)[-1].strip(), process
