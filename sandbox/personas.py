"""Personas: the fixed simulated users a person can be in the web chat.

A persona is a Telegram user with a known id and name (so the shop can recognise its admin or
seller by id), plus a label for the page ("customer", "seller", "admin"). Register them with
`Emulator(personas=[...])` or `Emulator.add_persona()`; `Emulator.persona(id)` is the
`SimUser` behind one, the same object the web chat drives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Persona:
    id: int
    first_name: str
    role_label: str = "customer"
    last_name: str | None = None
    username: str | None = None
    language_code: str = "en"

    def __post_init__(self) -> None:
        if not 0 < self.id < 2**52:
            raise ValueError(f"persona id {self.id} is not a Telegram user id")
        if not self.first_name.strip():
            raise ValueError("a persona needs a first name")

    def as_user(self) -> dict[str, Any]:
        """The Bot API `User` object the persona's updates carry."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        user["username"] = self.username or (
            f"{self.first_name.lower().replace(' ', '_')}_{self.id}"
        )
        user["language_code"] = self.language_code
        return user

    def describe(self) -> dict[str, Any]:
        """What the web chat's persona picker shows."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.as_user()["username"],
            "role_label": self.role_label,
        }


# The shop's demo cast (the launcher in bot/ passes the same ones): two customers, a seller
# and an admin with fixed ids.
DEMO_PERSONAS: tuple[Persona, ...] = (
    Persona(900000201, "Sara", "customer"),
    Persona(900000202, "John", "customer"),
    Persona(900000101, "Maya", "seller"),
    Persona(900000001, "Demo Admin", "admin"),
)
