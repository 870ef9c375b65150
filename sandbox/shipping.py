"""A simulated shipping provider for the sandbox: it speaks the tracking protocol of
bot/adapters/tracking.py, and every parcel it is asked about moves on a short clock, so a
customer in the sandbox watches the whole delivery timeline arrive in the chat.

The first time a tracking number is asked about, the parcel is "picked up": then it is in
transit, out for delivery after `step` seconds, and delivered after two steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web

STAGES = (
    ("in_transit", "Sorting centre"),
    ("out_for_delivery", "Local depot"),
    ("delivered", None),
)


class ShippingSimulator:
    def __init__(self, step: float = 20.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.step = step
        self.clock = clock
        self.first_seen: dict[str, float] = {}

    def events(self, tracking_number: str) -> list[dict[str, str]]:
        start = self.first_seen.setdefault(tracking_number, self.clock())
        reached = int((self.clock() - start) // self.step)
        return [
            {"status": status, **({"location": where} if where else {})}
            for status, where in STAGES[: min(reached + 1, len(STAGES))]
        ]

    def app(self) -> web.Application:
        async def track(request: web.Request) -> web.Response:
            number = request.match_info["number"]
            return web.json_response({"tracking_number": number, "events": self.events(number)})

        app = web.Application()
        app.router.add_get("/tracking/{number}", track)
        return app

    async def serve(self, host: str, port: int = 0) -> tuple[web.AppRunner, str]:
        """Start on `host` (port 0: any free one); returns the runner and the API's base URL."""
        runner = web.AppRunner(self.app())
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        return runner, f"http://{host}:{bound}"
