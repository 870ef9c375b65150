"""A seller's payouts read as statements (issue 14, defect 6): the period, sales, refunds,
commission and what is paid, and what is still on its way."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from engine.aftersales import PayoutView
from handlers.seller import payouts_text
from storage.vocabulary import PayoutStatus


def _payout(n: int, amount: str, status: PayoutStatus) -> PayoutView:
    return PayoutView(
        payout_id=n,
        seller_id=1,
        gross=Decimal("150.00"),
        commission=Decimal("13.50"),
        refunds=Decimal("15.00"),
        amount=Decimal(amount),
        status=status,
        period_start=datetime(2026, 11, 1, tzinfo=UTC),
        period_end=datetime(2026, 11, 15, tzinfo=UTC),
    )


def test_each_payout_is_a_statement_and_the_pending_ones_are_summed() -> None:
    text = payouts_text(
        "en",
        [_payout(2, "121.50", PayoutStatus.pending), _payout(1, "121.50", PayoutStatus.paid)],
    )
    assert "01 Nov 2026 – 15 Nov 2026" in text
    assert "Sales $150.00 − refunds $15.00 − commission $13.50 = <b>$121.50</b>" in text
    assert "Payout #2" in text
    assert "being sent" in text
    assert "On its way to you: <b>$121.50</b>" in text  # only the pending one


def test_no_payouts_yet() -> None:
    assert payouts_text("en", []) == "No payouts yet."
