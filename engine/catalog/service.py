"""The Catalog service: every operation on categories, products and what buyers see, who may
call it, and its transaction. The steps they are made of live in the modules named for them
(categories, products, browse, search, views)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from engine.base import Deps, actor, admin, audit, found, operation, seller_of
from engine.catalog.browse import (
    MAX_PAGE_SIZE,
    BrowseQuery,
    Sort,
    browsed,
    buyers_see,
    paging,
    shelved,
    sort_order,
    visible_to_buyers,
)
from engine.catalog.categories import (
    CategoryTree,
    change_category,
    depth_of,
    descendants,
    holding,
    holds_anything,
)
from engine.catalog.products import (
    CHANGEABLE,
    MAX_LINE_QUANTITY,
    NAME_LENGTH,
    change_product,
    checked_name,
    checked_prices,
    checked_sku,
    flush_product,
    own_product,
    unique_slug,
)
from engine.catalog.search import Vocabulary, catalog_marker, in_order, ranked
from engine.catalog.views import (
    CategoryNode,
    ImageView,
    Page,
    ProductCard,
    ProductDetail,
    ProductReview,
    ReviewPage,
    Showcase,
    cards_of,
    detail_and_seller,
    page_count,
    product_detail,
)
from engine.errors import InsufficientStock, InvalidInput, NotFound
from engine.inventory import receive
from storage.models import Category, Product, ProductImage, Review, Seller, User
from storage.uow import UnitOfWork
from storage.vocabulary import InventoryReference, ProductStatus

CATEGORY_NAME_LENGTH = 100


class Catalog:
    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self._tree = CategoryTree()
        self._vocabulary = Vocabulary()

    # --- categories (admin) ----------------------------------------------------------------
    @operation("anyone")
    async def categories(self, *, for_buyers: bool = False) -> list[CategoryNode]:
        """The whole category tree, depth-first, parents before children.

        Inside a context that checked the tree (check_categories, at most
        TREE_CHECK_SECONDS ago) the checked tree is served without a transaction.
        `for_buyers`: only the categories that hold a product buyers see, in them or below
        them (a branch that would lead to an empty shelf is left out)."""
        served = self._tree.served()
        if served is not None and not for_buyers:
            return served
        async with self.d.read() as uow:
            nodes = served if served is not None else list(await self._tree.read(uow))
            if not for_buyers:
                return nodes
            return holding(nodes, await shelved(uow))

    async def check_categories(self, uow: UnitOfWork) -> Callable[[], None]:
        """In the caller's transaction, make sure the kept category tree is the database's;
        the function returned, called in a context (an update's task), lets categories()
        serve that tree there for TREE_CHECK_SECONDS without a transaction of its own. The
        bot checks once per update in the transaction that claims the update, so the tree a
        handler sees is as fresh as the start of that update's handling, also when another
        worker changed it."""
        return await self._tree.check(uow)

    @operation("admin")
    async def create_category(
        self,
        actor_id: int,
        name: str,
        parent_id: int | None = None,
        description: str | None = None,
    ) -> CategoryNode:
        """Add a category (under `parent_id`, or at the top)."""
        name = checked_name(name, CATEGORY_NAME_LENGTH)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            depth = 0
            if parent_id is not None:
                await found(uow, Category, parent_id, "category")
                depth = await depth_of(uow, parent_id)
            slug = await unique_slug(uow, Category.slug, name, 120)
            category = Category(name=name, slug=slug, parent_id=parent_id, description=description)
            uow.session.add(category)
            await uow.session.flush()
            new = {"name": name, "parent_id": parent_id}
            audit(uow, "category", category.category_id, "create", by=actor_id, new=new)
            await uow.commit()
            self._tree.forget()
            return CategoryNode(category.category_id, name, slug, parent_id, depth)

    @operation("admin")
    async def move_category(self, actor_id: int, category_id: int, parent_id: int | None) -> None:
        """Re-parent a category; a category cannot go under itself or its descendants."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            category = await found(uow, Category, category_id, "category")
            if parent_id is not None and parent_id in await descendants(uow, category_id):
                raise InvalidInput(field="parent_id", rule="no_cycles")
            change_category(uow, category, by=actor_id, parent_id=parent_id)
            await uow.commit()
            self._tree.forget()

    @operation("admin")
    async def rename_category(self, actor_id: int, category_id: int, name: str) -> None:
        """Rename a category (its slug stays, so links keep working)."""
        name = checked_name(name, CATEGORY_NAME_LENGTH)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            category = await found(uow, Category, category_id, "category")
            change_category(uow, category, by=actor_id, name=name)
            await uow.commit()
            self._tree.forget()

    @operation("admin")
    async def delete_category(self, actor_id: int, category_id: int) -> None:
        """Delete an empty category (no sub-categories, no products)."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            category = await found(uow, Category, category_id, "category")
            if await holds_anything(uow, category_id):
                raise InvalidInput(field="category_id", rule="not_empty")
            await uow.session.delete(category)
            audit(uow, "category", category_id, "delete", by=actor_id, old={"name": category.name})
            await uow.commit()
            self._tree.forget()

    # --- products (their seller) ----------------------------------------------------------
    @operation("seller (active)")
    async def create_product(
        self,
        actor_id: int,
        *,
        category_id: int,
        name: str,
        price: Decimal | str,
        stock: int = 0,
        discount_price: Decimal | str | None = None,
        sku: str | None = None,
        description: str | None = None,
    ) -> ProductDetail:
        """List a new product with its opening stock (logged as 'in', reference 'initial')."""
        name = checked_name(name, NAME_LENGTH)
        if stock < 0:
            raise InvalidInput(field="stock", rule="not_negative")
        amount, discount = checked_prices(price, discount_price)
        sku = None if sku is None else checked_sku(sku)
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id)
            await found(uow, Category, category_id, "category")
            slug = await unique_slug(uow, Product.slug, name, 160)
            product = Product(
                seller_id=seller.seller_id,
                category_id=category_id,
                name=name,
                slug=slug,
                description=(description or "").strip() or None,
                price=amount,
                discount_price=discount,
                stock_quantity=0,
                sku=sku or f"S{seller.seller_id}-{slug[:30].upper()}",
                status=ProductStatus.out_of_stock if stock == 0 else ProductStatus.active,
            )
            uow.session.add(product)
            await flush_product(uow)
            receive(
                uow,
                product,
                stock,
                reference=InventoryReference.initial,
                by=actor_id,
                reference_id=product.product_id,
            )
            audit(
                uow,
                "product",
                product.product_id,
                "create",
                by=actor_id,
                new={"name": name, "price": amount, "discount_price": discount, "stock": stock},
            )
            view = await product_detail(uow, product.product_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("seller (own products)")
    async def update_product(self, actor_id: int, product_id: int, **changes: Any) -> ProductDetail:
        """Change name, description, price, discount_price (None clears it), category or SKU."""
        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise InvalidInput(field=sorted(unknown)[0], rule="unknown")
        async with self.d.uow() as uow:
            product = await own_product(uow, actor_id, product_id)
            old = {k: getattr(product, k) for k in changes}
            await change_product(uow, product, changes)
            await flush_product(uow)
            new = {k: getattr(product, k) for k in changes}
            audit(uow, "product", product_id, "update", by=actor_id, old=old, new=new)
            view = await product_detail(uow, product_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("seller (own products)")
    async def set_listed(self, actor_id: int, product_id: int, listed: bool) -> ProductStatus:
        """Show (active, or sold out when no stock) or hide (inactive) a product."""
        async with self.d.uow() as uow:
            product = await own_product(uow, actor_id, product_id)
            old = product.status
            if listed:
                product.status = (
                    ProductStatus.active if product.stock_quantity else ProductStatus.out_of_stock
                )
            else:
                product.status = ProductStatus.inactive
            if product.status != old:
                audit(
                    uow,
                    "product",
                    product_id,
                    "status_change",
                    by=actor_id,
                    old={"status": old},
                    new={"status": product.status},
                )
            await uow.commit()
            return product.status

    @operation("seller (own products)")
    async def add_image(
        self,
        actor_id: int,
        product_id: int,
        *,
        url: str | None = None,
        telegram_file_id: str | None = None,
        telegram_file_unique_id: str | None = None,
        alt_text: str | None = None,
        primary: bool = False,
    ) -> ImageView:
        """Attach a photo (a Telegram file id, or a URL); the first photo becomes primary."""
        if not url and not telegram_file_id:
            raise InvalidInput(field="image", rule="required")
        async with self.d.uow() as uow:
            product = await own_product(uow, actor_id, product_id)
            images = (
                await uow.session.scalars(
                    select(ProductImage).where(ProductImage.product_id == product_id)
                )
            ).all()
            make_primary = primary or not images
            if make_primary:
                for image in images:
                    image.is_primary = False
                await uow.session.flush()
            image = ProductImage(
                product_id=product_id,
                url=url,
                telegram_file_id=telegram_file_id,
                telegram_file_unique_id=telegram_file_unique_id,
                alt_text=(alt_text or product.name)[:150],
                is_primary=make_primary,
                position=len(images),
            )
            uow.session.add(image)
            await uow.session.flush()
            new = {"image_added": image.image_id}
            audit(uow, "product", product_id, "update", by=actor_id, new=new)
            await uow.commit()
            return ImageView.of(image)

    @operation("the bot (system)")
    async def changed_marker(self) -> tuple[object, ...]:
        """What changes whenever a product or category is added, renamed, hidden or moved
        (newest ids and updates, read through indexes): a cheap "is my copy of the catalog
        still current?" for the language layer."""
        async with self.d.read() as uow:
            return astuple(await catalog_marker(uow))

    @operation("the bot (system)")
    async def index_rows(self) -> list[tuple[int, str, str]]:
        """(product id, name, category name) of every product buyers can see: what the
        language layer matches typed product names against."""
        async with self.d.read() as uow:
            rows = (
                await uow.session.execute(
                    visible_to_buyers(select(Product.product_id, Product.name, Category.name))
                    .join(Category, Category.category_id == Product.category_id)
                    .order_by(Product.product_id)
                )
            ).all()
            return [(int(pid), str(name), str(category)) for pid, name, category in rows]

    @operation("the bot (system)")
    async def remember_telegram_file(
        self, image_id: int, file_id: str, file_unique_id: str | None = None
    ) -> None:
        """Keep Telegram's file id of an uploaded product photo: later sends reuse it."""
        async with self.d.uow() as uow:
            image = await found(uow, ProductImage, image_id, "image")
            image.telegram_file_id = file_id[:255]
            image.telegram_file_unique_id = (file_unique_id or "")[:64] or None
            await uow.commit()

    @operation("seller (own products)")
    async def my_products(self, actor_id: int) -> list[ProductCard]:
        """The acting seller's products, whatever their status."""
        async with self.d.read() as uow:
            seller = await seller_of(uow, actor_id, must_be_active=False)
            rows = (
                await uow.session.scalars(
                    select(Product)
                    .where(Product.seller_id == seller.seller_id)
                    .order_by(Product.product_id)
                )
            ).all()
            return [ProductCard.of(p) for p in rows]

    # --- what buyers see -------------------------------------------------------------------
    @operation("anyone")
    async def browse(self, query: BrowseQuery) -> Page:
        """A page of visible products, filtered and sorted."""
        page, size = paging(query.page, query.page_size)
        async with self.d.read() as uow:
            stmt = await browsed(uow, query)
            counted = select(func.count()).select_from(stmt.subquery())
            total = int(await uow.session.scalar(counted) or 0)
            page = min(page, page_count(total, size))  # past the last: the last
            rows = (
                await uow.session.scalars(
                    stmt.order_by(*sort_order(query.sort), Product.product_id)
                    .offset((page - 1) * size)
                    .limit(size)
                )
            ).all()
            return Page([ProductCard.of(p) for p in rows], total, page, size)

    @operation("anyone")
    async def cards(self, product_ids: Sequence[int]) -> list[ProductCard]:
        """The products buyers can see among `product_ids`, in that order (a choice offered
        from typed words: "Which one do you mean?")."""
        ids = list(dict.fromkeys(product_ids))[:MAX_PAGE_SIZE]
        if not ids:
            return []
        async with self.d.read() as uow:
            rows = (
                await uow.session.scalars(
                    visible_to_buyers(select(Product)).where(Product.product_id.in_(ids))
                )
            ).all()
        found = {p.product_id: ProductCard.of(p) for p in rows}
        return [found[i] for i in ids if i in found]

    @operation("anyone")
    async def showcase(self, product_ids: Sequence[int]) -> dict[int, Showcase]:
        """Each product's store name and first photo, by id: what a grid of cards with
        pictures shows beside the cards (the Mini App's storefront)."""
        ids = list(dict.fromkeys(product_ids))[:MAX_PAGE_SIZE]
        if not ids:
            return {}
        async with self.d.read() as uow:
            rows = await uow.session.execute(
                select(Product.product_id, Seller.store_name)
                .join(Seller, Seller.seller_id == Product.seller_id)
                .where(Product.product_id.in_(ids))
            )
            stores = {product_id: store for product_id, store in rows}
            images = (
                await uow.session.scalars(
                    select(ProductImage)
                    .where(ProductImage.product_id.in_(ids))
                    .order_by(ProductImage.is_primary.desc(), ProductImage.position)
                )
            ).all()
        first: dict[int, ImageView] = {}
        for image in images:
            first.setdefault(image.product_id, ImageView.of(image))
        return {i: Showcase(stores[i], first.get(i)) for i in ids if i in stores}

    @operation("anyone")
    async def image(self, image_id: int) -> ImageView:
        """One product photo by its id (where its bytes are: a file, a URL or Telegram's file
        id), whatever its product's status: photos are not secret."""
        async with self.d.read() as uow:
            return ImageView.of(await found(uow, ProductImage, image_id, "image"))

    @operation("anyone")
    async def search(
        self,
        text: str,
        page: int = 1,
        page_size: int = 10,
        *,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
        sort: Sort | None = None,
    ) -> Page:
        """Products matching the words of `text`, tolerant of typos, best matches first;
        optionally within a price range ("zip hoodies under $50").

        `sort`: the matches in a browsing order instead ("the cheapest hoodies":
        Sort.price_asc), the better match first among equals."""
        page, size = paging(page, page_size)
        async with self.d.read() as uow:
            scored = in_order(await ranked(uow, self._vocabulary, text, min_price, max_price), sort)
            chosen = [r.product_id for r in scored[(page - 1) * size : page * size]]
            cards = await cards_of(uow, chosen)
        return Page([cards[i] for i in chosen if i in cards], len(scored), page, size)

    @operation("anyone")
    async def lookup(self, text: str) -> ProductCard | None:
        """The one product that `text` names clearly, or None: every word of it is in that
        product's name (typos tolerated as search tolerates them) and no other product ranks
        as high ("white zip hoodie" names one; "zip hoodie", said of two colours, does not)."""
        async with self.d.read() as uow:
            scored = await ranked(uow, self._vocabulary, text, None, None)
            if (
                not scored
                or not scored[0].named
                or (len(scored) > 1 and scored[1].score >= scored[0].score)
            ):
                return None
            cards = await cards_of(uow, [scored[0].product_id])
        return cards.get(scored[0].product_id)

    @operation("anyone")
    async def reviews(self, product_id: int, page: int = 1, page_size: int = 5) -> ReviewPage:
        """A page of a visible product's reviews, newest first, each with its stars, comment,
        the reviewer's first name and when it was written (last edited)."""
        page, size = paging(page, page_size)
        async with self.d.read() as uow:
            visible = await uow.session.scalar(
                visible_to_buyers(select(Product.product_id)).where(
                    Product.product_id == product_id
                )
            )
            if visible is None:
                raise NotFound(entity="product", id=product_id)
            counted = (
                select(func.count()).select_from(Review).where(Review.product_id == product_id)
            )
            total = int(await uow.session.scalar(counted) or 0)
            page = min(page, page_count(total, size))  # past the last: the last
            rows = (
                await uow.session.execute(
                    select(Review.rating, Review.comment, User.first_name, Review.updated_at)
                    .join(User, User.user_id == Review.user_id)
                    .where(Review.product_id == product_id)
                    .order_by(Review.updated_at.desc(), Review.review_id.desc())
                    .offset((page - 1) * size)
                    .limit(size)
                )
            ).all()
        return ReviewPage(
            [ProductReview(int(r), c, n, at) for r, c, n, at in rows], total, page, size
        )

    @operation("anyone (hidden products: their seller and admins)")
    async def product(
        self, product_id: int, viewer_id: int | None = None, *, quantity: int | None = None
    ) -> ProductDetail:
        """A product's page: prices, stock, average rating, seller, photos.

        With `quantity` (picked on the card): 1 to MAX_LINE_QUANTITY, and `InsufficientStock`
        beyond the stock."""
        if quantity is not None and not 1 <= quantity <= MAX_LINE_QUANTITY:
            raise InvalidInput(field="quantity", rule="range", min=1, max=MAX_LINE_QUANTITY)
        async with self.d.read() as uow:
            detail, seller_status, seller_user_id = await detail_and_seller(uow, product_id)
            if not buyers_see(detail.card.status, seller_status):
                allowed = False
                if viewer_id is not None:
                    viewer = await actor(uow, viewer_id)
                    allowed = viewer.is_admin or seller_user_id == viewer_id
                if not allowed:
                    raise NotFound(entity="product", id=product_id)
        available = detail.card.stock_quantity
        if quantity is not None and quantity > available:
            raise InsufficientStock(
                items=[{"product_id": product_id, "requested": quantity, "available": available}]
            )
        return detail
