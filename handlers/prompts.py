"""A question that waits for typed text ends when the user goes elsewhere.

"New price?" is asked under a product; if the seller then taps another button or sends a
command, a number typed later must not change that product. Each package names its
questions (`Prompts`: a states group, and the buttons that belong to it, such as the
wizard's Back and Cancel); `EndPrompts`, on the root router, ends a waiting question before
any handler sees a command or a button of somewhere else. The question's data stays (a new
question starts its own); only the waiting ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from aiogram import BaseMiddleware
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

Prompts = Mapping[type[StatesGroup], tuple[type[CallbackData], ...]]


#: The data key of the question that waited when the update came, before EndPrompts ended
#: it (handlers/ending.py tells an old ✖ Cancel of a question answered already by it).
WAITING: Final = "prompt_waiting"


class EndPrompts(BaseMiddleware):
    """Outer middleware for messages and callback queries (see the module)."""

    def __init__(self, *prompts: Prompts) -> None:
        self.own: dict[str, frozenset[str]] = {}  # state name → the prefixes of its buttons
        for group in prompts:
            for states, buttons in group.items():
                prefixes = frozenset(b.__prefix__ for b in buttons)
                for name in states.__all_states_names__:
                    self.own[name] = prefixes

    def goes_elsewhere(self, raw_state: str, event: TelegramObject) -> bool:
        if raw_state not in self.own:
            return False
        if isinstance(event, Message):
            return (event.text or "").startswith("/")
        if isinstance(event, CallbackQuery):
            prefix = (event.data or "").split(":", 1)[0]
            return prefix not in self.own[raw_state]
        return False

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        raw_state = data.get("raw_state")
        data[WAITING] = raw_state  # what waited before this ends it (an old ✖ Cancel asks)
        if state is not None and raw_state and self.goes_elsewhere(raw_state, event):
            await state.set_state(None)
            data["raw_state"] = None  # what the handlers' state filters read
        return await handler(event, data)
