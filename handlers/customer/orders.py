"""My orders: the list, one order, its delivery timeline, cancelling before shipment."""

from __future__ import annotations

import uuid
from enum import StrEnum
from html import escape
from typing import Any, Final

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.aftersales import ReturnQuote
from engine.errors import OrderActNotAllowed, Outdated
from engine.order_actions import OrderAct, PaymentState
from engine.orders import OrderView
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import (
    Menu,
    MenuCb,
    OrderAction,
    OrderCancelCb,
    OrderCb,
    ReturnLineCb,
    ReviewCb,
    ReviewNext,
    ReviewNextCb,
)
from handlers.choices import orders_shown, remember
from handlers.conversation import RETURNED
from handlers.customer import asking
from handlers.customer.asking import Kind, Question
from handlers.customer.checkout import PaymentConfig, after_order
from handlers.i18n import error_text, price, t
from handlers.screen import edit_or_keep, send_below, show
from nlu.numbers import parse_quantity
from nlu.understand import ACTION_VERBS, negated_verb
from storage.vocabulary import OrderPaymentStatus, OrderStatus, PaymentMethod, words


async def order_keys(
    shop: Shop, lang: str, me: UserView, view: OrderView, payments: PaymentConfig | None = None
) -> InlineKeyboardMarkup:
    """An order's buttons: a reviewed line offers to edit its review (the engine says), and a
    card order still waiting for its payment offers to pay."""
    reviewed = await shop.reviews.ratings(me.id, [line.product_id for line in view.lines])
    payable = payments is not None and bool(payments.provider_token) and card_payable(shop, view)
    return kb.order(lang, view, reviewed, payable=payable)


async def _show_order(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    view: OrderView,
    payments: PaymentConfig,
) -> None:
    """The order's card, as it is now, in place of the screen the button was on."""
    await show(
        query,
        render.order(lang, view, payments.bank_details),
        await order_keys(shop, lang, me, view, payments),
    )


def card_payable(shop: Shop, view: OrderView) -> bool:
    """A card order the engine still takes a payment for: pending, not paid, not expired."""
    return (
        view.payment_method == PaymentMethod.card
        and view.status == OrderStatus.pending
        and view.payment_state in (PaymentState.awaiting, PaymentState.failed)
        and (view.expires_at is None or view.expires_at > shop.deps.clock())
    )


async def on_orders_command(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    views = await shop.orders.history(me.id, limit=10)
    await remember(state, orders_shown(views, OrderAct.track.value))  # "the first one"
    text = t(lang, "orders.title") if views else t(lang, "orders.none")
    await message.answer(text, reply_markup=kb.orders(lang, views))


async def on_orders(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    views = await shop.orders.history(me.id, limit=10)
    await remember(state, orders_shown(views, OrderAct.track.value))  # "the first one"
    text = t(lang, "orders.title") if views else t(lang, "orders.none")
    await show(query, text, kb.orders(lang, views))
    await query.answer()


async def on_order(
    query: CallbackQuery,
    callback_data: OrderCb,
    shop: Shop,
    lang: str,
    me: UserView,
    payments: PaymentConfig,
    bot: Bot,
    state: FSMContext,
) -> None:
    order_id = callback_data.id
    if callback_data.action == OrderAction.ask_cancel:  # ask first: what goes back, where to
        view = await shop.orders.get(me.id, order_id)
        if OrderAct.cancel not in view.acts:  # an old button: the order moved on
            await query.answer(t(lang, "error.illegal_transition"), show_alert=True)
            await _show_order(query, shop, lang, me, view, payments)
            return
        # a typed "yes" / "no" answers it as its buttons do (talk.py reads it: asking.py)
        question = await asking.ask(state, cancel_question(view))
        await state.update_data(last_order_id=order_id)
        await show(query, render.cancel_question(lang, view), cancel_keys(lang, view, question))
        await query.answer()
        return
    if callback_data.action == OrderAction.cancel:  # an older button: cancels at once
        view = await shop.orders.cancel(me.id, order_id)
        await _cancelled(query, shop, lang, me, view, payments)
        return
    if callback_data.action == OrderAction.pay:  # the checkout's invoice, once more
        view = await shop.orders.get(me.id, order_id)
        if not card_payable(shop, view):  # paid, cancelled or expired since
            await query.answer(t(lang, "error.outdated")[:200], show_alert=True)
            await _show_order(query, shop, lang, me, view, payments)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await after_order(query.message, bot, lang, view, payments)
        return
    if callback_data.action == OrderAction.track:
        view = await shop.orders.get(me.id, order_id)
        if not view.followed:  # an old button: cancelled since, or still waiting for its money
            stale = OrderActNotAllowed(
                order_id=order_id, act=OrderAct.track.value, status=view.status.value
            )
            await query.answer(error_text(lang, stale)[:200], show_alert=True)
            await _show_order(query, shop, lang, me, view, payments)
            return
        parcels = await shop.shipping.parcels(me.id, order_id)
        await state.update_data(last_order_id=order_id)
        text = render.tracking(lang, order_id, parcels, view.shipments)
        await show(query, text, _back_to_order(lang, order_id))
        await query.answer()
        return
    view = await shop.orders.get(me.id, order_id)
    await state.update_data(last_order_id=order_id)  # "can I send this back?" means it
    await _show_order(query, shop, lang, me, view, payments)
    await query.answer()


class CancelYesCb(CallbackData, prefix="v2rc"):
    """ "Yes, cancel it" under "Cancel order #N?": the order, the payment status that
    question showed (what it said goes back), and the question's key in asking.py, so a
    question answered already (typed or tapped) is not answered again by its old Yes."""

    id: int
    seen: OrderPaymentStatus
    key: str


def cancel_question(view: OrderView) -> Question:
    """ "Cancel order #N?" as asking.py keeps it: the order and its payment status shown."""
    return Question(Kind.cancel, ref=str(view.order_id), seen=view.payment_status.value)


def cancel_keys(lang: str, view: OrderView, question: Question) -> InlineKeyboardMarkup:
    """Under "Cancel order #N?": yes (the engine checks it can still be cancelled, with the
    money as shown), or no (the order again)."""
    yes = CancelYesCb(id=view.order_id, seen=view.payment_status, key=question.key)
    no = OrderCb(action=OrderAction.show, id=view.order_id)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t(lang, "order.cancel.yes"), callback_data=yes.pack()),
                InlineKeyboardButton(text=t(lang, "order.cancel.no"), callback_data=no.pack()),
            ]
        ]
    )


async def on_cancel_asked_yes(
    query: CallbackQuery,
    callback_data: CancelYesCb,
    shop: Shop,
    lang: str,
    me: UserView,
    payments: PaymentConfig,
    state: FSMContext,
) -> None:
    """ "Yes, cancel it" under a question still open: as `on_cancel_yes`. Under a question
    answered already (a typed "no", this Yes tapped before) it says so and changes nothing."""
    if not await asking.answer_once(state, callback_data.key):
        await query.answer(t(lang, "asked.none"))
        return
    view = await shop.orders.cancel(me.id, callback_data.id, seen=callback_data.seen)
    await _cancelled(query, shop, lang, me, view, payments)


async def on_cancel_yes(
    query: CallbackQuery,
    callback_data: OrderCancelCb,
    shop: Shop,
    lang: str,
    me: UserView,
    payments: PaymentConfig,
) -> None:
    """ "Yes, cancel it": the engine cancels only an order whose money stands as the question
    said (and that can still be cancelled); tapped again, it says so and changes nothing."""
    view = await shop.orders.cancel(me.id, callback_data.id, seen=callback_data.seen)
    await _cancelled(query, shop, lang, me, view, payments)


async def _cancelled(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    view: OrderView,
    payments: PaymentConfig,
) -> None:
    await query.answer(cancelled_text(lang, view)[:200], show_alert=True)
    await _show_order(query, shop, lang, me, view, payments)


def cancelled_text(lang: str, view: OrderView) -> str:
    """ "Order #15 is cancelled", with where the money goes when some was refunded."""
    refund = (
        t(lang, "order.refund_note")
        if view.payment_status
        in (OrderPaymentStatus.refunded, OrderPaymentStatus.partially_refunded)
        else ""
    )
    return t(lang, "order.cancelled", order_id=view.order_id, refund=refund)


def _back_to_order(lang: str, order_id: int) -> InlineKeyboardMarkup:
    """Under the tracking: back to the order's page."""
    back = OrderCb(action=OrderAction.show, id=order_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t(lang, "order.back"), callback_data=back)]]
    )


class AfterSale(StatesGroup):
    review_comment = State()
    return_reason = State()
    return_units = State()  # how many of the line go back (typed, or a button)


async def on_review(
    query: CallbackQuery,
    callback_data: ReviewCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Stars first (one tap writes the review), then a comment if the customer asks for one
    ("Add a comment"); text typed meanwhile goes where text always goes. The stars screen
    says what it showed: its buttons change nothing once the review reads otherwise. It is
    answered once: the conversation keeps which product's stars screen is open (the last one
    asked for), and a tap on a screen already answered changes nothing."""
    product_id = callback_data.product_id
    if callback_data.rating == 0:
        mine = await shop.reviews.mine(me.id, product_id)
        cards = await shop.catalog.cards([product_id])
        question = (
            t(lang, "review.stars.of", name=escape(cards[0].name))
            if cards
            else t(lang, "review.stars")
        )
        seen = mine.rating if mine else 0
        await send_below(query, question, kb.stars(product_id, seen))
        # the stars may be typed too ("4", "four stars"), as the next message only
        await state.update_data(review_stars=product_id, stars_typed=[product_id, seen])
        await query.answer()
        return
    if (await state.get_data()).get("review_stars") != product_id:  # answered already
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    said, keys = await rate(
        shop, lang, me, state, product_id, callback_data.rating, callback_data.seen
    )
    await send_below(query, said, keys)
    await query.answer()


async def rate(
    shop: Shop, lang: str, me: UserView, state: FSMContext, product_id: int, stars: int, seen: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The stars given, tapped or typed, written as the product's review (`seen`: the stars
    the question showed), the question answered; the thanks to send, with its buttons."""
    await shop.reviews.write(me.id, product_id, stars, seen=seen)
    # this screen is answered: its buttons are old, and a typed number is no answer to it
    await state.update_data(review_stars=None, stars_typed=None)
    if await state.get_state() == AfterSale.review_comment.state:  # an earlier comment offer
        await state.set_state(None)
    await state.update_data(review_offer=product_id, review_product=None)
    return t(lang, "review.thanks"), _next_keyboard(lang, product_id)


def _next_keyboard(lang: str, product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(lang, "review.add_comment"),
                    callback_data=ReviewNextCb(
                        product_id=product_id, act=ReviewNext.comment
                    ).pack(),
                ),
                InlineKeyboardButton(
                    text=t(lang, "review.done"),
                    callback_data=ReviewNextCb(product_id=product_id, act=ReviewNext.done).pack(),
                ),
            ]
        ]
    )


async def on_review_next(
    query: CallbackQuery, callback_data: ReviewNextCb, lang: str, state: FSMContext
) -> None:
    """ "Add a comment" or "Done" under the thanks. The conversation decides, not the button:
    they act only while it still offers this product's comment (no other step under way);
    otherwise the button is old and nothing changes."""
    product_id = callback_data.product_id
    data = await state.get_data()
    current = await state.get_state()
    offered = data.get("review_offer") == product_id and current is None
    waiting = data.get("review_product") == product_id and current == AfterSale.review_comment.state
    if not (offered or waiting):
        await query.answer(t(lang, "error.outdated")[:200], show_alert=True)
        return
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        await edit_or_keep(message, t(lang, "review.thanks"), None)  # its buttons are used up
    if callback_data.act == ReviewNext.comment:
        await state.set_state(AfterSale.review_comment)
        await state.update_data(review_offer=None, review_product=product_id)
        await send_below(query, t(lang, "review.send_comment"))
    else:
        await state.set_state(None)
        await state.update_data(review_offer=None, review_product=None)
    await query.answer()


async def on_review_comment(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    await shop.reviews.comment(me.id, int(data["review_product"]), (message.text or "")[:2000])
    await state.set_state(None)
    await state.update_data(review_offer=None, review_product=None)
    await message.answer(t(lang, "review.saved"))


# --- a return: how many -> why -> the summary -> ✅ Request the return ---------------------
RETURNING = "returning"  # the return being asked, in the conversation data
#: What says yes to a return's summary besides a bare yes ("ok send it"): asking.read_answer
RETURN_SAYS_YES: Final = (
    "send it", "send", "request it", "request the return", "request return", "return it",
    "submit", "submit it", "confirm it", "envialo", "enviar", "solicitala", "confirmalo",
)  # fmt: skip
MANY_BUTTONS: Final = 8  # up to this many units, one button each; more: 1, all, or typed


class ReturnAct(StrEnum):
    units = "u"
    confirm = "y"
    cancel = "n"


class ReturnStepCb(CallbackData, prefix="v1rt"):
    """A button of the return being asked: how many (`units`), ✅ request it, or ✖ cancel.
    `key` names that return (made when ↩ Return was tapped): a button of another one, or of
    one asked or cancelled already, changes nothing."""

    act: ReturnAct
    key: str
    units: int = 0


def _step(label: str, act: ReturnAct, key: str, units: int = 0) -> InlineKeyboardButton:
    data = ReturnStepCb(act=act, key=key, units=units).pack()
    return InlineKeyboardButton(text=label, callback_data=data)


def _how_many_keyboard(lang: str, key: str, most: int) -> InlineKeyboardMarkup:
    if most <= MANY_BUTTONS:
        numbers = [_step(str(n), ReturnAct.units, key, n) for n in range(1, most + 1)]
    else:
        numbers = [
            _step("1", ReturnAct.units, key, 1),
            _step(t(lang, "return.how_many.all", units=most), ReturnAct.units, key, most),
        ]
    rows = [numbers[i : i + 4] for i in range(0, len(numbers), 4)]
    rows.append([_step(t(lang, "prompt.cancel"), ReturnAct.cancel, key)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _reason_keyboard(lang: str, key: str) -> InlineKeyboardMarkup:
    """✖ Cancel under "Why are you returning it?": this return's own, so an old one tapped
    after the return was asked (or given up) says so, and changes nothing."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[_step(t(lang, "prompt.cancel"), ReturnAct.cancel, key)]]
    )


def _summary_keyboard(lang: str, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _step(t(lang, "return.confirm"), ReturnAct.confirm, key),
                _step(t(lang, "prompt.cancel"), ReturnAct.cancel, key),
            ]
        ]
    )


def _return_summary(lang: str, quote: ReturnQuote, reason: str) -> str:
    lines = "\n".join(f"{x.units} × {escape(x.name)}" for x in quote.lines)
    return t(
        lang,
        "return.summary",
        lines=lines,
        refund=price(quote.refund, quote.currency, lang=lang),
        reason=escape(reason),
    )


async def _returning(state: FSMContext, key: str | None = None) -> dict[str, Any] | None:
    """The return being asked (the one `key` names, when given), or None."""
    found = (await state.get_data()).get(RETURNING)
    if not isinstance(found, dict) or (key is not None and found.get("key") != key):
        return None
    return found


async def _end_return(state: FSMContext) -> None:
    """The return being asked is asked, or given up: its buttons and questions are old."""
    if await state.get_state() in (AfterSale.return_units.state, AfterSale.return_reason.state):
        await state.set_state(None)
    await state.update_data({RETURNING: None})
    await asking.take(state, kinds={Kind.give_back})  # its summary waits for nothing now


def under_return_reason(query: CallbackQuery, lang: str = "en") -> bool:
    """The button is under "Why are you returning it?" (an older one carries no key)."""
    message = query.message
    return isinstance(message, Message) and message.text == t(lang, "return.reason")


async def on_old_return_cancel(query: CallbackQuery, lang: str, state: FSMContext) -> None:
    """The ✖ Cancel (PromptCancelCb) that "Why are you returning it?" had before a return's
    own buttons: it names no return, so it says where this conversation's return stands. One
    waiting for its reason is given up (as ✖ does now); one asked already stays asked, and
    says so; none asked: none is."""
    returning = await _returning(state)
    data = await state.get_data()
    open_now = (
        returning is not None and returning.get("units") is not None and not returning.get("seen")
    ) or bool(data.get("return_line"))
    if open_now:
        await _end_return(state)
        await state.update_data(return_order=None, return_line=None, return_units=None)
        said = t(lang, "return.not_requested")
    elif data.get(RETURNED):
        said = t(lang, "return.already_requested")
    else:
        said = t(lang, "return.not_requested")
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        await edit_or_keep(message, said, None)
    await query.answer(said[:200])


async def on_return_line(
    query: CallbackQuery,
    callback_data: ReturnLineCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """↩ Return under an order's line: how many, when more than one unit can still be asked
    back (the engine's count), then why; a line asked back already (an older card) gets the
    card as it is now."""
    view = await shop.orders.get(me.id, callback_data.order_id)  # NotFound if not theirs
    line = next((x for x in view.lines if x.order_item_id == callback_data.order_item_id), None)
    if line is None:
        await query.answer(t(lang, "error.not_found"), show_alert=True)
        return
    if OrderAct.return_items not in view.acts_of_line(line):  # asked back already, or too late
        await query.answer(t(lang, "error.outdated")[:200], show_alert=True)
        await _show_order(query, shop, lang, me, view, payments)
        return
    most = line.quantity - line.refunded_quantity - line.asked_back
    returning = {
        "key": uuid.uuid4().hex[:12],
        "order": view.order_id,
        "line": line.order_item_id,
        "name": line.name,
        "most": most,
        "units": 1 if most == 1 else None,
    }
    await state.update_data({RETURNING: returning})
    if most > 1:
        await state.set_state(AfterSale.return_units)
        await send_below(
            query,
            t(lang, "return.how_many", name=escape(line.name), most=most),
            _how_many_keyboard(lang, str(returning["key"]), most),
        )
    else:
        await state.set_state(AfterSale.return_reason)
        await send_below(
            query, t(lang, "return.reason"), _reason_keyboard(lang, str(returning["key"]))
        )
    await query.answer()


def read_units(text: str) -> int | None:
    """A count typed for "how many": "2", "two", "2 please", "all"; None for anything else
    (0 stays 0: the caller says the range)."""
    said = [w for w in words(text) if w not in _POLITE and w not in {"of", "them", "units"}]
    if said in (["all"], ["todos"], ["todas"], ["everything"], ["todo"]):
        return -1  # all of them
    if said == ["0"] or said == ["zero"]:
        return 0
    return parse_quantity(" ".join(said)) if said else None


async def on_return_units_typed(message: Message, lang: str, state: FSMContext) -> None:
    """How many, typed: a count in range goes on to why; a no asks for nothing; anything
    else asks again (nothing changes)."""
    returning = await _returning(state)
    if returning is None or returning.get("units") is not None:
        await state.set_state(None)
        await message.answer(t(lang, "stray_text"))
        return
    text, most = message.text or "", int(returning["most"])
    if declines(text):
        await _end_return(state)
        await message.answer(t(lang, "return.not_requested"))
        return
    units = read_units(text)
    units = most if units == -1 else units
    if units is None or not 1 <= units <= most:
        await message.answer(
            t(lang, "return.how_many.again", most=most),
            reply_markup=_how_many_keyboard(lang, str(returning["key"]), most),
        )
        return
    await state.update_data({RETURNING: returning | {"units": units}})
    await state.set_state(AfterSale.return_reason)
    await message.answer(
        t(lang, "return.reason"), reply_markup=_reason_keyboard(lang, str(returning["key"]))
    )


async def on_return_step(
    query: CallbackQuery,
    callback_data: ReturnStepCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    payments: PaymentConfig,
) -> None:
    """A button of the return being asked: a count (then why), ✅ (the engine asks back
    what the summary showed, or nothing: `seen`), ✖ (nothing is asked). The button of a
    return asked, cancelled or replaced since, or tapped twice, changes nothing."""
    returning = await _returning(state, callback_data.key)
    act = callback_data.act
    step_open = (
        returning is not None
        and {
            ReturnAct.units: returning.get("units") is None,  # not counted yet
            ReturnAct.confirm: bool(returning.get("seen")),  # its summary is shown
            ReturnAct.cancel: True,
        }[act]
    )
    if returning is None or not step_open:
        # a button of the return asked since (✖ under its reason, ✅ again): it was asked
        requested = (await state.get_data()).get(RETURNED) == callback_data.key
        await query.answer(t(lang, "return.already_requested" if requested else "stale_button"))
        return
    message = query.message if isinstance(query.message, Message) else None
    if act == ReturnAct.cancel:
        await _end_return(state)
        if message is not None and message.text is not None:
            await edit_or_keep(message, t(lang, "return.not_requested"), None)
        await query.answer()
        return
    if act == ReturnAct.units:
        most = int(returning["most"])
        if not 1 <= callback_data.units <= most:
            await query.answer(t(lang, "stale_button"))
            return
        await state.update_data({RETURNING: returning | {"units": callback_data.units}})
        await state.set_state(AfterSale.return_reason)
        if message is not None and message.text is not None:
            chosen = t(
                lang,
                "return.how_many.chosen",
                name=escape(str(returning["name"])),
                units=callback_data.units,
            )
            await edit_or_keep(message, chosen, None)
        await send_below(query, t(lang, "return.reason"), _reason_keyboard(lang, callback_data.key))
        await query.answer()
        return
    try:
        await _request(shop, me, state, returning)  # ✅: once; a second tap finds nothing
    except Outdated:  # asked back or refunded since the summary was shown
        await query.answer(t(lang, "error.outdated")[:200], show_alert=True)
        view = await shop.orders.get(me.id, int(returning["order"]))
        await _show_order(query, shop, lang, me, view, payments)
        return
    if message is not None and message.text is not None:
        await edit_or_keep(message, message.html_text + "\n\n" + t(lang, "return.requested"))
    await query.answer()


async def _request(shop: Shop, me: UserView, state: FSMContext, returning: dict[str, Any]) -> None:
    """Ask the seller for the return the summary showed (`seen`; else Outdated), once."""
    await _end_return(state)
    await shop.returns.request(
        me.id,
        int(returning["order"]),
        {int(returning["line"]): int(returning["units"])},
        str(returning["reason"]),
        seen=str(returning["seen"]),
    )
    await state.update_data({RETURNED: returning["key"]})


async def answer_return(
    message: Message, key: str, yes: bool, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """A typed answer to the return's summary (asking.py): yes asks it back as ✅ does, no
    gives it up as ✖ does; a summary answered already says so, and nothing changes."""
    returning = await _returning(state, key)
    if returning is None or not returning.get("seen"):
        requested = (await state.get_data()).get(RETURNED) == key
        await message.answer(t(lang, "return.already_requested" if requested else "asked.none"))
        return
    if not yes:
        await _end_return(state)
        await message.answer(t(lang, "return.not_requested"))
        return
    try:
        await _request(shop, me, state, returning)
    except Outdated:
        view = await shop.orders.get(me.id, int(returning["order"]))
        await message.answer(
            t(lang, "error.outdated") + "\n\n" + render.order(lang, view),
            reply_markup=await order_keys(shop, lang, me, view),
        )
        return
    await message.answer(t(lang, "return.requested"))


#: Whole answers (or their first clause) that decline the question instead of giving a reason,
#: as `storage.vocabulary.words` reads them, with the polite words (`_POLITE`) left out.
_REFUSALS: Final = frozenset(
    tuple(phrase.split())
    for phrase in (
        "no", "nah", "nope", "no no", "never mind", "nevermind", "nvm", "cancel", "cancel it",
        "cancel that", "stop", "abort", "quit", "skip", "forget it", "forget about it",
        "forget that", "don't", "no don't", "changed my mind", "i changed my mind",
        "i've changed my mind", "not anymore", "keep it", "i'll keep it", "no return",
        "no refund", "don't return it", "don't bother",
        # es
        "nada", "cancelar", "cancela", "cancelalo", "para", "olvidalo", "olvidate", "dejalo",
        "da igual", "ya no", "mejor no", "cambie de opinion", "me lo quedo", "no lo devuelvo",
    )
)  # fmt: skip
_POLITE: Final = frozenset(
    {"actually", "oh", "ok", "okay", "please", "thanks", "thank", "you", "sorry", "well", "um",
     "hmm", "then", "just", "so", "gracias", "perdon", "bueno", "vale"}
)  # fmt: skip
#: The verbs (and the bare declines) the language layer reads as "I am not returning it":
#: "don't return it", "actually never mind, no refund needed", "I'll keep it".
_NOT_RETURNING: Final = frozenset({*ACTION_VERBS["return_order"], "decline", "ignore"})


def declines(text: str) -> bool:
    """Whether an answer to "Why are you returning it?" says no rather than why: "no",
    "never mind, keep it", "don't return it". A reason that merely contains "no" ("no sound at
    all") is a reason."""
    first = text.replace(";", ",").replace(".", ",").replace("!", ",").split(",", 1)[0]
    whole, head = (tuple(w for w in words(x) if w not in _POLITE) for x in (text, first))
    if whole in _REFUSALS or (head in _REFUSALS and head != ("no",)) or asking.drops(text):
        return True
    return negated_verb(text) in _NOT_RETURNING


async def on_return_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """The reason; then what goes back, how many and the refund, to confirm (nothing is
    asked yet). An answer that says no asks for nothing."""
    returning = await _returning(state)
    data = await state.get_data()
    if returning is None and data.get("return_line"):  # asked before "how many" existed
        returning = {
            "key": uuid.uuid4().hex[:12],
            "order": data["return_order"],
            "line": data["return_line"],
            "units": data.get("return_units") or 1,
        }
        await state.update_data(return_order=None, return_line=None, return_units=None)
    await state.set_state(None)
    if returning is None or returning.get("units") is None:
        await message.answer(t(lang, "stray_text"))
        return
    text = (message.text or "").strip()
    if declines(text):
        await give_up_return(message, state, lang)
        return
    reason = text[:2000] or "-"
    order, line, units = int(returning["order"]), int(returning["line"]), int(returning["units"])
    quote = await shop.returns.quote(me.id, order, {line: units})
    await state.update_data({RETURNING: returning | {"reason": reason, "seen": quote.version}})
    # a typed "ok send it" answers it as ✅ does (talk.py reads it: asking.py)
    await asking.ask(state, Question(Kind.give_back, ref=str(returning["key"])))
    await message.answer(
        _return_summary(lang, quote, reason), reply_markup=_summary_keyboard(lang, returning["key"])
    )


async def give_up_return(reply: Message, state: FSMContext, lang: str) -> None:
    """ "never mind" (typed, or said: handlers/ending.py) to "Why are you returning it?": the
    return waiting for its reason is given up, nothing is asked, and the customer is told so
    (`reply`: the customer's message, or the voice note's wrapper that puts what was heard
    in front)."""
    await _end_return(state)
    await state.update_data(return_order=None, return_line=None, return_units=None)
    await reply.answer(t(lang, "return.not_requested"))


def build_router() -> Router:
    router = Router(name="customer.orders")
    router.message.register(on_orders_command, Command("orders"))
    router.callback_query.register(on_orders, MenuCb.filter(F.to == Menu.orders))
    router.callback_query.register(on_order, OrderCb.filter())
    router.callback_query.register(on_cancel_asked_yes, CancelYesCb.filter())
    router.callback_query.register(on_cancel_yes, OrderCancelCb.filter())  # in older chats
    router.callback_query.register(on_review, ReviewCb.filter())
    router.callback_query.register(on_review_next, ReviewNextCb.filter())
    router.message.register(
        on_review_comment, AfterSale.review_comment, F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(on_return_line, ReturnLineCb.filter())
    router.callback_query.register(on_return_step, ReturnStepCb.filter())
    router.message.register(
        on_return_units_typed, AfterSale.return_units, F.text, ~F.text.startswith("/")
    )
    router.message.register(
        on_return_reason, AfterSale.return_reason, F.text, ~F.text.startswith("/")
    )
    return router
