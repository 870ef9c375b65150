"""The e2e fixtures (the real bot process against the emulator, localstripe, the local
PayPal) for these tests."""

from tests.e2e.conftest import paypal, shop_bot, stripe_base

__all__ = ["paypal", "shop_bot", "stripe_base"]
