"""What the browser tests share: Debian's Chromium, the flags it runs headless with here, and
the rule for when it is missing (skip with one reason; fail under CI=true)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser() -> None:
    missing = None
    if importlib.util.find_spec("playwright") is None:
        missing = "Playwright is not installed (pip install 'playwright>=1.40,<2')"
    elif not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test under CI: {missing}")
    pytest.skip(missing)
