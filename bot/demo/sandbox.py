"""The sandbox's simulated shipping provider (sandbox/shipping.py serves it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ShippingProvider
from storage.vocabulary import money

SANDBOX_PROVIDER = "Sandbox Express (simulated)"


async def ensure_sandbox_provider(
    sessions: async_sessionmaker[AsyncSession], api_endpoint: str
) -> int:
    """The sandbox's simulated shipping provider, pointed at this run's simulator (its port
    changes between runs); returns its id.

    Written directly: it runs at every sandbox start, before anyone is an admin, and the
    engine's `Shipping.update_provider` cannot change a provider's API endpoint."""
    async with sessions() as s, s.begin():
        row = await s.scalar(
            select(ShippingProvider).where(ShippingProvider.name == SANDBOX_PROVIDER)
        )
        if row is None:
            row = ShippingProvider(
                name=SANDBOX_PROVIDER, shipping_cost=money("3.00"), estimated_days=1
            )
            s.add(row)
        row.api_endpoint = api_endpoint
        await s.flush()
        return row.provider_id
