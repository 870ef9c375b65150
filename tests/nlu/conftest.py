"""Fixtures for the nlu tests: one trained embedded backend per session, the sample catalog,
and the Rasa server's URL (tests marked `rasa` skip with one reason when it is unreachable,
except under CI=true, where they fail instead)."""

from __future__ import annotations

import os
from pathlib import Path

import aiohttp
import pytest

from nlu.backends import EmbeddedBackend, load_catalog
from nlu.catalog import CatalogIndex

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "rasa: needs a Rasa server at RASA_URL (skips outside CI when none answers; "
        "start one with scripts/rasa/up.sh)",
    )


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def catalog() -> CatalogIndex:
    return load_catalog()


@pytest.fixture(scope="session")
def embedded(catalog: CatalogIndex, nlu_cache: Path) -> EmbeddedBackend:
    backend = EmbeddedBackend(catalog, cache_dir=nlu_cache)
    assert backend.model is not None  # train once, up front
    return backend


async def rasa_unavailable_reason(url: str) -> str | None:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.post(f"{url}/model/parse", json={"text": "hi"}) as response,
        ):
            if response.status != 200:
                return f"Rasa at {url} answered {response.status}"
            body = await response.json()
            if not body.get("intent"):
                return f"Rasa at {url} has no NLU model loaded"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return f"no Rasa server at {url} ({exc.__class__.__name__}); run scripts/rasa/up.sh"
    return None


@pytest.fixture(scope="session")
async def rasa_url() -> str:
    reason = await rasa_unavailable_reason(RASA_URL)
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    return RASA_URL
