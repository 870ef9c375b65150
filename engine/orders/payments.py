"""Paying for an order: its payment attempts, the one payment sheet in flight, a payment
recorded (the order becomes paid), a failed attempt, a charge the reconciliation adopted.

A payment counts once per (provider, reference). Charges an order cannot take, and the
comparison of the providers' records with ours, live in engine/reconcile.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from engine.base import admin_user_ids, audit, notify
from engine.errors import IllegalTransition, NotFound, PaymentInFlight, PaymentMismatch
from engine.machines import ORDER_FLOW, ORDER_PAYMENT_FLOW, PAYMENT_FLOW
from engine.orders.fetch import tell_sellers
from engine.reconcile import IN_FLIGHT, invoice_tag, keep_extra_charge, why_not_taken
from engine.transitions import E
from storage.models import Order, Payment
from storage.uow import UnitOfWork
from storage.vocabulary import OrderStatus, PaymentMethod, PaymentStatus, money

ARRIVED = (PaymentStatus.successful, PaymentStatus.refunded)  # its money came (if since sent back)

PROVIDER_OF_METHOD = {
    PaymentMethod.card: "stripe",
    PaymentMethod.paypal: "paypal",
    PaymentMethod.cod: "cod",
    PaymentMethod.bank_transfer: "bank_transfer",
}


def bank_reference(order_id: int) -> str:
    """What a bank transfer for the order quotes: its number and a check digit."""
    digits = f"{order_id:08d}"
    check = sum(int(d) * (i + 1) for i, d in enumerate(digits)) % 10
    return f"MKT{digits}{check}"


async def pending_payments(
    uow: UnitOfWork, order_id: int, *, lock: bool = False
) -> Sequence[Payment]:
    """The order's payment attempts still waiting for money, oldest first."""
    stmt = (
        select(Payment)
        .where(Payment.order_id == order_id, Payment.status == PaymentStatus.pending)
        .order_by(Payment.payment_id)
    )
    return (await uow.session.scalars(stmt.with_for_update() if lock else stmt)).all()


async def pending_payment(uow: UnitOfWork, order_id: int) -> Payment | None:
    """The order's oldest payment attempt still waiting for money, if any."""
    return next(iter(await pending_payments(uow, order_id)), None)


async def new_payment(uow: UnitOfWork, order: Order, provider: str) -> Payment:
    """A pending payment attempt of the order's total with `provider` (a first one, or a new
    one after a failed one)."""
    payment = Payment(
        order_id=order.order_id,
        amount=order.total_amount,
        currency=order.currency,
        provider=provider,
        status=PaymentStatus.pending,
    )
    uow.session.add(payment)
    await uow.session.flush()
    return payment


async def payment_attempt(uow: UnitOfWork, order: Order, provider: str) -> Payment:
    """The order's oldest pending payment, or a new attempt after a failed one."""
    return await pending_payment(uow, order.order_id) or await new_payment(uow, order, provider)


def check_sheet(
    order: Order, now: datetime, *, amount: Decimal, currency: str, tag: str | None
) -> None:
    """May a payment sheet for the order be charged? Only while the order is pending and not
    past its deadline, and for its exact amount; `tag` (the invoice payload's) must be this
    order's."""
    if tag is not None and tag != invoice_tag(order.order_id, order.checkout_key):
        raise NotFound(entity="order", id=order.order_id)  # an invoice of another database
    expired = order.expires_at is not None and order.expires_at <= now
    if order.order_status != OrderStatus.pending or expired:
        raise IllegalTransition(
            machine="order",
            status="expired" if expired else order.order_status.value,
            event=E.pay.value,
        )
    if money(amount) != order.total_amount or currency.upper() != order.currency:
        raise PaymentMismatch(expected=order.total_amount, got=money(amount))


async def hold_for_sheet(uow: UnitOfWork, order: Order, now: datetime, *, by: int) -> None:
    """Mark the order's pending payment in flight for IN_FLIGHT, unless another sheet holds
    it (PaymentInFlight)."""
    pending = await pending_payments(uow, order.order_id, lock=True)
    busy = [p.in_flight_until for p in pending if p.in_flight_until and p.in_flight_until > now]
    if busy:
        raise PaymentInFlight(order_id=order.order_id, until=max(busy))
    provider = PROVIDER_OF_METHOD.get(order.payment_method, "stripe")
    payment = pending[0] if pending else await new_payment(uow, order, provider)
    old = payment.in_flight_until
    payment.in_flight_until = now + IN_FLIGHT
    audit(
        uow,
        "payment",
        payment.payment_id,
        "in_flight",
        by=by,
        old={"in_flight_until": old},
        new={"in_flight_until": payment.in_flight_until},
    )


async def record_payment(uow: UnitOfWork, order: Order, payment: Payment, by: int | None) -> None:
    """The money arrived: the payment succeeds, and so does the order's payment status. A
    pending order becomes paid (its deadline gone): the customer is thanked, and the sellers
    hear of the new order (of cash on delivery they heard at checkout)."""
    PAYMENT_FLOW.move(uow, payment, E.succeed, by=by)
    ORDER_PAYMENT_FLOW.move(uow, order, E.succeed, by=by)
    if order.order_status == OrderStatus.pending:
        ORDER_FLOW.move(uow, order, E.pay, by=by)
        order.expires_at = None
        notify(  # a customer who paid in the chat is thanked there (in_chat: e-mail only)
            uow,
            order.user_id,
            "payment_received",
            order_id=order.order_id,
            amount=payment.amount,
            in_chat=by == order.user_id,
        )
        if order.payment_method != PaymentMethod.cod:
            await tell_sellers(
                uow, order.order_id, "new_order", payment_method=order.payment_method
            )


def fail(uow: UnitOfWork, payment: Payment, reason: str, *, by: int | None) -> None:
    """A payment attempt ends without money: its reason kept, one audited transition."""
    payment.failure_reason = reason[:500]
    PAYMENT_FLOW.move(uow, payment, E.fail, by=by, extra={"reason": reason})


async def payment_by_ref(
    uow: UnitOfWork, order_id: int, provider: str, transaction_ref: str, amount: Decimal
) -> Payment | None:
    """The payment recorded under this provider's reference, if any; one of another order or
    another amount is PaymentMismatch."""
    seen = await uow.session.scalar(
        select(Payment).where(
            Payment.provider == provider, Payment.transaction_ref == transaction_ref
        )
    )
    if seen is not None and (seen.order_id != order_id or seen.amount != amount):
        raise PaymentMismatch(
            provider=provider, transaction_ref=transaction_ref, expected=seen.amount, got=amount
        )
    return seen


async def take_charge(
    uow: UnitOfWork,
    order: Order,
    seen: Payment | None,
    *,
    provider: str,
    transaction_ref: str,
    amount: Decimal,
    currency: str | None,
    telegram_charge_id: str | None,
    by: int | None,
    adopted: bool,
) -> int | None:
    """A charge for the order (`seen`: its payment row, if one is recorded): the order's
    payment when the order is pending and it is the order's amount and currency; otherwise
    recorded and refunded (engine/reconcile.py `keep_extra_charge`), and the refund's id
    returned, to settle after the commit. Another amount for a pending order is
    PaymentMismatch, unless the reconciliation found it (`adopted`)."""
    currency = (currency or order.currency).upper()
    fits = amount == order.total_amount and currency == order.currency
    pending = order.order_status == OrderStatus.pending
    if pending and not fits and not adopted:
        raise PaymentMismatch(
            provider=provider,
            transaction_ref=transaction_ref,
            expected=order.total_amount,
            got=amount,
        )
    if not (pending and fits):
        return await keep_extra_charge(
            uow,
            order,
            payment=seen,
            provider=provider,
            transaction_ref=transaction_ref,
            amount=amount,
            currency=currency,
            telegram_charge_id=telegram_charge_id,
            by=by,
            why=why_not_taken(order, fits),
        )
    payment = seen or await payment_attempt(uow, order, provider)
    payment.provider, payment.transaction_ref = provider, transaction_ref
    payment.telegram_charge_id = telegram_charge_id
    payment.in_flight_until = None
    await record_payment(uow, order, payment, by)
    return None


async def record_adoption(
    uow: UnitOfWork,
    order: Order,
    provider: str,
    transaction_ref: str,
    amount: Decimal,
    refund_id: int | None,
) -> None:
    """The reconciliation found this charge at the provider: an audit row says so, and the
    admins hear of a payment that had not reached the shop (of a refund of it, they hear from
    `keep_extra_charge`)."""
    payment_id = await uow.session.scalar(
        select(Payment.payment_id).where(
            Payment.provider == provider, Payment.transaction_ref == transaction_ref
        )
    )
    audit(
        uow,
        "payment",
        payment_id or 0,
        "reconcile",
        by=None,
        new={
            "order_id": order.order_id,
            "provider": provider,
            "transaction_ref": transaction_ref,
            "amount": amount,
            "kept": refund_id is None,
            "refund_id": refund_id,
        },
    )
    if refund_id is None:
        for admin_id in await admin_user_ids(uow):
            notify(
                uow,
                admin_id,
                "payment_recovered",
                order_id=order.order_id,
                amount=amount,
                provider=provider,
                transaction_ref=transaction_ref,
            )
