"""Loading orders for an operation: one order locked, or as its customer (or an admin) may
see it; a customer's newest orders; an order's lines, shipments and sellers. The order row is
locked before its products, payments and refunds, so operations on one order take turns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from engine.base import actor, found, notify
from engine.errors import NotFound
from storage.models import Order, OrderItem, Return, ReturnItem, Seller, Shipment
from storage.uow import UnitOfWork
from storage.vocabulary import ReturnStatus

MAX_ID = 2**63 - 1  # an id beyond a BIGINT names no order
#: A return still undecided or approved and not yet refunded: its units are asked back.
OPEN_RETURNS = (ReturnStatus.requested, ReturnStatus.approved)


async def lock_order(uow: UnitOfWork, order_id: int) -> Order:
    """The order, locked for the rest of the transaction (NotFound if there is none)."""
    return await found(uow, Order, order_id, "order", with_for_update=True, populate_existing=True)


async def own_order(uow: UnitOfWork, actor_id: int, order_id: int, *, lock: bool = True) -> Order:
    """The customer's own order (admins may act on any); others get NotFound."""
    who = await actor(uow, actor_id)
    order = await (lock_order(uow, order_id) if lock else uow.session.get(Order, order_id))
    if order is None or (order.user_id != actor_id and not who.is_admin):
        raise NotFound(entity="order", id=order_id)
    return order


async def order_for(uow: UnitOfWork, actor_id: int | None, order_id: int) -> Order:
    """The order, locked: any order for the system (no actor), else the actor's own."""
    if actor_id is None:
        return await lock_order(uow, order_id)
    return await own_order(uow, actor_id, order_id)


async def newest_order_ids(uow: UnitOfWork, user_id: int, limit: int) -> Sequence[int]:
    """The ids of the customer's `limit` newest orders, newest first."""
    return (
        await uow.session.scalars(
            select(Order.order_id)
            .where(Order.user_id == user_id)
            .order_by(Order.order_id.desc())
            .limit(limit)
        )
    ).all()


async def lines_of(
    uow: UnitOfWork, order_id: int, *, seller_id: int | None = None
) -> Sequence[OrderItem]:
    """The order's lines (only one seller's, with `seller_id`) by product id: the order their
    products are locked in."""
    stmt = select(OrderItem).where(OrderItem.order_id == order_id)
    if seller_id is not None:
        stmt = stmt.where(OrderItem.seller_id == seller_id)
    return (await uow.session.scalars(stmt.order_by(OrderItem.product_id))).all()


async def shipments_of(uow: UnitOfWork, order_id: int) -> Sequence[Shipment]:
    """The order's shipments (one per seller), by seller."""
    return (
        await uow.session.scalars(
            select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.seller_id)
        )
    ).all()


async def asked_back(uow: UnitOfWork, order_id: int) -> dict[int, int]:
    """The units of each line (by order_item_id) that the order's open returns ask back."""
    units: dict[int, int] = {}
    for item_id, qty in (
        await uow.session.execute(
            select(ReturnItem.order_item_id, ReturnItem.quantity)
            .join(Return, Return.return_id == ReturnItem.return_id)
            .where(Return.order_id == order_id, Return.status.in_(OPEN_RETURNS))
        )
    ).all():
        units[item_id] = units.get(item_id, 0) + qty
    return units


async def sellers_of(uow: UnitOfWork, order_id: int) -> list[tuple[int, int | None]]:
    """The users who sell a line of the order, each with its parcel of it (the shipment id;
    None if it has none)."""
    rows = await uow.session.execute(
        select(Seller.user_id, Shipment.shipment_id)
        .join(OrderItem, OrderItem.seller_id == Seller.seller_id)
        .outerjoin(
            Shipment,
            (Shipment.seller_id == Seller.seller_id) & (Shipment.order_id == order_id),
        )
        .where(OrderItem.order_id == order_id)
        .distinct()
        .order_by(Seller.user_id)
    )
    return [(user_id, shipment_id) for user_id, shipment_id in rows.all()]


async def tell_sellers(uow: UnitOfWork, order_id: int, kind: str, **data: Any) -> None:
    """An outbox row of `kind` for every seller of the order, naming the seller's parcel of
    it (`shipment_id`): what the seller opens from the notice is its own part of the order,
    never the customer's view of it."""
    for user_id, shipment_id in await sellers_of(uow, order_id):
        parcel: dict[str, Any] = {} if shipment_id is None else {"shipment_id": shipment_id}
        notify(uow, user_id, kind, order_id=order_id, **parcel, **data)
