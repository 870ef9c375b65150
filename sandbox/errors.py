"""Errors answered the way the Bot API answers them.

Every failure inside the emulator is an `ApiError`; the server turns it into Telegram's JSON
envelope (`{"ok": false, "error_code": ..., "description": ...}`) so that a client library sees
exactly what it would see from api.telegram.org. Whether an error is a *violation* (the bot did
something Telegram would refuse) or ordinary runtime behaviour (a user blocked the bot) decides
if it lands in `Emulator.violations`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """A Bot API error answer; `violation` says whether the harness should record it."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        violation: bool = True,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.violation = violation
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(message: str) -> ApiError:
    """Telegram prefixes every 400 description with "Bad Request: "."""
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    """403s are runtime facts (blocked, kicked), not bugs in the bot: not recorded."""
    return ApiError(403, f"Forbidden: {message}", violation=False)


QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True)
class Violation:
    """One request (or missing answer) that Telegram would have refused or penalised."""

    method: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method}: {self.description}"
