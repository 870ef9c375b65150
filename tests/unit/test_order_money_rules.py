"""The pure rules behind what the customer reads about an order's money: the checkout
amounts (one rule for the quote and the order) and where an order's money stands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.order_actions import PaymentState, payment_state
from engine.pricing import checkout_amounts
from storage.vocabulary import OrderPaymentStatus, OrderStatus, PaymentMethod

O, P, M, S = OrderStatus, OrderPaymentStatus, PaymentMethod, PaymentState  # noqa: E741 - short names keep the table readable


def test_checkout_amounts_charge_a_parcel_per_seller_and_add_up() -> None:
    base = checkout_amounts([Decimal("23.45"), Decimal("9.10")], Decimal("4.99"), parcels=2)
    assert (base.subtotal, base.shipping, base.discount) == (
        Decimal("32.55"),
        Decimal("9.98"),
        Decimal("0.00"),
    )
    assert base.total == Decimal("42.53")
    less = base.less(Decimal("3.26"))
    assert less.total == less.subtotal + less.shipping - less.discount == Decimal("39.27")
    assert checkout_amounts([], Decimal("4.99"), parcels=0).total == Decimal("0.00")


@pytest.mark.parametrize(
    ("status", "payment", "method", "state"),
    [
        (O.pending, P.pending, M.card, S.awaiting),
        (O.pending, P.pending, M.paypal, S.awaiting),
        (O.pending, P.failed, M.card, S.failed),
        (O.pending, P.pending, M.bank_transfer, S.awaiting_transfer),
        (O.pending, P.pending, M.cod, S.on_delivery),
        (O.shipped, P.pending, M.cod, S.on_delivery),  # on its way: paid to the courier
        (O.delivered, P.paid, M.cod, S.paid),
        (O.paid, P.paid, M.card, S.paid),
        (O.shipped, P.paid, M.card, S.paid),  # not "being prepared" once it left
        (O.delivered, P.paid, M.bank_transfer, S.paid),
        (O.cancelled, P.pending, M.bank_transfer, S.not_paid),  # not "waiting for payment"
        (O.cancelled, P.failed, M.card, S.not_paid),
        (O.cancelled, P.pending, M.cod, S.not_paid),
        (O.cancelled, P.refunded, M.card, S.refunded),
        (O.delivered, P.partially_refunded, M.paypal, S.partly_refunded),
        (O.returned, P.refunded, M.card, S.refunded),
    ],
)
def test_the_payment_line_is_true_for_the_orders_state_and_method(
    status: OrderStatus, payment: OrderPaymentStatus, method: PaymentMethod, state: PaymentState
) -> None:
    assert payment_state(status, payment, method) == state
