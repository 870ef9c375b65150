"""The flood guard remembers only the users of its last window, however many ever wrote."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User

from bot.middlewares import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _handled(_: TelegramObject, __: dict[str, Any]) -> str:
    return "handled"


async def _send(throttle: Throttle, user_id: int) -> Any:
    user = User(id=user_id, is_bot=False, first_name=f"u{user_id}")
    return await throttle(_handled, TelegramObject(), {"event_from_user": user})


async def test_quiet_users_are_forgotten() -> None:
    clock = Clock()
    throttle = Throttle(burst=3, window=5.0, clock=clock)
    for user_id in range(1, 5001):
        assert await _send(throttle, user_id) == "handled"
    assert len(throttle.seen) == 5000
    clock.now += 6.0  # everyone has been quiet for more than a window
    assert await _send(throttle, 42) == "handled"
    assert list(throttle.seen) == [42]


async def test_a_flood_is_still_dropped_and_calms() -> None:
    clock = Clock()
    throttle = Throttle(burst=3, window=5.0, clock=clock)
    answers = [await _send(throttle, 7) for _ in range(3)]
    assert answers == ["handled"] * 3
    throttle.warned.add(7)  # the polite "slow down" was sent already; the next ones are dropped
    assert await _send(throttle, 7) is None
    clock.now += 1.0
    assert await _send(throttle, 8) == "handled"  # another user is not held up
    clock.now += 5.0
    assert await _send(throttle, 7) == "handled"
    assert 7 not in throttle.warned
