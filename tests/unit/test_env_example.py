"""`.env.example` documents every setting, each with a comment, and loads as it stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from tests.conftest import ROOT

EXAMPLE = ROOT / ".env.example"


def _keys_with_comment_above() -> dict[str, str]:
    """Each key, with the comment line right above it ("" when there is none)."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = {}
    for n, line in enumerate(lines):
        if line and not line.startswith("#"):
            above = lines[n - 1] if n else ""
            comment = above if above.startswith("#") and not above.startswith("# ---") else ""
            found[line.partition("=")[0]] = comment
    return found


def test_every_setting_is_in_the_example_and_nothing_else() -> None:
    assert set(_keys_with_comment_above()) == {name.upper() for name in Settings.model_fields}


def test_every_key_has_a_one_line_comment_right_above_it() -> None:
    uncommented = [key for key, comment in _keys_with_comment_above().items() if not comment]
    assert uncommented == []


def test_the_example_loads_as_it_stands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in Settings.model_fields:
        monkeypatch.delenv(key.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.webhook_url is None
