"""The seller's orders: paged lists (to confirm, to ship, shipped, returns), one card per
parcel with where it goes and what it holds, edited in place after every step to show the
new state with only the buttons that state allows (engine.fulfilment.seller_steps).

Ship asks for the parcel's tracking number as the engine says it is used
(`ParcelCard.tracking`): a delivery to the customer's address always has one; a parcel for a
pickup point whose provider tracks parcels is asked for one, with "Ship without a number"
under the question (typed "none" says the same); one whose provider tracks nothing ships at
the tap, and the customer is told where to collect it.

Typed, in the seller's chat: "confirm it", "ship order 15", "packed this one", "reject #15",
"out for delivery", "mark it delivered" (a pickup point's parcel: "ready for collection", "it
was collected"), read by nlu.order_steps, take the same steps on the seller's parcel of the
order named, or of the card shown last (`OPEN_CARD`, kept in the conversation while no
question waits), with the same answers and the same questions (Ship asks the tracking
number, Reject the reason): `take_step`. Said in a voice note with no question waiting, the
step is offered first ("Ship order #15?", `step_offer`) and taken only after that offer's
Yes, on the parcel as it is then (handlers/customer/voice.py hears the note).

Said in a voice note at the tracking number's question, the words are offered back and used
only after that offer's Yes (`asked_now`, `send_spoken`: handlers/customer/voice.py hears the
note and makes the offer); a typed number reaches the engine whole, however long."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape, unescape
from typing import Any, Final

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.errors import DomainError, NotFound
from engine.fulfilment import (
    MILESTONE_OF_STEP,
    Done,
    ParcelCard,
    ParcelPage,
    Queue,
    ReturnCard,
    ReturnPage,
    Step,
)
from engine.shipping import SEQUENCE, TrackingNumber
from engine.shop import Shop
from engine.transitions import E
from handlers import keyboards as main_kb
from handlers.callbacks import ReturnCb, ShipmentAction, ShipmentCb
from handlers.conversation import end_conversation
from handlers.i18n import error_text, price, t
from handlers.render import milestone, state_key
from handlers.screen import NOT_MODIFIED, edit_or_keep, send_below, show
from handlers.seller import keyboards as kb
from handlers.seller.cb import (
    DECISION_OF,
    STEP_OF_ACTION,
    NoticeParcelCb,
    OrdersCb,
    OrdersView,
    ParcelCb,
    ReturnCardCb,
    ShipWithoutNumberCb,
)
from nlu.order_steps import OrderStep, StepSaid, read_order_step
from storage.vocabulary import OrderStatus, PaymentMethod, ShipmentStatus, TrackingStatus

PAGE_SIZE = 8
RETURNS_PAGE_SIZE = 5
ASKED = {ShipmentAction.ship, ShipmentAction.reject}  # a tracking number or a reason first
#: typed instead of a tracking number: the parcel has none (a pickup point's may go without)
NO_NUMBER = frozenset(
    {"none", "no", "skip", "-", "no number", "no tracking", "no tracking number", "without",
     "ninguno", "ninguna", "no hay", "no tiene", "sin número", "sin numero", "sin seguimiento"}
)  # fmt: skip


class Ship(StatesGroup):
    tracking = State()
    reject_reason = State()
    refuse_return = State()  # why a return is refused: the customer reads it


# --- the parcel card -------------------------------------------------------------------------
def _address(card: ParcelCard) -> str:
    """Where the parcel goes: the pickup point the customer collects it from, or their
    address; with who and a phone number either way."""
    a = card.address
    if a.get("pickup"):  # collected at a pickup point: the home address is not where it goes
        parts = [a.get("recipient"), a.get("pickup")]
    else:
        parts = [a.get("recipient"), a.get("street"), a.get("city"), a.get("state")]
        parts += [a.get("postal_code"), a.get("country")]
    line = ", ".join(escape(p) for p in parts if p)
    phone = a.get("phone")
    return f"{line} · ☎ {escape(phone)}" if phone else line


def parcel_text(lang: str, card: ParcelCard) -> str:
    if card.order_status == OrderStatus.cancelled or card.status == ShipmentStatus.failed:
        state = t(lang, "seller.card.cancelled")
    elif card.last_milestone is not None:  # a pickup point's: ready for collection, collected
        state = milestone(lang, card.last_milestone.value, card.pickup_address)
    elif card.steps:
        state = t(lang, "seller.card.new")
    else:
        state = t(lang, state_key("status", card.order_status.value, card.pickup_address))
    lines = "\n".join(
        t(
            lang,
            "seller.card.line",
            quantity=line.quantity,
            name=escape(line.name),
            amount=price(card.listed(line), card.currency, lang=lang),  # the catalogue price
        )
        for line in card.lines
    )
    if card.coupon_share:  # what the coupon took off these lines: its own line, not hidden
        lines += "\n" + t(
            lang,
            "seller.card.coupon",
            code=escape(card.coupon_code or ""),
            amount=price(card.coupon_share, card.currency, lang=lang),
        )
    method = t(lang, f"seller.card.method.{card.payment_method.value}")
    text = t(
        lang,
        "seller.card",
        order_id=card.order_id,
        state=state,
        customer=escape(card.customer or "—"),
        address=_address(card) or "—",
        provider=escape(card.provider or "—"),
        method=method,
        lines=lines,
        amount=price(card.amount, card.currency, lang=lang),
    )
    if card.tracking_number:
        text += "\n" + t(lang, "seller.card.tracking", tracking=escape(card.tracking_number))
    if card.payment_method == PaymentMethod.cod and card.steps:
        if card.collect is not None:
            if card.shipping_share:  # the lines that make the amount: your part + shipping
                share = price(card.shipping_share, card.currency, lang=lang)
                text += "\n" + t(lang, "seller.card.shipping_share", amount=share)
            collect = price(card.collect, card.currency, lang=lang)
            text += "\n" + t(lang, "seller.card.collect", amount=collect)
        else:
            text += "\n" + t(lang, "seller.card.cod")
    return text


async def on_parcel(
    query: CallbackQuery,
    callback_data: ParcelCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    card = await shop.fulfilment.card(me.id, callback_data.id)
    await show(query, parcel_text(lang, card), kb.parcel(lang, card, callback_data.view))
    shown = query.message if isinstance(query.message, Message) else None
    if shown is not None and shown.text is not None:  # a photo's card comes below: not known
        await remember_card(state, card, shown)
    await query.answer()


async def on_notice_parcel(
    query: CallbackQuery,
    callback_data: NoticeParcelCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """ "Open the order" under a seller's notice: its card as it is now (a cancelled order
    too, with no steps), sent below so the notice stays."""
    card = await shop.fulfilment.card(me.id, callback_data.id)
    await remember_card(
        state, card, await send_below(query, parcel_text(lang, card), kb.parcel(lang, card))
    )
    await query.answer()


async def open_order_parcel(
    query: CallbackQuery,
    shop: Shop,
    lang: str,
    me: UserView,
    order_id: int,
    state: FSMContext | None = None,
) -> None:
    """An older notice's "Open the order" (it names the order, not the seller's parcel of
    it), tapped by the order's seller: the seller's card of its parcel, as `on_notice_parcel`
    sends it (a cancelled order's card says so); with `state`, it is the card open."""
    card = await shop.fulfilment.card_of_order(me.id, order_id)
    sent = await send_below(query, parcel_text(lang, card), kb.parcel(lang, card))
    if state is not None:
        await remember_card(state, card, sent)
    await query.answer()


async def on_shipment_ask(
    query: CallbackQuery,
    callback_data: ShipmentCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Ship and Reject show the card's order first (the engine says whose it is) and ask for
    the tracking number or the reason; a parcel for a pickup point whose provider tracks
    nothing is shipped at once, with no question."""
    step = STEP_OF_ACTION[callback_data.action]
    message = query.message if isinstance(query.message, Message) else None
    card = await shop.fulfilment.card(me.id, callback_data.id)
    if step not in card.steps:  # a stale card: show it as it is now
        if message is not None:
            await edit_or_keep(message, parcel_text(lang, card), kb.parcel(lang, card))
        await query.answer(unchanged(lang, card))
        return
    if step == Step.ship and card.tracking == TrackingNumber.unused:
        done = await shop.fulfilment.act(me.id, card.shipment_id, Step.ship)
        if message is not None:
            await edit_or_keep(message, parcel_text(lang, done.card), kb.parcel(lang, done.card))
        await query.answer(_shipped(lang, done, html=False)[:200])
        return
    await state.set_state(Ship.tracking if step == Step.ship else Ship.reject_reason)
    await state.update_data(
        shipment_id=card.shipment_id,
        card_message=message.message_id if message is not None else 0,
    )
    if message is not None:
        customer = escape(card.customer or "—")
        if step == Step.reject:
            ask = t(lang, "seller.order.reject_ask", order_id=card.order_id, customer=customer)
            await message.answer(ask, reply_markup=main_kb.prompt_cancel(lang))
        else:
            asked = await message.answer(
                _tracking_ask(lang, card), reply_markup=kb.tracking_question(lang, card)
            )
            await state.update_data({TRACKING_PROMPT: asked.message_id})
    await query.answer()


def _tracking_ask(lang: str, card: ParcelCard) -> str:
    """The question for a parcel's tracking number; for a pickup point's, that it may go
    without one."""
    customer = escape(card.customer or "—")
    if card.tracking == TrackingNumber.required:
        return t(lang, "seller.order.tracking_ask", order_id=card.order_id, customer=customer)
    return t(
        lang,
        "seller.order.tracking_ask_pickup",
        order_id=card.order_id,
        customer=customer,
        place=escape(card.pickup_address or "—"),
    )


def _shipped(lang: str, done: Done, *, html: bool = True) -> str:
    """What the seller is told after Ship: shipped (with its number, or, for a pickup point
    with none, where the customer collects it), or that nothing changed. `html` False: for a
    tap's answer, which Telegram shows as plain text (no escaping)."""
    card = done.card
    quote = escape if html else str
    if not done.changed:
        return unchanged(lang, card)
    if card.tracking_number:
        return t(
            lang,
            "seller.said.shipped",
            order_id=card.order_id,
            tracking=quote(card.tracking_number),
        )
    return t(
        lang,
        "seller.said.shipped_to_pickup",
        order_id=card.order_id,
        place=quote(card.pickup_address or "—"),
    )


#: the steps of a parcel before it leaves: asked of one that has left, it is shipped already
BEFORE_LEAVING: Final = frozenset({Step.confirm, Step.pack, Step.ship, Step.reject})


def unchanged(lang: str, card: ParcelCard, step: Step = Step.ship) -> str:
    """A step that changed nothing: the parcel is shipped already (a step of before it
    leaves), has not come that far yet (a delivery step said of a parcel still here), or had
    moved on (as the card's buttons say)."""
    if TrackingStatus.shipped in card.milestones and step in BEFORE_LEAVING:
        return t(lang, "seller.said.shipped_already", order_id=card.order_id)
    if card.steps and step in MILESTONE_OF_STEP:  # milestones: recorded, in SEQUENCE's order
        reached = SEQUENCE.index(card.milestones[-1]) if card.milestones else -1
        if SEQUENCE.index(MILESTONE_OF_STEP[step]) > reached:
            return t(lang, "seller.said.not_yet", order_id=card.order_id)
    return t(lang, "seller.said.moved_on", order_id=card.order_id)


async def on_shipment_step(
    query: CallbackQuery,
    callback_data: ShipmentCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Every other step on a parcel card happens at once; the card shows the new state."""
    step = STEP_OF_ACTION[callback_data.action]
    done = await shop.fulfilment.act(me.id, callback_data.id, step)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, parcel_text(lang, done.card), kb.parcel(lang, done.card))
        await remember_card(state, done.card, query.message)
    await query.answer(unescape(step_said(lang, done, step))[:200])  # an answer is plain text


def step_said(lang: str, done: Done, step: Step) -> str:
    """What the seller is told after a step taken at once (not Ship nor Reject), in HTML:
    marked so (a pickup point's parcel: ready for collection there, or collected), or that
    the parcel had moved on."""
    card = done.card
    if not done.changed:
        return t(lang, "seller.said.moved_on", order_id=card.order_id)
    place = card.pickup_address
    key = state_key("seller.said", step.value, place)
    return t(lang, key, order_id=card.order_id, place=escape(place or "—"))


async def _edit_card(message: Message, state: FSMContext, lang: str, card: ParcelCard) -> None:
    """Show the card the prompt was for in its new state, where it is in the chat."""
    card_message = int((await state.get_data()).get("card_message", 0))
    if card_message and message.bot is not None:
        try:
            await message.bot.edit_message_text(
                text=parcel_text(lang, card),
                chat_id=message.chat.id,
                message_id=card_message,
                reply_markup=kb.parcel(lang, card),
            )
        except TelegramBadRequest:  # the card is gone or shows this already: a new one below
            await message.answer(parcel_text(lang, card), reply_markup=kb.parcel(lang, card))


async def on_tracking(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """The tracking number typed for the parcel asked about; "none" (`NO_NUMBER`) ships it
    without one, which the engine allows for a pickup point's parcel only (a delivery is
    refused). Anything else is the number, whole, which the engine refuses when it cannot be
    one (a sentence: "I don't have one yet", a paste too long). Refused, the question keeps
    waiting and the card stays as it was."""
    await _ship_with(message, (message.text or "").strip(), shop, lang, me, state)


#: The conversation's key of the tracking number's question (its message): a voice note's
#: words offered for one question are never used for another.
TRACKING_PROMPT: Final = "tracking_prompt"


def asked_now(data: Mapping[str, Any]) -> str:
    """Which tracking number is asked now: the parcel's, and the question's message."""
    return f"{data.get('shipment_id')}:{data.get(TRACKING_PROMPT)}"


async def send_spoken(
    reply: Message,
    text: str,
    key: int,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
    *,
    store: bool,
    replayed: bool,
) -> None:
    """A voice note's words, offered back at the tracking number's question and used with
    its Yes (handlers/customer/voice.py, `SPOKEN`), as the typed number is, without the full
    stop a transcript ends with. The Yes was answered already, so a refusal comes as a
    message; the question keeps waiting."""
    del key, bot, store, replayed  # what a message sent needs; a tracking number does not
    try:
        await _ship_with(reply, text.strip().rstrip(".!?").strip(), shop, lang, me, state)
    except DomainError as refused:
        await reply.answer(error_text(lang, refused))


async def _ship_with(
    message: Message, typed: str, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """Ship the parcel asked about with the words given (see `on_tracking`)."""
    data = await state.get_data()
    shipment_id = int(data.get("shipment_id", 0))
    said = " ".join(typed.casefold().rstrip(".!").split())
    number = None if said in NO_NUMBER else typed
    done = await shop.fulfilment.act(me.id, shipment_id, Step.ship, number)
    await _edit_card(message, state, lang, done.card)
    await end_conversation(state)
    await remember_card(state, done.card, int(data.get("card_message", 0)))
    await message.answer(_shipped(lang, done))


async def on_ship_without_number(
    query: CallbackQuery,
    callback_data: ShipWithoutNumberCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """ "Ship without a number" under the tracking number's question: the parcel ships with
    none (the engine refuses it for a delivery to the customer's address). Tapped again, or
    after the parcel left some other way, it changes nothing and says it is shipped already."""
    done = await shop.fulfilment.act(me.id, callback_data.id, Step.ship)
    message = query.message if isinstance(query.message, Message) else None
    asked = await state.get_state() == Ship.tracking.state
    if asked and int((await state.get_data()).get("shipment_id", 0)) == callback_data.id:
        if message is not None:  # this question's card shows the new state
            await _edit_card(message, state, lang, done.card)
        await end_conversation(state)  # answered, or moot: the parcel has left
    elif done.changed and message is not None:  # an older question's: the card comes below
        await message.answer(parcel_text(lang, done.card), reply_markup=kb.parcel(lang, done.card))
    if not done.changed:
        await query.answer(unchanged(lang, done.card))
        return
    if message is not None:
        await message.answer(_shipped(lang, done))
    await query.answer()


async def on_reject_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    done = await shop.fulfilment.reject(
        me.id, int(data.get("shipment_id", 0)), (message.text or "").strip()[:500]
    )
    await _edit_card(message, state, lang, done.card)
    await end_conversation(state)
    await remember_card(state, done.card, int(data.get("card_message", 0)))
    await message.answer(rejected_said(lang, done))


def rejected_said(lang: str, done: Done) -> str:
    """What the seller is told after refusing its part: cancelled, and the customer refunded
    only when the engine says money went back (`Done.refunded`); a refund still on its way
    says so, and nothing paid (cash on delivery) says there was nothing to refund."""
    order_id = done.card.order_id
    if not done.changed:
        return t(lang, "seller.said.moved_on", order_id=order_id)
    if done.refund_due:
        return t(lang, "seller.order.rejected_refund_due", order_id=order_id)
    if done.refunded:
        return t(lang, "seller.order.rejected", order_id=order_id)
    return t(lang, "seller.order.rejected_unpaid", order_id=order_id)


# --- steps in words: "confirm it", "ship order 15", "mark it delivered" -----------------------
#: the conversation's keys for the parcel card shown last (a shipment id) and its message
OPEN_CARD: Final = "seller_card"
OPEN_CARD_MESSAGE: Final = "seller_card_message"


async def step_in(text: str, state: FSMContext, shop: Shop, me: UserView) -> StepSaid | None:
    """The step a seller's words take (nlu.order_steps), or None when they are something
    else. "confirm it" with no card open and a full cart is the customer's checkout, left to
    it."""
    said = read_order_step(text)
    if said is None:
        return None
    undecided = said.step == OrderStep.confirm and said.order_id is None
    if (
        undecided
        and not (await state.get_data()).get(OPEN_CARD)
        and (await shop.carts.view(me.id)).lines
    ):
        return None
    return said


class SaysOrderStep(Filter):
    """A seller's text read as a step on a parcel (`step_in`), handed on as `said`."""

    async def __call__(
        self, message: Message, state: FSMContext, shop: Shop, me: UserView
    ) -> bool | dict[str, Any]:
        said = await step_in(message.text or "", state, shop, me)
        return False if said is None else {"said": said}


async def remember_card(state: FSMContext, card: ParcelCard, message: Message | int | None) -> None:
    """The card just shown (in `message`, or its id) is the one "it" means in what the
    seller types next."""
    shown = message.message_id if isinstance(message, Message) else message or 0
    await state.update_data({OPEN_CARD: card.shipment_id, OPEN_CARD_MESSAGE: shown})


async def forget_card(state: FSMContext) -> None:
    await state.update_data({OPEN_CARD: 0, OPEN_CARD_MESSAGE: 0})


async def parcel_said(
    said: StepSaid, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> ParcelCard | str:
    """The seller's parcel the words name: of the order numbered, or of the card open; or,
    when there is none, what the seller is told instead (nothing changes): which order, when
    none is named and no card is open; that the order named has no parcel of theirs."""
    opened = int((await state.get_data()).get(OPEN_CARD) or 0)
    try:
        if said.order_id is not None:
            return await shop.fulfilment.card_of_order(me.id, said.order_id)
        if opened:
            return await shop.fulfilment.card(me.id, opened)
    except NotFound:
        if said.order_id is not None:
            return t(lang, "seller.typed.not_yours", order_id=said.order_id)
        await forget_card(state)  # the card open is no parcel of the seller's any more
    return t(lang, "seller.typed.which")


def step_of(said: StepSaid) -> Step:
    """The engine's step the words name."""
    return Step(said.step.value)


async def on_typed_step(
    message: Message, said: StepSaid, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """A typed step on the seller's parcel of the order named, or of the card open: what the
    card's button does, with its answer (`take_step`)."""
    card = await parcel_said(said, shop, lang, me, state)
    if isinstance(card, str):
        await message.answer(card)
        return
    await take_step(message, card, step_of(said), shop, lang, me, state)


def step_offer(lang: str, card: ParcelCard, step: Step) -> str:
    """A step heard in a voice note, asked about before it is taken: "Ship order #15?", in
    the card's words (a pickup point's parcel is made ready for collection, then collected)."""
    key = state_key("seller.spoken.step", step.value, card.pickup_address)
    asked = t(lang, key, order_id=card.order_id, place=escape(card.pickup_address or "—"))
    return asked + " " + t(lang, "seller.spoken.step.until")


async def take_step(
    message: Message,
    card: ParcelCard,
    step: Step,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """`step` in words (typed, or heard and then said Yes to) on `card` as the engine shows
    it now: what the card's button does, with its answer. A step the parcel has taken, or can
    no longer take, changes nothing and says where it stands. Ship asks for the tracking
    number and Reject for the reason, under the card, as their buttons do."""
    data = await state.get_data()
    opened = int(data.get(OPEN_CARD) or 0)
    shown = int(data.get(OPEN_CARD_MESSAGE) or 0) if card.shipment_id == opened else 0
    if step not in card.steps:  # a stale or repeated step: where the parcel stands
        await _answer_with_card(message, state, lang, card, unchanged(lang, card, step), shown)
        return
    if step not in (Step.ship, Step.reject):
        done = await shop.fulfilment.act(me.id, card.shipment_id, step)
        await _answer_with_card(message, state, lang, done.card, step_said(lang, done, step), shown)
        return
    if step == Step.ship and card.tracking == TrackingNumber.unused:
        done = await shop.fulfilment.act(me.id, card.shipment_id, Step.ship)
        await _answer_with_card(message, state, lang, done.card, _shipped(lang, done), shown)
        return
    if not shown:  # the question comes under the card it is about
        card_message = await message.answer(
            parcel_text(lang, card), reply_markup=kb.parcel(lang, card)
        )
        shown = card_message.message_id
    await state.set_state(Ship.tracking if step == Step.ship else Ship.reject_reason)
    await state.update_data(shipment_id=card.shipment_id, card_message=shown)
    if step == Step.ship:
        asked = await message.answer(
            _tracking_ask(lang, card), reply_markup=kb.tracking_question(lang, card)
        )
        await state.update_data({TRACKING_PROMPT: asked.message_id})
    else:
        customer = escape(card.customer or "—")
        ask = t(lang, "seller.order.reject_ask", order_id=card.order_id, customer=customer)
        await message.answer(ask, reply_markup=main_kb.prompt_cancel(lang))


async def _answer_with_card(
    message: Message, state: FSMContext, lang: str, card: ParcelCard, said: str, shown: int
) -> None:
    """After a typed step: the card open shows the parcel as it is now, in place, and `said`
    comes below; with no card open (or one gone from the chat), `said` and the card come
    together, and that card is the open one from now on."""
    if shown and message.bot is not None:
        try:
            await message.bot.edit_message_text(
                text=parcel_text(lang, card),
                chat_id=message.chat.id,
                message_id=shown,
                reply_markup=kb.parcel(lang, card),
            )
        except TelegramBadRequest as exc:
            shown = shown if NOT_MODIFIED in exc.message else 0
        if shown:
            await message.answer(said)
            await remember_card(state, card, shown)
            return
    sent = await message.answer(
        said + "\n\n" + parcel_text(lang, card), reply_markup=kb.parcel(lang, card)
    )
    await remember_card(state, card, sent)


# --- the lists -------------------------------------------------------------------------------
def orders_screen(lang: str, page: ParcelPage) -> tuple[str, InlineKeyboardMarkup]:
    view = OrdersView(page.queue.value)
    title = t(
        lang,
        "seller.orders.title",
        view=t(lang, f"seller.orders.name.{view.value}"),
        count=page.total,
        page=page.page,
        pages=page.pages,
    )
    lines = [title]
    for card in page.cards:
        summary = t(
            lang,
            "seller.orders.item",
            order_id=card.order_id,
            customer=escape(card.customer or "—"),
            items=", ".join(f"{line.quantity} × {escape(line.name)}" for line in card.lines),
            amount=price(card.amount, card.currency, lang=lang),
        )
        lines.append(summary)
    if not page.cards:
        lines.append(t(lang, "seller.orders.empty"))
    return "\n".join(lines), kb.orders(lang, page)


def returns_screen(
    lang: str, page: ReturnPage, counts: dict[Queue, int]
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        t(
            lang,
            "seller.orders.title",
            view=t(lang, "seller.orders.name.returns"),
            count=page.total,
            page=page.page,
            pages=page.pages,
        )
    ]
    for card in page.cards:
        ret = card.ret
        lines.append(
            t(
                lang,
                "seller.returns.item",
                return_id=ret.return_id,
                order_id=ret.order_id,
                reason=escape(ret.reason),
            )
        )
    if not page.cards:
        lines.append(t(lang, "seller.returns.none"))
    return "\n".join(lines), kb.returns(lang, page, counts)


async def orders_page(
    shop: Shop, lang: str, me: UserView, view: OrdersView | None, page: int = 1
) -> tuple[str, InlineKeyboardMarkup]:
    """The screen of one list; with no list chosen, the first that has something in it."""
    chosen = Queue(view.value) if view is not None else Queue.to_confirm
    found = await shop.fulfilment.queue(me.id, chosen, page, PAGE_SIZE)
    if view is None:
        first = next((q for q in Queue if found.counts.get(q)), Queue.to_confirm)
        if first != chosen:
            chosen = first
            if first != Queue.returns:
                found = await shop.fulfilment.queue(me.id, chosen, page, PAGE_SIZE)
    if chosen == Queue.returns:
        returns = await shop.fulfilment.waiting_returns(me.id, page, RETURNS_PAGE_SIZE)
        return returns_screen(lang, returns, found.counts)
    return orders_screen(lang, found)


async def on_orders(
    query: CallbackQuery,
    callback_data: OrdersCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    text, markup = await orders_page(shop, lang, me, callback_data.view, callback_data.page)
    await show(query, text, markup)
    if isinstance(query.message, Message) and query.message.text is not None:
        await forget_card(state)  # the card became this list: "it" names no parcel now
    await query.answer()


# --- returns ---------------------------------------------------------------------------------
def return_text(lang: str, card: ReturnCard) -> str:
    ret = card.ret
    lines = "\n".join(
        t(lang, "seller.return.line", quantity=q, name=escape(n)) for n, q in card.lines
    )
    return t(
        lang,
        "seller.return.card",
        return_id=ret.return_id,
        order_id=ret.order_id,
        state=t(lang, f"seller.return.state.{ret.status.value}"),
        lines=lines,
        reason=escape(ret.reason),
        refund=price(ret.refund_amount, lang=lang),
    )


async def on_return_card(
    query: CallbackQuery, callback_data: ReturnCardCb, shop: Shop, lang: str, me: UserView
) -> None:
    card = await shop.fulfilment.return_card(me.id, callback_data.id)
    await show(query, return_text(lang, card), kb.return_card(lang, card))
    await query.answer()


async def on_return(
    query: CallbackQuery,
    callback_data: ReturnCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    decision = DECISION_OF[callback_data.decision]
    if decision == E.reject:  # a refusal needs its reason: ask, unless it is decided already
        card = await shop.fulfilment.return_card(me.id, callback_data.id)
        if decision in card.decisions:
            await state.set_state(Ship.refuse_return)
            await state.update_data(return_id=callback_data.id)
            ask = t(lang, "seller.return.refuse_ask", return_id=callback_data.id)
            await send_below(query, ask, main_kb.prompt_cancel(lang))
            await query.answer()
            return
    card, changed = await shop.fulfilment.decide_return(me.id, callback_data.id, decision)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, return_text(lang, card), kb.return_card(lang, card))
    await query.answer(_return_said(lang, card, changed)[:200])


async def on_refuse_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """The reason a return is refused, as the customer will read it."""
    return_id = int((await state.get_data()).get("return_id", 0))
    card, changed = await shop.fulfilment.decide_return(
        me.id, return_id, E.reject, (message.text or "").strip()[:500]
    )
    await end_conversation(state)
    await message.answer(
        _return_said(lang, card, changed) + "\n\n" + return_text(lang, card),
        reply_markup=kb.return_card(lang, card),
    )


def _return_said(lang: str, card: ReturnCard, changed: bool) -> str:
    ret = card.ret
    if not changed:
        return t(lang, "seller.return.said.unchanged", return_id=ret.return_id)
    return t(
        lang,
        f"seller.return.said.{ret.status.value}",
        return_id=ret.return_id,
        order_id=ret.order_id,
        refund=price(ret.refund_amount, lang=lang),
    )


def build_router() -> Router:
    router = Router(name="seller.orders")
    text = (F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_orders, OrdersCb.filter())
    router.callback_query.register(on_parcel, ParcelCb.filter())
    router.callback_query.register(on_notice_parcel, NoticeParcelCb.filter())
    router.callback_query.register(on_shipment_ask, ShipmentCb.filter(F.action.in_(ASKED)))
    router.callback_query.register(on_shipment_step, ShipmentCb.filter(~F.action.in_(ASKED)))
    router.message.register(on_tracking, Ship.tracking, *text)
    router.callback_query.register(on_ship_without_number, ShipWithoutNumberCb.filter())
    router.message.register(on_reject_reason, Ship.reject_reason, *text)
    router.callback_query.register(on_return_card, ReturnCardCb.filter())
    router.callback_query.register(on_return, ReturnCb.filter())
    router.message.register(on_refuse_reason, Ship.refuse_return, *text)
    # typed steps, before the customer's reading of free text ("confirm" is its checkout)
    router.message.register(on_typed_step, StateFilter(None), *text, SaysOrderStep())
    return router
