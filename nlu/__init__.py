"""Free text -> Intent(name, confidence, entities): see docs/nlu.md.

The layer only describes what a message asks for; handlers decide whether to act (see
`Intent.is_confident`). It takes the catalog as plain data (`CatalogIndex.build`) and never
imports aiogram or the database.
"""

from nlu.backends import (
    Backend,
    BackendUnavailable,
    EmbeddedBackend,
    FallbackBackend,
    RasaBackend,
    make_backend,
    prepare,
)
from nlu.catalog import CatalogIndex, CatalogItem
from nlu.types import INTENTS, Context, Entities, Intent, ProductMatch

__all__ = [
    "INTENTS",
    "Backend",
    "BackendUnavailable",
    "CatalogIndex",
    "CatalogItem",
    "Context",
    "EmbeddedBackend",
    "Entities",
    "FallbackBackend",
    "Intent",
    "ProductMatch",
    "RasaBackend",
    "make_backend",
    "prepare",
]
