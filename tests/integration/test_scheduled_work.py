"""Time-driven work on SQLite and PostgreSQL: the engine's reminders, alerts, digest and
statements; shipping providers' updates polled and pushed; and the scheduler itself (jobs
survive a restart, a run due while down happens once, one scheduler per database)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import SecretStr
from sqlalchemy import func, select, update

from bot import jobs
from bot.adapters import tracking
from bot.demo import ensure_sandbox_provider
from bot.notify import DeliveryRules, OutboxDispatcher
from bot.runner import _service_app
from bot.scheduler import SchedulerService, create_scheduler
from bot.settings import Settings
from handlers.callbacks import RemindersCb
from handlers.notifications import render
from sandbox import Emulator
from sandbox.personas import Persona
from sandbox.shipping import ShippingSimulator
from storage.models import (
    AuditLog,
    CartItem,
    DeliveryTracking,
    Order,
    Outbox,
    Product,
    Shipment,
    ShippingProvider,
    User,
)
from storage.vocabulary import OrderStatus, PaymentMethod, TrackingStatus
from tests.conftest import Database
from tests.integration.world import World

pytestmark = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
async def world(db: Database) -> World:
    return await World(db).setup()


async def _outbox(db: Database, kind: str) -> list[Outbox]:
    async with db.sessions() as s:
        rows = await s.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.outbox_id))
        return list(rows.all())


# --- the engine's time-driven operations ---------------------------------------------------
async def test_a_bank_transfer_is_reminded_once_before_it_expires(world: World) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=5)
    customer = await world.customer()
    order = await world.order(customer, {product: 2}, PaymentMethod.bank_transfer)
    hk = world.shop.housekeeping
    assert await hk.remind_bank_transfers(timedelta(hours=24)) == []  # 72 h to go
    world.clock.advance(hours=49)
    assert await hk.remind_bank_transfers(timedelta(hours=24)) == [order.order_id]
    assert await hk.remind_bank_transfers(timedelta(hours=24)) == []  # once
    (row,) = await _outbox(world.db, "bank_transfer_reminder")
    text, _ = render(row.kind, row.payload, "en")
    assert f"Order #{order.order_id}" in text
    assert "$40.00" in text or "$45.00" in text  # two hoodies, with or without shipping
    assert "23 h" in text
    world.clock.advance(hours=24)
    assert await world.shop.orders.expire_unpaid() == [order.order_id]
    async with world.db.sessions() as s:
        stock = await s.scalar(select(Product.stock_quantity).where(Product.product_id == product))
    assert stock == 5  # given back
    await world.assert_ledgers()


async def _age_cart(db: Database, user_id: int, hours: int) -> None:
    """Make the customer's cart lines look `hours` old (the database stamps real time)."""
    then = datetime.now(UTC) - timedelta(hours=hours)
    async with db.sessions() as s, s.begin():
        await s.execute(update(CartItem).values(updated_at=then))


async def test_an_abandoned_cart_is_reminded_once_per_change_unless_opted_out(
    world: World,
) -> None:
    seller = await world.seller()
    product = await world.product(seller)
    other = await world.product(seller, name="Blue Hoodie")
    sara, _ = await world.customer("Sara")
    omar, _ = await world.customer("Omar")
    await world.shop.carts.add(sara, product, 2)
    await world.shop.carts.add(omar, product, 1)
    hk = world.shop.housekeeping
    world.clock.now = datetime.now(UTC)
    assert await hk.remind_abandoned_carts(timedelta(hours=24)) == []  # fresh carts
    await _age_cart(world.db, sara, 25)
    await hk.set_reminders(omar, enabled=False)
    assert await hk.remind_abandoned_carts(timedelta(hours=24)) == [sara]
    assert await hk.remind_abandoned_carts(timedelta(hours=24)) == []  # once
    (row,) = await _outbox(world.db, "cart_reminder")
    text, markup = render(row.kind, row.payload, "en")
    assert "You left 2 items in your cart" in text
    assert markup is not None
    assert markup.inline_keyboard[1][0].callback_data == RemindersCb(on=False).pack()
    # Sara changes her cart, then leaves it again: one more reminder
    await world.shop.carts.add(sara, other, 1)
    await _age_cart(world.db, sara, 30)
    assert await hk.remind_abandoned_carts(timedelta(hours=24)) == [sara]
    async with world.db.sessions() as s:
        audits = await s.scalar(
            select(func.count()).where(
                AuditLog.entity_type == "cart", AuditLog.action == "reminder"
            )
        )
    assert audits == 2


async def test_wishlisted_products_back_in_stock_are_announced_once_per_restock(
    world: World,
) -> None:
    seller = await world.seller()
    product = await world.product(seller, stock=1)
    sara, address = await world.customer("Sara")
    fan, _ = await world.customer("Fan")
    await world.shop.wishlists.add(fan, product)
    hk = world.shop.housekeeping
    assert await hk.back_in_stock() == 0  # never ran out
    order = await world.order((sara, address), {product: 1})
    assert await hk.back_in_stock() == 0  # out of stock now
    await world.shop.inventory.restock(seller.user_id, product, 3)
    assert await hk.back_in_stock() == 1
    assert await hk.back_in_stock() == 0  # told once
    (row,) = await _outbox(world.db, "back_in_stock")
    assert row.user_id == fan
    assert render(row.kind, row.payload, "en")[0] == "🔔 Red Hoodie is back in stock."
    assert order.order_id > 0


async def test_the_admin_digest_counts_what_needs_attention(world: World) -> None:
    seller = await world.seller()
    await world.product(seller, name="Gone", stock=1)
    customer = await world.customer()
    waiting = await world.user("Hopeful")
    await world.shop.sellers.apply(waiting, "Hopeful Shop")
    order = await world.order(customer, {await world.product(seller, stock=3): 1})
    await world.shop.orders.fail_payment(
        customer[0], order.order_id, provider="stripe", reason="card declined"
    )
    async with world.db.sessions() as s, s.begin():
        await s.execute(update(Product).where(Product.name == "Gone").values(stock_quantity=0))
    world.clock.now = datetime.now(UTC)
    figures = await world.shop.housekeeping.digest()
    assert figures.sellers_waiting == 1
    assert figures.stock_outs == 1
    assert figures.failed_payments == 1
    assert await world.shop.housekeeping.send_admin_digest() == 1  # the world's one admin
    assert await world.shop.housekeeping.send_admin_digest() == 0  # once a day
    (row,) = await _outbox(world.db, "admin_digest")
    text, _ = render(row.kind, row.payload, "en")
    assert "Sellers waiting for approval: 1" in text
    assert "Failed payments: 1" in text


async def test_a_payout_run_sends_each_seller_a_correct_statement(world: World) -> None:
    first, second = await world.seller("North"), await world.seller("South")
    a = await world.product(first, price="20.00")
    b = await world.product(second, name="Mug", price="7.50")
    customer = await world.customer()
    order = await world.pay(await world.order(customer, {a: 2, b: 1}))
    await world.deliver(first, order)
    await world.deliver(second, order)
    world.clock.advance(days=15)  # past the return window
    made = await world.shop.payouts.run()
    assert sorted(p.amount for p in made) == [Decimal("6.75"), Decimal("36.00")]
    statements = await _outbox(world.db, "payout_statement")
    assert len(statements) == 2
    texts = {row.user_id: render(row.kind, row.payload, "en")[0] for row in statements}
    north = texts[first.user_id]
    assert f"#{order.order_id} Red Hoodie × 2: $40.00" in north
    assert "Sales $40.00 − refunds $0.00 − commission $4.00 = <b>$36.00</b>" in north
    assert "Mug × 1: $7.50" in texts[second.user_id]
    assert await world.shop.payouts.run() == []  # nothing twice


# --- shipping providers: polled and pushed ----------------------------------------------------
def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def provider_api() -> AsyncIterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    """A shipping provider's tracking API on loopback: tests set what each parcel's events
    are; unknown parcels are 404."""
    events: dict[str, list[dict[str, Any]]] = {}

    async def track(request: web.Request) -> web.Response:
        number = request.match_info["number"]
        if number not in events:
            return web.json_response({"error": "unknown"}, status=404)
        return web.json_response({"tracking_number": number, "events": events[number]})

    app = web.Application()
    app.router.add_get("/api/tracking/{number}", track)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/api", events
    await runner.cleanup()


async def _shipped(world: World, endpoint: str | None) -> tuple[int, str, int]:
    """A paid order shipped with the world's provider; returns (order, tracking no., customer)."""
    async with world.db.sessions() as s, s.begin():
        await s.execute(
            update(ShippingProvider)
            .where(ShippingProvider.provider_id == world.provider)
            .values(api_endpoint=endpoint)
        )
    seller = await world.seller()
    product = await world.product(seller)
    customer = await world.customer()
    order = await world.pay(await world.order(customer, {product: 1}))
    (shipment,) = order.shipments
    await world.shop.shipping.confirm(seller.user_id, shipment.shipment_id)
    await world.shop.shipping.pack(seller.user_id, shipment.shipment_id)
    number = f"SP{order.order_id}X"
    await world.shop.shipping.ship(seller.user_id, shipment.shipment_id, number)
    return order.order_id, number, customer[0]


async def _milestones(db: Database, order_id: int) -> list[tuple[str, str | None]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(DeliveryTracking.status, DeliveryTracking.source)
            .join(Shipment, Shipment.shipment_id == DeliveryTracking.shipment_id)
            .where(Shipment.order_id == order_id)
            .order_by(DeliveryTracking.tracking_id)
        )
        return [(status.value, source) for status, source in rows.all()]


async def test_polled_provider_updates_become_milestones_the_customer_is_told(
    world: World, provider_api: tuple[str, dict[str, list[dict[str, Any]]]]
) -> None:
    base, events = provider_api
    order_id, number, customer = await _shipped(world, base)
    async with aiohttp.ClientSession() as http:
        assert await tracking.poll(world.shop, http) == 0  # the provider does not know it yet
        events[number] = [{"status": "in_transit", "location": "Lyon hub"}]
        assert await tracking.poll(world.shop, http) == 1
        assert await tracking.poll(world.shop, http) == 0  # a repeat changes nothing
        events[number] += [
            {"status": "out_for_delivery", "location": "Lyon"},
            {"status": "delivered", "remarks": "left with the neighbour"},
        ]
        assert await tracking.poll(world.shop, http) == 2
        assert await world.shop.housekeeping.open_trackings() == []  # delivered: not asked
    updates = [r for r in await _outbox(world.db, "delivery_update") if r.user_id == customer]
    texts = [render(r.kind, r.payload, "en")[0] for r in updates]
    assert f"🛣 In transit (Lyon hub): order #{order_id}." in texts
    assert f"✅ Delivered: order #{order_id}." in texts
    async with world.db.sessions() as s:
        status = await s.scalar(select(Order.order_status).where(Order.order_id == order_id))
        sources = (
            await s.scalars(
                select(DeliveryTracking.source).where(
                    DeliveryTracking.status == TrackingStatus.in_transit
                )
            )
        ).all()
    assert status == OrderStatus.delivered
    assert sources == ["provider_poll"]


async def test_pushed_provider_updates_need_the_secret_and_reach_the_customers_chat(
    world: World, db: Database
) -> None:
    order_id, number, customer = await _shipped(world, None)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db.url.render_as_string(hide_password=False),
        shipping_webhook_secret=SecretStr("s3cret-provider-key"),
    )
    app = _service_app(settings, db.engine, world.shop)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/shipping/{world.provider}/updates"
    body = {"tracking_number": number, "status": "in_transit", "location": "Dhaka"}
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=body) as r:
                assert r.status == 401  # no secret
            async with http.post(url, json=body, headers={"X-Shipping-Secret": "guess"}) as r:
                assert r.status == 401
            headers = {"X-Shipping-Secret": "s3cret-provider-key"}
            async with http.post(url, data="{not json", headers=headers) as r:
                assert r.status == 400
            async with http.post(url, json={**body, "status": "teleported"}, headers=headers) as r:
                assert r.status == 400
            unknown = {**body, "tracking_number": "NOPE"}
            async with http.post(url, json=unknown, headers=headers) as r:
                assert r.status == 404
            assert [s for s, _ in await _milestones(world.db, order_id)] == [
                "order_received",
                "packed",
                "shipped",
            ]  # nothing changed so far
            async with http.post(url, json=body, headers=headers) as r:
                assert r.status == 200
                assert (await r.json()) == {"ok": True, "applied": 1}
            async with http.post(url, json=body, headers=headers) as r:
                assert (await r.json()) == {"ok": True, "applied": 0}  # a repeat
    finally:
        await runner.cleanup()
    assert (await _milestones(world.db, order_id))[-1] == ("in_transit", "provider_push")

    # and the customer reads it in the chat
    token = "123456789:AAE" + "scheduled-work-tests-0123456789"
    async with Emulator(token=token, use_env_spec=False) as tg:
        async with world.db.sessions() as s:
            telegram_id = await s.scalar(select(User.telegram_id).where(User.user_id == customer))
        assert telegram_id is not None
        sim = tg.add_persona(Persona(id=telegram_id, first_name="Sara"))
        await sim.send("/start")
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url, is_local=False))
        bot = Bot(token, session=session)
        try:
            fast = DeliveryRules(global_rate=100, per_chat_rate=100, idle_wait=0.05)
            dispatcher = OutboxDispatcher(bot, db.uow, fast)
            while await dispatcher.drain_once():
                pass
        finally:
            await bot.session.close()
        texts = [m.get("text", "") for m in sim.messages if m["from"]["is_bot"]]
        # on the order's status card (bot/notify.py), edited in place as the parcel moves
        assert any("🛣 In transit (Dhaka)" in text for text in texts), texts


# --- the scheduler --------------------------------------------------------------------------
def _settings(db: Database) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db.url.render_as_string(hide_password=False),
    )


class Runs:
    """Which service ran which job (an APScheduler listener on each scheduler)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def installer(self, name: str, settings: Settings) -> Any:
        def install(scheduler: AsyncIOScheduler) -> None:
            jobs.install(scheduler, settings)

            def record(event: JobExecutionEvent) -> None:
                self.seen.append((name, event.job_id))

            scheduler.add_listener(record, EVENT_JOB_EXECUTED)

        return install


async def _until(predicate: Any, timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - polling a condition of other tasks
            await asyncio.sleep(0.05)


@pytest.fixture
async def bound(world: World) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as http:
        jobs.bind(jobs.JobContext(world.shop, http))
        yield
        jobs.bind(None)


async def test_jobs_survive_a_restart_and_a_run_due_while_down_happens_once(
    world: World, db: Database, bound: None
) -> None:
    settings = _settings(db)
    first = create_scheduler(settings.database_url)
    first.start(paused=True)
    jobs.install(first, settings)
    stored = {job.id: job.next_run_time for job in first.get_jobs()}
    assert set(stored) == {spec.id for spec in jobs.JOBS}
    # the process stops; while it is down, the expiry job comes due and an order expires
    first.modify_job("expire-unpaid", next_run_time=datetime.now(UTC) - timedelta(hours=2))
    first.shutdown(wait=False)
    seller = await world.seller()
    product = await world.product(seller, stock=2)
    customer = await world.customer()
    world.shop.deps.clock = lambda: datetime.now(UTC)
    order = await world.order(customer, {product: 2})
    async with world.db.sessions() as s, s.begin():
        await s.execute(
            update(Order)
            .where(Order.order_id == order.order_id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=5))
        )

    runs = Runs()
    again = SchedulerService(
        db.engine, settings.database_url, runs.installer("again", settings), retry=0.1, name="again"
    )
    task = asyncio.create_task(again.run())
    try:
        await _until(lambda: ("again", "expire-unpaid") in runs.seen)
        assert again.scheduler is not None
        kept = {job.id: job.next_run_time for job in again.scheduler.get_jobs()}
        for job_id, when in stored.items():
            if job_id != "expire-unpaid":
                assert kept[job_id] == when  # the stored schedule, not a new one
        assert kept["expire-unpaid"] > datetime.now(UTC)
    finally:
        again.stop()
        await task
    assert runs.seen.count(("again", "expire-unpaid")) == 1  # coalesced: once, not 120 times
    async with world.db.sessions() as s:
        status = await s.scalar(select(Order.order_status).where(Order.order_id == order.order_id))
    assert status == OrderStatus.cancelled
    await world.assert_ledgers()


async def test_two_workers_run_one_scheduler_and_the_other_takes_over(
    world: World, db: Database, bound: None
) -> None:
    settings = _settings(db)
    runs = Runs()
    workers = [
        SchedulerService(
            db.engine, settings.database_url, runs.installer(n, settings), retry=0.1, name=n
        )
        for n in ("one", "two")
    ]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        await _until(lambda: any(w.leading for w in workers))
        leader = next(w for w in workers if w.leading)
        follower = next(w for w in workers if not w.leading)
        tried = follower.rounds
        await _until(lambda: follower.rounds >= tried + 3)  # it tried three more times...
        assert [w.leading for w in workers].count(True) == 1  # ...and still follows
        assert leader.scheduler is not None
        leader.scheduler.modify_job("back-in-stock", next_run_time=datetime.now(UTC))
        await _until(lambda: any(job == "back-in-stock" for _, job in runs.seen))
        tried = follower.rounds
        await _until(lambda: follower.rounds >= tried + 2)  # time enough for a second run
        assert [job for _, job in runs.seen].count("back-in-stock") == 1
        assert {who for who, _ in runs.seen} == {leader.name}
        # the leader's process stops: the other worker takes the scheduler over
        leader.stop()
        await tasks[workers.index(leader)]
        await _until(lambda: follower.leading)
        assert follower.scheduler is not None
        assert {job.id for job in follower.scheduler.get_jobs()} == {s.id for s in jobs.JOBS}
    finally:
        for w in workers:
            w.stop()
        await asyncio.gather(*tasks)


async def test_the_sandbox_provider_walks_a_parcel_through_the_whole_timeline(
    world: World, db: Database
) -> None:
    now = [0.0]
    simulator = ShippingSimulator(step=20, clock=lambda: now[0])
    runner, base = await simulator.serve("127.0.0.1")
    try:
        provider_id = await ensure_sandbox_provider(db.sessions, base)
        assert await ensure_sandbox_provider(db.sessions, base) == provider_id  # one row
        world.provider = provider_id
        order_id, _, customer = await _shipped(world, base)
        async with aiohttp.ClientSession() as http:
            seen = []
            for _ in range(3):
                await tracking.poll(world.shop, http)
                seen.append([status for status, _ in await _milestones(db, order_id)][-1])
                now[0] += 20
    finally:
        await runner.cleanup()
    assert seen == ["in_transit", "out_for_delivery", "delivered"]
    updates = [r for r in await _outbox(db, "delivery_update") if r.user_id == customer]
    assert [r.payload["status"] for r in updates][-3:] == seen
