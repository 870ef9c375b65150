"""Expiry: an order not paid by its deadline (card and PayPal: `UNPAID_ORDER_TTL_MINUTES`,
bank transfer: `BANK_TRANSFER_TTL_HOURS`; cash on delivery has none) is cancelled, its
stock given back and its payment attempts failed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from engine import order_actions
from engine.base import notify
from engine.machines import ORDER_FLOW
from engine.orders.fetch import lock_order, shipments_of
from engine.orders.refunds import unwind_order
from engine.transitions import E
from storage.models import Order
from storage.uow import UnitOfWork
from storage.vocabulary import InventoryReference, OrderStatus


def overdue(order: Order, now: datetime) -> bool:
    """Still unpaid after its deadline (the rule: engine/order_actions.py `overdue`)."""
    return order_actions.overdue(order.order_status, order.expires_at, now)


async def overdue_orders(uow: UnitOfWork, now: datetime) -> Sequence[int]:
    """The ids of the orders `overdue` at `now`, oldest first."""
    return (
        await uow.session.scalars(
            select(Order.order_id)
            .where(
                Order.order_status == OrderStatus.pending,
                Order.expires_at.is_not(None),
                Order.expires_at < now,
            )
            .order_by(Order.order_id)
        )
    ).all()


async def expire(uow: UnitOfWork, order_id: int, now: datetime) -> bool:
    """Expire the order if it is still `overdue` under its lock (it may have been paid or
    cancelled since it was found); the customer is told. Returns whether it expired."""
    order = await lock_order(uow, order_id)
    if not overdue(order, now):
        return False
    ORDER_FLOW.move(uow, order, E.expire, by=None)
    shipments = await shipments_of(uow, order_id)
    await unwind_order(
        uow, order, shipments, by=None, reference=InventoryReference.expiry, reason="expired"
    )
    notify(uow, order.user_id, "order_expired", order_id=order_id)
    return True
