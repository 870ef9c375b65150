"""Admin conversations: sellers waiting for approval (approve, or reject with a reason),
stores (suspend, reinstate, close), stock alerts, coupons (create, also typed in words:
handlers/admin/typed_coupon.py; usage, disable, edit), categories, shipping providers, the
marketplace report, the audit log (in words: handlers/admin/audit.py), bank transfers, bans,
broadcasts and payouts.

Only admins reach these handlers (the router's role filter, `IsAdmin`, which covers
handlers/admin/catalog.py and people.py too): anyone else's /ban or forged admin button is a
command or button the bot does not know. One handler per action, chosen by its callback data;
the keyboards are in handlers/admin/keyboards.py. The engine checks the role again in every
operation."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Final

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import BaseFilter, Command, CommandObject
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject

from engine.accounts import UserView
from engine.aftersales import payouts_total
from engine.backoffice import (
    AuditEntry,
    PayoutDue,
    SellerPerformance,
    StockAlert,
    due_total,
    payable,
)
from engine.base import Actor
from engine.errors import InvalidInput, NotFound, Outdated
from engine.sellers import allows
from engine.shop import Shop
from engine.transitions import E
from handlers import commands
from handlers import keyboards as main_kb
from handlers.admin import audit, catalog, people
from handlers.admin import keyboards as kb
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    AuditCb,
    BroadcastCb,
    PayoutRunCb,
    SellerDecision,
    SellerDecisionCb,
    TransferCb,
)
from handlers.conversation import end_conversation
from handlers.i18n import error_text, price, t
from handlers.render import fit
from handlers.screen import send_below, show
from storage.vocabulary import DiscountType, SellerStatus

A = AdminAction


class IsAdmin(BaseFilter):
    """The admin router's role filter: anyone else's /coupon, /ban or forged admin button
    goes on to the other routers, as a command or button the bot does not know. (`me` is
    read fresh for every update; the engine checks the role again in every operation.)"""

    async def __call__(self, event: TelegramObject, me: UserView | None = None) -> bool:
        return me is not None and Actor(me.id, me.role, me.status).is_admin


class Reject(StatesGroup):
    reason = State()


# the admin's questions that wait for typed text (handlers.prompts ends them elsewhere)
PROMPTS: Final = {
    Reject: (),
    people.StoreEdit: (),
    people.CouponEdit: (),
    catalog.CategoryEdit: (),
    catalog.ProviderEdit: (),
}


async def on_admin(message: Message, shop: Shop, lang: str, me: UserView, bot: Bot) -> None:
    """The dashboard, with how many customers' requests wait and the way to them; the
    requests not shown to this admin yet (the bot could not reach them) come first."""
    from handlers.admin import support  # it imports this package's IsAdmin

    await support.show_unseen(message, shop, me, lang, bot)
    text, keys = t(lang, "admin.home"), kb.menu(lang)
    note = support.waiting_note(lang, await shop.support.open_count(me.id))
    if note:
        text = f"{note}\n\n{text}"
        keys = main_kb.keyboard([[support.waiting_button(lang)], *keys.inline_keyboard])
    await message.answer(text, reply_markup=keys)


def _alerts_screen(lang: str, alerts: list[StockAlert]) -> tuple[str, InlineKeyboardMarkup]:
    """Stock alerts: a header, one line per product with its store, and the way back."""
    lines = [t(lang, "admin.alerts.title", count=len(alerts))]
    lines += [
        t(
            lang,
            f"admin.alert.{a.kind}",
            name=escape(a.name),
            store=escape(a.store_name or "—"),
            change=a.change or 0,
            reason=escape(a.reason or "—"),
        )
        for a in alerts[:40]
    ]
    if not alerts:
        lines = [t(lang, "admin.alerts.title", count=0), t(lang, "admin.alerts.none")]
    elif len(alerts) > 40:
        lines.append(t(lang, "admin.more", count=len(alerts) - 40))
    return fit("\n".join(lines)), kb.to_admin(lang)


# --- the admin menu: one handler per button ------------------------------------------------
async def on_menu_home(query: CallbackQuery, lang: str) -> None:
    await show(query, t(lang, "admin.home"), kb.menu(lang))
    await query.answer()


async def on_menu_sellers(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    """The stores waiting for approval: a header with the way back, then a card each with
    Approve / Reject."""
    waiting = await shop.sellers.pending(me.id)
    header = t(lang, "admin.sellers.title", count=len(waiting))
    if not waiting:
        header += "\n" + t(lang, "admin.sellers.none")
    await send_below(query, header, kb.to_admin(lang))
    for seller in waiting[:10]:
        text = t(
            lang,
            "admin.seller",
            store=escape(seller.store_name),
            description=escape(seller.description or ""),
        )
        await send_below(query, text, kb.applicant(lang, seller.seller_id))
    await query.answer()


async def on_menu_stores(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await show(query, *await people.stores_screen(shop, lang, me, 1))
    await query.answer()


async def on_menu_alerts(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await show(query, *_alerts_screen(lang, await shop.backoffice.inventory_watch(me.id)))
    await query.answer()


async def on_menu_coupons(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    await show(query, *await people.coupons_screen(shop, lang, me))
    await query.answer()


async def on_menu_categories(query: CallbackQuery, shop: Shop, lang: str) -> None:
    await show(query, *await catalog.categories_screen(shop, lang, 1))
    await query.answer()


async def on_menu_providers(query: CallbackQuery, shop: Shop, lang: str) -> None:
    await show(query, *await catalog.providers_screen(shop, lang))
    await query.answer()


async def on_menu_report(query: CallbackQuery, lang: str) -> None:
    if isinstance(query.message, Message):
        await people.ask_market_period(query.message, lang)
    await query.answer()


async def on_seller_decision(
    query: CallbackQuery,
    callback_data: SellerDecisionCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
) -> None:
    """Approve, or Reject (asks why). The card then shows the decision, with no button that
    acts where Approve or Reject was (a double tap must not start a suspension); a card
    already decided (here, by another admin, a second tap) shows it as it is now."""
    seller_id = callback_data.id
    store = await people.store_of(shop, me, seller_id)
    event = E.approve if callback_data.decision == SellerDecision.approve else E.reject
    if not allows(store.status, event):  # decided already: the outcome as it is now
        await show(query, *decided_card(lang, store))
        await query.answer(t(lang, "admin.seller.decided"))
        return
    if callback_data.decision == SellerDecision.approve:
        seller = await shop.sellers.approve(me.id, seller_id)
        await commands.publish_seller(bot, shop, seller.seller_id, selling=True)
        await show(query, *decided_card(lang, await people.store_of(shop, me, seller_id)))
        await query.answer(t(lang, "admin.approved", store=seller.store_name)[:200])
        return
    await state.set_state(Reject.reason)
    card = query.message.message_id if isinstance(query.message, Message) else 0
    await state.update_data(seller_id=seller_id, card=card)
    ask = t(lang, "admin.reject_ask", store=escape(store.store_name))
    await send_below(query, ask, main_kb.prompt_cancel(lang))
    await query.answer()


async def on_reject_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext, bot: Bot
) -> None:
    data = await state.get_data()
    seller_id = int(data.get("seller_id", 0))
    store = await people.store_of(shop, me, seller_id)
    if not allows(store.status, E.reject):  # decided meanwhile (another admin, another card)
        await end_conversation(state)
        text, markup = people.store_screen(lang, store)
        await message.answer(t(lang, "error.outdated") + "\n\n" + text, reply_markup=markup)
        return
    seller = await shop.sellers.reject(me.id, seller_id, (message.text or "").strip()[:500])
    await end_conversation(state)
    await message.answer(t(lang, "admin.rejected", store=escape(seller.store_name)))
    card = int(data.get("card") or 0)
    if card:  # the applicant's card shows the decision too
        text, markup = decided_card(lang, await people.store_of(shop, me, seller_id))
        with contextlib.suppress(TelegramBadRequest):  # deleted meanwhile, or unchanged
            await bot.edit_message_text(
                text, chat_id=message.chat.id, message_id=card, reply_markup=markup
            )


def decided_card(lang: str, store: SellerPerformance) -> tuple[str, InlineKeyboardMarkup]:
    """An application's card once decided: the outcome over the store's details, and
    kb.decided's buttons (none that acts under the finger that decided)."""
    text = people.store_screen(lang, store)[0]
    if store.status in (SellerStatus.active, SellerStatus.rejected):
        outcome = t(
            lang, f"admin.seller.outcome.{store.status.value}", store=escape(store.store_name)
        )
        text = outcome + "\n\n" + text
    return text, kb.decided(lang, store)


def _args(command: CommandObject) -> list[str]:
    return (command.args or "").split()


# --- the audit log -------------------------------------------------------------------------
def _audit_line(lang: str, e: AuditEntry) -> str:
    """ "Order #12: order status: paid → shipped, by Maya (seller)", every word from the
    catalog (handlers/admin/audit.py); the role is the capacity Maya acted in on that row."""
    said = audit.words(lang, e)
    by = (
        t(lang, "admin.audit.by_system")
        if said.role is None or e.by_name is None
        else t(lang, "admin.audit.by", name=_html(e.by_name), role=_html(said.role))
    )
    return t(
        lang,
        "admin.audit.line",
        at=e.at.strftime("%Y-%m-%d %H:%M"),
        what=_html(said.what),
        head=_html(said.head),
        changes="".join("; " + _html(c) for c in said.changes),
        by=by,
    )


def _html(text: str) -> str:
    """Plain words for Telegram's HTML: only <, > and & need escaping ("provider's")."""
    return escape(text, quote=False)


async def _audit_screen(
    shop: Shop, lang: str, me: UserView, entity: str, entity_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    found = await shop.backoffice.audit_page(
        me.id, entity_type=entity or None, entity_id=entity_id or None, page=page
    )
    title = t(lang, "admin.audit.title", page=found.page)
    lines = [_audit_line(lang, e) for e in found.entries]
    text = title + "\n" + ("\n".join(lines) if lines else t(lang, "admin.audit.none"))
    return fit(text), kb.audit(lang, entity, entity_id, found.page, found.has_next)


async def on_audit(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/audit [entity] [id]: the newest audit rows, a page at a time, e.g. /audit order 1042."""
    args = _args(command)
    entity = args[0][:20] if args else ""
    entity_id = int(args[1]) if len(args) > 1 and args[1].isdigit() and len(args[1]) < 12 else 0
    text, markup = await _audit_screen(shop, lang, me, entity, entity_id, 1)
    await message.answer(text, reply_markup=markup)


async def on_audit_page(
    query: CallbackQuery, callback_data: AuditCb, shop: Shop, lang: str, me: UserView
) -> None:
    d = callback_data
    await show(query, *await _audit_screen(shop, lang, me, d.entity, d.id, d.page))
    await query.answer()


# --- bank transfers -----------------------------------------------------------------------
def _age(lang: str, age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return t(lang, "admin.age.now")
    if minutes < 60:
        return t(lang, "admin.age.minutes", n=minutes)
    if minutes < 48 * 60:
        return t(lang, "admin.age.hours", n=minutes // 60)
    return t(lang, "admin.age.days", n=minutes // (24 * 60))


async def _transfers_screen(
    shop: Shop, lang: str, me: UserView
) -> tuple[str, InlineKeyboardMarkup]:
    waiting = await shop.backoffice.waiting_transfers(me.id)
    lines = [t(lang, "admin.transfers.title", count=len(waiting))]
    lines += [
        t(
            lang,
            "admin.transfers.line",
            order_id=w.order_id,
            amount=price(w.amount, w.currency, lang=lang),
            reference=escape(w.reference or "—"),
            customer=escape(w.customer),
            age=_age(lang, w.age),
        )
        for w in waiting[:20]
    ]
    if not waiting:
        lines.append(t(lang, "admin.transfers.none"))
    return fit("\n".join(lines)), kb.transfers(lang, waiting)


async def on_transfers(
    query: CallbackQuery, callback_data: TransferCb, shop: Shop, lang: str, me: UserView
) -> None:
    """The queue of bank transfers, and its "Mark paid" buttons. After a "Mark paid" the
    queue is shown with what was done and only the way back to the list: a second tap there
    must not mark the next order. A tap on an order that is no longer waiting (marked paid
    already, here or by another admin; expired) changes nothing."""
    order_id = callback_data.order
    if not order_id:
        await show(query, *await _transfers_screen(shop, lang, me))
        await query.answer()
        return
    try:
        await shop.orders.confirm_bank_transfer(me.id, order_id, waiting=True)
        note = "✅ " + t(lang, "admin.paid", order_id=order_id)
    except (Outdated, NotFound):
        note = t(lang, "admin.transfers.gone", order_id=order_id)
    text = (await _transfers_screen(shop, lang, me))[0]
    await show(query, fit(note + "\n\n" + text), kb.transfer_marked(lang))
    await query.answer(note[:200])


async def on_paid(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/paid <order id>: the bank transfer for that order arrived. /paid alone: the queue."""
    args = _args(command)
    if not args:
        text, markup = await _transfers_screen(shop, lang, me)
        await message.answer(text, reply_markup=markup)
        return
    if not args[0].lstrip("#").isdigit() or len(args[0]) > 12:
        await message.answer(t(lang, "admin.usage", usage=t(lang, "admin.usage.paid")))
        return
    order_id = int(args[0].lstrip("#"))
    await shop.orders.confirm_bank_transfer(me.id, order_id)
    await message.answer(t(lang, "admin.paid", order_id=order_id))


# --- people -------------------------------------------------------------------------------
async def on_ban(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/ban <@username | Telegram id | #user id> <reason>."""
    args = _args(command)
    if len(args) < 2:
        await message.answer(t(lang, "admin.usage", usage=t(lang, "admin.usage.ban")))
        return
    card = await shop.backoffice.find_user(me.id, args[0])
    await shop.accounts.ban(me.id, card.user_id, " ".join(args[1:]))
    await message.answer(t(lang, "admin.banned", who=people.who(lang, card)))


async def on_unban(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/unban <@username | Telegram id | #user id>."""
    args = _args(command)
    if not args:
        await message.answer(t(lang, "admin.usage", usage=t(lang, "admin.usage.unban")))
        return
    card = await shop.backoffice.find_user(me.id, args[0])
    await shop.accounts.unban(me.id, card.user_id)
    await message.answer(t(lang, "admin.unbanned", who=people.who(lang, card)))


# --- coupons, broadcasts, payouts ---------------------------------------------------------
async def on_coupon(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/coupon <CODE> <percentage|fixed|free_shipping> <value> [max uses]."""
    args = _args(command)
    usage = t(lang, "admin.usage.coupon")
    try:
        kind = DiscountType(args[1])
        value = Decimal(args[2]) if len(args) > 2 else Decimal(0)
        max_uses = int(args[3]) if len(args) > 3 else None
    except (IndexError, ValueError, InvalidOperation):
        await message.answer(t(lang, "admin.usage", usage=usage))
        return
    try:
        coupon = await shop.coupons.create(
            me.id, code=args[0], discount_type=kind, value=value, max_uses=max_uses
        )
    except InvalidInput as error:  # what is wrong with it first, then how the command goes
        await message.answer(error_text(lang, error) + "\n" + t(lang, "admin.usage", usage=usage))
        return
    await message.answer(
        t(lang, "admin.coupon.created", code=escape(coupon.code))
        + "\n"
        + people.coupon_line(lang, coupon)
    )


async def on_broadcast(
    message: Message,
    command: CommandObject,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """/broadcast <text>: a preview with how many people it reaches, then Send or Cancel."""
    text = (command.args or "").strip()
    if not text:
        await message.answer(t(lang, "admin.usage", usage=t(lang, "admin.usage.broadcast")))
        return
    count = await shop.backoffice.broadcast_audience(me.id)
    key = secrets.token_hex(6)
    drafts = dict((await state.get_data()).get("broadcasts") or {})
    drafts = dict(list(drafts.items())[-4:]) | {key: text[:3500]}
    await state.update_data(broadcasts=drafts)
    await message.answer(
        t(lang, "admin.broadcast.preview", count=count, text=escape(text)),
        reply_markup=kb.broadcast(lang, key, count),
    )


async def on_broadcast_choice(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """Send or Cancel under a preview. The draft leaves the conversation when it is decided,
    so a second tap (or an old preview) sends nothing; the engine's key backs that up."""
    drafts = dict((await state.get_data()).get("broadcasts") or {})
    text = drafts.pop(callback_data.key, None)
    if text is None:  # sent or cancelled already: the screen says which
        await query.answer(t(lang, "admin.broadcast.decided"))
        return
    await state.update_data(broadcasts=drafts)
    if not callback_data.send:
        await show(query, t(lang, "admin.broadcast.cancelled"), None)
        await query.answer()
        return
    count = await shop.backoffice.broadcast(me.id, text, key=callback_data.key)
    await show(query, t(lang, "admin.broadcast", count=count) + "\n\n" + escape(text), None)
    await query.answer()


def _payout_line(lang: str, p: PayoutDue) -> str:
    return t(
        lang,
        "admin.payouts.line",
        store=escape(p.store_name),
        start=p.period_start.strftime("%Y-%m-%d") if p.period_start else "—",
        end=p.period_end.strftime("%Y-%m-%d"),
        gross=price(p.gross, lang=lang),
        commission=price(p.commission, lang=lang),
        refunds=price(p.refunds, lang=lang),
        net=price(p.net, lang=lang),
        pending=price(p.pending_balance, lang=lang),
    )


async def _payouts_preview(shop: Shop, lang: str, me: UserView) -> tuple[str, InlineKeyboardMarkup]:
    due = await shop.backoffice.payouts_due(me.id)
    paid, total = payable(due), due_total(due)
    lines = [t(lang, "admin.payouts.preview", count=len(paid), total=price(total, lang=lang))]
    lines += [_payout_line(lang, p) for p in due[:30]]
    if not paid:
        lines.append(t(lang, "admin.payouts.nothing"))
    return fit("\n\n".join(lines)), kb.payouts(lang, total if paid else None)


async def on_payouts(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    """/payouts: what would be paid to whom (period, sales, commission, refunds, net, and
    what each seller is still owed), with Confirm / Cancel. Nothing is paid yet."""
    text, markup = await _payouts_preview(shop, lang, me)
    await message.answer(text, reply_markup=markup)


async def on_payouts_cancel(query: CallbackQuery, lang: str) -> None:
    await show(query, t(lang, "admin.payouts.cancelled"), kb.to_admin(lang))
    await query.answer()


async def on_payouts_run(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    """Confirm runs the payouts of what is due now (a second tap, or an old preview, finds
    nothing left to pay: the engine takes each line once)."""
    made = await shop.payouts.run(me.id)
    text = t(lang, "admin.payouts", count=len(made), total=price(payouts_total(made), lang=lang))
    due = await shop.backoffice.payouts_due(me.id)
    owed = [p for p in due if p.pending_balance]
    if owed:
        text += "\n" + "\n".join(
            t(
                lang,
                "admin.payouts.owed",
                store=escape(p.store_name),
                pending=price(p.pending_balance, lang=lang),
            )
            for p in owed[:30]
        )
    await show(query, fit(text), kb.to_admin(lang))
    await query.answer()


def build_router() -> Router:
    router = Router(name="admin")
    router.message.filter(IsAdmin())  # the role first: to anyone else these do not exist
    router.callback_query.filter(IsAdmin())
    router.message.register(on_broadcast, Command("broadcast"))
    router.callback_query.register(on_broadcast_choice, BroadcastCb.filter())
    router.message.register(on_payouts, Command("payouts"))
    router.callback_query.register(on_payouts_run, PayoutRunCb.filter(F.run))
    router.callback_query.register(on_payouts_cancel, PayoutRunCb.filter(~F.run))
    router.message.register(on_admin, Command("admin"))

    def menu(to: AdminAction) -> CallbackQueryFilter:
        return AdminCb.filter(F.to == to)

    router.callback_query.register(on_menu_home, menu(A.home))
    router.callback_query.register(on_menu_sellers, menu(A.sellers))
    router.callback_query.register(on_menu_stores, menu(A.stores))
    router.callback_query.register(on_menu_alerts, menu(A.alerts))
    router.callback_query.register(on_menu_coupons, menu(A.coupons))
    router.callback_query.register(on_menu_categories, menu(A.categories))
    router.callback_query.register(on_menu_providers, menu(A.providers))
    router.callback_query.register(on_menu_report, menu(A.report))
    router.callback_query.register(on_seller_decision, SellerDecisionCb.filter())
    router.message.register(on_reject_reason, Reject.reason, F.text, ~F.text.startswith("/"))
    router.message.register(on_audit, Command("audit"))
    router.callback_query.register(on_audit_page, AuditCb.filter())
    router.message.register(on_paid, Command("paid"))
    router.callback_query.register(on_transfers, TransferCb.filter())
    router.message.register(on_ban, Command("ban"))
    router.message.register(on_unban, Command("unban"))
    router.message.register(on_coupon, Command("coupon"))
    router.include_routers(catalog.build_router(), people.build_router())
    # a coupon typed in words, last: it reads answers as the customer's side does (imported
    # here, as that side imports this package); what ends its question watches every update
    from handlers.admin import typed_coupon

    router.message.outer_middleware(typed_coupon.EndsCouponQuestion())
    router.callback_query.outer_middleware(typed_coupon.EndsCouponQuestion())
    router.include_router(typed_coupon.build_router())
    return router
