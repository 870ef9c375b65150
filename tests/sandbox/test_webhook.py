"""Webhook delivery: secret header, retries, a method in the reply body, 409 for polling."""

from __future__ import annotations

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

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return self.answers.pop(0) if self.answers else web.Response(status=200)


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
