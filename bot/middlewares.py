"""Middlewares that every update passes through."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class DropRedeliveredUpdates(BaseMiddleware):
    """Handle each Telegram update once, across restarts and across workers.

    Telegram re-delivers a webhook update whose call failed, and a worker that crashed after
    handling an update may see it again on restart. The update id is claimed in the database
    before the handlers run; if handling fails the claim is released, so the re-delivery
    gets another try instead of being lost.
    """

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot_id = data["bot"].id
        async with self._uow() as uow:
            claimed = await uow.processed_updates.claim(bot_id, event.update_id)
            await uow.commit()
        if not claimed:
            log.info("update %s was handled already; dropped", event.update_id)
            return None
        try:
            return await handler(event, data)
        except BaseException:
            async with self._uow() as uow:
                await uow.processed_updates.release(bot_id, event.update_id)
                await uow.commit()
            raise
