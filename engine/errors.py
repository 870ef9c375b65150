"""Domain errors: a code and data, never prose (the chat layer words them per language).

DomainError
├── NotFound            the object does not exist, or is not the actor's to see
├── Forbidden           the actor may not do this (banned, wrong role, not the owner)
└── InvalidInput        a value breaks a rule (field and rule in params)
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code: str = "domain_error"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.code, params)
        self.params = params


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidInput(DomainError):
    code = "invalid_input"
