"""Start the emulator with the web chat, for `make run` without a token and for people.

This module never imports the shop: the bot side (bot/) calls `serve()` and then points
aiogram at the returned emulator's `base_url`, the same address the page is served from.

    emulator = await serve(port=8080, personas=DEMO_PERSONAS)
    ...                                   # run the bot against emulator.base_url
    await emulator.stop()
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.emulator import DEFAULT_TOKEN, Emulator
from sandbox.personas import DEMO_PERSONAS, Persona


def banner(emulator: Emulator) -> str:
    return f"Sandbox web chat: {emulator.base_url} (Bot API at {emulator.base_url})"


async def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    token: str = DEFAULT_TOKEN,
    personas: Iterable[Persona] = DEMO_PERSONAS,
    *,
    announce: bool = True,
    **options: Any,
) -> Emulator:
    """A started Emulator serving the Bot API and the web chat on one port; the caller stops
    it (`await emulator.stop()`). `options` go to `Emulator` (spec, callback_timeout, seed...).
    Prints the banner line unless announce=False."""
    emulator = Emulator(token, host=host, port=port, personas=personas, web=True, **options)
    await emulator.start()
    if announce:
        print(banner(emulator), flush=True)
    return emulator


__all__ = ["DEMO_PERSONAS", "Persona", "banner", "serve"]
