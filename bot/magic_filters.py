"""aiogram's magic filters (`F.text`, `F.data == "x"`), checked on the event loop.

aiogram 3 runs every filter whose callback is not a coroutine function through
`asyncio.to_thread` (`CallableObject.call`), and a magic filter's callback is its plain
`resolve`. So each `F...` filter of each handler tried for an update cost a trip to the
default thread pool and back: a thread switch, a fight for the GIL and an event-loop turn,
to read an attribute. A shop's routers try dozens per update (docs/performance.md).

`check_magic_filters_inline()`, called once at import (bot/__init__.py), makes the filter
object that aiogram builds around a magic filter call `resolve` directly. Only magic
filters: a synchronous filter or handler written as a function may block, and still runs
in a thread as aiogram intends. If aiogram's internals are not as expected, nothing changes.
"""

from __future__ import annotations

from typing import Any

_patched = False


def check_magic_filters_inline() -> None:
    """Have aiogram evaluate magic filters in the event loop's thread (idempotent)."""
    global _patched
    if _patched:
        return
    from aiogram.dispatcher.event import handler

    filter_object = getattr(handler, "FilterObject", None)
    original = getattr(filter_object, "__post_init__", None)
    if filter_object is None or original is None:
        return

    def post_init(self: Any) -> None:
        original(self)
        magic = getattr(self, "magic", None)
        if magic is None or getattr(self, "awaitable", True):
            return
        resolve = magic.resolve

        async def resolved(value: Any, *_: Any, **__: Any) -> Any:
            return resolve(value)

        self.callback = resolved
        self.awaitable = True

    filter_object.__post_init__ = post_init
    _patched = True
