"""Shipping: each seller confirms, packs and ships its own part of an order (one shipment per
seller); delivery milestones follow order_received -> packed -> shipped -> in_transit ->
out_for_delivery -> delivered (or failed, then returned). A milestone that repeats is ignored;
one that goes backwards is refused. The order's status follows its shipments: shipped when
every live shipment has left, delivered when every one has arrived (cash on delivery is paid
then). Every milestone is an outbox row for the customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.base import Deps, actor, audit, notify, operation, seller_of, transition
from engine.errors import IllegalTransition, InvalidInput, NotFound
from engine.orders import Orders, OrderView, lock_order, order_view
from engine.transitions import ORDER, SHIPMENT, E
from storage.models import DeliveryTracking, Order, Payment, Shipment, ShippingProvider
from storage.uow import UnitOfWork
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ShipmentStatus,
    TrackingStatus,
)

T = TrackingStatus
SEQUENCE = [T.order_received, T.packed, T.shipped, T.in_transit, T.out_for_delivery, T.delivered]
SELLER_STEPS = {T.order_received, T.packed, T.shipped}


@dataclass(frozen=True)
class Milestone:
    status: TrackingStatus
    location: str | None
    remarks: str | None
    source: str
    at: datetime


def _rank(status: TrackingStatus) -> int:
    return len(SEQUENCE) if status == T.failed else SEQUENCE.index(status)


class Shipping:
    def __init__(self, deps: Deps, orders: Orders) -> None:
        self.d = deps
        self.orders = orders

    async def _own_shipment(self, uow: UnitOfWork, actor_id: int, shipment_id: int) -> Shipment:
        seller = await seller_of(uow, actor_id, must_be_active=False)
        shipment = await uow.session.get(
            Shipment, shipment_id, with_for_update=True, populate_existing=True
        )
        if shipment is None or shipment.seller_id != seller.seller_id:
            raise NotFound(entity="shipment", id=shipment_id)
        return shipment

    async def _actionable(self, uow: UnitOfWork, shipment: Shipment) -> Order:
        order = await lock_order(uow, shipment.order_id)
        ready = order.order_status in (OrderStatus.paid, OrderStatus.shipped) or (
            order.order_status == OrderStatus.pending and order.payment_method == PaymentMethod.cod
        )
        if not ready:
            raise IllegalTransition(
                machine="shipment", status=order.order_status.value, event="prepare"
            )
        return order

    @operation("seller (own shipments)")
    async def confirm(self, actor_id: int, shipment_id: int) -> bool:
        """The seller accepts its part of the order (milestone order_received)."""
        return await self._seller_step(actor_id, shipment_id, T.order_received)

    @operation("seller (own shipments)")
    async def pack(self, actor_id: int, shipment_id: int) -> bool:
        """The parcel is packed (milestone packed)."""
        return await self._seller_step(actor_id, shipment_id, T.packed)

    @operation("seller (own shipments)")
    async def ship(
        self,
        actor_id: int,
        shipment_id: int,
        tracking_number: str,
        provider_id: int | None = None,
    ) -> bool:
        """Hand the parcel to the provider with its tracking number (milestone shipped)."""
        tracking_number = tracking_number.strip()
        if not tracking_number or len(tracking_number) > 100:
            raise InvalidInput(field="tracking_number", rule="length", max=100)
        return await self._seller_step(
            actor_id,
            shipment_id,
            T.shipped,
            tracking_number=tracking_number,
            provider_id=provider_id,
        )

    async def _seller_step(
        self,
        actor_id: int,
        shipment_id: int,
        status: TrackingStatus,
        *,
        tracking_number: str | None = None,
        provider_id: int | None = None,
    ) -> bool:
        async with self.d.uow() as uow:
            shipment = await self._own_shipment(uow, actor_id, shipment_id)
            await self._actionable(uow, shipment)
            if tracking_number is not None and shipment.status != ShipmentStatus.pending:
                return False  # shipped already: a repeat, and the tracking number stays
            if tracking_number is not None:
                if provider_id is not None:
                    if await uow.session.get(ShippingProvider, provider_id) is None:
                        raise NotFound(entity="shipping_provider", id=provider_id)
                    shipment.provider_id = provider_id
                clash = await uow.session.scalar(
                    select(Shipment.shipment_id).where(
                        Shipment.provider_id == shipment.provider_id,
                        Shipment.tracking_number == tracking_number,
                        Shipment.shipment_id != shipment.shipment_id,
                    )
                )
                if clash is not None:
                    raise InvalidInput(field="tracking_number", rule="taken")
                shipment.tracking_number = tracking_number
            added = await self._milestone(uow, shipment, status, None, None, "seller", actor_id)
            await uow.commit()
            return added

    @operation("seller (own shipments), or the shipping provider (system)")
    async def update(
        self,
        actor_id: int | None,
        shipment_id: int,
        status: TrackingStatus,
        location: str | None = None,
        remarks: str | None = None,
        source: str = "seller",
    ) -> bool:
        """A delivery milestone after shipping. Returns False when it repeats one already
        recorded (ignored); raises IllegalTransition when it goes backwards."""
        if status in SELLER_STEPS:
            raise InvalidInput(field="status", rule="use_seller_steps")
        async with self.d.uow() as uow:
            if actor_id is None:
                shipment = await uow.session.get(
                    Shipment, shipment_id, with_for_update=True, populate_existing=True
                )
                if shipment is None:
                    raise NotFound(entity="shipment", id=shipment_id)
            else:
                shipment = await self._own_shipment(uow, actor_id, shipment_id)
            added = await self._milestone(
                uow, shipment, status, location, remarks, source, actor_id
            )
            await uow.commit()
            return added

    @operation("the shipping provider (system)")
    async def provider_update(
        self,
        provider_id: int,
        tracking_number: str,
        status: TrackingStatus,
        location: str | None = None,
        remarks: str | None = None,
        source: str = "provider_push",
    ) -> bool:
        """A provider reports a milestone by its tracking number (polled or pushed)."""
        async with self.d.uow() as uow:
            shipment_id = await uow.session.scalar(
                select(Shipment.shipment_id).where(
                    Shipment.provider_id == provider_id, Shipment.tracking_number == tracking_number
                )
            )
        if shipment_id is None:
            raise NotFound(entity="shipment", tracking_number=tracking_number)
        return await self.update(None, shipment_id, status, location, remarks, source)

    async def _milestone(
        self,
        uow: UnitOfWork,
        shipment: Shipment,
        status: TrackingStatus,
        location: str | None,
        remarks: str | None,
        source: str,
        by: int | None,
    ) -> bool:
        done = set(
            (
                await uow.session.scalars(
                    select(DeliveryTracking.status).where(
                        DeliveryTracking.shipment_id == shipment.shipment_id
                    )
                )
            ).all()
        )
        if status in done:
            return False  # a repeat: ignored, idempotently
        reached = max((_rank(s) for s in done), default=-1)
        if _rank(status) < reached:
            raise IllegalTransition(
                machine="delivery",
                status=SEQUENCE[min(reached, 5)].value if reached < len(SEQUENCE) else "failed",
                event=status.value,
            )
        if status == T.failed and T.shipped not in done:
            raise IllegalTransition(machine="delivery", status="not_shipped", event="failed")
        if status in (T.in_transit, T.out_for_delivery, T.delivered) and T.shipped not in done:
            raise IllegalTransition(machine="delivery", status="not_shipped", event=status.value)
        if status == T.shipped and not shipment.tracking_number:
            raise InvalidInput(field="tracking_number", rule="required")
        now = self.d.clock()
        uow.session.add(
            DeliveryTracking(
                shipment_id=shipment.shipment_id,
                status=status,
                location=location,
                remarks=remarks,
                source=source,
                updated_at=now,
            )
        )
        audit(
            uow,
            "shipment",
            shipment.shipment_id,
            "update",
            by=by,
            new={"milestone": status, "location": location, "source": source},
        )
        order = await lock_order(uow, shipment.order_id)
        if status == T.shipped:
            shipment.shipped_at = now
            transition(
                uow,
                machine="shipment",
                table=SHIPMENT,
                obj=shipment,
                attr="status",
                event=E.dispatch,
                entity="shipment",
                entity_id=shipment.shipment_id,
                by=by,
            )
        elif status == T.delivered:
            shipment.delivered_at = now
            transition(
                uow,
                machine="shipment",
                table=SHIPMENT,
                obj=shipment,
                attr="status",
                event=E.deliver,
                entity="shipment",
                entity_id=shipment.shipment_id,
                by=by,
            )
        elif status == T.failed:
            transition(
                uow,
                machine="shipment",
                table=SHIPMENT,
                obj=shipment,
                attr="status",
                event=E.fail,
                entity="shipment",
                entity_id=shipment.shipment_id,
                by=by,
            )
        await uow.session.flush()
        notify(
            uow,
            order.user_id,
            "delivery_update",
            order_id=order.order_id,
            shipment_id=shipment.shipment_id,
            status=status,
            location=location,
            tracking_number=shipment.tracking_number,
        )
        await self._follow(uow, order, by)
        return True

    async def _follow(self, uow: UnitOfWork, order: Order, by: int | None) -> None:
        """Move the order along once all of its live shipments have moved."""
        shipments = (
            await uow.session.scalars(select(Shipment).where(Shipment.order_id == order.order_id))
        ).all()
        live = [s for s in shipments if s.status != ShipmentStatus.failed or s.shipped_at]
        if not live:
            return
        left = all(s.status != ShipmentStatus.pending for s in live)
        arrived = all(s.status == ShipmentStatus.delivered for s in live)
        if left and order.order_status in (OrderStatus.paid, OrderStatus.pending):
            event = E.ship_cod if order.order_status == OrderStatus.pending else E.ship
            transition(
                uow,
                machine="order",
                table=ORDER,
                obj=order,
                attr="order_status",
                event=event,
                entity="order",
                entity_id=order.order_id,
                by=by,
            )
        if arrived and order.order_status == OrderStatus.shipped:
            transition(
                uow,
                machine="order",
                table=ORDER,
                obj=order,
                attr="order_status",
                event=E.deliver,
                entity="order",
                entity_id=order.order_id,
                by=by,
            )
            if (
                order.payment_method == PaymentMethod.cod
                and order.payment_status == OrderPaymentStatus.pending
            ):
                payment = await uow.session.scalar(
                    select(Payment).where(
                        Payment.order_id == order.order_id, Payment.status == PaymentStatus.pending
                    )
                )
                if payment is not None:
                    payment.transaction_ref = f"cod-{order.order_id}"
                    await self.orders._paid(uow, order, payment, by)
            notify(uow, order.user_id, "order_delivered", order_id=order.order_id)

    @operation("customer (own orders), admin")
    async def timeline(self, actor_id: int, order_id: int) -> dict[int, list[Milestone]]:
        """Every shipment's milestones, oldest first."""
        async with self.d.uow() as uow:
            who = await actor(uow, actor_id)
            order = await uow.session.get(Order, order_id)
            if order is None or (order.user_id != actor_id and not who.is_admin):
                raise NotFound(entity="order", id=order_id)
            rows = (
                (
                    await uow.session.execute(
                        select(DeliveryTracking)
                        .join(Shipment, Shipment.shipment_id == DeliveryTracking.shipment_id)
                        .where(Shipment.order_id == order_id)
                        .order_by(DeliveryTracking.tracking_id)
                    )
                )
                .scalars()
                .all()
            )
            out: dict[int, list[Milestone]] = {}
            for r in rows:
                out.setdefault(r.shipment_id, []).append(
                    Milestone(r.status, r.location, r.remarks, r.source, r.updated_at)
                )
            return out

    @operation("seller (own order lines)")
    async def incoming(self, actor_id: int) -> list[OrderView]:
        """Orders with a part for this seller that still needs handling, oldest first."""
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            ids = (
                await uow.session.scalars(
                    select(Shipment.order_id)
                    .join(Order, Order.order_id == Shipment.order_id)
                    .where(
                        Shipment.seller_id == seller.seller_id,
                        Shipment.status.in_([ShipmentStatus.pending, ShipmentStatus.in_transit]),
                        Order.order_status.in_(
                            [OrderStatus.paid, OrderStatus.shipped, OrderStatus.pending]
                        ),
                    )
                    .order_by(Shipment.order_id)
                )
            ).all()
            views = []
            for order_id in ids:
                view = await order_view(uow, order_id)
                if view.status == OrderStatus.pending and view.payment_method != PaymentMethod.cod:
                    continue  # not paid yet: nothing for the seller to do
                views.append(
                    OrderView(
                        **{
                            **view.__dict__,
                            "lines": [
                                line for line in view.lines if line.seller_id == seller.seller_id
                            ],
                            "shipments": [
                                s for s in view.shipments if s.seller_id == seller.seller_id
                            ],
                        }
                    )
                )
            return views
