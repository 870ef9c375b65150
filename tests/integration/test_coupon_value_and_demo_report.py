"""An admin's percentage coupon above 100 is refused with the reason (a percentage is at
most 100), in the engine; `seed-demo` reports as many shipping providers as the shop has."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo import SANDBOX_PROVIDER, seed_demo
from engine.errors import InvalidInput
from handlers.i18n import error_text
from storage.models import ShippingProvider
from storage.vocabulary import DiscountType
from tests.conftest import Database
from tests.integration.world import World


@pytest.fixture
async def world(db: Database) -> World:
    return await World(db).setup()


async def test_a_percentage_above_100_is_refused_saying_so(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        await world.shop.coupons.create(
            world.admin, code="BIG", discount_type=DiscountType.percentage, value=Decimal(150)
        )
    assert error_text("en", refused.value) == "A percentage is at most 100."
    assert "100" in error_text("es", refused.value)


async def test_the_demo_report_counts_every_shipping_provider(
    db: Database, media_dir: Path
) -> None:
    report = await seed_demo(db.sessions, media_dir=media_dir)
    async with db.sessions() as s:
        providers = await s.scalar(select(func.count()).select_from(ShippingProvider))
    assert f"{providers} shipping providers" in report
    # and why the sandbox's /providers will list one more: its simulated courier, added at start
    assert f"{providers} shipping providers (the sandbox adds {SANDBOX_PROVIDER}" in report
