"""A believable demo marketplace for an empty database: `python -m bot seed-demo`.

Everything is generated locally and deterministically (a seeded PRNG; product images are drawn
with Pillow): a three-level category tree, six sellers (one waiting for approval, one
suspended), about ninety products (drawn in their named colours, two or three views each)
with discounts and sold-out items, coupons of every type, shipping providers, customers with
addresses, carts and wishlists, and past orders in every status with the payments, shipments,
delivery milestones, inventory logs, refunds, reviews, payout and audit rows that the engine
itself would have written for them.

The data obeys the engine's invariants: each product's stock equals the sum of its inventory
logs, order totals add up to the cent, coupon use counts match their orders. Seeding a
database that already holds a shop changes nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.demo_photos import draw_product
from storage.models import (
    Address,
    Cart,
    CartItem,
    Category,
    Coupon,
    DeliveryTracking,
    InventoryLog,
    Order,
    OrderCoupon,
    OrderItem,
    Payment,
    Payout,
    Product,
    ProductImage,
    Refund,
    Return,
    ReturnItem,
    Review,
    Seller,
    Shipment,
    ShippingProvider,
    User,
    Wishlist,
    WishlistItem,
)
from storage.repositories import AuditLogs
from storage.vocabulary import (
    AddressType,
    CouponStatus,
    DiscountType,
    InventoryChangeType,
    InventoryReference,
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PayoutStatus,
    ProductStatus,
    RefundStatus,
    ReturnStatus,
    SellerStatus,
    ShipmentStatus,
    TrackingStatus,
    UserRole,
    UserStatus,
    money,
    slugify,
)

SEED = 2026
DEMO_ADMIN_TELEGRAM_ID = 900_000_001
COMMISSION = Decimal("0.10")
ZERO = Decimal("0.00")

# category tree: top -> middle -> leaves; each leaf lists (product noun, base price)
TREE: dict[str, dict[str, dict[str, list[tuple[str, str]]]]] = {
    "Fashion": {
        "Men": {
            "T-Shirts": [("Cotton Tee", "14.99"), ("Graphic Tee", "19.99")],
            "Hoodies": [("Zip Hoodie", "39.99"), ("Pullover Hoodie", "34.99")],
        },
        "Women": {
            "Dresses": [("Summer Dress", "44.90"), ("Wrap Dress", "59.00")],
            "Jackets": [("Denim Jacket", "69.00"), ("Rain Jacket", "79.50")],
        },
        "Shoes": {
            "Running Shoes": [("Trail Runner", "89.99"), ("Road Runner", "74.99")],
            "Sneakers": [("Canvas Sneaker", "49.99"), ("Leather Sneaker", "99.00")],
        },
    },
    "Electronics": {
        "Audio": {
            "Headphones": [("Wireless Headphones", "129.00"), ("Studio Headphones", "89.00")],
            "Speakers": [("Bluetooth Speaker", "59.99"), ("Smart Speaker", "99.99")],
        },
        "Phone Accessories": {
            "Chargers": [("USB-C Charger", "24.99"), ("Wireless Charger", "34.99")],
            "Cases": [("Silicone Case", "12.99"), ("Wallet Case", "22.50")],
        },
    },
    "Home & Kitchen": {
        "Kitchen": {
            "Cookware": [("Cast Iron Skillet", "39.00"), ("Nonstick Pan", "29.99")],
            "Coffee": [("Pour-Over Kettle", "45.00"), ("French Press", "27.50")],
        },
        "Decor": {
            "Lamps": [("Desk Lamp", "32.00"), ("Floor Lamp", "119.00")],
        },
    },
    "Sports & Outdoors": {
        "Fitness": {
            "Yoga": [("Yoga Mat", "25.00"), ("Yoga Block", "9.99")],
            "Weights": [("Kettlebell", "42.00"), ("Dumbbell Pair", "55.00")],
        },
        "Camping": {
            "Tents": [("Two-Person Tent", "149.00"), ("Ultralight Tent", "229.00")],
        },
    },
    "Books": {
        "Fiction": {
            "Mystery": [("Harbour Mystery", "11.99"), ("Locked Room Novel", "13.50")],
        },
        "Non-fiction": {
            "Cooking": [("Weeknight Cookbook", "24.00"), ("Baking Basics", "19.00")],
        },
    },
}
COLOURS = ["Red", "Navy", "Black", "Olive", "Sand", "Grey", "White", "Teal"]
TOP_SELLER = {
    "Fashion": "Urban Threads",
    "Electronics": "SoundWave Audio",
    "Home & Kitchen": "Kitchen & Co",
    "Sports & Outdoors": "PeakGear Outdoors",
    "Books": "Corner Bookshop",
}
SELLERS: list[dict[str, Any]] = [
    {
        "store_name": "Urban Threads",
        "status": SellerStatus.active,
        "first": "Maya",
        "description": "Everyday clothing and shoes, shipped from Dhaka.",
    },
    {
        "store_name": "SoundWave Audio",
        "status": SellerStatus.active,
        "first": "Arif",
        "description": "Headphones, speakers and the cables to go with them.",
    },
    {
        "store_name": "Kitchen & Co",
        "status": SellerStatus.active,
        "first": "Lena",
        "description": "Cookware, coffee gear and lamps for a cosy home.",
    },
    {
        "store_name": "Corner Bookshop",
        "status": SellerStatus.active,
        "first": "Tom",
        "description": "New and classic books, carefully packed.",
    },
    {
        "store_name": "PeakGear Outdoors",
        "status": SellerStatus.suspended,
        "first": "Rafi",
        "description": "Fitness and camping equipment.",
        "reason": "Suspended after repeated late shipments; products hidden until review.",
    },
    {
        "store_name": "Page Turner Books",
        "status": SellerStatus.pending,
        "first": "Nadia",
        "description": "Second-hand books in good condition. Waiting for approval.",
    },
]
CUSTOMERS = [
    ("Sara", "Ahmed", "sara@example.com", "+8801711000001", "12 Lake Road", "Dhaka", "1205"),
    ("John", "Miller", "john@example.com", "+12025550142", "450 Pine Street", "Portland", "97205"),
    ("Aisha", "Khan", "aisha@example.com", "+447700900123", "8 Mill Lane", "Leeds", "LS1 4AB"),
    ("Diego", "Ruiz", None, "+34600111222", "Calle Mayor 5", "Madrid", "28013"),
]
PROVIDERS = [
    # name, cost, days, contact e-mail, tracking URL template, pickup address (collected there)
    (
        "Speedy Couriers",
        "9.99",
        2,
        "ops@speedy.example",
        "https://track.speedy.example/{number}",
        None,
    ),
    (
        "Standard Post",
        "4.99",
        5,
        "help@post.example",
        "https://post.example/track?id={number}",
        None,
    ),
    ("Local Pickup Point", "0.00", 1, None, None, "Market Hall, 3 Station Square, Bath BA1 1SU"),
]
COUPONS = [
    # code, type, value, min order, max uses, start offset days, end offset days, status, text
    (
        "WELCOME10",
        DiscountType.percentage,
        "10",
        None,
        None,
        -60,
        60,
        CouponStatus.active,
        "10% off your order",
    ),
    (
        "SAVE5",
        DiscountType.fixed,
        "5.00",
        "50.00",
        100,
        -30,
        30,
        CouponStatus.active,
        "$5 off orders of $50 or more",
    ),
    (
        "FREESHIP",
        DiscountType.free_shipping,
        "0",
        None,
        None,
        -30,
        90,
        CouponStatus.active,
        "Free shipping",
    ),
    (
        "SUMMER20",
        DiscountType.percentage,
        "20",
        None,
        None,
        -200,
        -100,
        CouponStatus.expired,
        "Summer sale, over",
    ),
    (
        "LAUNCH15",
        DiscountType.fixed,
        "15.00",
        "60.00",
        2,
        -90,
        90,
        CouponStatus.active,
        "Launch offer for the first two orders",
    ),
    (
        "STAFFONLY",
        DiscountType.percentage,
        "50",
        None,
        10,
        -10,
        10,
        CouponStatus.disabled,
        "Disabled staff coupon",
    ),
]


def cents_share(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over lines in proportion to `weights`, exact to the cent."""
    whole = sum(weights, ZERO)
    if whole == 0:
        return [ZERO for _ in weights]
    shares = [
        (total * w / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for w in weights
    ]
    shares[-1] += total - sum(shares, ZERO)
    return shares


@dataclass
class _Ledger:
    """Stock movements per product, written as InventoryLogs in time order at the end."""

    moves: dict[
        int, list[tuple[datetime, InventoryChangeType, int, str, int | None, int | None]]
    ] = field(default_factory=lambda: defaultdict(list))

    def add(
        self,
        product_id: int,
        at: datetime,
        delta: int,
        ref: InventoryReference,
        ref_id: int | None,
        by: int | None,
    ) -> None:
        kind = InventoryChangeType.stock_in if delta > 0 else InventoryChangeType.stock_out
        self.moves[product_id].append((at, kind, delta, ref.value, ref_id, by))


async def seed_demo(sessions: async_sessionmaker[AsyncSession], *, media_dir: Path) -> str:
    async with sessions() as session, session.begin():
        users = await session.scalar(select(func.count()).select_from(User))
        products = await session.scalar(select(func.count()).select_from(Product))
        if users or products:
            demo = await session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.telegram_id == DEMO_ADMIN_TELEGRAM_ID)
            )
            if demo:
                return "The demo shop is already there; nothing changed."
            return "The database already holds a shop, so no demo data was added; nothing changed."
        summary = await _Seeder(session, media_dir).run()
    return summary


class _Seeder:
    def __init__(self, session: AsyncSession, media_dir: Path) -> None:
        self.s = session
        self.rng = random.Random(SEED)
        self.media_dir = media_dir
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.ledger = _Ledger()
        self.audit_log = AuditLogs(session)

    def ago(self, days: float, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    def audit(
        self,
        entity: str,
        entity_id: int,
        action: str,
        at: datetime,
        by: int | None,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
    ) -> None:
        self.audit_log.record(entity, entity_id, action, by=by, old=old, new=new, at=at)

    async def run(self) -> str:
        admin = await self._admin()
        sellers = await self._sellers(admin)
        categories = await self._categories()
        products = await self._products(sellers, categories)
        providers = await self._providers()
        coupons = await self._coupons()
        customers = await self._customers()
        active = {s.seller_id for s in sellers.values() if s.status == SellerStatus.active}
        orders = await self._orders(customers, products, active, providers, coupons, admin)
        for seller in sellers.values():
            await self._payout(seller, admin)
        await self._carts_and_wishlists(customers, products)
        await self._inventory(products)
        await self.s.flush()
        total_categories = await self.s.scalar(select(func.count()).select_from(Category))
        return (
            f"Demo shop ready: {total_categories} categories ({len(categories)} leaves), "
            f"{len(sellers)} sellers, {len(products)} products, {len(coupons)} coupons, "
            f"{len(providers)} shipping providers, {len(customers)} customers, {orders} orders. "
            f"Images in {self.media_dir}."
        )

    # --- people ---------------------------------------------------------------------------
    async def _admin(self) -> User:
        admin = User(
            telegram_id=DEMO_ADMIN_TELEGRAM_ID,
            first_name="Demo",
            last_name="Admin",
            email="admin@shop.example",
            role=UserRole.admin,
            status=UserStatus.active,
            language_code="en",
            created_at=self.ago(400),
        )
        self.s.add(admin)
        await self.s.flush()
        self.audit("user", admin.user_id, "create", admin.created_at, None, new={"role": "admin"})
        return admin

    async def _sellers(self, admin: User) -> dict[str, Seller]:
        result: dict[str, Seller] = {}
        for n, spec in enumerate(SELLERS):
            joined = self.ago(300 - n * 40)
            owner = User(
                telegram_id=DEMO_ADMIN_TELEGRAM_ID + 100 + n,
                first_name=spec["first"],
                email=f"{slugify(spec['store_name'])}@sellers.example",
                role=UserRole.seller,
                status=UserStatus.active,
                language_code="en",
                created_at=joined,
            )
            self.s.add(owner)
            await self.s.flush()
            seller = Seller(
                user_id=owner.user_id,
                store_name=spec["store_name"],
                description=spec["description"],
                status=SellerStatus.pending,
                logo_url=f"sellers/{slugify(spec['store_name'])}.png",
                created_at=joined,
            )
            self.s.add(seller)
            await self.s.flush()
            self._image(f"sellers/{slugify(spec['store_name'])}.png", spec["store_name"][:2], n)
            self.audit(
                "seller",
                seller.seller_id,
                "create",
                joined,
                owner.user_id,
                new={"status": "pending"},
            )
            if spec["status"] != SellerStatus.pending:
                approved = joined + timedelta(days=1)
                seller.status, seller.approved_at = SellerStatus.active, approved
                self.audit(
                    "seller",
                    seller.seller_id,
                    "status_change",
                    approved,
                    admin.user_id,
                    old={"status": "pending"},
                    new={"status": "active"},
                )
            if spec["status"] == SellerStatus.suspended:
                seller.status, seller.status_reason = SellerStatus.suspended, spec["reason"]
                self.audit(
                    "seller",
                    seller.seller_id,
                    "status_change",
                    self.ago(5),
                    admin.user_id,
                    old={"status": "active"},
                    new={"status": "suspended", "reason": spec["reason"]},
                )
            result[spec["store_name"]] = seller
        return result

    async def _customers(self) -> list[User]:
        customers = []
        for n, (first, last, email, phone, street, city, postal) in enumerate(CUSTOMERS):
            user = User(
                telegram_id=DEMO_ADMIN_TELEGRAM_ID + 200 + n,
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                role=UserRole.customer,
                status=UserStatus.active,
                language_code="en",
                created_at=self.ago(120 - n * 10),
            )
            self.s.add(user)
            await self.s.flush()
            country = {
                "Dhaka": "Bangladesh",
                "Portland": "United States",
                "Leeds": "United Kingdom",
                "Madrid": "Spain",
            }[city]
            for kind in (AddressType.shipping, AddressType.billing):
                self.s.add(
                    Address(
                        user_id=user.user_id,
                        type=kind,
                        recipient_name=f"{first} {last}",
                        phone=phone,
                        street=street,
                        city=city,
                        country=country,
                        postal_code=postal,
                        is_default=True,
                        created_at=user.created_at,
                    )
                )
            self.audit(
                "user",
                user.user_id,
                "create",
                user.created_at,
                user.user_id,
                new={"role": "customer"},
            )
            customers.append(user)
        banned = User(
            telegram_id=DEMO_ADMIN_TELEGRAM_ID + 299,
            first_name="Spam",
            last_name="Account",
            role=UserRole.customer,
            status=UserStatus.banned,
            status_reason="Repeated fake orders",
            created_at=self.ago(20),
        )
        self.s.add(banned)
        await self.s.flush()
        self.audit(
            "user",
            banned.user_id,
            "status_change",
            self.ago(19),
            None,
            old={"status": "active"},
            new={"status": "banned"},
        )
        await self.s.flush()
        return customers

    # --- catalog --------------------------------------------------------------------------
    async def _categories(self) -> dict[str, Category]:
        leaves: dict[str, Category] = {}
        for top, middles in TREE.items():
            top_row = Category(name=top, slug=slugify(top), description=f"All of {top.lower()}")
            self.s.add(top_row)
            await self.s.flush()
            for middle, leaf_map in middles.items():
                mid_row = Category(
                    name=middle,
                    slug=f"{slugify(top)}-{slugify(middle)}",
                    parent_id=top_row.category_id,
                )
                self.s.add(mid_row)
                await self.s.flush()
                for leaf in leaf_map:
                    leaf_row = Category(
                        name=leaf,
                        slug=f"{mid_row.slug}-{slugify(leaf)}",
                        parent_id=mid_row.category_id,
                    )
                    self.s.add(leaf_row)
                    leaves[f"{top}/{middle}/{leaf}"] = leaf_row
        await self.s.flush()
        return leaves

    async def _products(
        self, sellers: dict[str, Seller], leaves: dict[str, Category]
    ) -> list[Product]:
        products: list[Product] = []
        for path, leaf in leaves.items():
            top, middle, name = path.split("/")
            seller = sellers[TOP_SELLER[top]]
            colours = self.rng.sample(COLOURS, 3)
            for noun, base in TREE[top][middle][name]:
                for variant in range(3 if noun != TREE[top][middle][name][-1][0] else 2):
                    colour = colours[variant]
                    title = (
                        f"{colour} {noun}"
                        if top != "Books"
                        else f"{noun} ({['Hardcover', 'Paperback', 'Large Print'][variant]})"
                    )
                    price = money(Decimal(base) + Decimal(variant * 2))
                    discount = None
                    if self.rng.random() < 0.3:
                        discount = money(price * Decimal("0.8"))
                    created = self.ago(200 - len(products), hours=self.rng.randint(0, 23))
                    sku = f"{slugify(seller.store_name)[:4].upper()}-{len(products) + 1:04d}"
                    product = Product(
                        seller_id=seller.seller_id,
                        category_id=leaf.category_id,
                        name=title,
                        slug=slugify(f"{title}-{seller.store_name}")[:160],
                        description=f"{title} from {seller.store_name}. {name} to keep.",
                        price=price,
                        discount_price=discount,
                        sku=sku,
                        stock_quantity=0,
                        status=ProductStatus.active,
                        created_at=created,
                    )
                    self.s.add(product)
                    products.append(product)
        await self.s.flush()
        for n, product in enumerate(products):
            # the product in its named colour: front first, then back and close-up
            drawn = draw_product(self.media_dir, product.slug, product.name, n)
            for position, view in enumerate(drawn):
                self.s.add(
                    ProductImage(
                        product_id=product.product_id,
                        url=view.relative,
                        alt_text=view.alt_text,
                        is_primary=position == 0,
                        position=position,
                        created_at=product.created_at,
                    )
                )
            self.audit(
                "product",
                product.product_id,
                "create",
                product.created_at,
                None,
                new={"name": product.name, "price": str(product.price)},
            )
        products[5].status = ProductStatus.inactive  # hidden by its seller
        return products

    async def _providers(self) -> list[ShippingProvider]:
        rows = []
        for name, cost, days, email, template, pickup in PROVIDERS:
            row = ShippingProvider(
                name=name,
                pickup_address=pickup,
                shipping_cost=money(cost),
                estimated_days=days,
                contact_email=email,
                tracking_url_template=template,
                created_at=self.ago(365),
            )
            self.s.add(row)
            rows.append(row)
        await self.s.flush()
        return rows

    async def _coupons(self) -> dict[str, Coupon]:
        rows = {}
        today = self.now.date()
        for code, kind, value, minimum, max_uses, start, end, status, text in COUPONS:
            row = Coupon(
                code=code,
                discount_type=kind,
                discount_value=money(value),
                min_order_amount=None if minimum is None else money(minimum),
                max_uses=max_uses,
                start_date=today + timedelta(days=start),
                end_date=today + timedelta(days=end),
                status=status,
                description=text,
                uses_count=0,
                created_at=self.now + timedelta(days=start - 1),
            )
            self.s.add(row)
            rows[code] = row
        await self.s.flush()
        return rows

    # --- orders ---------------------------------------------------------------------------
    async def _orders(
        self,
        customers: list[User],
        products: list[Product],
        active_sellers: set[int],
        providers: list[ShippingProvider],
        coupons: dict[str, Coupon],
        admin: User,
    ) -> int:
        sellable = [
            p
            for p in products
            if p.status == ProductStatus.active and p.seller_id in active_sellers
        ]
        plan: list[tuple[OrderStatus, PaymentMethod, str | None, float]] = [
            (OrderStatus.delivered, PaymentMethod.card, "WELCOME10", 40),
            (OrderStatus.delivered, PaymentMethod.cod, None, 35),
            (OrderStatus.delivered, PaymentMethod.card, "LAUNCH15", 30),
            (OrderStatus.delivered, PaymentMethod.bank_transfer, "LAUNCH15", 9),
            (OrderStatus.returned, PaymentMethod.card, None, 25),
            (OrderStatus.shipped, PaymentMethod.card, "FREESHIP", 4),
            (OrderStatus.shipped, PaymentMethod.paypal, None, 3),
            (OrderStatus.paid, PaymentMethod.card, "SAVE5", 1),
            (OrderStatus.paid, PaymentMethod.bank_transfer, None, 2),
            (OrderStatus.pending, PaymentMethod.card, None, 0.01),
            (OrderStatus.pending, PaymentMethod.bank_transfer, None, 0.5),
            (OrderStatus.pending, PaymentMethod.cod, None, 0.2),
            (OrderStatus.cancelled, PaymentMethod.card, None, 12),
            (OrderStatus.cancelled, PaymentMethod.card, None, 8),
        ]
        for n, (status, method, code, days) in enumerate(plan):
            customer = customers[n % len(customers)]
            lines = self.rng.sample(sellable, 2 if n % 3 else 3)
            if code in ("SAVE5", "LAUNCH15"):  # make sure the minimum order is met
                lines = sorted(sellable, key=lambda p: p.price, reverse=True)[n : n + 2]
            await self._order(
                n,
                customer,
                lines,
                providers[n % 2],
                coupons.get(code or ""),
                status,
                method,
                self.ago(days),
                admin,
            )
        return len(plan)

    async def _order(
        self,
        n: int,
        customer: User,
        lines: list[Product],
        provider: ShippingProvider,
        coupon: Coupon | None,
        status: OrderStatus,
        method: PaymentMethod,
        placed: datetime,
        admin: User,
    ) -> None:
        by = customer.user_id
        address = await self.s.scalar(
            select(Address).where(Address.user_id == by, Address.type == AddressType.shipping)
        )
        assert address is not None
        quantities = [1 + (n + i) % 2 for i in range(len(lines))]
        prices = [p.discount_price or p.price for p in lines]
        subtotal = sum((p * q for p, q in zip(prices, quantities, strict=True)), ZERO)
        shipping = provider.shipping_cost
        discount, line_discounts = ZERO, [ZERO] * len(lines)
        if coupon is not None:
            if coupon.discount_type == DiscountType.percentage:
                discount = money(subtotal * coupon.discount_value / 100)
            elif coupon.discount_type == DiscountType.fixed:
                discount = min(coupon.discount_value, subtotal)
            else:
                discount = shipping
            if coupon.discount_type != DiscountType.free_shipping:
                line_discounts = cents_share(
                    discount, [p * q for p, q in zip(prices, quantities, strict=True)]
                )
        order = Order(
            user_id=by,
            address_id=address.address_id,
            shipping_provider_id=provider.provider_id,
            order_status=OrderStatus.pending,
            payment_status=OrderPaymentStatus.pending,
            payment_method=method,
            subtotal_amount=subtotal,
            discount_amount=discount,
            shipping_amount=shipping,
            total_amount=subtotal - discount + shipping,
            address_snapshot={
                "recipient": address.recipient_name,
                "street": address.street,
                "city": address.city,
                "country": address.country,
                "postal_code": address.postal_code,
                "phone": address.phone,
            },
            checkout_key=f"demo-{n:04d}",
            created_at=placed,
            updated_at=placed,
        )
        if method == PaymentMethod.bank_transfer:
            order.bank_reference = f"MKT-{n + 1:06d}"
        if status == OrderStatus.pending and method == PaymentMethod.card:
            order.expires_at = placed + timedelta(minutes=30)
        self.s.add(order)
        await self.s.flush()
        oid = order.order_id
        items = []
        for product, quantity, price, share in zip(
            lines, quantities, prices, line_discounts, strict=True
        ):
            item = OrderItem(
                order_id=oid,
                product_id=product.product_id,
                seller_id=product.seller_id,
                product_name=product.name,
                quantity=quantity,
                price=price,
                discount_amount=share,
                created_at=placed,
            )
            self.s.add(item)
            items.append(item)
            self.ledger.add(
                product.product_id, placed, -quantity, InventoryReference.order, oid, by
            )
            product.sold_count += quantity
        await self.s.flush()
        self.audit(
            "order",
            oid,
            "create",
            placed,
            by,
            new={
                "order_status": "pending",
                "total_amount": str(order.total_amount),
                "payment_method": method.value,
            },
        )
        if coupon is not None:
            self.s.add(
                OrderCoupon(
                    order_id=oid,
                    coupon_id=coupon.coupon_id,
                    user_id=by,
                    discount_amount=discount,
                    created_at=placed,
                )
            )
            coupon.uses_count += 1
            self.audit(
                "coupon",
                coupon.coupon_id,
                "update",
                placed,
                by,
                old={"uses_count": coupon.uses_count - 1},
                new={"uses_count": coupon.uses_count},
            )

        provider_name = {
            PaymentMethod.card: "stripe",
            PaymentMethod.paypal: "paypal",
            PaymentMethod.cod: "cod",
            PaymentMethod.bank_transfer: "bank_transfer",
        }[method]
        payment = Payment(
            order_id=oid,
            amount=order.total_amount,
            provider=provider_name,
            status=PaymentStatus.pending,
            created_at=placed,
            transaction_ref=order.bank_reference,
        )
        self.s.add(payment)
        await self.s.flush()
        self.audit("payment", payment.payment_id, "create", placed, by, new={"status": "pending"})

        def set_status(new: OrderStatus, at: datetime, actor: int | None) -> None:
            self.audit(
                "order",
                oid,
                "status_change",
                at,
                actor,
                old={"order_status": order.order_status.value},
                new={"order_status": new.value},
            )
            order.order_status, order.updated_at = new, at

        def pay(at: datetime, actor: int | None) -> None:
            ref = {
                PaymentMethod.card: f"ch_demo_{n:04d}",
                PaymentMethod.paypal: f"PAYID-DEMO{n:04d}",
                PaymentMethod.cod: f"cod-{oid}",
            }.get(method, order.bank_reference)
            payment.status, payment.transaction_ref, payment.updated_at = (
                PaymentStatus.successful,
                ref,
                at,
            )
            if method == PaymentMethod.card:
                payment.telegram_charge_id = f"tg_demo_{n:04d}"
            self.audit(
                "payment",
                payment.payment_id,
                "status_change",
                at,
                actor,
                old={"status": "pending"},
                new={"status": "successful"},
            )
            self.audit(
                "order",
                oid,
                "status_change",
                at,
                actor,
                old={"payment_status": "pending"},
                new={"payment_status": "paid"},
            )
            order.payment_status = OrderPaymentStatus.paid

        if status == OrderStatus.pending:
            return
        if status == OrderStatus.cancelled:
            at = placed + timedelta(hours=2)
            if n % 2:  # paid, then cancelled by the customer before shipping: refunded
                pay(placed + timedelta(minutes=5), None)
                set_status(OrderStatus.paid, placed + timedelta(minutes=5), None)
                await self._refund(
                    payment, order, order.total_amount, None, at, by, "Cancelled before shipment"
                )
                order.payment_status = OrderPaymentStatus.refunded
            else:  # the card was declined; the order was cancelled
                payment.status, payment.failure_reason = PaymentStatus.failed, "card_declined"
                self.audit(
                    "payment",
                    payment.payment_id,
                    "status_change",
                    at,
                    None,
                    old={"status": "pending"},
                    new={"status": "failed", "reason": "card_declined"},
                )
                order.payment_status = OrderPaymentStatus.failed
            set_status(OrderStatus.cancelled, at, by)
            for item in items:
                self.ledger.add(
                    item.product_id, at, item.quantity, InventoryReference.cancellation, oid, by
                )
                next(
                    p for p in lines if p.product_id == item.product_id
                ).sold_count -= item.quantity
            return

        paid_at = placed + timedelta(minutes=3)
        if method != PaymentMethod.cod:
            pay(paid_at, admin.user_id if method == PaymentMethod.bank_transfer else None)
            set_status(OrderStatus.paid, paid_at, None)
        by_seller: dict[int, list[OrderItem]] = defaultdict(list)
        for item in items:
            by_seller[item.seller_id].append(item)
        steps = {
            OrderStatus.paid: [TrackingStatus.order_received],
            OrderStatus.shipped: [
                TrackingStatus.order_received,
                TrackingStatus.packed,
                TrackingStatus.shipped,
                TrackingStatus.in_transit,
            ],
        }.get(status, list(TrackingStatus)[:-1])
        for k, seller_id in enumerate(sorted(by_seller)):
            shipment = Shipment(
                order_id=oid,
                seller_id=seller_id,
                provider_id=provider.provider_id,
                status=ShipmentStatus.pending,
                created_at=paid_at,
            )
            self.s.add(shipment)
            await self.s.flush()
            t = paid_at
            for step in steps:
                t += timedelta(hours=6)
                if step == TrackingStatus.shipped:
                    shipment.tracking_number = f"{provider.name[:2].upper()}{oid:05d}{k}"
                    shipment.shipped_at, shipment.status = t, ShipmentStatus.in_transit
                if step == TrackingStatus.delivered:
                    shipment.delivered_at, shipment.status = t, ShipmentStatus.delivered
                self.s.add(
                    DeliveryTracking(
                        shipment_id=shipment.shipment_id,
                        status=step,
                        updated_at=t,
                        location=None
                        if step in (TrackingStatus.order_received, TrackingStatus.packed)
                        else address.city,
                        remarks=step.value.replace("_", " ").capitalize(),
                        source="seller"
                        if step
                        in (
                            TrackingStatus.order_received,
                            TrackingStatus.packed,
                            TrackingStatus.shipped,
                        )
                        else "provider_poll",
                    )
                )
                self.audit(
                    "shipment",
                    shipment.shipment_id,
                    "status_change",
                    t,
                    None,
                    new={"milestone": step.value},
                )
            shipment.updated_at = t
        if status == OrderStatus.paid:
            return
        shipped_at = paid_at + timedelta(hours=18)
        set_status(OrderStatus.shipped, shipped_at, None)
        if status == OrderStatus.shipped:
            return
        delivered_at = paid_at + timedelta(hours=6 * len(steps))
        set_status(OrderStatus.delivered, delivered_at, None)
        if method == PaymentMethod.cod:
            pay(delivered_at, None)
        for product in lines:
            rating = 3 + (n + product.product_id) % 3
            self.s.add(
                Review(
                    product_id=product.product_id,
                    user_id=by,
                    rating=rating,
                    comment=[
                        "Does the job.",
                        "Good value, arrived quickly.",
                        "Excellent, would buy again!",
                    ][rating - 3],
                    created_at=delivered_at + timedelta(days=1),
                )
            )
            product.review_count += 1
            product.rating_sum += rating
        if status == OrderStatus.returned:
            item = items[0]
            at = delivered_at + timedelta(days=2)
            ret = Return(
                order_id=oid,
                user_id=by,
                seller_id=item.seller_id,
                status=ReturnStatus.requested,
                reason="Wrong size",
                created_at=at,
            )
            self.s.add(ret)
            await self.s.flush()
            self.s.add(
                ReturnItem(
                    return_id=ret.return_id,
                    order_item_id=item.order_item_id,
                    quantity=item.quantity,
                )
            )
            seller_owner = await self.s.scalar(
                select(Seller.user_id).where(Seller.seller_id == item.seller_id)
            )
            self.audit("return", ret.return_id, "create", at, by, new={"status": "requested"})
            ret.status = ReturnStatus.approved
            self.audit(
                "return",
                ret.return_id,
                "status_change",
                at + timedelta(hours=5),
                seller_owner,
                old={"status": "requested"},
                new={"status": "approved"},
            )
            refund_amount = item.price * item.quantity - item.discount_amount
            await self._refund(
                payment,
                order,
                refund_amount,
                ret,
                at + timedelta(days=1),
                seller_owner,
                "Return approved",
            )
            ret.status, ret.refund_amount, ret.resolution_note = (
                ReturnStatus.refunded,
                refund_amount,
                "Refunded",
            )
            item.refunded_quantity = item.quantity
            self.ledger.add(
                item.product_id,
                at + timedelta(days=1),
                item.quantity,
                InventoryReference.ret,
                ret.return_id,
                seller_owner,
            )
            lines[0].sold_count -= item.quantity
            order.payment_status = (
                OrderPaymentStatus.refunded
                if refund_amount == order.total_amount
                else OrderPaymentStatus.partially_refunded
            )
            set_status(OrderStatus.returned, at + timedelta(days=1), seller_owner)

    async def _refund(
        self,
        payment: Payment,
        order: Order,
        amount: Decimal,
        ret: Return | None,
        at: datetime,
        by: int | None,
        reason: str,
    ) -> None:
        refund = Refund(
            payment_id=payment.payment_id,
            return_id=None if ret is None else ret.return_id,
            amount=amount,
            status=RefundStatus.succeeded,
            provider_ref=f"re_demo_{payment.payment_id}",
            reason=reason,
            created_by=by,
            created_at=at,
        )
        self.s.add(refund)
        payment.refunded_amount += amount
        old = payment.status.value
        if payment.refunded_amount == payment.amount:
            payment.status = PaymentStatus.refunded
        await self.s.flush()
        self.audit(
            "payment",
            payment.payment_id,
            "status_change",
            at,
            by,
            old={"status": old, "refunded_amount": str(payment.refunded_amount - amount)},
            new={"status": payment.status.value, "refunded_amount": str(payment.refunded_amount)},
        )
        self.audit("order", order.order_id, "update", at, by, new={"refund": str(amount)})

    async def _payout(self, seller: Seller, admin: User) -> None:
        """Pay out the seller's delivered lines that are past the return window."""
        window = self.now - timedelta(days=14)
        rows = (
            (
                await self.s.execute(
                    select(OrderItem)
                    .join(Order, Order.order_id == OrderItem.order_id)
                    .join(
                        Shipment,
                        (Shipment.order_id == OrderItem.order_id)
                        & (Shipment.seller_id == OrderItem.seller_id),
                    )
                    .where(
                        OrderItem.seller_id == seller.seller_id,
                        Order.order_status == OrderStatus.delivered,
                        Shipment.status == ShipmentStatus.delivered,
                        Shipment.delivered_at < window,
                        OrderItem.payout_id.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        gross = sum((r.price * r.quantity - r.discount_amount for r in rows), ZERO)
        commission = money(gross * COMMISSION)
        payout = Payout(
            seller_id=seller.seller_id,
            gross_amount=gross,
            commission_amount=commission,
            refunds_amount=ZERO,
            amount=gross - commission,
            status=PayoutStatus.paid,
            period_start=self.ago(60),
            period_end=window,
            payout_date=self.ago(13),
            reference=f"BANK-DEMO-{seller.seller_id:04d}",
            created_at=self.ago(13),
        )
        self.s.add(payout)
        await self.s.flush()
        for r in rows:
            r.payout_id = payout.payout_id
        self.audit(
            "payout",
            payout.payout_id,
            "create",
            self.ago(13),
            admin.user_id,
            new={"amount": str(payout.amount), "status": "paid"},
        )

    async def _carts_and_wishlists(self, customers: list[User], products: list[Product]) -> None:
        for n, customer in enumerate(customers[:3]):
            cart = Cart(user_id=customer.user_id, created_at=self.ago(2), updated_at=self.ago(1))
            wishlist = Wishlist(user_id=customer.user_id, created_at=self.ago(30))
            self.s.add_all([cart, wishlist])
            await self.s.flush()
            for product in products[10 + n * 7 : 12 + n * 7]:
                self.s.add(
                    CartItem(
                        cart_id=cart.cart_id,
                        product_id=product.product_id,
                        quantity=1,
                        price=product.discount_price or product.price,
                    )
                )
            for product in products[40 + n * 5 : 43 + n * 5]:
                self.s.add(
                    WishlistItem(wishlist_id=wishlist.wishlist_id, product_id=product.product_id)
                )

    # --- stock ------------------------------------------------------------------------------
    async def _inventory(self, products: list[Product]) -> None:
        """Give every product an opening stock, then write its movements in time order."""
        sold_out = set(range(3, len(products), 11))
        for n, product in enumerate(products):
            moves = sorted(self.ledger.moves[product.product_id])
            # the opening stock must cover every movement at every moment
            low, running = 0, 0
            for move in moves:
                running += move[2]
                low = min(low, running)
            final_wanted = 0 if n in sold_out else self.rng.choice([2, 4, 7, 12, 18, 25, 40, 60])
            opening = max(-low, final_wanted - running, 1)
            stock = opening
            self.s.add(
                InventoryLog(
                    product_id=product.product_id,
                    change_type=InventoryChangeType.stock_in,
                    quantity=opening,
                    stock_after=stock,
                    reference_type=InventoryReference.initial.value,
                    created_at=product.created_at,
                )
            )
            for at, kind, delta, ref, ref_id, by in moves:
                stock += delta
                self.s.add(
                    InventoryLog(
                        product_id=product.product_id,
                        change_type=kind,
                        quantity=delta,
                        stock_after=stock,
                        reference_type=ref,
                        reference_id=ref_id,
                        created_by=by,
                        created_at=at,
                    )
                )
            if stock > final_wanted:  # sell-down to the wanted level as one adjustment
                at = self.ago(1)
                self.s.add(
                    InventoryLog(
                        product_id=product.product_id,
                        change_type=InventoryChangeType.adjustment,
                        quantity=final_wanted - stock,
                        stock_after=final_wanted,
                        reference_type=InventoryReference.manual.value,
                        reason="Stock count after inventory check",
                        created_at=at,
                    )
                )
                stock = final_wanted
            product.stock_quantity = stock
            if stock == 0 and product.status == ProductStatus.active:
                product.status = ProductStatus.out_of_stock

    # --- images -----------------------------------------------------------------------------
    def _image(self, relative: str, label: str, n: int) -> None:
        target = self.media_dir / relative
        if target.exists():
            return
        from PIL import Image, ImageDraw, ImageFont

        target.parent.mkdir(parents=True, exist_ok=True)
        hue = (n * 47) % 360
        background = _hsv(hue, 0.35, 0.95)
        accent = _hsv(hue, 0.7, 0.55)
        image = Image.new("RGB", (480, 480), background)
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((40, 40, 440, 440), radius=36, outline=accent, width=8)
        font = ImageFont.load_default(size=34)
        words, rows, row = label.split(), [], ""
        for word in words:
            if len(row) + len(word) > 14 and row:
                rows.append(row)
                row = word
            else:
                row = f"{row} {word}".strip()
        rows.append(row)
        y = 240 - 22 * len(rows)
        for text_row in rows:
            width = draw.textlength(text_row, font=font)
            draw.text(((480 - width) / 2, y), text_row, fill=accent, font=font)
            y += 44
        image.save(target, format="PNG", optimize=True)


def _hsv(hue: int, saturation: float, value: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(hue / 360, saturation, value)
    return int(r * 255), int(g * 255), int(b * 255)


SANDBOX_PROVIDER = "Sandbox Express (simulated)"


async def ensure_sandbox_provider(
    sessions: async_sessionmaker[AsyncSession], api_endpoint: str
) -> int:
    """The sandbox's simulated shipping provider, pointed at this run's simulator (its port
    changes between runs); returns its id."""
    async with sessions() as s, s.begin():
        row = await s.scalar(
            select(ShippingProvider).where(ShippingProvider.name == SANDBOX_PROVIDER)
        )
        if row is None:
            row = ShippingProvider(
                name=SANDBOX_PROVIDER, shipping_cost=money("3.00"), estimated_days=1
            )
            s.add(row)
        row.api_endpoint = api_endpoint
        await s.flush()
        return row.provider_id
