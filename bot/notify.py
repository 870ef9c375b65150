"""Delivering the outbox: notifications written by engine operations, sent through the Bot API
within Telegram's limits.

How it behaves:
- Rows are claimed with a lease (`OutboxRepo.claim`): several dispatchers, in one process or
  many, never hold the same row; a row whose dispatcher died becomes due again when its
  lease runs out.
- At most `global_rate` messages per second overall and `per_chat_rate` per chat.
- A lease has an owner: every claim gets a random token, and only its holder may mark a row
  sent, retried, given up, held or handed back. Before each send the dispatcher checks its
  lease; when less than half of it is left it renews the rest of the batch in one UPDATE, and
  a row it no longer holds (its lease ran out and another dispatcher took it) is skipped,
  never sent.
- 429: wait `retry_after` (this row later; everyone slows down). 5xx and network errors: retry
  with exponential backoff and jitter, up to `max_attempts`, then `failed`. 403 (blocked,
  deactivated) or no Telegram account: `undeliverable` at once, never retried.
- Someone who has not started the bot ("chat not found", "bot can't initiate conversation"):
  the row is `held` until they write to the bot (engine.accounts releases it), at most
  `hold_for` and `hold_max` rows per user; admins hear once that a seller cannot be reached,
  unless the seller has opened the chat by the time that notice would go out (checked then).
  Kinds that are only worth hearing at once (`NOT_HELD`: broadcasts, reminders, the digest)
  are `undeliverable` instead.
- Told already: a row whose payload says `in_chat` was said to its recipient by the handler
  that answered them, so it is marked sent without a Telegram message (only its email twin
  goes out); one with `superseded_by` is said by another row of the same change, so no
  channel sends it.
- One status card per order: delivery milestones (`CARD_KINDS`) are told on one message,
  edited in place as the parcel moves (an edit makes no sound), whose id the row that showed
  it keeps in its payload (`card_message_id`); the card is rebuilt from every milestone row of
  the order, so a row told late or again shows the same card (an edit that changes nothing is
  success). A new, short message goes out only where a push matters: shipped
  (`PUSHED_MILESTONES`), and delivered ("order_delivered", which brings the card up to date).
  A card that can no longer be edited (deleted) is sent anew.
- Email (when SMTP is configured): a Telegram notification of a kind in `EMAIL_KINDS` gets an
  email twin for users who gave an address, delivered as its own outbox row with the same
  retry rules (a refused address is `undeliverable`; a server that is down is retried).
- Stopping (SIGTERM, Ctrl-C) finishes the message in flight and hands the rest of the batch
  back at once, so a restarted or another dispatcher sends them without waiting for the lease.
- The guarantee: a notification is marked `sent` right after Telegram accepted it, by the
  lease's holder. Only a crash (or a lost answer: a timeout, a dropped connection) between
  Telegram accepting a message and that commit sends it twice, when its lease runs out
  (docs/notifications.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import select, update

from engine.gateways import EmailRefused, EmailUnavailable, Mailer
from handlers.i18n import t
from handlers.notifications import CARD_KINDS, EMAIL_KINDS, NOT_HELD, push, render, status_card
from storage.models import Outbox
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
    hold_for: timedelta = timedelta(days=14)  # a message waits this long for a first /start
    hold_max: int = 50  # and at most this many wait per user (the newest)
    held_sweep: float = 60.0  # seconds between looks for held messages past their deadline

    @property
    def send_timeout(self) -> int:
        """Seconds one Bot API call may take: within the half lease a send starts with."""
        return max(1, int(self.lease.total_seconds() / 2))


NOT_STARTED = ("chat not found", "bot can't initiate conversation")
UNREACHABLE = "seller_unreachable"  # the admins' notice that a seller has not opened a chat
CARD = "card_message_id"  # in a card row's payload: the message that shows the order's card
GONE = ("message to edit not found", "message can't be edited")


@dataclass
class Lease:
    """One claimed batch: its token, until when it is held, and the rows it lost."""

    token: str
    until: datetime
    lost: set[int] = field(default_factory=set)


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
        email: Mailer | None = None,
    ) -> None:
        self.bot, self.uow = bot, uow
        self.email = email
        self.rules = rules or DeliveryRules()
        self.clock = clock
        self.limiter = RateLimiter(self.rules.global_rate, self.rules.per_chat_rate)
        self._stop = asyncio.Event()
        self._next_sweep = 0.0  # time.monotonic() of the next look for expired held rows

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
        handled (sent, held, or given up on)."""
        await self._sweep_held()
        now = self.clock()
        lease = Lease(secrets.token_hex(16), now + self.rules.lease)
        async with self.uow() as uow:
            batch = await uow.outbox.claim(
                now=now,
                lease=self.rules.lease,
                limit=self.rules.batch,
                token=lease.token,
                email_kinds=EMAIL_KINDS if self.email is not None else frozenset(),
            )
            await uow.commit()
        handled = 0
        for n, message in enumerate(batch):
            if self._stop.is_set():  # stopping: hand the rest back now, not at lease expiry
                async with self.uow() as uow:
                    await uow.outbox.release(
                        [m.outbox_id for m in batch[n:]], lease.token, self.clock()
                    )
                    await uow.commit()
                break
            handled += await self._deliver(message, lease, batch[n:])
        return handled

    async def _sweep_held(self) -> None:
        """Now and then: messages held past their deadline become undeliverable."""
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + self.rules.held_sweep
        async with self.uow() as uow:
            if await uow.outbox.expire_held(self.clock()):
                await uow.commit()

    async def _still_mine(self, lease: Lease, rest: Sequence[OutboxMessage]) -> bool:
        """Right before `rest[0]` goes out: is its lease still ours? With less than half of
        the lease left, the rest of the batch is renewed first, in one UPDATE; rows another
        dispatcher took over meanwhile are lost to this batch and never sent by it."""
        now = self.clock()
        if lease.until - now < self.rules.lease / 2:
            ids = [m.outbox_id for m in rest if m.outbox_id not in lease.lost]
            until = now + self.rules.lease
            async with self.uow() as uow:
                kept = await uow.outbox.renew(ids, lease.token, until)
                await uow.commit()
            lease.until = until
            lease.lost.update(set(ids) - kept)
        if rest[0].outbox_id in lease.lost:
            log.info("notification %s: its lease was taken over; not sent", rest[0].outbox_id)
            return False
        return True

    async def _deliver(
        self, message: OutboxMessage, lease: Lease, rest: Sequence[OutboxMessage]
    ) -> int:
        if _told_already(message):
            return await self._sent(message)
        if message.kind == UNREACHABLE and not await self._still_unreachable(message):
            await self._finish(message, OutboxStatus.undeliverable, "no longer true: opened")
            return 1
        if message.channel == OutboxChannel.email:
            return await self._deliver_email(message, lease, rest)
        chat_id = message.telegram_id
        if chat_id is None:
            await self._finish(message, OutboxStatus.undeliverable, "no Telegram account")
            return 1
        # waiting for time to pass (the rate window), not for an event
        while (wait := self.limiter.wait_time(chat_id, time.monotonic())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        if not await self._still_mine(lease, rest):
            return 0
        try:
            self.limiter.record(chat_id, time.monotonic())
            card = await self._tell(chat_id, message)
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after, time.monotonic())
            await self._later(message, timedelta(seconds=exc.retry_after), "429 flood control")
            return 0
        except TelegramForbiddenError as exc:  # blocked, deactivated: final
            if _not_started(exc.message):
                return await self._hold(message, str(exc))
            await self._finish(message, OutboxStatus.undeliverable, str(exc))
            return 1
        except TelegramBadRequest as exc:  # our message is wrong: retrying will not fix it
            if _not_started(exc.message):  # never wrote to the bot: no chat yet
                return await self._hold(message, str(exc))
            log.error("notification %s refused: %s", message.outbox_id, exc)
            await self._finish(message, OutboxStatus.failed, str(exc))
            return 1
        except (TelegramServerError, TelegramNetworkError, OSError) as exc:
            return await self._retry(message, str(exc))
        return await self._sent(message, card)

    async def _still_unreachable(self, message: OutboxMessage) -> bool:
        """A "seller cannot be reached" notice is true when it is shown, not only when it
        was written: the seller may have opened the chat since (their held messages were
        released), and then it is not shown at all."""
        async with self.uow().reading() as uow:
            return await uow.outbox.seller_unreachable(message.payload.get("seller_id"))

    async def _tell(self, chat_id: int, message: OutboxMessage) -> int | None:
        """Say `message` in the chat. A delivery milestone goes on the order's status card
        (and a push where it matters); returns the card's message id, to be kept."""
        lang, payload = message.language_code, message.payload
        timeout = self.rules.send_timeout
        order_id = payload.get("order_id")
        if message.kind not in CARD_KINDS or not isinstance(order_id, int):
            text, markup = render(message.kind, payload, lang)
            await self.bot.send_message(chat_id, text, reply_markup=markup, request_timeout=timeout)
            return None
        milestones, shown = await self._card_of(message.user_id, order_id)
        pushed = None
        if message.kind == "order_delivered":  # a push of its own; the card is brought up to date
            text, markup = render(message.kind, payload, lang)
            await self.bot.send_message(chat_id, text, reply_markup=markup, request_timeout=timeout)
            if shown is None:
                return None
        else:
            pushed = push(lang, payload)
            if pushed is not None:
                await self.bot.send_message(
                    chat_id, pushed[0], reply_markup=pushed[1], request_timeout=timeout
                )
        text, markup = status_card(lang, order_id, milestones)
        if message.kind == "order_delivered" or pushed is not None:  # a second call, paced too
            await self._pace(chat_id)
        if shown is not None:
            try:
                await self.bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=shown,
                    reply_markup=markup,
                    request_timeout=timeout,
                )
                return shown
            except TelegramBadRequest as exc:
                if "message is not modified" in exc.message:
                    return shown
                if not any(words in exc.message.lower() for words in GONE):
                    raise
        sent = await self.bot.send_message(
            chat_id, text, reply_markup=markup, request_timeout=timeout
        )
        return sent.message_id

    async def _pace(self, chat_id: int) -> None:
        """Wait for the rate windows to allow one more call to this chat, and count it."""
        # waiting for time to pass (the rate window), not for an event
        while (wait := self.limiter.wait_time(chat_id, time.monotonic())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        self.limiter.record(chat_id, time.monotonic())

    async def _card_of(
        self, user_id: int, order_id: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Every delivery milestone of the order told to this user (or to be told), oldest
        first, and the message that shows its card (None: none yet)."""
        async with self.uow().reading() as uow:
            rows = (
                await uow.session.execute(
                    select(Outbox.payload)
                    .where(
                        Outbox.user_id == user_id,
                        Outbox.kind == "delivery_update",
                        Outbox.channel == OutboxChannel.telegram,
                    )
                    .order_by(Outbox.outbox_id)
                )
            ).all()
        mine = [dict(p) for (p,) in rows if isinstance(p, dict) and p.get("order_id") == order_id]
        shown = [p[CARD] for p in mine if isinstance(p.get(CARD), int)]
        return mine, (shown[-1] if shown else None)

    async def _deliver_email(
        self, message: OutboxMessage, lease: Lease, rest: Sequence[OutboxMessage]
    ) -> int:
        if self.email is None or message.email is None:
            why = "email is not configured" if self.email is None else "no email address"
            await self._finish(message, OutboxStatus.undeliverable, why)
            return 1
        if not await self._still_mine(lease, rest):
            return 0
        text, _ = render(message.kind, message.payload, message.language_code)
        try:
            await self.email.send(message.email, t(message.language_code, "email.subject"), text)
        except EmailRefused as exc:
            await self._finish(message, OutboxStatus.undeliverable, str(exc))
            return 1
        except EmailUnavailable as exc:
            return await self._retry(message, str(exc))
        return await self._sent(message)

    async def _sent(self, message: OutboxMessage, card: int | None = None) -> int:
        async with self.uow() as uow:
            if card is not None and message.payload.get(CARD) != card:  # where the card is
                await uow.session.execute(
                    update(Outbox)
                    .where(
                        Outbox.outbox_id == message.outbox_id,
                        Outbox.claim_token == message.claim_token,
                        Outbox.status == OutboxStatus.pending,
                    )
                    .values(payload={**message.payload, CARD: card})
                )
            mine = await uow.outbox.sent(message.outbox_id, message.claim_token, self.clock())
            await uow.commit()
        if not mine:  # only a send slower than half a lease gets here
            log.warning("notification %s was sent after its lease was lost", message.outbox_id)
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
            await uow.outbox.retry(
                message.outbox_id, message.claim_token, self.clock() + delay, error
            )
            await uow.commit()

    async def _finish(self, message: OutboxMessage, status: OutboxStatus, error: str) -> None:
        async with self.uow() as uow:
            await uow.outbox.give_up(message.outbox_id, message.claim_token, status, error)
            await uow.commit()

    async def _hold(self, message: OutboxMessage, error: str) -> int:
        """The recipient has not started the bot: the message waits for their /start, unless
        it is only worth hearing at once."""
        if message.kind in NOT_HELD:
            await self._finish(message, OutboxStatus.undeliverable, error)
            return 1
        async with self.uow() as uow:
            await uow.outbox.hold(
                message,
                now=self.clock(),
                hold_for=self.rules.hold_for,
                keep=self.rules.hold_max,
                error=error,
            )
            await uow.commit()
        return 1


def _told_already(message: OutboxMessage) -> bool:
    """A row whose news reached its recipient another way: `superseded_by` names a row of the
    same change that says it (no channel sends this one); `in_chat`, the handler that answered
    them in the chat said it (the email twin still goes)."""
    if message.payload.get("superseded_by"):
        return True
    return message.channel == OutboxChannel.telegram and message.payload.get("in_chat") is True


def _not_started(error: str) -> bool:
    """Telegram's words for "this user has not opened a chat with the bot"."""
    error = error.lower()
    return any(words in error for words in NOT_STARTED)
