"""Admin conversations (approve sellers, ban users, coupons, audit, stock watch): the
conversations issue fills this router; it is registered already so the wiring does not
change then."""

from aiogram import Router

router = Router(name="admin")
