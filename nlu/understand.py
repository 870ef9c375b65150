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
from nlu.numbers import UNITS, normalise, word_number
from nlu.text import stem, wordlist, words
from nlu.things import LISTED_INTENTS, listed
from nlu.topics import PICKUP_QUESTION, POLICY_QUESTION, help_topic
from nlu.types import (
    DEFAULT_THRESHOLD,
    INTENTS,
    OUT_OF_SCOPE,
    STATE_CHANGING,
    SURE,
    Entities,
    Intent,
)

# --- verbs -----------------------------------------------------------------------------------
#: The verbs (and fixed phrases) that perform each state-changing intent.
ACTION_VERBS: dict[str, tuple[str, ...]] = {
    "add_to_cart": ("add", "put", "buy", "purchase", "include", "grab", "pop", "throw",
                    "reorder", "re-order", "chuck", "toss", "stick"),
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
                     "leave feedback", "give feedback", "post a review"),
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
    r"(?:do\s+not|dont|don't|don’t|dnt|donot|do'nt|did\s+not|didnt|didn't|didn’t"
    r"|never(?:\s+mind(?:\s+about)?)?"
    r"|no\s+need\s+to|not\s+to|no\s+reason\s+to|shouldn't|should\s+not|not\s+going\s+to"
    r"|won't|wont|will\s+not|wouldn't|would\s+not|rather\s+not|hold\s+off(?:\s+on)?"
    r"|forget\s+about|no\s+longer\s+(?:want|need)\s+to"
    # "I'm not cancelling", "let's not check out yet", "not ready to pay"
    r"|(?:i'?m|i\s+am|we'?re|we\s+are|let'?s|lets)\s+not|not\s+ready\s+to"
    r"|can'?t\s+be\s+bothered\s+to|not\s+(?:interested\s+in|planning\s+(?:on|to))"
    # "I'll pass on writing feedback", "no point applying FREESHIP", "not cancelling it"
    r"|(?:i'?ll|i\s+will|i'?m\s+gonna|i\s+think\s+i'?ll)\s+pass(?:\s+on)?|no\s+point(?:\s+in)?"
    # "I not want to make the return" (English as a second language), "stop asking me to rate
    # it", "the shoes are not being returned"
    r"|\b(?:i|we)\s+not|stop\s+asking(?:\s+me)?\s+to"
    r"|(?:is|are|am)\s+not\s+being|(?:isn't|aren't|isnt|arent)\s+being"
    r"|^\W*not)"
)
_FILLER = (
    r"(?:\s+(?:want|wanna|need|like|wish|plan|mean|have|going|intend|ever|you|to|me|please"
    r"|actually|really|yet|even|go\s+ahead\s+and|bother|it|i|be|think|i'?ll|gonna|feel"
    r"|now|just|said|ask|asked|told|process|start|issue|make|the))*"
)
_NEGATED = re.compile(rf"\b{_NEGATION}{_FILLER}\s+(?P<verb>{_VERB})\b", re.IGNORECASE)
#: The nouns of the state-changing requests, and the verb each stands for: "hold off on the
#: checkout", "no cancellation needed", "ignore my return request" decline them as well.
_REQUEST_NOUNS = {
    "checkout": "checkout", "check-out": "checkout", "cancellation": "cancel",
    "cancelation": "cancel", "refund": "refund", "return": "return", "returns": "return",
    "exchange": "exchange", "review": "review", "rating": "rate", "coupon": "apply",
    "voucher": "apply", "promo code": "apply", "discount code": "apply", "discount": "apply",
    "code": "apply", "payment": "pay", "cancel": "cancel", "add": "add", "remove": "remove",
    "delete": "delete", "wishlist": "save", "wish list": "save", "feedback": "review",
}  # fmt: skip
_NOUN = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in _REQUEST_NOUNS)
_NEGATED_NOUN = re.compile(
    rf"\b(?:{_NEGATION}{_FILLER}|skip(?:ping)?|forget|changed\s+my\s+mind\s+(?:about|on))(?:\s+(?:leave|bother|with|about|on|for|the|a"
    rf"|an|my|any|that|this|your|do|go|through|process|start|issue|make|post|write|submit"
    rf"|put|place|writing|posting|making|starting)){{1,4}}\s+(?P<noun>{_NOUN})\b"
    # "no refund needed", "keep it, no cancellation", "no need for a return"
    rf"|(?<!\bgot\s)(?<!\bhad\s)(?<!\bbeen\s)(?<!\bsee\s)(?<!\bget\s)(?<!\breceived\s)"
    rf"\bno\s+(?:need\s+for\s+(?:a\s+|an\s+|the\s+|any\s+)?)?(?P<none>{_NOUN})"
    rf"(?:\s+(?:request\s+)?(?:needed|necessary|required|wanted|thanks|thank\s+you"
    rf"|for\s+me|from\s+me|after\s+all|any\s*more|am|it|them|please|pls|this\s+time|today"
    rf"|yet|now)\b"
    rf"|\s*(?:[,.;!]|$))"
    # "no need for refund the kettle is fine now": whatever follows
    rf"|\bno\s+need\s+for\s+(?:a\s+|an\s+|the\s+|any\s+)?(?P<needless>{_NOUN})\b"
    # calling off a request: "cancel my return", "withdraw the refund"
    rf"|\b(?:cancel|stop|abort|withdraw|call\s+off)\s+(?:my|the|that|this)\s+"
    rf"(?P<off>return|returns|refund|exchange|checkout|review|cancellation)\b"
    # "ignore / disregard my return request", "withdraw my refund request"
    rf"|\b(?:ignore|disregard|forget|withdraw|drop|scrap)\s+(?:about\s+)?(?:my|the|that|this)"
    rf"\s+(?:(?P<asked>{_NOUN})\s+)?(?:request|message|ticket)\b",
    re.IGNORECASE,
)
#: Declining without a request's verb or noun: "don't bother with SAVE10", "keep my order as
#: it is", "I don't need to see my cart", a bare "disregard".
_DECLINE = re.compile(
    rf"\b{_NEGATION}\s+(?:you\s+)?bother(?:ing)?\s+(?:with|about)\b"
    r"|\b(?:keep|leave)\s+(?:my|the|this)\s+(?:order|cart|basket|bag|trolley)\s+"
    r"(?:as\s+(?:it\s+is|is)|unchanged|alone|the\s+same)\b"
    rf"|\b{_NEGATION}\s+(?:really\s+)?(?:need|want|have)\s+(?:you\s+)?to\s+(?:see|show|view"
    r"|look|check|know)\b"
    r"|(?:^|[,;.\-]\s*)(?:please\s+)?(?:disregard|ignore)(?:\s+(?:it|that|this))?\s*[.!]?$"
    # keeping a thing declines its return or removal: "I'll keep it", "leave it in my cart"
    r"|\b(?:i'?m|i\s+am|i'?ll|i\s+will|we'?ll|we\s+will|we'?re|i'?d\s+rather)\s+keep(?:ing)?"
    r"\s+(?:it|them|this|that|those|the\b|my\b)"
    r"|\bleave\s+(?:it|them|that|those|the\s+[\w\s-]{1,30}?)\s+in\s+(?:my|the)\s+"
    r"(?:cart|basket|bag|trolley)"
    # "keep the charger in my cart", "keep the speaker out of my basket"
    r"|\bkeep\s+(?:it|them|that|this|those|the\s+[\w\s-]{1,30}?)\s+(?:in|out\s+of|off)\s+"
    r"(?:my|the)\s+(?:cart|basket|bag|trolley)"  # (kept in a wishlist is saved in it)
    # "keep my review as it is", "leave it for now" at the end
    r"|\b(?:keep|leave)\s+my\s+(?:review|wish\s*list|coupon|code)\s+as\s+(?:it\s+)?is\b"
    r"|\bleave\s+it(?:\s+(?:for\s+now|be|alone|there))?\W*$"
    # "cancel that request": the request before it is taken back
    r"|\b(?:cancel|withdraw|forget|scrap|ignore)\s+(?:that|this|my\s+last)\s+request\b"
    # "I'll pass on the FREESHIP code", "I'll pass on writing feedback"
    r"|\b(?:i'?ll|i\s+will|i'?m\s+gonna)\s+pass\s+on\b"
    # "I don't want the dress on my wish list": no wishlist (a cart is a removal: below)
    rf"|\b{_NEGATION}\s+want\s+[\w\s-]{{1,40}}?\s+(?:on|in)\s+my\s+(?:wish\s*list"
    r"|favou?rites)",
    re.IGNORECASE,
)
#: A last part that takes back what came before ("add the lamp. actually, not now"): the
#: message asks for nothing.
_RETRACT = re.compile(
    r"^(?:no|nah|oh|actually|hmm|wait|um)?[\s,.!]*(?:no+|nah+|nope"
    r"|not\s+(?:now|today|yet|right\s+now)"
    r"|maybe\s+(?:later|another\s+time)|scratch\s+that|never\s*mind(?:\s+that)?|nvm"
    r"|forget\s+(?:it|that)|on\s+second\s+thoughts?(?:\s+no)?)[\s!.,]*$",
    re.IGNORECASE,
)
#: A request asked back as a question, then refused: "cancel order 1876? nah, keep it",
#: "checkout? not yet mate", "wishlist the tent? nah, I'll pass".
_ASKED_THEN_REFUSED = re.compile(
    r"\?\s*(?:no+|nah+|nope|not\s+(?:yet|now|today|anymore|any\s+more|really)|no\s+thanks"
    r"|never\s*mind|i'?ll\s+pass|maybe\s+later|hell\s+no)\b",
    re.IGNORECASE,
)
#: A request begun and dropped: "I was going to add the lamp but scrap that", "I was about to
#: cancel order 2210 but changed my mind" (the whole message, before it is cut in parts).
_CHANGED_MIND = re.compile(
    r"\b(?:i|we)\s+(?:was|were)\s+(?:gonna|going\s+to|about\s+to|planning\s+(?:to|on)"
    r"|thinking\s+(?:of|about)|meaning\s+to|tempted\s+to)\b[^.?!]*\bbut\b",
    re.IGNORECASE,
)
#: Buying put off ("I'll buy it later", "check out some other time"): no request now.
_PUT_OFF = re.compile(
    r"\b(?:later|next\s+time|another\s+time|some\s+other\s+time|eventually|someday|one\s+day)\b",
    re.IGNORECASE,
)
_PUT_OFF_INTENTS = frozenset({"add_to_cart", "checkout", "apply_coupon"})
#: A part that puts something off ("I'll keep it for next time"): beside a declined request it
#: is no request of its own.
_DEFERRED = re.compile(r"\b(?:next|another|some\s+other|other)\s+time\b", re.IGNORECASE)
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
#: What asks for something else after a refusal: "don't cancel anything, just tell me the
#: status of order 8", "don't add it, only show me the photos".
_INSTEAD = re.compile(r"^(?:but\s+)?(?:just|only|instead|rather|simply)\b", re.IGNORECASE)
_LEADS = (
    r"(?:(?:please|pls|then|also|and|just|now|can\s+you|could\s+you|i\s+want\s+to|i'd\s+like\s+to"
    r"|let's|lets|go\s+ahead\s+and|i'll)\s+)*"
)
_STARTS_REQUEST = re.compile(
    rf"^{_LEADS}(?:{_VERB}|check\s+out|track|show|view|open|see|where|when|cancel)\b",
    re.IGNORECASE,
)

#: An order named and nothing asked of it ("order 15", "my order #16?", "parcel 88213").
_BARE_ORDER = re.compile(
    r"^\W*(?:(?:my|the|this|that)\s+)?(?:order|parcel|package|purchase|shipment)"
    r"(?:\s+(?:number|no\.?|nr\.?))?\s*#?\s*(?P<id>\d{1,12})\W*$|^\W*#(?P<hash>\d{1,12})\W*$",
    re.IGNORECASE,
)
#: A first part that only sets a condition ("if the lamp is still there, add it").
_CONDITION = re.compile(
    r"^(?:if|once|as\s+soon\s+as|provided(?:\s+that)?|assuming|in\s+case)\b", re.IGNORECASE
)
#: A request whose object is what came before: "..., add it", "..., add to wish list".
_REFERS_BACK = re.compile(
    rf"^{_LEADS}(?:{_VERB})\s+(?:it|them|that|this|those|these|one|to|in|into|on|out)\b",
    re.IGNORECASE,
)

#: A cart request that starts with its verb: "add ..." adds, "remove ..." removes, whatever
#: else the words hold ("add minus three kettles" is no removal for the "minus").
_CART_VERB_FIRST = re.compile(rf"^{_LEADS}(?:(?P<add>add)|remove|delete)\b", re.IGNORECASE)

#: Whom a support request asks for: its object is a person at the shop, whatever else is said.
_SOMEONE = re.compile(
    r"\b(?:human|person|people|someone|somebody|agent|manager|representative|staff|support"
    r"|operator|customer\s+service|real\s+\w+|live\s+chat)\b",
    re.IGNORECASE,
)

#: Asking for a person in so many words ("this bot is useless, get me a human"): a support
#: request, whatever complaint or chatter is around it.
_ASKS_SOMEONE = re.compile(
    r"\b(?:talk|speak|chat|get|connect|put|transfer|pass|escalate|escalating|send)\s+(?:me\s+)?"
    r"(?:(?:this|it|through|to|with|over|me|a|an|the|your|some|real|actual|live)\s+){0,4}"
    r"(?:human|person|agent|manager|representative|staff|operator|supervisor|someone|somebody)",
    re.IGNORECASE,
)

#: Emptying the cart in so many words ("wipe my cart", "empty my basket please"): the cart
#: screen's own question follows (nothing goes before a Yes), whatever the classifier read.
_EMPTIES_CART = re.compile(
    r"\b(?:empty|clear|wipe|clean\s+out|reset)\s+(?:out\s+)?(?:my|the|this)\s+"
    r"(?:whole\s+|entire\s+|shopping\s+)*(?:cart|basket|bag|trolley)\b",
    re.IGNORECASE,
)
#: Asking how far a delivery has got, without "track" or "where": "is the courier on the
#: way", "how far away is my delivery", "shipping status pls".
_HOW_FAR = re.compile(
    r"\b(?:my|the|our)\s+(?:order|parcel|package|delivery|courier|shipment|driver|stuff)\b"
    r"(?:\s+\w+){0,3}?\s+(?:on\s+(?:the|its|his|her|their)\s+way|out\s+for\s+delivery)\b"
    r"|\bhow\s+(?:far|close|long)\s+(?:away\s+)?(?:is|are)\s+(?:my|the|our)\s+"
    r"(?:order|parcel|package|delivery|courier|shipment|driver)\b"
    r"|^\W*(?:my\s+)?(?:shipping|delivery|order|parcel|shipment)\s+status\b"
    r"|\b(?:did|have|has)\s+(?:you|u|they|the\s+seller)\s+(?:even\s+|already\s+|actually\s+)?"
    r"(?:sent|send|shipped|ship|posted|post|dispatched|dispatch)\s+(?:my|the|our)\s+"
    r"(?:order|parcel|package|stuff|items?)\b",
    re.IGNORECASE,
)
#: Asking what the cart comes to, or holds: "how much does my cart come to", "how many tees do
#: I have in the cart now".
_CART_SUM = re.compile(
    r"\bhow\s+much\s+(?:is|does|do)\s+(?:my|the)\s+(?:cart|basket|bag)\b"
    r"|\b(?:what(?:'s|\s+is)\s+)?(?:the\s+)?total\s+(?:of|in|for)\s+(?:my|the)\s+(?:cart|basket|bag)\b"
    r"|\bhow\s+many\b.*\b(?:in|on)\s+(?:my|the)\s+(?:cart|basket|bag)\b(?:\s+now)?\W*$",
    re.IGNORECASE,
)

#: Paying for the cart in so many words: "I want to make the payment of my basket",
#: "checkout basket", "pay for my cart" (the checkout asks before anything is placed).
_PAYS_FOR_CART = re.compile(
    r"\bmake\s+(?:the\s+|a\s+)?payment\s+(?:of|for)\s+(?:my|the)\s+(?:cart|basket|bag|order)\b"
    r"|\bpay\s+for\s+(?:my|the)\s+(?:cart|basket|bag)\b"
    r"|^\W*(?:\w+:\s*)?check\s*-?\s*out\s+(?:my\s+|the\s+)?(?:cart|basket|bag)\W*$",
    re.IGNORECASE,
)
#: The saved list by its description: "the items I put aside to buy later", "things I saved".
_SAVED_LIST = re.compile(
    r"\b(?:items?|things|stuff|products?|ones)\s+(?:that\s+)?(?:i|i'?ve|i\s+have)\s+"
    r"(?:saved|put\s+aside|set\s+aside|favou?rited|bookmarked|starred|liked)\b",
    re.IGNORECASE,
)
#: Putting the thing shown on the saved list, however the list is named: "put it on my list
#: of favourites", "add this to my favourites".
_ONTO_SAVED_LIST = re.compile(
    r"\b(?:put|add|save|stick|pop|keep)\s+(?:it|this|that|them|these|those)\s+(?:on|to|in|into)\s+"
    r"(?:my\s+)?(?:list\s+of\s+)?(?:favou?rites|wish\s*-?\s*list|saved\s+(?:items|list))\b",
    re.IGNORECASE,
)
#: Setting the thing shown aside for later is saving it: "put it aside", "set this one aside".
_PUTS_ASIDE = re.compile(
    r"\b(?:put|set|keep|lay)\s+(?:it|this|that|them|these|those)(?:\s+one)?\s+aside\b",
    re.IGNORECASE,
)
#: A count corrected in so many words: "make it 2 instead of 3", "3 not 2" (numbers in words
#: are digits by now): fewer is a removal, more an addition.
_A_COUNT = r"(?:\d{1,3}|" + "|".join(sorted(UNITS, key=len, reverse=True)) + ")"
_COUNT_INSTEAD = re.compile(
    rf"\b(?P<new>{_A_COUNT})\s+(?:[a-z'-]+\s+){{0,3}}?(?:instead\s+of|rather\s+than|not)\s+"
    rf"(?P<old>{_A_COUNT})\b",
    re.IGNORECASE,
)
#: A count wanted is a purchase, not a look around: "I want two black t-shirts", "we'll take
#: 3 mugs" (numbers in words are digits by now, but single ones stay words).
_WANTS_A_COUNT = re.compile(
    rf"^{_LEADS}(?:i|we)\s*(?:'ll\s+take|will\s+take|'d\s+like|would\s+like|want|need)\s+"
    rf"(?:to\s+(?:buy|order|get|have)\s+)?{_A_COUNT}\s+\w",
    re.IGNORECASE,
)
#: Rating an order or purchase as a whole: "rate my last order", "review my recent purchase".
_RATES_ORDER = re.compile(
    r"^\W*(?:please\s+)?(?:i\s+(?:want|would\s+like|'d\s+like)\s+to\s+)?(?:rate|review)\s+"
    r"(?:my|the)\s+(?:last|latest|recent|previous)\s+(?:order|purchase)\b",
    re.IGNORECASE,
)
#: Asking for a person by one word: "representative", "customer service".
_SOMEONE_ALONE = re.compile(
    r"^\W*(?:a\s+|an\s+)?(?:human|person|agent|representative|operator|customer\s+service"
    r"|customer\s+support|live\s+(?:agent|chat|person))(?:\s+please)?\W*$",
    re.IGNORECASE,
)

#: A request said after a polite opening: "please add …", "could you return order 5".
_POLITE_REQUEST = re.compile(
    rf"^(?:please|pls|plz|could\s+you|can\s+you|would\s+you|kindly)\s+(?:please\s+)?(?:{_VERB})\b",
    re.IGNORECASE,
)


def _worded_as_request(part: str) -> bool:
    """A part of a message worded as a request: "return order 5", "please add two tees"."""
    return bool(_STARTS_REQUEST.match(part) or _POLITE_REQUEST.match(part))


def _has_object(intent: Intent) -> bool:
    """A state-changing request that names what it acts on: a product or an order."""
    return intent.name in STATE_CHANGING and bool(
        intent.entities.products or intent.entities.order_id is not None
    )


#: Asking the shop for a thing: "do you sell / have / stock X", "have you got X", "where can
#: I buy X", "I'm looking for X".
_SHOPPING = re.compile(
    r"^(?:hi|hello|hey|please|so|um|and)?[\s,]*(?:do|does|did)\s+(?:you|u|y'all|ya)\s+"
    r"(?:guys\s+)?(?:sell|have|stock|carry|do|offer)\b|^(?:have|got)\s+you\s+got\b"
    r"|\bwhere\s+(?:can|do)\s+i\s+(?:buy|find|get)\b|\b(?:i'?m|i\s+am)\s+looking\s+for\b",
    re.IGNORECASE,
)

#: Other shops, marketplaces and takeaways: an order, return or code of theirs is not the
#: shop's ("cancel my zalando order", "any codes for pizza hut"). Only names that are no
#: everyday English word ("next", "target", "boots" are left out). Carriers are not here: the
#: shop's own parcels travel with them ("where is my DHL parcel" may well be ours), so a
#: carrier counts as someone else's only with another shop's name (CARRIERS, below).
OTHER_MERCHANTS = (
    # marketplaces and department stores
    "amazon", "ebay", "etsy", "aliexpress", "alibaba", "temu", "shein", "wish.com", "walmart",
    "costco", "kmart", "argos", "john lewis", "debenhams", "marks and spencer", "m&s",
    "selfridges", "harrods", "macy's", "macys", "nordstrom", "kohl's", "kohls", "best buy",
    "currys", "wayfair", "ikea", "home depot", "lowe's", "b&q", "screwfix", "very.co.uk",
    "otto", "zalando", "bol.com", "allegro", "flipkart", "jumia", "konga", "myntra", "meesho",
    "rakuten", "mercado libre", "vinted", "depop", "facebook marketplace", "gumtree",
    "craigslist", "groupon", "noon.com", "lazada", "shopee", "tokopedia", "takealot",
    "taobao", "tmall", "jd.com", "coupang", "trendyol", "ozon", "wildberries", "bigbasket",
    "the iconic", "catch.com.au",
    # fashion
    "asos", "zara", "h&m", "primark", "uniqlo", "boohoo", "prettylittlething",
    "pretty little thing",
    "nike.com", "adidas.com", "jd sports", "sports direct", "river island", "topshop", "mango",
    # groceries, takeaways and delivery apps
    "tesco", "sainsbury's", "sainsburys", "asda", "morrisons", "waitrose", "aldi", "lidl",
    "ocado", "instacart", "kroger", "safeway", "domino's", "dominos", "pizza hut", "papa john's",
    "papa johns", "mcdonald's", "mcdonalds", "mcdonald", "kfc", "burger king", "starbucks",
    "nando's", "nandos", "subway sandwich", "uber eats", "ubereats", "deliveroo", "just eat",
    "justeat", "doordash", "grubhub", "postmates", "glovo", "swiggy", "zomato", "chowdeck",
    "gopuff", "getir", "gorillas",
)  # fmt: skip
CARRIERS = (
    "dhl", "fedex", "ups", "usps", "royal mail", "parcelforce", "hermes", "evri", "dpd",
    "yodel", "gls", "tnt", "aramex", "canada post", "australia post", "la poste", "correos",
    "deutsche post", "india post", "blue dart", "nipost", "gig logistics", "ontrac",
)  # fmt: skip
_CARRIER_WORDS = frozenset(name for name in CARRIERS if " " not in name)
_OTHER_MERCHANT = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(n).replace(r"\ ", r"\s*") for n in OTHER_MERCHANTS)
    + r")(?:'s|s)?(?![\w-])",
    re.IGNORECASE,
)

#: A request said as a musing or asked back as a question of whether to do it: "maybe add
#: the lamp?", "should I remove the socks?", "I might save it", "do you think I should use
#: SAVE10?", "thinking of adding a tent". A polite request is no hedge: "could I cancel order
#: 5?", "can you add the lamp", "may I use SAVE10", "I was wondering if you could add it".
#: A hypothetical question is a musing too: "what would happen if I cancelled order 3391?",
#: "if I returned the headphones, how long would the refund take?", "hypothetically…", "just
#: curious, can SAVE10 and FREESHIP be combined?". A condition on a request is not: "if it
#: has not shipped, cancel order 5" (no question follows its "if I…").
_HEDGE = re.compile(
    r"\b(?:maybe|mayb|perhaps|possibly|probably)\b"
    r"|\b(?:should|shall|ought)\s+(?:i|we)\b"
    r"|\b(?:i|we)\s+(?:should|might|may)\b(?!\s+have\b)"
    r"|\b(?:do|would)\s+you\s+(?:think|reckon|recommend|suggest|advise)\b"
    r"|\b(?:thinking|thought)\s+(?:of|about)\b|\b(?:considering|tempted\s+to)\b"
    r"|\bwonder(?:ing)?\s+(?:if|whether)\s+(?:i|we)\s+(?:should|ought)\b"
    r"|\b(?:wonder(?:ing)?|not\s+sure|unsure)\s+(?:if|whether)(?:\s+or\s+not)?\s+to\b"
    r"|\bnot\s+sure\s+(?:if|whether)\s+(?:i|we)\b"
    r"|\bwhat\s+if\s+(?:i|we)\b|\bhow\s+about\b|\bis\s+it\s+worth\b"
    r"|\bhypothetical(?:ly)?\b|\bjust\s+(?:curious|wondering|asking)\b|\bout\s+of\s+curiosity\b"
    r"|\bwhat\s+(?:would\s+|will\s+)?happens?\b[^.?!]*\bif\b"
    r"|\bif\s+(?:i|we)\s+(?:were\s+to\s+\w+|\w+ed|left|sent|bought|gave|wrote|put|took|got"
    r"|made|paid|kept|chose|brought|sold)\b[^.?!]*\b(?:would|will|how|does|do)\b[^.!]*\?"
    r"|\bbe\s+combined\b",
    re.IGNORECASE,
)


#: A "not" somewhere in the message: a request said beside one (not caught as declining by
#: `negated_verb`: "hold off on the coupon, I want SUMMER20 for a bigger order", "keep SAVE5
#: for later, don't redeem it now") is asked about before anything is done, never done
#: unasked: a negation read wrong costs one tap, a negation ignored changes what the
#: customer said not to change. "no." before a number is the number ("order no. 88").
_SAYS_NOT = re.compile(
    r"\b(?:not|never|nope|nah|without|neither|nor|hold(?:ing)?\s+off)\b"
    r"|\bno\b(?!\.?\s*#?\d)|\w+n['’]t\b"
    r"|\b(?:dont|didnt|doesnt|havent|hasnt|wont|wouldnt|cant|isnt|wasnt|shouldnt|aint)\b"
    r"|\bleave\s+(?:it|that|them|those)\b",
    re.IGNORECASE,
)


#: A condition set before the request ("if it has not shipped yet, cancel order 5"): its
#: "not" is the condition's, not the request's.
_CONDITION_FIRST = re.compile(
    r"^\W*(?:if|unless|as\s+long\s+as|in\s+case)\b[^,;]*[,;]", re.IGNORECASE
)


def says_not(text: str) -> bool:
    """Whether `text` holds a negation anywhere but in a condition set before the request
    (see `_SAYS_NOT`)."""
    return _SAYS_NOT.search(_CONDITION_FIRST.sub(" ", text)) is not None


def hedges(text: str) -> bool:
    """Whether `text` muses about a request or asks whether to make it, rather than making
    it ("maybe add the lamp?", "should I remove the socks?"): see `_HEDGE`."""
    return _HEDGE.search(text) is not None


def _hedged(intent: Intent) -> Intent:
    """`intent` and the requests after it, the state-changing ones marked `hedged`."""
    then = tuple(_hedged(step) for step in intent.then)
    return replace(intent, hedged=intent.name in STATE_CHANGING, then=then)


#: Below this, a first part not worded as a request is context for the rest (Refiner._asks).
CONTEXT_CONFIDENCE = 0.6

#: Intents that are about the shop's things: their words are checked against the shop's
#: (every intent but the greeting, help and off-topic).
CHECKED = frozenset(INTENTS) - {"greet", "help", OUT_OF_SCOPE}


#: Asking that a thing be left as it is ("don't touch the denim jacket", "leave the lamp
#: alone"): a removal declined.
_LEAVES_ALONE = re.compile(
    rf"\b{_NEGATION}{_FILLER}\s+(?:touch|mess\s+with|tamper\s+with)\b"
    r"|\bleave\s+(?:it|that|them|those|the\s+[\w\s'-]{1,40}?)\s+(?:alone|be)\b",
    re.IGNORECASE,
)


def negated_verb(text: str) -> str | None:
    """The action verb a clause negates ("i do not want to cancel" -> "cancel"), if any."""
    if _LEAVES_ALONE.search(text):
        return "remove"
    match = _NEGATED.search(text)
    if match is None:
        noun = _NEGATED_NOUN.search(text)
        if noun is not None:
            said = next((g for g in noun.groups() if g), None)
            return _REQUEST_NOUNS[re.sub(r"\s+", " ", said.lower())] if said else "ignore"
        return "decline" if _DECLINE.search(text) else None
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
        if (
            not _STARTS_REQUEST.match(rest)
            and not negated_verb(rest[:40] or "")
            and not _RETRACT.match(rest)
            and not (_INSTEAD.match(rest) and negated_verb(text[start : match.start()]))
        ):
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


#: What people type around any request ("wait what's in my cart lol"): never a sign that the
#: request is about something other than the shop, though off-topic phrases use them too.
CHAT_FILLERS = frozenset(
    {
        "lol", "lmao", "haha", "hahaha", "wait", "hmm", "hm", "hmmm", "ok", "okay", "k", "pls",
        "plz", "ugh", "omg", "btw", "tbh", "ty", "thx", "cheers", "ah", "oh", "um", "uh", "er",
        "yeah", "yep", "yes", "no", "nope", "so", "well", "right", "anyway", "actually",
        "really", "just", "like", "basically", "seriously", "honestly", "literally", "hey",
        "hi", "hello", "sorry", "again", "already",
    }
)  # fmt: skip


#: What a review says of the thing ("4 stars, works fine"): in a review never a sign of another
#: topic, though off-topic phrases use them too ("I'm fine", "a parking fine").
VERDICTS = wordlist(
    "fine good great bad nice ok okay terrible awful amazing perfect poor sturdy comfy"
    " comfortable flimsy lovely decent solid excellent rubbish works worked working broke"
    " broken love loved hate hated happy unhappy pleased disappointed cute ugly quality"
)


class ShopWords:
    """Words only off-topic training phrases use ("membership", "playlist", "essay"): in a
    message that names no product, order or code, one of them means the request is about
    something the shop does not have, whatever the verb. And, for a request that would
    change something, a word nobody has used about the shop ("review my CV", "check out this
    meme") when the message names none of the shop's objects either. For that, "used about
    the shop" means in two requests to change something or more (`usual`): people's wording
    carries chatter ("let me pay, my lunch break is almost over", "back from lunch, hello"),
    and a word said once beside a request is no sign that "i want to grab lunch" is one."""

    def __init__(
        self,
        shop_words: Iterable[str],
        foreign_words: Iterable[str],
        usual: Iterable[str] | None = None,
    ) -> None:
        self.known = frozenset(shop_words)
        self.usual = self.known if usual is None else frozenset(usual)
        # a carrier's name is never a sign of something else: the shop's parcels travel with
        # them ("where is my dhl parcel"), though off-topic phrases name them too
        self.foreign = (
            frozenset(w for w in foreign_words if len(w) >= 3) - self.known - _CARRIER_WORDS
        )

    def foreign_words(self, text: str, intent: Intent, catalog: CatalogIndex) -> list[str]:
        """The off-topic words of `text`, unless it names a product, an order or a code."""
        e = intent.entities
        if e.products or e.order_id is not None or e.coupon_code or e.category:
            return []
        if catalog.resolve(text):
            return []  # "the speaker won't turn on, refund me": a product named is the shop's
        changes = (
            intent.name in STATE_CHANGING and e.rating is None and not _SHOP_OBJECTS.search(text)
        )
        return [
            w
            for w in words(text)
            if w not in CHAT_FILLERS
            and not (intent.name == "leave_review" and w in VERDICTS)
            and (
                (w in self.foreign and stem(w) not in self.known)
                or (changes and len(w) >= 2 and w not in self.usual and stem(w) not in self.usual)
            )
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
        rf"|lose|clear|empty|no\s+longer|don't\s+(?:want|need)|go\b|{_CART}"
        # reducing a count: "cut the mats back to 2", "only need one, not three", "undo"
        rf"|reduc|lower|fewer|only\s+(?:need|want)|just\s+(?:need|want)|instead\s+of|undo",
        "add_to_wishlist": r"wish|save|sav|fave?|favou?rit|bookmark|star|heart|remember|keep"
        r"|later|aside",
        "apply_coupon": r"appl|use|redeem|enter|code|coupon|voucher|promo|discount|[a-z]+\d",
        # "check" only as "check out" ("check my email" is no checkout)
        "checkout": r"check(?:ing)?\s*-?\s*(?:(?:it|me|us|this|that|them|all|everything)\s+)?out"
        r"|chek|chk|chckout|pay|place|complet|finish|finali|confirm|submit|buy"
        r"|order|purchas"
        r"|ring|done|ready|proceed|wrap|settle|bill|cash",
        "cancel_order": r"cancel|cancle|call\s+off|stop|abort|void|revok|scrap|kill|withdraw"
        r"|undo|mistake|don't\s+(?:want|need)|do\s+not\s+(?:want|need)|no\s+longer"
        r"|changed\s+my\s+mind|hasn't\s+(?:shipped|been\s+sent|gone)",
        "return_order": r"return|refund|refnud|money|reimburs|rebate|compensat|chargeback"
        r"|complain|send\w*\s+(?:[\w'’-]+\s+){0,4}?back|sent|exchange|broke|damag|faulty|defect|fit|wrong|credit|charged|missing"
        r"|stopped|late|swap|replac|too\s+(?:small|big|large|tight|loose|short|long)"
        # damaged on arrival: "arrived in pieces", "dented", "the lamp is cracked"
        r"|dent|crack|smash|crush|shatter|chipp|bent\b|torn|tear|ripp?ed|scratch|leak|piece"
        r"|bits\b|soak|wet\b|spoil|policy|not\s+what\s+i|turn\s+on|work",
        "leave_review": r"review|revew|rate|rating|rte|star|feedback|opinion|comment|thought"
        r"|think|\d\s*/\s*5|out\s+of|tell|words|share|experience|recommend|praise",
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


#: "i have a discount coupon, apply it": a code of one's own to use, not a question about codes
_USES_A_CODE = re.compile(r"\b(?:apply|use|redeem|enter|add|put|stick)\b", re.IGNORECASE)
_COUPON_WORDS = re.compile(
    r"\b(?:apply|use|redeem|enter|add|try|code|coupon|voucher|promo|discount)\b", re.IGNORECASE
)


#: Putting a thing on something: with a shop's code typed as one word ("stick FREESHIP on my
#: order"), a coupon request.
_PLACING = re.compile(r"\b(?:put|stick|pop|slap|chuck|throw|whack|bung)\b", re.IGNORECASE)


def names_coupon(text: str, catalog: CatalogIndex) -> bool:
    """True when `text` offers one of the shop's own codes ("apply save ten" with SAVE10 in
    the shop, "stick FREESHIP on it"): that is a coupon request whatever the classifier made
    of the code."""
    found = known_coupon(text, catalog.coupons)
    if found is None:
        return False
    if _COUPON_WORDS.search(text):
        return True
    return not re.search(r"\s", text[found.start : found.end]) and bool(_PLACING.search(text))


#: Words around a bare name of goods ("phone cases pls", "tents?"): no request of their own.
_AROUND_GOODS = CHAT_FILLERS | {"please", "any", "some", "the", "a", "an", "and", "or", "got"}


def buys_a_count(name: str, text: str, catalog: CatalogIndex) -> bool:
    """A search that wants a count of the shop's goods is a purchase: "I want two black
    t-shirts", "we'll take 3 mugs" (the backends read it as add_to_cart, entities included;
    a tie among products is then asked about)."""
    if name != "search":
        return False
    said = normalise(text)
    wanted = _WANTS_A_COUNT.match(said)
    if wanted is None:
        return False
    goods = said[wanted.end() - 1 :]
    return bool(catalog.resolve(goods)) or catalog.match_category(goods) is not None


#: Throwing away the thing just shown, said in two or three words: "ditch it", "bin that",
#: "get rid of them". ("Toss it in" and "chuck it in" put things in, so they are not here.)
_REMOVES_IT = re.compile(
    r"^\W*(?:(?:please|pls|ok|okay|just|and|now|actually|nah|no)\W+)*"
    r"(?:ditch|scrap|bin|dump|drop|nix|lose|axe|remove|delete|get\s+rid\s+of|take\s+out)"
    r"\s+(?:it|that|this|them|those|these)(?:\s+one)?"
    r"(?:\s+(?:from|out\s+of)\s+(?:my|the)\s+(?:cart|basket|bag|trolley))?"
    r"(?:\W+(?:please|pls|thanks|now|then))*\W*$",
    re.IGNORECASE,
)


def reread(name: str, confidence: float, text: str, catalog: CatalogIndex) -> tuple[str, float]:
    """A backend's reading corrected by what the words name, before the entities are built
    (both backends): a code of the shop's is a coupon request, a count of its goods wanted is
    a purchase (`buys_a_count`), "ditch it" takes the thing shown out of the cart."""
    if name not in ("apply_coupon", "checkout") and names_coupon(text, catalog):
        return "apply_coupon", max(confidence, DEFAULT_THRESHOLD)
    if buys_a_count(name, text, catalog):
        return "add_to_cart", max(confidence, SURE)
    if name != "remove_from_cart" and _REMOVES_IT.match(text):
        return "remove_from_cart", max(confidence, DEFAULT_THRESHOLD)
    return name, confidence


def names_only_goods(text: str, catalog: CatalogIndex) -> bool:
    """True when `text` is nothing but the shop's goods, as one names a thing to browse:
    "cookbooks?", "yoga mats please"."""
    said = [w for w in words(text) if w not in _AROUND_GOODS]
    return bool(said) and all(catalog.canonical(w) is not None for w in said)


Parse = Callable[[str], Awaitable[Intent]]


class Refiner:
    """Negation, object check and multi-intent around one backend's clause parser."""

    def __init__(self, shop_words: ShopWords, catalog: CatalogIndex) -> None:
        self.shop_words = shop_words
        self.catalog = catalog

    async def parse(self, text: str, parse_one: Parse) -> Intent:
        intent = await self._parse(normalise(text), parse_one)
        if intent.name in CHECKED and self._other_shops(text, intent):
            # "cancel my deliveroo order": another shop's
            return Intent(OUT_OF_SCOPE, intent.confidence, Entities(), intent.ranking)
        if hedges(text) or says_not(text):
            # "maybe add the lamp?", "keep SAVE5 for later, don't redeem it": asked about
            # first, however sure the reading
            return _hedged(intent)
        return intent

    def _other_shops(self, text: str, intent: Intent) -> bool:
        """Whether the request is about another shop's order, parcel or code: one of
        OTHER_MERCHANTS is named, and neither this shop's order number nor one of its
        products is ("track order 1042, the amazon one" is ours; so is "the Mango Dress" in a
        shop that sells it)."""
        if intent.entities.order_id is not None or intent.entities.products:
            return False
        return any(
            not all(self.catalog.canonical(w) is not None for w in words(m.group(0)))
            for m in _OTHER_MERCHANT.finditer(text)
        )

    async def _parse(self, text: str, parse_one: Parse) -> Intent:
        if _ASKED_THEN_REFUSED.search(text) or _CHANGED_MIND.search(text):
            # "cancel order 1876? nah, keep it", "I was going to add it but scrap that"
            return self._declined(text, await parse_one(text))
        parts = clauses(text)
        if len(parts) == 1:
            return await self._each_thing(
                text, self._checked(text, await parse_one(text)), parse_one
            )
        if _RETRACT.match(parts[-1]):  # "add the lamp, actually not now"
            return self._declined(text, await parse_one(text))
        negated = [p for p in parts if negated_verb(p)]
        active = [p for p in parts if not negated_verb(p) and not _INTERJECTION.match(p)]
        if negated:  # "don't apply the code, I'll save it for next time"
            active = [p for p in active if not _DEFERRED.search(p)]
        if negated and not active:
            return self._declined(text, await parse_one(text))
        results = [self._checked(p, await parse_one(p)) for p in active]
        if len(active) == 2 and active[0] is parts[0] and not negated:
            thing = await self._about_the_first(text, active, results[1], parse_one)
            if thing is not None:
                return thing
        if len(active) == 2 and _CONDITION.match(active[0]) and not negated:
            # "once my order 15 ships, track it": the condition is no request of its own (the
            # classifier made "cancel" of it); the order it names is the request's
            request, named = results[1], results[0].entities
            if request.is_confident() and request.name != OUT_OF_SCOPE:
                whole = self._checked(text, await parse_one(text))
                if whole.name == request.name:
                    return whole  # with everything the message names
                if request.entities.order_id is None and named.order_id is not None:
                    entities = replace(request.entities, order_id=named.order_id)
                    request = replace(request, entities=entities)
                return request
        if active[0] is parts[0] and not self._asks(parts[0], results[0]):
            results = results[1:]  # "the charger died, refund me": the first part is context
        # "remember that jacket, I'll buy it later": buying put off is no request now
        read = [
            (p, r)
            for p, r in zip(active[len(active) - len(results) :], results, strict=True)
            if not (r.name in _PUT_OFF_INTENTS and _PUT_OFF.search(p) and len(results) > 1)
        ]
        if any(_worded_as_request(p) and _has_object(r) for p, r in read):
            # "not what I ordered, return order 9044 please": beside a part worded as a
            # request with its own object, a part that is not worded so and changes nothing
            # ("not what I ordered", "nothing in my cart yet") only sets the scene
            read = [(p, r) for p, r in read if _worded_as_request(p) or r.name in STATE_CHANGING]
        results = [r for _, r in read]
        # an off-topic part ("this bot is useless, ...") is no request of its own
        requests = [r for r in results if r.is_confident() and r.name != OUT_OF_SCOPE]
        if negated and not requests:
            return self._declined(text, await parse_one(text))
        if negated and len(requests) == 1:
            return requests[0]
        names = [r.name for r in requests]
        if len(requests) >= 2 and len(set(names)) == len(names):
            # "put the tee and the lamp in my cart and check out": each thing, then the rest
            steps: list[Intent] = []
            for part, request in read:
                if request in requests:
                    done = await self._each_thing(part, request, parse_one)
                    steps.extend((replace(done, then=()), *done.then))
            first, *rest = steps
            return replace(first, then=tuple(rest))
        if negated:
            return requests[0]
        whole = self._checked(text, await parse_one(text))
        if len(requests) == 1 and (not whole.is_confident() or whole.name == OUT_OF_SCOPE):
            return requests[0]  # read whole, the other part's words hid the one request
        if len(requests) == 1 and whole.name != requests[0].name:
            # "no good, the hoodie shrank, refund order 3052": the one part worded as a
            # request, with its own object, is the request; read whole, the scene's words
            # outweighed it
            (request,) = requests
            part = next(p for p, r in read if r is request)
            if _worded_as_request(part) and _has_object(request):
                return request
        return whole

    async def _each_thing(self, text: str, intent: Intent, parse_one: Parse) -> Intent:
        """`intent`, or, when its words list several products ("put the navy tee and the
        grey desk lamp in my cart"), the same request for each of them in the order said:
        the first, with the others first in its `then`."""
        if intent.name not in LISTED_INTENTS or not intent.is_confident() or intent.negated:
            return intent
        steps = []
        for said in listed(text, self.catalog):
            step = self._checked(said, await parse_one(said))
            if not step.entities.products:
                return intent  # a thing read as no product: the request as read whole
            steps.append(replace(step, name=intent.name, confidence=intent.confidence))
        if len(steps) < 2:
            return intent
        first, *rest = steps
        return replace(first, then=(*rest, *intent.then))

    async def _about_the_first(
        self, text: str, active: list[str], last: Intent, parse_one: Parse
    ) -> Intent | None:
        """ "I want that hoodie eventually, add it to my wishlist", "if the lamp is still
        there, add it": the first part names the thing or sets a condition, the last part's
        own verb asks for the action on it. The action is the request (the whole message's
        entities); None when the message is not shaped so."""
        first, request = active
        if _STARTS_REQUEST.match(first) and not _CONDITION.match(first):
            return None
        if not (_CONDITION.match(first) or _REFERS_BACK.match(request)):
            return None
        if _DEFERRED.search(request) or re.search(r"\blater\b", request, re.IGNORECASE):
            return None  # "remember that jacket, I'll buy it later": no request to buy now
        verbs = ACTION_VERBS.get(last.name, ())
        if not last.is_confident() or not any(
            re.match(rf"^{_LEADS}{_said(v)}\b", request, re.IGNORECASE) for v in verbs
        ):
            return None
        whole = self._checked(text, await parse_one(text))
        if whole.name != last.name and whole.confidence >= 0.9 and whole.is_confident():
            return None  # read whole, the message is clearly something else
        if whole.name == last.name or whole.name == OUT_OF_SCOPE:
            return whole if whole.name == last.name else last
        return replace(whole, name=last.name, confidence=last.confidence)

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
        bare = _BARE_ORDER.match(text)
        if bare is not None:
            # "order 15", "#19": the order is shown, never a cancellation offered, whatever the
            # classifier made of a message that is only a number
            number = int(bare.group("id") or bare.group("hash"))
            entities = replace(intent.entities, order_id=number)
            if intent.name == OUT_OF_SCOPE:
                entities = Entities(order_id=number)
            return replace(
                intent,
                name="track_order",
                confidence=max(intent.confidence, 0.9),
                entities=entities,
            )
        if intent.name in ("view_cart", OUT_OF_SCOPE, "remove_from_cart") and (
            _EMPTIES_CART.search(text)
        ):
            # "wipe my cart": the whole cart, asked about first by the cart's own question
            return replace(
                intent,
                name="remove_from_cart",
                confidence=max(intent.confidence, 0.9),
                entities=Entities(),
            )
        instead = _COUNT_INSTEAD.search(text)
        if intent.name in ("add_to_cart", "remove_from_cart") and instead is not None:
            new, old = word_number(instead.group("new")), word_number(instead.group("old"))
            if new is not None and old is not None and new != old:
                # "make it two instead of three": fewer removes, more adds
                said = "remove_from_cart" if new < old else "add_to_cart"
                return replace(intent, name=said, confidence=max(intent.confidence, 0.6))
        if intent.name in ("add_to_cart", OUT_OF_SCOPE) and _PUTS_ASIDE.search(text):
            # "put it aside": kept for later, not bought
            return replace(intent, name="add_to_wishlist", confidence=max(intent.confidence, 0.6))
        first_verb = _CART_VERB_FIRST.match(text)
        if intent.name in ("add_to_cart", "remove_from_cart") and first_verb is not None:
            said = "add_to_cart" if first_verb.group("add") else "remove_from_cart"
            if said != intent.name:
                return replace(intent, name=said)
        if (
            intent.name in (OUT_OF_SCOPE, "help", "product_info", "search", "order_history")
            and not intent.entities.products
            and _HOW_FAR.search(text)
        ):
            # "is the courier on the way": where the order is, asked without "where"
            return replace(intent, name="track_order", confidence=max(intent.confidence, 0.6))
        if intent.name in (OUT_OF_SCOPE, "product_info", "search") and _CART_SUM.search(text):
            # "how much does my cart come to": the cart shows it
            return replace(
                intent,
                name="view_cart",
                confidence=max(intent.confidence, 0.6),
                entities=Entities(),
            )
        if intent.name != "checkout" and _PAYS_FOR_CART.search(text):
            # "I want to make the payment of my basket": the checkout, which asks first
            return replace(
                intent, name="checkout", confidence=max(intent.confidence, 0.8), entities=Entities()
            )
        if intent.name in (OUT_OF_SCOPE, "search", "add_to_wishlist") and _SAVED_LIST.search(text):
            # "where do I find the items I put aside?": the saved list, shown
            return replace(
                intent,
                name="view_wishlist",
                confidence=max(intent.confidence, 0.6),
                entities=Entities(),
            )
        if intent.name in (OUT_OF_SCOPE, "view_wishlist") and _ONTO_SAVED_LIST.search(text):
            # "put it on my list of favourites": the thing shown, saved (the object is checked)
            intent = replace(intent, name="add_to_wishlist", confidence=max(intent.confidence, 0.6))
        if intent.name in (OUT_OF_SCOPE, "order_history", "track_order") and _RATES_ORDER.search(
            text
        ):
            # "rate my last order": a review of what it brought (the handler asks which)
            return replace(intent, name="leave_review", confidence=max(intent.confidence, 0.6))
        if intent.name == OUT_OF_SCOPE and _SOMEONE_ALONE.search(text):
            # "representative": a person at the shop
            return replace(intent, name="contact_support", confidence=max(intent.confidence, 0.6))
        if intent.name == OUT_OF_SCOPE and _SHOPPING.search(text):
            # "do you sell unicorn saddles": asking the shop for a thing is a search, even
            # of words the shop has never heard of; the object check below still refuses
            # "do you have a loan" (a word only off-topic phrases use)
            intent = replace(intent, name="search", confidence=max(intent.confidence, 0.5))
        if intent.name in (OUT_OF_SCOPE, "search") and names_only_goods(text, self.catalog):
            # "cookbooks?": a bare name of the shop's goods is a search, however unsure the
            # classifier is of it
            intent = replace(intent, name="search", confidence=max(intent.confidence, 0.5))
        if (
            intent.name in (OUT_OF_SCOPE, "search")
            and not intent.entities.products
            and PICKUP_QUESTION.search(text)
        ):
            # "do you have pickup?": a question about collecting parcels, not a search for goods
            return replace(
                intent, name="help", confidence=max(intent.confidence, 0.5), entities=Entities()
            )
        if (
            not intent.entities.products
            and intent.entities.order_id is None
            and intent.entities.coupon_code is None
            and help_topic(text) == "account"
        ):
            # "change my email", "update my phone number", "new adress" (not a search for
            # Dresses), "my addresses" (nothing to add to the cart): the profile has them
            return replace(
                intent, name="help", confidence=max(intent.confidence, 0.5), entities=Entities()
            )
        if (
            intent.name in (OUT_OF_SCOPE, "return_order", "checkout", "help", "apply_coupon")
            and POLICY_QUESTION.search(text)
            and intent.entities.order_id is None
            and intent.entities.coupon_code is None
            and not intent.entities.products
            and not (
                intent.name == "apply_coupon"
                and (self._other_shops(text, intent) or _USES_A_CODE.search(text))
            )
        ):
            # "what is your refund policy", "how much is postage to Ireland", "any promo
            # codes?": a question about the shop's rules, answered by help (nlu.topics), not
            # a request (a code given is one: "apply SAVE10"; another shop's codes are not
            # ours to answer: "any discount codes for pizza hut")
            return replace(
                intent, name="help", confidence=max(intent.confidence, 0.5), entities=Entities()
            )
        if intent.name == OUT_OF_SCOPE and _ASKS_SOMEONE.search(text):
            intent = replace(intent, name="contact_support", confidence=max(intent.confidence, 0.5))
        if intent.name not in CHECKED or (
            intent.name == "contact_support" and _SOMEONE.search(text)
        ):
            return intent  # a complaint's words ("this is useless") do not hide who is asked
        if intent.name in STATE_CHANGING and names_only_goods(text, self.catalog):
            # "olive denim jacket": goods named and nothing asked of them are looked at,
            # never bought or changed (people's "i'll take the olive denim jacket" had made
            # a bare name lean towards adding it)
            return replace(intent, name="search", confidence=max(intent.confidence, 0.5))
        foreign = self.shop_words.foreign_words(text, intent, self.catalog)
        evidence = has_evidence(text, intent) or (
            intent.name == "apply_coupon" and known_coupon(text, self.catalog.coupons) is not None
        )
        if not foreign and evidence:
            return intent
        if names_only_goods(text, self.catalog):
            return replace(intent, name="search", confidence=max(intent.confidence, 0.5))
        return Intent(OUT_OF_SCOPE, intent.confidence, Entities(), intent.ranking)
