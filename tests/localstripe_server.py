"""localstripe, the Stripe-compatible test server, on loopback: one way to start it for every
test folder (the emulator charges invoices on it as Telegram's payment provider would, and the
bot refunds those charges there)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import AsyncIterator

from aiohttp import web


@contextlib.asynccontextmanager
async def localstripe() -> AsyncIterator[str]:
    """Serve localstripe on 127.0.0.1 and yield its base URL. Its state is one in-memory store
    per process (never written to disk), emptied first."""
    with warnings.catch_warnings():
        # localstripe registers plain functions as aiohttp routes, which aiohttp deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        from localstripe import resources, server

        resources.store.dump_to_disk = lambda: None
        resources.store.clear()
        runner = web.AppRunner(server.app)
        await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
