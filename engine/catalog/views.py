"""What the catalog operations return: a category of the tree, a product's card and page, its
photos, pages of products and of reviews; and `product_detail`, a product's page read in the
caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import select

from engine.catalog.products import average_rating
from engine.errors import NotFound
from engine.pricing import selling_price
from storage.models import Product, ProductImage, Seller
from storage.uow import UnitOfWork
from storage.vocabulary import ProductStatus, SellerStatus

T = TypeVar("T")


@dataclass(frozen=True)
class CategoryNode:
    category_id: int
    name: str
    slug: str
    parent_id: int | None
    depth: int


@dataclass(frozen=True)
class ProductCard:
    product_id: int
    name: str
    price: Decimal
    discount_price: Decimal | None
    stock_quantity: int
    status: ProductStatus
    seller_id: int
    rating: Decimal | None
    review_count: int

    @property
    def unit_price(self) -> Decimal:
        """What it sells for now (engine.pricing.selling_price)."""
        return selling_price(self.price, self.discount_price)

    @property
    def was_price(self) -> Decimal | None:
        """The regular price to show struck through while it sells below it, else None."""
        return None if self.discount_price is None else self.price

    @classmethod
    def of(cls, p: Product) -> ProductCard:
        return cls(
            p.product_id,
            p.name,
            p.price,
            p.discount_price,
            p.stock_quantity,
            p.status,
            p.seller_id,
            average_rating(p.rating_sum, p.review_count),
            p.review_count,
        )


@dataclass(frozen=True)
class ImageView:
    image_id: int
    url: str | None
    telegram_file_id: str | None
    is_primary: bool

    @classmethod
    def of(cls, image: ProductImage) -> ImageView:
        return cls(image.image_id, image.url, image.telegram_file_id, image.is_primary)


@dataclass(frozen=True)
class Showcase:
    """What a product's card shows beside the card itself in a grid of pictures: its store's
    name and its first photo (None: it has none)."""

    store_name: str
    photo: ImageView | None


@dataclass(frozen=True)
class ProductDetail:
    card: ProductCard
    slug: str
    sku: str
    description: str | None
    category_id: int
    store_name: str
    images: list[ImageView] = field(default_factory=list)


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` items fill (one, when there are none)."""
    return max(1, -(-total // page_size))


@dataclass(frozen=True)
class Paged(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)


class Page(Paged[ProductCard]):
    """A page of products."""


@dataclass(frozen=True)
class ProductReview:
    """A review as buyers read it on the product: stars, comment, the reviewer's first name."""

    rating: int
    comment: str | None
    author: str | None
    created_at: datetime  # when it was written, or last edited


class ReviewPage(Paged[ProductReview]):
    """A page of a product's reviews."""


async def product_detail(uow: UnitOfWork, product_id: int) -> ProductDetail:
    """A product's page, whatever its status (NotFound if there is none): for the
    operations of its seller and of the catalog alike."""
    return (await detail_and_seller(uow, product_id))[0]


async def detail_and_seller(
    uow: UnitOfWork, product_id: int
) -> tuple[ProductDetail, SellerStatus, int]:
    """The product's page, and its seller's status and user id (one query with it)."""
    row = (
        await uow.session.execute(
            select(Product, Seller.store_name, Seller.status, Seller.user_id)
            .join(Seller, Seller.seller_id == Product.seller_id)
            .where(Product.product_id == product_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(entity="product", id=product_id)
    product, store_name, seller_status, seller_user_id = row
    images = (
        await uow.session.scalars(
            select(ProductImage)
            .where(ProductImage.product_id == product_id)
            .order_by(ProductImage.is_primary.desc(), ProductImage.position)
        )
    ).all()
    detail = ProductDetail(
        ProductCard.of(product),
        product.slug,
        product.sku,
        product.description,
        product.category_id,
        store_name,
        [ImageView.of(i) for i in images],
    )
    return detail, seller_status, int(seller_user_id)


async def cards_of(uow: UnitOfWork, product_ids: Sequence[int]) -> dict[int, ProductCard]:
    """The cards of these products by id, whatever their status."""
    if not product_ids:
        return {}
    rows = await uow.session.scalars(
        select(Product).where(Product.product_id.in_(list(product_ids)))
    )
    return {p.product_id: ProductCard.of(p) for p in rows.all()}
