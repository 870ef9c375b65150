"""A support request that no admin could be shown (none had opened a chat with the bot) is
told truthfully to the customer: the team sees it when they next open the bot. Each admin is
then shown it when they open the bot, with /start or /admin, once, also when two /starts
run at once (real concurrency on PostgreSQL). Through the real Dispatcher, on both
databases."""

from __future__ import annotations

import asyncio

from aiogram.methods import SendMessage

from tests.integration.test_handlers_roles import Chats
from tests.integration.test_support_waiting_for_admins import (
    JOHN,
    _opened,
    chats,
)

__all__ = ["chats"]  # the fixture: John, and an admin who has not opened the bot


def _cards(chats: Chats, request: int) -> list[str]:
    """Every card of request `request` the bot has sent (to anyone)."""
    return [
        m.text
        for m in chats.telegram.sent
        if isinstance(m, SendMessage) and f"Support request #{request}" in m.text
    ]


async def _write_to_the_team(chats: Chats, text: str) -> tuple[int, str]:
    """John writes to the team: the request's number and what he is told."""
    await chats.say(JOHN, "/support")
    [told] = [s for s in await chats.say(JOHN, text) if "shop's team (request #" in s]
    return int(told.split("#")[1].split(")")[0]), told


async def test_the_customer_is_told_the_team_sees_it_when_they_next_open_the_bot(
    chats: Chats,
) -> None:
    request, told = await _write_to_the_team(chats, "My kettle arrived dented.")
    assert "Sent to the shop's team" not in told
    assert "they will see your message when they next open the bot" in told
    assert "an admin will answer you here" in told
    assert _cards(chats, request) == []  # nobody could be shown it

    _opened(chats)
    await asyncio.gather(chats.say(chats.admin, "/start"), chats.say(chats.admin, "/start"))
    [card] = _cards(chats, request)  # two /starts at once: shown once
    assert "My kettle arrived dented." in card
    await chats.say(chats.admin, "/start")
    await chats.say(chats.admin, "/admin")
    assert len(_cards(chats, request)) == 1

    # once an admin can be reached, the customer is told it was sent
    second, told = await _write_to_the_team(chats, "And the lid is missing.")
    assert f"Sent to the shop's team (request #{second})" in told
    assert len(_cards(chats, second)) == 1


async def test_an_admin_who_opens_the_bot_with_admin_is_shown_the_request(
    chats: Chats,
) -> None:
    request, _ = await _write_to_the_team(chats, "Where is my refund?")
    _opened(chats)
    shown = await chats.say(chats.admin, "/admin")
    [card] = [s for s in shown if f"Support request #{request}" in s]
    assert "Where is my refund?" in card
    assert any("💬 1 customer message is waiting" in s for s in shown), shown
    await chats.say(chats.admin, "/admin")
    await chats.say(chats.admin, "/start")
    assert len(_cards(chats, request)) == 1


async def test_an_admin_who_opens_the_bot_from_a_product_link_is_shown_the_request(
    chats: Chats,
) -> None:
    """t.me/<bot>?start=p_<id> opens a product; an admin coming in that way is still shown
    what waits for the team (it returned before the catch-up)."""
    product = await chats.world.product(await chats.world.seller("Lena Lamps"), "Clay Cup")
    request, _ = await _write_to_the_team(chats, "Is the blue kettle back soon?")
    _opened(chats)
    await chats.say(chats.admin, f"/start p_{product}")
    [card] = _cards(chats, request)
    assert "Is the blue kettle back soon?" in card
