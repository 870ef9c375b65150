"""What the shop promises before anyone buys: how long returns stay open, how one can pay and
how parcels travel. One view of the owner's settings and the active shipping providers, so a
screen that answers "how much is shipping?" or "what is your return policy?" reads the rules
the checkout and the returns use, never a copy of them."""

from __future__ import annotations

from dataclasses import dataclass

from engine.base import Deps, operation
from engine.orders import Orders
from engine.shipping import ProviderView, Shipping
from storage.vocabulary import PaymentMethod


@dataclass(frozen=True)
class PoliciesView:
    return_days: int  # the return window after delivery, in whole days
    payment_methods: tuple[PaymentMethod, ...]  # in the order the checkout offers them
    providers: tuple[ProviderView, ...]  # the active ones, cheapest first; price per parcel
    currency: str


class Policies:
    def __init__(self, deps: Deps, orders: Orders, shipping: Shipping) -> None:
        self.d = deps
        self.orders = orders
        self.shipping = shipping

    @operation("anyone")
    async def view(self) -> PoliciesView:
        """The return window, the payment methods and the active shipping providers."""
        methods = tuple(m for m in PaymentMethod if m in self.orders.payment_methods)
        return PoliciesView(
            return_days=self.d.rules.return_window.days,
            payment_methods=methods,
            providers=tuple(await self.shipping.providers()),
            currency=self.d.rules.currency,
        )
