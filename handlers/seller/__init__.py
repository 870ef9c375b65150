"""Seller conversations (apply, dashboard, products, orders, payouts): the conversations
issue fills this router; it is registered already so the wiring does not change then."""

from aiogram import Router

router = Router(name="seller")
