"""Simulated customers who buy by card and cope with a bot that dies under them.

A `Shopper` repeats purchase rounds (search, open a product, maybe "+", add to the cart, a
second product sometimes, /cart, checkout with a new address, card, place the order, pay the
invoice) until the monkey is done, as a person would: every step waits generously for the
bot's answer. Each step is written to the `Journal` with the update it produced and how it
ended:

- answered: the expected reply came (for a tap: the callback query was answered, and the
  screen changed as it should);
- derailed: the bot answered, but not as the flow expects (a conversation forgotten by a
  restart: "This button is no longer active", "Sorry, I did not get that"); the shopper
  starts the checkout again, as a person would;
- unanswered: nothing came within the answer time. That is a failure; the shopper then
  starts over with /start, and its cart is no longer compared exactly with what it added
  (an unanswered "Add" may or may not have happened).

Every bot message a step consumed is marked, so messages nobody asked for (a reply sent
twice) stand out at the end.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from sandbox import SimUser
from sandbox.state import Event
from tests.chaos.recording import RecordingEmulator

# (what the customer types, the result buttons to choose from): demo products of four
# sellers, so an order often has several parcels
PRODUCTS = (
    ("pour-over kettle", "Pour-Over Kettle"),
    ("wireless headphones", "Wireless Headphones"),
    ("zip hoodie", "Zip Hoodie"),
    ("baking basics", "Baking Basics"),
)
MAX_ROUNDS = 6  # purchases per customer at most, however long the monkey runs
STRAY_GRACE = 3.0  # after an unexpected reply, how long the expected one may still come
CHECKOUT_TRIES = 4
# the bot answered, but the conversation it expects is gone (a restart forgot it)
DERAIL_TEXTS = (
    "no longer active",
    "Cancelled. Nothing was changed",
    "Sorry, I did not get that",
    "Your cart is empty",
    "Not found",
    "I need at least street",
)


class Unanswered(Exception):
    """A step got no answer within the answer time (already journaled)."""


class Derailed(Exception):
    """A step got an answer the flow did not expect (already journaled)."""


@dataclass
class Step:
    customer: str
    user_id: int
    action: str
    update_id: int | None
    at: float  # time.monotonic() when sent
    outcome: str = "pending"  # answered | derailed | unanswered
    more_updates: list[int] = field(default_factory=list)  # e.g. a payment's pre-checkout
    detail: str = ""
    took: float | None = None


@dataclass
class Round:
    number: int
    order_id: int | None = None  # the order the customer saw placed
    lines: Counter[str] | None = None  # its units by product, when known exactly
    charge_id: str | None = None
    paid: bool = False  # "Payment received" came


@dataclass
class Journal:
    t0: float
    steps: list[Step] = field(default_factory=list)
    # carts that did not hold what their customer added (a tap handled twice, or lost)
    cart_mismatches: list[str] = field(default_factory=list)
    # what is not a failure by itself but explains one
    notes: list[str] = field(default_factory=list)

    def rel(self, moment: float) -> float:
        return moment - self.t0


@dataclass
class Matcher:
    """A bot event a step waits for: its kind, words in its text, an optional extra test."""

    kind: str  # "message" | "edit"
    contains: str | None = None
    message_id: int | None = None  # edits: of this message
    test: Callable[[dict[str, Any]], bool] | None = None

    def __call__(self, event: Event) -> bool:
        if event.kind != self.kind:
            return False
        message = event.message
        if self.message_id is not None and message.get("message_id") != self.message_id:
            return False
        if self.contains is not None and self.contains.lower() not in text_of(message).lower():
            return False
        return self.test is None or self.test(message)


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b for row in rows for b in row]


_PATTERNS: list[re.Pattern[str]] = []


def notification_patterns() -> list[re.Pattern[str]]:
    """The outbox's texts (notify.* in the English catalog, each plural form) as patterns of
    sent messages."""
    from handlers import locales

    if _PATTERNS:
        return _PATTERNS
    patterns = _PATTERNS
    for key, entry in locales.entries(locales.read(locales.REFERENCE)).items():
        if not key.startswith("notify."):
            continue
        for template in entry.forms:
            plain = unescape(re.sub(r"<[^>]+>", "", template))
            parts = re.split(r"\{[a-z_]+\}", plain)  # {name}
            if len("".join(parts).strip()) < 4:
                continue  # a template of placeholders only matches anything
            patterns.append(re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL))
    return patterns


def is_notification(message: dict[str, Any]) -> bool:
    text = text_of(message)
    return bool(text) and any(p.fullmatch(text) for p in notification_patterns())


def is_reply(event: Event) -> bool:
    """A new bot message that is not an outbox notification: what answers a typed text."""
    return event.kind == "message" and not is_notification(event.message)


def _found(message: dict[str, Any]) -> bool:
    shown = text_of(message)
    return "Results for" in shown or "product(s) that match" in shown


class Shopper:
    def __init__(
        self,
        tg: RecordingEmulator,
        user: SimUser,
        name: str,
        rng: random.Random,
        journal: Journal,
        answer_within: float,
        follow_up_within: float,
    ) -> None:
        self.tg, self.user, self.name, self.rng = tg, user, name, rng
        self.journal = journal
        self.answer_within = answer_within
        self.follow_up_within = follow_up_within
        self.rounds: list[Round] = []
        self.consumed: set[int] = set()  # indexes into the chat's events a step accounted for
        # what derailed steps waited for: their own reply may still come, late
        self.derailed_waits: list[tuple[int, Matcher]] = []
        self.cart: Counter[str] = Counter()  # what the cart should hold: confirmed "Add" taps
        # False once an "Add" or "Place order" may or may not have happened (no answer)
        self.cart_exact = True
        # the chat's length when the first step went unanswered: later bot messages may be
        # that step's late answer
        self.unanswered_index: int | None = None

    @property
    def events(self) -> list[Event]:
        return self.user.chat.events

    # --- a whole customer ---------------------------------------------------------------------
    async def shop(self, stop: asyncio.Event, stagger: float) -> None:
        await asyncio.sleep(stagger)
        await self._start()
        for number in range(1, MAX_ROUNDS + 1):
            if number > 1 and stop.is_set():
                return
            current = Round(number)
            self.rounds.append(current)
            try:
                await self._round(current)
            except (Unanswered, Derailed):
                await self._start()  # begin again from a known state

    async def _start(self) -> None:
        for _ in range(3):
            try:
                await self.send("/start", Matcher("message", "Welcome"))
                return
            except Derailed:
                continue
            except Unanswered:
                return  # the next round's steps will tell whether the bot is back

    async def _round(self, current: Round) -> None:
        wanted = self.rng.sample(PRODUCTS, k=self.rng.choice((1, 1, 2)))
        for query, label in wanted:
            quantity = self.rng.choice((1, 1, 2))
            for _ in range(3):
                try:
                    await self._add(current, query, label, quantity)
                    break
                except Derailed:
                    continue
            else:
                raise Derailed
        for _ in range(CHECKOUT_TRIES):
            try:
                invoice = await self._check_out(current)
                break
            except Derailed:
                continue
        else:
            self.journal.notes.append(f"{self.name} round {current.number}: gave up checking out")
            raise Derailed
        await self._pay(current, invoice)

    async def _add(self, current: Round, query: str, label: str, quantity: int) -> None:
        results = await self.send(query, Matcher("message", test=_found))
        offered = [b for b in buttons_of(results) if label.lower() in str(b.get("text")).lower()]
        if not offered:
            shown = [b.get("text") for b in buttons_of(results)]
            raise self._derail(f"no {label!r} among the results {shown}")
        choice = str(self.rng.choice(offered)["text"])  # one of the colours, say
        card = await self.tap(results, choice, Matcher("message", "Sold by"))
        if quantity == 2:
            wanted = "Add 2 to cart"
            await self.tap(
                card,
                "+",
                Matcher(
                    "edit",
                    message_id=card["message_id"],
                    test=lambda m: any(wanted in str(b.get("text")) for b in buttons_of(m)),
                ),
            )
        try:
            answer = await self.tap(card, f"Add {quantity} to cart", None)
        except Unanswered:
            self.cart_exact = False  # added, or not: nobody said
            raise
        added = re.match(r"Added (\d+) × (.+) to your cart", str(answer.get("text")))
        if added is None or int(added[1]) != quantity:
            self.cart_exact = False
            raise self._derail(f"tap 'Add {quantity} to cart' answered {answer.get('text')!r}")
        self.cart[added[2]] += quantity

    async def _check_out(self, current: Round) -> dict[str, Any]:
        cart = await self.send("/cart", Matcher("message", "Your cart"))
        self._compare_cart(current, text_of(cart))
        await self.tap(
            cart,
            "Checkout",
            Matcher("edit", "Where should we deliver?", message_id=cart["message_id"]),
        )
        cart = self.user.chat.messages[cart["message_id"]]
        await self.tap(
            cart, "New address", Matcher("edit", "step 1 of 4", message_id=cart["message_id"])
        )
        street = f"{self.rng.randint(1, 99)} Lake Road"
        await self.send(street, Matcher("message", "town or city"))
        await self.send("Dhaka", Matcher("message", "postal code"))
        await self.send("1205", Matcher("message", "Send the country"))
        screen = await self.send("Bangladesh", Matcher("message", "Is this address right?"))
        await self.tap(
            screen,
            "Save",
            Matcher("edit", "How should it be shipped?", message_id=screen["message_id"]),
        )
        screen = self.user.chat.messages[screen["message_id"]]
        for label, then in (
            ("Standard Post", "coupon"),
            ("Skip", "How would you like to pay?"),
            ("Card", "Please confirm"),
        ):
            await self.tap(screen, label, Matcher("edit", then, message_id=screen["message_id"]))
            screen = self.user.chat.messages[screen["message_id"]]
        try:
            placed = await self.tap(
                screen, "Place order", Matcher("edit", "is placed", message_id=screen["message_id"])
            )
        except Unanswered:
            self.cart_exact = False  # placed (the cart emptied), or not: nobody said
            raise
        current.order_id = order_id = int(text_of(placed).split("#", 1)[1].split()[0])
        if self.cart_exact:
            current.lines = Counter(self.cart)
        self.cart.clear()
        key = self.user.chat.id

        def for_this_order(m: dict[str, Any]) -> bool:
            payload = str(self.tg.state.invoices.get((key, m["message_id"]), {}).get("payload"))
            named = re.match(r"order:(\d+)(\D|$)", payload)
            return "invoice" in m and named is not None and int(named[1]) == order_id

        return await self.follow("the invoice", Matcher("message", test=for_this_order))

    async def _pay(self, current: Round, invoice: dict[str, Any]) -> None:
        step = self._step(f"pay the invoice of order #{current.order_id}", None)
        payment = await self.user.pay(invoice)
        if not payment.ok:
            if "did not answer" in str(payment.error_message):
                step.update_id = _last_of(
                    self.tg.recording.history, "pre_checkout_query", self.user.id
                )
                raise self._unanswered(step, str(payment.error_message))
            raise self._derail(f"payment refused: {payment.error_message}", step)
        step.update_id = self._last_update_id()
        history = self.tg.recording.history
        pre_checkout = _last_of(history, "pre_checkout_query", self.user.id)
        if pre_checkout is not None:
            step.more_updates.append(pre_checkout)
        current.charge_id = payment.provider_payment_charge_id
        step.action += f" ({current.charge_id})"
        expected = Matcher("message", f"Payment received for order #{current.order_id}")
        await self._wait(step, expected, [], self.answer_within)
        current.paid = True

    # --- steps --------------------------------------------------------------------------------
    async def send(self, text: str, expected: Matcher) -> dict[str, Any]:
        """Send a text; the bot's reply matching `expected`."""
        since = len(self.events)
        step = self._step(f"send {text!r}", None)
        message = await self.user.send(text)
        step.update_id = self._last_update_id(message)
        return await self._wait(step, expected, [is_reply], self.answer_within, since)

    async def tap(
        self, message: dict[str, Any], label: str, then: Matcher | None
    ) -> dict[str, Any]:
        """Tap the button labelled `label` on `message`: the callback's answer when `then` is
        None, otherwise the bot's event matching `then` (after the answer)."""
        since = len(self.events)
        message = self.user.chat.messages.get(int(message["message_id"]), message)  # as now
        button = _find_button(message, label)
        step = self._step(f"tap {label!r}", None)
        if button is None:
            shown = [b.get("text") for b in buttons_of(message)]
            raise self._derail(f"no button {label!r} on the screen; it shows {shown}", step)
        history = self.tg.recording.history
        known = len(history)
        try:
            answer = await self.user.click_button(
                int(message["message_id"]),
                data=str(button["callback_data"]),
                timeout=self.answer_within,
            )
        except AssertionError as exc:
            step.update_id = _callback_update(history[known:], self.user.id)
            raise self._unanswered(step, str(exc)) from None
        step.update_id = _callback_update(history[known:], self.user.id)
        said = str(answer.get("text") or "")
        if any(d.lower() in said.lower() for d in DERAIL_TEXTS):
            raise self._derail(f"answered {said!r}", step)
        if then is None:
            self._answered(step)
            return answer
        return await self._wait(step, then, [is_reply], self.follow_up_within, since)

    async def follow(self, what: str, expected: Matcher) -> dict[str, Any]:
        """A second event one step brings (the invoice after "Place order")."""
        before = self.journal.steps[-1].update_id if self.journal.steps else None
        step = self._step(f"(await {what})", before)  # the update that should bring it
        return await self._wait(step, expected, [], self.follow_up_within)

    async def _wait(
        self,
        step: Step,
        expected: Matcher,
        derails: list[Callable[[Event], bool]],
        within: float,
        since: int = 0,
    ) -> dict[str, Any]:
        """The first event since `since` matching `expected`. A reply matching one of
        `derails` ends the wait as "derailed" only if the expected event does not follow
        within STRAY_GRACE: it may be a late or repeated reply to an earlier update, and then
        it is left for the end-of-run accounting instead of being taken for this step's."""

        def first(match: Callable[[Event], bool]) -> int | None:
            for index in range(since, len(self.events)):
                if index not in self.consumed and match(self.events[index]):
                    return index
            return None

        def other(event: Event) -> bool:
            return any(d(event) for d in derails)

        if not await self.tg.state.wait_for(
            lambda: first(expected) is not None or first(other) is not None, within
        ):
            waited = f"no {expected.kind} containing {expected.contains!r}"
            raise self._unanswered(step, f"{waited} within {within:g} s")
        index = first(expected)
        if index is None and await self.tg.state.wait_for(
            lambda: first(expected) is not None, STRAY_GRACE
        ):
            index = first(expected)
        if index is None:
            stray = first(other)
            assert stray is not None
            self.consumed.add(stray)
            self.derailed_waits.append((since, expected))
            raise self._derail(f"answered {text_of(self.events[stray].message)[:80]!r}", step)
        self.consumed.add(index)
        message = self.events[index].message
        self._answered(step)
        if expected.kind == "edit":  # the message as it stands now
            return self.user.chat.messages.get(int(message["message_id"]), message)
        return message

    def take_late_replies(self) -> list[str]:
        """At the end: the replies derailed steps waited for that came after all (the step
        took an earlier, stray reply for its answer). They are accounted for, not extra."""
        taken = []
        for since, expected in self.derailed_waits:
            for index in range(since, len(self.events)):
                if index not in self.consumed and expected(self.events[index]):
                    self.consumed.add(index)
                    taken.append(text_of(self.events[index].message)[:60])
                    break
        return taken

    # --- journal ------------------------------------------------------------------------------
    def _step(self, action: str, update_id: int | None) -> Step:
        step = Step(self.name, self.user.id, action, update_id, time.monotonic())
        self.journal.steps.append(step)
        return step

    def _answered(self, step: Step) -> None:
        step.outcome = "answered"
        step.took = time.monotonic() - step.at

    def _derail(self, detail: str, step: Step | None = None) -> Derailed:
        if step is None:
            step = self.journal.steps[-1]
        step.outcome = "derailed"
        step.detail = detail
        step.took = time.monotonic() - step.at
        return Derailed(detail)

    def _unanswered(self, step: Step, detail: str) -> Unanswered:
        step.outcome = "unanswered"
        step.detail = detail
        if self.unanswered_index is None:
            self.unanswered_index = len(self.events)
        return Unanswered(detail)

    def _last_update_id(self, message: dict[str, Any] | None = None) -> int | None:
        """The update just queued for this user (no other task ran since it was queued)."""
        for update in reversed(self.tg.recording.history[-50:]):
            body = update.get("message")
            if (
                isinstance(body, dict)
                and body.get("chat", {}).get("id") == self.user.id
                and (message is None or body.get("message_id") == message.get("message_id"))
            ):
                return int(update["update_id"])
        return None

    def _compare_cart(self, current: Round, text: str) -> None:
        """The cart screen against the units the customer's "Add" taps were confirmed for."""
        if not self.cart_exact:
            return
        shown: Counter[str] = Counter()
        for qty, name in re.findall(r"(\d+) × (.+?) — ", text):
            shown[name.strip()] += int(qty)
        if shown != self.cart:
            hint = " (emptied: placed as an order the customer was not shown?)" if not shown else ""
            self.journal.cart_mismatches.append(
                f"{self.name} (user {self.user.id}) round {current.number}: taps added "
                f"{dict(self.cart)}, /cart shows {dict(shown)}{hint}"
            )
            self.cart = shown  # compare later rounds from what is really there


def _find_button(message: dict[str, Any], label: str) -> dict[str, Any] | None:
    buttons = [b for b in buttons_of(message) if "callback_data" in b]
    for button in buttons:
        if str(button.get("text")) == label:
            return button
    for button in buttons:
        if label.lower() in str(button.get("text", "")).lower():
            return button
    return None


def _callback_update(updates: list[dict[str, Any]], user_id: int) -> int | None:
    for update in updates:
        query = update.get("callback_query")
        if isinstance(query, dict) and query.get("from", {}).get("id") == user_id:
            return int(update["update_id"])
    return None


def _last_of(updates: list[dict[str, Any]], kind: str, user_id: int) -> int | None:
    for update in reversed(updates):
        body = update.get(kind)
        if isinstance(body, dict) and body.get("from", {}).get("id") == user_id:
            return int(update["update_id"])
    return None
