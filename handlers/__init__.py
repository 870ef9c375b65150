"""Telegram conversations: one aiogram router per role, keyboards and rendering.

Handlers are thin: parse the update, make one engine call, render the answer. They never
import SQLAlchemy or storage (import-linter contracts), only the engine and nlu.
"""

from aiogram import Router

from handlers import admin, customer, seller


def build_router() -> Router:
    """All role routers under one root; admin and seller commands match before customer text."""
    root = Router(name="shop")
    root.include_routers(admin.build_router(), seller.build_router(), customer.build_router())
    return root
