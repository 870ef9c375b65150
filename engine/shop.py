"""The shop: every engine service behind one object that the chat layer receives.

shop = Shop(Deps(uow=lambda: UnitOfWork(sessions), rules=Rules(...)), admin_ids={...})
await shop.carts.add(user_id, product_id, 2)
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.accounts import Accounts
from engine.aftersales import Payouts, Returns, Reviews
from engine.backoffice import Backoffice
from engine.base import Deps
from engine.cart import Carts, Wishlists
from engine.catalog import Catalog
from engine.coupons import Coupons
from engine.fulfilment import Fulfilment
from engine.housekeeping import Housekeeping
from engine.imports import Imports
from engine.inventory import Inventory
from engine.listings import Listings
from engine.orders import Orders
from engine.policies import Policies
from engine.reconcile import Payments
from engine.sellers import Sellers
from engine.shipping import Shipping
from engine.support import Support
from storage.vocabulary import PaymentMethod


class Shop:
    def __init__(
        self,
        deps: Deps,
        *,
        admin_ids: Iterable[int] = (),
        payment_methods: Iterable[PaymentMethod] | None = None,
    ) -> None:
        self.deps = deps
        self.accounts = Accounts(deps, frozenset(admin_ids))
        self.sellers = Sellers(deps)
        self.catalog = Catalog(deps)
        self.listings = Listings(deps, self.catalog)
        self.imports = Imports(deps, self.catalog)
        self.inventory = Inventory(deps)
        self.carts = Carts(deps)
        self.wishlists = Wishlists(deps)
        self.coupons = Coupons(deps)
        self.orders = Orders(deps, None if payment_methods is None else frozenset(payment_methods))
        self.payments = Payments(deps, self.orders)
        self.shipping = Shipping(deps, self.orders)
        self.returns = Returns(deps, self.orders)
        self.fulfilment = Fulfilment(deps, self.shipping, self.returns)
        self.reviews = Reviews(deps)
        self.payouts = Payouts(deps)
        self.backoffice = Backoffice(deps)
        self.housekeeping = Housekeeping(deps)
        self.support = Support(deps)

    @property
    def policies(self) -> Policies:
        """The return window, payment methods and shipping as the shop applies them."""
        return Policies(self.deps, self.orders, self.shipping)
