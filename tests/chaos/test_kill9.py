"""kill -9 while customers pay: nothing is lost, nothing happens twice.

CHAOS_CUSTOMERS simulated customers (default 20) buy by card through the real bot process,
round after round, while the monkey SIGKILLs the bot CHAOS_KILLS times (default 5; at least
two of them right after the emulator queued a `successful_payment`) and starts it again on
the same database and emulator. When the monkey is done, the customers finish their current
purchase, the bot is given time to settle (the emulator's queue empty, no update claimed and
not done, no notification or refund pending), and then the data, the Stripe server and the
chats are checked for the claims of issue 12 (tests/chaos/checks.py). Every broken claim is
reported with its evidence, all at once.

`make chaos` runs it longer (CHAOS_KILLS=12 CHAOS_CUSTOMERS=40). CHAOS_SEED replays a run's
plan (which kills, when, what each customer buys); the timing of the processes still varies.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter

import pytest

from tests.chaos.checks import Run, inspect, settle, stripe_charges
from tests.chaos.conftest import ANSWER_WITHIN, CUSTOMERS, KILLS, SEED, STRIPE_KEY, ChaosShop
from tests.chaos.monkey import Monkey
from tests.chaos.shoppers import Journal, Shopper

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

PAYMENT_KILLS = max(2, KILLS * 2 // 5)  # right after a successful_payment was queued
SETTLE_WITHIN = 90.0  # an outbox claim held by a killed process may wait out its lease
FOLLOW_UP_WITHIN = 20.0  # a tap was answered: its screen change or invoice follows


async def test_a_bot_killed_while_customers_pay_loses_nothing_and_does_nothing_twice(
    chaos_shop: ChaosShop,
) -> None:
    assert KILLS >= PAYMENT_KILLS, "CHAOS_KILLS must allow two kills after payments"
    shop, tg = chaos_shop, chaos_shop.tg
    case = f"{SEED}-{shop.mode}-{shop.database}"
    t0 = time.monotonic()
    journal = Journal(t0)
    monkey = Monkey(shop.bot, tg, random.Random(f"monkey-{case}"), KILLS, PAYMENT_KILLS, t0)
    shoppers = [
        Shopper(
            tg,
            tg.user(f"Shopper {n}"),
            f"Shopper {n}",
            random.Random(f"shopper-{n}-{case}"),
            journal,
            ANSWER_WITHIN,
            FOLLOW_UP_WITHIN,
        )
        for n in range(CUSTOMERS)
    ]
    stagger = random.Random(f"stagger-{case}")
    print(f"\nchaos {case}: {CUSTOMERS} customers, {KILLS} kills ({PAYMENT_KILLS} after payments)")
    try:
        # a bound for the whole run, far above what it takes: a hang fails instead of waiting
        async with asyncio.timeout(300 + KILLS * 90 + ANSWER_WITHIN * 4), asyncio.TaskGroup() as g:
            g.create_task(monkey.run())
            for shopper in shoppers:
                g.create_task(shopper.shop(monkey.done, stagger.uniform(0, 2)))
        shopping = time.monotonic() - t0
        settling = await settle(shop.engine, tg, SETTLE_WITHIN)
        settled = time.monotonic() - t0 - shopping
        held = await stripe_charges(shop.stripe_base, STRIPE_KEY)
        charges = [c for c in held if str(c["id"]) not in shop.stripe_before]
        findings = await inspect(
            shop.engine,
            Run(
                tg,
                shoppers,
                journal,
                monkey,
                charges,
                KILLS,
                PAYMENT_KILLS,
                shop.bot.log_text(),
            ),
        )
    except BaseException:
        print("\n".join(monkey.describe()))
        print(shop.bot.digest())
        raise

    outcomes = {
        o: sum(1 for s in journal.steps if s.outcome == o)
        for o in ("answered", "derailed", "unanswered")
    }
    paid = sum(1 for s in shoppers for r in s.rounds if r.paid)
    lines = [
        f"setup {shop.setup_seconds:.1f} s, shopping {shopping:.1f} s, settling {settled:.1f} s"
        + (f" ({'; '.join(settling)})" if settling else ""),
        f"{len(journal.steps)} customer steps: {outcomes}; {paid} purchases paid and confirmed, "
        f"{len(tg.charges)} card charges",
        *monkey.describe(),
    ]
    derails = Counter(
        re.sub(r"\d+", "N", f"{s.action.split(' (')[0]}: {s.detail}")[:110]
        for s in journal.steps
        if s.outcome == "derailed"
    )
    if derails:
        lines.append(f"derailed steps (the bot answered, the flow had moved on): {derails.total()}")
        lines.extend(f"  {n}× {what}" for what, n in derails.most_common(12))
    lines.extend(f"{n}× {text}" if n > 1 else text for text, n in Counter(journal.notes).items())
    lines.extend(f"{n}× {text}" if n > 1 else text for text, n in Counter(findings.info).items())
    lines.append(findings.report())
    summary = "\n".join(lines)
    print(summary)
    if findings.failed:
        print(shop.bot.digest())
    assert not findings.failed, f"{findings.summary()}\n\n{summary}"
