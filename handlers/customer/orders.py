"""My orders: the list, one order, its delivery timeline, cancelling before shipment."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from engine.accounts import UserView
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import Menu, MenuCb, OrderAction, OrderCb
from handlers.customer.catalog import _screen
from handlers.i18n import t
from storage.vocabulary import OrderPaymentStatus


async def on_orders_command(message: Message, shop: Shop, lang: str, me: UserView) -> None:
    views = await shop.orders.history(me.id, limit=10)
    text = t(lang, "orders.title") if views else t(lang, "orders.none")
    await message.answer(text, reply_markup=kb.orders(lang, views))


async def on_orders(query: CallbackQuery, shop: Shop, lang: str, me: UserView) -> None:
    views = await shop.orders.history(me.id, limit=10)
    text = t(lang, "orders.title") if views else t(lang, "orders.none")
    await _screen(query, text, kb.orders(lang, views))
    await query.answer()


async def on_order(
    query: CallbackQuery, callback_data: OrderCb, shop: Shop, lang: str, me: UserView
) -> None:
    order_id = callback_data.id
    if callback_data.action == OrderAction.cancel:
        view = await shop.orders.cancel(me.id, order_id)
        refund = (
            t(lang, "order.refund_note")
            if view.payment_status
            in (OrderPaymentStatus.refunded, OrderPaymentStatus.partially_refunded)
            else ""
        )
        await query.answer(
            t(lang, "order.cancelled", order_id=order_id, refund=refund)[:200], show_alert=True
        )
        await _screen(query, render.order(lang, view), kb.order(lang, view))
        return
    if callback_data.action == OrderAction.track:
        timeline = await shop.shipping.timeline(me.id, order_id)
        view = await shop.orders.get(me.id, order_id)
        await _screen(query, render.tracking(lang, order_id, timeline), kb.order(lang, view))
        await query.answer()
        return
    view = await shop.orders.get(me.id, order_id)
    await _screen(query, render.order(lang, view), kb.order(lang, view))
    await query.answer()


def build_router() -> Router:
    router = Router(name="customer.orders")
    router.message.register(on_orders_command, Command("orders"))
    router.callback_query.register(on_orders, MenuCb.filter(F.to == Menu.orders))
    router.callback_query.register(on_order, OrderCb.filter())
    return router
