"""Shipping: each seller confirms, packs and ships its own part of an order (one shipment per
seller); delivery milestones follow order_received -> packed -> shipped -> in_transit ->
out_for_delivery -> delivered (or failed, then returned). A milestone that repeats is ignored;
one that goes backwards is refused. The order's status follows its shipments: shipped when
every live shipment has left, delivered when every one has arrived (cash on delivery is paid
then). Every milestone the seller or the provider reports is an outbox row for the customer;
one a later step only implied (shipping confirms and packs: `IMPLIED`) is recorded and
audited like any other, but not told nor shown to the customer as an event of its own.

A parcel ships with a tracking number when it goes to the customer's address; one for a
pickup point ships with a number only when its provider tracks parcels, and may go without
one even then (`TrackingNumber`, `tracking_number_of`). A number looks like one
(`looks_like_tracking_number`): a sentence typed in its place ("I don't have one yet") is
refused, never shipped as the parcel's number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.base import (
    Deps,
    actor,
    admin,
    audit,
    found,
    notify,
    operation,
    owned_by_seller,
    seller_of,
)
from engine.cart import cart_rows
from engine.errors import IllegalTransition, InvalidInput, NotFound
from engine.machines import ORDER_FLOW, SHIPMENT_FLOW
from engine.orders import Orders, OrderView, checkout
from engine.orders.amounts import PAID_STATUSES, refundable, shipping_part, unrefunded
from engine.orders.checkout import DeliveryChoice, ParcelDue
from engine.orders.fetch import lines_of, lock_order, own_order, shipments_of
from engine.orders.payments import pending_payment, record_payment
from engine.orders.refunds import open_refunds, put_back, unwind_order
from engine.orders.views import RefundView, order_view
from engine.pricing import ZERO, allocate
from engine.transitions import E
from storage.models import DeliveryTracking, Order, Seller, Shipment, ShippingProvider
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryReference,
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    ProviderStatus,
    RefundStatus,
    ShipmentStatus,
    TrackingStatus,
    money,
)

T = TrackingStatus
SEQUENCE = [T.order_received, T.packed, T.shipped, T.in_transit, T.out_for_delivery, T.delivered]
SELLER_STEPS = {T.order_received, T.packed, T.shipped}
#: the source of a milestone no one reported: a later seller step implied it (a parcel shipped
#: without a tap on Confirm or Packed was confirmed and packed). The machine passes through it
#: (a row, audited), but the customer's timeline, Track and status card leave it out: it
#: happened with the step that implied it, not as an event the customer was waiting for.
IMPLIED = "implied"
#: what a tracking number is made of: letters and digits, grouped by spaces, hyphens, dots or
#: slashes ("1Z 999 AA1 01 2345 6784", "JD014600003828", "RR123456785GB", "SBX-1")
TRACKING_CHARACTERS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -./"
)
TRACKING_NUMBER_MAX: Final = 100


def looks_like_tracking_number(number: str) -> bool:
    """Whether a (trimmed) text can be a parcel's tracking number: at most 100 characters,
    at least one digit, and only letters, digits, spaces, hyphens, dots and slashes. Words
    ("I don't have one yet", "not yet") are not one."""
    return (
        0 < len(number) <= TRACKING_NUMBER_MAX
        and any(c.isdigit() for c in number)
        and set(number) <= TRACKING_CHARACTERS
    )


class TrackingNumber(StrEnum):
    """Whether a parcel is shipped with a tracking number, by the way it reaches the customer
    (`tracking_number_of`)."""

    required = "required"  # to the customer's address: shipped with its number, always
    optional = "optional"  # to a pickup point by a provider that tracks: asked, may be skipped
    unused = "unused"  # to a pickup point by a provider that tracks nothing: shipped at once


def tracks_parcels(provider: ShippingProvider | None) -> bool:
    """Whether a provider's parcels carry numbers someone follows: it has an API the shop
    asks about them (`api_endpoint`) or a page where the customer looks one up
    (`tracking_url_template`)."""
    return provider is not None and bool(provider.api_endpoint or provider.tracking_url_template)


def pickup_of(order: Order) -> str | None:
    """The pickup point the customer collects the order at (as it was when placed: the order
    keeps its place), or None for a delivery to their address."""
    place = (order.address_snapshot or {}).get("pickup")
    return str(place) if place else None


def tracking_number_of(pickup: str | None, provider: ShippingProvider | None) -> TrackingNumber:
    """How a parcel's tracking number is asked: a delivery needs one; a parcel for a pickup
    point may have one when its provider tracks parcels (`tracks_parcels`), else none."""
    if not pickup:
        return TrackingNumber.required
    return TrackingNumber.optional if tracks_parcels(provider) else TrackingNumber.unused


@dataclass(frozen=True)
class Milestone:
    status: TrackingStatus
    location: str | None
    remarks: str | None
    source: str
    at: datetime


@dataclass(frozen=True)
class Parcel:
    """One seller's part of an order as its customer follows it: the store it comes from,
    its tracking number (once shipped, when it has one), its milestones, oldest first, and
    the pickup point it is collected at (None: delivered to the customer's address)."""

    shipment_id: int
    store_name: str
    tracking_number: str | None
    milestones: list[Milestone]
    pickup_address: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A seller's part of an order refused (`Shipping.refuse`): the order as it is now, and
    the refunds the refusal opened, as settled (none: nothing had been paid for it)."""

    order: OrderView
    refunds: tuple[RefundView, ...] = ()

    @property
    def refunded(self) -> Decimal:
        """What the customer has got back already (the refunds the provider confirmed)."""
        return sum((r.amount for r in self.refunds if r.status == RefundStatus.succeeded), ZERO)

    @property
    def refund_due(self) -> Decimal:
        """What is still on its way back to the customer (a refund not confirmed yet, or one
        the provider refused, which the admins are told of)."""
        return sum((r.amount for r in self.refunds if r.status != RefundStatus.succeeded), ZERO)


@dataclass(frozen=True)
class ProviderView:
    provider_id: int
    name: str
    cost: Decimal
    estimated_days: int | None
    active: bool
    tracking_url_template: str | None
    pickup_address: str | None = None  # a pickup point: where the customer collects it

    @property
    def is_pickup(self) -> bool:
        return bool(self.pickup_address)

    @classmethod
    def of(cls, p: ShippingProvider) -> ProviderView:
        return cls(
            p.provider_id,
            p.name,
            p.shipping_cost,
            p.estimated_days,
            p.status == ProviderStatus.active,
            p.tracking_url_template,
            p.pickup_address,
        )


def _pickup(place: str | None) -> str | None:
    """A pickup point's address as stored: trimmed, None when blank, at most 255 characters."""
    place = (place or "").strip()
    if len(place) > 255:
        raise InvalidInput(field="pickup_address", rule="length", max=255)
    return place or None


def _rank(status: TrackingStatus) -> int:
    return len(SEQUENCE) if status == T.failed else SEQUENCE.index(status)


def _live(shipments: Iterable[Shipment]) -> list[Shipment]:
    """The shipments that count for the order: all but those that failed before they left."""
    return [s for s in shipments if s.status != ShipmentStatus.failed or s.shipped_at]


async def _reported(uow: UnitOfWork, order_id: int) -> dict[int, list[Milestone]]:
    """The order's milestones by shipment, oldest first, as its customer follows them: each
    one reported, none that a later step only implied (`IMPLIED`)."""
    rows = (
        await uow.session.scalars(
            select(DeliveryTracking)
            .join(Shipment, Shipment.shipment_id == DeliveryTracking.shipment_id)
            .where(Shipment.order_id == order_id, DeliveryTracking.source != IMPLIED)
            .order_by(DeliveryTracking.tracking_id)
        )
    ).all()
    out: dict[int, list[Milestone]] = {}
    for r in rows:
        out.setdefault(r.shipment_id, []).append(
            Milestone(r.status, r.location, r.remarks, r.source, r.updated_at)
        )
    return out


class Shipping:
    def __init__(self, deps: Deps, orders: Orders) -> None:
        self.d = deps
        self.orders = orders

    async def _own_shipment(self, uow: UnitOfWork, actor_id: int, shipment_id: int) -> Shipment:
        return await owned_by_seller(
            uow,
            actor_id,
            Shipment,
            shipment_id,
            "shipment",
            with_for_update=True,
            populate_existing=True,
        )

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
        """The parcel is packed (milestone packed; confirmed with it if it was not)."""
        return await self._seller_step(actor_id, shipment_id, T.packed)

    @operation("seller (own shipments)")
    async def ship(
        self,
        actor_id: int,
        shipment_id: int,
        tracking_number: str | None,
        provider_id: int | None = None,
    ) -> bool:
        """Hand the parcel to the provider (milestone shipped; the confirm and pack it implies
        are recorded in the same transaction) with its tracking number. A delivery to the
        customer's address needs one; a parcel for a pickup point may go without (None or
        blank), whether or not its provider tracks parcels (`tracking_number_of`).

        A number must look like one (`looks_like_tracking_number`), else
        InvalidInput(tracking_number, format, case=<how this parcel's number is asked>): the
        parcel stays as it is."""
        number = (tracking_number or "").strip() or None
        if number is not None and len(number) > TRACKING_NUMBER_MAX:
            raise InvalidInput(field="tracking_number", rule="length", max=TRACKING_NUMBER_MAX)
        return await self._seller_step(
            actor_id,
            shipment_id,
            T.shipped,
            tracking_number=number,
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
            order = await self._actionable(uow, shipment)
            if status == T.shipped:
                if shipment.status != ShipmentStatus.pending:
                    return False  # shipped already: a repeat, and the tracking number stays
                await self._label(uow, order, shipment, tracking_number, provider_id)
            # a later step implies the earlier ones (shipping confirms and packs): one
            # transaction, the implied ones marked as such (no one reported them)
            for earlier in SEQUENCE[: SEQUENCE.index(status)]:
                await self._milestone(uow, shipment, earlier, None, None, IMPLIED, actor_id)
            added = await self._milestone(uow, shipment, status, None, None, "seller", actor_id)
            await uow.commit()
            return added

    @staticmethod
    async def _label(
        uow: UnitOfWork,
        order: Order,
        shipment: Shipment,
        tracking_number: str | None,
        provider_id: int | None,
    ) -> None:
        """The parcel about to ship: its provider (when the seller names another) and its
        tracking number, unique for its provider; none only where the parcel may go without
        one (`tracking_number_of`), else InvalidInput(tracking_number, required); one that
        is no tracking number (`looks_like_tracking_number`) is InvalidInput(tracking_number,
        format), whose `case` says how this parcel's number is asked (a pickup point's may
        ship without one: `optional`)."""
        if provider_id is not None:
            await found(uow, ShippingProvider, provider_id, "shipping_provider")
            shipment.provider_id = provider_id
        provider = await uow.session.get(ShippingProvider, shipment.provider_id)
        asked = tracking_number_of(pickup_of(order), provider)
        if tracking_number is None:
            if asked == TrackingNumber.required:
                raise InvalidInput(field="tracking_number", rule="required")
            return
        if not looks_like_tracking_number(tracking_number):
            raise InvalidInput(field="tracking_number", rule="format", case=asked.value)
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
        async with self.d.read() as uow:
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
            new={"milestone": status, "location": location, "source": source}
            | ({"implied": True} if source == IMPLIED else {}),
        )
        order = await lock_order(uow, shipment.order_id)
        if status == T.shipped:
            shipment.shipped_at = now
            SHIPMENT_FLOW.move(uow, shipment, E.dispatch, by=by)
        elif status == T.delivered:
            shipment.delivered_at = now
            SHIPMENT_FLOW.move(uow, shipment, E.deliver, by=by)
        elif status == T.failed:
            SHIPMENT_FLOW.move(uow, shipment, E.fail, by=by)
        await uow.session.flush()
        arrived_before = order.order_status == OrderStatus.delivered
        await self._follow(uow, order, by)
        if source == IMPLIED:  # not an event of its own: the step that implied it is told
            return True
        # the parcel that completes the order is told by "order_delivered" (_follow), not twice
        last = not arrived_before and order.order_status == OrderStatus.delivered
        told = {"superseded_by": "order_delivered"} if last and status == T.delivered else {}
        # an order from several stores comes in several parcels: each milestone says whose
        parcels = len(_live(await shipments_of(uow, order.order_id)))
        store = await uow.session.scalar(
            select(Seller.store_name).where(Seller.seller_id == shipment.seller_id)
        )
        notify(
            uow,
            order.user_id,
            "delivery_update",
            order_id=order.order_id,
            shipment_id=shipment.shipment_id,
            status=status,
            location=location,
            tracking_number=shipment.tracking_number,
            store=store,
            parcels=parcels,
            # collected at a pickup point: the customer is told where it will be ready
            **({"pickup": place} if (place := pickup_of(order)) else {}),
            **told,
        )
        return True

    async def _follow(self, uow: UnitOfWork, order: Order, by: int | None) -> None:
        """Move the order along once all of its live shipments have moved."""
        live = _live(await shipments_of(uow, order.order_id))
        if not live:
            return
        left = all(s.status != ShipmentStatus.pending for s in live)
        arrived = all(s.status == ShipmentStatus.delivered for s in live)
        if left and order.order_status in (OrderStatus.paid, OrderStatus.pending):
            event = E.ship_cod if order.order_status == OrderStatus.pending else E.ship
            ORDER_FLOW.move(uow, order, event, by=by)
        if arrived and order.order_status == OrderStatus.shipped:
            ORDER_FLOW.move(uow, order, E.deliver, by=by)
            if (
                order.payment_method == PaymentMethod.cod
                and order.payment_status == OrderPaymentStatus.pending
            ):
                payment = await pending_payment(uow, order.order_id)
                if payment is not None:
                    payment.transaction_ref = f"cod-{order.order_id}"
                    await record_payment(uow, order, payment, by)
            # collected at a pickup point: told as collected there, not delivered
            place = pickup_of(order)
            notify(
                uow,
                order.user_id,
                "order_delivered",
                order_id=order.order_id,
                **({"pickup": place} if place else {}),
            )

    # --- shipping providers (admins manage them; customers choose one at checkout) -------
    @operation("anyone")
    async def providers(self, *, include_inactive: bool = False) -> list[ProviderView]:
        """The shipping providers a customer can choose, cheapest first."""
        async with self.d.read() as uow:
            stmt = select(ShippingProvider).order_by(
                ShippingProvider.shipping_cost, ShippingProvider.provider_id
            )
            if not include_inactive:
                stmt = stmt.where(ShippingProvider.status == ProviderStatus.active)
            return [ProviderView.of(p) for p in (await uow.session.scalars(stmt)).all()]

    @operation("customer (own cart and addresses)")
    async def options_for(self, actor_id: int, address_id: int | None) -> DeliveryChoice:
        """How the cart can travel to this address of the customer's: the active providers
        that go there, cheapest first, priced for the cart; a pickup point only in the
        address's own country (`checkout.serves`), and whether the shop has pickup points,
        none of them there. No address chosen yet (None): every active provider. The chat
        and the Mini App both list by this rule."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            country = None
            if address_id is not None:
                country = (await checkout.own_address(uow, actor_id, address_id)).country
            _, rows = await cart_rows(uow, actor_id)
            providers = await uow.session.scalars(
                select(ShippingProvider)
                .where(ShippingProvider.status == ProviderStatus.active)
                .order_by(ShippingProvider.shipping_cost, ShippingProvider.provider_id)
            )
            return checkout.delivery_choice(providers.all(), rows, country)

    @operation("customer (own cart)")
    async def quoted_parcels(
        self, actor_id: int, provider_id: int, coupon_code: str | None = None
    ) -> list[ParcelDue]:
        """What each store's parcel of the cart would come to, placed with this provider and
        coupon (cash on delivery: what each one collects), by the placed order's rule."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            provider = await checkout.chosen_provider(uow, provider_id)
            _, rows = await cart_rows(uow, actor_id)
            if not rows:
                return []
            amounts, coupon = await checkout.priced(
                uow, rows, provider, coupon_code, actor_id, self.d.clock().date()
            )
            return checkout.quoted_parcels(rows, amounts, coupon)

    @operation("customer (own orders), admin")
    async def parcels_due(self, actor_id: int, order_id: int) -> list[ParcelDue]:
        """What each store's parcel of the order comes to now, by seller (cash on delivery:
        what each one collects; the seller's card of a parcel says the same amount)."""
        async with self.d.read() as uow:
            order = await own_order(uow, actor_id, order_id, lock=False)
            return await checkout.order_parcels(uow, order)

    @operation("admin")
    async def create_provider(
        self,
        actor_id: int,
        name: str,
        cost: Decimal | str,
        *,
        estimated_days: int | None = None,
        api_endpoint: str | None = None,
        tracking_url_template: str | None = None,
        contact_email: str | None = None,
        pickup_address: str | None = None,
    ) -> ProviderView:
        """Add a shipping provider with its price per parcel (with `pickup_address`, a local
        pickup point: the customer collects the parcel there)."""
        name = name.strip()
        pickup_address = _pickup(pickup_address)
        if not name or len(name) > 100:
            raise InvalidInput(field="name", rule="length", max=100)
        price = money(cost)
        if price < 0:
            raise InvalidInput(field="cost", rule="not_negative")
        if estimated_days is not None and estimated_days < 0:
            raise InvalidInput(field="estimated_days", rule="not_negative")
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            provider = ShippingProvider(
                name=name,
                shipping_cost=price,
                estimated_days=estimated_days,
                api_endpoint=api_endpoint,
                tracking_url_template=tracking_url_template,
                contact_email=contact_email,
                pickup_address=pickup_address,
                status=ProviderStatus.active,
            )
            uow.session.add(provider)
            try:
                await uow.session.flush()
            except IntegrityError:
                raise InvalidInput(field="name", rule="taken") from None
            audit(
                uow,
                "shipping_provider",
                provider.provider_id,
                "create",
                by=actor_id,
                new={"name": name, "cost": price, "pickup_address": pickup_address},
            )
            await uow.commit()
            return ProviderView.of(provider)

    @operation("admin")
    async def update_provider(
        self,
        actor_id: int,
        provider_id: int,
        *,
        cost: Decimal | str | None = None,
        active: bool | None = None,
        estimated_days: int | None = None,
        pickup_address: str | None = None,
    ) -> ProviderView:
        """Change a provider's price, days or pickup place, or switch it off (orders already
        placed keep their price and place; `pickup_address=""` makes it a delivery again)."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            provider = await found(
                uow, ShippingProvider, provider_id, "shipping_provider", with_for_update=True
            )
            old = {
                "cost": provider.shipping_cost,
                "status": provider.status,
                "estimated_days": provider.estimated_days,
                "pickup_address": provider.pickup_address,
            }
            if cost is not None:
                price = money(cost)
                if price < 0:
                    raise InvalidInput(field="cost", rule="not_negative")
                provider.shipping_cost = price
            if active is not None:
                provider.status = ProviderStatus.active if active else ProviderStatus.inactive
            if estimated_days is not None:
                provider.estimated_days = estimated_days
            if pickup_address is not None:
                provider.pickup_address = _pickup(pickup_address)
            audit(
                uow,
                "shipping_provider",
                provider_id,
                "update",
                by=actor_id,
                old=old,
                new={
                    "cost": provider.shipping_cost,
                    "status": provider.status,
                    "estimated_days": provider.estimated_days,
                    "pickup_address": provider.pickup_address,
                },
            )
            await uow.commit()
            return ProviderView.of(provider)

    @operation("seller (own shipments, before shipping)")
    async def reject(self, actor_id: int, shipment_id: int, reason: str) -> OrderView:
        """Refuse this seller's part of an order before it ships: its stock goes back and the
        customer gets back what they paid for it (the whole order is cancelled when it was
        the only part)."""
        return (await self.refuse(actor_id, shipment_id, reason)).order

    @operation("seller (own shipments, before shipping)")
    async def refuse(self, actor_id: int, shipment_id: int, reason: str) -> Refusal:
        """`reject`, with the refunds it gave the customer as they were settled (none when
        nothing had been paid: cash on delivery collects less, or nothing)."""
        if not reason.strip():
            raise InvalidInput(field="reason", rule="required")
        async with self.d.uow() as uow:
            shipment = await self._own_shipment(uow, actor_id, shipment_id)
            order = await self._actionable(uow, shipment)
            if shipment.status != ShipmentStatus.pending:
                raise IllegalTransition(
                    machine="shipment", status=shipment.status.value, event=E.cancel.value
                )
            shipments = await shipments_of(uow, order.order_id)
            if _live(shipments) == [shipment]:
                ORDER_FLOW.move(
                    uow, order, E.cancel, by=actor_id, extra={"reason": reason, "by": "seller"}
                )
                refunds = await unwind_order(
                    uow,
                    order,
                    shipments,
                    by=actor_id,
                    reference=InventoryReference.cancellation,
                    reason=reason,
                )
                notify(
                    uow, order.user_id, "order_cancelled", order_id=order.order_id, reason=reason
                )
            else:
                refunds = await self._drop_part(uow, order, shipment, shipments, actor_id, reason)
                notify(
                    uow,
                    order.user_id,
                    "order_part_cancelled",
                    order_id=order.order_id,
                    seller_id=shipment.seller_id,
                    reason=reason,
                )
            await uow.commit()
        settled = await self.orders.settle_refunds(refunds)
        async with self.d.read() as uow:
            return Refusal(await order_view(uow, order.order_id), tuple(settled))

    async def _drop_part(
        self,
        uow: UnitOfWork,
        order: Order,
        shipment: Shipment,
        shipments: Sequence[Shipment],
        by: int,
        reason: str,
    ) -> list[int]:
        """Call off one seller's part of the order: its lines' stock back, and what the
        customer paid for them and for its parcel (an equal share of the shipping) refunded,
        or, not paid yet (cash on delivery), collected less on delivery."""
        items = await lines_of(uow, order.order_id, seller_id=shipment.seller_id)
        every = await lines_of(uow, order.order_id)
        await put_back(
            uow,
            items,
            [shipment],
            order_id=order.order_id,
            reference=InventoryReference.cancellation,
            by=by,
            reason=reason,
        )
        position = [s.shipment_id for s in shipments].index(shipment.shipment_id)
        parcels = [Decimal(1)] * len(shipments)
        shipping_share = allocate(shipping_part(order, every), parcels)[position]
        lines = unrefunded(items)
        if order.payment_status in PAID_STATUSES:
            return await open_refunds(
                uow, order, lines, None, None, by, reason, extra=shipping_share
            )
        worth = {item: refundable(item, qty) for item, qty in lines.items()}
        for item, qty in lines.items():
            item.refunded_amount += worth[item]
            item.refunded_quantity += qty
        payment = await pending_payment(uow, order.order_id)
        if payment is not None:
            old = payment.amount
            payment.amount = old - sum(worth.values(), ZERO) - shipping_share
            audit(
                uow,
                "payment",
                payment.payment_id,
                "update",
                by=by,
                old={"amount": old},
                new={"amount": payment.amount, "reason": reason},
            )
        return []

    @operation("customer (own orders), admin")
    async def timeline(self, actor_id: int, order_id: int) -> dict[int, list[Milestone]]:
        """Every shipment's milestones, oldest first (those reported, not those a later
        step only implied: `IMPLIED`)."""
        async with self.d.read() as uow:
            await own_order(uow, actor_id, order_id, lock=False)
            return await _reported(uow, order_id)

    @operation("customer (own orders), admin")
    async def parcels(self, actor_id: int, order_id: int) -> list[Parcel]:
        """The order's parcels, one per seller in the order they were made: each with its
        store's name, its tracking number, its milestones, oldest first (as `timeline`), and
        the pickup point it is collected at, if it is."""
        async with self.d.read() as uow:
            order = await own_order(uow, actor_id, order_id, lock=False)
            place = pickup_of(order)
            shipments = (
                await uow.session.execute(
                    select(Shipment, Seller.store_name)
                    .join(Seller, Seller.seller_id == Shipment.seller_id)
                    .where(Shipment.order_id == order_id)
                    .order_by(Shipment.shipment_id)
                )
            ).all()
            steps = await _reported(uow, order_id)
            return [
                Parcel(s.shipment_id, name, s.tracking_number, steps.get(s.shipment_id, []), place)
                for s, name in shipments
            ]

    @operation("seller (own order lines)")
    async def incoming(self, actor_id: int) -> list[OrderView]:
        """Orders with a part for this seller that still needs handling, oldest first."""
        async with self.d.read() as uow:
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
                    replace(
                        view,
                        lines=[line for line in view.lines if line.seller_id == seller.seller_id],
                        shipments=[s for s in view.shipments if s.seller_id == seller.seller_id],
                    )
                )
            return views
