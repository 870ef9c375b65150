"""Many customers buy at once while the Bot API misbehaves, and nothing goes wrong.

Up to 200 simulated customers (LOAD_CONCURRENCY at a time) each do a complete purchase in
the chat (search, product, cart, checkout, card payment) for LOAD_SECONDS (default 10; `make
load` runs 60), while the emulator answers about 10 % of the bot's calls with 429 flood waits,
5xx errors or slow answers. Then the data is checked: no unhandled error in the bot's log,
every paid order adds up to the cent and matches its payment, stock ledgers hold, every order
has its audit trail, and every notification left the outbox.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.base import Deps
from engine.inventory import check_ledger
from engine.shop import Shop
from sandbox import SimUser
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditLog, Order, OrderItem, Outbox, Payment, Product, Seller, User
from storage.uow import UnitOfWork
from storage.vocabulary import OrderStatus, OutboxStatus, PaymentStatus
from tests.e2e.conftest import ShopBot

pytestmark = [pytest.mark.load, pytest.mark.slow]

SECONDS = float(os.environ.get("LOAD_SECONDS", "10"))
CUSTOMERS = int(os.environ.get("LOAD_CUSTOMERS", "200"))
CONCURRENCY = int(os.environ.get("LOAD_CONCURRENCY", "20"))
WAIT = 60.0  # generous bounds: under load and faults, answers take a while
PRODUCTS = {"pour-over kettle": "Pour-Over Kettle", "french press": "French Press"}


@pytest.fixture
async def database(shop_bot: ShopBot) -> AsyncIterator[AsyncEngine]:
    """The bot's own database, opened beside it (SQLite allows a second process)."""
    engine = make_engine(f"sqlite+aiosqlite:///{shop_bot.logs[0].parent / 'shop.db'}")
    yield engine
    await engine.dispose()


async def _restock(engine: AsyncEngine, names: list[str], quantity: int) -> None:
    """Enough units for everyone, through the sellers' own engine operation."""
    sessions = make_sessionmaker(engine)
    shop = Shop(Deps(uow=lambda: UnitOfWork(sessions)))
    async with sessions() as s:
        rows = (
            await s.execute(
                select(Product.product_id, Seller.user_id)
                .join(Seller, Seller.seller_id == Product.seller_id)
                .where(or_(*(Product.name.contains(name) for name in names)))
            )
        ).all()
    assert len(rows) >= len(names), rows
    for product_id, seller_user in rows:
        await shop.inventory.restock(seller_user, product_id, quantity)


async def _purchase(user: SimUser, query: str, button: str, n: int) -> None:
    await user.send("/start")
    await user.expect_message("Welcome", timeout=WAIT)
    await user.send(query)
    await user.expect_message("Results for", timeout=WAIT)
    await user.click(button, timeout=WAIT)
    await user.expect_message("Sold by", timeout=WAIT)
    answer = await user.click("Add 1 to cart", timeout=WAIT)
    assert "Added" in str(answer.get("text")), answer
    await user.send("/cart")
    await user.expect_message("Your cart", timeout=WAIT)
    await user.click("Checkout", timeout=WAIT)
    await user.expect_edit("Where should we deliver?", timeout=WAIT)
    await user.click("New address", timeout=WAIT)
    await user.expect_edit("step 1 of 4", timeout=WAIT)
    for field, then in (
        (f"{n} Lake Road", "town or city"),
        ("Dhaka", "postal code"),
        ("1205", "Send the country"),
        ("Bangladesh", "Is this address right?"),
    ):
        await user.send(field)
        await user.expect_message(then, timeout=WAIT)
    await user.click("Save", timeout=WAIT)
    await user.expect_edit("How should it be shipped?", timeout=WAIT)
    await user.click("Standard Post", timeout=WAIT)
    await user.expect_edit("coupon", timeout=WAIT)
    await user.click("Skip", timeout=WAIT)
    await user.expect_edit("How would you like to pay?", timeout=WAIT)
    await user.click("Card", timeout=WAIT)
    await user.expect_edit("Please confirm", timeout=WAIT)
    await user.click("Place order", timeout=WAIT)
    await user.expect_edit("is placed", timeout=WAIT)
    invoice = await user.expect_message(where=lambda m: "invoice" in m, timeout=WAIT)
    payment = await user.pay(invoice)
    assert payment.ok, payment
    await user.expect_message("Payment received", timeout=WAIT)


async def _drained(engine: AsyncEngine, within: float) -> list[tuple[int, str, str | None]]:
    """Wait for the outbox to empty; what is still pending after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        async with engine.connect() as c:
            pending = (
                await c.execute(
                    select(Outbox.outbox_id, Outbox.kind, Outbox.last_error).where(
                        Outbox.status == OutboxStatus.pending
                    )
                )
            ).all()
        if not pending or time.monotonic() > deadline:
            return [tuple(row) for row in pending]  # type: ignore[misc]
        await asyncio.sleep(0.5)


@pytest.mark.parametrize("shop_bot", ["polling"], indirect=True)
async def test_customers_buy_through_faults_and_every_order_adds_up(
    shop_bot: ShopBot, database: AsyncEngine
) -> None:
    tg = shop_bot.tg
    await _restock(database, list(PRODUCTS.values()), CUSTOMERS * 2)
    log_start = len(shop_bot.log_text())
    rng = random.Random(8)
    faults = [
        tg.faults.add(kind="429", rate=0.04, retry_after=1),
        tg.faults.add(kind="5xx", rate=0.03, status=502),
        tg.faults.add(kind="slow", rate=0.03, delay=0.3),
    ]
    injected_before = len(tg.faults.injected)
    customers = [tg.user(f"Load {n}") for n in range(CUSTOMERS)]
    gate = asyncio.Semaphore(CONCURRENCY)
    deadline = time.monotonic() + SECONDS
    done: list[int] = []

    async def customer(n: int, user: SimUser) -> None:
        async with gate:
            if time.monotonic() > deadline:
                return  # the time is up before this customer got a turn
            query = rng.choice(list(PRODUCTS))
            await _purchase(user, query, PRODUCTS[query], n)
            done.append(user.id)

    try:
        await asyncio.gather(*(customer(n, u) for n, u in enumerate(customers)))
    finally:
        for rule in faults:
            tg.faults.rules.remove(rule)
    assert done, "no customer finished a purchase"
    assert len(tg.faults.injected) > injected_before, "no fault was injected"
    stuck = await _drained(database, 120)
    assert stuck == [], f"notifications still waiting: {stuck}"

    log = shop_bot.log_text()[log_start:]
    assert "Traceback" not in log, log
    errors = [line for line in log.splitlines() if " ERROR " in line and "aiogram" not in line]
    assert errors == [], errors

    async with database.connect() as c:
        buyers = (await c.scalars(select(User.user_id).where(User.telegram_id.in_(done)))).all()
        orders = (await c.execute(select(Order).where(Order.user_id.in_(buyers)))).all()
        assert len(orders) == len(done)  # one order each, none twice, none lost
        for order in orders:
            assert order.order_status == OrderStatus.paid
            lines = (
                await c.execute(select(OrderItem).where(OrderItem.order_id == order.order_id))
            ).all()
            subtotal = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
            assert order.subtotal_amount == subtotal
            assert (
                order.total_amount
                == order.subtotal_amount - order.discount_amount + order.shipping_amount
            )
            paid = (
                (
                    await c.execute(
                        select(Payment.amount).where(
                            Payment.order_id == order.order_id,
                            Payment.status == PaymentStatus.successful,
                        )
                    )
                )
                .scalars()
                .all()
            )
            assert paid == [order.total_amount], (order.order_id, paid)
            trail = (
                await c.scalars(
                    select(AuditLog.action).where(
                        AuditLog.entity_type == "order", AuditLog.entity_id == order.order_id
                    )
                )
            ).all()
            assert "create" in trail, (order.order_id, trail)
            assert len(trail) >= 2, (order.order_id, trail)  # placed, then paid
        product_ids = (await c.scalars(select(Product.product_id))).all()
        failed = await c.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.failed)
        )
    assert failed == 0
    sessions = make_sessionmaker(database)
    async with UnitOfWork(sessions) as uow:
        for product_id in product_ids:
            check = await check_ledger(uow, product_id)
            assert check.consistent, check
            assert check.stock >= 0, check
    tg.assert_no_violations()
    print(f"\n{len(done)} purchases in {SECONDS:g} s with {len(tg.faults.injected)} faults")
