"""Start-up failures that end the process with one line saying what is wrong and what to do,
never a traceback (bot/cli.py prints them)."""

from __future__ import annotations


class StartupError(Exception):
    """The process cannot start; the message is the whole story."""

    exit_status = 1


class DatabaseUnreachable(StartupError):
    exit_status = 2


class DatabaseNotMigrated(StartupError):
    exit_status = 2


class ApiUnreachable(StartupError):
    """The Bot API did not answer (or refused the token) for as long as we waited."""
