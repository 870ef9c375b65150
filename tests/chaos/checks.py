"""What must hold after the chaos, read from the database, the Stripe server and the chats.

`inspect()` returns every finding at once, grouped by the claim it breaks, so one run tells
everything that went wrong (not only the first thing). Each finding names its evidence:
charge ids, order numbers, update ids, customers, and the kill that came just before.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from sandbox.errors import QUERY_TOO_OLD
from storage.db import make_sessionmaker
from storage.models import (
    InventoryLog,
    Order,
    OrderItem,
    Outbox,
    Payment,
    ProcessedUpdate,
    Product,
    Refund,
    User,
)
from storage.vocabulary import (
    InventoryReference,
    OrderStatus,
    OutboxChannel,
    OutboxStatus,
    PaymentStatus,
    RefundStatus,
    UpdateStatus,
    to_minor_units,
)
from tests.chaos.monkey import Monkey
from tests.chaos.recording import RecordingEmulator, kind_of, sender_of
from tests.chaos.shoppers import Journal, Shopper, notification_patterns, text_of

CHARGES = "every Stripe charge has exactly one successful payment, or a refund"
TWICE = "no order is paid twice"
ANSWERED = "every customer action was answered"
LEDGER = "stock equals the ledger"
MONEY = "money adds up"
OUTBOX = "every outbox row is delivered"
ONCE = "no update is handled twice"
HARNESS = "the run did what the test claims (kills, payments, charges)"
CLAIMS = (CHARGES, TWICE, ANSWERED, LEDGER, MONEY, OUTBOX, ONCE, HARNESS)


@dataclass
class Findings:
    # claim -> kind of finding -> evidence
    failed: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    info: list[str] = field(default_factory=list)

    def add(self, claim: str, evidence: str, kind: str = "") -> None:
        self.failed[claim][kind].append(evidence)

    def count(self, claim: str) -> int:
        return sum(len(items) for items in self.failed.get(claim, {}).values())

    def report(self, examples: int = 6) -> str:
        out = []
        for claim in CLAIMS:
            n = self.count(claim)
            out.append(f"[{'FAIL' if n else ' ok '}] {claim}" + (f": {n}" if n else ""))
            for kind, items in self.failed.get(claim, {}).items():
                if kind:
                    out.append(f"    {kind}: {len(items)}")
                out.extend(f"      - {item}" for item in items[:examples])
                if len(items) > examples:
                    out.append(f"      ... and {len(items) - examples} more")
        return "\n".join(out)

    def summary(self) -> str:
        """One line per broken claim, with its counts by kind."""
        return "; ".join(
            f"{claim}: "
            + ", ".join(f"{len(items)} {kind or 'findings'}" for kind, items in kinds.items())
            for claim, kinds in self.failed.items()
        )


# --- the Stripe server --------------------------------------------------------------------
async def stripe_charges(base: str, api_key: str) -> list[dict[str, Any]]:
    """Every charge the Stripe server holds, oldest first."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    headers = {"Authorization": f"Bearer {api_key}"}
    async with aiohttp.ClientSession() as http:
        while True:
            params = {"limit": "100"} | ({"starting_after": after} if after else {})
            async with http.get(f"{base}/v1/charges", params=params, headers=headers) as r:
                page = await r.json()
                assert r.status == 200, page
            found.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                return found
            after = page["data"][-1]["id"]


# --- waiting for the dust to settle -------------------------------------------------------
async def settle(engine: AsyncEngine, tg: RecordingEmulator, within: float) -> list[str]:
    """Wait until nothing is in flight: the emulator's queue is empty, no update is claimed
    and not done, no notification is pending, no refund is pending or processing. Returns,
    for each of those that was seen, until when (seconds into settling) and, if it never
    cleared, that it is still so after `within` seconds."""
    start = time.monotonic()
    last_seen: dict[str, float] = {}
    while True:
        busy: dict[str, int | None] = {}
        if tg.state.updates:
            busy["updates not confirmed to the emulator"] = len(tg.state.updates)
        async with engine.connect() as c:
            busy["updates claimed, not done"] = await c.scalar(
                select(func.count())
                .select_from(ProcessedUpdate)
                .where(ProcessedUpdate.status == UpdateStatus.claimed)
            )
            busy["outbox rows pending"] = await c.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.status == OutboxStatus.pending)
            )
            busy["refunds pending or processing"] = await c.scalar(
                select(func.count())
                .select_from(Refund)
                .where(Refund.status.in_([RefundStatus.pending, RefundStatus.processing]))
            )
        now = time.monotonic() - start
        busy = {what: n for what, n in busy.items() if n}
        for what in busy:
            last_seen[what] = now
        if not busy or now > within:
            return [
                f"{what}: {busy[what]} still after {now:.0f} s"
                if what in busy
                else f"{what} until {seen:.0f} s"
                for what, seen in last_seen.items()
            ]
        await asyncio.sleep(0.5)


# --- the checks ---------------------------------------------------------------------------
@dataclass
class Run:
    """Everything the checks read besides the database."""

    tg: RecordingEmulator
    shoppers: list[Shopper]
    journal: Journal
    monkey: Monkey
    charges: list[dict[str, Any]]  # the Stripe server's charges made during this run
    planned_kills: int
    planned_payment_kills: int
    logs: str = ""  # every bot incarnation's log, for the evidence


async def inspect(engine: AsyncEngine, run: Run) -> Findings:
    found = Findings()
    async with make_sessionmaker(engine)() as s:
        users = {
            int(tid): uid
            for uid, tid in (await s.execute(select(User.user_id, User.telegram_id))).all()
            if tid is not None
        }
        telegram_of = {uid: tid for tid, uid in users.items()}
        mine = [users[x.user.id] for x in run.shoppers if x.user.id in users]
        orders = {
            o.order_id: o
            for o in (await s.scalars(select(Order).where(Order.user_id.in_(mine)))).all()
        }
        items: dict[int, list[OrderItem]] = defaultdict(list)
        for item in (
            await s.scalars(select(OrderItem).where(OrderItem.order_id.in_(list(orders))))
        ).all():
            items[item.order_id].append(item)
        payments = (
            await s.scalars(select(Payment).where(Payment.order_id.in_(list(orders))))
        ).all()
        refs = [str(ch["id"]) for ch in run.charges]
        by_ref: dict[str, list[Payment]] = defaultdict(list)
        for p in (await s.scalars(select(Payment).where(Payment.transaction_ref.in_(refs)))).all():
            by_ref[str(p.transaction_ref)].append(p)
        refunds: dict[int, Decimal] = defaultdict(Decimal)
        for payment_id, refunded in (
            await s.execute(
                select(Refund.payment_id, Refund.amount).where(
                    Refund.status == RefundStatus.succeeded
                )
            )
        ).all():
            refunds[payment_id] += Decimal(refunded)
        taken: dict[int, int] = defaultdict(int)
        for reference, quantity in (
            await s.execute(
                select(InventoryLog.reference_id, InventoryLog.quantity).where(
                    InventoryLog.reference_type == InventoryReference.order.value,
                    InventoryLog.reference_id.in_(list(orders)),
                )
            )
        ).all():
            if reference is not None:
                taken[int(reference)] -= int(quantity)
        stock = (await s.execute(select(Product.product_id, Product.stock_quantity))).all()
        logged: dict[int, int] = {
            int(product_id): int(total or 0)
            for product_id, total in (
                await s.execute(
                    select(InventoryLog.product_id, func.sum(InventoryLog.quantity)).group_by(
                        InventoryLog.product_id
                    )
                )
            ).all()
        }
        outbox = (await s.scalars(select(Outbox))).all()
        inbox = {
            int(r.update_id): r
            for r in (
                await s.scalars(
                    select(ProcessedUpdate).where(
                        ProcessedUpdate.bot_id == int(run.tg.state.bot_user["id"])
                    )
                )
            ).all()
        }
    owner = {r.charge_id: (x, r) for x in run.shoppers for r in x.rounds if r.charge_id}

    def nearest_kill(moment: float) -> str:
        """The kill nearest to `moment`, as "2.1 s after kill #3 (payment)"."""
        if not run.monkey.kills:
            return "no kill"
        k = min(run.monkey.kills, key=lambda k: abs(moment - k.at))
        delta = moment - k.at
        side = "after" if delta >= 0 else "before"
        return f"{abs(delta):.1f} s {side} kill #{k.number} ({k.planned})"

    def order_state(order_id: int | None) -> str:
        o = orders.get(order_id) if order_id is not None else None
        if o is None:
            return f"order #{order_id} not found"
        return f"order #{order_id} is {o.order_status.value}/{o.payment_status.value}"

    # 1. every charge: exactly one successful payment, or refunded at Stripe -----------------
    for ch in run.charges:
        cid, amount, back = str(ch["id"]), int(ch["amount"]), int(ch.get("amount_refunded") or 0)
        rows = by_ref.get(cid, [])
        good = [p for p in rows if p.status == PaymentStatus.successful]
        shopper, rnd = owner.get(cid, (None, None))
        when = next((x.at for x in run.tg.charges if x.charge_id == cid), None)
        context = (
            f"order #{rnd.order_id} of {shopper.name}" if shopper and rnd else "unknown order"
        ) + (f", charged at {run.journal.rel(when):.1f} s ({nearest_kill(when)})" if when else "")
        if len(good) == 1 and to_minor_units(good[0].amount, good[0].currency) == amount:
            if back and back != to_minor_units(good[0].refunded_amount, good[0].currency):
                found.add(
                    CHARGES,
                    f"{cid} ({context}): refunded {back} at Stripe, the payment says "
                    f"{good[0].refunded_amount}",
                    kind="refund at Stripe not recorded on the payment",
                )
            continue
        if not good and back == amount:
            continue  # refunded in full: the extra or orphan charge went back
        described = ", ".join(
            f"payment {p.payment_id} {p.status.value} {p.amount} order #{p.order_id}" for p in rows
        )
        found.add(
            CHARGES,
            f"{cid} {amount / 100:.2f} {ch.get('currency')} ({context}): {len(good)} successful "
            f"payment(s) [{described or 'no payment row'}], refunded {back}/{amount} at Stripe; "
            f"{order_state(rnd.order_id if rnd else None)}",
            kind="charge without exactly one successful payment",
        )
    made = {c.charge_id for c in run.tg.charges}
    held = {str(ch["id"]) for ch in run.charges}
    if made != held:
        found.add(HARNESS, f"charges made by the emulator {made ^ held} vs held by Stripe")

    # 2. no order paid twice -------------------------------------------------------------------
    charged: dict[int, list[str]] = defaultdict(list)
    for cid, (_, rnd) in owner.items():
        if rnd.order_id is not None:
            charged[rnd.order_id].append(cid)
    successful: dict[int, list[Any]] = defaultdict(list)
    for p in payments:
        if p.status == PaymentStatus.successful:
            successful[p.order_id].append(p)
    for order_id, rows in sorted(successful.items()):
        if len(rows) > 1:
            found.add(
                TWICE,
                f"order #{order_id}: {len(rows)} successful payments "
                f"({', '.join(f'{p.transaction_ref} {p.amount}' for p in rows)})",
                kind="orders with several successful payments",
            )
    by_id = {str(ch["id"]): ch for ch in run.charges}
    for order_id, cids in sorted(charged.items()):
        kept = [c for c in cids if by_id.get(c, {}).get("amount_refunded", 0) == 0]
        if len(kept) > 1:
            found.add(
                TWICE,
                f"order #{order_id}: charged {len(cids)} times, unrefunded: {kept}",
                kind="orders charged more than once, not refunded",
            )

    # 3. every customer action answered --------------------------------------------------------
    def logged_about(update_id: int | None) -> str:
        """What the bot's log says about one update (aiogram's and the inbox's lines)."""
        if update_id is None:
            return ""
        marks = (f"id={update_id} ", f"update {update_id}:", f"update {update_id} ")
        said = [line[9:] for line in run.logs.splitlines() if any(m in line for m in marks)]
        return f"; the bot logged: {' | '.join(said[:3])}" if said else "; the bot logged nothing"

    answered_steps = {
        uid
        for s in run.journal.steps
        if s.outcome != "unanswered"
        for uid in (s.update_id, *s.more_updates)
    }
    for step in run.journal.steps:
        if step.outcome != "unanswered":
            continue
        row = inbox.get(step.update_id) if step.update_id is not None else None
        stored = (
            "not in processed_updates"
            if row is None
            else f"processed_updates {row.status.value}, attempts {row.attempts}"
        )
        found.add(
            ANSWERED,
            f"{step.customer}: {step.action} (update {step.update_id}) at "
            f"{run.journal.rel(step.at):.1f} s, {nearest_kill(step.at)}: {step.detail}; "
            f"{stored}{logged_about(step.update_id)}",
            kind="customer steps with no answer",
        )
    for update in run.tg.state.updates:
        found.add(
            ANSWERED,
            f"update {update['update_id']} ({kind_of(update)} of user {sender_of(update)}) "
            "was never confirmed to the emulator",
            kind="updates never confirmed to the emulator",
        )
    for update in run.tg.recording.history:
        uid = int(update["update_id"])
        row = inbox.get(uid)
        who = sender_of(update)
        queued = run.tg.recording.queued_at.get(uid, run.journal.t0)
        if row is None:
            found.add(
                ANSWERED,
                f"update {uid} ({kind_of(update)} of user {who}, queued at "
                f"{run.journal.rel(queued):.1f} s, {nearest_kill(queued)}) is not in "
                "processed_updates: the bot never stored it",
                kind="updates the bot never stored",
            )
        elif row.status == UpdateStatus.failed and uid in answered_steps:
            found.add(
                ONCE,
                f"update {uid} ({kind_of(update)} of user {who}, queued at "
                f"{run.journal.rel(queued):.1f} s, {nearest_kill(queued)}): handled "
                f"{row.attempts} times, then marked failed{logged_about(uid)}",
                kind="answered updates handled again until marked failed",
            )
        elif row.status != UpdateStatus.done:
            found.add(
                ANSWERED,
                f"update {uid} ({kind_of(update)} of user {who}) is {row.status.value} in "
                f"processed_updates after settling (attempts {row.attempts}){logged_about(uid)}",
                kind="updates not done in processed_updates",
            )
    replayed = [r for r in inbox.values() if r.attempts > 1]
    if replayed:
        found.info.append(
            f"{len(replayed)} update(s) handled more than once by the inbox (replays): "
            + ", ".join(f"{r.update_id}×{r.attempts}" for r in replayed[:15])
        )

    # 4. stock equals the ledger ---------------------------------------------------------------
    for product_id, quantity in stock:
        if quantity != int(logged.get(product_id, 0) or 0) or quantity < 0:
            found.add(
                LEDGER,
                f"product {product_id}: stock {quantity}, its inventory logs add up to "
                f"{logged.get(product_id, 0)}",
                kind="products whose stock is not their ledger",
            )
    for order_id, lines in sorted(items.items()):
        units = sum(line.quantity for line in lines)
        if taken.get(order_id, 0) != units:
            found.add(
                LEDGER,
                f"order #{order_id}: its lines hold {units} unit(s), the ledger took "
                f"{taken.get(order_id, 0)} for it",
                kind="orders whose stock taken is not their lines",
            )

    # 5. money adds up -------------------------------------------------------------------------
    for order_id, o in sorted(orders.items()):
        lines = items.get(order_id, [])
        subtotal = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
        discounts = sum((line.discount_amount for line in lines), Decimal("0.00"))
        if o.subtotal_amount != subtotal:
            found.add(MONEY, f"order #{order_id}: subtotal {o.subtotal_amount}, lines {subtotal}")
        if o.total_amount != o.subtotal_amount - o.discount_amount + o.shipping_amount:
            found.add(
                MONEY,
                f"order #{order_id}: total {o.total_amount} ≠ {o.subtotal_amount} − "
                f"{o.discount_amount} + {o.shipping_amount}",
            )
        if discounts != o.discount_amount or min(o.total_amount, o.discount_amount) < 0:
            found.add(
                MONEY,
                f"order #{order_id}: discount {o.discount_amount}, lines' {discounts}",
            )
        good = successful.get(order_id, [])
        if o.order_status == OrderStatus.paid and not good:
            found.add(MONEY, f"order #{order_id} is paid with no successful payment")
        if good and o.order_status in (OrderStatus.pending, OrderStatus.cancelled):
            unrefunded = [p for p in good if p.refunded_amount < p.amount]
            if unrefunded:
                found.add(
                    MONEY,
                    f"order #{order_id} is {o.order_status.value} but holds successful "
                    f"payment(s) {[p.transaction_ref for p in unrefunded]} not refunded",
                )
        for p in good:
            if p.amount != o.total_amount or p.currency != o.currency:
                found.add(
                    MONEY,
                    f"order #{order_id}: payment {p.transaction_ref} of {p.amount} "
                    f"{p.currency}, the order's total is {o.total_amount} {o.currency}",
                )
    for p in payments:
        if not (Decimal(0) <= p.refunded_amount <= p.amount):
            found.add(MONEY, f"payment {p.payment_id}: refunded {p.refunded_amount} of {p.amount}")
        if refunds.get(p.payment_id, Decimal(0)) != p.refunded_amount:
            found.add(
                MONEY,
                f"payment {p.payment_id} (order #{p.order_id}): refunded_amount "
                f"{p.refunded_amount}, succeeded refunds add up to {refunds.get(p.payment_id, 0)}",
            )

    # 6. every outbox row delivered ------------------------------------------------------------
    for note in outbox:
        tid = telegram_of.get(note.user_id)
        chat = run.tg.state.chats.get(tid) if tid is not None else None
        reachable = chat is not None and chat.started and not chat.blocked
        if note.status == OutboxStatus.sent:
            continue
        if note.status in (OutboxStatus.undeliverable, OutboxStatus.held) and (
            not reachable or note.channel == OutboxChannel.email
        ):
            continue
        found.add(
            OUTBOX,
            f"outbox {note.outbox_id} {note.kind} ({note.channel.value}) to user {note.user_id} "
            f"(telegram {tid}, {'has a chat' if reachable else 'no chat'}): {note.status.value} "
            f"after {note.attempts} attempt(s); last error {note.last_error!r}",
            kind="rows not delivered",
        )

    # 7. no update handled twice ---------------------------------------------------------------
    twice: Counter[str] = Counter()
    for violation in run.tg.violations:
        query_id = str(
            violation.params.get("callback_query_id")
            or violation.params.get("pre_checkout_query_id")
            or ""
        )
        query = run.tg.state.queries.get(query_id)
        if QUERY_TOO_OLD in violation.description and query is not None:
            if query.answer.done():
                twice[query_id] += 1
            continue
        if "was not answered within" in violation.description:
            continue  # the customer's step says so (above)
        found.info.append(f"Bot API violation: {violation}")
    asked = {
        str(body["id"]): (int(u["update_id"]), body)
        for u in run.tg.recording.history
        for body in (u.get("callback_query") or u.get("pre_checkout_query"),)
        if isinstance(body, dict)
    }
    # A replay after a kill answers again what its first handling may have answered already:
    # answers are at-least-once (docs/engine.md), effects are not. A second answer to a query
    # Telegram refuses (the customer saw one); a reply sent twice is allowed only to a customer
    # one of whose updates was being handled when the bot was killed, i.e. replayed.
    replayed_users = {
        int(sender["id"])
        for u in run.tg.recording.history
        for body in u.values()
        if isinstance(body, dict)
        for sender in (body.get("from"),)
        if isinstance(sender, dict)
        and (row := inbox.get(int(u["update_id"]))) is not None
        and row.attempts > 1
    }
    for query_id, extra in twice.items():
        query = run.tg.state.queries[query_id]
        update_id, body = asked.get(query_id, (None, {}))
        row = inbox.get(update_id) if update_id is not None else None
        asker = next((x.name for x in run.shoppers if x.user.id == query.user_id), query.user_id)
        if row is not None and row.attempts > 1:
            found.info.append(
                f"{query.kind} of {asker} (update {update_id}) answered again by its replay "
                f"(refused by Telegram: the customer saw one answer)"
            )
            continue
        found.add(
            ONCE,
            f"{query.kind} of {asker} (update {update_id}, data {body.get('data')!r}) answered "
            f"{extra + 1} times"
            + (f"; processed_updates attempts {row.attempts}" if row is not None else ""),
            kind="queries answered more than once",
        )
    patterns = notification_patterns()
    late = sum(len(shopper.take_late_replies()) for shopper in run.shoppers)
    if late:
        found.info.append(
            f"{late} reply(ies) came after their step had taken a stray reply and moved on"
        )
    for shopper in run.shoppers:
        late_from: int = (
            len(shopper.events) if shopper.unanswered_index is None else shopper.unanswered_index
        )
        texts: Counter[str] = Counter()
        for index, event in enumerate(shopper.events):
            if event.kind != "message" or index in shopper.consumed:
                continue
            text = text_of(event.message)
            if any(p.fullmatch(text) for p in patterns):
                texts[text] += 1
                continue
            shown = (
                text[:70]
                or "<" + ", ".join(k for k in ("invoice", "photo") if k in event.message) + ">"
            )
            if index >= late_from:
                found.info.append(
                    f"{shopper.name}: after an unanswered step, the bot sent {shown!r}"
                )
            elif shopper.user.id in replayed_users:
                found.info.append(
                    f"{shopper.name}: a reply sent again by a replay after a kill: {shown!r}"
                )
            else:
                found.add(
                    ONCE,
                    f"{shopper.name}: a reply nobody asked for (sent twice?): {shown!r}",
                    kind="replies nobody asked for (a reply sent twice)",
                )
        for text, n in texts.items():
            if n > 1:
                found.add(
                    ONCE,
                    f"{shopper.name} got the same notification {n} times: {text[:70]!r}",
                    kind="notifications delivered more than once",
                )
    for mismatch in run.journal.cart_mismatches:
        found.add(ONCE, mismatch, kind="carts not holding what was added")
    for shopper in run.shoppers:
        seen = {r.order_id for r in shopper.rounds if r.order_id is not None}
        customer = users.get(shopper.user.id)
        for order_id, o in sorted(orders.items()):
            if o.user_id != customer:
                continue
            rnd = next((r for r in shopper.rounds if r.order_id == order_id), None)
            if rnd is None:
                if shopper.cart_exact and order_id not in seen:
                    invoiced = any(
                        re.match(rf"order:{order_id}(\D|$)", str(i.get("payload")))
                        for (chat, _), i in run.tg.state.invoices.items()
                        if chat == shopper.user.id
                    )
                    found.add(
                        ONCE,
                        f"{shopper.name}: order #{order_id} ({o.order_status.value}, "
                        f"{'invoiced' if invoiced else 'no invoice ever sent'}) was never shown "
                        "placed to its customer",
                        kind="orders their customer never saw placed",
                    )
                continue
            if rnd.lines is None:
                continue
            names = {line.product_name: 0 for line in items.get(order_id, [])}
            for line in items.get(order_id, []):
                names[line.product_name] += line.quantity
            if Counter(names) != rnd.lines:
                found.add(
                    ONCE,
                    f"{shopper.name}: order #{order_id} holds {names}, the customer added "
                    f"{dict(rnd.lines)}",
                    kind="orders not holding what was added",
                )

    # the run itself ---------------------------------------------------------------------------
    kills = run.monkey.kills
    if len(kills) < run.planned_kills:
        found.add(HARNESS, f"{len(kills)} kills of {run.planned_kills} planned")
    after_payment = [k for k in kills if k.after_payment]
    if len(after_payment) < run.planned_payment_kills:
        found.add(
            HARNESS,
            f"{len(after_payment)} kills right after a successful_payment, "
            f"{run.planned_payment_kills} planned: "
            + "; ".join(k.detail for k in kills if k.planned == "payment"),
        )
    return found
