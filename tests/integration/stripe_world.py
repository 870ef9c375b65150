"""A small marketplace (tests/integration/world.py) whose card payments and refunds happen on
a Stripe-compatible server (localstripe, started in-process on loopback), charged the way the
sandbox's emulator plays Telegram's part: a confirmed PaymentIntent whose metadata carries the
invoice payload."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.adapters.stripe import StripeRefunds
from engine.orders import OrderView
from sandbox import Emulator, StripeAccount
from storage.models import Outbox, Payment, Refund
from storage.vocabulary import to_minor_units
from tests.conftest import Database
from tests.integration.world import World
from tests.localstripe_server import localstripe

API_KEY = "sk_test_local"


@dataclass
class StripeWorld:
    world: World
    stripe: StripeRefunds
    telegram: Emulator  # charges invoices on the Stripe server, as Telegram does

    async def charge(self, order: OrderView, payload: str | None = None) -> str:
        """A card payment of the order's invoice: the Stripe charge id Telegram reports."""
        return await self.telegram.charge(
            to_minor_units(order.total, order.currency),
            order.currency,
            order.invoice_payload if payload is None else payload,
        )

    async def refunds_on_stripe(self, charge_id: str) -> list[Any]:
        page = await self.stripe.client.v1.refunds.list_async({"charge": charge_id, "limit": 100})
        return list(page.data)

    async def outbox(self, kind: str) -> list[Outbox]:
        async with self.world.db.sessions() as s:
            return list((await s.scalars(select(Outbox).where(Outbox.kind == kind))).all())

    async def payments(self) -> list[Payment]:
        async with self.world.db.sessions() as s:
            return list((await s.scalars(select(Payment).order_by(Payment.payment_id))).all())

    async def refunds(self) -> list[Refund]:
        async with self.world.db.sessions() as s:
            return list((await s.scalars(select(Refund).order_by(Refund.refund_id))).all())


@contextlib.asynccontextmanager
async def stripe_world(db: Database) -> AsyncIterator[StripeWorld]:
    async with localstripe() as base:
        world = await World(db).setup()
        # the Stripe server and the database stamp rows with the real time: start there
        world.clock.now = datetime.now(UTC)
        stripe = StripeRefunds(API_KEY, base)
        world.deps.refunds = {"stripe": stripe}
        telegram = Emulator(use_env_spec=False, stripe=StripeAccount(base, API_KEY))
        await telegram.start()
        try:
            yield StripeWorld(world, stripe, telegram)
            await world.assert_ledgers()
        finally:
            await telegram.stop()
            await stripe.close()
