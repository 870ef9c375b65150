"""The emulator, recording every update it queues and every charge it makes.

The chaos test needs two things the plain emulator forgets: the full history of updates
(which ids the bot was given, to compare with `processed_updates`) and the exact moment a
`successful_payment` is queued (to kill the bot right then). Listeners run synchronously
inside `push`, in the task that queued the update, before anything else can run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox import Emulator
from sandbox.state import State

Listener = Callable[[dict[str, Any]], None]


class RecordingState(State):
    """`State` that also keeps every queued update and tells listeners about each one."""

    history: list[dict[str, Any]]  # every update queued, in order
    queued_at: dict[int, float]  # update_id -> time.monotonic()
    listeners: list[Listener]

    @classmethod
    def adopt(cls, state: State) -> RecordingState:
        """The emulator's fresh state, recording from now on (whatever State's constructor
        takes, the state it built is kept as it is)."""
        recording = cls.__new__(cls)
        recording.__dict__.update(state.__dict__)
        recording.history, recording.queued_at, recording.listeners = [], {}, []
        return recording

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        update = super().push(kind, payload)
        if update is not None:
            self.history.append(update)
            self.queued_at[int(update["update_id"])] = time.monotonic()
            for listener in list(self.listeners):
                listener(update)
        return update


@dataclass(frozen=True)
class Charge:
    """A card charge the emulator made on the Stripe server for an invoice."""

    charge_id: str
    amount: int  # minor units
    currency: str
    at: float  # time.monotonic()


class RecordingEmulator(Emulator):
    """`sandbox.Emulator` with `RecordingState` and a list of the charges it made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recording = RecordingState.adopt(self.state)
        self.state = self.recording  # before start(): the server and users take this one
        self.charges: list[Charge] = []

    async def charge(self, amount: int, currency: str, *args: Any, **kwargs: Any) -> str:
        charge_id = await super().charge(amount, currency, *args, **kwargs)
        self.charges.append(Charge(charge_id, amount, currency, time.monotonic()))
        return charge_id


def kind_of(update: dict[str, Any]) -> str:
    """ "message", "callback_query", ... and "successful_payment" for a payment message."""
    kind = next(k for k in update if k != "update_id")
    if kind == "message" and "successful_payment" in update["message"]:
        return "successful_payment"
    return kind


def sender_of(update: dict[str, Any]) -> int | None:
    body = update[next(k for k in update if k != "update_id")]
    sender = body.get("from") if isinstance(body, dict) else None
    return int(sender["id"]) if isinstance(sender, dict) else None
