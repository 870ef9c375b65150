"""The demo shop (`python -m bot seed-demo`), built through the engine, and the sandbox's
simulated courier."""

from bot.demo.sandbox import SANDBOX_PROVIDER, ensure_sandbox_provider
from bot.demo.seed import DEMO_ADMIN_TELEGRAM_ID, seed_demo

__all__ = ["DEMO_ADMIN_TELEGRAM_ID", "SANDBOX_PROVIDER", "ensure_sandbox_provider", "seed_demo"]
