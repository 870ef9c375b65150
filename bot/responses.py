"""The model aiogram parses every Bot API answer with, kept between calls.

Its own module (aiogram only) so that a bare aiogram bot can use it without loading the shop:
bench/echo_bot.py does, to give the baseline the same aiogram-level speed-up.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import Response, TelegramMethod

_RESPONSE_TYPES: dict[Any, type[Response[Any]]] = {}


def keep_response_type(method: TelegramMethod[Any]) -> None:
    """Hold on to `Response[<what the method returns>]`, the pydantic model aiogram parses
    every Bot API answer with. pydantic keeps parametrised generics only weakly, so without
    a reference the class is garbage once the answer is parsed and is built again, schema and
    all, for the next call: 15 % of the bot's CPU under load (docs/performance.md)."""
    returning = method.__returning__
    if returning not in _RESPONSE_TYPES:
        _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
