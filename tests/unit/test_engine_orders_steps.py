"""The order steps that need no database: what an order's rows give back, whether a payment
sheet may be charged, a bank reference; and the rule that no engine service reaches into
another's private methods (shared steps are functions, engine/orders/)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from engine.errors import IllegalTransition, NotFound, PaymentMismatch
from engine.orders.amounts import cancel_refund, refundable, shipping_part, unrefunded
from engine.orders.payments import bank_reference, check_sheet
from engine.reconcile import invoice_tag
from storage.models import Order, OrderItem
from storage.vocabulary import OrderPaymentStatus, OrderStatus

ENGINE = Path(__file__).resolve().parents[2] / "engine"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def an_order(**overrides: object) -> Order:
    fields: dict[str, object] = {
        "order_id": 7,
        "order_status": OrderStatus.pending,
        "payment_status": OrderPaymentStatus.pending,
        "total_amount": Decimal("25.00"),
        "currency": "EUR",
        "checkout_key": "k-7",
        "expires_at": NOW + timedelta(minutes=30),
    }
    return Order(**(fields | overrides))


def a_line(quantity: int, price: str, discount: str = "0.00", refunded: int = 0) -> OrderItem:
    return OrderItem(
        quantity=quantity,
        price=Decimal(price),
        discount_amount=Decimal(discount),
        refunded_quantity=refunded,
        refunded_amount=Decimal("0.00"),
    )


def test_cancelling_a_paid_order_gives_back_the_lines_and_the_shipping() -> None:
    lines = [a_line(2, "5.00", discount="1.00"), a_line(1, "12.00")]
    order = an_order(payment_status=OrderPaymentStatus.paid)  # 9.00 + 12.00 + 4.00 shipping
    assert shipping_part(order, lines) == Decimal("4.00")
    assert unrefunded(lines) == {lines[0]: 2, lines[1]: 1}
    assert refundable(lines[0], 1) == Decimal("4.50")
    assert cancel_refund(order, lines) == Decimal("25.00")


def test_cancelling_an_unpaid_order_gives_back_nothing() -> None:
    assert cancel_refund(an_order(), [a_line(1, "21.00")]) == Decimal("0.00")


def test_a_payment_sheet_is_charged_only_for_a_pending_order_and_its_exact_amount() -> None:
    order = an_order()
    tag = invoice_tag(7, "k-7")
    check_sheet(order, NOW, amount=Decimal("25.00"), currency="eur", tag=tag)
    with pytest.raises(PaymentMismatch):
        check_sheet(order, NOW, amount=Decimal("24.99"), currency="EUR", tag=None)
    with pytest.raises(NotFound):  # another database's order with this number
        check_sheet(order, NOW, amount=Decimal("25.00"), currency="EUR", tag="0" * 10)
    with pytest.raises(IllegalTransition):
        check_sheet(order, NOW + timedelta(hours=1), amount=Decimal("25"), currency="EUR", tag=None)
    paid = an_order(order_status=OrderStatus.paid, expires_at=None)
    with pytest.raises(IllegalTransition):
        check_sheet(paid, NOW, amount=Decimal("25.00"), currency="EUR", tag=None)


def test_a_bank_reference_carries_the_order_number_and_a_check_digit() -> None:
    assert bank_reference(42) == "MKT000000424"  # 4×7 + 2×8 = 44: check digit 4
    assert bank_reference(12345678) == "MKT123456784"


def test_no_engine_service_calls_another_services_private_method() -> None:
    reached = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # self.<sibling>._<private>: a step another service should call as a function
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "self"
            ):
                reached.append(
                    f"{path.relative_to(ENGINE)}:{node.lineno} self.{node.value.attr}.{node.attr}"
                )
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                reached += [f"{path.relative_to(ENGINE)}:{node.lineno} {name}" for name in private]
    assert reached == []
