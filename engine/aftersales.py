"""After delivery: returns (request -> the seller approves or rejects -> refund and restock),
reviews (only by customers who received the product, one per product, editable), and
payouts (per seller: delivered lines past the return window, minus commission and refunds;
a line is paid out at most once)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, exists, func, select

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
from engine.errors import (
    InvalidInput,
    NotFound,
    Outdated,
    ReturnNotAllowed,
    ReviewNotAllowed,
)
from engine.inventory import lock_products
from engine.machines import ORDER_FLOW, PAYOUT_FLOW, RETURN_FLOW
from engine.orders import Orders, follow_return, lock_order, open_refunds, settle_refund
from engine.orders.fetch import OPEN_RETURNS, asked_back
from engine.orders.refunds import give_back_lines
from engine.pricing import ZERO, percent_of, refundable_units
from engine.transitions import E
from storage.models import (
    Order,
    OrderItem,
    Payout,
    Product,
    Return,
    ReturnItem,
    Review,
    Seller,
    Shipment,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryReference,
    OrderStatus,
    PayoutStatus,
    ReturnStatus,
    SellerStatus,
    ShipmentStatus,
)


@dataclass(frozen=True)
class ReturnView:
    return_id: int
    order_id: int
    seller_id: int
    status: ReturnStatus
    reason: str
    items: dict[int, int]  # order_item_id -> units
    refund_amount: Decimal


@dataclass(frozen=True)
class ReturnLineQuote:
    order_item_id: int
    name: str
    units: int  # asked back
    refund: Decimal  # what the seller's approval gives back for them


@dataclass(frozen=True)
class ReturnQuote:
    """What asking to return some units would ask back (`Returns.quote`): each line's units
    and the refund the seller's approval gives for them (a seller may give less, never
    more; the shipping is not refunded by a return). `version` sums it up with what the
    lines stand at now: `request(..., seen=version)` asks back only what a screen showing
    this quote showed."""

    order_id: int
    lines: list[ReturnLineQuote]
    currency: str
    version: str

    @property
    def refund(self) -> Decimal:
        return sum((line.refund for line in self.lines), ZERO)

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)


@dataclass(frozen=True)
class ReviewView:
    review_id: int
    product_id: int
    user_id: int
    rating: int
    comment: str | None


@dataclass(frozen=True)
class ReceivedReview:
    """A review of one of the seller's products, as their Reviews screen shows it."""

    review_id: int
    product_id: int
    product_name: str
    rating: int
    comment: str | None
    written_at: datetime


@dataclass(frozen=True)
class PayoutView:
    payout_id: int
    seller_id: int
    gross: Decimal
    commission: Decimal
    refunds: Decimal
    amount: Decimal
    status: PayoutStatus
    period_start: datetime
    period_end: datetime
    lines: list[int] = field(default_factory=list)


def payouts_total(payouts: Iterable[PayoutView], status: PayoutStatus | None = None) -> Decimal:
    """What `payouts` add up to (only those in `status`, when given): a run's total, or what
    a seller still has on its way (the pending ones)."""
    return sum((p.amount for p in payouts if status in (None, p.status)), ZERO)


async def _return_view(uow: UnitOfWork, ret: Return) -> ReturnView:
    items = dict(
        (
            await uow.session.execute(
                select(ReturnItem.order_item_id, ReturnItem.quantity).where(
                    ReturnItem.return_id == ret.return_id
                )
            )
        ).all()
    )
    return ReturnView(
        ret.return_id, ret.order_id, ret.seller_id, ret.status, ret.reason, items, ret.refund_amount
    )


async def _waiting_units(uow: UnitOfWork, order_id: int) -> dict[int, int]:
    """The units of each line that returns not decided yet ask back (approved ones are
    refunded already: their units count in the line's refunded_quantity)."""
    rows = await uow.session.execute(
        select(ReturnItem.order_item_id, func.sum(ReturnItem.quantity))
        .join(Return, Return.return_id == ReturnItem.return_id)
        .where(Return.order_id == order_id, Return.status == ReturnStatus.requested)
        .group_by(ReturnItem.order_item_id)
    )
    return {item_id: int(units) for item_id, units in rows.all()}


def _refund_after(line: OrderItem, waiting: int, units: int) -> Decimal:
    """What approving the return of `units` more of `line` gives back, once the `waiting`
    units asked back before are approved first (`refundable_units`, the rule approval uses:
    the line's paid amount shared per unit exactly)."""
    paid = line.price * line.quantity - line.discount_amount
    before = (
        refundable_units(paid, line.quantity, line.refunded_quantity, line.refunded_amount, waiting)
        if waiting
        else ZERO
    )
    return refundable_units(
        paid,
        line.quantity,
        line.refunded_quantity + waiting,
        line.refunded_amount + before,
        units,
    )


class Returns:
    def __init__(self, deps: Deps, orders: Orders) -> None:
        self.d = deps
        self.orders = orders

    async def _returnable(
        self, uow: UnitOfWork, actor_id: int, order_id: int, items: dict[int, int], *, lock: bool
    ) -> tuple[Order, dict[int, OrderItem], ReturnQuote]:
        """The order (locked with `lock`, to ask), its lines, and what returning `items`
        (order_item_id -> units) asks back: `ReturnNotAllowed` when a line is not delivered,
        its return window has closed or fewer units are left to return (`returnable`)."""
        if not items or any(q <= 0 for q in items.values()):
            raise InvalidInput(field="items", rule="positive_quantities")
        now = self.d.clock()
        await actor(uow, actor_id)
        order = await lock_order(uow, order_id) if lock else await uow.session.get(Order, order_id)
        if order is None or order.user_id != actor_id:
            raise NotFound(entity="order", id=order_id)
        lines = {
            i.order_item_id: i
            for i in (
                await uow.session.scalars(select(OrderItem).where(OrderItem.order_id == order_id))
            ).all()
        }
        open_units = await asked_back(uow, order_id)
        waiting = await _waiting_units(uow, order_id)
        shipments = {
            s.seller_id: s
            for s in (
                await uow.session.scalars(select(Shipment).where(Shipment.order_id == order_id))
            ).all()
        }
        quoted, shown = [], [str(order_id)]
        for item_id, qty in sorted(items.items()):
            line = lines.get(item_id)
            if line is None:
                raise NotFound(entity="order_item", id=item_id)
            shipment = shipments.get(line.seller_id)
            if (
                shipment is None
                or shipment.status != ShipmentStatus.delivered
                or shipment.delivered_at is None
            ):
                raise ReturnNotAllowed(reason="not_delivered", order_item_id=item_id)
            if now > shipment.delivered_at + self.d.rules.return_window:
                raise ReturnNotAllowed(
                    reason="window_closed",
                    order_item_id=item_id,
                    closed_at=shipment.delivered_at + self.d.rules.return_window,
                )
            left = line.quantity - line.refunded_quantity - open_units.get(item_id, 0)
            if qty > left:
                raise ReturnNotAllowed(reason="too_many", order_item_id=item_id, returnable=left)
            refund = _refund_after(line, waiting.get(item_id, 0), qty)
            quoted.append(ReturnLineQuote(item_id, line.product_name, qty, refund))
            shown.append(
                f"{item_id}:{line.quantity}:{line.refunded_quantity}:{line.refunded_amount}"
                f":{open_units.get(item_id, 0)}:{qty}:{refund}"
            )
        version = hashlib.sha256("\n".join(shown).encode()).hexdigest()[:12]
        return order, lines, ReturnQuote(order_id, quoted, order.currency, version)

    @operation("customer (own delivered orders)")
    async def quote(self, actor_id: int, order_id: int, items: dict[int, int]) -> ReturnQuote:
        """What asking to send `items` back (order_item_id -> units) would ask: the units,
        and the refund the seller's approval gives for them; refused as `request` would
        refuse it. Nothing is asked yet."""
        async with self.d.read() as uow:
            _, _, quote = await self._returnable(uow, actor_id, order_id, items, lock=False)
            return quote

    @operation("customer (own delivered orders)")
    async def request(
        self,
        actor_id: int,
        order_id: int,
        items: dict[int, int],
        reason: str,
        *,
        seen: str | None = None,
    ) -> list[ReturnView]:
        """Ask to send items back (order_item_id -> units), within the return window.
        Items of several sellers become one return per seller. `seen`: the version of the
        quote the customer confirmed (`ReturnQuote.version`); when what it asks back reads
        otherwise now (asked back since, refunded meanwhile), nothing is asked (`Outdated`)."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput(field="reason", rule="required")
        async with self.d.uow() as uow:
            _, lines, quote = await self._returnable(uow, actor_id, order_id, items, lock=True)
            if seen is not None and seen != quote.version:
                raise Outdated(entity="return", id=order_id)
            by_seller: dict[int, dict[int, int]] = defaultdict(dict)
            for item_id, qty in items.items():
                by_seller[lines[item_id].seller_id][item_id] = qty
            views = []
            for seller_id, chosen in sorted(by_seller.items()):
                ret = Return(
                    order_id=order_id,
                    user_id=actor_id,
                    seller_id=seller_id,
                    status=ReturnStatus.requested,
                    reason=reason[:2000],
                )
                uow.session.add(ret)
                await uow.session.flush()
                for item_id, qty in chosen.items():
                    uow.session.add(
                        ReturnItem(return_id=ret.return_id, order_item_id=item_id, quantity=qty)
                    )
                audit(
                    uow,
                    "return",
                    ret.return_id,
                    "create",
                    by=actor_id,
                    new={"order_id": order_id, "items": chosen, "reason": reason},
                )
                owner = await uow.session.scalar(
                    select(Seller.user_id).where(Seller.seller_id == seller_id)
                )
                assert owner is not None
                notify(
                    uow,
                    owner,
                    "return_requested",
                    return_id=ret.return_id,
                    order_id=order_id,
                    reason=reason,
                )
                await uow.session.flush()
                views.append(await _return_view(uow, ret))
            await uow.commit()
            return views

    async def _own_return(self, uow: UnitOfWork, actor_id: int, return_id: int) -> Return:
        return await owned_by_seller(
            uow,
            actor_id,
            Return,
            return_id,
            "return",
            with_for_update=True,
            populate_existing=True,
        )

    @operation("seller (own returns)")
    async def approve(
        self, actor_id: int, return_id: int, refund_amount: Decimal | None = None
    ) -> ReturnView:
        """Accept a return: restock, refund (all, or `refund_amount` of it), update the order."""
        async with self.d.uow() as uow:
            ret = await self._own_return(uow, actor_id, return_id)
            order = await lock_order(uow, ret.order_id)
            RETURN_FLOW.move(uow, ret, E.approve, by=actor_id)
            chosen = dict(
                (
                    await uow.session.execute(
                        select(ReturnItem.order_item_id, ReturnItem.quantity).where(
                            ReturnItem.return_id == return_id
                        )
                    )
                ).all()
            )
            lines = {
                i.order_item_id: i
                for i in (
                    await uow.session.scalars(
                        select(OrderItem)
                        .where(OrderItem.order_item_id.in_(chosen))
                        .with_for_update()
                    )
                ).all()
            }
            units = {lines[i]: q for i, q in chosen.items()}
            await give_back_lines(
                uow, units, reference=InventoryReference.ret, reference_id=return_id, by=actor_id
            )
            before = sum((line.refunded_amount for line in lines.values()), ZERO)
            refund_ids = await open_refunds(
                uow, order, units, refund_amount, return_id, actor_id, f"return {return_id}"
            )
            ret.refund_amount = (
                sum((line.refunded_amount for line in lines.values()), ZERO) - before
            )
            every = (
                await uow.session.scalars(
                    select(OrderItem).where(OrderItem.order_id == order.order_id)
                )
            ).all()
            if all(i.refunded_quantity == i.quantity for i in every):
                ORDER_FLOW.move(uow, order, E.return_all, by=actor_id)
            notify(
                uow,
                order.user_id,
                "return_approved",
                return_id=return_id,
                order_id=order.order_id,
                refund=ret.refund_amount,
            )
            await uow.commit()
        for refund_id in refund_ids:  # the last one to succeed marks the return refunded
            await settle_refund(self.d, refund_id)
        async with self.d.uow() as uow:
            await follow_return(uow, return_id, by=actor_id)  # nothing was left to refund
            await uow.commit()
            settled_return = await uow.session.get(Return, return_id, populate_existing=True)
            assert settled_return is not None
            return await _return_view(uow, settled_return)

    @operation("seller (own returns)")
    async def waiting(self, actor_id: int) -> list[ReturnView]:
        """Returns customers asked the acting seller for, not decided yet, oldest first."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            rows = (
                await uow.session.scalars(
                    select(Return)
                    .where(
                        Return.seller_id == seller.seller_id,
                        Return.status == ReturnStatus.requested,
                    )
                    .order_by(Return.return_id)
                )
            ).all()
            return [await _return_view(uow, r) for r in rows]

    @operation("seller (own returns)")
    async def reject(self, actor_id: int, return_id: int, reason: str) -> ReturnView:
        """Refuse a return, with the reason the customer reads."""
        if not reason.strip():
            raise InvalidInput(field="reason", rule="required")
        async with self.d.uow() as uow:
            ret = await self._own_return(uow, actor_id, return_id)
            RETURN_FLOW.move(uow, ret, E.reject, by=actor_id, extra={"reason": reason})
            ret.resolution_note = reason.strip()[:2000]
            notify(
                uow,
                ret.user_id,
                "return_rejected",
                return_id=return_id,
                order_id=ret.order_id,
                reason=ret.resolution_note,
            )
            view = await _return_view(uow, ret)
            await uow.commit()  # the view read in the same transaction
            return view


class Reviews:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("customer (who received the product)")
    async def write(
        self,
        actor_id: int,
        product_id: int,
        rating: int,
        comment: str | None = None,
        *,
        seen: int | None = None,
    ) -> ReviewView:
        """Rate a received product 1-5 with an optional comment; writing again edits it.

        A comment not given is kept. `seen`: the stars the screen showed (0: no review yet);
        stars given on a screen that shows others are `Outdated` (the same stars again are
        no change)."""
        if not 1 <= rating <= 5:
            raise InvalidInput(field="rating", rule="range", min=1, max=5)
        comment = (comment or "").strip()[:4000] or None
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            received = await uow.session.scalar(
                select(
                    exists().where(
                        OrderItem.product_id == product_id,
                        OrderItem.order_id == Order.order_id,
                        Order.user_id == actor_id,
                        Shipment.order_id == Order.order_id,
                        Shipment.seller_id == OrderItem.seller_id,
                        Shipment.status == ShipmentStatus.delivered,
                    )
                )
            )
            if not received:
                raise ReviewNotAllowed(product_id=product_id)
            product = (await lock_products(uow, [product_id]))[product_id]
            review = await uow.session.scalar(
                select(Review).where(Review.product_id == product_id, Review.user_id == actor_id)
            )
            created = review is None
            now = 0 if review is None else review.rating
            if seen is not None and now not in (seen, rating):
                raise Outdated(entity="review", id=product_id)
            if review is not None and (rating, comment or review.comment) == (
                review.rating,
                review.comment,
            ):
                return ReviewView(review.review_id, product_id, actor_id, rating, review.comment)
            if review is None:
                review = Review(
                    product_id=product_id, user_id=actor_id, rating=rating, comment=comment
                )
                uow.session.add(review)
                product.review_count += 1
                product.rating_sum += rating
                await uow.session.flush()
                audit(
                    uow,
                    "review",
                    review.review_id,
                    "create",
                    by=actor_id,
                    new={"product_id": product_id, "rating": rating},
                )
            else:
                old = {"rating": review.rating, "comment": review.comment}
                product.rating_sum += rating - review.rating
                review.rating, review.comment = rating, comment or review.comment
                review.updated_at = self.d.clock()  # an edited review is dated by its edit
                comment = review.comment
                audit(
                    uow,
                    "review",
                    review.review_id,
                    "update",
                    by=actor_id,
                    old=old,
                    new={"rating": rating, "comment": comment},
                )
            owner = await uow.session.scalar(
                select(Seller.user_id).where(Seller.seller_id == product.seller_id)
            )
            assert owner is not None
            if created:  # an edit (the comment after the stars, new stars) is not news again
                notify(
                    uow,
                    owner,
                    "review_received",
                    dedupe_key=f"review:{review.review_id}",
                    product_id=product_id,
                    rating=rating,
                )
            await uow.commit()
            return ReviewView(review.review_id, product_id, actor_id, rating, comment)

    @operation("customer (own review)")
    async def comment(self, actor_id: int, product_id: int, comment: str) -> ReviewView:
        """Add or change the comment of the actor's review of a product; its stars stay."""
        text = comment.strip()[:4000] or None
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            review = await uow.session.scalar(
                select(Review)
                .where(Review.product_id == product_id, Review.user_id == actor_id)
                .with_for_update()
            )
            if review is None:
                raise NotFound(entity="review", id=product_id)
            if text != review.comment:
                audit(
                    uow,
                    "review",
                    review.review_id,
                    "update",
                    by=actor_id,
                    old={"comment": review.comment},
                    new={"comment": text},
                )
                review.comment = text
                review.updated_at = self.d.clock()
                await uow.commit()
            return ReviewView(review.review_id, product_id, actor_id, review.rating, text)

    @operation("customer (own review)")
    async def mine(self, actor_id: int, product_id: int) -> ReviewView | None:
        """The actor's review of a product, or None (what a stars screen shows)."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            r = await uow.session.scalar(
                select(Review).where(Review.product_id == product_id, Review.user_id == actor_id)
            )
            return (
                None
                if r is None
                else ReviewView(r.review_id, product_id, actor_id, r.rating, r.comment)
            )

    @operation("customer (own reviews)")
    async def ratings(self, actor_id: int, product_ids: Sequence[int]) -> dict[int, int]:
        """The stars of the actor's reviews of these products, by product (a product not
        reviewed is absent): what an order's page offers, "review" or "edit your review"."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            if not product_ids:
                return {}
            rows = await uow.session.execute(
                select(Review.product_id, Review.rating).where(
                    Review.user_id == actor_id, Review.product_id.in_(set(product_ids))
                )
            )
            return {int(p): int(r) for p, r in rows}

    @operation("anyone")
    async def of_product(self, product_id: int, limit: int = 10) -> list[ReviewView]:
        """A product's reviews, newest first."""
        async with self.d.read() as uow:
            rows = (
                await uow.session.scalars(
                    select(Review)
                    .where(Review.product_id == product_id)
                    .order_by(Review.review_id.desc())
                    .limit(min(max(limit, 1), 50))
                )
            ).all()
            return [
                ReviewView(r.review_id, r.product_id, r.user_id, r.rating, r.comment) for r in rows
            ]

    @operation("seller (own products)")
    async def received(self, actor_id: int, limit: int = 20) -> list[ReceivedReview]:
        """Reviews of the acting seller's products, newest first: which product, the stars,
        the comment and when it was written."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            rows = (
                await uow.session.execute(
                    select(Review, Product.name)
                    .join(Product, Product.product_id == Review.product_id)
                    .where(Product.seller_id == seller.seller_id)
                    .order_by(Review.review_id.desc())
                    .limit(min(max(limit, 1), 100))
                )
            ).all()
            return [
                ReceivedReview(r.review_id, r.product_id, name, r.rating, r.comment, r.created_at)
                for r, name in rows
            ]


def due_lines(seller_id: int, cutoff: datetime) -> Select[OrderItem, datetime | None]:
    """A seller's lines a payout takes now, with when each was delivered: delivered before
    `cutoff` (the return window is over), no open return, in no payout yet. The one rule for
    running payouts and for previewing them (`Backoffice.payouts_due`)."""
    open_return = exists().where(
        ReturnItem.order_item_id == OrderItem.order_item_id,
        Return.return_id == ReturnItem.return_id,
        Return.status.in_(OPEN_RETURNS),
    )
    return (
        select(OrderItem, Shipment.delivered_at)
        .join(Order, Order.order_id == OrderItem.order_id)
        .join(
            Shipment,
            (Shipment.order_id == OrderItem.order_id) & (Shipment.seller_id == OrderItem.seller_id),
        )
        .where(
            OrderItem.seller_id == seller_id,
            OrderItem.payout_id.is_(None),
            Order.order_status.in_([OrderStatus.delivered, OrderStatus.returned]),
            Shipment.status == ShipmentStatus.delivered,
            Shipment.delivered_at <= cutoff,
            ~open_return,
        )
        .order_by(OrderItem.order_item_id)
    )


@dataclass(frozen=True)
class PayoutSums:
    gross: Decimal  # the lines as paid (after their discounts)
    refunds: Decimal
    commission: Decimal  # the marketplace's share of gross − refunds

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds - self.commission


def commission_rate(seller: Seller, default_percent: Decimal) -> Decimal:
    """The seller's own commission (basis points) when set, else the marketplace's."""
    if seller.commission_bps is not None:
        return Decimal(seller.commission_bps) / 100
    return default_percent


def payout_sums(lines: Sequence[OrderItem], rate: Decimal) -> PayoutSums:
    gross = sum((i.price * i.quantity - i.discount_amount for i in lines), ZERO)
    refunds = sum((i.refunded_amount for i in lines), ZERO)
    return PayoutSums(gross, refunds, percent_of(gross - refunds, rate) if lines else ZERO)


async def period_start(
    uow: UnitOfWork, seller_id: int, due: Iterable[tuple[OrderItem, datetime | None]]
) -> datetime | None:
    """A payout's period runs from the seller's previous payout, or else from the first
    delivery it covers, to now."""
    previous = await uow.session.scalar(
        select(Payout.period_end)
        .where(Payout.seller_id == seller_id)
        .order_by(Payout.period_end.desc())
        .limit(1)
    )
    return previous or min((at for _, at in due if at is not None), default=None)


class Payouts:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("scheduler, admin")
    async def run(self, actor_id: int | None = None) -> list[PayoutView]:
        """Create a payout for every seller with delivered lines past the return window that
        no payout covers yet; each seller gets its statement."""
        now = self.d.clock()
        cutoff = now - self.d.rules.return_window
        async with self.d.read() as uow:
            if actor_id is not None:
                await admin(uow, actor_id)
            sellers = (
                await uow.session.scalars(
                    select(Seller)
                    .where(
                        Seller.status.in_(
                            [SellerStatus.active, SellerStatus.suspended, SellerStatus.closed]
                        )
                    )
                    .order_by(Seller.seller_id)
                )
            ).all()
            seller_ids = [s.seller_id for s in sellers]
        made = []
        for seller_id in seller_ids:
            view = await self._run_one(seller_id, now, cutoff, actor_id)
            if view is not None:
                made.append(view)
        return made

    async def _run_one(
        self, seller_id: int, now: datetime, cutoff: datetime, by: int | None
    ) -> PayoutView | None:
        async with self.d.uow() as uow:
            seller = await uow.session.get(
                Seller, seller_id, with_for_update=True, populate_existing=True
            )
            assert seller is not None
            due = (
                await uow.session.execute(
                    due_lines(seller_id, cutoff).with_for_update(of=OrderItem)
                )
            ).all()
            lines = [line for line, _ in due]
            if not lines:
                return None
            sums = payout_sums(lines, commission_rate(seller, self.d.rules.commission_percent))
            gross, refunds, commission = sums.gross, sums.refunds, sums.commission
            start = await period_start(uow, seller_id, due)
            assert start is not None
            assert start < now
            payout = Payout(
                seller_id=seller_id,
                gross_amount=gross,
                refunds_amount=refunds,
                commission_amount=commission,
                amount=gross - refunds - commission,
                currency=self.d.rules.currency,
                status=PayoutStatus.pending,
                period_start=start,
                period_end=now,
            )
            uow.session.add(payout)
            await uow.session.flush()
            for line in lines:
                line.payout_id = payout.payout_id
            audit(
                uow,
                "payout",
                payout.payout_id,
                "create",
                by=by,
                new={
                    "seller_id": seller_id,
                    "gross": gross,
                    "refunds": refunds,
                    "commission": commission,
                    "amount": payout.amount,
                    "lines": [i.order_item_id for i in lines],
                },
            )
            notify(
                uow,
                seller.user_id,
                "payout_statement",
                payout_id=payout.payout_id,
                gross=gross,
                refunds=refunds,
                commission=commission,
                amount=payout.amount,
                lines=[
                    {
                        "order_id": i.order_id,
                        "name": i.product_name,
                        "quantity": i.quantity,
                        "net": i.price * i.quantity - i.discount_amount - i.refunded_amount,
                    }
                    for i in lines
                ],
            )
            await uow.commit()
            return PayoutView(
                payout.payout_id,
                seller_id,
                gross,
                commission,
                refunds,
                payout.amount,
                payout.status,
                payout.period_start,
                payout.period_end,
                [i.order_item_id for i in lines],
            )

    @operation("admin")
    async def mark_paid(self, actor_id: int, payout_id: int, reference: str) -> PayoutStatus:
        """Record that the money was sent (with the bank's reference)."""
        if not reference.strip():
            raise InvalidInput(field="reference", rule="required")
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            payout = await found(uow, Payout, payout_id, "payout", with_for_update=True)
            PAYOUT_FLOW.move(uow, payout, E.mark_paid, by=actor_id, extra={"reference": reference})
            payout.reference, payout.payout_date = reference.strip()[:255], self.d.clock()
            seller = await uow.session.get(Seller, payout.seller_id)
            assert seller is not None
            notify(
                uow,
                seller.user_id,
                "payout_paid",
                payout_id=payout_id,
                amount=payout.amount,
                reference=payout.reference,
            )
            await uow.commit()
            return payout.status

    @operation("seller (own payouts)")
    async def mine(self, actor_id: int) -> list[PayoutView]:
        """The acting seller's payouts and statements, newest first."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            payouts = (
                await uow.session.scalars(
                    select(Payout)
                    .where(Payout.seller_id == seller.seller_id)
                    .order_by(Payout.payout_id.desc())
                )
            ).all()
            views = []
            for p in payouts:
                lines = (
                    await uow.session.scalars(
                        select(OrderItem.order_item_id).where(OrderItem.payout_id == p.payout_id)
                    )
                ).all()
                views.append(
                    PayoutView(
                        p.payout_id,
                        p.seller_id,
                        p.gross_amount,
                        p.commission_amount,
                        p.refunds_amount,
                        p.amount,
                        p.status,
                        p.period_start,
                        p.period_end,
                        list(lines),
                    )
                )
            return views
