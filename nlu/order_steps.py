"""A seller's words, typed or heard, read as a step on one of their parcels: "confirm it",
"ship order 15", "mark it delivered", "ready for collection" (`read_order_step`).

The steps are those of a seller's order card, named as the engine names them
(engine.fulfilment.Step, by value: handlers turn one into the other); this module reads
words only and never imports the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from nlu.numbers import UNITS, normalise


class OrderStep(StrEnum):
    """A step a seller takes on a parcel (engine.fulfilment.Step by value)."""

    confirm = "confirm"
    pack = "pack"
    ship = "ship"
    reject = "reject"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"


@dataclass(frozen=True)
class StepSaid:
    """A seller's step in words: which, and on what. `order_id` None: the card open.
    `reason`: what followed "because" in a refusal."""

    step: OrderStep
    order_id: int | None = None
    reason: str | None = None


_S = OrderStep
#: the words that name a step, English and Spanish; those ending in a pronoun ("confírmalo")
#: name the parcel too (`REFERRING`). A pickup point's parcel is "collected" where another
#: is "delivered": the same step.
STEP_WORDS: Final = {
    **dict.fromkeys(
        ("confirm", "confirmed", "confirmar", "confirma", "confirmo", "confirmado",
         "confirmada", "confírmalo", "confirmalo", "confírmala", "confirmala"),
        _S.confirm,
    ),
    **dict.fromkeys(
        ("pack", "packed", "empacar", "empaca", "empaco", "empacado", "empacada", "empácalo",
         "empacalo", "embalar", "embala", "embalado", "embalada", "embálalo", "embalalo"),
        _S.pack,
    ),
    **dict.fromkeys(
        ("ship", "shipped", "dispatch", "dispatched", "enviar", "envía", "envia", "enviado",
         "enviada", "envíalo", "envialo", "despachar", "despacha", "despachado", "despachada",
         "despáchalo", "despachalo"),
        _S.ship,
    ),
    **dict.fromkeys(
        ("reject", "rejected", "refuse", "refused", "decline", "declined", "rechazar",
         "rechaza", "rechazo", "rechazado", "rechazada", "recházalo", "rechazalo"),
        _S.reject,
    ),
    **dict.fromkeys(("intransit",), _S.in_transit),  # as whisper writes "in transit"
    **dict.fromkeys(
        ("delivered", "collected", "entregado", "entregada", "entrégalo", "entregalo",
         "recogido", "recogida"),
        _S.delivered,
    ),
}  # fmt: skip
#: the steps named in more words than one, as the card's buttons say them
STEP_PHRASES: Final = {
    **dict.fromkeys(("in transit", "en tránsito", "en transito"), _S.in_transit),
    **dict.fromkeys(
        ("out for delivery", "en reparto", "ready for collection", "ready for pickup",
         "ready to collect", "ready to be collected", "ready to pick up", "listo para recoger",
         "lista para recoger", "listo para recogida", "lista para recogida"),
        _S.out_for_delivery,
    ),
}  # fmt: skip
REFERRING: Final = frozenset(w for w in STEP_WORDS if w.endswith(("lo", "la")))
#: words that point at a parcel: the card open, or the order whose number follows
POINTING: Final = frozenset(
    {"it", "it's", "this", "that", "one", "order", "parcel", "package", "orden",
     "pedido", "paquete", "este", "esta", "esto", "ese", "esa", "eso", "lo", "la"}
)  # fmt: skip
#: words a command may carry around its step and its parcel, and nothing else: any other word
#: ("my", "not", "did", "when", "to") makes the text something else, read as the customer's
FILLER: Final = frozenset(
    {"please", "pls", "plz", "ok", "okay", "now", "then", "just", "go", "ahead", "and", "the",
     "mark", "as", "can", "could", "you", "yes", "is", "be", "has", "been", "was", "por",
     "favor", "el", "ya", "marcar", "marca", "como", "ahora", "sí", "si", "está", "esta"}
)  # fmt: skip
#: a first word that makes the words a question, with or without its "?": "was it delivered"
ASKING: Final = frozenset(
    {"is", "was", "were", "are", "has", "have", "had", "did", "does", "do", "will", "when",
     "where", "why", "how", "what", "which"}
)  # fmt: skip
_REASON = re.compile(r"\b(?:because|since|due to|porque|reason|motivo)\b[\s:,-]*", re.IGNORECASE)
_NUMBERED = re.compile(r"\b(?:no|nr|num|number|n[º°o])\.?\s*(?=#?\d)")
_PHRASES = "|".join(map(re.escape, STEP_PHRASES))
_PHRASE = re.compile(rf"\b(?:{_PHRASES})\b")
#: an order's number said as one word after its lead word ("order seventeen"): as whisper
#: writes a spoken number below twenty (larger ones are digits, or `numbers.normalise`'s)
_UNITS = "|".join(UNITS)
_SAID_NUMBER = re.compile(rf"\b(?P<lead>order|parcel|package|number)\s+(?P<word>{_UNITS})\b")
_WORD = re.compile(r"#?\d+|[^\W\d_]+(?:'[^\W\d_]+)?")
_LARGEST_ID: Final = 2**31 - 1


def read_order_step(text: str) -> StepSaid | None:
    """The step a seller's words take on a parcel, or None when they are something else.

    One step ("confirm", "packed", "ship", "reject", "in transit", "out for delivery" or
    "ready for collection", "delivered" or "collected", or Spanish), at most one order number
    ("order 15", "#15", "no. 15", "order seventeen"), words that point at the card open
    ("it", "this one") and courtesy ("please", "mark as"); nothing else. A question ("did
    you ship it?", "was it delivered"), a negation ("don't ship it") or the customer's own
    order ("confirm my order") is not a step. "confirm" alone is not one either (a
    customer's checkout says it): it needs "it", "this one" or a number; the other steps
    alone mean the card open. Only a refusal may give its reason ("reject order 15 because
    out of stock")."""
    said = " ".join(text.casefold().split())
    if not said or "?" in said or "¿" in said:
        return None
    head, *tail = _REASON.split(said, maxsplit=1)
    reason = tail[0].strip(" .!") if tail else None
    head = _SAID_NUMBER.sub(lambda m: f"{m['lead']} {UNITS[m['word']]}", normalise(head))
    phrased = [STEP_PHRASES[m.group(0)] for m in _PHRASE.finditer(head)]
    tokens = _WORD.findall(_NUMBERED.sub(" ", _PHRASE.sub(" ", head)))
    if tokens and tokens[0] in ASKING:
        return None
    steps = {*phrased, *(STEP_WORDS[w] for w in tokens if w in STEP_WORDS)}
    numbers = [int(w.lstrip("#")) for w in tokens if w.lstrip("#").isdigit()]
    others = [w for w in tokens if w not in STEP_WORDS and not w.lstrip("#").isdigit()]
    if len(steps) != 1 or len(numbers) > 1 or any(w not in POINTING | FILLER for w in others):
        return None
    step = steps.pop()
    if tail and (step != _S.reject or not reason):
        return None
    if numbers and not 0 < numbers[0] <= _LARGEST_ID:
        return None
    pointed = numbers or any(w in POINTING or w in REFERRING for w in tokens)
    if step == _S.confirm and not pointed:
        return None
    return StepSaid(step, numbers[0] if numbers else None, reason)
