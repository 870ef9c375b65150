"""What buyers see and how they browse it.

Buyers see products that are active or sold out and whose seller is active; everything else
is invisible to them (NotFound), but still visible to its own seller and to admins. The
filters (category with its sub-categories, seller, price range, in stock, minimum rating)
and sorts (price, newest, rating, popularity) run in SQL on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select

from engine.catalog.categories import descendants
from storage.models import Product, Seller
from storage.uow import UnitOfWork
from storage.vocabulary import ProductStatus, SellerStatus, money

_Row = TypeVarTuple("_Row")
BUYER_STATUSES = (ProductStatus.active, ProductStatus.out_of_stock)
MAX_PAGE_SIZE = 50


class Sort(StrEnum):
    price_asc = "price_asc"
    price_desc = "price_desc"
    newest = "newest"
    rating = "rating"
    popularity = "popularity"


@dataclass(frozen=True)
class BrowseQuery:
    category_id: int | None = None
    seller_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    min_rating: int | None = None
    sort: Sort = Sort.popularity
    page: int = 1
    page_size: int = 10


def buyers_see(status: ProductStatus, seller_status: SellerStatus) -> bool:
    """Do buyers see a product in `status` of a seller in `seller_status`?"""
    return status in BUYER_STATUSES and seller_status == SellerStatus.active


def visible_to_buyers(stmt: Select[*_Row]) -> Select[*_Row]:
    """`stmt` (of products) narrowed to what buyers see, the rule of `buyers_see` in SQL."""
    return stmt.join(Seller, Seller.seller_id == Product.seller_id).where(
        Product.status.in_(BUYER_STATUSES), Seller.status == SellerStatus.active
    )


def effective_price() -> Any:
    """What a buyer pays per unit now: the discount price when there is one."""
    return func.coalesce(Product.discount_price, Product.price)


def price_range(low: Decimal | None, high: Decimal | None) -> list[Any]:
    bounds = [] if low is None else [effective_price() >= money(low)]
    return bounds if high is None else [*bounds, effective_price() <= money(high)]


def paging(page: int, page_size: int) -> tuple[int, int]:
    """A page asked for (from 1) and its size (1 to MAX_PAGE_SIZE)."""
    return max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)


async def browsed(uow: UnitOfWork, query: BrowseQuery) -> Select[Product]:
    """The visible products the query's filters let through, not yet sorted."""
    stmt = visible_to_buyers(select(Product))
    if query.category_id is not None:
        stmt = stmt.where(Product.category_id.in_(await descendants(uow, query.category_id)))
    if query.seller_id is not None:
        stmt = stmt.where(Product.seller_id == query.seller_id)
    stmt = stmt.where(*price_range(query.min_price, query.max_price))
    if query.in_stock:
        stmt = stmt.where(Product.stock_quantity > 0)
    if query.min_rating is not None:
        stmt = stmt.where(
            Product.review_count > 0,
            Product.rating_sum >= query.min_rating * Product.review_count,
        )
    return stmt


async def shelved(uow: UnitOfWork) -> set[int]:
    """The categories holding a product buyers see (in them, not below them)."""
    rows = await uow.session.scalars(visible_to_buyers(select(Product.category_id).distinct()))
    return set(rows.all())


def sort_order(sort: Sort) -> list[Any]:
    """The ORDER BY of a sort (the product id breaks ties after it)."""
    rating = Product.rating_sum * 1.0 / func.nullif(Product.review_count, 0)
    return {
        Sort.price_asc: [effective_price().asc()],
        Sort.price_desc: [effective_price().desc()],
        Sort.newest: [Product.created_at.desc()],
        Sort.rating: [func.coalesce(rating, 0).desc(), Product.review_count.desc()],
        Sort.popularity: [Product.sold_count.desc()],
    }[sort]
