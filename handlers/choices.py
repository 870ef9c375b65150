"""The last list the chat showed a customer (search results, a category's products, "Which
one?", "Which order do you mean?"), kept as data in the conversation state, and a typed
reference to it ("the first one", "2", "the last", "the cheaper one", "the olive one",
"that one" when it showed one) read as the item its button would pick.

What is kept is what the engine said when the list was shown: the ids in the order shown,
each one's name and price. "The cheaper one" is read from those prices, never re-priced; the
item picked is then asked of the engine again, so one gone or hidden since is said so."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from aiogram.fsm.context import FSMContext

from engine.orders import OrderView
from nlu.answers import narrow

#: The conversation key the last list is kept under.
SHOWN: Final = "shown"
PRODUCTS: Final = "products"
ORDERS: Final = "orders"

#: A request put before a reference ("show me", "open", "I'll take"), nothing else.
_LEAD: Final = re.compile(
    r"^\W*(?:(?:can|could)\s+(?:i|you)\s+|please\s+|let\s+me\s+|i'?d\s+like\s+(?:to\s+)?)?"
    r"(?:show\s+me|show|open|see|view|give\s+me|i'?ll\s+take|i\s+want|i'?ll\s+have|take|have"
    r"|pick|choose|go\s+with|i\s+mean|mean)?\s*",
    re.IGNORECASE,
)
#: A reference: it ends in "one"/"ones" ("the olive one"), or is a place alone ("2", "the
#: last", "the second", "number 3"), or "that" / "this" / "it".
_REFERS: Final = re.compile(
    r"^(?:the\s+|that\s+|this\s+)?(?:[\w'-]+\s+){0,3}ones?(?:\W+(?:please|pls|thanks))*\W*$"
    r"|^(?:the\s+|number\s+|no\.?\s*|#)?(?:\d{1,2}|first|second|third|fourth|fifth|sixth"
    r"|seventh|eighth|last|1st|2nd|3rd|[4-8]th)(?:\W+(?:please|pls|thanks))*\W*$"
    r"|^(?:that|this|it)(?:\W+(?:please|pls|thanks))*\W*$",
    re.IGNORECASE,
)
_CHEAPER: Final = re.compile(r"\b(?:cheaper|cheapest|least\s+expensive|lower\s+priced)\b", re.I)
_DEARER: Final = re.compile(
    r"\b(?:dearer|pricier|priciest|more\s+expensive|most\s+expensive)\b", re.I
)
_THAT: Final = re.compile(r"^(?:that|this|it)(?:\s+ones?)?\b", re.I)


@dataclass(frozen=True)
class Shown:
    """A list as shown: its kind (PRODUCTS or ORDERS), the ids in order, each one's name and
    price as the engine gave them, and what picking one does (`act`: an order request's
    value; `qty`: the count a product's card opens with)."""

    kind: str
    ids: tuple[int, ...]
    names: tuple[str, ...]
    prices: tuple[Decimal, ...]
    act: str | None = None
    qty: int = 1

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ids": list(self.ids),
            "names": list(self.names),
            "prices": [str(p) for p in self.prices],
            "act": self.act,
            "qty": self.qty,
        }

    @classmethod
    def of_data(cls, data: object) -> Shown | None:
        """The list kept in the conversation, or None (none, or kept in another shape)."""
        if not isinstance(data, dict):
            return None
        try:
            ids = tuple(int(i) for i in data["ids"])
            names = tuple(str(n) for n in data["names"])
            prices = tuple(Decimal(str(p)) for p in data["prices"])
            kind, qty = str(data["kind"]), int(data.get("qty") or 1)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return None
        if not ids or not len(ids) == len(names) == len(prices):
            return None
        act = data.get("act")
        return cls(kind, ids, names, prices, None if act is None else str(act), qty)


def orders_shown(views: Sequence[OrderView], act: str) -> Shown:
    """A list of orders as shown, each picked for `act` (an OrderAct's value: "the first one"
    after My orders follows it, as a bare order number does)."""
    return Shown(
        ORDERS,
        tuple(v.order_id for v in views),
        tuple(" ".join(line.name for line in v.lines) for v in views),
        tuple(v.total for v in views),
        act=act,
    )


async def remember(state: FSMContext, shown: Shown | None) -> None:
    """Keep `shown` as the last list the chat showed (None: a screen a reference cannot mean,
    so an older list is not meant either)."""
    await state.update_data({SHOWN: None if shown is None or not shown.ids else shown.to_data()})


async def remembered(state: FSMContext) -> Shown | None:
    return Shown.of_data((await state.get_data()).get(SHOWN))


def cheapest(prices: Sequence[Decimal], *, dearest: bool = False) -> int | None:
    """The place of the one lowest (highest) price, None when two share it."""
    best = max(prices) if dearest else min(prices)
    at = [i for i, p in enumerate(prices) if p == best]
    return at[0] if len(at) == 1 else None


def refers(text: str, shown: Shown) -> int | None:
    """The place in `shown` a typed reference means, or None when the words are no reference
    to it, or single out none of it (they are then read as a new request)."""
    said = _LEAD.sub("", text.strip(), count=1).strip()
    if not _REFERS.match(said):
        return None
    if _CHEAPER.search(said):
        return cheapest(shown.prices) if len(shown.ids) > 1 else None
    if _DEARER.search(said):
        return cheapest(shown.prices, dearest=True) if len(shown.ids) > 1 else None
    if _THAT.match(said):  # "that one": only when one was shown
        return 0 if len(shown.ids) == 1 else None
    chosen = narrow(said, shown.names)
    return chosen[0] if len(chosen) == 1 else None
