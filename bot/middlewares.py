"""Middlewares that every update passes through."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from html import escape
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerInlineQuery,
    AnswerPreCheckoutQuery,
    GetUpdates,
    Response,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    ErrorEvent,
    InlineQuery,
    Message,
    PreCheckoutQuery,
    TelegramObject,
    Update,
)
from aiogram.types import User as TelegramUser

from bot.responses import keep_response_type
from engine.accounts import TelegramIdentity, UserView
from engine.errors import DomainError, NotFound
from engine.shop import Shop
from handlers.i18n import error_text, language, t
from storage.uow import AlreadyApplied, UnitOfWork
from storage.vocabulary import UserStatus

log = logging.getLogger(__name__)


_QUERY_ANSWERS = frozenset(
    {
        AnswerCallbackQuery.__api_method__,
        AnswerInlineQuery.__api_method__,
        AnswerPreCheckoutQuery.__api_method__,
    }
)


def _too_late(method: TelegramMethod[Any], error: TelegramBadRequest) -> bool:
    """Telegram's answer to a query answered too late (or twice)."""
    text = error.message.lower()
    return method.__api_method__ in _QUERY_ANSWERS and (
        "query is too old" in text or "query id is invalid" in text
    )


class RetryRequests(BaseRequestMiddleware):
    """Bot API calls survive Telegram's hiccups: a 429 waits the `retry_after` it names, a
    5xx or a network error is tried again after a short, growing pause. Only when every try
    fails does the error reach the handler (and the error router). A long poll is left to
    aiogram's own polling loop, which already waits and retries."""

    def __init__(self, attempts: int = 5, backoff: float = 0.2, max_wait: float = 5.0) -> None:
        self.attempts, self.backoff, self.max_wait = attempts, backoff, max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        keep_response_type(method)
        if method.__api_method__ == GetUpdates.__api_method__:
            return await make_request(bot, method)
        pause = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramBadRequest as exc:
                if not _too_late(method, exc):
                    raise
                # a query answered after Telegram stopped waiting (a replay after a crash, a
                # slow start): nobody sees the answer, and the handler's work stands
                log.info("%s: %s; carrying on", method.__api_method__, exc.message)
                return Response[bool](ok=True, result=True)  # type: ignore[return-value]
            except TelegramRetryAfter as exc:
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
                wait = float(exc.retry_after)
            except (TelegramServerError, TelegramNetworkError):
                if attempt == self.attempts:
                    raise
                wait, pause = pause, min(pause * 2, self.max_wait)
            log.info("%s failed (try %s); again in %.1f s", method.__api_method__, attempt, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises


class ShopUser(BaseMiddleware):
    """Who is acting: the Telegram user is signed up (or refreshed) through the engine, and
    `me` (UserView) and `lang` reach every handler. A banned user is stopped here with the
    reason, whatever they tapped or typed.

    Signing up writes; most updates come from someone whose name, username and language have
    not changed since their last update to this worker, so for them the account is only read
    (`accounts.me`: status and role are still fresh on every update, a ban bites at once).
    On SQLite that saves a write transaction per update (see docs/performance.md).

    `read_known` is that read done early, in the transaction that claims the update
    (bot/inbox.py UpdateInbox's `reads`): the account row as of the start of this update, so
    a ban still bites at once, without a transaction of its own."""

    def __init__(self, shop: Shop, remember: int = 10_000) -> None:
        self.shop = shop
        self.remember = remember
        self.known: OrderedDict[TelegramIdentity, int] = OrderedDict()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or user.is_bot:
            return await handler(event, data)
        identity = _identity(user)
        read = data.pop(_READ_KEY, None)
        if read is not None and read[0] == identity and read[1] is not None:
            me = read[1]
            self.known.move_to_end(identity)
        else:
            me = await self._account(identity)
        lang = language(me.language_code)
        data["me"], data["lang"] = me, lang
        _SPEAKING.set((user.id, lang))  # for on_error, which sees none of `data`
        if me.status == UserStatus.banned:
            text = t(lang, "banned", reason=escape(me.status_reason or "—"))
            if data.get("support_contact"):  # SUPPORT_CONTACT: where to ask
                text += "\n" + t(lang, "help.support", contact=escape(data["support_contact"]))
            if isinstance(event, Message):
                await event.answer(text)
            elif isinstance(event, CallbackQuery):
                await event.answer(text[:200], show_alert=True)
            elif isinstance(event, PreCheckoutQuery):
                await event.answer(ok=False, error_message=text[:255])
            elif isinstance(event, InlineQuery):
                await event.answer([], cache_time=0)
            return None
        return await handler(event, data)

    async def read_known(self, uow: UnitOfWork, data: dict[str, Any]) -> None:
        """For a user known to this worker, read their account in `uow` (see the class)."""
        user = data.get("event_from_user")
        if user is None or user.is_bot:
            return
        identity = _identity(user)
        user_id = self.known.get(identity)
        if user_id is None:
            return  # new, or changed their name: _account signs them up as before
        data[_READ_KEY] = (identity, await self.shop.accounts.me_in(uow, user_id))

    async def _account(self, identity: TelegramIdentity) -> UserView:
        user_id = self.known.get(identity)
        if user_id is not None:
            try:
                me = await self.shop.accounts.me(user_id)
            except NotFound:  # the account is gone: sign them up again below
                del self.known[identity]
            else:
                self.known.move_to_end(identity)
                return me
        me = await self.shop.accounts.register_from_telegram(identity)
        self.known[identity] = me.id
        while len(self.known) > self.remember:
            self.known.popitem(last=False)
        return me


#: (Telegram user id, language) of the update being handled, set by ShopUser: aiogram gives
#: the error handler a copy of the data from before the observers' middlewares ran, without
#: `lang`, and the language a user chose in the profile is not Telegram's.
_SPEAKING: ContextVar[tuple[int, str] | None] = ContextVar("shop_user_language", default=None)
_READ_KEY = "shop_user_read"  # data key: (identity, UserView | None) read by read_known


def _identity(user: TelegramUser) -> TelegramIdentity:
    return TelegramIdentity(
        user.id, user.first_name, user.last_name, user.username, user.language_code
    )


class Throttle(BaseMiddleware):
    """At most `burst` updates from one user per `window` seconds (per worker); a flood gets
    one polite "slow down" and is dropped until it calms."""

    def __init__(
        self, burst: int = 30, window: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.window, self.clock = burst, window, clock
        # Users in the order they last wrote: whoever has been quiet for a whole window is
        # forgotten (from the front), so the table holds only the users of the last window.
        self.seen: OrderedDict[int, deque[float]] = OrderedDict()
        self.warned: set[int] = set()

    def _forget_quiet(self, now: float) -> None:
        while self.seen:
            user_id, times = next(iter(self.seen.items()))
            if times and now - times[-1] <= self.window:
                return
            del self.seen[user_id]
            self.warned.discard(user_id)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or isinstance(event, PreCheckoutQuery):  # payments are never dropped
            return await handler(event, data)
        now = self.clock()
        self._forget_quiet(now)
        times = self.seen.setdefault(user.id, deque())
        self.seen.move_to_end(user.id)
        while times and now - times[0] > self.window:
            times.popleft()
        times.append(now)
        if len(times) <= self.burst:
            self.warned.discard(user.id)
            return await handler(event, data)
        if user.id not in self.warned:
            self.warned.add(user.id)
            lang = language(user.language_code)
            if isinstance(event, (Message, CallbackQuery)):
                await event.answer(t(lang, "slow_down"))
        elif isinstance(event, CallbackQuery):
            await event.answer()
        return None


async def on_error(event: ErrorEvent) -> bool:
    """One place turns failures into kind answers: a domain error is worded from its code;
    anything else is logged with the update id and answered without internals."""
    error = event.exception
    update = event.update
    source = update.message or update.callback_query or update.pre_checkout_query
    from_user = getattr(source, "from_user", None)
    spoken = _SPEAKING.get()  # the user's language as ShopUser found it (their choice)
    if spoken is not None and from_user is not None and spoken[0] == from_user.id:
        lang = spoken[1]
    else:
        lang = language(getattr(from_user, "language_code", None))
    if isinstance(error, AlreadyApplied):  # a replay after a crash: it did happen
        await _went_through(update, t(lang, "replayed"))
        return True
    if isinstance(error, DomainError):
        text = error_text(lang, error)
        log.info("update %s refused: %s %s", update.update_id, error.code, error.params)
    else:
        log.exception("update %s failed", update.update_id, exc_info=error)
        text = t(lang, "oops")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.pre_checkout_query is not None:
            await update.pre_checkout_query.answer(ok=False, error_message=text[:255])
        elif update.message is not None:
            await update.message.answer(text)
    except Exception:  # the answer itself failed (Telegram down): the log has the cause
        log.warning("could not tell the user about update %s's failure", update.update_id)
    return True


async def _went_through(update: Update, text: str) -> None:
    """The answer to an update whose effect its first handling committed before the process
    died: that it went through (a payment sheet already let through stays let through)."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200])
        elif update.pre_checkout_query is not None:
            await update.pre_checkout_query.answer(ok=True)
        elif update.message is not None:
            await update.message.answer(text)
    except Exception:  # Telegram down: the log says what happened
        log.warning("could not answer replayed update %s", update.update_id)
