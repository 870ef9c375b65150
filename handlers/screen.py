"""Showing a screen: the one place a message of ours is edited.

A screen is safe when repeated: Telegram refuses an edit that changes nothing ("message is not
modified"), which is exactly what a double tap or an old button asks for, so that answer is
success here and nowhere else needs to know about it.
"""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

NOT_MODIFIED = "message is not modified"


async def edit_or_keep(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Show `text` and `markup` on `message` in place (its caption when it has no text: a
    product photo). False when the message showed exactly that already (kept as it is)."""
    try:
        if message.text is None:
            await message.edit_caption(caption=text, reply_markup=markup)
        else:
            await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if NOT_MODIFIED not in exc.message:
            raise
        return False
    return True


async def edit_markup_or_keep(message: Message, markup: InlineKeyboardMarkup | None) -> bool:
    """Only `message`'s buttons changed, in place. False when they showed exactly that."""
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as exc:
        if NOT_MODIFIED not in exc.message:
            raise
        return False
    return True


async def send_below(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """A new message under the screen a button was tapped on (a question, a screen that
    keeps the one above): None when that screen is no longer reachable (too old)."""
    if not isinstance(query.message, Message):
        return None
    return await query.message.answer(text, reply_markup=markup)


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """The screen a button leads to: in place of a text message, or a new message under a
    photo (a product card stays in the chat)."""
    message = query.message
    if not isinstance(message, Message):
        return
    if message.text is None:
        await message.answer(text, reply_markup=markup)
    else:
        await edit_or_keep(message, text, markup)
