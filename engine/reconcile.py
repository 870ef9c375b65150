"""Payments that are neither lost nor kept twice.

Three things stand between a customer's money and a mistake:

- **The payment sheet in flight.** Pre-checkout lets one payment sheet through per order at a
  time (`Orders.begin_card_payment` marks the order's pending payment `in_flight_until`), so
  two sheets open at once cannot both be charged, where Telegram asks us first.
- **A charge the order cannot take** (it is paid already, cancelled, expired, or the amount
  differs): it is still recorded, as a successful Payment with its own reference, and a full
  refund of it is opened in the same transaction and settled after the commit
  (`keep_extra_charge`). The customer and every admin are told. Reported again, the same
  reference counts once, as any payment.
- **Reconciliation** (`Payments.reconcile`, a scheduled job): the providers' own records of
  what they charged are compared with ours, so a charge whose `successful_payment` never
  reached us (the bot died, the update was lost) is recorded, or refunded when its order can
  no longer take it. Stripe lists its recent PaymentIntents: Telegram's provider is assumed
  to keep the invoice payload in the PaymentIntent's metadata (`invoice_payload`), as the
  sandbox's emulator does. PayPal is asked, for each pending PayPal order, whether the checkout
  it opened for it was captured.

The invoice payload names the order and carries a tag derived from its checkout key
(`order:<id>:<tag>`), so a charge made for another database's order with the same number (a
shared Stripe account, a restarted sandbox) is never taken for ours.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.base import (
    CaptureLookup,
    ChargeSource,
    Deps,
    ProviderCharge,
    admin_user_ids,
    audit,
    notify,
    operation,
)
from engine.errors import DomainError
from engine.machines import PAYMENT_FLOW
from engine.transitions import E
from storage.models import Order, Payment, Refund
from storage.uow import UnitOfWork
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    RefundStatus,
)

if TYPE_CHECKING:
    from engine.orders import Orders

log = logging.getLogger(__name__)

IN_FLIGHT = timedelta(seconds=60)  # how long a payment sheet let through holds its order
EXTRA_CHARGE = "extra charge"  # how the reason of a refund of a charge not taken begins
RECONCILE_WINDOW = timedelta(hours=24)  # how far back the providers' charges are compared
RECONCILE_GRACE = timedelta(minutes=2)  # younger charges may still be on their way to us
PAYPAL_MEMORY = timedelta(hours=6)  # how long PayPal remembers the request id of a checkout


# --- what an invoice says it is for -------------------------------------------------------
PAYLOAD_PREFIX = "order:"
_PAYLOAD = re.compile(r"order:([0-9]{1,18})(?::([0-9a-f]{1,32}))?")


def invoice_tag(order_id: int, checkout_key: str | None) -> str:
    """A short mark of this order in this database: its checkout key, hashed."""
    seed = checkout_key or f"order-{order_id}"
    return hashlib.sha256(seed.encode()).hexdigest()[:10]


def invoice_payload(order_id: int, checkout_key: str | None) -> str:
    """What an invoice for the order carries (Telegram allows 1-128 bytes)."""
    return f"{PAYLOAD_PREFIX}{order_id}:{invoice_tag(order_id, checkout_key)}"


@dataclass(frozen=True)
class InvoiceRef:
    order_id: int
    tag: str | None  # None: an invoice sent before payloads carried a tag


def parse_payload(payload: str | None) -> InvoiceRef | None:
    match = _PAYLOAD.fullmatch(payload or "")
    if match is None:
        return None
    return InvoiceRef(int(match[1]), match[2])


def is_for(ref: InvoiceRef, order: Order) -> bool:
    """Does an invoice reference name this order (not another database's with its number)?"""
    return ref.order_id == order.order_id and (
        ref.tag is None or ref.tag == invoice_tag(order.order_id, order.checkout_key)
    )


def paypal_request_id(order_id: int, created_at: datetime) -> str:
    """The PayPal-Request-Id of the one PayPal order opened for an order of ours: its id plus
    when it was placed (ids restart with a new database, PayPal's memory of request ids does
    not)."""
    return f"order-{order_id}-{int(created_at.timestamp())}"


# --- a refund decided ----------------------------------------------------------------------
async def new_refund(
    uow: UnitOfWork,
    payment: Payment,
    amount: Decimal,
    reason: str,
    *,
    by: int | None,
    return_id: int | None = None,
) -> Refund:
    """A pending refund of `amount` of the payment, with its audit row; it is settled with the
    provider after the commit (engine/orders/refunds.py `settle_refund`)."""
    refund = Refund(
        payment_id=payment.payment_id,
        return_id=return_id,
        amount=amount,
        status=RefundStatus.pending,
        reason=reason[:500],
        created_by=by,
    )
    uow.session.add(refund)
    await uow.session.flush()
    audit(
        uow,
        "refund",
        refund.refund_id,
        "create",
        by=by,
        new={"payment_id": payment.payment_id, "amount": amount, "reason": reason},
    )
    return refund


# --- a charge the order cannot take --------------------------------------------------------
def is_extra_refund(reason: str | None) -> bool:
    return (reason or "").startswith(EXTRA_CHARGE)


async def extra_payment_ids(uow: UnitOfWork, order_id: int) -> set[int]:
    """The order's payments that it could not take (each has its own full refund)."""
    rows = await uow.session.scalars(
        select(Refund.payment_id)
        .join(Payment, Payment.payment_id == Refund.payment_id)
        .where(Payment.order_id == order_id, Refund.reason.like(f"{EXTRA_CHARGE}%"))
    )
    return set(rows.all())


def why_not_taken(order: Order, fits: bool) -> str:
    if order.order_status in (OrderStatus.cancelled, OrderStatus.returned):
        return "order_closed"
    if order.payment_status in (
        OrderPaymentStatus.paid,
        OrderPaymentStatus.partially_refunded,
        OrderPaymentStatus.refunded,
    ):
        return "already_paid"
    if order.order_status == OrderStatus.pending and not fits:
        return "amount_differs"
    return "order_closed"


async def keep_extra_charge(
    uow: UnitOfWork,
    order: Order,
    *,
    payment: Payment | None,
    provider: str,
    transaction_ref: str,
    amount: Decimal,
    currency: str,
    telegram_charge_id: str | None,
    by: int | None,
    why: str,
) -> int | None:
    """Money the order cannot take: a successful Payment row for it, so it is never lost, and
    a full refund opened at once (settle it after the commit). The customer and every admin
    are told. Returns the refund id (None for a charge of nothing)."""
    if payment is None:
        payment = Payment(
            order_id=order.order_id,
            amount=amount,
            currency=currency,
            provider=provider,
            status=PaymentStatus.pending,
            transaction_ref=transaction_ref,
        )
        uow.session.add(payment)
        await uow.session.flush()
        audit(
            uow,
            "payment",
            payment.payment_id,
            "create",
            by=by,
            new={"order_id": order.order_id, "amount": amount, "provider": provider},
        )
    payment.telegram_charge_id = telegram_charge_id or payment.telegram_charge_id
    payment.in_flight_until = None
    PAYMENT_FLOW.move(
        uow, payment, E.succeed, by=by, extra={"transaction_ref": transaction_ref, "taken": False}
    )
    if amount <= 0:
        return None
    refund = await new_refund(uow, payment, amount, f"{EXTRA_CHARGE} ({why})", by=by)
    kind = "charged_twice" if why == "already_paid" else "payment_not_taken"
    notify(uow, order.user_id, kind, order_id=order.order_id, amount=amount)
    for admin_id in await admin_user_ids(uow):
        notify(
            uow,
            admin_id,
            "extra_charge",
            order_id=order.order_id,
            amount=amount,
            provider=provider,
            transaction_ref=transaction_ref,
            why=why.replace("_", " "),
            refund_id=refund.refund_id,
        )
    return refund.refund_id


# --- reconciliation --------------------------------------------------------------------------
@dataclass(frozen=True)
class Reconciled:
    """A provider's charge we had not recorded, and what became of it."""

    provider: str
    transaction_ref: str
    order_id: int
    kept: bool  # recorded as the order's payment; False: recorded and refunded


class Payments:
    """The providers' records of what they charged, held against ours."""

    def __init__(self, deps: Deps, orders: Orders) -> None:
        self.d = deps
        self.orders = orders

    @operation("scheduler")
    async def reconcile(
        self, window: timedelta = RECONCILE_WINDOW, grace: timedelta = RECONCILE_GRACE
    ) -> list[Reconciled]:
        """Compare the providers' charges of the last `window` with the payments recorded: a
        charge for one of our orders that we never recorded is recorded if the order can still
        take it, otherwise recorded and refunded; either way audited and told to the admins.
        Charges younger than `grace` may still be on their way to us and wait."""
        now = self.d.clock()
        done: list[Reconciled] = []
        for name, provider in sorted(self.d.refunds.items()):
            try:
                if isinstance(provider, ChargeSource):
                    charges = await provider.charges_since(now - window)
                    ripe = [c for c in charges if c.created_at <= now - grace]
                    for charge in await self._unknown(ripe):
                        done += await self._adopt(charge, parse_payload(charge.payload))
                if isinstance(provider, CaptureLookup):
                    done += await self._paypal(name, provider, now, grace)
            except DomainError as error:  # one provider down must not stop the others
                log.warning("reconciling %s failed: %s %s", name, error.code, error.params)
        return done

    async def _unknown(self, charges: list[ProviderCharge]) -> list[ProviderCharge]:
        """The charges no successful (or since refunded) payment of ours records."""
        known: set[tuple[str, str]] = set()
        async with self.d.read() as uow:
            for start in range(0, len(charges), 200):
                chunk = charges[start : start + 200]
                refs = {ref for c in chunk for ref in (c.transaction_ref, *c.aliases)}
                rows = await uow.session.execute(
                    select(Payment.provider, Payment.transaction_ref).where(
                        Payment.transaction_ref.in_(refs),
                        Payment.status.in_([PaymentStatus.successful, PaymentStatus.refunded]),
                    )
                )
                known |= {(provider, str(ref)) for provider, ref in rows.all()}
        return [
            c
            for c in charges
            if not any((c.provider, ref) in known for ref in (c.transaction_ref, *c.aliases))
        ]

    async def _adopt(self, charge: ProviderCharge, ref: InvoiceRef | None) -> list[Reconciled]:
        if ref is None:
            return []  # not a charge for an invoice of ours
        async with self.d.read() as uow:
            order = await uow.session.get(Order, ref.order_id)
            if order is None or not is_for(ref, order):
                return []
        try:
            taken = await self.orders.adopt_charge(ref.order_id, charge)
        except DomainError as error:  # e.g. its reference recorded with another amount
            log.warning(
                "charge %s %s for order %s left for an admin: %s %s",
                charge.provider,
                charge.transaction_ref,
                ref.order_id,
                error.code,
                error.params,
            )
            return []
        return [Reconciled(charge.provider, charge.transaction_ref, ref.order_id, taken.kept)]

    async def _paypal(
        self, name: str, paypal: CaptureLookup, now: datetime, grace: timedelta
    ) -> list[Reconciled]:
        """Pending PayPal orders placed within PayPal's memory of request ids: was the
        checkout opened for them captured without our hearing of it?"""
        async with self.d.read() as uow:
            waiting = (
                await uow.session.execute(
                    select(Order.order_id, Order.total_amount, Order.currency, Order.created_at)
                    .where(
                        Order.payment_method == PaymentMethod.paypal,
                        Order.order_status == OrderStatus.pending,
                        Order.created_at >= now - PAYPAL_MEMORY,
                        Order.created_at <= now - grace,
                    )
                    .order_by(Order.order_id)
                )
            ).all()
        done: list[Reconciled] = []
        for order_id, total, currency, created_at in waiting:
            charge = await paypal.find_capture(
                order_id, total, currency, request_id=paypal_request_id(order_id, created_at)
            )
            if charge is not None and charge.provider == name:
                for unknown in await self._unknown([charge]):
                    done += await self._adopt(unknown, InvoiceRef(order_id, None))
        return done
