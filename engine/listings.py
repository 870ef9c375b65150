"""A seller's own listings after creation: read one (hidden ones too), change its fields
(`Catalog.update_product`), and keep its photos: add, remove, choose the first. Every change
is one transaction with its audit row."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.base import Deps, audit, operation, owned_by_seller
from engine.catalog import Catalog, ProductDetail, product_detail
from engine.errors import NotFound
from storage.models import Product, ProductImage
from storage.uow import UnitOfWork

MAX_PHOTOS = 10


class Listings:
    def __init__(self, deps: Deps, catalog: Catalog) -> None:
        self.d = deps
        self.catalog = catalog

    async def _own(
        self, uow: UnitOfWork, actor_id: int, product_id: int, *, lock: bool = False
    ) -> Product:
        return await owned_by_seller(
            uow,
            actor_id,
            Product,
            product_id,
            "product",
            must_be_active=lock,
            with_for_update=lock,
            populate_existing=True,
        )

    @operation("seller (own products)")
    async def mine(self, actor_id: int, product_id: int) -> ProductDetail:
        """One of the acting seller's products, whatever its status."""
        async with self.d.read() as uow:
            await self._own(uow, actor_id, product_id)
            return await product_detail(uow, product_id)

    @operation("seller (active)")
    async def create(
        self,
        actor_id: int,
        *,
        category_id: int,
        name: str,
        price: Decimal | str,
        stock: int = 0,
        discount_price: Decimal | str | None = None,
        description: str | None = None,
        photos: Sequence[tuple[str, str]] = (),
    ) -> ProductDetail:
        """List a new product (`Catalog.create_product`) with the photos sent in the chat
        (Telegram file id and unique id), the first one primary."""
        detail = await self.catalog.create_product(
            actor_id,
            category_id=category_id,
            name=name,
            price=price,
            discount_price=discount_price,
            stock=stock,
            description=description,
        )
        for file_id, unique_id in list(photos)[:MAX_PHOTOS]:
            await self.catalog.add_image(
                actor_id,
                detail.card.product_id,
                telegram_file_id=file_id,
                telegram_file_unique_id=unique_id,
            )
        return await self.mine(actor_id, detail.card.product_id)

    @operation("seller (own products)")
    async def update(self, actor_id: int, product_id: int, **changes: Any) -> ProductDetail:
        """Change the name, description, price, discount price or category (audited)."""
        return await self.catalog.update_product(actor_id, product_id, **changes)

    @operation("seller (own products)")
    async def add_photo(
        self, actor_id: int, product_id: int, file_id: str, file_unique_id: str | None = None
    ) -> ProductDetail:
        """Add a photo sent in the chat at the end of the gallery."""
        await self.catalog.add_image(
            actor_id,
            product_id,
            telegram_file_id=file_id,
            telegram_file_unique_id=file_unique_id,
        )
        return await self.mine(actor_id, product_id)

    async def _gallery(self, uow: UnitOfWork, product_id: int) -> list[ProductImage]:
        return list(
            (
                await uow.session.scalars(
                    select(ProductImage)
                    .where(ProductImage.product_id == product_id)
                    .order_by(
                        ProductImage.is_primary.desc(),
                        ProductImage.position,
                        ProductImage.image_id,
                    )
                    .with_for_update()
                )
            ).all()
        )

    async def _reorder(self, uow: UnitOfWork, images: list[ProductImage]) -> None:
        """Positions 0.. in this order, the first one primary (the old primary let go first:
        one primary per product is a unique index)."""
        for image in images:
            image.is_primary = False
        await uow.session.flush()
        for position, image in enumerate(images):
            image.position = position
            image.is_primary = position == 0
        await uow.session.flush()

    @operation("seller (own products)")
    async def remove_photo(self, actor_id: int, product_id: int, image_id: int) -> ProductDetail:
        """Remove a photo; the next one becomes the first. A photo gone already changes
        nothing."""
        async with self.d.uow() as uow:
            await self._own(uow, actor_id, product_id, lock=True)
            images = await self._gallery(uow, product_id)
            gone = next((i for i in images if i.image_id == image_id), None)
            if gone is not None:
                await uow.session.delete(gone)
                await uow.session.flush()
                await self._reorder(uow, [i for i in images if i is not gone])
                audit(
                    uow,
                    "product",
                    product_id,
                    "update",
                    by=actor_id,
                    old={"photos": [i.image_id for i in images]},
                    new={"photos": [i.image_id for i in images if i is not gone]},
                )
            view = await product_detail(uow, product_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("seller (own products)")
    async def photo_first(self, actor_id: int, product_id: int, image_id: int) -> ProductDetail:
        """Make a photo the first one (the one on the product's card)."""
        async with self.d.uow() as uow:
            await self._own(uow, actor_id, product_id, lock=True)
            images = await self._gallery(uow, product_id)
            chosen = next((i for i in images if i.image_id == image_id), None)
            if chosen is None:
                raise NotFound(entity="image", id=image_id)
            if images[0] is not chosen:
                order = [chosen, *[i for i in images if i is not chosen]]
                await self._reorder(uow, order)
                audit(
                    uow,
                    "product",
                    product_id,
                    "update",
                    by=actor_id,
                    old={"photos": [i.image_id for i in images]},
                    new={"photos": [i.image_id for i in order]},
                )
            view = await product_detail(uow, product_id)
            await uow.commit()  # the view read in the same transaction
            return view
