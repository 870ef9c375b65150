"""Admin conversations: sellers waiting for approval (approve, or reject with a reason),
stores (suspend, reinstate, close), stock alerts, coupons (create, usage, disable, edit),
categories, shipping providers, the marketplace report, the audit log, bank transfers, bans,
broadcasts and payouts.

The engine refuses every one of these to non-admins ("Only the shop's admins can do
that"), whatever command or forged button they use."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.errors import InvalidInput
from engine.shop import Shop
from handlers import commands
from handlers.admin import catalog, people
from handlers.admin.ui import decision_buttons, screen
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    Menu,
    MenuCb,
    SellerDecision,
    SellerDecisionCb,
    StoreAdminAction,
    StoreAdminCb,
)
from handlers.i18n import price, t
from storage.vocabulary import DiscountType

Button = InlineKeyboardButton


class Reject(StatesGroup):
    reason = State()


def _menu(lang: str) -> InlineKeyboardMarkup:
    def b(key: str, to: AdminAction) -> Button:
        return Button(text=t(lang, key), callback_data=AdminCb(to=to).pack())

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [b("admin.sellers", AdminAction.sellers), b("admin.stores.button", AdminAction.stores)],
            [b("admin.alerts", AdminAction.alerts), b("admin.coupons", AdminAction.coupons)],
            [
                b("admin.categories.button", AdminAction.categories),
                b("admin.providers.button", AdminAction.providers),
            ],
            [
                b("admin.report", AdminAction.report),
                Button(text=t(lang, "back"), callback_data=MenuCb(to=Menu.home).pack()),
            ],
        ]
    )


async def on_admin(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    await shop.backoffice.require_admin(me.id)  # refuses non-admins
    await message.answer(t(lang, "admin.home"), reply_markup=_menu(lang))


async def on_admin_menu(
    query: CallbackQuery,
    callback_data: AdminCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
    bot: Bot,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    to = callback_data.to
    if to == AdminAction.home:
        await shop.backoffice.require_admin(me.id)
        await screen(query, t(lang, "admin.home"), _menu(lang))
    elif to == AdminAction.categories:
        await shop.backoffice.require_admin(me.id)
        await catalog.show_categories(query, shop, lang, 1)
    elif to == AdminAction.providers:
        await shop.backoffice.require_admin(me.id)
        await catalog.show_providers(query, shop, lang)
    elif to == AdminAction.stores:
        await people.on_store_admin(
            query, StoreAdminCb(action=StoreAdminAction.list), shop, lang, me, state, bot
        )
        return  # answered there
    elif to == AdminAction.report:
        await people.ask_market_period(message, shop, lang, me)
    elif to == AdminAction.sellers:
        waiting = await shop.sellers.pending(me.id)
        if not waiting:
            await message.answer(t(lang, "admin.sellers.none"))
        for seller in waiting[:10]:
            await message.answer(
                t(
                    lang,
                    "admin.seller",
                    store=escape(seller.store_name),
                    description=escape(seller.description or ""),
                ),
                reply_markup=InlineKeyboardMarkup(
                    inline_keyboard=[decision_buttons(lang, seller.seller_id)]
                ),
            )
    elif to == AdminAction.alerts:
        alerts = await shop.backoffice.inventory_watch(me.id)
        lines = [
            t(
                lang,
                f"admin.alert.{a.kind}",
                name=escape(a.name),
                change=a.change or 0,
                reason=escape(a.reason or ""),
            )
            for a in alerts[:40]
        ]
        await message.answer("\n".join(lines) or t(lang, "admin.alerts.none"))
    elif to == AdminAction.coupons:
        await screen(query, *await people.coupons_screen(shop, lang, me))
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
    if callback_data.decision == SellerDecision.approve:
        seller = await shop.sellers.approve(me.id, callback_data.id)
        await query.answer(t(lang, "admin.approved", store=seller.store_name)[:200])
        await commands.publish_seller(bot, shop, seller.seller_id, selling=True)
        return
    waiting = {s.seller_id: s for s in await shop.sellers.pending(me.id)}
    if callback_data.id not in waiting:
        await query.answer(t(lang, "error.not_found"), show_alert=True)
        return
    await state.set_state(Reject.reason)
    await state.update_data(seller_id=callback_data.id)
    if isinstance(query.message, Message):
        await query.message.answer(
            t(lang, "admin.reject_ask", store=escape(waiting[callback_data.id].store_name))
        )
    await query.answer()


async def on_reject_reason(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    data = await state.get_data()
    seller = await shop.sellers.reject(
        me.id, int(data.get("seller_id", 0)), (message.text or "").strip()[:500]
    )
    await state.clear()
    await message.answer(t(lang, "admin.rejected", store=escape(seller.store_name)))


def _args(command: CommandObject) -> list[str]:
    return (command.args or "").split()


async def on_audit(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/audit [entity] [id]: the newest audit rows, e.g. /audit order 1042."""
    args = _args(command)
    entity = args[0] if args else None
    entity_id = int(args[1]) if len(args) > 1 and args[1].isdigit() else None
    rows = await shop.backoffice.audit_search(
        me.id, entity_type=entity, entity_id=entity_id, limit=20
    )
    lines = [
        t(
            lang,
            "admin.audit.line",
            at=r.at.strftime("%Y-%m-%d %H:%M"),
            entity=escape(r.entity_type),
            id=r.entity_id,
            action=escape(r.action),
            by=r.changed_by or "system",
        )
        for r in rows
    ]
    await message.answer("\n".join(lines) or t(lang, "admin.audit.none"))


async def on_paid(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/paid <order id>: the bank transfer for that order arrived."""
    args = _args(command)
    if not args or not args[0].isdigit():
        await message.answer(t(lang, "admin.usage", usage="/paid 1042"))
        return
    order_id = int(args[0])
    await shop.orders.confirm_bank_transfer(me.id, order_id)
    await message.answer(t(lang, "admin.paid", order_id=order_id))


async def _user_id(shop: Shop, me: UserView, who: str) -> int:
    """The shop's user id from "42", "@username" or "tg:123456" (the engine resolves it)."""
    return (await shop.backoffice.find_user(me.id, who)).user_id


async def on_ban(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/ban <user id | @username | tg:<telegram id>> <reason>."""
    args = _args(command)
    if len(args) < 2:
        await message.answer(t(lang, "admin.usage", usage="/ban 42 spam · /ban @username spam"))
        return
    user_id = await _user_id(shop, me, args[0])
    await shop.accounts.ban(me.id, user_id, " ".join(args[1:]))
    await message.answer(t(lang, "admin.banned", user_id=user_id))


async def on_unban(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/unban <user id | @username | tg:<telegram id>>."""
    args = _args(command)
    if not args:
        await message.answer(t(lang, "admin.usage", usage="/unban 42 · /unban @username"))
        return
    user_id = await _user_id(shop, me, args[0])
    await shop.accounts.unban(me.id, user_id)
    await message.answer(t(lang, "admin.unbanned", user_id=user_id))


async def on_coupon(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/coupon <CODE> <percentage|fixed|free_shipping> <value> [max uses]."""
    args = _args(command)
    usage = "/coupon SAVE10 percentage 10 100"
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
    except InvalidInput:
        await message.answer(t(lang, "admin.usage", usage=usage))
        return
    await message.answer(t(lang, "admin.coupon.created", code=escape(coupon.code)))


async def on_broadcast(
    message: Message, command: CommandObject, shop: Shop, lang: str, me: UserView
) -> None:
    """/broadcast <text>: to every active user, through the outbox."""
    text = (command.args or "").strip()
    if not text:
        await message.answer(t(lang, "admin.usage", usage="/broadcast Weekend sale: 20% off!"))
        return
    count = await shop.backoffice.broadcast(me.id, text)
    await message.answer(t(lang, "admin.broadcast", count=count))


async def on_payouts(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    """/payouts: pay sellers for delivered lines past the return window (statements go out)."""
    made = await shop.payouts.run(me.id)
    total = sum((p.amount for p in made), Decimal(0))
    await message.answer(t(lang, "admin.payouts", count=len(made), total=price(total)))


def build_router() -> Router:
    router = Router(name="admin")
    router.message.register(on_broadcast, Command("broadcast"))
    router.message.register(on_payouts, Command("payouts"))
    router.message.register(on_admin, Command("admin"))
    router.callback_query.register(on_admin_menu, AdminCb.filter())
    router.callback_query.register(on_seller_decision, SellerDecisionCb.filter())
    router.message.register(on_reject_reason, Reject.reason, F.text, ~F.text.startswith("/"))
    router.message.register(on_audit, Command("audit"))
    router.message.register(on_paid, Command("paid"))
    router.message.register(on_ban, Command("ban"))
    router.message.register(on_unban, Command("unban"))
    router.message.register(on_coupon, Command("coupon"))
    router.include_routers(catalog.build_router(), people.build_router())
    return router
