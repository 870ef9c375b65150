"""Giving up a prompt: "never mind" ends any typed question as /cancel does, and an old ✖
Cancel under a question answered since says so.

While the conversation waits for typed text (any FSM state: a reason to reject an order, a
tracking number, an answer to a customer, an address's city, a product's name), a message
that only gives it up (`asking.drops`: "never mind", "cancel", "forget it", "stop") is not
the answer: the conversation ends (`asking.end_conversation`, keeping the coupon and the
answered questions), nothing changes, and the user is told so, with the menu. It is read
on the root router before any state handler.

A few questions answer a give-up better themselves and keep their own words (`OWN_WORDS`):
the message to the team and the message back to its answer ("nothing was sent"), the
reason of a return ("no return is requested"), and the address's review ("the address was
not saved", the review kept).
"""

from __future__ import annotations

from typing import Final

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from engine.accounts import UserView
from engine.shop import Shop
from handlers import keyboards as kb
from handlers.customer import asking
from handlers.customer.address_form import AddressForm
from handlers.customer.orders import AfterSale
from handlers.customer.support import SupportMessage
from handlers.i18n import t
from handlers.screen import edit_markup_or_keep
from handlers.seller import IsSeller

#: The questions whose own handler answers a give-up (see the module).
OWN_WORDS: Final = (
    SupportMessage.writing,
    SupportMessage.following,
    AfterSale.return_reason,
    AddressForm.confirm,
)


def gives_up(message: Message) -> bool:
    """The message only gives up what was asked ("never mind", "cancel", "stop"); /cancel
    and other commands keep their own handlers."""
    text = message.text
    return text is not None and not text.startswith("/") and asking.drops(text)


async def on_give_up(
    message: Message, state: FSMContext, lang: str, me: UserView, shop: Shop
) -> None:
    """ "never mind" while a question waits for typed text: it ends as /cancel ends it."""
    await asking.end_conversation(state)
    menu = kb.main_menu(lang, store=await IsSeller()(message, me=me, shop=shop))
    await message.answer(t(lang, "prompt.given_up"), reply_markup=menu)


def nothing_waits(query: CallbackQuery, prompt_waiting: str | None = None) -> bool:
    """No question waited for typed text when the button was tapped."""
    return prompt_waiting is None


async def on_answered_prompt_cancel(query: CallbackQuery, lang: str) -> None:
    """✖ Cancel under a question that no longer waits (answered: an order shipped with the
    tracking number given, a reason sent): it says so, and its button goes; nothing changes
    (it is not "Cancelled")."""
    if isinstance(query.message, Message):
        await edit_markup_or_keep(query.message, None)
    await query.answer(t(lang, "prompt.answered_already"), show_alert=True)
