"""aiogram's magic filters (`F.text`, `F.data == "x"`) and state filters, checked on the loop.

aiogram 3 runs every filter whose callback is not a coroutine function through
`asyncio.to_thread` (`CallableObject.call`), and a magic filter's callback is its plain
`resolve`. So each `F...` filter of each handler tried for an update cost a trip to the
default thread pool and back: a thread switch, a fight for the GIL and an event-loop turn,
to read an attribute. A shop's routers try dozens per update (docs/performance.md).

The same holds for a state used as a filter (`router.message(NewProduct.name)`): `State`
is a plain callable comparing two strings, so a text message tried against the shop's 34
state-filtered handlers made up to 34 thread trips before one matched.

`check_magic_filters_inline()`, called once at import (bot/__init__.py), makes the filter
object that aiogram builds around a magic filter call `resolve` directly, and around a
`State` call it directly. Only those: a synchronous filter or handler written as a function
may block, and still runs in a thread as aiogram intends. If aiogram's internals are not as
expected, nothing changes.
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

    from aiogram.fsm.state import State

    def post_init(self: Any) -> None:
        original(self)
        if getattr(self, "awaitable", True):
            return
        magic = getattr(self, "magic", None)
        callback = self.callback
        if magic is not None:
            resolve = magic.resolve

            async def resolved(value: Any, *_: Any, **__: Any) -> Any:
                return resolve(value)

            self.callback = resolved
        elif isinstance(callback, State):
            # a state filter (`router.message(Form.name)`): a string comparison

            async def compared(*args: Any, **kwargs: Any) -> Any:
                return callback(*args, **kwargs)

            self.callback = compared
        else:
            return
        self.awaitable = True

    filter_object.__post_init__ = post_init
    _patched = True
