"""The scheduler's jobs: importable functions with stable ids, each one engine call.

APScheduler keeps jobs in the shop's database by reference (`bot.jobs:expire_unpaid`), so a
job takes no objects: it finds the running shop through `context()`, which the process that
holds the scheduler sets with `bind()` before starting it (bot/scheduler.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters import tracking
from bot.scheduler import SchedulerService
from bot.settings import Settings
from engine.shop import Shop

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    shop: Shop
    http: aiohttp.ClientSession
    bank_reminder_before: timedelta = timedelta(hours=24)
    cart_idle: timedelta = timedelta(hours=24)
    reconcile_window: timedelta = timedelta(hours=24)


_context: JobContext | None = None


def bind(context: JobContext | None) -> None:
    global _context  # one running shop per process, set at start
    _context = context


def context() -> JobContext:
    if _context is None:
        raise RuntimeError("the scheduler's jobs run only in a process that bound a shop")
    return _context


# --- the jobs ---------------------------------------------------------------------------------
async def expire_unpaid() -> None:
    """Unpaid orders past their deadline (card, and bank transfers after their days) are
    cancelled and their stock goes back."""
    expired = await context().shop.orders.expire_unpaid()
    if expired:
        log.info("expired unpaid orders %s", expired)


async def remind_bank_transfers() -> None:
    ctx = context()
    reminded = await ctx.shop.housekeeping.remind_bank_transfers(ctx.bank_reminder_before)
    if reminded:
        log.info("bank-transfer reminders sent for orders %s", reminded)


async def poll_tracking() -> None:
    ctx = context()
    applied = await tracking.poll(ctx.shop, ctx.http)
    if applied:
        log.info("tracking poll recorded %s milestone(s)", applied)


async def run_payouts() -> None:
    made = await context().shop.payouts.run()
    log.info("payout run: %s payout(s)", len(made))


async def expire_coupons() -> None:
    count = await context().shop.coupons.expire_due()
    if count:
        log.info("%s coupon(s) expired", count)


async def remind_abandoned_carts() -> None:
    ctx = context()
    users = await ctx.shop.housekeeping.remind_abandoned_carts(ctx.cart_idle)
    if users:
        log.info("cart reminders sent to %s user(s)", len(users))


async def back_in_stock() -> None:
    told = await context().shop.housekeeping.back_in_stock()
    if told:
        log.info("back-in-stock alerts: %s", told)


async def admin_digest() -> None:
    await context().shop.housekeeping.send_admin_digest()


async def resettle_refunds() -> None:
    """Refunds a crash left pending or processing are asked for again (with the same key)."""
    settled = await context().shop.orders.resettle_stuck_refunds()
    if settled:
        log.info("refunds settled again: %s", [(r.refund_id, r.status.value) for r in settled])


async def reconcile_payments() -> None:
    """The providers' charges against the payments recorded: a lost one is recorded, or
    refunded when its order cannot take it."""
    ctx = context()
    found = await ctx.shop.payments.reconcile(ctx.reconcile_window)
    for charge in found:
        log.warning(
            "reconciled %s charge %s for order %s: %s",
            charge.provider,
            charge.transaction_ref,
            charge.order_id,
            "recorded" if charge.kept else "refunded",
        )


# --- the schedule ---------------------------------------------------------------------------
@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[], object]
    trigger: Callable[[Settings], BaseTrigger]

    @property
    def ref(self) -> str:
        return f"{__name__}:{self.func.__name__}"


def _every(**kw: float) -> Callable[[Settings], BaseTrigger]:
    return lambda _: IntervalTrigger(**kw, timezone="UTC")


JOBS: tuple[JobSpec, ...] = (
    JobSpec("expire-unpaid", expire_unpaid, _every(minutes=1)),
    JobSpec("bank-transfer-reminders", remind_bank_transfers, _every(hours=1)),
    JobSpec(
        "tracking-poll",
        poll_tracking,
        lambda s: IntervalTrigger(seconds=s.tracking_poll_seconds, timezone="UTC"),
    ),
    JobSpec(
        "payouts", run_payouts, lambda s: CronTrigger.from_crontab(s.payout_cron, timezone="UTC")
    ),
    JobSpec(
        "coupon-expiry", expire_coupons, lambda _: CronTrigger(hour=0, minute=5, timezone="UTC")
    ),
    JobSpec("cart-reminders", remind_abandoned_carts, _every(hours=1)),
    JobSpec("back-in-stock", back_in_stock, _every(minutes=5)),
    JobSpec(
        "admin-digest",
        admin_digest,
        lambda s: CronTrigger.from_crontab(s.digest_cron, timezone="UTC"),
    ),
    JobSpec("refund-resettle", resettle_refunds, _every(minutes=1)),
    JobSpec(
        "payment-reconcile",
        reconcile_payments,
        lambda s: IntervalTrigger(minutes=s.reconcile_minutes, timezone="UTC"),
    ),
)


def install(scheduler: BaseScheduler, settings: Settings) -> None:
    """Every job by reference and stable id: re-installing at each start replaces the stored
    schedule (a changed setting takes effect) without losing a run that came due meanwhile."""
    for job in JOBS:
        stored = scheduler.get_job(job.id)
        trigger = job.trigger(settings)
        if stored is not None and str(stored.trigger) == str(trigger):
            continue  # keep its stored next run time: a run due while we were down still runs
        scheduler.add_job(
            job.ref, trigger, id=job.id, name=job.id, replace_existing=True, coalesce=True
        )


def service(settings: Settings, engine: AsyncEngine, shop: Shop) -> SchedulerService:
    """The scheduler for this process: it runs the jobs only while it holds the database's
    scheduler lock (one process per database)."""

    async def bind_shop() -> None:
        if _context is None:
            bind(
                JobContext(
                    shop,
                    aiohttp.ClientSession(),
                    bank_reminder_before=timedelta(hours=settings.bank_reminder_hours),
                    cart_idle=timedelta(hours=settings.cart_reminder_hours),
                    reconcile_window=timedelta(hours=settings.reconcile_window_hours),
                )
            )

    return SchedulerService(
        engine,
        settings.database_url,
        lambda scheduler: install(scheduler, settings),
        on_start=bind_shop,
    )


async def unbind() -> None:
    """At exit: close what the jobs held."""
    if _context is not None:
        await _context.http.close()
        bind(None)
