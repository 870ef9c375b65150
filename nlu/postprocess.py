"""From an intent and a text (and optionally a backend's entity spans) to normalised Entities.

Both backends end here, so "two" becomes 2, "one zero four two" becomes 1042 and "red hoody"
becomes catalog ids the same way whichever model found the intent. Spans a backend reports
(Rasa's entities) are trusted first; the rule-based extractors fill what it did not report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from nlu.catalog import CatalogIndex, Mention
from nlu.extract import (
    COLOURS,
    Found,
    extract_colour,
    extract_coupon,
    extract_order_id,
    extract_price,
    extract_rating,
    extract_size,
    extract_sort,
    normalize_colour,
    normalize_size,
)
from nlu.numbers import (
    COUNT_PHRASES,
    fraction,
    parse_money,
    parse_quantity,
    spoken_digits,
    word_number,
)
from nlu.text import Token, tokenize, words
from nlu.types import (
    ORDER_INTENTS,
    PRODUCT_INTENTS,
    STATE_CHANGING,
    Context,
    Entities,
    ProductMatch,
)

CART_INTENTS = frozenset({"add_to_cart", "remove_from_cart"})
#: Intents where a bare category word means "browse that category" rather than a product.
BROWSE_INTENTS = frozenset({"search"})
_QUANTITY_MARKERS = frozenset({"qty", "quantity", "x"})
_NEGATIVE = frozenset({"minus", "negative"})
_EXPONENT = re.compile(r"e\d{1,3}")
_FILLERS = frozenset({"of", "the", "more", "extra", "new", "another"})
#: The verbs a count follows when the thing is the one the chat showed ("add 3", "buy 0").
_COUNTING_VERBS = frozenset({"add", "put", "buy", "purchase", "get", "grab", "take", "remove"})
#: Slots checked by patterns before a backend's spans: their shape is regular.
RULES_FIRST = frozenset({"price_min", "price_max", "order_id", "rating", "coupon_code"})
_ITEM = frozenset({"product", "colour", "size"})
#: The slots each intent can use. Others are dropped: "book a hotel" is out of scope and must
#: not come back with the Books category, nor "what's 5 times 7" with a quantity.
SLOTS: dict[str, frozenset[str]] = {
    "search": _ITEM | {"category", "price_min", "price_max", "sort"},
    "product_info": _ITEM,
    "add_to_cart": _ITEM | {"quantity"},
    "remove_from_cart": _ITEM | {"quantity"},
    "add_to_wishlist": _ITEM,
    "apply_coupon": frozenset({"coupon_code"}),
    "checkout": frozenset({"coupon_code"}),
    # "cancel the kettles", "where are my headphones": the order that holds them
    "track_order": _ITEM | {"order_id"},
    "cancel_order": _ITEM | {"order_id"},
    "return_order": _ITEM | {"order_id", "quantity"},
    "leave_review": _ITEM | {"rating", "order_id"},
    "contact_support": frozenset({"order_id"}),
}
_ANAPHORA_AFTER = frozenset({"them", "those", "these", "it", "this", "that"})
#: After these words "one" stands for a thing ("the one", "the cheapest one"), not for 1.
_ONE_AFTER = frozenset(
    {"the", "that", "this", "which", "other", "same", "cheapest", "cheaper", "cheap", "priciest",
     "dearest", "expensive", "first", "last", "second", "third", "best", "new", "big", "small",
     "little", "nice", "right", "wrong"}
) | frozenset(COLOURS)  # fmt: skip
#: After these, a "one" said last is the count ("I'll take one", "just one").
_ONE_COUNTED_AFTER = _COUNTING_VERBS | {"want", "need", "just", "only", "order", "me"}


@dataclass(frozen=True)
class EntitySpan:
    """An entity a backend found: type, the text it covers and where."""

    entity: str
    text: str
    start: int
    end: int


def _tokens_in(tokens: Sequence[Token], start: int, end: int) -> set[int]:
    return {i for i, t in enumerate(tokens) if t.start < end and t.end > start}


class EntityBuilder:
    """Turns text into Entities using a catalog; one per catalog, cheap to call."""

    def __init__(self, catalog: CatalogIndex) -> None:
        self.catalog = catalog

    def build(
        self,
        text: str,
        intent: str,
        context: Context,
        spans: Sequence[EntitySpan] | None = None,
    ) -> Entities:
        tokens = tokenize(text)
        used: set[int] = set()
        given: dict[str, EntitySpan] = {}
        for span in sorted(spans or (), key=lambda s: s.start):
            given.setdefault(span.entity, span)
        values: dict[str, object] = {}

        def take(found: Found[Any] | None, key: str) -> None:
            if found is not None and key not in values:
                values[key] = found.value
                used.update(_tokens_in(tokens, found.start, found.end))

        # 1. slots a backend reported, normalised by the same parsers the rules use; the
        # regular shapes (prices, order ids, ratings, codes) trust the patterns first
        for span in given.values():
            if span.entity in RULES_FIRST:
                continue
            value = _normalise(span.entity, span.text)
            at = sorted(_tokens_in(tokens, span.start, span.end))
            if span.entity == "quantity" and value is not None and at:
                counted = _count_at(text, tokens, at[0])  # "-5", "1e9", "minus two": as typed
                if counted is not None and tokens[at[0]].lower.isdigit():
                    value = counted[0]
                elif counted is not None and counted[0] < 0 and isinstance(value, int):
                    value = -value
            if value is not None:
                values[span.entity] = value
                if span.entity not in ("product", "category"):
                    used.update(_tokens_in(tokens, span.start, span.end))
        # 2. rules for the rest: structured slots first, so their words are not reused
        low, high = extract_price(text)
        take(low, "price_min")
        take(high, "price_max")
        take(
            extract_coupon(text, self.catalog.coupons)
            if intent == "apply_coupon" or "coupon_code" in given
            else None,
            "coupon_code",
        )
        take(extract_order_id(text, loose=intent in ORDER_INTENTS), "order_id")
        take(extract_rating(text), "rating")
        take(extract_size(text), "size")
        take(extract_colour(text), "colour")
        for span in given.values():
            covered = _tokens_in(tokens, span.start, span.end)
            if span.entity in RULES_FIRST and span.entity not in values and not covered & used:
                value = _normalise(span.entity, span.text)
                if value is not None:
                    values[span.entity] = value
                    used.update(covered)
        colour_found = extract_colour(text)
        while colour_found is not None:  # every colour word is an attribute, not a name
            used.update(_tokens_in(tokens, colour_found.start, colour_found.end))
            rest = text[colour_found.end :]
            nxt = extract_colour(rest)
            colour_found = (
                None
                if nxt is None
                else Found(nxt.value, nxt.start + colour_found.end, nxt.end + colour_found.end)
            )

        # 3. product and category mentions
        attributes: dict[str, str] = {k: str(values[k]) for k in ("colour", "size") if k in values}
        values.pop("product", None)
        values.pop("category", None)
        product_text: str | None = None
        matches: list[tuple[int, float]] = []
        mention_tokens: set[int] = set()
        allowed = SLOTS.get(intent, frozenset())
        if not allowed & {"product", "category"}:
            mentions = []
        elif "product" in given or "category" in given:
            mentions = _merge_mentions(text, tokens, spans or ())
        else:
            mentions = self.catalog.find_mentions(tokens, used)
        for mention in mentions:
            mention = self._trim_numbers(tokens, mention, attributes)
            category = self.catalog.match_category(mention.text)
            kind = given.get("category")
            prefer_category = intent in BROWSE_INTENTS or (
                kind is not None and kind.text == mention.text
            )
            if category and (prefer_category or intent not in PRODUCT_INTENTS):
                values.setdefault("category", category)
                mention_tokens.update(range(mention.start, mention.end))
                continue
            found = self.catalog.resolve(mention.text, attributes)
            if found and (not matches or found[0][1] > matches[0][1]):
                matches, product_text = found, mention.text
                mention_tokens.update(range(mention.start, mention.end))
            elif category and "category" not in values and not found:
                values["category"] = category
                mention_tokens.update(range(mention.start, mention.end))

        # 4. quantity: a count next to a product, "x2", "3 of them"; a count that is no whole
        # number ("add 2.5", "half a lamp") is reported as typed, never rounded to another
        if "quantity" not in values and intent in CART_INTENTS:
            odd = _fraction(tokens, used | mention_tokens)
            if odd is not None:
                values["fraction"] = odd
        if "quantity" not in values and "fraction" not in values:
            quantity = self._quantity(text, tokens, used | mention_tokens, mention_tokens, intent)
            if quantity is not None:
                values["quantity"] = quantity

        values = {
            k: v
            for k, v in values.items()
            if k in allowed or (k == "fraction" and "quantity" in allowed)
        }
        if "product" not in allowed:
            product_text, matches = None, []
        entities = Entities(
            product=product_text,
            products=tuple(ProductMatch(pid, score) for pid, score in matches),
            category=_str(values.get("category")),
            quantity=_int(values.get("quantity")),
            fraction=_str(values.get("fraction")),
            colour=_str(values.get("colour")),
            size=_str(values.get("size")),
            price_min=_dec(values.get("price_min")),
            price_max=_dec(values.get("price_max")),
            coupon_code=_str(values.get("coupon_code")),
            order_id=_int(values.get("order_id")),
            rating=_int(values.get("rating")),
            sort=extract_sort(text) if "sort" in allowed else None,
        )
        if intent in STATE_CHANGING and _names_something_else(
            tokens, used | mention_tokens, intent
        ):
            context = replace(context, last_product_id=None)  # "add two bananas": not the last one
        return apply_context(entities, intent, context)

    def _trim_numbers(
        self, tokens: Sequence[Token], mention: Mention, attributes: dict[str, str]
    ) -> Mention:
        """Drops leading count words ("two zip hoodies") unless the name has them
        ("Two-Person Tent")."""
        start = mention.start
        while start < mention.end - 1 and parse_quantity(tokens[start].lower) is not None:
            start += 1
        if start == mention.start:
            return mention
        full = self.catalog.resolve(mention.text, attributes)
        text = " ".join(t.text for t in tokens[start : mention.end])
        trimmed = self.catalog.resolve(text, attributes)
        if full and (not trimmed or full[0][1] > trimmed[0][1] + 1e-9):
            return mention
        return Mention(start, mention.end, text)

    def _quantity(
        self, text: str, tokens: Sequence[Token], used: set[int], mention: set[int], intent: str
    ) -> int | None:
        """The count as typed, in range or not ("-5 kettles", "1e9 kettles"): the engine says
        what it accepts, so a count is never silently turned into another."""
        lowered = [t.lower for t in tokens]
        mention_start = min(mention) if mention else None
        lone: list[int] = []
        for i, word in enumerate(lowered):
            if i in used:
                continue
            if (word.startswith("x") and word[1:].isdigit()) or (
                word.endswith("x") and word[:-1].isdigit()
            ):
                return parse_quantity(word)
            if (
                word == "one"
                and i > 0
                and (
                    i - 1 in mention
                    or lowered[i - 1] in _ONE_AFTER
                    or (i == len(lowered) - 1 and lowered[i - 1] not in _ONE_COUNTED_AFTER)
                )
            ):
                continue  # "the cheapest usb-c one", "the red one": a thing, not a count
            counted = _count_at(text, tokens, i)
            if counted is None:
                continue
            value, end = counted
            usual = 0 < value <= 99 and not (word.isdigit() and len(word) > 2)
            if word in ("a", "an"):
                if intent not in CART_INTENTS:
                    continue
                if i + 1 < len(lowered) and lowered[i + 1] in COUNT_PHRASES:
                    continue  # "a couple": the next word carries the number
            # what follows, skipping fillers and attribute words
            j = end
            while j < len(lowered) and (lowered[j] in _FILLERS or (j in used and j not in mention)):
                j += 1
            follows_mention = mention_start is not None and j == mention_start
            before = lowered[i - 1] if i > 0 else ""
            if before in _NEGATIVE:
                before = lowered[i - 2] if i > 1 else ""
            if follows_mention or before in _QUANTITY_MARKERS:
                return value  # next to the product: the count, however odd
            if (
                i > 0
                and before in _COUNTING_VERBS
                and intent in CART_INTENTS
                and all(w in _NAMES_NOTHING for w in lowered[end:])
            ):
                # "add 0", "add -3 please", "add 100000 to my cart": the count of the product
                # the chat showed last, however odd
                return value
            if not usual:
                continue  # a stray big number ("the 2000 model") is not a count
            after = lowered[end] if end < len(lowered) else ""
            after2 = lowered[end + 1] if end + 1 < len(lowered) else ""
            if (
                after in _ANAPHORA_AFTER
                or (after in ("of", "more") and after2 in _ANAPHORA_AFTER)
                or (after in ("more",) and intent in CART_INTENTS)
            ):
                return value
            if word not in COUNT_PHRASES and intent in CART_INTENTS:
                lone.append(value)
        return lone[0] if len(lone) == 1 else None


def _fraction(tokens: Sequence[Token], used: set[int]) -> str | None:
    """A count that is no whole number, as typed: "2.5", "1/2", "half a", "1 and a half"."""
    lowered = [t.lower for t in tokens]
    for i, word in enumerate(lowered):
        if i in used:
            continue
        if fraction(word):
            return tokens[i].text
        if word == "half" and (
            lowered[i + 1 : i + 2] in (["a"], ["an"], ["of"]) or lowered[i - 1 : i] == ["a"]
        ):
            whole = lowered[i - 3 : i - 1] if i >= 3 else []
            said = f"{whole[0]} and a half" if len(whole) == 2 and whole[1] == "and" else "half"
            return said
    return None


def _count_at(text: str, tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    """The count written at token `i`, signed and scaled as typed ("-5", "minus three",
    "1e9", "0"), and the index of the token after it; None if it is no count."""
    word = tokens[i].lower
    end = i + 1
    if word.isdigit():
        value = int(word)
        following = tokens[end] if end < len(tokens) else None
        if (
            following is not None
            and following.start == tokens[i].end
            and _EXPONENT.fullmatch(following.lower)
        ):
            value *= 10 ** int(following.lower[1:])
            end += 1
    else:
        count = parse_quantity(word)
        if count is None:
            return None
        value = count
    start = tokens[i].start
    signed = start > 0 and text[start - 1] in "-−" and (start < 2 or not text[start - 2].isalnum())
    if signed or (i > 0 and tokens[i - 1].lower in _NEGATIVE):
        value = -value
    return value, end


def _merge_mentions(
    text: str, tokens: Sequence[Token], spans: Iterable[EntitySpan]
) -> list[Mention]:
    """Product and category spans as mentions; adjacent ones ("zip" + "hoodies") joined."""
    merged: list[tuple[int, int]] = []
    for span in sorted(
        (s for s in spans if s.entity in ("product", "category")), key=lambda s: s.start
    ):
        if merged and not text[merged[-1][1] : span.start].strip():
            merged[-1] = (merged[-1][0], span.end)
        else:
            merged.append((span.start, span.end))
    mentions = []
    for start, end in merged:
        ids = _tokens_in(tokens, start, end)
        if ids:
            mentions.append(Mention(min(ids), max(ids) + 1, text[start:end]))
    return mentions


#: Words that name no thing: a cart request made only of them ("add two", "add it to my
#: cart please", "save this for later", "rate it five stars") is about the product the chat
#: showed last.
_NAMES_NOTHING = frozenset(
    """a an the and or of to in on into onto at for from with by up out off too also just
    it its this that these those them they one ones same another more again here there now
    i me my mine you your we us our please pls plz thanks thank thx can could would will
    shall may want wanna like need needs get gimme give have has let lets let's do does
    add adding added put pop throw chuck toss stick grab buy purchase include order
    remove removing delete drop take discard ditch scrap get rid
    save saved wishlist wish list favourite favorite favourites favorites bookmark star heart
    later keep aside
    review rate rating stars star feedback comment write leave
    cart basket bag trolley item items thing things product stuff
    zero one two three four five six seven eight nine ten eleven twelve dozen couple pair
    yes ok okay sure right well so oh hey hi""".split()  # noqa: SIM905
)
#: A removal of everything: never narrowed to the product the chat showed last.
_EVERYTHING = frozenset({"empty", "clear", "wipe", "everything", "all", "whole", "entire", "reset"})


def removes_everything(text: str) -> bool:
    """Whether a removal asks for the whole cart: "empty my cart", "remove everything"."""
    return not _EVERYTHING.isdisjoint(words(text))


def _names_something_else(tokens: Sequence[Token], used: set[int], intent: str) -> bool:
    """Whether a state-changing request says more than "it": it names a thing the catalogue
    does not know ("add two yoga mats" in a shop without them, "add 3 surfboards") or asks
    for everything ("empty my cart"). Such a request is never applied to the product the chat
    showed last."""
    said = [t.lower for i, t in enumerate(tokens) if i not in used]
    if intent == "remove_from_cart" and _EVERYTHING & set(said):
        return True
    return any(
        len(w) >= 3 and w.isalpha() and w not in _NAMES_NOTHING and not w.endswith("'s")
        for w in said
    )


def apply_context(entities: Entities, intent: str, context: Context) -> Entities:
    """Fills "it"/"that one" from what the chat showed last, and records that it did."""
    filled: set[str] = set()
    products = entities.products
    order_id = entities.order_id
    wants_product = intent in PRODUCT_INTENTS and not products and not entities.product
    if wants_product and context.last_product_id is not None:
        products = (ProductMatch(context.last_product_id, 1.0),)
        filled.add("product")
    if intent in ORDER_INTENTS and order_id is None and context.last_order_id is not None:
        order_id = context.last_order_id
        filled.add("order_id")
    if not filled:
        return entities
    return replace(
        entities,
        products=products,
        order_id=order_id,
        from_context=entities.from_context | frozenset(filled),
    )


def _normalise(entity: str, text: str) -> object | None:
    """The value of an annotated or reported span, by entity type."""
    parsers: dict[str, Callable[[str], object]] = {
        "quantity": parse_quantity,
        "order_id": spoken_digits,
        "price_min": parse_money,
        "price_max": parse_money,
        "colour": normalize_colour,
        "size": normalize_size,
        "rating": _rating,
        "coupon_code": lambda t: t.strip().upper() or None,
        "product": lambda t: t.strip() or None,
        "category": lambda t: t.strip() or None,
    }
    parser = parsers.get(entity)
    return parser(text) if parser else None


def _rating(text: str) -> int | None:
    cleaned = text.lower().replace("stars", " ").replace("star", " ").replace("-", " ")
    cleaned = cleaned.split("/")[0].split(" out of")[0].strip()
    value = word_number(cleaned)
    return value if value is not None and 1 <= value <= 5 else None


def expected_entities(catalog: CatalogIndex, spans: Iterable[tuple[str, str]]) -> dict[str, object]:
    """What Entities.normalized() should equal for annotated (entity, text) pairs."""
    raw = {entity: text for entity, text in spans}
    out: dict[str, object] = {}
    attributes: dict[str, str] = {}
    for key in ("colour", "size"):
        if key in raw and (value := _normalise(key, raw[key])) is not None:
            out[key] = value
            attributes[key] = str(value)
    for key, text in raw.items():
        if key in ("colour", "size"):
            continue
        if key == "product":
            found = catalog.resolve(text, attributes)
            if found:
                top = found[0][1]
                out[key] = frozenset(pid for pid, score in found if score >= top - 1e-9)
        elif key == "category":
            category = catalog.match_category(text)
            if category:
                out[key] = category
        elif (value := _normalise(key, text)) is not None:
            out[key] = value
    return out


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _dec(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None
