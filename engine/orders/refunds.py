"""Cancelling and refunding: an order unwound (its stock back, its shipments called off, what
was paid refunded), and refunds decided, then settled with the payment's provider.

Refunds are three steps so that no provider call happens while rows are locked: the decision
(a `Refund` row, pending, and the lines' refunded amounts) commits first; then the refund is
taken (`processing`, with a random owner token, in its own commit), the provider is asked
with the refund's idempotency key, and the outcome is recorded only by that owner
(`settle_refund`). Two settles at once: one takes it, the other does nothing. A crash leaves
it pending or processing; `Orders.resettle_stuck_refunds` takes it again later, and the key
makes the repeated call return the first refund. A provider failure leaves the refund
`failed` for an admin to retry; nothing is refunded twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update

from engine import coupons
from engine.base import Deps, RefundRequest, admin_user_ids, ask_refund, audit, found, notify
from engine.errors import IllegalTransition, RefundTooLarge
from engine.inventory import give_back, lock_products
from engine.machines import ORDER_PAYMENT_FLOW, PAYMENT_FLOW, RETURN_FLOW, SHIPMENT_FLOW
from engine.orders.amounts import PAID_STATUSES, refundable, shipping_part, unrefunded
from engine.orders.fetch import lines_of, lock_order
from engine.orders.payments import ARRIVED, fail, pending_payments
from engine.orders.views import RefundView
from engine.pricing import ZERO, allocate
from engine.reconcile import extra_payment_ids, is_extra_refund, new_refund
from engine.transitions import E
from storage.models import Order, OrderItem, Payment, Product, Refund, Return, Shipment
from storage.uow import UnitOfWork
from storage.vocabulary import (
    InventoryReference,
    PaymentStatus,
    RefundStatus,
    ReturnStatus,
    ShipmentStatus,
    money,
)

REFUND_GRACE = timedelta(minutes=1)  # a pending refund older than this was left by a crash
REFUND_STALE = timedelta(minutes=5)  # a taker silent this long is presumed dead


# --- undoing an order ----------------------------------------------------------------------
async def put_back(
    uow: UnitOfWork,
    items: Sequence[OrderItem],
    shipments: Iterable[Shipment],
    *,
    order_id: int,
    reference: InventoryReference,
    by: int | None,
    reason: str | None = None,
) -> None:
    """Undo what placing the order did to these lines: their stock goes back ('in' logs),
    their sales count down, and those of `shipments` still pending are called off."""
    units = {item: item.quantity for item in items}
    products = await give_back_lines(uow, units, reference=reference, reference_id=order_id, by=by)
    for item in items:
        products[item.product_id].sold_count -= item.quantity
    for shipment in shipments:
        if shipment.status == ShipmentStatus.pending:
            SHIPMENT_FLOW.move(
                uow, shipment, E.cancel, by=by, extra={"reason": reason} if reason else None
            )


async def give_back_lines(
    uow: UnitOfWork,
    units: Mapping[OrderItem, int],
    *,
    reference: InventoryReference,
    reference_id: int,
    by: int | None,
) -> dict[int, Product]:
    """These units of the order's lines back in stock ('in' logs), their products locked in id
    order; returns the products."""
    products = await lock_products(uow, [item.product_id for item in units])
    quantities = {item.product_id: qty for item, qty in units.items()}
    give_back(uow, products, quantities, reference=reference, reference_id=reference_id, by=by)
    return products


async def unwind_order(
    uow: UnitOfWork,
    order: Order,
    shipments: Iterable[Shipment],
    *,
    by: int | None,
    reference: InventoryReference,
    reason: str,
) -> list[int]:
    """Undo a whole order that is being cancelled or expires: every line's stock back, the
    pending shipments called off, its coupon given back, and what was paid (shipping
    included) opened as refunds, whose ids are returned to settle after the commit; unpaid,
    its pending payment attempts fail instead."""
    items = await lines_of(uow, order.order_id)
    await put_back(uow, items, shipments, order_id=order.order_id, reference=reference, by=by)
    await coupons.give_back(uow, order.order_id, by=by, why=reference.value)
    if order.payment_status not in PAID_STATUSES:
        for payment in await pending_payments(uow, order.order_id):
            fail(uow, payment, reason, by=by)
        return []
    shipping = shipping_part(order, items)
    return await open_refunds(uow, order, unrefunded(items), None, None, by, reason, extra=shipping)


# --- deciding a refund ---------------------------------------------------------------------
async def open_refunds(
    uow: UnitOfWork,
    order: Order,
    lines: dict[OrderItem, int],
    amount: Decimal | None,
    return_id: int | None,
    by: int | None,
    reason: str,
    extra: Decimal = ZERO,
) -> list[int]:
    """Decide a refund for `lines` (item -> units): mark the lines refunded and open pending
    Refund rows against the order's successful payments. `amount` below the full refundable
    value makes a partial refund; `extra` (the shipping) is added to it. Returns the refund
    ids to settle after commit."""
    lines = {item: qty for item, qty in lines.items() if qty > 0}
    full = {item: refundable(item, qty) for item, qty in lines.items()}
    most = sum(full.values(), ZERO)
    amount = most if amount is None else money(amount)
    if amount < 0 or amount > most:
        raise RefundTooLarge(refundable=most, asked=amount)
    shares = allocate(amount, list(full.values())) if full else []
    for (item, qty), share in zip(lines.items(), shares, strict=True):
        item.refunded_quantity += qty
        item.refunded_amount += share
    amount += extra
    if amount == 0:
        return []
    payments = (
        await uow.session.scalars(
            select(Payment)
            .where(Payment.order_id == order.order_id, Payment.status == PaymentStatus.successful)
            .order_by(Payment.payment_id)
            .with_for_update()
        )
    ).all()
    pending = dict(
        (
            await uow.session.execute(
                select(Refund.payment_id, func.sum(Refund.amount))
                .where(
                    Refund.status.in_(
                        [RefundStatus.pending, RefundStatus.processing, RefundStatus.failed]
                    )
                )
                .group_by(Refund.payment_id)
            )
        ).all()
    )
    ids, left = [], amount
    for payment in payments:
        room = payment.amount - payment.refunded_amount - (pending.get(payment.payment_id) or ZERO)
        part = min(room, left)
        if part <= 0:
            continue
        refund = await new_refund(uow, payment, part, reason, by=by, return_id=return_id)
        ids.append(refund.refund_id)
        left -= part
    if left > 0:
        raise RefundTooLarge(refundable=amount - left, asked=amount)
    return ids


def move_refund(
    uow: UnitOfWork, refund: Refund, status: RefundStatus, *, by: int | None, **facts: Any
) -> None:
    """The refund's status changes, with one audit row (and `facts` about why)."""
    old, refund.status = refund.status, status
    audit(
        uow,
        "refund",
        refund.refund_id,
        "status_change",
        by=by,
        old={"status": old},
        new={"status": status, **facts},
    )


async def reopen_refund(uow: UnitOfWork, refund_id: int, *, by: int) -> None:
    """A failed refund is pending again, for its provider to be asked again."""
    refund = await found(uow, Refund, refund_id, "refund", with_for_update=True)
    if refund.status != RefundStatus.failed:
        raise IllegalTransition(machine="refund", status=refund.status.value, event="retry")
    move_refund(uow, refund, RefundStatus.pending, by=by, event="retry")


async def stuck_refunds(
    uow: UnitOfWork, now: datetime, grace: timedelta, stale: timedelta
) -> Sequence[int]:
    """Refunds a crash left behind (at most 100, oldest first): decided but pending for longer
    than `grace`, or taken but processing for longer than `stale`."""
    return (
        await uow.session.scalars(
            select(Refund.refund_id)
            .where(
                or_(
                    and_(Refund.status == RefundStatus.pending, Refund.created_at < now - grace),
                    and_(Refund.status == RefundStatus.processing, Refund.taken_at < now - stale),
                )
            )
            .order_by(Refund.refund_id)
            .limit(100)
        )
    ).all()


# --- settling it with the provider ---------------------------------------------------------
async def settle_refund(d: Deps, refund_id: int, *, stale: timedelta = REFUND_STALE) -> RefundView:
    """Ask the provider for one refund, once however many settle it at the same time: the
    row is taken first (its own commit), only the taker asks (with the refund's key), and
    only the taker records the outcome. A refund taken by someone silent for `stale` may be
    taken over."""
    token = secrets.token_hex(16)
    taken = await take_refund(d, refund_id, token, stale)
    if isinstance(taken, RefundView):
        return taken  # settled already, or someone else holds it
    request, provider = taken
    error: str | None = None
    provider_ref = None
    try:
        provider_ref = (await ask_refund(d.refund_provider(provider), request)).provider_ref
    except Exception as exc:  # the provider's failure is data here, kept for the admin
        error = f"{type(exc).__name__}: {exc}"[:500]
    return await finish_refund(d, refund_id, token, provider_ref, error)


async def take_refund(
    d: Deps, refund_id: int, token: str, stale: timedelta
) -> tuple[RefundRequest, str] | RefundView:
    """Mark the refund `processing` under `token`, if it is pending or its taker went silent
    for `stale`: one conditional UPDATE, so of two at once exactly one takes it. Returns what
    to ask the provider, or (not taken) the refund as it is."""
    now = d.clock()
    async with d.uow() as uow:
        refund = await found(uow, Refund, refund_id, "refund")
        before = {"status": refund.status, "taken_by": refund.taken_by}
        result = cast(
            CursorResult[Any],
            await uow.session.execute(
                update(Refund)
                .where(
                    Refund.refund_id == refund_id,
                    or_(
                        Refund.status == RefundStatus.pending,
                        and_(
                            Refund.status == RefundStatus.processing,
                            Refund.taken_at < now - stale,
                        ),
                    ),
                )
                .values(
                    status=RefundStatus.processing,
                    taken_by=token,
                    taken_at=now,
                    attempts=Refund.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            return RefundView.of(refund)
        refund = await found(uow, Refund, refund_id, "refund", populate_existing=True)
        payment = await found(uow, Payment, refund.payment_id, "payment")
        audit(
            uow,
            "refund",
            refund_id,
            "status_change",
            by=None,
            old=before,
            new={"status": RefundStatus.processing, "taken_by": token, "attempt": refund.attempts},
        )
        request = RefundRequest(
            refund_id,
            payment.transaction_ref or "",
            refund.amount,
            payment.currency,
            attempt=refund.attempts,
        )
        provider = payment.provider
        await uow.commit()
    return request, provider


async def finish_refund(
    d: Deps, refund_id: int, token: str, provider_ref: str | None, error: str | None
) -> RefundView:
    """Record the provider's answer, if `token` still holds the refund (otherwise whoever
    took it over records theirs, which the key makes the same refund)."""
    async with d.uow() as uow:
        refund = await found(uow, Refund, refund_id, "refund")
        payment = await found(uow, Payment, refund.payment_id, "payment")
        order = await lock_order(uow, payment.order_id)  # the order first, as cancelling does
        payment = await found(
            uow, Payment, refund.payment_id, "payment", with_for_update=True, populate_existing=True
        )
        refund = await found(
            uow, Refund, refund_id, "refund", with_for_update=True, populate_existing=True
        )
        if refund.status != RefundStatus.processing or refund.taken_by != token:
            return RefundView.of(refund)
        if error is not None:
            await refund_failed(uow, order, refund, error)
        else:
            await refund_sent(uow, order, payment, refund, provider_ref)
        await uow.commit()
        return RefundView.of(refund)


async def refund_failed(uow: UnitOfWork, order: Order, refund: Refund, error: str) -> None:
    """The provider refused: the refund is `failed`, and every admin is told."""
    move_refund(uow, refund, RefundStatus.failed, by=None, error=error)
    for admin_id in await admin_user_ids(uow):
        notify(
            uow,
            admin_id,
            "refund_failed",
            refund_id=refund.refund_id,
            order_id=order.order_id,
            error=error,
        )


async def refund_sent(
    uow: UnitOfWork, order: Order, payment: Payment, refund: Refund, provider_ref: str | None
) -> None:
    """The provider gave the money back: the refund succeeded, the payment counts it, and the
    order's payment status (and the refund's return) follow; the customer is told."""
    move_refund(uow, refund, RefundStatus.succeeded, by=None, provider_ref=provider_ref)
    refund.provider_ref = provider_ref
    old = payment.refunded_amount
    payment.refunded_amount = old + refund.amount
    audit(
        uow,
        "payment",
        payment.payment_id,
        "update",
        by=None,
        old={"refunded_amount": old},
        new={"refunded_amount": payment.refunded_amount},
    )
    if payment.refunded_amount == payment.amount:
        PAYMENT_FLOW.move(uow, payment, E.refund_all, by=None)
    if not is_extra_refund(refund.reason):  # a charge the order never took moves it not
        await follow_refunds(uow, order)
    if refund.return_id is not None:
        await follow_return(uow, refund.return_id)
    notify(uow, order.user_id, "refund_sent", order_id=order.order_id, amount=refund.amount)


async def follow_return(uow: UnitOfWork, return_id: int, by: int | None = None) -> None:
    """An approved return is refunded once every refund opened for it has succeeded, whoever
    settled the last one (the return's approval, or the job after a crash)."""
    ret = await found(uow, Return, return_id, "return", with_for_update=True)
    if ret.status != ReturnStatus.approved:
        return
    open_ones = await uow.session.scalar(
        select(func.count())
        .select_from(Refund)
        .where(Refund.return_id == return_id, Refund.status != RefundStatus.succeeded)
    )
    if not open_ones:
        RETURN_FLOW.move(uow, ret, E.refund, by=by)


async def follow_refunds(uow: UnitOfWork, order: Order) -> None:
    """The order's payment status after a refund: refunded once all it took is back (the
    charges it could not take, refunded on their own, count for nothing here)."""
    extra = await extra_payment_ids(uow, order.order_id)
    payments = [
        p
        for p in (
            await uow.session.scalars(select(Payment).where(Payment.order_id == order.order_id))
        ).all()
        if p.payment_id not in extra
    ]
    paid = sum((p.amount for p in payments if p.status in ARRIVED), ZERO)
    back = sum((p.refunded_amount for p in payments), ZERO)
    event = E.refund_all if back >= paid else E.refund_part
    ORDER_PAYMENT_FLOW.move(uow, order, event, by=None)
