"""The shop for a chaos run: a fresh demo database (SQLite, or a PostgreSQL database of its
own), the emulator with localstripe as the card provider, and the real bot process in
polling or webhook mode, started through `BotProcess` so the test can kill and restart it.

The bot runs as tests/e2e/conftest.py runs it, with two differences: one worker (webhook mode
without a balancer or Redis; conversation state in the database, as a single worker keeps
it) and UPDATE_LEASE_SECONDS=3 (and the outbox's lease as short), so an update whose worker
died is replayed within seconds. The
emulator's answer limits for callback and pre-checkout queries are raised to the customers'
answer time: a restart takes seconds, and what is tested is that the answer comes at all.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import or_, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.base import Deps
from engine.shop import Shop
from sandbox import SimUser, StripeAccount
from sandbox.personas import Persona
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Product, Seller
from storage.uow import UnitOfWork
from storage.vocabulary import SellerStatus
from tests.chaos.checks import stripe_charges
from tests.chaos.process import BotProcess
from tests.chaos.recording import RecordingEmulator
from tests.chaos.shoppers import MAX_ROUNDS, PRODUCTS
from tests.conftest import ROOT, create_pg_database, drop_pg_database
from tests.e2e.conftest import ADMIN_ID, TOKEN, _free_port, _run, stripe_base

__all__ = ["ChaosShop", "chaos_case", "chaos_shop", "stripe_base"]

KILLS = int(os.environ.get("CHAOS_KILLS", "5"))
CUSTOMERS = int(os.environ.get("CHAOS_CUSTOMERS", "20"))
SEED = int(os.environ.get("CHAOS_SEED", "20261129"))
# How long a customer waits for an answer. Kills can follow each other within seconds (the
# monkey kills 0.5-3 s after a restart), and an update caught by a kill is answered only by
# the replay after the restart that lives long enough: up to the whole kill plan's length.
ANSWER_WITHIN = float(os.environ.get("CHAOS_ANSWER_SECONDS", "120"))
LEASE_SECONDS = "3"
STRIPE_KEY = "sk_test_chaos"


@dataclass
class ChaosShop:
    mode: str  # "polling" | "webhook"
    database: str  # "sqlite" | "postgresql"
    tg: RecordingEmulator
    bot: BotProcess
    engine: AsyncEngine  # the bot's database, opened beside it
    admin: SimUser
    stripe_base: str
    stripe_before: frozenset[str]  # charges the Stripe server held before this run
    home: Path
    setup_seconds: float  # database, demo shop, emulator, first start of the bot


async def _restock(engine: AsyncEngine, units: int) -> None:
    """Enough of every product the customers buy, through the sellers' own operation (so
    the ledger records it)."""
    sessions = make_sessionmaker(engine)
    shop = Shop(Deps(uow=lambda: UnitOfWork(sessions)))
    names = [label for _, label in PRODUCTS]
    async with sessions() as s:
        rows = (
            await s.execute(
                select(Product.product_id, Product.name, Seller.user_id)
                .join(Seller, Seller.seller_id == Product.seller_id)
                .where(
                    or_(*(Product.name.contains(name) for name in names)),
                    Seller.status == SellerStatus.active,
                )
            )
        ).all()
    assert {name for name in names if any(name in r.name for r in rows)} == set(names), rows
    for product_id, _, seller_user in rows:
        await shop.inventory.restock(seller_user, product_id, units)


@pytest.fixture(
    params=[
        ("polling", "sqlite"),
        pytest.param(("polling", "postgresql"), marks=pytest.mark.postgres),
        ("webhook", "sqlite"),
        pytest.param(("webhook", "postgresql"), marks=pytest.mark.postgres),
    ],
    ids=lambda p: "-".join(p),
)
def chaos_case(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(mode, database); PostgreSQL skips with a reason when absent, fails under CI=true."""
    mode, database = request.param
    if database == "postgresql":
        request.getfixturevalue("postgres_ready")
    return str(mode), str(database)


@pytest.fixture
async def chaos_shop(
    chaos_case: tuple[str, str], tmp_path: Path, stripe_base: str
) -> AsyncIterator[ChaosShop]:
    mode, database = chaos_case
    began = time.monotonic()
    home = tmp_path
    pg_url: URL | None = None
    if database == "postgresql":
        pg_url = await create_pg_database("shop_chaos")
        database_url = pg_url.render_as_string(hide_password=False)
    else:
        database_url = f"sqlite+aiosqlite:///{home}/shop.db"
    engine = make_engine(database_url)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "BOT_",
                "DATABASE_",
                "WEBHOOK_",
                "ADMIN_",
                "REDIS_",
                "STRIPE_",
                "PAYPAL_",
                "PAYMENTS_",
                "TELEGRAM_",
                "UPDATE_",
                "VOICE_",
            )
        )
    }
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(home / "media"),
        "LOG_LEVEL": "INFO",
        "FLOOD_BURST": "1000",  # simulated users tap faster than people
        "NOTIFY_PER_CHAT_RATE": "10",  # and read their notifications faster
        "UPDATE_LEASE_SECONDS": LEASE_SECONDS,
        "OUTBOX_LEASE_SECONDS": LEASE_SECONDS,  # a killed dispatcher's rows are resent soon
    }
    try:
        await migrate.upgrade(engine)  # in this process: a bot process less to start
        await _run(["seed-demo"], env, home)
        await _restock(engine, CUSTOMERS * MAX_ROUNDS * 2 + 50)
        before = frozenset(str(c["id"]) for c in await stripe_charges(stripe_base, STRIPE_KEY))
        stripe = StripeAccount(stripe_base, STRIPE_KEY)
        tg = RecordingEmulator(
            token=TOKEN,
            callback_timeout=ANSWER_WITHIN,
            pre_checkout_timeout=ANSWER_WITHIN,
            stripe=stripe,
        )
        async with tg:
            env |= {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE": tg.base_url,
                "ADMIN_IDS": str(ADMIN_ID),
                "PAYMENTS_PROVIDER_TOKEN": "284685063:TEST:sandbox",
                "STRIPE_API_KEY": stripe.api_key,
                "STRIPE_API_BASE": stripe.api_base,
            }
            if mode == "webhook":
                port = _free_port()
                env |= {
                    "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                    "WEBHOOK_SECRET": "chaos-secret_token",
                    "WEBHOOK_HOST": "127.0.0.1",
                    "WEBHOOK_PORT": str(port),
                }
            bot = BotProcess(env, home, mode, tg)
            try:
                await bot.start()
                admin = tg.add_persona(Persona(id=ADMIN_ID, first_name="Demo", role_label="admin"))
                await admin.send("/start")  # so that the bot may write to the admin
                await admin.expect_message("Welcome", timeout=60)
                setup = time.monotonic() - began
                yield ChaosShop(
                    mode, database, tg, bot, engine, admin, stripe_base, before, home, setup
                )
            except BaseException:
                print(bot.digest())
                raise
            finally:
                await bot.stop()
    finally:
        await engine.dispose()
        if pg_url is not None:
            await drop_pg_database(pg_url)
