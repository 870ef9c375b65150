"""The database itself refuses data that breaks the shop's rules, whatever the code does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Address,
    Base,
    Cart,
    CartItem,
    Category,
    Coupon,
    InventoryLog,
    Order,
    OrderItem,
    Product,
    Review,
    Seller,
    User,
)
from storage.vocabulary import (
    AddressType,
    DiscountType,
    InventoryChangeType,
    PaymentMethod,
    money,
)
from tests.conftest import Database


async def _shop(s: AsyncSession) -> dict[str, Any]:
    """A user, a seller, a category and one product: the smallest valid shop."""
    user = User(telegram_id=10, email="a@example.com")
    owner = User(telegram_id=11)
    s.add_all([user, owner])
    await s.flush()
    seller = Seller(user_id=owner.user_id, store_name="Shop")
    category = Category(name="Cat", slug="cat")
    s.add_all([seller, category])
    await s.flush()
    product = Product(
        seller_id=seller.seller_id,
        category_id=category.category_id,
        name="Mug",
        slug="mug",
        sku="MUG-1",
        price=money("10.00"),
        stock_quantity=5,
    )
    s.add(product)
    await s.flush()
    return {"user": user, "seller": seller, "category": category, "product": product}


def _product(shop: dict[str, Any], **changes: Any) -> Product:
    fields: dict[str, Any] = {
        "seller_id": shop["seller"].seller_id,
        "category_id": shop["category"].category_id,
        "name": "Other",
        "slug": "other",
        "sku": "OTHER-1",
        "price": money("10.00"),
    }
    return Product(**(fields | changes))


def _order(shop: dict[str, Any], **changes: Any) -> Order:
    fields: dict[str, Any] = {
        "user_id": shop["user"].user_id,
        "payment_method": PaymentMethod.cod,
        "subtotal_amount": money("20.00"),
        "discount_amount": money("2.00"),
        "shipping_amount": money("5.00"),
        "total_amount": money("23.00"),
    }
    return Order(**(fields | changes))


BAD_ROWS: dict[str, Callable[[dict[str, Any]], list[Base]]] = {
    "rating 0": lambda shop: [
        Review(product_id=shop["product"].product_id, user_id=shop["user"].user_id, rating=0)
    ],
    "rating 6": lambda shop: [
        Review(product_id=shop["product"].product_id, user_id=shop["user"].user_id, rating=6)
    ],
    "negative stock": lambda shop: [_product(shop, stock_quantity=-1)],
    "negative price": lambda shop: [_product(shop, price=money("-0.01"))],
    "discount equal to price": lambda shop: [_product(shop, discount_price=money("10.00"))],
    "discount above price": lambda shop: [_product(shop, discount_price=money("12.00"))],
    "duplicate sku": lambda shop: [_product(shop, sku="MUG-1")],
    "duplicate product slug": lambda shop: [_product(shop, slug="mug")],
    "duplicate category slug": lambda shop: [Category(name="Again", slug="cat")],
    "duplicate email": lambda shop: [User(telegram_id=12, email="a@example.com")],
    "duplicate telegram id": lambda shop: [User(telegram_id=10)],
    "cart quantity 0": lambda shop: [
        Cart(user_id=shop["user"].user_id, cart_id=1),
        CartItem(cart_id=1, product_id=shop["product"].product_id, quantity=0, price=money(1)),
    ],
    "order total that does not add up": lambda shop: [_order(shop, total_amount=money("23.01"))],
    "order line quantity 0": lambda shop: [
        _order(shop, order_id=1),
        OrderItem(
            order_id=1,
            product_id=shop["product"].product_id,
            seller_id=shop["seller"].seller_id,
            product_name="Mug",
            quantity=0,
            price=money("10.00"),
        ),
    ],
    "percentage coupon over 100": lambda shop: [
        Coupon(code="HUGE", discount_type=DiscountType.percentage, discount_value=money("100.01"))
    ],
    "coupon used more than allowed": lambda shop: [
        Coupon(
            code="MAX",
            discount_type=DiscountType.fixed,
            discount_value=money(1),
            max_uses=2,
            uses_count=3,
        )
    ],
    "coupon ending before it starts": lambda shop: [
        Coupon(
            code="BACK",
            discount_type=DiscountType.fixed,
            discount_value=money(1),
            start_date=date(2026, 5, 2),
            end_date=date(2026, 5, 1),
        )
    ],
    "stock 'out' with a positive quantity": lambda shop: [
        InventoryLog(
            product_id=shop["product"].product_id,
            quantity=3,
            stock_after=8,
            change_type=InventoryChangeType.stock_out,
            reference_type="order",
        )
    ],
    "a second default shipping address": lambda shop: [
        Address(
            user_id=shop["user"].user_id,
            type=AddressType.shipping,
            street="1 A St",
            city="X",
            country="Y",
            is_default=True,
        ),
        Address(
            user_id=shop["user"].user_id,
            type=AddressType.shipping,
            street="2 B St",
            city="X",
            country="Y",
            is_default=True,
        ),
    ],
    "an order for a user who does not exist": lambda shop: [_order(shop, user_id=999_999)],
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
async def test_the_database_refuses(db: Database, case: str) -> None:
    async with db.sessions() as s, s.begin():
        shop = await _shop(s)
    async with db.sessions() as s:
        shop = {k: await s.merge(v) for k, v in shop.items()}
        s.add_all(BAD_ROWS[case](shop))
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_valid_rows_beside_the_bad_ones_are_accepted(db: Database) -> None:
    """The fixtures above fail for the named reason, not because the base rows are wrong."""
    async with db.sessions() as s, s.begin():
        shop = await _shop(s)
        s.add(_order(shop))
        s.add(_product(shop, discount_price=money("9.99")))
        s.add(Review(product_id=shop["product"].product_id, user_id=shop["user"].user_id, rating=5))
        s.add(Coupon(code="OK", discount_type=DiscountType.percentage, discount_value=money(100)))
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Order)) == 1
        assert await s.scalar(select(func.count()).select_from(Product)) == 2


async def test_a_product_with_order_lines_cannot_be_deleted(db: Database) -> None:
    async with db.sessions() as s, s.begin():
        shop = await _shop(s)
        order = _order(shop)
        s.add(order)
        await s.flush()
        s.add(
            OrderItem(
                order_id=order.order_id,
                product_id=shop["product"].product_id,
                seller_id=shop["seller"].seller_id,
                product_name="Mug",
                quantity=1,
                price=Decimal("10.00"),
            )
        )
    async with db.sessions() as s, s.begin():
        with pytest.raises(IntegrityError):
            await s.execute(delete(Product))


async def test_deleting_a_user_takes_their_cart_but_not_someone_elses(db: Database) -> None:
    async with db.sessions() as s, s.begin():
        shop = await _shop(s)
        other = User(telegram_id=99)
        s.add(other)
        await s.flush()
        s.add_all([Cart(user_id=shop["user"].user_id), Cart(user_id=other.user_id)])
    async with db.sessions() as s, s.begin():
        await s.execute(delete(User).where(User.telegram_id == 10))
    async with db.sessions() as s:
        carts = (await s.scalars(select(Cart.user_id))).all()
    assert len(carts) == 1
