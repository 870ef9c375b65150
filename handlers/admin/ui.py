"""Small pieces the admin screens share: editing a screen in place, paging, back buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject

from engine.accounts import UserView
from engine.base import Actor
from handlers.callbacks import AdminAction, AdminCb, SellerDecision, SellerDecisionCb
from handlers.i18n import t
from handlers.screen import show as screen  # admin screens show as every other screen

__all__ = [
    "AuditCb",
    "BroadcastCb",
    "Button",
    "IsAdmin",
    "PayoutRunCb",
    "TransferCb",
    "admin_home",
    "clip",
    "decision_buttons",
    "keyboard",
    "page_of",
    "screen",
]


class IsAdmin(BaseFilter):
    """The admin routers' role filter: anyone else's /coupon, /ban or forged admin button
    goes on to the other routers, as a command or button the bot does not know. (`me` is
    read fresh for every update; the engine checks the role again in every operation.)"""

    async def __call__(self, event: TelegramObject, me: UserView | None = None) -> bool:
        return me is not None and Actor(me.id, me.role, me.status).is_admin


class AuditCb(CallbackData, prefix="v1a7"):
    """A page of /audit (its filter: an entity type, and an id or 0)."""

    entity: str = ""
    id: int = 0
    page: int = 1


class TransferCb(CallbackData, prefix="v1a8"):
    """The bank transfers waiting for payment (order 0), or "Mark paid" on one order."""

    order: int = 0


class BroadcastCb(CallbackData, prefix="v1a9"):
    """Send (or cancel) the broadcast whose preview carries this key."""

    key: str
    send: bool


class PayoutRunCb(CallbackData, prefix="v1ap"):
    """Confirm (or cancel) running the payouts the preview showed."""

    run: bool


Button = InlineKeyboardButton
PAGE = 10
T = TypeVar("T")


def page_of(items: Sequence[T], page: int) -> tuple[list[T], int, int]:
    """The items of page `page` (clamped), the page, and how many pages there are."""
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 1), pages)
    return list(items[(page - 1) * PAGE : page * PAGE]), page, pages


def clip(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def admin_home(lang: str) -> Button:
    return Button(text=t(lang, "admin.back"), callback_data=AdminCb(to=AdminAction.home).pack())


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows if r])


def decision_buttons(lang: str, seller_id: int) -> list[Button]:
    """Approve / Reject for a store waiting for approval."""
    return [
        Button(
            text=t(lang, f"admin.{decision.name}"),
            callback_data=SellerDecisionCb(decision=decision, id=seller_id).pack(),
        )
        for decision in (SellerDecision.approve, SellerDecision.reject)
    ]
