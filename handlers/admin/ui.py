"""Small pieces the admin screens share: editing a screen in place, paging, back buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import AdminAction, AdminCb, SellerDecision, SellerDecisionCb
from handlers.i18n import t
from handlers.screen import show as screen  # admin screens show as every other screen

__all__ = ["Button", "admin_home", "clip", "decision_buttons", "keyboard", "page_of", "screen"]

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
