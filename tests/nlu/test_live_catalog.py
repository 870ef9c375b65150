"""A live shop sells goods the training phrases never named (the sample catalogue is all they
know): requests about them are still read as requests, and off-topic text about them still
changes nothing (nlu.backends.as_item)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu import CatalogIndex, CatalogItem, Context, EmbeddedBackend
from nlu.evaluate import acted_as
from nlu.types import STATE_CHANGING

SHOP = [
    CatalogItem(1, "Wool Scarf", "Scarves"),
    CatalogItem(2, "Silk Pillowcase", "Bedding"),
    CatalogItem(3, "Bamboo Toothbrush", "Bathroom"),
    CatalogItem(4, "Cast Iron Teapot", "Tea"),
]


@pytest.fixture(scope="module")
def live(nlu_cache: Path) -> EmbeddedBackend:
    """The classifier every nlu test uses (same training phrases), over another shop."""
    catalog = CatalogIndex.build(SHOP, sorted({item.category for item in SHOP}))
    return EmbeddedBackend(catalog, cache_dir=nlu_cache)


@pytest.mark.parametrize(
    ("text", "intent", "product"),
    [
        ("cancel the wool scarf", "cancel_order", 1),
        ("add the wool scarf", "add_to_cart", 1),
        ("remove the silk pillowcase", "remove_from_cart", 2),
        ("remove the cast iron teapot from my basket", "remove_from_cart", 4),
    ],
)
async def test_requests_about_goods_the_training_never_named(
    live: EmbeddedBackend, text: str, intent: str, product: int
) -> None:
    parsed = await live.parse(text, Context())
    assert acted_as(parsed) == intent, parsed
    assert parsed.entities.product_ids[0] == product


@pytest.mark.parametrize(
    "text",
    ["cancel my gym membership", "i hate the silk pillowcase", "my sister loves the wool scarf"],
)
async def test_off_topic_text_about_them_changes_nothing(live: EmbeddedBackend, text: str) -> None:
    assert acted_as(await live.parse(text, Context())) not in STATE_CHANGING
