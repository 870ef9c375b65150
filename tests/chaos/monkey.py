"""The chaos monkey: SIGKILL the bot at seeded random moments, and right after payments.

The plan is drawn once from the seed: `kills` kills, `payment_kills` of them right after a
`successful_payment` update is queued by the emulator (after a short seeded delay of 0 to
250 ms, so the bot may not have it yet, may be handling it, or may have just finished), the
others after a seeded random time up. Each kill is followed by a seeded random time down and
a restart on the same database and emulator; the next kill is timed from the moment the new
incarnation is ready.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

from tests.chaos.process import BotProcess
from tests.chaos.recording import RecordingEmulator, kind_of

PAYMENT_DELAYS = (0.0, 0.0, 0.02, 0.1, 0.25)  # seconds from queueing to the kill
PAYMENT_WAIT = 60.0  # at most this long for a payment to kill after; then a random kill


@dataclass
class Kill:
    number: int
    planned: str  # "random" or "payment"
    at: float  # time.monotonic() of the SIGKILL
    incarnation: int
    uptime: float  # seconds the incarnation had been ready
    detail: str
    payment_update: int | None = None  # the successful_payment's update id (payment kills)

    @property
    def after_payment(self) -> bool:
        return self.payment_update is not None


class Monkey:
    def __init__(
        self,
        bot: BotProcess,
        tg: RecordingEmulator,
        rng: random.Random,
        kills: int,
        payment_kills: int,
        t0: float,
    ) -> None:
        assert 0 <= payment_kills <= kills
        self.bot, self.tg, self.rng, self.t0 = bot, tg, rng, t0
        self.plan = ["payment"] * payment_kills + ["random"] * (kills - payment_kills)
        rng.shuffle(self.plan)
        self.kills: list[Kill] = []
        self.done = asyncio.Event()
        self._armed = False
        self._paid: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
        tg.recording.listeners.append(self._on_update)

    def _on_update(self, update: dict[str, Any]) -> None:
        if self._armed and kind_of(update) == "successful_payment":
            self._armed = False
            self._paid.put_nowait((int(update["update_id"]), time.monotonic()))

    def rel(self, moment: float) -> float:
        return moment - self.t0

    async def run(self) -> None:
        try:
            for number, planned in enumerate(self.plan, 1):
                life = self.bot.current
                assert life is not None
                assert life.ready is not None
                payment: int | None = None
                if planned == "payment":
                    payment, detail = await self._after_payment()
                else:
                    up = self.rng.uniform(0.5, 3.0)
                    await asyncio.sleep(up)
                    detail = f"after {up:.2f} s up"
                in_queue = len(self.tg.state.updates)
                await self.bot.kill()
                killed = life.killed if life.killed is not None else time.monotonic()
                self.kills.append(
                    Kill(
                        number,
                        planned,
                        killed,
                        life.number,
                        killed - life.ready,
                        f"{detail}; {in_queue} update(s) not yet confirmed to the emulator",
                        payment,
                    )
                )
                down = self.rng.uniform(0.1, 1.0)
                await asyncio.sleep(down)
                await self.bot.start()
        finally:
            self._armed = False
            self.done.set()

    async def _after_payment(self) -> tuple[int | None, str]:
        delay = self.rng.choice(PAYMENT_DELAYS)
        while not self._paid.empty():  # only a payment queued from now on
            self._paid.get_nowait()
        self._armed = True
        try:
            async with asyncio.timeout(PAYMENT_WAIT):
                update_id, queued = await self._paid.get()
        except TimeoutError:
            self._armed = False
            return None, f"no successful_payment was queued within {PAYMENT_WAIT:g} s"
        await asyncio.sleep(delay)
        still = any(u["update_id"] == update_id for u in self.tg.state.updates)
        return update_id, (
            f"{time.monotonic() - queued:.3f} s after successful_payment update {update_id} "
            f"was queued ({'still queued' if still else 'already taken'} by the bot)"
        )

    def describe(self) -> list[str]:
        return [
            f"kill #{k.number} ({k.planned}) at {self.rel(k.at):.1f} s, incarnation "
            f"{k.incarnation} up {k.uptime:.1f} s: {k.detail}"
            for k in self.kills
        ]
