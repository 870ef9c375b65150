"""The backends behind one interface: `await backend.parse(text, context) -> Intent`.

`EmbeddedBackend` runs in-process from the training YAML; `RasaBackend` asks a Rasa Open
Source server over HTTP; `FallbackBackend` uses the first and falls back to the second while
the first is down. All of them share the EntityBuilder post-processing, so entities mean the
same thing whichever model classified the intent. No backend ever acts on what it parsed.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from nlu.catalog import CatalogIndex
from nlu.classifier import Model, load_or_train
from nlu.dataset import CATALOG_FILE, TRAINING_FILES, NluData, load_training
from nlu.postprocess import EntityBuilder, EntitySpan
from nlu.text import words
from nlu.types import (
    DEFAULT_THRESHOLD,
    INTENTS,
    OUT_OF_SCOPE,
    STATE_CHANGING,
    Context,
    Intent,
)
from nlu.understand import Refiner, ShopWords, reread

log = logging.getLogger(__name__)


class Backend(Protocol):
    """Anything that turns a chat message into an Intent."""

    async def parse(self, text: str, context: Context) -> Intent: ...

    async def aclose(self) -> None: ...


class BackendUnavailable(RuntimeError):
    """The backend cannot answer now (server down, timeout); another one may."""


def load_catalog(path: Path = CATALOG_FILE) -> CatalogIndex:
    """The sample catalog shipped for evaluation and the command line."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return CatalogIndex.build(
        [(int(p[0]), str(p[1]), str(p[2])) for p in data["products"]],
        data["categories"],
        coupons=data.get("coupons", ()),
    )


def context_words(data: NluData) -> set[str]:
    """Words used around entities in training: never to be "corrected" into product names."""
    out: set[str] = set()
    for example in data.examples:
        text = example.text
        for span in example.spans:
            text = text.replace(span.value, " ")
        out.update(words(text))
    return out


def with_training_words(catalog: CatalogIndex, data: NluData | None = None) -> CatalogIndex:
    """The catalog with the training phrases' everyday words protected from fuzzy matching
    ("start" must not become "Smart Speaker")."""
    words_used = context_words(data or load_training())
    return CatalogIndex.build(
        catalog.items,
        catalog.categories.values(),
        words_used - catalog.vocabulary,
        coupons=catalog.coupons,
    )


def shop_words(data: NluData | None = None) -> ShopWords:
    """The words of the shop intents' training phrases, those only off-topic ones use, and
    those two or more shop phrases use (see `ShopWords`)."""
    data = data or load_training()
    shop: set[str] = set()
    other: set[str] = set()
    asking: Counter[str] = Counter()  # in how many requests to change something
    for example in data.examples:
        said = set(words(example.text))
        if example.intent == OUT_OF_SCOPE:
            other.update(said)
        else:
            shop.update(said)
        if example.intent in STATE_CHANGING:
            asking.update(said)
    return ShopWords(shop, other, usual=(w for w, n in asking.items() if n >= 2))


def _empty(text: str) -> bool:
    return not words(text)


#: Requests about one named product or the order that holds it.
ABOUT_A_PRODUCT = frozenset(
    {
        "add_to_cart",
        "remove_from_cart",
        "add_to_wishlist",
        "leave_review",
        "product_info",
        "cancel_order",
        "track_order",
        "return_order",
    }
)


def as_item(text: str, entities: EntityBuilder) -> str | None:
    """`text` with the catalogue product it names said as "item" ("cancel the wool scarf" ->
    "cancel the item"), or None when it names none. A live shop sells goods the training
    phrases never named, and a classifier reads an unknown name as a sign of another topic:
    asked again with the name as "item", it reads the request around it."""
    found = entities.build(text, "product_info", Context())
    mention = found.product
    if not found.products or not mention:
        return None
    start = text.lower().find(mention.lower())
    if start < 0:
        return None
    plural = mention.lower().endswith("s") and not mention.lower().endswith("ss")
    return text[:start] + ("items" if plural else "item") + text[start + len(mention) :]


def unsure(name: str, confidence: float) -> bool:
    """An answer worth asking again with the product as "item" (see `as_item`)."""
    return name == OUT_OF_SCOPE or confidence < DEFAULT_THRESHOLD


class EmbeddedBackend:
    """The in-process classifier plus the rule-based extractors; trains on first use."""

    def __init__(
        self,
        catalog: CatalogIndex | None = None,
        training_files: tuple[Path, ...] = TRAINING_FILES,
        cache_dir: Path | None = None,
    ) -> None:
        self.data = load_training(training_files)
        self.catalog = with_training_words(catalog or load_catalog(), self.data)
        self.entities = EntityBuilder(self.catalog)
        self.shop_words = shop_words(self.data)
        self.refiner = Refiner(self.shop_words, self.catalog)
        self._cache_dir = cache_dir
        self._model: Model | None = None

    @property
    def model(self) -> Model:
        if self._model is None:
            pairs = [(e.text, e.intent) for e in self.data.examples]
            self._model = load_or_train(pairs, self._cache_dir)
        return self._model

    def predict(self, text: str) -> list[tuple[str, float]]:
        """The classifier's ranking of these words alone (every intent, best first)."""
        return self.model.predict(text)

    def parse_clause(self, text: str, context: Context) -> Intent:
        """One request, as the classifier and the extractors read it (no refining)."""
        if _empty(text):
            return Intent(OUT_OF_SCOPE, 0.0)
        ranking = self.model.predict(text)
        name, confidence = ranking[0]
        item = as_item(text, self.entities) if unsure(name, confidence) else None
        if item is not None:
            again = self.model.predict(item)
            if again[0][0] in ABOUT_A_PRODUCT and not unsure(*again[0]):
                ranking = again
                name, confidence = again[0]
        name, confidence = reread(name, confidence, text, self.catalog)
        entities = self.entities.build(text, name, context)
        return Intent(name, confidence, entities, tuple(ranking[:5]))

    def parse_sync(self, text: str, context: Context) -> Intent:
        coroutine = self.parse(text, context)
        try:
            coroutine.send(None)
        except StopIteration as done:  # it never awaits anything that suspends
            result: Intent = done.value
            return result
        coroutine.close()
        raise RuntimeError("the embedded parse suspended")

    async def parse(self, text: str, context: Context) -> Intent:
        if _empty(text):
            return Intent(OUT_OF_SCOPE, 0.0)

        async def one(clause: str) -> Intent:
            return self.parse_clause(clause, context)

        return await self.refiner.parse(text, one)

    def use_catalog(self, catalog: CatalogIndex) -> None:
        """Match product names against this (live) catalog from now on."""
        self.catalog = with_training_words(catalog, self.data)
        self.entities = EntityBuilder(self.catalog)
        self.refiner = Refiner(self.shop_words, self.catalog)

    async def aclose(self) -> None:
        return None


#: Rasa's share of a blended reading by default (the embedded classifier has the rest):
#: DIET is confidently wrong on wording it has never seen ("put that kettle in the cart too"
#: -> remove_from_cart 0.78), and the two classifiers err on different messages. Equal
#: shares, chosen before measuring; setting NLU_RASA_BLEND.
BLEND = 0.5


class RasaBackend:
    """A client of Rasa's `POST /model/parse`; entities go through the same EntityBuilder."""

    def __init__(
        self,
        url: str,
        catalog: CatalogIndex | None = None,
        timeout: float = 3.0,
        second_opinion: Callable[[str], list[tuple[str, float]]] | None = None,
        share: float = BLEND,
    ) -> None:
        self.url = url.rstrip("/")
        #: the embedded classifier's ranking of the same words, blended with Rasa's: Rasa
        #: has `share` of each reading
        self.second_opinion = second_opinion
        self.share = share
        data = load_training()
        self.catalog = with_training_words(catalog or load_catalog(), data)
        self.entities = EntityBuilder(self.catalog)
        self.shop_words = shop_words(data)
        self.refiner = Refiner(self.shop_words, self.catalog)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def raw_parse(self, text: str) -> dict[str, Any]:
        try:
            async with self._client().post(
                f"{self.url}/model/parse", json={"text": text}
            ) as response:
                if response.status != 200:
                    raise BackendUnavailable(f"Rasa answered {response.status}")
                body: dict[str, Any] = await response.json()
                return body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise BackendUnavailable(f"Rasa at {self.url} is unreachable: {exc!r}") from exc

    async def parse(self, text: str, context: Context) -> Intent:
        if _empty(text):
            return Intent(OUT_OF_SCOPE, 0.0)

        async def one(clause: str) -> Intent:
            if _empty(clause):
                return Intent(OUT_OF_SCOPE, 0.0)
            body = await self.raw_parse(clause)
            first = self.from_response(clause, body, context)
            item = as_item(clause, self.entities) if unsure(first.name, first.confidence) else None
            if item is not None:
                again = await self.raw_parse(item)
                said = again.get("intent") or {}
                name, confidence = str(said.get("name")), float(said.get("confidence") or 0.0)
                if name in ABOUT_A_PRODUCT and not unsure(name, confidence):
                    # the intent of the sentence with "item"; the entities of the one typed
                    return self.from_response(clause, {**again, "entities": []}, context, read=item)
            return first

        return await self.refiner.parse(text, one)

    def from_response(
        self, text: str, body: dict[str, Any], context: Context, read: str | None = None
    ) -> Intent:
        """Maps Rasa's JSON onto an Intent; unknown intent names become out_of_scope. `read`:
        the words Rasa was given, when they are not `text` (a product said as "item")."""
        intent = body.get("intent") or {}
        name = str(intent.get("name") or OUT_OF_SCOPE)
        confidence = float(intent.get("confidence") or 0.0)
        if name not in INTENTS:
            name, confidence = OUT_OF_SCOPE, min(confidence, 0.0)
        said = [
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in (body.get("intent_ranking") or ())
        ]
        if self.second_opinion is not None:
            name, confidence, said = blend(said, self.second_opinion(read or text), self.share)
        name, confidence = reread(name, confidence, text, self.catalog)
        spans: list[EntitySpan] = []
        for entity in body.get("entities") or ():
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int):
                spans.append(EntitySpan(str(entity.get("entity")), text[start:end], start, end))
        ranking = tuple(said[:5])
        return Intent(name, confidence, self.entities.build(text, name, context, spans), ranking)

    def use_catalog(self, catalog: CatalogIndex) -> None:
        """Match product names against this (live) catalog from now on."""
        self.catalog = with_training_words(catalog)
        self.entities = EntityBuilder(self.catalog)
        self.refiner = Refiner(self.shop_words, self.catalog)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def blend(
    rasa: Sequence[tuple[str, float]], embedded: Sequence[tuple[str, float]], share: float = BLEND
) -> tuple[str, float, list[tuple[str, float]]]:
    """Rasa's intent ranking and the embedded classifier's, averaged (`share` of Rasa's):
    the best intent, its blended confidence and the whole ranking, best first. Intents Rasa
    did not rank (its ranking is cut at ten) count as 0 for it; names Rasa invents
    (nlu_fallback) are out_of_scope."""
    weight = share
    mixed: dict[str, float] = {}
    for name, confidence in rasa:
        key = name if name in INTENTS else OUT_OF_SCOPE
        mixed[key] = mixed.get(key, 0.0) + weight * confidence
    for name, confidence in embedded:
        mixed[name] = mixed.get(name, 0.0) + (1.0 - weight) * confidence
    ranked = sorted(mixed.items(), key=lambda pair: -pair[1])
    best, confidence = ranked[0]
    return best, confidence, ranked


class FallbackBackend:
    """Asks `primary`; while it is unavailable, answers from `fallback` (warning once per
    outage) and tries the primary again after `retry_after` seconds."""

    def __init__(self, primary: Backend, fallback: Backend, retry_after: float = 30.0) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_after = retry_after
        self._down_since: float | None = None

    @property
    def degraded(self) -> bool:
        return self._down_since is not None

    async def parse(self, text: str, context: Context) -> Intent:
        now = time.monotonic()
        if self._down_since is None or now - self._down_since >= self.retry_after:
            try:
                intent = await self.primary.parse(text, context)
            except BackendUnavailable as exc:
                if self._down_since is None:
                    log.warning("NLU backend unavailable, using the embedded one: %s", exc)
                self._down_since = now
            else:
                if self._down_since is not None:
                    log.info("NLU backend is back")
                self._down_since = None
                return intent
        return await self.fallback.parse(text, context)

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.fallback.aclose()


def prepare(backend: Backend) -> None:
    """Trains (or reads from its cache) every embedded model `backend` reads with, so the
    first message is not kept waiting behind a minute of training on a new machine. It
    blocks: the bot calls it in a thread while it starts (`Language.start`)."""
    if isinstance(backend, EmbeddedBackend):
        backend.model  # noqa: B018 - the property trains or loads the model
    elif isinstance(backend, FallbackBackend):
        prepare(backend.primary)
        prepare(backend.fallback)
    elif isinstance(backend, RasaBackend):
        owner = getattr(backend.second_opinion, "__self__", None)  # embedded.predict
        if isinstance(owner, EmbeddedBackend):
            prepare(owner)


def make_backend(
    kind: str,
    rasa_url: str | None = None,
    catalog: CatalogIndex | None = None,
    cache_dir: Path | None = None,
    rasa_blend: float = BLEND,
) -> Backend:
    """`embedded`, `rasa` (falls back to embedded when the server is down) or `rasa-only`.
    With Rasa, `rasa_blend` is Rasa's share of each reading, the embedded classifier's
    ranking having the rest (1: Rasa alone)."""
    if kind == "embedded":
        return EmbeddedBackend(catalog, cache_dir=cache_dir)
    url = rasa_url or "http://127.0.0.1:5005"
    embedded = EmbeddedBackend(catalog, cache_dir=cache_dir)
    second = embedded.predict if rasa_blend < 1 else None
    rasa = RasaBackend(url, catalog, second_opinion=second, share=rasa_blend)
    if kind == "rasa-only":
        return rasa
    if kind == "rasa":
        return FallbackBackend(rasa, embedded)
    raise ValueError(f"unknown backend {kind!r}: expected embedded, rasa or rasa-only")
