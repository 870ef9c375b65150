"""Whatever arrives at the webhook (malformed JSON, odd updates, no secret or a wrong one),
the bot answers with a status and carries on: a forged update is refused before any handler
runs, and nothing it asked for happens."""

from __future__ import annotations

import json
import os

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import ShopBot

SECRET = "e2e-secret_token"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
BODIES = st.one_of(
    st.binary(max_size=512),
    st.just(b"{"),
    st.just(b'{"update_id": "x"}'),
    st.just(b'{"update_id": 1, "message": {"text": 5}}'),
    JSONISH.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["update_id", "message", "callback_query"]), JSONISH).map(
        lambda v: json.dumps(v).encode()
    ),
)


def _url(bot: ShopBot) -> str:
    assert bot.health_url is not None
    return bot.health_url.replace("/healthz", "/telegram")


@pytest.mark.parametrize("shop_bot", ["webhook"], indirect=True)
@FUZZ
@given(body=BODIES, secret=st.sampled_from([SECRET, None, "wrong", SECRET + "x"]))
async def test_any_webhook_body_gets_a_status_and_the_bot_lives_on(
    shop_bot: ShopBot, body: bytes, secret: str | None
) -> None:
    start = len(shop_bot.log_text())
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with (
        aiohttp.ClientSession() as http,
        http.post(_url(shop_bot), data=body, headers=headers) as response,
    ):
        status = response.status
    if secret != SECRET:
        assert status == 401
    else:
        assert status in (200, 400), status
    log = shop_bot.log_text()[start:]
    assert "Traceback" not in log, log[-4000:]


@pytest.mark.parametrize("shop_bot", ["webhook"], indirect=True)
async def test_a_forged_update_without_the_secret_makes_the_bot_do_nothing(
    shop_bot: ShopBot,
) -> None:
    user = shop_bot.tg.user("Mallory")
    update = {
        "update_id": 987_654_321,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": "Mallory"},
            "from": user.user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        async with (
            aiohttp.ClientSession() as http,
            http.post(_url(shop_bot), json=update, headers=headers) as r,
        ):
            assert r.status == 401
    await user.expect_no_message(within=1.0)


@pytest.mark.parametrize("shop_bot", ["webhook"], indirect=True)
async def test_a_long_message_with_many_entities_is_accepted_by_the_webhook(
    shop_bot: ShopBot,
) -> None:
    """A 4,096-character message with 2,048 entities is about 100 KB: Telegram sends such
    updates, and the webhook used to refuse them with 413 (a cap meant for the shipping
    providers' endpoint), after which every later update queued behind it."""
    user = shop_bot.tg.user("Lena")
    await user.send("/start")
    await user.expect_message("Lena")
    text = "hi " * 1365 + "x"
    update = {
        "update_id": 987_000_001,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": "Lena"},
            "from": user.user,
            "text": text,
            "entities": [{"type": "bold", "offset": n * 2, "length": 1} for n in range(2048)],
        },
    }
    body = json.dumps(update).encode()
    assert len(body) > 64 * 1024
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            _url(shop_bot), data=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        ) as response,
    ):
        assert response.status == 200
    await user.expect_message()
