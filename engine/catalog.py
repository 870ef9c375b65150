"""The catalog: the category tree (admins), products (their sellers), and what buyers see.

Buyers see products that are active or sold out and whose seller is active; everything else
is invisible to them (NotFound), but still visible to its own seller and to admins.
Browse filters (category with its sub-categories, seller, price range, in stock, minimum
rating) and sorts (price, newest, rating, popularity) run in SQL on both databases. Search
is typo-tolerant the same way on both: query words are matched against the catalog's own
words (edit distance by word length), then candidates are ranked by where they matched.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import astuple, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVarTuple

from rapidfuzz.distance import OSA
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from engine.base import Deps, actor, admin, audit, found, operation, seller_of
from engine.errors import InsufficientStock, InvalidInput, NotFound
from engine.inventory import receive
from storage.models import Category, Product, ProductImage, Review, Seller, User
from storage.uow import UnitOfWork
from storage.vocabulary import InventoryReference, ProductStatus, SellerStatus, money, slugify

_Row = TypeVarTuple("_Row")
BUYER_STATUSES = (ProductStatus.active, ProductStatus.out_of_stock)
MAX_PAGE_SIZE = 50
MAX_LINE_QUANTITY = 99  # of one product in a cart, or picked on its card
SEARCH_CANDIDATES = 2000  # products ranked per search
VOCABULARY_SLACK = timedelta(minutes=5)  # longer than any transaction that renames a product


def effective_price() -> Any:
    """What a buyer pays per unit now: the discount price when there is one."""
    return func.coalesce(Product.discount_price, Product.price)


def _price_range(low: Decimal | None, high: Decimal | None) -> list[Any]:
    bounds = [] if low is None else [effective_price() >= money(low)]
    return bounds if high is None else [*bounds, effective_price() <= money(high)]


def visible_to_buyers(stmt: Select[*_Row]) -> Select[*_Row]:
    return stmt.join(Seller, Seller.seller_id == Product.seller_id).where(
        Product.status.in_(BUYER_STATUSES), Seller.status == SellerStatus.active
    )


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
        return self.discount_price if self.discount_price is not None else self.price

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


@dataclass(frozen=True)
class ProductDetail:
    card: ProductCard
    slug: str
    sku: str
    description: str | None
    category_id: int
    store_name: str
    images: list[ImageView] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    items: list[ProductCard]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ProductReview:
    """A review as buyers read it on the product: stars, comment, the reviewer's first name."""

    rating: int
    comment: str | None
    author: str | None
    created_at: datetime


@dataclass(frozen=True)
class ReviewPage:
    items: list[ProductReview]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def path_to(nodes: Sequence[CategoryNode], category_id: int) -> list[CategoryNode]:
    """The categories from the top down to `category_id` (a breadcrumb); [] for the top or an
    unknown id."""
    by_id = {n.category_id: n for n in nodes}
    chain: list[CategoryNode] = []
    current = by_id.get(category_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = None if current.parent_id is None else by_id.get(current.parent_id)
    return chain[::-1]


def parent_screen(nodes: Sequence[CategoryNode], category_id: int) -> int:
    """Where Back leads from a category's product list: the category itself when it has
    sub-categories (its "All in …" list came from there), else its parent (0: the top)."""
    if any(n.parent_id == category_id for n in nodes):
        return category_id
    node = next((n for n in nodes if n.category_id == category_id), None)
    return 0 if node is None or node.parent_id is None else node.parent_id


@dataclass(frozen=True)
class _Tree:
    rows: tuple[tuple[int, str, str, int | None], ...]  # id, name, slug, parent; by name
    nodes: tuple[CategoryNode, ...]


# the tree check_categories() confirmed in this context, and when (time.monotonic())
_TREE_CHECKED: ContextVar[tuple[_Tree, float] | None] = ContextVar(
    "catalog_tree_checked", default=None
)
TREE_CHECK_SECONDS = 10.0  # a handler running longer reads the tree again


@dataclass(frozen=True)
class _VocabularyMarker:
    newest_id: int
    newest_update: datetime | None
    categories: int
    category_update: datetime | None


async def _catalog_marker(uow: UnitOfWork) -> _VocabularyMarker:
    """What tells that the catalog changed, read through indexes (newest product id and
    update, the categories' count and newest update)."""
    newest_id, newest_update, categories, category_update = (
        await uow.session.execute(
            select(
                select(func.max(Product.product_id)).scalar_subquery(),
                select(func.max(Product.updated_at)).scalar_subquery(),
                select(func.count(Category.category_id)).scalar_subquery(),
                select(func.max(Category.updated_at)).scalar_subquery(),
            )
        )
    ).one()
    return _VocabularyMarker(newest_id or 0, newest_update, categories, category_update)


@dataclass(frozen=True)
class CategoryNode:
    category_id: int
    name: str
    slug: str
    parent_id: int | None
    depth: int


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


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    """The words of `text` as slugify() sees them (lowercase ASCII runs of letters and digits);
    ASCII text, nearly every product name, skips slugify's Unicode folding."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(text.lower())


def _tolerance(word: str) -> int:
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


async def _descendants(uow: UnitOfWork, category_id: int) -> list[int]:
    rows = (await uow.session.execute(select(Category.category_id, Category.parent_id))).all()
    children: dict[int | None, list[int]] = {}
    for cid, parent in rows:
        children.setdefault(parent, []).append(cid)
    if category_id not in {cid for cid, _ in rows}:
        raise NotFound(entity="category", id=category_id)
    found, queue = [], deque([category_id])
    while queue:
        current = queue.popleft()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


@dataclass(frozen=True, order=True)
class _Ranked:
    """A search candidate, sorted best first (the negated score, then the negated sales)."""

    neg_score: float
    neg_sold: int
    product_id: int
    named: bool = field(compare=False)

    @property
    def score(self) -> float:
        return -self.neg_score


async def product_detail(uow: UnitOfWork, product_id: int) -> ProductDetail:
    """A product's page, whatever its status (NotFound if there is none): for the
    operations of its seller and of the catalog alike."""
    return (await _detail_and_seller(uow, product_id))[0]


async def _detail_and_seller(
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
        [ImageView(i.image_id, i.url, i.telegram_file_id, i.is_primary) for i in images],
    )
    return detail, seller_status, int(seller_user_id)


class Catalog:
    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self._vocabulary: tuple[_VocabularyMarker, set[str]] | None = None
        self._tree: _Tree | None = None

    # --- categories (admin) ----------------------------------------------------------------
    @operation("anyone")
    async def categories(self) -> list[CategoryNode]:
        """The whole category tree, depth-first, parents before children.

        Inside a context that checked the tree (check_categories, at most
        TREE_CHECK_SECONDS ago) the checked tree is served without a transaction."""
        checked = _TREE_CHECKED.get()
        if (
            checked is not None
            and checked[0] is self._tree
            and time.monotonic() - checked[1] <= TREE_CHECK_SECONDS
        ):
            return list(checked[0].nodes)
        async with self.d.read() as uow:
            return list((await self._load_tree(uow)).nodes)

    async def check_categories(self, uow: UnitOfWork) -> Callable[[], None]:
        """In the caller's transaction, make sure the kept category tree is the database's;
        the function returned, called in a context (an update's task), lets categories()
        serve that tree there for TREE_CHECK_SECONDS without a transaction of its own. The
        bot checks once per update in the transaction that claims the update, so the tree a
        handler sees is as fresh as the start of that update's handling, also when another
        worker changed it."""
        checked = (await self._load_tree(uow), time.monotonic())

        def serve() -> None:
            _TREE_CHECKED.set(checked)

        return serve

    async def _load_tree(self, uow: UnitOfWork) -> _Tree:
        """The tree, from its rows (a few small columns of a small table, read in full so a
        change is never missed); the depth-first walk is redone only when the rows changed."""
        rows: tuple[tuple[int, str, str, int | None], ...] = tuple(
            (int(cid), str(name), str(slug), None if parent is None else int(parent))
            for cid, name, slug, parent in (
                await uow.session.execute(
                    select(
                        Category.category_id, Category.name, Category.slug, Category.parent_id
                    ).order_by(Category.name, Category.category_id)
                )
            ).all()
        )
        tree = self._tree
        if tree is not None and tree.rows == rows:
            return tree
        children: dict[int | None, list[tuple[int, str, str, int | None]]] = {}
        for row in rows:
            children.setdefault(row[3], []).append(row)
        out: list[CategoryNode] = []

        def walk(parent: int | None, depth: int) -> None:
            for category_id, name, slug, parent_id in children.get(parent, []):
                out.append(CategoryNode(category_id, name, slug, parent_id, depth))
                walk(category_id, depth + 1)

        walk(None, 0)
        self._tree = _Tree(rows, tuple(out))
        return self._tree

    def _forget_tree(self) -> None:
        """A category changed here: nobody in this process is served the old tree."""
        self._tree = None

    @operation("admin")
    async def create_category(
        self,
        actor_id: int,
        name: str,
        parent_id: int | None = None,
        description: str | None = None,
    ) -> CategoryNode:
        """Add a category (under `parent_id`, or at the top)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput(field="name", rule="length", max=100)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            depth = 0
            if parent_id is not None:
                await found(uow, Category, parent_id, "category")
                depth = len(await self._ancestors(uow, parent_id))
            slug = await self._unique_slug(uow, Category, Category.slug, name, 120)
            category = Category(name=name, slug=slug, parent_id=parent_id, description=description)
            uow.session.add(category)
            await uow.session.flush()
            audit(
                uow,
                "category",
                category.category_id,
                "create",
                by=actor_id,
                new={"name": name, "parent_id": parent_id},
            )
            await uow.commit()
            self._forget_tree()
            return CategoryNode(category.category_id, name, slug, parent_id, depth)

    @operation("admin")
    async def move_category(self, actor_id: int, category_id: int, parent_id: int | None) -> None:
        """Re-parent a category; a category cannot go under itself or its descendants."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            category = await found(uow, Category, category_id, "category")
            if parent_id is not None and parent_id in await _descendants(uow, category_id):
                raise InvalidInput(field="parent_id", rule="no_cycles")
            old = category.parent_id
            category.parent_id = parent_id
            audit(
                uow,
                "category",
                category_id,
                "update",
                by=actor_id,
                old={"parent_id": old},
                new={"parent_id": parent_id},
            )
            await uow.commit()
            self._forget_tree()

    @operation("admin")
    async def rename_category(self, actor_id: int, category_id: int, name: str) -> None:
        """Rename a category (its slug stays, so links keep working)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput(field="name", rule="length", max=100)
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            category = await found(uow, Category, category_id, "category")
            old, category.name = category.name, name
            audit(
                uow,
                "category",
                category_id,
                "update",
                by=actor_id,
                old={"name": old},
                new={"name": name},
            )
            await uow.commit()
            self._forget_tree()

    @operation("admin")
    async def delete_category(self, actor_id: int, category_id: int) -> None:
        """Delete an empty category (no sub-categories, no products)."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            category = await found(uow, Category, category_id, "category")
            busy = await uow.session.scalar(
                select(func.count()).select_from(Category).where(Category.parent_id == category_id)
            ) or await uow.session.scalar(
                select(func.count()).select_from(Product).where(Product.category_id == category_id)
            )
            if busy:
                raise InvalidInput(field="category_id", rule="not_empty")
            await uow.session.delete(category)
            audit(uow, "category", category_id, "delete", by=actor_id, old={"name": category.name})
            await uow.commit()
            self._forget_tree()

    async def _ancestors(self, uow: UnitOfWork, category_id: int) -> list[int]:
        parents = dict(
            (await uow.session.execute(select(Category.category_id, Category.parent_id))).all()
        )
        chain: list[int] = []
        current: int | None = category_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        return chain

    async def _unique_slug(
        self, uow: UnitOfWork, model: type[Any], column: Any, text: str, limit: int
    ) -> str:
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
        name = name.strip()
        if not name or len(name) > 150:
            raise InvalidInput(field="name", rule="length", max=150)
        if stock < 0:
            raise InvalidInput(field="stock", rule="not_negative")
        amount, discount = checked_prices(price, discount_price)
        if sku is not None:
            sku = sku.strip().upper()
            if not sku or len(sku) > 50:
                raise InvalidInput(field="sku", rule="length", max=50)
        async with self.d.uow() as uow:
            seller = await seller_of(uow, actor_id)
            await found(uow, Category, category_id, "category")
            slug = await self._unique_slug(uow, Product, Product.slug, name, 160)
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
            try:
                await uow.session.flush()
            except IntegrityError:
                raise InvalidInput(field="sku", rule="taken") from None
            receive(
                uow,
                product,
                stock,
                reference=InventoryReference.initial,
                by=actor_id,
                reference_id=product.product_id,
            )
            if stock > 0:
                product.status = ProductStatus.active
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

    async def _own_product(self, uow: UnitOfWork, actor_id: int, product_id: int) -> Product:
        seller = await seller_of(uow, actor_id)
        product = await uow.session.get(Product, product_id, with_for_update=True)
        if product is None or product.seller_id != seller.seller_id:
            raise NotFound(entity="product", id=product_id)
        return product

    @operation("seller (own products)")
    async def update_product(self, actor_id: int, product_id: int, **changes: Any) -> ProductDetail:
        """Change name, description, price, discount_price (None clears it), category or SKU."""
        allowed = {"name", "description", "price", "discount_price", "category_id", "sku"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(field=sorted(unknown)[0], rule="unknown")
        async with self.d.uow() as uow:
            product = await self._own_product(uow, actor_id, product_id)
            old = {k: getattr(product, k) for k in changes}
            if "name" in changes:
                name = str(changes["name"]).strip()
                if not name or len(name) > 150:
                    raise InvalidInput(field="name", rule="length", max=150)
                product.name = name
            if "description" in changes:
                product.description = (changes["description"] or "").strip() or None
            if "price" in changes:
                product.price = _price(changes["price"], "price")
            if "discount_price" in changes:
                value = changes["discount_price"]
                product.discount_price = None if value is None else _price(value, "discount_price")
            _check_discount(product.price, product.discount_price)
            if "category_id" in changes:
                await found(uow, Category, changes["category_id"], "category")
                product.category_id = changes["category_id"]
            if "sku" in changes:
                sku = str(changes["sku"]).strip().upper()
                if not sku or len(sku) > 50:
                    raise InvalidInput(field="sku", rule="length", max=50)
                product.sku = sku
            try:
                await uow.session.flush()
            except IntegrityError:
                raise InvalidInput(field="sku", rule="taken") from None
            audit(
                uow,
                "product",
                product_id,
                "update",
                by=actor_id,
                old=old,
                new={k: getattr(product, k) for k in changes},
            )
            view = await product_detail(uow, product_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("seller (own products)")
    async def set_listed(self, actor_id: int, product_id: int, listed: bool) -> ProductStatus:
        """Show (active, or sold out when no stock) or hide (inactive) a product."""
        async with self.d.uow() as uow:
            product = await self._own_product(uow, actor_id, product_id)
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
            product = await self._own_product(uow, actor_id, product_id)
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
            audit(
                uow,
                "product",
                product_id,
                "update",
                by=actor_id,
                new={"image_added": image.image_id},
            )
            await uow.commit()
            return ImageView(image.image_id, url, telegram_file_id, make_primary)

    @operation("the bot (system)")
    async def changed_marker(self) -> tuple[object, ...]:
        """What changes whenever a product or category is added, renamed, hidden or moved
        (newest ids and updates, read through indexes): a cheap "is my copy of the catalog
        still current?" for the language layer."""
        async with self.d.read() as uow:
            return astuple(await _catalog_marker(uow))

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
        size = min(max(query.page_size, 1), MAX_PAGE_SIZE)
        page = max(query.page, 1)
        async with self.d.read() as uow:
            stmt = visible_to_buyers(select(Product))
            if query.category_id is not None:
                stmt = stmt.where(
                    Product.category_id.in_(await _descendants(uow, query.category_id))
                )
            if query.seller_id is not None:
                stmt = stmt.where(Product.seller_id == query.seller_id)
            stmt = stmt.where(*_price_range(query.min_price, query.max_price))
            if query.in_stock:
                stmt = stmt.where(Product.stock_quantity > 0)
            if query.min_rating is not None:
                stmt = stmt.where(
                    Product.review_count > 0,
                    Product.rating_sum >= query.min_rating * Product.review_count,
                )
            total = await uow.session.scalar(select(func.count()).select_from(stmt.subquery()))
            page = min(page, max(1, -(-int(total or 0) // size)))  # past the last: the last
            rating = Product.rating_sum * 1.0 / func.nullif(Product.review_count, 0)
            order = {
                Sort.price_asc: [effective_price().asc()],
                Sort.price_desc: [effective_price().desc()],
                Sort.newest: [Product.created_at.desc()],
                Sort.rating: [func.coalesce(rating, 0).desc(), Product.review_count.desc()],
                Sort.popularity: [Product.sold_count.desc()],
            }[query.sort]
            rows = (
                await uow.session.scalars(
                    stmt.order_by(*order, Product.product_id).offset((page - 1) * size).limit(size)
                )
            ).all()
            return Page([ProductCard.of(p) for p in rows], int(total or 0), page, size)

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
    async def search(
        self,
        text: str,
        page: int = 1,
        page_size: int = 10,
        *,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
    ) -> Page:
        """Products matching the words of `text`, tolerant of typos, best matches first;
        optionally within a price range ("zip hoodies under $50")."""
        size = min(max(page_size, 1), MAX_PAGE_SIZE)
        page = max(page, 1)
        async with self.d.read() as uow:
            scored = await self._ranked(uow, text, min_price, max_price)
            chosen = [r.product_id for r in scored[(page - 1) * size : page * size]]
            cards = await self._cards_of(uow, chosen)
        return Page([cards[i] for i in chosen if i in cards], len(scored), page, size)

    @operation("anyone")
    async def lookup(self, text: str) -> ProductCard | None:
        """The one product that `text` names clearly, or None: every word of it is in that
        product's name (typos tolerated as search tolerates them) and no other product ranks
        as high ("white zip hoodie" names one; "zip hoodie", said of two colours, does not)."""
        async with self.d.read() as uow:
            scored = await self._ranked(uow, text, None, None)
            if (
                not scored
                or not scored[0].named
                or (len(scored) > 1 and scored[1].score >= scored[0].score)
            ):
                return None
            cards = await self._cards_of(uow, [scored[0].product_id])
        return cards.get(scored[0].product_id)

    async def _cards_of(
        self, uow: UnitOfWork, product_ids: Sequence[int]
    ) -> dict[int, ProductCard]:
        if not product_ids:
            return {}
        rows = await uow.session.scalars(
            select(Product).where(Product.product_id.in_(list(product_ids)))
        )
        return {p.product_id: ProductCard.of(p) for p in rows.all()}

    async def _ranked(
        self,
        uow: UnitOfWork,
        text: str,
        min_price: Decimal | None,
        max_price: Decimal | None,
    ) -> list[_Ranked]:
        """The visible products matching the words of `text`, best first: a word in the name
        scores 3 less its typo distance, a word in the category name half that; ties go to
        the better seller."""
        words = _words(text)[:8]
        if not words:
            return []
        vocabulary = await self._catalog_words(uow)
        variants: dict[str, dict[str, int]] = {}
        for word in words:
            limit = _tolerance(word)
            close = {v: OSA.distance(word, v, score_cutoff=limit) for v in vocabulary}
            variants[word] = {v: d for v, d in close.items() if d <= limit}
            variants[word].update(
                {v: 0 for v in vocabulary if len(word) >= 3 and v.startswith(word)}
            )
        terms = {v for close_terms in variants.values() for v in close_terms}
        if not terms:
            return []
        name = func.lower(Product.name)
        category = func.lower(Category.name)
        matches = [name.like(f"%{t}%") for t in terms] + [category.like(f"%{t}%") for t in terms]
        # only what ranking needs: whole products are loaded for the chosen page alone
        rows = (
            await uow.session.execute(
                visible_to_buyers(
                    select(Product.product_id, Product.name, Product.sold_count, Category.name)
                )
                .join(Category, Category.category_id == Product.category_id)
                .where(or_(*matches), *_price_range(min_price, max_price))
                .limit(SEARCH_CANDIDATES)
            )
        ).all()
        category_words: dict[str, set[str]] = {}
        scored = []
        for product_id, product_name, sold_count, category_name in rows:
            name_words = set(_words(product_name))
            in_category = category_words.get(category_name)
            if in_category is None:
                in_category = category_words[category_name] = set(_words(category_name))
            score = 0.0
            named = True  # every word found in the product's own name
            for close_terms in variants.values():
                best, in_name = 0.0, False
                for term, distance in close_terms.items():
                    if term in name_words:
                        best, in_name = max(best, 3.0 - distance), True
                    elif term in in_category:
                        best = max(best, 1.5 - distance / 2)
                score += best
                named = named and in_name
            if score > 0:
                scored.append(_Ranked(-score, -sold_count, product_id, named))
        scored.sort()
        return scored

    async def _catalog_words(self, uow: UnitOfWork) -> set[str]:
        """Every word of every product name and category name, kept between calls.

        What tells that the catalog changed is read through indexes, never by scanning
        products: the newest product id (new products), the newest products.updated_at
        (renames; ix_products_updated_at), and the categories' count and newest update (a
        small table). New and recently updated products only add their words; a change
        among the categories, or a product id going backwards, rebuilds them all. Words of a
        renamed product's old name may stay: a word no product has scores nothing, so
        results are unchanged. A transaction commits after it wrote updated_at, so products
        updated within VOCABULARY_SLACK before the last marker are read again.
        """
        marker = await _catalog_marker(uow)
        categories, category_update = marker.categories, marker.category_update
        cached = self._vocabulary
        if cached is not None and cached[0] == marker:
            return cached[1]
        if (
            cached is not None
            and (cached[0].categories, cached[0].category_update) == (categories, category_update)
            and marker.newest_id >= cached[0].newest_id
        ):
            since = cached[0].newest_update
            touched = Product.product_id > cached[0].newest_id
            if since is not None:
                touched = or_(touched, Product.updated_at >= since - VOCABULARY_SLACK)
            words = set(cached[1])
            for (text,) in (await uow.session.execute(select(Product.name).where(touched))).all():
                words.update(_words(text))
        else:
            words = set()
            for (text,) in (await uow.session.execute(select(Product.name).distinct())).all():
                words.update(_words(text))
            for (text,) in (await uow.session.execute(select(Category.name))).all():
                words.update(_words(text))
        self._vocabulary = (marker, words)
        return words

    @operation("anyone")
    async def reviews(self, product_id: int, page: int = 1, page_size: int = 5) -> ReviewPage:
        """A page of a visible product's reviews, newest first, each with its stars, comment
        and the reviewer's first name."""
        size = min(max(page_size, 1), MAX_PAGE_SIZE)
        page = max(page, 1)
        async with self.d.read() as uow:
            visible = await uow.session.scalar(
                visible_to_buyers(select(Product.product_id)).where(
                    Product.product_id == product_id
                )
            )
            if visible is None:
                raise NotFound(entity="product", id=product_id)
            total = await uow.session.scalar(
                select(func.count()).select_from(Review).where(Review.product_id == product_id)
            )
            page = min(page, max(1, -(-int(total or 0) // size)))  # past the last: the last
            rows = (
                await uow.session.execute(
                    select(Review.rating, Review.comment, User.first_name, Review.created_at)
                    .join(User, User.user_id == Review.user_id)
                    .where(Review.product_id == product_id)
                    .order_by(Review.created_at.desc(), Review.review_id.desc())
                    .offset((page - 1) * size)
                    .limit(size)
                )
            ).all()
        return ReviewPage(
            [ProductReview(int(r), c, n, at) for r, c, n, at in rows], int(total or 0), page, size
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
            detail, seller_status, seller_user_id = await _detail_and_seller(uow, product_id)
            visible = detail.card.status in BUYER_STATUSES and seller_status == SellerStatus.active
            if not visible:
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
