"""Seller conversations (apply, dashboard, products, orders, payouts). The conversations
issue fills this router; it is wired in already so adding handlers changes nothing else."""

from aiogram import Router


def build_router() -> Router:
    return Router(name="seller")
