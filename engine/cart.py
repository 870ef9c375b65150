"""Cart and wishlist. Lines keep a price snapshot; `review` re-checks everything against the
live catalog and says exactly what changed (checkout refuses a cart that changed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engine.base import Deps, actor, found, operation
from engine.catalog import BUYER_STATUSES, MAX_LINE_QUANTITY, ProductCard
from engine.coupons import CouponQuote, check_coupon, normalise_code
from engine.errors import (
    InsufficientStock,
    InvalidInput,
    NotFound,
    Outdated,
    ProductUnavailable,
)
from engine.pricing import ZERO, checkout_amounts, selling_price
from storage.models import Cart, CartItem, Coupon, Product, Seller, Wishlist, WishlistItem
from storage.uow import UnitOfWork
from storage.vocabulary import ProductStatus, SellerStatus


def check_quantity(quantity: int) -> None:
    """How many of a product one adds at a time: 1 to MAX_LINE_QUANTITY (`InvalidInput`)."""
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidInput(field="quantity", rule="range", min=1, max=MAX_LINE_QUANTITY)


class Change(StrEnum):
    price_changed = "price_changed"
    out_of_stock = "out_of_stock"
    insufficient_stock = "insufficient_stock"
    product_inactive = "product_inactive"
    seller_suspended = "seller_suspended"


@dataclass(frozen=True)
class CartChange:
    product_id: int
    name: str
    change: Change
    old: str
    new: str


@dataclass(frozen=True)
class CartLine:
    product_id: int
    name: str
    seller_id: int
    quantity: int
    unit_price: Decimal  # the snapshot the customer agreed to
    current_price: Decimal
    available: int

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CartView:
    cart_id: int | None
    lines: list[CartLine]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def version(self) -> str:
        """What the cart holds, in a few characters (its lines and quantities): a screen
        that showed the cart carries it, and the engine refuses a change to a cart that
        reads otherwise now."""
        held = ",".join(f"{line.product_id}x{line.quantity}" for line in self.lines)
        return hashlib.sha256(held.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class CartCoupon:
    """The coupon kept for the checkout, on the cart as it is now: what it takes off the
    lines (`quote.discount`, what the checkout takes off them; free shipping comes off the
    shipping, chosen at checkout) and what the lines come to after it (`total`, before
    shipping)."""

    quote: CouponQuote
    subtotal: Decimal
    total: Decimal


def unit_price(product: Product) -> Decimal:
    return selling_price(product.price, product.discount_price)


def sellable_problem(product: Product, seller: Seller) -> Change | None:
    if seller.status != SellerStatus.active:
        return Change.seller_suspended
    if product.status not in BUYER_STATUSES:
        return Change.product_inactive
    if product.stock_quantity == 0 or product.status == ProductStatus.out_of_stock:
        return Change.out_of_stock
    return None


async def cart_rows(
    uow: UnitOfWork, user_id: int, *, lock: bool = False
) -> tuple[Cart | None, list[tuple[CartItem, Product, Seller]]]:
    stmt = select(Cart).where(Cart.user_id == user_id)
    cart = await uow.session.scalar(stmt.with_for_update() if lock else stmt)
    if cart is None:
        return None, []
    rows = (
        await uow.session.execute(
            select(CartItem, Product, Seller)
            .join(Product, Product.product_id == CartItem.product_id)
            .join(Seller, Seller.seller_id == Product.seller_id)
            .where(CartItem.cart_id == cart.cart_id)
            .order_by(CartItem.cart_item_id)
        )
    ).all()
    return cart, list(rows)


def changes_of(rows: list[tuple[CartItem, Product, Seller]]) -> list[CartChange]:
    """What differs between the cart's snapshots and the live catalog."""
    found = []
    for item, product, seller in rows:
        problem = sellable_problem(product, seller)
        if problem is not None:
            found.append(CartChange(product.product_id, product.name, problem, "", ""))
        elif product.stock_quantity < item.quantity:
            found.append(
                CartChange(
                    product.product_id,
                    product.name,
                    Change.insufficient_stock,
                    str(item.quantity),
                    str(product.stock_quantity),
                )
            )
        elif unit_price(product) != item.price:
            found.append(
                CartChange(
                    product.product_id,
                    product.name,
                    Change.price_changed,
                    str(item.price),
                    str(unit_price(product)),
                )
            )
    return found


def view_of(cart: Cart | None, rows: list[tuple[CartItem, Product, Seller]]) -> CartView:
    return CartView(
        None if cart is None else cart.cart_id,
        [
            CartLine(
                p.product_id,
                p.name,
                p.seller_id,
                i.quantity,
                i.price,
                unit_price(p),
                p.stock_quantity,
            )
            for i, p, _ in rows
        ],
    )


class Carts:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    async def _sellable(self, uow: UnitOfWork, product_id: int) -> Product:
        row = (
            await uow.session.execute(
                select(Product, Seller)
                .join(Seller, Seller.seller_id == Product.seller_id)
                .where(Product.product_id == product_id)
            )
        ).one_or_none()
        if row is None:
            raise NotFound(entity="product", id=product_id)
        product, seller = row
        problem = sellable_problem(product, seller)
        if problem in (Change.product_inactive, Change.seller_suspended):
            raise ProductUnavailable(product_id=product_id, reason=problem.value)
        return product

    async def _cart(self, uow: UnitOfWork, user_id: int) -> Cart:
        """The user's cart, locked until the transaction ends (made when there is none): two
        changes of one cart at once take turns, each reading what the other left."""
        cart = await uow.session.scalar(
            select(Cart).where(Cart.user_id == user_id).with_for_update()
        )
        if cart is None:
            cart = Cart(user_id=user_id)
            uow.session.add(cart)
            await uow.session.flush()
        return cart

    @operation("customer (own cart)")
    async def add(
        self, actor_id: int, product_id: int, quantity: int = 1, *, seen: int | None = None
    ) -> CartView:
        """Put `quantity` more of a product in the cart, within its stock.

        `seen`: how many of it the cart held as the screen showed it (a product card's Add,
        0 when none); a cart that holds another number now is `Outdated` (`held`: that
        number) and nothing is added, so a second tap on the same card adds nothing."""
        check_quantity(quantity)
        try:
            return await self._add(actor_id, product_id, quantity, seen)
        except IntegrityError:  # two first adds at once: the other one made the cart
            return await self._add(actor_id, product_id, quantity, seen)

    async def _add(
        self, actor_id: int, product_id: int, quantity: int, seen: int | None
    ) -> CartView:
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            cart = await self._cart(uow, actor_id)
            item = await uow.session.scalar(
                select(CartItem).where(
                    CartItem.cart_id == cart.cart_id, CartItem.product_id == product_id
                )
            )
            held = item.quantity if item else 0
            if seen is not None and held != seen:
                raise Outdated(entity="cart_line", id=product_id, held=held)
            product = await self._sellable(uow, product_id)
            wanted = quantity + held
            if wanted > product.stock_quantity or wanted > MAX_LINE_QUANTITY:
                raise InsufficientStock(
                    items=[
                        {
                            "product_id": product_id,
                            "requested": wanted,
                            "available": product.stock_quantity,
                        }
                    ]
                )
            if item is None:
                uow.session.add(
                    CartItem(
                        cart_id=cart.cart_id,
                        product_id=product_id,
                        quantity=wanted,
                        price=unit_price(product),
                    )
                )
            else:
                item.quantity, item.price = wanted, unit_price(product)
            cart.reminder_sent_at = None
            await uow.session.flush()
            cart_, rows = await cart_rows(uow, actor_id)
            await uow.commit()
            return view_of(cart_, rows)

    @operation("customer (own cart)")
    async def set_quantity(
        self, actor_id: int, product_id: int, quantity: int, *, seen: int | None = None
    ) -> CartView:
        """Change a line's quantity; 0 removes it.

        `seen`: the quantity the screen showed (a cart message's −/+); a line that reads
        otherwise now is `Outdated` (`held`: what it reads), and stays."""
        if not 0 <= quantity <= MAX_LINE_QUANTITY:
            raise InvalidInput(field="quantity", rule="range", min=0, max=MAX_LINE_QUANTITY)
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            item = await self._line(uow, actor_id, product_id)
            if seen is not None and item.quantity not in (seen, quantity):
                raise Outdated(entity="cart_line", id=product_id, held=item.quantity)
            if quantity == 0:
                await uow.session.delete(item)
            else:
                product = await self._sellable(uow, product_id)
                if quantity > product.stock_quantity:
                    raise InsufficientStock(
                        items=[
                            {
                                "product_id": product_id,
                                "requested": quantity,
                                "available": product.stock_quantity,
                            }
                        ]
                    )
                item.quantity, item.price = quantity, unit_price(product)
            await uow.session.flush()
            cart_, rows = await cart_rows(uow, actor_id)
            await uow.commit()
            return view_of(cart_, rows)

    async def _line(self, uow: UnitOfWork, user_id: int, product_id: int) -> CartItem:
        """The cart's line of a product, its cart locked until the transaction ends
        (`NotFound` when the cart holds none of it)."""
        cart = await uow.session.scalar(
            select(Cart).where(Cart.user_id == user_id).with_for_update()
        )
        item = (
            None
            if cart is None
            else await uow.session.scalar(
                select(CartItem).where(
                    CartItem.cart_id == cart.cart_id, CartItem.product_id == product_id
                )
            )
        )
        if item is None:
            raise NotFound(entity="cart_line", id=product_id)
        return item

    @operation("customer (own cart)")
    async def take(
        self,
        actor_id: int,
        product_id: int,
        quantity: int | None = None,
        *,
        seen: int | None = None,
    ) -> CartView:
        """Take `quantity` of a product out of the cart, the line keeping the rest; all of
        it when `quantity` is None or at least what the line holds ("remove one of the
        lamps" leaves two of three; "remove the lamps" leaves none).

        `seen`: the line's quantity as the screen showed it (a "Which one?" button); a line
        that reads otherwise now (taken from already: a second tap) is `Outdated` (`held`:
        what it reads), and stays."""
        if quantity is not None:
            check_quantity(quantity)
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            item = await self._line(uow, actor_id, product_id)
            if seen is not None and item.quantity != seen:
                raise Outdated(entity="cart_line", id=product_id, held=item.quantity)
            left = 0 if quantity is None else max(item.quantity - quantity, 0)
            if left == 0:
                await uow.session.delete(item)
            else:
                item.quantity = left
            await uow.session.flush()
            cart_, rows = await cart_rows(uow, actor_id)
            await uow.commit()
            return view_of(cart_, rows)

    @operation("customer (own cart)")
    async def remove(self, actor_id: int, product_id: int, *, seen: int | None = None) -> CartView:
        """Take a product out of the cart.

        `seen`: the line's quantity as the screen showed it (a cart message's ✖); a line
        that reads otherwise now is `Outdated`, and stays."""
        return await self.set_quantity(actor_id, product_id, 0, seen=seen)

    @operation("customer (own cart)")
    async def clear(self, actor_id: int, *, seen: str | None = None) -> CartView:
        """Empty the cart; returns it (empty).

        `seen`: the cart's version as the screen showed it ("Empty the cart? 3 items"); a
        cart that holds something else now is `Outdated` and stays as it is. An empty cart
        is emptied again without complaint (a second tap)."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            cart, rows = await cart_rows(uow, actor_id, lock=True)
            if seen is not None and rows and view_of(cart, rows).version != seen:
                raise Outdated(entity="cart", id=actor_id)
            if cart is not None:
                await uow.session.execute(delete(CartItem).where(CartItem.cart_id == cart.cart_id))
            await uow.commit()
            return CartView(None if cart is None else cart.cart_id, [])

    @operation("customer (own cart)")
    async def view(self, actor_id: int) -> CartView:
        """The cart with its snapshot prices, current prices and stock."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            cart, rows = await cart_rows(uow, actor_id)
            return view_of(cart, rows)

    @operation("customer (own cart)")
    async def coupon(self, actor_id: int, code: str) -> CartCoupon:
        """The coupon `code` on the cart as it is, as the checkout will price it (the lines at
        their cart prices; no shipping yet): `CouponRejected` when it does not apply now."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            _, rows = await cart_rows(uow, actor_id)
            sellers = len({product.seller_id for _, product, _ in rows})
            base = checkout_amounts([i.price * i.quantity for i, _, _ in rows], ZERO, sellers)
            code = normalise_code(code)
            found_coupon = await uow.session.scalar(select(Coupon).where(Coupon.code == code))
            quote = await check_coupon(
                uow, found_coupon, code, actor_id, base.subtotal, ZERO, self.d.clock().date()
            )
            return CartCoupon(quote, base.subtotal, base.less(quote.discount).total)

    @operation("customer (own cart)")
    async def review(self, actor_id: int) -> tuple[CartView, list[CartChange]]:
        """Bring the cart up to date and say what changed: new prices are taken, lines that
        cannot be bought are removed, quantities are cut to the stock."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            cart, rows = await cart_rows(uow, actor_id, lock=True)
            changes = changes_of(rows)
            for item, product, seller in rows:
                if sellable_problem(product, seller) is not None:
                    await uow.session.delete(item)
                    continue
                item.quantity = min(item.quantity, product.stock_quantity)
                item.price = unit_price(product)
            await uow.session.flush()
            cart, rows = await cart_rows(uow, actor_id)
            await uow.commit()
            return view_of(cart, rows), changes


class Wishlists:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("customer (own wishlist)")
    async def add(self, actor_id: int, product_id: int) -> bool:
        """Remember a product (adding it twice keeps one); True when it was not there."""
        return await self._keep(actor_id, product_id)

    @operation("customer (own wishlist)")
    async def notify_when_back(self, actor_id: int, product_id: int) -> bool:
        """🔔 on a sold-out product: remember it, so the back-in-stock job
        (Housekeeping.back_in_stock) tells the customer when it is back. True when this
        asked for it first; a second tap (or a product remembered already) keeps the one
        request and says False."""
        return await self._keep(actor_id, product_id)

    async def _keep(self, actor_id: int, product_id: int) -> bool:
        """The product in the actor's wishlist, once; True when it was not there. Two taps
        at once: the second one's insert meets the unique key and reads it as kept."""
        try:
            return await self._keep_once(actor_id, product_id)
        except IntegrityError:
            return await self._keep_once(actor_id, product_id)

    async def _keep_once(self, actor_id: int, product_id: int) -> bool:
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            await found(uow, Product, product_id, "product")
            wishlist = await uow.session.scalar(
                select(Wishlist).where(Wishlist.user_id == actor_id)
            )
            if wishlist is None:
                wishlist = Wishlist(user_id=actor_id)
                uow.session.add(wishlist)
                await uow.session.flush()
            exists = await uow.session.scalar(
                select(WishlistItem).where(
                    WishlistItem.wishlist_id == wishlist.wishlist_id,
                    WishlistItem.product_id == product_id,
                )
            )
            if exists is None:
                uow.session.add(
                    WishlistItem(wishlist_id=wishlist.wishlist_id, product_id=product_id)
                )
            await uow.commit()
            return exists is None

    @operation("customer (own wishlist)")
    async def remove(self, actor_id: int, product_id: int) -> bool:
        """Forget a product; True when it was there (an old ✖ tapped again: False, and
        nothing changes)."""
        async with self.d.uow() as uow:
            await actor(uow, actor_id)
            wishlist = await uow.session.scalar(
                select(Wishlist).where(Wishlist.user_id == actor_id)
            )
            if wishlist is None:
                return False
            gone = await uow.session.execute(
                delete(WishlistItem).where(
                    WishlistItem.wishlist_id == wishlist.wishlist_id,
                    WishlistItem.product_id == product_id,
                )
            )
            await uow.commit()
            return bool(gone.rowcount)  # type: ignore[attr-defined]

    @operation("customer (own wishlist)")
    async def has(self, actor_id: int, product_id: int) -> bool:
        """Whether the product is in the actor's wishlist (a card's ♥ / ♡)."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            kept = await uow.session.scalar(
                select(WishlistItem.id)
                .join(Wishlist, Wishlist.wishlist_id == WishlistItem.wishlist_id)
                .where(Wishlist.user_id == actor_id, WishlistItem.product_id == product_id)
                .limit(1)
            )
            return kept is not None

    @operation("customer (own wishlist)")
    async def list(self, actor_id: int) -> list[ProductCard]:
        """The remembered products that still exist, newest first."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            rows = (
                await uow.session.scalars(
                    select(Product)
                    .join(WishlistItem, WishlistItem.product_id == Product.product_id)
                    .join(Wishlist, Wishlist.wishlist_id == WishlistItem.wishlist_id)
                    .where(Wishlist.user_id == actor_id)
                    .order_by(WishlistItem.id.desc())
                )
            ).all()
            return [ProductCard.of(p) for p in rows]
