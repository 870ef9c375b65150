"""What both backends do around their classifier (issue 16): the rules a statistical model
gets wrong however much data it sees.

- `normalise`: number words become digits ("twenty five" -> 25, "a hundred and twenty" ->
  120) before anything reads the text, so a count is one token for every extractor.
- Negation: "don't / do not / never / no need to X" never performs X. A negated clause is
  dropped; when nothing else is asked, the result is out_of_scope with `negated` naming the
  intent that was declined, so a handler can answer "OK, I won't" and do nothing.
- The object, not only the verb: a shop intent whose words name something the shop does not
  have ("cancel my gym membership", "remove that song from my playlist") is out_of_scope.
- Several requests in one message ("add 2 hoodies to my cart and check out"): the first is
  the result, the rest are in `Intent.then`, in order.

`Refiner.parse` takes the backend's own one-clause parser, so the embedded and the Rasa
backend apply exactly the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

from nlu.catalog import CatalogIndex
from nlu.extract import known_coupon
from nlu.numbers import normalise
from nlu.text import stem, words
from nlu.types import INTENTS, OUT_OF_SCOPE, STATE_CHANGING, Entities, Intent

# --- verbs -----------------------------------------------------------------------------------
#: The verbs (and fixed phrases) that perform each state-changing intent.
ACTION_VERBS: dict[str, tuple[str, ...]] = {
    "add_to_cart": ("add", "put", "buy", "purchase", "include", "grab", "pop", "throw"),
    "remove_from_cart": ("remove", "delete", "drop", "take out", "take off", "get rid of",
                         "discard", "ditch", "scrap", "empty", "clear", "take"),
    "add_to_wishlist": ("save", "wishlist", "favourite", "favorite", "bookmark", "star",
                        "add"),
    "apply_coupon": ("apply", "use", "redeem", "enter"),
    "checkout": ("check out", "checkout", "pay", "place", "complete", "finish", "submit",
                 "proceed", "go to checkout", "confirm"),
    "cancel_order": ("cancel", "call off", "abort", "void", "revoke", "stop"),
    "return_order": ("return", "refund", "reimburse", "send back", "send it back", "exchange",
                     "my money back", "a refund", "money back", "chargeback"),
    "leave_review": ("review", "rate", "leave a review", "write a review", "comment",
                     "leave feedback", "give feedback"),
}  # fmt: skip
_ALL_VERBS = sorted({v for verbs in ACTION_VERBS.values() for v in verbs}, key=len, reverse=True)


def _said(phrase: str) -> str:
    """A verb phrase as said: its first word inflected ("cancelling", "removed", "checking
    out", "dropped"), a two-word phrase's particle also after a short object ("send the
    skillet back", "call it off")."""
    first, *rest = phrase.split()
    if first.endswith("e"):
        word = rf"{re.escape(first[:-1])}(?:e|es|ed|ing)"
    else:
        double = re.escape(first[-1])
        word = rf"{re.escape(first)}(?:s|es|ed|ing|{double}ed|{double}ing)?"
    if not rest:
        return word
    tail = r"\s+".join(re.escape(w) for w in rest)
    if len(rest) == 1:
        return rf"{word}(?:\s+[\w'’-]+){{0,3}}?\s+{tail}"
    return rf"{word}\s+{tail}"


_VERB = "|".join(_said(v) for v in _ALL_VERBS)
_NEGATION = (
    r"(?:do\s+not|dont|don't|don’t|did\s+not|didnt|didn't|didn’t|never(?:\s+mind(?:\s+about)?)?"
    r"|no\s+need\s+to|not\s+to|no\s+reason\s+to|shouldn't|should\s+not|not\s+going\s+to"
    r"|won't|wont|will\s+not|wouldn't|would\s+not|rather\s+not|hold\s+off(?:\s+on)?"
    r"|forget\s+about|no\s+longer\s+(?:want|need)\s+to)"
)
_FILLER = (
    r"(?:\s+(?:want|wanna|need|like|wish|plan|mean|have|going|intend|ever|you|to|me|please"
    r"|actually|really|yet|even|go\s+ahead\s+and|bother|it|i|be))*"
)
_NEGATED = re.compile(rf"\b{_NEGATION}{_FILLER}\s+(?P<verb>{_VERB})\b", re.IGNORECASE)
#: A clause that only interjects ("stop", "oops", "wait"): in a message with more to say it is
#: no request of its own ("stop, don't put that in the cart" cancels nothing).
_INTERJECTION = re.compile(
    r"^(?:stop|wait|hold\s+on|hang\s+on|no|nope|oops|whoops|hmm+|ok|okay|sorry|actually"
    r"|ah|oh|um+|uh+)[\s!.,]*$",
    re.IGNORECASE,
)
#: Where one request ends and another may begin.
_BOUNDARY = re.compile(
    r"\s*(?:[;.!?]\s+|,\s*(?:and\s+|then\s+|but\s+|instead\s+)?|\s+(?:and\s+then|and\s+also"
    r"|and|then|but|instead|also|after\s+that|afterwards|plus)\s+)",
    re.IGNORECASE,
)
_LEADS = (
    r"(?:(?:please|pls|then|also|and|just|now|can\s+you|could\s+you|i\s+want\s+to|i'd\s+like\s+to"
    r"|let's|lets|go\s+ahead\s+and|i'll)\s+)*"
)
_STARTS_REQUEST = re.compile(
    rf"^{_LEADS}(?:{_VERB}|check\s+out|track|show|view|open|see|where|when|cancel)\b",
    re.IGNORECASE,
)

#: Whom a support request asks for: its object is a person at the shop, whatever else is said.
_SOMEONE = re.compile(
    r"\b(?:human|person|people|someone|somebody|agent|manager|representative|staff|support"
    r"|operator|customer\s+service|real\s+\w+|live\s+chat)\b",
    re.IGNORECASE,
)

#: Asking the shop for a thing: "do you sell / have / stock X", "have you got X", "where can
#: I buy X", "I'm looking for X".
_SHOPPING = re.compile(
    r"^(?:hi|hello|hey|please|so|um|and)?[\s,]*(?:do|does|did)\s+(?:you|u|y'all|ya)\s+"
    r"(?:guys\s+)?(?:sell|have|stock|carry|do|offer)\b|^(?:have|got)\s+you\s+got\b"
    r"|\bwhere\s+(?:can|do)\s+i\s+(?:buy|find|get)\b|\b(?:i'?m|i\s+am)\s+looking\s+for\b",
    re.IGNORECASE,
)

#: Below this, a first part not worded as a request is context for the rest (Refiner._asks).
CONTEXT_CONFIDENCE = 0.6

#: Intents that are about the shop's things: their words are checked against the shop's
#: (every intent but the greeting, help and off-topic).
CHECKED = frozenset(INTENTS) - {"greet", "help", OUT_OF_SCOPE}


def negated_verb(text: str) -> str | None:
    """The action verb a clause negates ("i do not want to cancel" -> "cancel"), if any."""
    match = _NEGATED.search(text)
    if match is None:
        return None
    said = match.group("verb")
    return next(
        (v for v in _ALL_VERBS if re.fullmatch(_said(v), said, re.IGNORECASE)), said.lower()
    )


def clauses(text: str) -> list[str]:
    """The text cut where a new request starts ("..., add the socks", "... and check out");
    a list of things ("hoodies and jackets") stays whole."""
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        rest = text[match.end() :]
        if not _STARTS_REQUEST.match(rest) and not negated_verb(rest[:40] or ""):
            continue
        piece = text[start : match.start()].strip()
        if piece:
            parts.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts or [text]


#: The shop's own objects: a state-changing request naming one of them is about the shop.
_SHOP_OBJECTS = re.compile(
    r"\b(?:order(?:s|ed)?|bought|purchased|cart|basket|bag|trolley|items?|purchases?|parcels?"
    r"|packages?|deliver(?:y|ies)|products?|goods|stuff|things?|it|them|those|these|ones?"
    r"|something|everything|wish\s*list|wishlist|favou?rites"
    r"|codes?|coupons?|vouchers?|promo|discount|money|payment|refund|shipment|box)\b",
    re.IGNORECASE,
)


class ShopWords:
    """Words only off-topic training phrases use ("membership", "playlist", "essay"): in a
    message that names no product, order or code, one of them means the request is about
    something the shop does not have, whatever the verb. And, for a request that would
    change something, a word nobody has used about the shop ("review my CV", "check out this
    meme") when the message names none of the shop's objects either."""

    def __init__(self, shop_words: Iterable[str], foreign_words: Iterable[str]) -> None:
        self.known = frozenset(shop_words)
        self.foreign = frozenset(w for w in foreign_words if len(w) >= 3) - self.known

    def foreign_words(self, text: str, intent: Intent, catalog: CatalogIndex) -> list[str]:
        """The off-topic words of `text`, unless it names a product, an order or a code."""
        e = intent.entities
        if e.products or e.order_id is not None or e.coupon_code or e.category:
            return []
        changes = (
            intent.name in STATE_CHANGING and e.rating is None and not _SHOP_OBJECTS.search(text)
        )
        return [
            w
            for w in words(text)
            if (w in self.foreign or (changes and w not in self.known and len(w) >= 2))
            and stem(w) not in self.known
            and catalog.canonical(w) is None
        ]


_CART = r"cart|basket|bag|trolley"
#: The words without which a state-changing intent has nothing to stand on: a verb or noun of
#: that request (or, for the item requests, a product the catalog knows). Rasa's DIET
#: answered "wake me up at 6" with add_to_cart 1.00: a classifier's confidence alone is not
#: enough to change a cart or an order.
EVIDENCE: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"\b(?:{pattern})", re.IGNORECASE)
    for name, pattern in {
        "add_to_cart": rf"add|ad\b|put|pop|throw|stick|place|toss|chuck|load|include|get|grab"
        rf"|buy|purchase|order|take|have|want|like|need|give|{_CART}",
        "remove_from_cart": rf"remov|delet|take|drop|rid|scrap|ditch|discard|cut|strike|toss"
        rf"|lose|clear|empty|no\s+longer|don't\s+(?:want|need)|go\b|{_CART}",
        "add_to_wishlist": r"wish|save|sav|favou?rit|bookmark|star|heart|remember|keep|later",
        "apply_coupon": r"appl|use|redeem|enter|code|coupon|voucher|promo|discount|[a-z]+\d",
        "checkout": r"check|pay|place|complet|finish|finali|confirm|submit|buy|order|purchas"
        r"|ring|done|ready|proceed|wrap",
        "cancel_order": r"cancel|cancle|call\s+off|stop|abort|void|revok|scrap|kill|withdraw"
        r"|undo|mistake",
        "return_order": r"return|refund|refnud|money|reimburs|rebate|compensat|chargeback"
        r"|complain|send|exchange|broke|damag|faulty|defect|fit|wrong|credit|charged|missing"
        r"|stopped|late|swap|replac|too\s+(?:small|big|large|tight|loose|short|long)",
        "leave_review": r"review|revew|rate|rating|rte|star|feedback|opinion|comment|thought"
        r"|think|\d\s*/\s*5|out\s+of",
    }.items()
}
_ITEM_INTENTS = frozenset({"add_to_cart", "remove_from_cart", "add_to_wishlist", "leave_review"})


def has_evidence(text: str, intent: Intent) -> bool:
    """True unless `intent` changes something and `text` has no word of that request."""
    pattern = EVIDENCE.get(intent.name)
    if pattern is None or pattern.search(text):
        return True
    e = intent.entities
    if intent.name in _ITEM_INTENTS and e.products:
        return True
    return intent.name in ("cancel_order", "return_order", "leave_review") and (
        e.order_id is not None
    )


_COUPON_WORDS = re.compile(
    r"\b(?:apply|use|redeem|enter|add|try|code|coupon|voucher|promo|discount)\b", re.IGNORECASE
)


def names_coupon(text: str, catalog: CatalogIndex) -> bool:
    """True when `text` offers one of the shop's own codes ("apply save ten" with SAVE10 in
    the shop): that is a coupon request whatever the classifier made of the spoken code."""
    return bool(_COUPON_WORDS.search(text)) and known_coupon(text, catalog.coupons) is not None


Parse = Callable[[str], Awaitable[Intent]]


class Refiner:
    """Negation, object check and multi-intent around one backend's clause parser."""

    def __init__(self, shop_words: ShopWords, catalog: CatalogIndex) -> None:
        self.shop_words = shop_words
        self.catalog = catalog

    async def parse(self, text: str, parse_one: Parse) -> Intent:
        text = normalise(text)
        parts = clauses(text)
        if len(parts) == 1:
            return self._checked(text, await parse_one(text))
        negated = [p for p in parts if negated_verb(p)]
        active = [p for p in parts if not negated_verb(p) and not _INTERJECTION.match(p)]
        if negated and not active:
            return self._declined(text, await parse_one(text))
        results = [self._checked(p, await parse_one(p)) for p in active]
        if active[0] is parts[0] and not self._asks(parts[0], results[0]):
            results = results[1:]  # "the charger died, refund me": the first part is context
        # an off-topic part ("this bot is useless, ...") is no request of its own
        requests = [r for r in results if r.is_confident() and r.name != OUT_OF_SCOPE]
        if negated and not requests:
            return self._declined(text, await parse_one(text))
        if negated and len(requests) == 1:
            return requests[0]
        names = [r.name for r in requests]
        if len(requests) >= 2 and len(set(names)) == len(names):
            first, *rest = requests
            return replace(first, then=tuple(rest))
        if negated:
            return requests[0]
        whole = self._checked(text, await parse_one(text))
        if len(requests) == 1 and (not whole.is_confident() or whole.name == OUT_OF_SCOPE):
            return requests[0]  # read whole, the other part's words hid the one request
        return whole

    @staticmethod
    def _asks(part: str, intent: Intent) -> bool:
        """Whether the message's first part is a request of its own: worded as one ("add 2
        hoodies", "please check out"), or understood with real confidence. A statement that
        only sets the scene ("I ordered the wrong size, cancel it") is not: the message is
        then read whole."""
        return bool(_STARTS_REQUEST.match(part)) or intent.confidence >= CONTEXT_CONFIDENCE

    def _declined(self, text: str, intent: Intent) -> Intent:
        """A negated request: nothing to do, but say which request was declined: the one its
        verb performs ("no need to check out" declines checkout whatever the classifier
        made of it), the classifier's choice among them when the verb is shared ("add")."""
        verb = negated_verb(text)
        verbs_of = [name for name, verbs in ACTION_VERBS.items() if verb in verbs]
        if intent.name in verbs_of or (not verbs_of and intent.name != OUT_OF_SCOPE):
            name: str | None = intent.name
        else:
            name = verbs_of[0] if verbs_of else None
        return Intent(OUT_OF_SCOPE, intent.confidence, Entities(), intent.ranking, negated=name)

    def _checked(self, text: str, intent: Intent) -> Intent:
        if negated_verb(text):
            return self._declined(text, intent)
        if intent.name == OUT_OF_SCOPE and _SHOPPING.search(text):
            # "do you sell unicorn saddles": asking the shop for a thing is a search, even
            # of words the shop has never heard of; the object check below still refuses
            # "do you have a loan" (a word only off-topic phrases use)
            intent = replace(intent, name="search", confidence=max(intent.confidence, 0.5))
        if intent.name not in CHECKED or (
            intent.name == "contact_support" and _SOMEONE.search(text)
        ):
            return intent  # a complaint's words ("this is useless") do not hide who is asked
        foreign = self.shop_words.foreign_words(text, intent, self.catalog)
        evidence = has_evidence(text, intent) or (
            intent.name == "apply_coupon" and known_coupon(text, self.catalog.coupons) is not None
        )
        if not foreign and evidence:
            return intent
        return Intent(OUT_OF_SCOPE, intent.confidence, Entities(), intent.ranking)
