"""The seller's desk for orders: one card per parcel (this seller's part of an order) with
where it goes and what it holds, the steps it can take next, and the returns waiting for a
decision.

The steps a card offers are derived from the shipment machine (`SHIPMENT` in
engine/transitions.py) and the delivery milestones (`SEQUENCE` in engine/shipping.py): an
event the parcel's status allows leads to a milestone, and every milestone between the last
one recorded and that one is a step the seller may take. Shipping implies the confirm and
pack steps before it, in the same transaction (`Shipping.ship`). A card says whether its
parcel ships with a tracking number (`ParcelCard.tracking`: always for a delivery to the
customer's address; for a pickup point only if its provider tracks parcels, and optional)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from sqlalchemy import ColumnElement, Select, func, select

from engine.aftersales import Returns, ReturnView
from engine.base import Deps, operation, owned_by_seller, seller_of
from engine.errors import NotFound
from engine.orders import LineView
from engine.orders.amounts import parcel_amounts
from engine.orders.fetch import lines_of, shipments_of
from engine.pricing import ZERO
from engine.shipping import SEQUENCE, Shipping, TrackingNumber, tracking_number_of
from engine.transitions import RETURN, SHIPMENT, E, allowed_events
from storage.models import (
    Coupon,
    DeliveryTracking,
    Order,
    OrderCoupon,
    OrderItem,
    Return,
    ReturnItem,
    Shipment,
    ShippingProvider,
    User,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    ReturnStatus,
    ShipmentStatus,
    TrackingStatus,
)

T = TrackingStatus


class Step(StrEnum):
    """What a seller can do to a parcel, named by the milestone it records."""

    confirm = "confirm"
    pack = "pack"
    ship = "ship"
    reject = "reject"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"


STEP_OF_MILESTONE: Final = {
    T.order_received: Step.confirm,
    T.packed: Step.pack,
    T.shipped: Step.ship,
    T.in_transit: Step.in_transit,
    T.out_for_delivery: Step.out_for_delivery,
    T.delivered: Step.delivered,
}
MILESTONE_OF_STEP: Final = {step: milestone for milestone, step in STEP_OF_MILESTONE.items()}
# the shipment events a seller's step leads to; the others (fail) are the provider's to report
MILESTONE_OF_EVENT: Final = {E.dispatch: T.shipped, E.deliver: T.delivered}
STEP_OF_EVENT: Final = {E.cancel: Step.reject}


def seller_steps(status: ShipmentStatus, done: frozenset[TrackingStatus]) -> tuple[Step, ...]:
    """The steps a parcel in `status` with milestones `done` may take, in the order of the
    delivery sequence (a refusal last)."""
    reached = max((SEQUENCE.index(m) for m in done if m in SEQUENCE), default=-1)
    steps: list[Step] = []
    for event in allowed_events(SHIPMENT, status):
        target = MILESTONE_OF_EVENT.get(event)
        if target is not None:
            for milestone in SEQUENCE[reached + 1 : SEQUENCE.index(target) + 1]:
                if STEP_OF_MILESTONE[milestone] not in steps:
                    steps.append(STEP_OF_MILESTONE[milestone])
    for event in allowed_events(SHIPMENT, status):
        if event in STEP_OF_EVENT:
            steps.append(STEP_OF_EVENT[event])
    return tuple(steps)


class Queue(StrEnum):
    """The seller's order lists."""

    to_confirm = "confirm"  # paid (or cash on delivery), not confirmed yet
    to_ship = "ship"  # confirmed, not shipped yet
    shipped = "shipped"  # on its way
    returns = "returns"  # returns waiting for a decision


# the queues that wait for the seller to do something; a shipped parcel waits for the carrier
TO_HANDLE: Final = (Queue.to_confirm, Queue.to_ship, Queue.returns)


@dataclass(frozen=True)
class ParcelCard:
    """One seller's part of an order, as the seller's order card shows it."""

    shipment_id: int
    order_id: int
    order_status: OrderStatus
    payment_method: PaymentMethod
    status: ShipmentStatus
    milestones: tuple[TrackingStatus, ...]  # recorded, in the delivery sequence
    tracking_number: str | None
    provider: str
    customer: str
    address: dict[str, str]
    lines: tuple[LineView, ...]
    amount: Decimal  # what this seller's lines came to, less what was refunded of them
    currency: str
    created_at: datetime
    steps: tuple[Step, ...]
    coupon_code: str | None = None  # the order's coupon, when it took a share of these lines
    coupon_share: Decimal = ZERO  # what the coupon took off this seller's lines
    collect: Decimal | None = None  # cash on delivery still unpaid: what this parcel collects
    # what of the order's shipping this parcel collects on top of `amount` (`collect` is
    # `amount` + this, by `parcel_amounts`); zero unless there is something to collect
    shipping_share: Decimal = ZERO
    # whether Ship asks for a tracking number (engine.shipping.tracking_number_of)
    tracking: TrackingNumber = TrackingNumber.required

    @property
    def pickup_address(self) -> str | None:
        """The pickup point the customer collects it at; None: it goes to their address."""
        return self.address.get("pickup") or None

    @property
    def last_milestone(self) -> TrackingStatus | None:
        return self.milestones[-1] if self.milestones else None

    @staticmethod
    def listed(line: LineView) -> Decimal:
        """A line at the catalogue price the order took, before the coupon's share."""
        return line.price * line.quantity


@dataclass(frozen=True)
class ParcelPage:
    queue: Queue
    cards: tuple[ParcelCard, ...]
    total: int
    page: int
    page_size: int
    counts: dict[Queue, int]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Done:
    """What a step did: the card as it is now, and whether the step changed anything (False:
    the card had moved on already, a stale or repeated button). A refusal says what it gave
    back to the customer: `refunded` (confirmed by the payment provider) and `refund_due`
    (still on its way); both zero when nothing had been paid (cash on delivery)."""

    card: ParcelCard
    changed: bool
    refunded: Decimal = ZERO
    refund_due: Decimal = ZERO


@dataclass(frozen=True)
class ReturnCard:
    ret: ReturnView
    lines: tuple[tuple[str, int], ...]  # product name, units
    decisions: tuple[E, ...]  # approve / reject while it waits, derived from RETURN


@dataclass(frozen=True)
class ReturnPage:
    cards: tuple[ReturnCard, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


SELLER_DECISIONS: Final = (E.approve, E.reject)
LIVE_ORDERS: Final = (OrderStatus.paid, OrderStatus.shipped, OrderStatus.pending)


class Fulfilment:
    def __init__(self, deps: Deps, shipping: Shipping, returns: Returns) -> None:
        self.d = deps
        self.shipping = shipping
        self.returns = returns

    async def _card(self, uow: UnitOfWork, shipment: Shipment) -> ParcelCard:
        order = await uow.session.get(Order, shipment.order_id, populate_existing=True)
        assert order is not None
        done = frozenset(
            (
                await uow.session.scalars(
                    select(DeliveryTracking.status).where(
                        DeliveryTracking.shipment_id == shipment.shipment_id
                    )
                )
            ).all()
        )
        items = (
            await uow.session.scalars(
                select(OrderItem)
                .where(
                    OrderItem.order_id == order.order_id,
                    OrderItem.seller_id == shipment.seller_id,
                )
                .order_by(OrderItem.order_item_id)
            )
        ).all()
        customer = await uow.session.get(User, order.user_id)
        provider = await uow.session.get(ShippingProvider, shipment.provider_id)
        address = {
            str(k): str(v) for k, v in (order.address_snapshot or {}).items() if v is not None
        }
        parts = (customer.first_name, customer.last_name) if customer is not None else ()
        name = " ".join(part for part in parts if part)
        lines = tuple(LineView.of(i) for i in items)
        actionable = order.order_status in (OrderStatus.paid, OrderStatus.shipped) or (
            order.order_status == OrderStatus.pending and order.payment_method == PaymentMethod.cod
        )
        share = sum((line.discount for line in lines), ZERO)
        code = None
        if share:
            code = await uow.session.scalar(
                select(Coupon.code)
                .join(OrderCoupon, OrderCoupon.coupon_id == Coupon.coupon_id)
                .where(OrderCoupon.order_id == order.order_id)
            )
        collect = None
        if (
            order.payment_method == PaymentMethod.cod
            and order.order_status
            in (
                OrderStatus.pending,
                OrderStatus.shipped,
            )
            and order.payment_status == OrderPaymentStatus.pending
        ):
            collect = await self._to_collect(uow, order, shipment)
        amount = sum((line.paid - line.refunded_amount for line in lines), ZERO)
        return ParcelCard(
            shipment_id=shipment.shipment_id,
            order_id=order.order_id,
            order_status=order.order_status,
            payment_method=order.payment_method,
            status=shipment.status,
            milestones=tuple(m for m in SEQUENCE if m in done)
            + ((T.failed,) if T.failed in done else ()),
            tracking_number=shipment.tracking_number,
            provider=provider.name if provider is not None else "",
            customer=name or address.get("recipient", ""),
            address=address,
            lines=lines,
            amount=amount,
            currency=order.currency,
            created_at=order.created_at,
            steps=seller_steps(shipment.status, done) if actionable else (),
            coupon_code=code,
            coupon_share=share,
            collect=collect,
            shipping_share=collect - amount if collect is not None else ZERO,
            tracking=tracking_number_of(address.get("pickup"), provider),
        )

    @staticmethod
    async def _to_collect(uow: UnitOfWork, order: Order, shipment: Shipment) -> Decimal:
        """Cash on delivery: what the courier collects with this parcel, by the rule the
        customer's order card lists its parcels with (`parcel_amounts`)."""
        items = await lines_of(uow, order.order_id)
        shipments = await shipments_of(uow, order.order_id)
        return parcel_amounts(order, items, shipments)[shipment.shipment_id]

    async def _own(self, uow: UnitOfWork, actor_id: int, shipment_id: int) -> Shipment:
        return await owned_by_seller(
            uow, actor_id, Shipment, shipment_id, "shipment", populate_existing=True
        )

    @operation("seller (own shipments)")
    async def card(self, actor_id: int, shipment_id: int) -> ParcelCard:
        """The seller's card of one of its parcels: where it goes, what it holds, what this
        seller gets for it, and the steps it can take now."""
        async with self.d.read() as uow:
            return await self._card(uow, await self._own(uow, actor_id, shipment_id))

    @operation("seller (own shipments)")
    async def card_of_order(self, actor_id: int, order_id: int) -> ParcelCard:
        """The seller's card of its parcel of an order (an older notice names the order, not
        the parcel); NotFound when the order has no parcel of this seller's store."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            shipment = await uow.session.scalar(
                select(Shipment).where(
                    Shipment.order_id == order_id, Shipment.seller_id == seller.seller_id
                )
            )
            if shipment is None:
                raise NotFound(entity="order", id=order_id)
            return await self._card(uow, shipment)

    @operation("seller (own shipments)")
    async def act(
        self, actor_id: int, shipment_id: int, step: Step, tracking_number: str | None = None
    ) -> Done:
        """Take one step on a parcel (confirm, pack, ship, a delivery milestone). Ship takes the
        parcel's tracking number: needed for a delivery to the customer's address, optional
        (None) for a pickup point (`ParcelCard.tracking`). A step the card no longer offers
        changes nothing and returns the card as it is; shipping records the confirm and pack
        it implies in the same transaction."""
        before = await self.card(actor_id, shipment_id)
        if step not in before.steps or step == Step.reject:
            return Done(before, False)
        milestone = MILESTONE_OF_STEP[step]
        if step == Step.confirm:
            changed = await self.shipping.confirm(actor_id, shipment_id)
        elif step == Step.pack:
            changed = await self.shipping.pack(actor_id, shipment_id)
        elif step == Step.ship:
            changed = await self.shipping.ship(actor_id, shipment_id, tracking_number)
        else:
            changed = await self.shipping.update(actor_id, shipment_id, milestone)
        return Done(await self.card(actor_id, shipment_id), changed)

    @operation("seller (own shipments, before shipping)")
    async def reject(self, actor_id: int, shipment_id: int, reason: str) -> Done:
        """Refuse this seller's part of an order (see `Shipping.reject`); a parcel that can no
        longer be refused is returned as it is.

        The result says what the refusal gave back (`Done.refunded`, `Done.refund_due`), as
        the refunds were settled: nothing when nothing had been paid."""
        before = await self.card(actor_id, shipment_id)
        if Step.reject not in before.steps:
            return Done(before, False)
        refusal = await self.shipping.refuse(actor_id, shipment_id, reason)
        card = await self.card(actor_id, shipment_id)
        return Done(card, True, refusal.refunded, refusal.refund_due)

    @operation("seller (own shipments)")
    async def queue(
        self, actor_id: int, queue: Queue, page: int = 1, page_size: int = 8
    ) -> ParcelPage:
        """One page of the seller's parcels in a queue (to confirm, to ship, shipped), oldest
        order first, with how many each queue holds."""
        page = max(1, page)
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            base, where = self._queues(seller.seller_id)
            counts = await self._counts(uow, seller.seller_id)
            if queue == Queue.returns:
                return ParcelPage(queue, (), counts[queue], page, page_size, counts)
            rows = (
                await uow.session.scalars(
                    base.where(where[queue])
                    .order_by(Shipment.order_id)
                    .limit(page_size)
                    .offset((page - 1) * page_size)
                )
            ).all()
            cards = tuple([await self._card(uow, s) for s in rows])
            return ParcelPage(queue, cards, counts[queue], page, page_size, counts)

    @operation("seller (own shipments and returns)")
    async def to_handle(self, actor_id: int) -> int:
        """How many parcels and returns wait for the seller's action: to confirm, to ship,
        returns to decide (the dashboard's "Orders to handle"; shipped ones are not)."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            counts = await self._counts(uow, seller.seller_id)
            return sum(counts[q] for q in TO_HANDLE)

    @staticmethod
    def _queues(seller_id: int) -> tuple[Select[Shipment], dict[Queue, ColumnElement[bool]]]:
        """The seller's ready parcels, and the condition that puts one in each parcel queue."""
        confirmed = (
            select(DeliveryTracking.shipment_id)
            .where(DeliveryTracking.status == T.order_received)
            .scalar_subquery()
        )
        ready = (Order.order_status.in_((OrderStatus.paid, OrderStatus.shipped))) | (
            (Order.order_status == OrderStatus.pending)
            & (Order.payment_method == PaymentMethod.cod)
        )
        base = (
            select(Shipment)
            .join(Order, Order.order_id == Shipment.order_id)
            .where(Shipment.seller_id == seller_id, ready)
        )
        pending = Shipment.status == ShipmentStatus.pending
        where = {
            Queue.to_confirm: pending & Shipment.shipment_id.not_in(confirmed),
            Queue.to_ship: pending & Shipment.shipment_id.in_(confirmed),
            Queue.shipped: Shipment.status == ShipmentStatus.in_transit,
        }
        return base, where

    async def _counts(self, uow: UnitOfWork, seller_id: int) -> dict[Queue, int]:
        """How many each queue holds."""
        base, where = self._queues(seller_id)
        counts: dict[Queue, int] = {}
        for q, condition in where.items():
            counts[q] = int(
                await uow.session.scalar(
                    select(func.count()).select_from(base.where(condition).subquery())
                )
                or 0
            )
        counts[Queue.returns] = int(
            await uow.session.scalar(
                select(func.count(Return.return_id)).where(
                    Return.seller_id == seller_id,
                    Return.status == ReturnStatus.requested,
                )
            )
            or 0
        )
        return counts

    # --- returns ----------------------------------------------------------------------------
    async def _return_card(self, uow: UnitOfWork, ret: Return) -> ReturnCard:
        rows = (
            await uow.session.execute(
                select(OrderItem.product_name, ReturnItem.quantity)
                .join(OrderItem, OrderItem.order_item_id == ReturnItem.order_item_id)
                .where(ReturnItem.return_id == ret.return_id)
                .order_by(ReturnItem.order_item_id)
            )
        ).all()
        view = ReturnView(
            ret.return_id,
            ret.order_id,
            ret.seller_id,
            ret.status,
            ret.reason,
            {},
            ret.refund_amount,
        )
        decisions = tuple(e for e in allowed_events(RETURN, ret.status) if e in SELLER_DECISIONS)
        return ReturnCard(view, tuple((str(n), int(q)) for n, q in rows), decisions)

    async def _own_return(self, uow: UnitOfWork, actor_id: int, return_id: int) -> Return:
        return await owned_by_seller(
            uow, actor_id, Return, return_id, "return", populate_existing=True
        )

    @operation("seller (own returns)")
    async def return_card(self, actor_id: int, return_id: int) -> ReturnCard:
        """A return as the seller's card shows it, with the decisions it still allows."""
        async with self.d.read() as uow:
            return await self._return_card(uow, await self._own_return(uow, actor_id, return_id))

    @operation("seller (own returns)")
    async def decide_return(
        self, actor_id: int, return_id: int, decision: E, reason: str = ""
    ) -> tuple[ReturnCard, bool]:
        """Accept (restock and refund) or refuse a waiting return; a return already decided
        is returned as it is, unchanged."""
        before = await self.return_card(actor_id, return_id)
        if decision not in before.decisions:
            return before, False
        if decision == E.approve:
            await self.returns.approve(actor_id, return_id)
        else:
            await self.returns.reject(actor_id, return_id, reason)  # InvalidInput if empty
        return await self.return_card(actor_id, return_id), True

    @operation("seller (own returns)")
    async def waiting_returns(self, actor_id: int, page: int = 1, page_size: int = 5) -> ReturnPage:
        """One page of the returns waiting for this seller's decision, oldest first."""
        page = max(1, page)
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            where = (Return.seller_id == seller.seller_id) & (
                Return.status == ReturnStatus.requested
            )
            total = int(
                await uow.session.scalar(select(func.count(Return.return_id)).where(where)) or 0
            )
            rows = (
                await uow.session.scalars(
                    select(Return)
                    .where(where)
                    .order_by(Return.return_id)
                    .limit(page_size)
                    .offset((page - 1) * page_size)
                )
            ).all()
            cards = tuple([await self._return_card(uow, r) for r in rows])
            return ReturnPage(cards, total, page, page_size)
