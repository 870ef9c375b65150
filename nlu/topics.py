"""What a question about the shop itself is about: discount codes, delivery, payment, returns
or the account.

"Do you have any discount codes?", "how much is shipping to Perth?", "what is your returns
policy?", "do you take Apple Pay?", "how do I change my email?": help questions with a
subject the shop can answer from its own rules (the handler reads them from the engine's
`Policies`), not with the general help."""

from __future__ import annotations

import re

#: The words of each subject with their common misspellings ("retrun policy", "shiping cost").
_RETURN = (
    r"(?:return|returns|retrun|retruns|retun|reutrn|refund|refunds|refnud|exchange|money[\s-]+back)"
)
_SHIPPING = r"(?:shipping|shiping|shippin|shpping|delivery|delivary|delivry|postage|p&p|courier)"
#: Collecting the parcel instead of a delivery: "pickup points", "click and collect".
_PICKUP = (
    r"(?:pick\s*-?\s*ups?|click\s*(?:and|&|n)\s*collect|collection\s+points?"
    r"|collect\s+(?:it|them|my\s+(?:order|parcel))(?:\s+myself)?)"
)
#: An address, with its common misspellings ("new adress").
_ADDRESS = r"(?:address(?:es)?|adress(?:es)?|addres|adres|addresss|adddress)"
#: A discount code by any of its names ("promo code", "voucher", "cupón"), one or several.
_CODES = (
    r"(?:(?:discount|promo(?:tion(?:al)?)?|coupon|cupon|voucher|offer|sale)\s*codes?"
    r"|coupons?|cupons?|vouchers?|promos?|cup[oó]n(?:es)?|c[oó]digos?\s+de\s+(?:descuento|promoci[oó]n))"
)
#: Asking which codes there are ("any promo codes?", "do you have coupons", "¿hay cupones?"),
#: not giving one ("apply SAVE10", "use the promo code WELCOME10").
_ASKS_FOR_CODES = (
    r"\b(?:any|do\s+(?:you|u)\s+have|have\s+(?:you|u)\s+got|(?:you|u)\s+got|are\s+there|is\s+there"
    r"|what|which|list|hay|tienes|tienen)\b"
    rf"(?:\s+\w+){{0,4}}?\s+{_CODES}\b(?!\s+[A-Z0-9]*\d)"
)

#: Asking whether or where parcels can be collected: "where are your pickup points?", "do you
#: have pickup?", "can I collect it myself?", "do you do click and collect".
_ASKS_FOR_PICKUP = (
    rf"\b(?:where|which|what)\b(?:\s+\w+){{0,4}}?\s+{_PICKUP}\s*(?:points?|locations?|places?"
    r"|desks?|spots?|options?)?\b"
    rf"|\b(?:do|does|can)\s+(?:you|u|i|we)\s+(?:have\s+|offer\s+|do\s+|use\s+)?(?:a\s+)?"
    rf"{_PICKUP}(?:\s+(?:points?|locations?|options?|service|available))?"
    r"\s*(?:[?.!]|$|\s+(?:at|in|near|for|there|here|instead)\b)"  # not "pickup trucks"
)
PICKUP_QUESTION = re.compile(_ASKS_FOR_PICKUP, re.IGNORECASE)

TOPICS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "coupons": _ASKS_FOR_CODES,
        "returns": rf"\b{_RETURN}\s+(?:policy"
        r"|policies|period|window|rules?|terms)\b|\bpolicy\s+(?:on|for)\s+(?:returns?|refunds?)"
        r"|\bhow\s+(?:many|long)\s+days?\b.*\b(?:return|refund|send\s+(?:it\s+)?back)\b",
        "shipping": rf"\b(?:{_SHIPPING}|{_PICKUP}|couriers|carrier|carriers|ship"
        r"|deliver|send\s+(?:stuff|things|it|orders?|parcels?)\s+to)\b",
        "payment": r"\b(?:pay(?:ing)?\s+(?:with|by|using|in)|payment\s+(?:methods?|options?"
        r"|types?)|accept|take)\b.*\b(?:card|cards|cash|paypal|apple\s+pay|google\s+pay|klarna"
        r"|visa|mastercard|amex|bank\s+transfer|crypto|bitcoin|cheque|check)\b"
        r"|\b(?:cash\s+on\s+delivery|cod)\b|\bpayment\s+(?:methods?|options?)\b"
        r"|\bhow\s+(?:can|do)\s+i\s+pay\b",
        "account": r"\b(?:change|update|edit|set|correct|fix)\s+(?:my\s+)?(?:e-?mail|phone"
        rf"|number|{_ADDRESS}|profile|details|language)\b|\bmy\s+(?:profile|account\s+details)\b"
        # "new address", "add an adress", "my delivery addresses": the profile keeps them
        rf"|\b(?:new|another|add|save|my|delete|remove)\s+(?:(?:a|an|my|new|another)\s+)*"
        rf"(?:(?:delivery|shipping|home|billing)\s+)?{_ADDRESS}\b",
    }.items()
}


def help_topic(text: str) -> str | None:
    """The subject of a help question, or None for help in general. Returns are asked about
    as a policy ("returns policy", "how many days do I have to return"), not as a request."""
    for name, pattern in TOPICS.items():
        if pattern.search(text):
            return name
    return None


def help_topics(text: str) -> list[str]:
    """Every subject a help question asks about ("what payment methods do you take and how
    long is delivery": payment, then shipping): `help_topic`'s first, the others in the
    order said."""
    first = help_topic(text)
    if first is None:
        return []
    others = sorted(
        (found.start(), name)
        for name, pattern in TOPICS.items()
        if name != first and (found := pattern.search(text)) is not None
    )
    return [first, *(name for _, name in others)]


#: A question about the shop's own rules, worded so that no request is in it: "what is your
#: refund policy", "how much is postage to Ireland", "do you ship to Germany".
POLICY_QUESTION = re.compile(
    rf"\b(?:{_RETURN}|{_SHIPPING})\s+(?:policy|policies|polcy|terms"
    r"|charges?|costs?|fees?|rates?|times?|options?)\b"
    rf"|\bhow\s+much\s+(?:is|are|does|do\s+you\s+charge\s+for)\s+(?:the\s+)?{_SHIPPING}\b"
    rf"|{_ASKS_FOR_PICKUP}"
    # "do you accept paypal", "do you take apple pay?": which ways to pay the shop takes
    r"|\b(?:do|does)\s+(?:you|u|the\s+shop)\s+(?:accept|take|support|allow)\s+(?:\w+\s+){0,2}?"
    r"(?:card|cards|cash|paypal|apple\s+pay|google\s+pay|klarna|visa|mastercard|amex"
    r"|bank\s+transfers?|crypto|bitcoin|cheques?|checks?)\b"
    # "can i pay with paypal", "can we pay by card": which ways to pay, asked of oneself
    r"|\bcan\s+(?:i|we)\s+pay\s+(?:with|by|using|in|via)\b"
    # "how many days do I have to return something": the return window
    rf"|\bhow\s+(?:many|long)\s+(?:days?|weeks?)\b.*\b{_RETURN}\b"
    r"|\b(?:do|does|can)\s+(?:you|u|it|they)\s+(?:ship|deliver|send\s+\w+)\s+(?:to|in|outside|abroad"
    r"|internationally|overseas)\b"
    r"|\bhow\s+long\s+(?:does|do|will)\s+(?:the\s+)?(?:shipping|delivery|postage)\s+take\b"
    # "do you have any discount codes?", "any promo codes?": which codes there are
    rf"|{_ASKS_FOR_CODES}",
    re.IGNORECASE,
)
