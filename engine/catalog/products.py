"""Product rules: what a price, a discount, a name and a SKU must be, the changes a seller may
make, unique slugs, the average of a product's ratings, and a seller's own product locked
for a change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from engine.base import found, owned_by_seller
from engine.errors import InvalidInput
from storage.models import Category, Product
from storage.uow import UnitOfWork
from storage.vocabulary import money, slugify

MAX_LINE_QUANTITY = 99  # of one product in a cart, or picked on its card
NAME_LENGTH: Final = 150
SKU_LENGTH: Final = 50
CHANGEABLE: Final = frozenset(
    {"name", "description", "price", "discount_price", "category_id", "sku"}
)


def average_rating(rating_sum: int, review_count: int) -> Decimal | None:
    if review_count == 0:
        return None
    return (Decimal(rating_sum) / review_count).quantize(Decimal("0.1"))


def _price(value: Decimal | int | str, field_name: str) -> Decimal:
    try:
        amount = money(value)
    except ValueError:
        raise InvalidInput(field=field_name, rule="amount") from None
    if amount <= 0:  # nothing is sold for nothing: a $0.00 listing is a slip of the keyboard
        raise InvalidInput(field=field_name, rule="positive")
    return amount


def _check_discount(price: Decimal, discount: Decimal | None) -> None:
    if discount is not None and discount >= price:
        raise InvalidInput(field="discount_price", rule="below_price", price=price)


def checked_prices(
    price: Decimal | int | str, discount_price: Decimal | int | str | None = None
) -> tuple[Decimal, Decimal | None]:
    """A product's price and discount price as the shop accepts them (positive amounts, the
    discount below the price), or InvalidInput naming the one that is wrong. The rule
    `create_product` and `update_product` apply, for a wizard to ask at each step."""
    amount = _price(price, "price")
    discount = None if discount_price is None else _price(discount_price, "discount_price")
    _check_discount(amount, discount)
    return amount, discount


def checked_name(name: str, limit: int) -> str:
    """A product's or a category's name without surrounding spaces: 1 to `limit` characters."""
    name = name.strip()
    if not name or len(name) > limit:
        raise InvalidInput(field="name", rule="length", max=limit)
    return name


def checked_sku(sku: str) -> str:
    """A SKU as kept: upper case, without surrounding spaces, 1 to SKU_LENGTH characters."""
    sku = sku.strip().upper()
    if not sku or len(sku) > SKU_LENGTH:
        raise InvalidInput(field="sku", rule="length", max=SKU_LENGTH)
    return sku


async def change_product(uow: UnitOfWork, product: Product, changes: dict[str, Any]) -> None:
    """Apply a seller's `changes` (names from CHANGEABLE) to the product, each by its rule;
    a discount_price of None clears it."""
    if "name" in changes:
        product.name = checked_name(str(changes["name"]), NAME_LENGTH)
    if "description" in changes:
        product.description = (changes["description"] or "").strip() or None
    if "price" in changes:
        product.price = _price(changes["price"], "price")
    if "discount_price" in changes:
        value = changes["discount_price"]
        product.discount_price = None if value is None else _price(value, "discount_price")
    discount = product.discount_price
    if (
        "price" in changes
        and "discount_price" not in changes
        and discount is not None
        and discount >= product.price
    ):  # the price is what moved: it must stay above the discount
        raise InvalidInput(field="price", rule="above_discount", discount=discount)
    _check_discount(product.price, product.discount_price)
    if "category_id" in changes:
        await found(uow, Category, changes["category_id"], "category")
        product.category_id = changes["category_id"]
    if "sku" in changes:
        product.sku = checked_sku(str(changes["sku"]))


async def flush_product(uow: UnitOfWork) -> None:
    """Write the product's row now: a SKU another product has is InvalidInput (sku, taken)."""
    try:
        await uow.session.flush()
    except IntegrityError:
        raise InvalidInput(field="sku", rule="taken") from None


async def own_product(uow: UnitOfWork, actor_id: int, product_id: int) -> Product:
    """The acting seller's product, locked (NotFound if it is another seller's)."""
    return await owned_by_seller(
        uow, actor_id, Product, product_id, "product", must_be_active=True, with_for_update=True
    )


async def unique_slug(uow: UnitOfWork, column: Any, text: str, limit: int) -> str:
    """The slug of `text` (at most `limit` characters), numbered ("-2", "-3", ...) when
    `column` has it already."""
    base = (slugify(text) or "item")[: limit - 8]
    taken = set(
        (
            await uow.session.scalars(
                select(column).where(or_(column == base, column.like(f"{base}-%")))
            )
        ).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
