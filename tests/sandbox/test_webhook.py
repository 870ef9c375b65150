"""Webhook delivery: secret header, retries, a method in the reply body, 409 for polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from sandbox import Emulator
from tests.sandbox.conftest import Raw


class Receiver:
    """A tiny webhook endpoint that records what arrives and answers as told."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.answers: list[web.Response] = []
        self.url = ""
        self.held: dict[str, asyncio.Event] = {}  # text → answered once the event is set

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        hold = self.held.get(str(update.get("message", {}).get("text")))
        if hold is not None:
            await hold.wait()
        return self.answers.pop(0) if self.answers else web.Response(status=200)

    def texts(self) -> list[str]:
        return [str(u.get("message", {}).get("text")) for u, _ in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    hook.url = f"http://127.0.0.1:{port}/hook"
    yield hook
    await runner.cleanup()


async def test_delivery_with_secret_and_reply_method(
    raw: Raw, tg: Emulator, receiver: Receiver
) -> None:
    alice = tg.user("Alice")
    await raw.ok("setWebhook", url=receiver.url, secret_token="s3cret_-X")
    reply = {"method": "sendMessage", "chat_id": alice.id, "text": "Welcome!"}
    receiver.answers.append(web.json_response(reply))
    await alice.send("/start")
    assert (await alice.expect_message("Welcome")).text == "Welcome!"
    update, secret = receiver.received[0]
    assert secret == "s3cret_-X"
    assert update["message"]["text"] == "/start"
    info = await raw.ok("getWebhookInfo")
    assert info["url"] == receiver.url
    assert info["pending_update_count"] == 0
    tg.assert_no_violations()


async def test_chats_are_delivered_at_once_and_each_chat_in_order(
    raw: Raw, tg: Emulator, receiver: Receiver
) -> None:
    """As Telegram's servers: several connections at once (a bot behind several workers gets
    updates in parallel), but one chat's next update only after its previous one was
    answered."""
    alice, bob = tg.user("Alice"), tg.user("Bob")
    slow = receiver.held["alice 1"] = asyncio.Event()
    await raw.ok("setWebhook", url=receiver.url)
    await alice.send("alice 1")
    await alice.send("alice 2")
    await bob.send("bob 1")
    # Bob's update gets through while Alice's first is still being handled
    assert await tg.state.wait_for(lambda: "bob 1" in receiver.texts(), 10)
    assert "alice 2" not in receiver.texts()
    slow.set()
    assert await tg.state.wait_for(lambda: "alice 2" in receiver.texts(), 10)
    texts = receiver.texts()
    assert texts.index("alice 1") < texts.index("alice 2")
    assert await tg.state.wait_for(lambda: not tg.state.updates, 10)


async def test_one_connection_delivers_one_update_at_a_time(
    raw: Raw, tg: Emulator, receiver: Receiver
) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    slow = receiver.held["alice 1"] = asyncio.Event()
    await raw.ok("setWebhook", url=receiver.url, max_connections=1)
    await alice.send("alice 1")
    await bob.send("bob 1")
    assert await tg.state.wait_for(lambda: "alice 1" in receiver.texts(), 10)
    assert not await tg.state.wait_for(lambda: "bob 1" in receiver.texts(), 0.5)
    slow.set()
    assert await tg.state.wait_for(lambda: "bob 1" in receiver.texts(), 10)


async def test_invalid_method_in_reply_is_a_violation(
    raw: Raw, tg: Emulator, receiver: Receiver
) -> None:
    alice = tg.user("Alice")
    await raw.ok("setWebhook", url=receiver.url)
    receiver.answers.append(
        web.json_response({"method": "sendMessage", "chat_id": alice.id, "text": ""})
    )
    await alice.send("/start")
    assert await tg.state.wait_for(lambda: bool(tg.violations), 5)
    assert "message text is empty" in tg.violations[0].description


async def test_failed_delivery_is_retried(raw: Raw, tg: Emulator, receiver: Receiver) -> None:
    alice = tg.user("Alice")
    receiver.answers.append(web.Response(status=500))
    await raw.ok("setWebhook", url=receiver.url)
    await alice.send("hi")
    assert await tg.state.wait_for(lambda: not tg.state.updates, 5)
    first, second = receiver.received[0][0], receiver.received[1][0]
    assert first == second  # the same update_id again: handlers must be idempotent
    info = await raw.ok("getWebhookInfo")
    assert "500" in info["last_error_message"]


async def test_get_updates_conflicts_with_a_webhook(raw: Raw, tg: Emulator) -> None:
    await raw.ok("setWebhook", url="http://127.0.0.1:9/unreachable")
    status, body = await raw.call("getUpdates")
    assert status == 409
    assert body["description"].startswith("Conflict: can't use getUpdates")
    await raw.ok("deleteWebhook", drop_pending_updates=True)
    assert await raw.ok("getUpdates") == []


async def test_delete_webhook_can_drop_pending_updates(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await raw.ok("setWebhook", url="http://127.0.0.1:9/unreachable")
    await alice.send("lost")
    assert (await raw.ok("getWebhookInfo"))["pending_update_count"] == 1
    await raw.ok("deleteWebhook", drop_pending_updates=True)
    assert await raw.ok("getUpdates") == []


async def test_bad_secret_token_is_refused(raw: Raw) -> None:
    description = await raw.error("setWebhook", url="https://x.org/h", secret_token="no spaces")
    assert "secret token" in description


async def test_webhook_needs_https_on_telegrams_ports(raw: Raw, tg: Emulator) -> None:
    """Telegram's rule, except for the loopback address the bot under test listens on."""
    for url in ("http://shop.example.com/hook", "http://203.0.113.5:8443/hook"):
        assert "An HTTPS URL must be provided" in await raw.error("setWebhook", url=url)
    for url in ("https://shop.example.com:8080/hook", "https://shop.example.com:1/hook"):
        assert "ports 80, 88, 443 or 8443" in await raw.error("setWebhook", url=url)
    for url in (
        "https://shop.example.com/hook",
        "https://shop.example.com:8443/hook",
        "https://shop.example.com:88/hook",
        "http://127.0.0.1:8080/hook",
        "http://localhost:3000/hook",
        "http://[::1]:9000/hook",
    ):
        assert await raw.ok("setWebhook", url=url) is True
        await raw.ok("deleteWebhook")
