"""Shared by the adapters: a pydantic validation error as one short line for logs and
answers (where in the body, and what is wrong there)."""

from __future__ import annotations

from pydantic import ValidationError


def why(exc: ValidationError, limit: int = 200) -> str:
    """`events.0.status: Input should be 'in_transit', …`: every error, joined, clipped."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)[:limit]
