"""The seller's orders: paged lists (to confirm, to ship, shipped, returns), one card per
parcel with where it goes and what it holds, edited in place after every step to show the
new state with only the buttons that state allows (engine.fulfilment.seller_steps)."""

from __future__ import annotations

from html import escape

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.fulfilment import ParcelCard, ParcelPage, Queue, ReturnCard, ReturnPage, Step
from engine.shop import Shop
from engine.transitions import E
from handlers.callbacks import (
    ReturnCb,
    ReturnDecision,
    SellerAction,
    SellerCb,
    ShipmentAction,
    ShipmentCb,
)
from handlers.i18n import price, t
from handlers.screen import edit_or_keep, show
from handlers.seller.cb import OrdersCb, OrdersView, ParcelCb, ReturnCardCb
from storage.vocabulary import OrderStatus, PaymentMethod, ShipmentStatus

Button = InlineKeyboardButton

PAGE_SIZE = 8
RETURNS_PAGE_SIZE = 5

# the buttons' actions (callback data, kept decodable) and the engine's steps, by name
STEP_OF_ACTION = {a: Step[a.name] for a in ShipmentAction}
ACTION_OF_STEP = {s: a for a, s in STEP_OF_ACTION.items()}
DECISION_OF = {ReturnDecision.approve: E.approve, ReturnDecision.reject: E.reject}
BUTTON_OF_DECISION = {e: d for d, e in DECISION_OF.items()}


class Ship(StatesGroup):
    tracking = State()
    reject_reason = State()
    refuse_return = State()  # why a return is refused: the customer reads it


def _home(lang: str) -> Button:
    return Button(text=t(lang, "seller.home"), callback_data=SellerCb(to=SellerAction.home).pack())


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
    elif card.last_milestone is not None:
        state = t(lang, f"milestone.{card.last_milestone.value}")
    elif card.steps:
        state = t(lang, "seller.card.new")
    else:
        state = t(lang, f"status.{card.order_status.value}")
    lines = "\n".join(
        t(
            lang,
            "seller.card.line",
            quantity=line.quantity,
            name=escape(line.name),
            amount=price(line.paid, card.currency),
        )
        for line in card.lines
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
        amount=price(card.amount, card.currency),
    )
    if card.tracking_number:
        text += "\n" + t(lang, "seller.card.tracking", tracking=escape(card.tracking_number))
    if card.payment_method == PaymentMethod.cod and card.steps:
        text += "\n" + t(lang, "seller.card.cod")
    return text


def parcel_keyboard(
    lang: str, card: ParcelCard, back: OrdersView = OrdersView.to_confirm
) -> InlineKeyboardMarkup:
    buttons = [
        Button(
            text=t(lang, f"seller.order.{ACTION_OF_STEP[step].name}"),
            callback_data=ShipmentCb(action=ACTION_OF_STEP[step], id=card.shipment_id).pack(),
        )
        for step in card.steps
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            Button(
                text=t(lang, "seller.orders.back"),
                callback_data=OrdersCb(view=_view_of(card, back)).pack(),
            ),
            _home(lang),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _view_of(card: ParcelCard, back: OrdersView) -> OrdersView:
    """The list a card belongs in now (after a step it may have moved to the next one)."""
    if Step.delivered in card.steps:
        return OrdersView.shipped
    if Step.ship in card.steps:
        return OrdersView.to_confirm if Step.confirm in card.steps else OrdersView.to_ship
    return back


async def on_parcel(
    query: CallbackQuery, callback_data: ParcelCb, shop: Shop, lang: str, me: UserView
) -> None:
    card = await shop.fulfilment.card(me.id, callback_data.id)
    await show(query, parcel_text(lang, card), parcel_keyboard(lang, card, callback_data.view))
    await query.answer()


def _said(lang: str, step: Step, card: ParcelCard) -> str:
    return t(lang, f"seller.said.{step.value}", order_id=card.order_id)


async def on_shipment(
    query: CallbackQuery,
    callback_data: ShipmentCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """A step on a parcel card. Ship and reject first show the card's order (the engine says
    whose it is) and ask for the tracking number or the reason; the others happen at once."""
    step = STEP_OF_ACTION[callback_data.action]
    message = query.message if isinstance(query.message, Message) else None
    if step in (Step.ship, Step.reject):
        card = await shop.fulfilment.card(me.id, callback_data.id)
        if step not in card.steps:  # a stale card: show it as it is now
            if message is not None:
                await edit_or_keep(message, parcel_text(lang, card), parcel_keyboard(lang, card))
            await query.answer(t(lang, "seller.said.moved_on", order_id=card.order_id))
            return
        await state.set_state(Ship.tracking if step == Step.ship else Ship.reject_reason)
        await state.update_data(
            shipment_id=card.shipment_id,
            card_message=message.message_id if message is not None else 0,
        )
        if message is not None:
            key = "seller.order.tracking_ask" if step == Step.ship else "seller.order.reject_ask"
            await message.answer(
                t(lang, key, order_id=card.order_id, customer=escape(card.customer or "—"))
            )
        await query.answer()
        return
    done = await shop.fulfilment.act(me.id, callback_data.id, step)
    if message is not None:
        await edit_or_keep(message, parcel_text(lang, done.card), parcel_keyboard(lang, done.card))
    await query.answer(
        _said(lang, step, done.card)
        if done.changed
        else t(lang, "seller.said.moved_on", order_id=done.card.order_id)
    )


async def _edit_card(message: Message, state: FSMContext, lang: str, card: ParcelCard) -> None:
    """Show the card the prompt was for in its new state, where it is in the chat."""
    card_message = int((await state.get_data()).get("card_message", 0))
    if card_message and message.bot is not None:
        try:
            await message.bot.edit_message_text(
                text=parcel_text(lang, card),
                chat_id=message.chat.id,
                message_id=card_message,
                reply_markup=parcel_keyboard(lang, card),
            )
        except TelegramBadRequest:  # the card is gone or shows this already: a new one below
            await message.answer(parcel_text(lang, card), reply_markup=parcel_keyboard(lang, card))


async def on_tracking(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    shipment_id = int(data.get("shipment_id", 0))
    tracking = (message.text or "").strip()[:100]
    done = await shop.fulfilment.act(me.id, shipment_id, Step.ship, tracking)
    await _edit_card(message, state, lang, done.card)
    await state.clear()
    if done.changed:
        text = t(
            lang,
            "seller.said.shipped",
            order_id=done.card.order_id,
            tracking=escape(done.card.tracking_number or tracking),
        )
    else:
        text = t(lang, "seller.said.moved_on", order_id=done.card.order_id)
    await message.answer(text)


async def on_reject_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    done = await shop.fulfilment.reject(
        me.id, int(data.get("shipment_id", 0)), (message.text or "").strip()[:500]
    )
    await _edit_card(message, state, lang, done.card)
    await state.clear()
    key = "seller.order.rejected" if done.changed else "seller.said.moved_on"
    await message.answer(t(lang, key, order_id=done.card.order_id))


# --- the lists -------------------------------------------------------------------------------
def _tabs(lang: str, counts: dict[Queue, int], current: OrdersView) -> list[Button]:
    return [
        Button(
            text=("• " if view == current else "")
            + t(lang, f"seller.orders.tab.{view.value}", count=counts.get(Queue(view.value), 0)),
            callback_data=OrdersCb(view=view).pack(),
        )
        for view in OrdersView
    ]


def _pager(lang: str, view: OrdersView, page: int, pages: int) -> list[Button]:
    if pages <= 1:
        return []
    row = []
    if page > 1:
        row.append(Button(text="◀", callback_data=OrdersCb(view=view, page=page - 1).pack()))
    row.append(
        Button(
            text=t(lang, "seller.page", page=page, pages=pages),
            callback_data=OrdersCb(view=view, page=page).pack(),
        )
    )
    if page < pages:
        row.append(Button(text="▶", callback_data=OrdersCb(view=view, page=page + 1).pack()))
    return row


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
    rows: list[list[Button]] = [
        _tabs(lang, page.counts, view)[:2],
        _tabs(lang, page.counts, view)[2:],
    ]
    lines = [title]
    for card in page.cards:
        summary = t(
            lang,
            "seller.orders.item",
            order_id=card.order_id,
            customer=escape(card.customer or "—"),
            items=", ".join(f"{line.quantity} × {escape(line.name)}" for line in card.lines),
            amount=price(card.amount, card.currency),
        )
        lines.append(summary)
        rows.append(
            [
                Button(
                    text=_clip(
                        f"#{card.order_id} · {card.customer or '—'} · "
                        f"{price(card.amount, card.currency)}"
                    ),
                    callback_data=ParcelCb(id=card.shipment_id, view=view).pack(),
                )
            ]
        )
    if not page.cards:
        lines.append(t(lang, "seller.orders.empty"))
    pager = _pager(lang, view, page.page, page.pages)
    if pager:
        rows.append(pager)
    rows.append([_home(lang)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def returns_screen(
    lang: str, page: ReturnPage, counts: dict[Queue, int]
) -> tuple[str, InlineKeyboardMarkup]:
    view = OrdersView.returns
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
    rows: list[list[Button]] = [_tabs(lang, counts, view)[:2], _tabs(lang, counts, view)[2:]]
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
        rows.append(
            [
                Button(
                    text=t(
                        lang, "seller.returns.open", return_id=ret.return_id, order_id=ret.order_id
                    ),
                    callback_data=ReturnCardCb(id=ret.return_id).pack(),
                )
            ]
        )
    if not page.cards:
        lines.append(t(lang, "seller.returns.none"))
    pager = _pager(lang, view, page.page, page.pages)
    if pager:
        rows.append(pager)
    rows.append([_home(lang)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _clip(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


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
    query: CallbackQuery, callback_data: OrdersCb, shop: Shop, lang: str, me: UserView
) -> None:
    text, markup = await orders_page(shop, lang, me, callback_data.view, callback_data.page)
    await show(query, text, markup)
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
        refund=price(ret.refund_amount),
    )


def return_keyboard(lang: str, card: ReturnCard) -> InlineKeyboardMarkup:
    decisions = [
        Button(
            text=t(lang, f"seller.return.{BUTTON_OF_DECISION[e].name}"),
            callback_data=ReturnCb(decision=BUTTON_OF_DECISION[e], id=card.ret.return_id).pack(),
        )
        for e in card.decisions
    ]
    rows = [decisions] if decisions else []
    rows.append(
        [
            Button(
                text=t(lang, "seller.orders.back"),
                callback_data=OrdersCb(view=OrdersView.returns).pack(),
            ),
            _home(lang),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_return_card(
    query: CallbackQuery, callback_data: ReturnCardCb, shop: Shop, lang: str, me: UserView
) -> None:
    card = await shop.fulfilment.return_card(me.id, callback_data.id)
    await show(query, return_text(lang, card), return_keyboard(lang, card))
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
            if isinstance(query.message, Message):
                await query.message.answer(
                    t(lang, "seller.return.refuse_ask", return_id=callback_data.id)
                )
            await query.answer()
            return
    card, changed = await shop.fulfilment.decide_return(me.id, callback_data.id, decision)
    if isinstance(query.message, Message):
        await edit_or_keep(query.message, return_text(lang, card), return_keyboard(lang, card))
    await query.answer(_return_said(lang, card, changed)[:200])


async def on_refuse_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    """The reason a return is refused, as the customer will read it."""
    return_id = int((await state.get_data()).get("return_id", 0))
    card, changed = await shop.fulfilment.decide_return(
        me.id, return_id, E.reject, (message.text or "").strip()[:500]
    )
    await state.clear()
    await message.answer(
        _return_said(lang, card, changed) + "\n\n" + return_text(lang, card),
        reply_markup=return_keyboard(lang, card),
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
        refund=price(ret.refund_amount),
    )
