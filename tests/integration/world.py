"""A small marketplace built through the engine's own operations, for engine tests.

Nothing here writes rows directly except the very first admin (who must exist before anyone
can approve anything) and shipping providers (there is no admin operation for them yet).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.accounts import AddressInput, TelegramIdentity
from engine.base import Deps, RefundResult, Rules
from engine.inventory import check_ledger
from engine.orders import OrderView
from engine.shop import Shop
from storage.models import Product, ShippingProvider, User
from storage.vocabulary import DiscountType, PaymentMethod, UserRole, money
from tests.conftest import Database

_ids = itertools.count(10_000)


class FakeClock:
    """Time that tests move on purpose."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingRefunds:
    """A card provider at the protocol boundary: records refunds, can be told to fail."""

    calls: list[tuple[str, Decimal]] = field(default_factory=list)
    fail: bool = False

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        if self.fail:
            raise ConnectionError("provider unreachable")
        self.calls.append((transaction_ref, amount))
        return RefundResult(provider_ref=f"re_{len(self.calls)}")


@dataclass
class Seller:
    user_id: int
    seller_id: int


class World:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = FakeClock()
        self.card = RecordingRefunds()
        self.deps = Deps(uow=db.uow, rules=Rules(), clock=self.clock, refunds={"stripe": self.card})
        self.shop = Shop(self.deps, payment_methods=list(PaymentMethod))
        self.admin = 0
        self.provider = 0
        self.category = 0

    async def setup(self) -> World:
        async with self.db.sessions() as s, s.begin():
            admin = User(telegram_id=next(_ids), first_name="Admin", role=UserRole.admin)
            provider = ShippingProvider(name="Speedy", shipping_cost=money("5.00"))
            s.add_all([admin, provider])
            await s.flush()
            self.admin, self.provider = admin.user_id, provider.provider_id
        top = await self.shop.catalog.create_category(self.admin, "Clothing")
        self.category = (
            await self.shop.catalog.create_category(
                self.admin, "Hoodies", parent_id=top.category_id
            )
        ).category_id
        self.top_category = top.category_id
        return self

    async def user(self, name: str = "Sara") -> int:
        view = await self.shop.accounts.register_from_telegram(TelegramIdentity(next(_ids), name))
        return view.id

    async def customer(self, name: str = "Sara") -> tuple[int, int]:
        user_id = await self.user(name)
        address = await self.shop.accounts.add_address(
            user_id, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
        )
        return user_id, address.address_id

    async def seller(self, store: str | None = None) -> Seller:
        user_id = await self.user("Seller")
        view = await self.shop.sellers.apply(user_id, store or f"Store {user_id}")
        await self.shop.sellers.approve(self.admin, view.seller_id)
        return Seller(user_id, view.seller_id)

    async def product(
        self,
        seller: Seller,
        name: str = "Red Hoodie",
        price: str = "20.00",
        stock: int = 10,
        discount: str | None = None,
        category: int | None = None,
    ) -> int:
        detail = await self.shop.catalog.create_product(
            seller.user_id,
            category_id=category or self.category,
            name=name,
            price=price,
            stock=stock,
            discount_price=discount,
        )
        return detail.card.product_id

    async def coupon(self, code: str, kind: DiscountType, value: str = "10", **kw: Any) -> int:
        view = await self.shop.coupons.create(
            self.admin, code=code, discount_type=kind, value=value, **kw
        )
        return view.coupon_id

    async def order(
        self,
        customer: tuple[int, int],
        items: dict[int, int],
        method: PaymentMethod = PaymentMethod.card,
        coupon: str | None = None,
        key: str | None = None,
    ) -> OrderView:
        for product_id, quantity in items.items():
            await self.shop.carts.add(customer[0], product_id, quantity)
        return await self.place(customer, method, coupon, key)

    async def place(
        self,
        customer: tuple[int, int],
        method: PaymentMethod = PaymentMethod.card,
        coupon: str | None = None,
        key: str | None = None,
    ) -> OrderView:
        return await self.shop.orders.place_order(
            customer[0],
            address_id=customer[1],
            provider_id=self.provider,
            payment_method=method,
            coupon_code=coupon,
            checkout_key=key or uuid.uuid4().hex,
        )

    async def pay(self, order: OrderView, ref: str | None = None) -> OrderView:
        return await self.shop.orders.confirm_payment(
            order.user_id,
            order.order_id,
            provider="stripe",
            transaction_ref=ref or f"ch_{order.order_id}",
            amount=order.total,
        )

    async def deliver(self, seller: Seller, order: OrderView) -> None:
        """The seller's part of the order goes all the way to the customer."""
        shipment = next(s for s in order.shipments if s.seller_id == seller.seller_id)
        await self.shop.shipping.confirm(seller.user_id, shipment.shipment_id)
        await self.shop.shipping.pack(seller.user_id, shipment.shipment_id)
        await self.shop.shipping.ship(
            seller.user_id, shipment.shipment_id, f"TRK{order.order_id}-{seller.seller_id}"
        )
        from storage.vocabulary import TrackingStatus

        for status in (
            TrackingStatus.in_transit,
            TrackingStatus.out_for_delivery,
            TrackingStatus.delivered,
        ):
            await self.shop.shipping.update(seller.user_id, shipment.shipment_id, status)

    async def assert_ledgers(self) -> None:
        """Every product's stock equals the sum of its inventory logs, and is not negative."""
        async with self.db.uow() as uow:
            ids = (await uow.session.scalars(select(Product.product_id))).all()
            for product_id in ids:
                check = await check_ledger(uow, product_id)
                assert check.consistent, check
                assert check.stock >= 0, check
