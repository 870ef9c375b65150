"""A round-robin load balancer on loopback, for several webhook workers behind one URL.

Production runs the bot's webhook workers behind a balancer: Telegram knows one public URL
(WEBHOOK_URL), each worker listens on its own port (WEBHOOK_PORT). The e2e tests and
bench/updates.py run the same shape with `round_robin`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import aiohttp
from aiohttp import web


@contextlib.asynccontextmanager
async def round_robin(
    port: int, backends: Sequence[int], host: str = "127.0.0.1"
) -> AsyncIterator[list[int]]:
    """Listen on `host`:`port` and send each request to the next of the `backends` (ports on
    `host`) in turn, headers and body as they came; the worker's status and body go back.
    A worker that does not answer gets the client a 502, as a balancer says it. Yields how
    many requests each backend was sent (a live list, in the order of `backends`).

    Connections to the workers are kept open between requests, as a balancer keeps its
    upstream connections, so the balancer adds one loopback hop and no connection set-up."""
    counts = [0] * len(backends)
    turn = 0

    async def forward(request: web.Request) -> web.Response:
        nonlocal turn
        index = turn % len(backends)
        turn += 1
        counts[index] += 1
        url = f"http://{host}:{backends[index]}{request.path_qs}"
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        try:
            async with http.request(
                request.method, url, headers=headers, data=await request.read()
            ) as answer:
                body = await answer.read()
                return web.Response(
                    status=answer.status, body=body, content_type=answer.content_type
                )
        except aiohttp.ClientError:  # that worker is not there
            return web.Response(status=502, text="bad gateway")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    async with aiohttp.ClientSession() as http:
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            yield counts
        finally:
            await runner.cleanup()
