"""Magic filters are checked on the event loop's thread, not in aiogram's thread pool
(bot/magic_filters.py); other synchronous filters still run in a thread."""

from __future__ import annotations

import threading

from aiogram import F
from aiogram.dispatcher.event.handler import FilterObject

import bot  # noqa: F401 - applies the change, as the bot process does


async def test_a_magic_filter_is_checked_on_the_loops_thread() -> None:
    seen: list[int] = []

    def note(value: object) -> bool:
        seen.append(threading.get_ident())
        return True

    checked = FilterObject(F.func(note))
    assert await checked.call("hello")
    assert seen == [threading.get_ident()]


async def test_what_a_magic_filter_answers_is_unchanged() -> None:
    assert await FilterObject(F.startswith("he")).call("hello") is True
    assert not await FilterObject(F.startswith("x")).call("hello")
    assert await FilterObject(F.upper().as_("loud")).call("hi") == {"loud": "HI"}


async def test_a_plain_function_filter_still_runs_in_a_thread() -> None:
    seen: list[int] = []

    def blocking(value: object) -> bool:
        seen.append(threading.get_ident())
        return True

    assert await FilterObject(blocking).call("x")
    assert seen != [threading.get_ident()]
