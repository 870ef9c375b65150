"""Card refunds reach a Stripe-compatible server (localstripe, started here on loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.adapters.stripe import StripeRefunds
from engine.errors import ProviderFailed
from tests.localstripe_server import localstripe

# localstripe registers plain functions as aiohttp routes, which aiohttp deprecates
pytestmark = pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning")


@pytest.fixture
async def stripe_base() -> AsyncIterator[str]:
    async with localstripe() as base:
        yield base


async def test_a_card_charge_is_refunded_in_part_then_in_full(stripe_base: str) -> None:
    import stripe

    http = stripe.AIOHTTPClient()
    client = stripe.StripeClient(
        "sk_test_local", base_addresses={"api": stripe_base}, http_client=http
    )
    intent = await client.v1.payment_intents.create_async(
        {"amount": 4599, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    charge = intent.latest_charge
    charge_id = charge if isinstance(charge, str) else charge.id  # type: ignore[union-attr]
    refunds = StripeRefunds("sk_test_local", stripe_base)
    try:
        first = await refunds.refund(charge_id, Decimal("10.99"), "USD")
        second = await refunds.refund(charge_id, Decimal("35.00"), "USD")
        assert first.provider_ref != second.provider_ref
        refunded = await client.v1.charges.retrieve_async(charge_id)
        assert (refunded.amount_refunded, refunded.refunded) == (4599, True)
        with pytest.raises(ProviderFailed) as unknown:
            await refunds.refund("ch_does_not_exist", Decimal("0.01"), "USD")
        assert unknown.value.params["provider"] == "stripe"
    finally:
        await refunds.close()
        await http.close_async()  # type: ignore[no-untyped-call]
