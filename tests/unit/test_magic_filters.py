"""Magic and state filters are checked on the event loop's thread, not in aiogram's thread
pool (bot/magic_filters.py); other synchronous filters still run in a thread."""

from __future__ import annotations

import threading
from typing import ClassVar

from aiogram import F
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import TelegramObject

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


class _Noted(State):
    """A state that notes the thread it is compared on."""

    seen: ClassVar[list[int]] = []

    def __call__(self, event: TelegramObject, raw_state: str | None = None) -> bool:
        self.seen.append(threading.get_ident())
        return super().__call__(event, raw_state)


class _Form(StatesGroup):
    name = _Noted()
    price = State()


async def test_a_state_filter_is_compared_on_the_loops_thread() -> None:
    _Noted.seen.clear()
    assert await FilterObject(_Form.name).call("text", raw_state=_Form.name.state)
    assert not await FilterObject(_Form.name).call("text", raw_state=_Form.price.state)
    assert _Noted.seen == [threading.get_ident()] * 2


async def test_a_plain_function_filter_still_runs_in_a_thread() -> None:
    seen: list[int] = []

    def blocking(value: object) -> bool:
        seen.append(threading.get_ident())
        return True

    assert await FilterObject(blocking).call("x")
    assert seen != [threading.get_ident()]
