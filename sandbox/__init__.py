"""The local Bot API emulator: a loopback Telegram for tests and the sandbox.

`Emulator` serves the Bot API on 127.0.0.1, validates every request the bot makes and every
update it emits, and gives tests simulated users (`Emulator.user()`). See docs/sandbox.md.
"""

from sandbox.emulator import Emulator, StripeAccount
from sandbox.errors import Violation
from sandbox.faults import Faults
from sandbox.personas import DEMO_PERSONAS, Persona
from sandbox.users import Payment, SimUser

__all__ = [
    "DEMO_PERSONAS",
    "Emulator",
    "Faults",
    "Payment",
    "Persona",
    "SimUser",
    "StripeAccount",
    "Violation",
]
