"""The e2e fixtures (the real bot process against the emulator, localstripe) for load tests."""

from tests.e2e.conftest import shop_bot, stripe_base

__all__ = ["shop_bot", "stripe_base"]
