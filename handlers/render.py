"""Text shown to users. Pure functions of view objects (i18n catalogs arrive with the
conversations issue; until then English only)."""

from __future__ import annotations

from html import escape

from engine.accounts import UserView

HELP = (
    "I am the marketplace's shopping assistant.\n\n"
    "/start: the main menu\n"
    "/help: this message\n"
    "/cancel: stop what you are doing"
)

CANCELLED = "Cancelled. Nothing was changed."


def welcome(user: UserView) -> str:
    name = escape(user.first_name or "there")
    if user.created:
        return f"Welcome, {name}! Your account is ready.\n\n{HELP}"
    return f"Welcome back, {name}!\n\n{HELP}"


def banned(user: UserView) -> str:
    reason = escape(user.status_reason or "no reason was given")
    return f"Your account is blocked: {reason}. Contact support if you think this is a mistake."
