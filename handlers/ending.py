"""Giving up a prompt: "never mind" ends any typed question as /cancel does, and an old ✖
Cancel under a question answered since says so.

While the conversation waits for typed text (any FSM state: a reason to reject an order, a
tracking number, an answer to a customer, an address's city, a product's name), a message
that only gives it up (`asking.drops`: "never mind", "cancel", "forget it", "stop") is not
the answer: the conversation ends (`asking.end_conversation`, keeping the coupon and the
answered questions), nothing changes, and the user is told so, with the menu. It is read
on the root router before any state handler.

At the checkout's coupon question, which is optional, "never mind" and "forget it" drop the
coupon, not the checkout: it goes on to the payment without one; "cancel", "stop" and "I
changed my mind" end it as anywhere else (`asking.drops_only_the_answer`).

A few questions answer a give-up better themselves and keep their own words (`OWN_WORDS`):
the message to the team and the message back to its answer ("nothing was sent"), the
reason of a return ("no return is requested"), and the address's review ("the address was
not saved", the review kept).

A voice note that says only that ("never mind", heard surely: handlers/customer/voice.py)
gives the question up as the typed words do (`give_up_heard`), with what was heard in front:
one that keeps its own words says them, through the same code as its typed give-up.
"""

from __future__ import annotations

from typing import Final, cast

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from engine.accounts import UserView
from engine.shop import Shop
from handlers.customer import address_form, asking, checkout, support
from handlers.customer import orders as customer_orders
from handlers.customer.address_form import AddressForm
from handlers.customer.checkout import Checkout, PaymentConfig
from handlers.customer.orders import AfterSale
from handlers.customer.start import home_menu
from handlers.customer.support import SupportMessage
from handlers.customer.talk import Heard
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
    message: Message,
    state: FSMContext,
    lang: str,
    me: UserView,
    shop: Shop,
    payments: PaymentConfig,
) -> None:
    """ "never mind" while a question waits for typed text: it ends as /cancel ends it; at
    the checkout's coupon question (optional), "never mind" and "forget it" go on without
    a coupon, and only "cancel", "stop" and the like end the checkout."""
    at_coupon = await state.get_state() == Checkout.coupon.state
    if at_coupon and asking.drops_only_the_answer(message.text or ""):
        await checkout.without_coupon(message, lang, state, payments)
        return
    await give_up(message, state, lang, me, shop)


async def give_up(
    message: Message, state: FSMContext, lang: str, me: UserView, shop: Shop, *, heard: str = ""
) -> None:
    """The question waiting ends (`asking.end_conversation`: the coupon and the questions
    answered kept), nothing changed, and the user is told so, with the menu; `heard`: the
    words of the voice note that gave it up, shown in front."""
    await asking.end_conversation(state)
    menu = await home_menu(message, lang, me, shop)
    reply = Heard(message, heard) if heard else message
    await reply.answer(t(lang, "prompt.given_up"), reply_markup=menu)


async def give_up_heard(
    message: Message,
    state: FSMContext,
    waiting: str,
    lang: str,
    me: UserView,
    shop: Shop,
    bot: Bot,
    *,
    heard: str = "",
) -> None:
    """A voice note (or the Yes to "did you say never mind?") that gives up the question
    `waiting` (its state): as the typed words do. A question with its own words (`OWN_WORDS`)
    gives itself up as its typed "never mind" does: the message to the team and the message
    back to its answer ("nothing was sent"), a return's reason ("no return is requested"),
    the address's review (the address kept waiting); any other question ends (`give_up`)."""
    reply = cast(Message, Heard(message, heard)) if heard else message
    if waiting == AddressForm.confirm.state:
        if await address_form.keep_for_review(reply, state, lang):
            return
    elif waiting in (SupportMessage.writing.state, SupportMessage.following.state):
        store = await IsSeller()(message, me=me, shop=shop)
        await support.give_up(reply, state, lang, bot, store=store)
        return
    elif waiting == AfterSale.return_reason.state:
        await customer_orders.give_up_return(reply, state, lang)
        return
    await give_up(message, state, lang, me, shop, heard=heard)


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
