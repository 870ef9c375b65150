"""Optional second opinion: the machine-readable Bot API spec (TELEGRAM_API_SPEC).

aiogram's models follow aiogram's Bot API version; the spec file pins the version the shop is
written against and carries limits that live only in prose ("1-4096 characters", "Values
between 1-100 are accepted"). When the file is configured, every request is also checked
against it: method known, required fields present, no unknown fields, primitive types and the
stated length and value ranges, recursively through nested objects. The file is read at run
time and never copied into the repository.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.validation import Upload

_LENGTH = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_VALUES = re.compile(r"[Vv]alues between (\d+)-(\d+)")


class ApiSpec:
    """The spec's methods and types, with checks that return a problem text or None."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data.get("version", "?"))
        self.methods: dict[str, Any] = data["methods"]
        self.types: dict[str, Any] = data["types"]

    @classmethod
    def load(cls, path: str | Path) -> ApiSpec:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_env(cls) -> ApiSpec | None:
        path = os.environ.get("TELEGRAM_API_SPEC", "")
        return cls.load(path) if path and Path(path).is_file() else None

    def check_method(
        self, method: str, params: dict[str, Any], ignored: list[str] | None = None
    ) -> str | None:
        """The first problem with the call, or None. With `ignored`, fields the spec does not
        know are listed there instead (Telegram ignores them) rather than being a problem."""
        spec = self.methods.get(method)
        if spec is None:
            return f"method {method} is not in {self.version}"
        self._ignored = ignored
        try:
            return self._check_fields(method, spec.get("fields", []), params)
        finally:
            self._ignored = None

    _ignored: list[str] | None = None

    def _check_fields(
        self, where: str, fields: list[dict[str, Any]], value: dict[str, Any]
    ) -> str | None:
        known = {f["name"]: f for f in fields}
        for name in value:
            if name not in known:
                if self._ignored is None:
                    return f'unknown field "{name}" in {where} ({self.version})'
                self._ignored.append(f"{where}.{name} ({self.version})")
        for name, spec in known.items():
            if name not in value:
                if spec.get("required"):
                    return f'field "{name}" is required in {where} ({self.version})'
                continue
            problem = self._check_value(f"{where}.{name}", spec["types"], value[name])
            if problem:
                return problem
            problem = _check_ranges(f"{where}.{name}", spec.get("description", ""), value[name])
            if problem:
                return problem
        return None

    def _check_value(self, where: str, types: list[str], value: Any) -> str | None:
        problems = []
        for type_name in types:
            problem = self._check_type(where, type_name, value)
            if problem is None:
                return None
            problems.append(problem)
        return problems[0] if len(problems) == 1 else f"{where} must be one of {', '.join(types)}"

    def _check_type(self, where: str, type_name: str, value: Any) -> str | None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return f"{where} must be an Array"
            inner = type_name.removeprefix("Array of ")
            for i, item in enumerate(value):
                problem = self._check_type(f"{where}[{i}]", inner, item)
                if problem:
                    return problem
            return None
        simple = _SIMPLE.get(type_name)
        if simple is not None:
            return None if simple(value) else f"{where} must be {type_name}"
        spec = self.types.get(type_name)
        if spec is None:
            return None  # a type this spec version does not describe: aiogram already checked
        if spec.get("subtypes"):
            for sub in spec["subtypes"]:
                if self._check_type(where, sub, value) is None:
                    return None
            return f"{where} matches none of {type_name}'s kinds"
        if not isinstance(value, dict):
            return f"{where} must be {type_name}"
        return self._check_fields(where, spec.get("fields", []), value)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_SIMPLE: dict[str, Callable[[Any], bool]] = {
    "Integer": _is_int,
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "InputFile": lambda v: (
        isinstance(v, Upload) or (isinstance(v, str) and v.startswith("attach://"))
    ),
}


def _check_ranges(where: str, description: str, value: Any) -> str | None:
    """Limits stated in prose. Text measured "after entities parsing" is checked elsewhere."""
    if isinstance(value, str) and "after entities parsing" not in description:
        match = _LENGTH.search(description)
        if match:
            low, high, unit = int(match[1]), int(match[2]), match[3]
            size = len(value.encode()) if unit == "bytes" else len(value)
            if not low <= size <= high:
                return f"{where} must be {low}-{high} {unit}, got {size}"
    if _is_int(value):
        match = _VALUES.search(description)
        if match and not int(match[1]) <= value <= int(match[2]):
            return f"{where} must be between {match[1]} and {match[2]}"
    return None
