"""An order of several parcels, while only some of them have left or arrived, says so in
its status (the card and My orders), not "placed" or "on its way" for the whole order;
its cash on delivery says what is left to pay once some parts were paid."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from engine.orders.views import OrderView, ShipmentView
from handlers.render import order, order_status
from storage.vocabulary import OrderPaymentStatus, OrderStatus, PaymentMethod, ShipmentStatus

P, T, D = ShipmentStatus.pending, ShipmentStatus.in_transit, ShipmentStatus.delivered


def _order(status: OrderStatus, *parcels: ShipmentStatus, pickup: str | None = None) -> OrderView:
    shipments = [
        ShipmentView(i, i, s, None, store=f"Store {i}", amount=Decimal("10.00"))
        for i, s in enumerate(parcels, start=1)
    ]
    return OrderView(
        order_id=7,
        user_id=1,
        status=status,
        payment_status=OrderPaymentStatus.pending,
        payment_method=PaymentMethod.cod,
        subtotal=Decimal("30.00") * len(parcels) / 3,
        discount=Decimal(0),
        shipping=Decimal(0),
        total=Decimal("10.00") * len(parcels),
        currency="USD",
        bank_reference=None,
        expires_at=None,
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        shipments=shipments,
        pickup_address=pickup,
    )


@pytest.mark.parametrize(
    ("status", "parcels", "pickup", "said"),
    [
        (OrderStatus.pending, (P, P), None, "placed"),
        (OrderStatus.pending, (T, P), None, "1 of 2 parcels on the way"),
        (OrderStatus.pending, (D, P), None, "1 of 2 parcels delivered"),
        (OrderStatus.pending, (D, T, P), None, "1 of 3 parcels delivered, 1 on the way"),
        (OrderStatus.shipped, (T, T), None, "on its way"),
        (OrderStatus.shipped, (D, T), "Market Hall", "1 of 2 parcels collected, 1 on the way"),
        (OrderStatus.delivered, (D, D), None, "delivered"),
        (OrderStatus.shipped, (T,), None, "on its way"),
    ],
)
def test_an_orders_status_says_how_many_of_its_parcels_moved(
    status: OrderStatus, parcels: tuple[ShipmentStatus, ...], pickup: str | None, said: str
) -> None:
    assert order_status("en", _order(status, *parcels, pickup=pickup)) == said


def test_cash_left_to_pay_is_what_the_parcels_still_to_come_bring() -> None:
    text = order("en", _order(OrderStatus.pending, D, T, P))
    assert "Payment: to pay on delivery of the other 2 parcels: $20.00" in text, text
    assert "🏬 Store 1: $10.00 paid on delivery" in text, text
    assert "🏬 Store 2: $10.00 with its parcel" in text, text
    text = order("es", _order(OrderStatus.pending, D, P, pickup="Market Hall"))
    assert "a pagar cuando recojas el otro paquete: 10,00" in text, text
