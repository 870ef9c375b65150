"""Delivering the outbox: notifications written by engine operations, sent through the Bot API
within Telegram's limits.

How it behaves:
- Rows are claimed with a lease (`OutboxRepo.claim`): several dispatchers, in one process or
  many, never hold the same row; a row whose dispatcher died becomes due again when its
  lease runs out.
- At most `global_rate` messages per second overall and `per_chat_rate` per chat.
- 429: wait `retry_after` (this row later; everyone slows down). 5xx and network errors: retry
  with exponential backoff and jitter, up to `max_attempts`, then `failed`. 403 (blocked,
  deactivated), "chat not found" (never wrote to the bot) or no Telegram account:
  `undeliverable` at once, never retried.
- Email (when SMTP is configured): a Telegram notification of a kind in `EMAIL_KINDS` gets an
  email twin for users who gave an address, delivered as its own outbox row with the same
  retry rules (a refused address is `undeliverable`; a server that is down is retried).
- Stopping (SIGTERM, Ctrl-C) finishes the message in flight and hands the rest of the batch
  back at once, so a restarted or other dispatcher sends them without waiting for the lease.
- Stopping (SIGTERM, Ctrl-C) finishes the message in flight and hands the rest of the batch
  back at once, so a restarted or another dispatcher sends them without waiting for the lease.
- The guarantee: a notification is marked `sent` right after Telegram accepted it. A restart
  between those two steps (a crash inside one HTTP round trip) re-sends that one message when
  its lease expires; otherwise nothing is sent twice and nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.email import EmailRefused, EmailSender, EmailUnavailable
from handlers.i18n import t
from handlers.notifications import EMAIL_KINDS, render
from storage.repositories import OutboxMessage
from storage.uow import UnitOfWork
from storage.vocabulary import OutboxChannel, OutboxStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryRules:
    global_rate: int = 30
    per_chat_rate: int = 1
    batch: int = 50
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    backoff: float = 2.0  # seconds before the first retry of a 5xx; doubles each attempt
    idle_wait: float = 1.0  # seconds between looks at an empty outbox


class RateLimiter:
    """A sliding one-second window overall and per chat."""

    def __init__(self, overall: int, per_chat: int) -> None:
        self.overall, self.per_chat = overall, per_chat
        self.sent: deque[float] = deque()
        self.by_chat: dict[int, deque[float]] = {}
        self.paused_until = 0.0

    def wait_time(self, chat_id: int, now: float) -> float:
        for window in (self.sent, self.by_chat.setdefault(chat_id, deque())):
            while window and now - window[0] >= 1.0:
                window.popleft()
        waits = [self.paused_until - now]
        if len(self.sent) >= self.overall:
            waits.append(1.0 - (now - self.sent[0]))
        chat = self.by_chat[chat_id]
        if len(chat) >= self.per_chat:
            waits.append(1.0 - (now - chat[0]))
        return max(0.0, *waits)

    def record(self, chat_id: int, now: float) -> None:
        self.sent.append(now)
        self.by_chat.setdefault(chat_id, deque()).append(now)

    def pause(self, seconds: float, now: float) -> None:
        self.paused_until = max(self.paused_until, now + seconds)


class OutboxDispatcher:
    def __init__(
        self,
        bot: Bot,
        uow: Callable[[], UnitOfWork],
        rules: DeliveryRules | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        email: EmailSender | None = None,
    ) -> None:
        self.bot, self.uow = bot, uow
        self.email = email
        self.rules = rules or DeliveryRules()
        self.clock = clock
        self.limiter = RateLimiter(self.rules.global_rate, self.rules.per_chat_rate)
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Deliver until stopped."""
        while not self._stop.is_set():
            try:
                delivered = await self.drain_once()
            except Exception:  # a database hiccup: log it and look again shortly
                log.exception("outbox delivery failed; retrying")
                delivered = 0
            if delivered == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.rules.idle_wait)

    def stop(self) -> None:
        self._stop.set()

    async def drain_once(self) -> int:
        """Claim one batch of due notifications and deliver them; returns how many were
        handled (sent, or given up on)."""
        async with self.uow() as uow:
            batch = await uow.outbox.claim(
                now=self.clock(),
                lease=self.rules.lease,
                limit=self.rules.batch,
                email_kinds=EMAIL_KINDS if self.email is not None else frozenset(),
            )
            await uow.commit()
        handled = 0
        for n, message in enumerate(batch):
            if self._stop.is_set():  # stopping: hand the rest back now, not at lease expiry
                async with self.uow() as uow:
                    await uow.outbox.release([m.outbox_id for m in batch[n:]], self.clock())
                    await uow.commit()
                break
            handled += await self._deliver(message)
        return handled

    async def _deliver(self, message: OutboxMessage) -> int:
        if message.channel == OutboxChannel.email:
            return await self._deliver_email(message)
        chat_id = message.telegram_id
        if chat_id is None:
            await self._finish(message, OutboxStatus.undeliverable, "no Telegram account")
            return 1
        # waiting for time to pass (the rate window), not for an event
        while (wait := self.limiter.wait_time(chat_id, time.monotonic())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        text, markup = render(message.kind, message.payload, message.language_code)
        try:
            self.limiter.record(chat_id, time.monotonic())
            await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after, time.monotonic())
            await self._later(message, timedelta(seconds=exc.retry_after), "429 flood control")
            return 0
        except TelegramForbiddenError as exc:
            await self._finish(message, OutboxStatus.undeliverable, str(exc))
            return 1
        except TelegramBadRequest as exc:  # our message is wrong: retrying will not fix it
            if "chat not found" in exc.message.lower():  # never wrote to the bot: no chat
                await self._finish(message, OutboxStatus.undeliverable, str(exc))
                return 1
            log.error("notification %s refused: %s", message.outbox_id, exc)
            await self._finish(message, OutboxStatus.failed, str(exc))
            return 1
        except (TelegramServerError, TelegramNetworkError, OSError) as exc:
            return await self._retry(message, str(exc))
        async with self.uow() as uow:
            await uow.outbox.sent(message.outbox_id, self.clock())
            await uow.commit()
        return 1

    async def _deliver_email(self, message: OutboxMessage) -> int:
        if self.email is None or message.email is None:
            why = "email is not configured" if self.email is None else "no email address"
            await self._finish(message, OutboxStatus.undeliverable, why)
            return 1
        text, _ = render(message.kind, message.payload, message.language_code)
        try:
            await self.email.send(message.email, t(message.language_code, "email.subject"), text)
        except EmailRefused as exc:
            await self._finish(message, OutboxStatus.undeliverable, str(exc))
            return 1
        except EmailUnavailable as exc:
            return await self._retry(message, str(exc))
        async with self.uow() as uow:
            await uow.outbox.sent(message.outbox_id, self.clock())
            await uow.commit()
        return 1

    async def _retry(self, message: OutboxMessage, error: str) -> int:
        """A temporary failure: back off exponentially with jitter, or give up at last."""
        if message.attempts >= self.rules.max_attempts:
            await self._finish(message, OutboxStatus.failed, error)
            return 1
        base = self.rules.backoff * 2 ** (message.attempts - 1)
        backoff = min(300.0, base) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter
        await self._later(message, timedelta(seconds=backoff), error)
        return 0

    async def _later(self, message: OutboxMessage, delay: timedelta, error: str) -> None:
        async with self.uow() as uow:
            await uow.outbox.retry(message.outbox_id, self.clock() + delay, error)
            await uow.commit()

    async def _finish(self, message: OutboxMessage, status: OutboxStatus, error: str) -> None:
        async with self.uow() as uow:
            await uow.outbox.give_up(message.outbox_id, status, error)
            await uow.commit()
