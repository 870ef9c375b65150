"""The marketplace schema: one typed SQLAlchemy model per table of the design document.

Sections follow `../shared/spec/marketplace-design.md`. Table names are the design's names in
snake_case (`CartItems` -> `cart_items`); column names and enum values are the design's.
Everything added beyond the design is listed with its reason in docs/schema.md.

Rules live in the database: CHECK constraints for amounts, quantities and ratings, UNIQUE
constraints for identities, foreign keys with a deliberate ON DELETE, and an index on every
foreign key and browse filter. Constraint names come from `NAMING_CONVENTION`, so migrations
and tests can refer to them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import Money, UTCDateTime, enum_column
from storage.vocabulary import (
    AddressType,
    CouponStatus,
    DiscountType,
    InventoryChangeType,
    OrderPaymentStatus,
    OrderStatus,
    OutboxChannel,
    OutboxStatus,
    PaymentMethod,
    PaymentStatus,
    PayoutStatus,
    ProductStatus,
    ProviderStatus,
    RefundStatus,
    ReturnStatus,
    SellerStatus,
    ShipmentStatus,
    SupportStatus,
    TrackingStatus,
    UpdateStatus,
    UserRole,
    UserStatus,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT ids; on SQLite only INTEGER PRIMARY KEY auto-increments, so it is INTEGER there.
ID = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def pk() -> Mapped[int]:
    return mapped_column(ID, primary_key=True, autoincrement=True)


def fk(target: str, *, ondelete: str, nullable: bool = False) -> Mapped[Any]:
    """A BIGINT foreign key with an explicit ON DELETE and its own index."""
    return mapped_column(ID, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


def created_at() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, server_default=func.now(), nullable=False)


def updated_at() -> Mapped[datetime]:
    return mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now(), nullable=False
    )


def money_col(*, nullable: bool = False, default: Decimal | None = None) -> Mapped[Any]:
    server_default = None if default is None else text("0")
    return mapped_column(Money(), nullable=nullable, default=default, server_default=server_default)


def count(*, default: int = 0) -> Mapped[int]:
    return mapped_column(Integer, nullable=False, default=default, server_default=str(default))


# --- 1. Users -----------------------------------------------------------------------------
class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_role_status", "role", "status"),)

    user_id: Mapped[int] = pk()
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)  # added
    username: Mapped[str | None] = mapped_column(String(64))  # added: Telegram @username
    language_code: Mapped[str | None] = mapped_column(String(16))  # added
    # added: the language chosen in the profile; None follows Telegram's (language_code)
    chosen_language: Mapped[str | None] = mapped_column(String(16))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(150), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(
        enum_column(UserRole, "user_role"), nullable=False, default=UserRole.customer
    )
    status: Mapped[UserStatus] = mapped_column(
        enum_column(UserStatus, "user_status"), nullable=False, default=UserStatus.active
    )
    status_reason: Mapped[str | None] = mapped_column(Text)  # added: why banned/inactive
    reminders_opt_out: Mapped[bool] = mapped_column(  # added: abandoned-cart reminders
        Boolean, nullable=False, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- 2. Addresses -------------------------------------------------------------------------
class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = (
        # at most one default address per user and type
        Index(
            "uq_addresses_one_default",
            "user_id",
            "type",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    address_id: Mapped[int] = pk()
    user_id: Mapped[int] = fk("users.user_id", ondelete="CASCADE")
    type: Mapped[AddressType] = mapped_column(
        enum_column(AddressType, "address_type"), nullable=False, default=AddressType.shipping
    )
    recipient_name: Mapped[str | None] = mapped_column(String(200))  # added
    phone: Mapped[str | None] = mapped_column(String(20))  # added: courier contact
    street: Mapped[str] = mapped_column(String(255), nullable=False)
    city: Mapped[str] = mapped_column(String(100), nullable=False)
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(100), nullable=False)
    postal_code: Mapped[str | None] = mapped_column(String(20))
    is_default: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- 3. Categories ------------------------------------------------------------------------
class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (CheckConstraint("parent_id <> category_id", name="not_own_parent"),)

    category_id: Mapped[int] = pk()
    parent_id: Mapped[int | None] = fk("categories.category_id", ondelete="RESTRICT", nullable=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    slug: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- 4. Products (the later definition, with seller_id) ----------------------------------
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            "discount_price IS NULL OR (discount_price >= 0 AND discount_price < price)",
            name="discount_below_price",
        ),
        CheckConstraint("stock_quantity >= 0", name="stock_not_negative"),
        CheckConstraint("review_count >= 0 AND rating_sum >= 0", name="rating_totals_not_negative"),
        CheckConstraint(
            "rating_sum BETWEEN review_count AND 5 * review_count", name="rating_sum_in_range"
        ),
        CheckConstraint("sold_count >= 0", name="sold_count_not_negative"),
        Index("ix_products_status_category_id", "status", "category_id"),
        Index("ix_products_updated_at", "updated_at"),  # search's cheap "catalog changed?"
    )

    product_id: Mapped[int] = pk()
    seller_id: Mapped[int] = fk("sellers.seller_id", ondelete="RESTRICT")
    category_id: Mapped[int] = fk("categories.category_id", ondelete="RESTRICT")
    name: Mapped[str] = mapped_column(String(150), nullable=False)
    slug: Mapped[str] = mapped_column(String(160), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(Money(), nullable=False, index=True)
    discount_price: Mapped[Decimal | None] = money_col(nullable=True)
    stock_quantity: Mapped[int] = count()
    sku: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    status: Mapped[ProductStatus] = mapped_column(
        enum_column(ProductStatus, "product_status"),
        nullable=False,
        default=ProductStatus.active,
        index=True,
    )
    review_count: Mapped[int] = count()  # added: kept with each review, for browse sorts
    rating_sum: Mapped[int] = count()  # added: average = rating_sum / review_count, exact
    sold_count: Mapped[int] = count()  # added: popularity sort
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- 5. Product Images --------------------------------------------------------------------
class ProductImage(Base):
    __tablename__ = "product_images"
    __table_args__ = (
        Index(
            "uq_product_images_one_primary",
            "product_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    image_id: Mapped[int] = pk()
    product_id: Mapped[int] = fk("products.product_id", ondelete="CASCADE")
    url: Mapped[str | None] = mapped_column(String(255))
    alt_text: Mapped[str | None] = mapped_column(String(150))
    is_primary: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    position: Mapped[int] = count()  # added: gallery order
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))  # added: upload once
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(64))  # added
    created_at: Mapped[datetime] = created_at()


# --- 6. Shopping Cart ---------------------------------------------------------------------
class Cart(Base):
    __tablename__ = "cart"

    cart_id: Mapped[int] = pk()
    user_id: Mapped[int] = mapped_column(
        ID, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False, unique=True
    )
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # added
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )

    cart_item_id: Mapped[int] = pk()
    cart_id: Mapped[int] = fk("cart.cart_id", ondelete="CASCADE")
    product_id: Mapped[int] = fk("products.product_id", ondelete="CASCADE")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    price: Mapped[Decimal] = money_col()  # snapshot of product price
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()  # added


# --- 7. Orders ----------------------------------------------------------------------------
class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "subtotal_amount >= 0 AND discount_amount >= 0 AND shipping_amount >= 0",
            name="amounts_not_negative",
        ),
        CheckConstraint(
            "discount_amount <= subtotal_amount + shipping_amount", name="discount_within_total"
        ),
        CheckConstraint(
            "total_amount = subtotal_amount - discount_amount + shipping_amount",
            name="total_adds_up",
        ),
        Index("ix_orders_order_status_created_at", "order_status", "created_at"),
    )

    order_id: Mapped[int] = pk()
    user_id: Mapped[int] = fk("users.user_id", ondelete="RESTRICT")
    address_id: Mapped[int | None] = fk("addresses.address_id", ondelete="SET NULL", nullable=True)
    shipping_provider_id: Mapped[int | None] = fk(  # added: chosen at checkout
        "shipping_providers.provider_id", ondelete="RESTRICT", nullable=True
    )
    order_status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus, "order_status"), nullable=False, default=OrderStatus.pending
    )
    subtotal_amount: Mapped[Decimal] = money_col()  # added: Σ line price × quantity
    discount_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added: coupon
    shipping_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added
    total_amount: Mapped[Decimal] = money_col()
    currency: Mapped[str] = mapped_column(  # added
        String(3), nullable=False, default="USD", server_default="USD"
    )
    payment_status: Mapped[OrderPaymentStatus] = mapped_column(
        enum_column(OrderPaymentStatus, "order_payment_status"),
        nullable=False,
        default=OrderPaymentStatus.pending,
    )
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_column(PaymentMethod, "payment_method"), nullable=False
    )
    address_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # added
    checkout_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # added
    bank_reference: Mapped[str | None] = mapped_column(String(32), unique=True)  # added
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # added: unpaid expiry
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            "discount_amount >= 0 AND discount_amount <= price * quantity",
            name="discount_within_line",
        ),
        CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity",
            name="refunded_quantity_in_range",
        ),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= price * quantity - discount_amount",
            name="refund_within_line",
        ),
        Index("ix_order_items_seller_id_order_id", "seller_id", "order_id"),
    )

    order_item_id: Mapped[int] = pk()
    order_id: Mapped[int] = fk("orders.order_id", ondelete="CASCADE")
    product_id: Mapped[int] = fk("products.product_id", ondelete="RESTRICT")
    seller_id: Mapped[int] = fk("sellers.seller_id", ondelete="RESTRICT")  # added
    product_name: Mapped[str] = mapped_column(String(150), nullable=False)  # added: snapshot
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    price: Mapped[Decimal] = money_col()  # locked price at purchase
    discount_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added: coupon share
    refunded_quantity: Mapped[int] = count()  # added: returned and refunded units
    refunded_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added
    payout_id: Mapped[int | None] = fk(  # added: paid out at most once
        "payouts.payout_id", ondelete="RESTRICT", nullable=True
    )
    created_at: Mapped[datetime] = created_at()


# --- 8. Payments --------------------------------------------------------------------------
class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "transaction_ref"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="refund_within_amount"
        ),
    )

    payment_id: Mapped[int] = pk()
    order_id: Mapped[int] = fk("orders.order_id", ondelete="RESTRICT")
    amount: Mapped[Decimal] = money_col()
    currency: Mapped[str] = mapped_column(  # added
        String(3), nullable=False, default="USD", server_default="USD"
    )
    provider: Mapped[str] = mapped_column(String(50), nullable=False)  # Stripe, PayPal, bKash…
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "payment_status"), nullable=False, default=PaymentStatus.pending
    )
    transaction_ref: Mapped[str | None] = mapped_column(String(255))
    telegram_charge_id: Mapped[str | None] = mapped_column(String(255))  # added
    refunded_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added
    failure_reason: Mapped[str | None] = mapped_column(Text)  # added
    # added: a payment sheet was let through pre-checkout and may still be charged until then
    in_flight_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()  # added


# --- 9. Reviews & Ratings -----------------------------------------------------------------
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("product_id", "user_id"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_1_to_5"),
    )

    review_id: Mapped[int] = pk()
    product_id: Mapped[int] = fk("products.product_id", ondelete="CASCADE")
    user_id: Mapped[int] = fk("users.user_id", ondelete="CASCADE")
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()  # added: reviews are editable


# --- 10. Wishlists ------------------------------------------------------------------------
class Wishlist(Base):
    __tablename__ = "wishlists"

    wishlist_id: Mapped[int] = pk()
    user_id: Mapped[int] = mapped_column(
        ID, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False, unique=True
    )
    created_at: Mapped[datetime] = created_at()


class WishlistItem(Base):
    __tablename__ = "wishlist_items"
    __table_args__ = (UniqueConstraint("wishlist_id", "product_id"),)

    id: Mapped[int] = pk()
    wishlist_id: Mapped[int] = fk("wishlists.wishlist_id", ondelete="CASCADE")
    product_id: Mapped[int] = fk("products.product_id", ondelete="CASCADE")
    created_at: Mapped[datetime] = created_at()


# --- Coupons / Discounts ------------------------------------------------------------------
class Coupon(Base):
    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint("discount_value >= 0", name="value_not_negative"),
        # Money is stored as cents on SQLite, so the literal 100 (%) differs per database.
        CheckConstraint(
            "discount_type <> 'percentage' OR discount_value <= 100", name="percentage_at_most_100"
        ).ddl_if(dialect="postgresql"),
        CheckConstraint(
            "discount_type <> 'percentage' OR discount_value <= 10000",
            name="percentage_at_most_100",
        ).ddl_if(dialect="sqlite"),
        CheckConstraint(
            "min_order_amount IS NULL OR min_order_amount >= 0", name="min_order_not_negative"
        ),
        CheckConstraint("max_uses IS NULL OR max_uses > 0", name="max_uses_positive"),
        CheckConstraint(
            "uses_count >= 0 AND (max_uses IS NULL OR uses_count <= max_uses)",
            name="uses_within_max",
        ),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name="dates_in_order",
        ),
    )

    coupon_id: Mapped[int] = pk()
    code: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    discount_type: Mapped[DiscountType] = mapped_column(
        enum_column(DiscountType, "discount_type"), nullable=False
    )
    discount_value: Mapped[Decimal] = money_col(default=Decimal("0.00"))
    min_order_amount: Mapped[Decimal | None] = money_col(nullable=True)
    max_uses: Mapped[int | None] = mapped_column(Integer)  # NULL: unlimited
    uses_count: Mapped[int] = count()
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CouponStatus] = mapped_column(
        enum_column(CouponStatus, "coupon_status"), nullable=False, default=CouponStatus.active
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class OrderCoupon(Base):
    """The coupon an order took. A cancelled or expired order gives its use back: the row
    stays (the order's cards still name the code) with `released_at` set, and no longer
    counts as a use."""

    __tablename__ = "order_coupons"
    __table_args__ = (
        UniqueConstraint("order_id"),  # one coupon per order (a released row stays its order's)
        Index(  # at most one use per customer; a released use does not count
            "uq_order_coupons_coupon_id_user_id",
            "coupon_id",
            "user_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        CheckConstraint("discount_amount >= 0", name="discount_not_negative"),
    )

    id: Mapped[int] = pk()
    order_id: Mapped[int] = fk("orders.order_id", ondelete="CASCADE")
    coupon_id: Mapped[int] = fk("coupons.coupon_id", ondelete="RESTRICT")
    user_id: Mapped[int] = fk("users.user_id", ondelete="RESTRICT")  # added
    discount_amount: Mapped[Decimal] = money_col()
    created_at: Mapped[datetime] = created_at()
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # added: given back


# --- Inventory Logs -----------------------------------------------------------------------
class InventoryLog(Base):
    """One signed stock movement. Σ quantity over a product's logs = its stock_quantity."""

    __tablename__ = "inventory_logs"
    __table_args__ = (
        CheckConstraint(
            "(change_type = 'in' AND quantity > 0) OR (change_type = 'out' AND quantity < 0)"
            " OR (change_type = 'adjustment' AND quantity <> 0)",
            name="quantity_sign_matches_type",
        ),
        CheckConstraint("stock_after >= 0", name="stock_after_not_negative"),
        Index("ix_inventory_logs_reference", "reference_type", "reference_id"),
        Index("ix_inventory_logs_product_id_created_at", "product_id", "created_at"),
    )

    log_id: Mapped[int] = pk()
    product_id: Mapped[int] = fk("products.product_id", ondelete="RESTRICT")
    change_type: Mapped[InventoryChangeType] = mapped_column(
        enum_column(InventoryChangeType, "inventory_change_type"), nullable=False
    )
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    stock_after: Mapped[int] = mapped_column(Integer, nullable=False)  # added
    reference_id: Mapped[int | None] = mapped_column(BigInteger)
    reference_type: Mapped[str] = mapped_column(String(50), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)  # added: why a manual adjustment
    created_by: Mapped[int | None] = fk("users.user_id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = created_at()


# --- Seller Accounts ----------------------------------------------------------------------
class Seller(Base):
    __tablename__ = "sellers"
    __table_args__ = (
        CheckConstraint(
            "commission_bps IS NULL OR (commission_bps >= 0 AND commission_bps <= 10000)",
            name="commission_in_range",
        ),
    )

    seller_id: Mapped[int] = pk()
    user_id: Mapped[int] = mapped_column(
        ID, ForeignKey("users.user_id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    store_name: Mapped[str] = mapped_column(String(150), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    logo_url: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[SellerStatus] = mapped_column(
        enum_column(SellerStatus, "seller_status"),
        nullable=False,
        default=SellerStatus.pending,
        index=True,
    )
    status_reason: Mapped[str | None] = mapped_column(Text)  # added: rejection/suspension
    commission_bps: Mapped[int | None] = mapped_column(Integer)  # added: per-seller override
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # added
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- Shipping Providers & Tracking --------------------------------------------------------
class ShippingProvider(Base):
    __tablename__ = "shipping_providers"
    __table_args__ = (
        CheckConstraint("shipping_cost >= 0", name="cost_not_negative"),
        CheckConstraint("estimated_days IS NULL OR estimated_days >= 0", name="days_not_negative"),
    )

    provider_id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    contact_email: Mapped[str | None] = mapped_column(String(150))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    api_endpoint: Mapped[str | None] = mapped_column(String(255))
    shipping_cost: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added
    estimated_days: Mapped[int | None] = mapped_column(Integer)  # added
    tracking_url_template: Mapped[str | None] = mapped_column(String(255))  # added
    pickup_address: Mapped[str | None] = mapped_column(String(255))  # added: a pickup point
    status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus, "provider_status"),
        nullable=False,
        default=ProviderStatus.active,
    )
    created_at: Mapped[datetime] = created_at()


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "seller_id"),  # one shipment per seller of an order
        UniqueConstraint("provider_id", "tracking_number"),
        Index("ix_shipments_status", "status"),
    )

    shipment_id: Mapped[int] = pk()
    order_id: Mapped[int] = fk("orders.order_id", ondelete="RESTRICT")
    seller_id: Mapped[int] = fk("sellers.seller_id", ondelete="RESTRICT")  # added
    provider_id: Mapped[int] = fk("shipping_providers.provider_id", ondelete="RESTRICT")
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[ShipmentStatus] = mapped_column(
        enum_column(ShipmentStatus, "shipment_status"),
        nullable=False,
        default=ShipmentStatus.pending,
    )
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- Audit Logs ---------------------------------------------------------------------------
class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_entity", "entity_type", "entity_id"),
        Index("ix_audit_logs_created_at", "created_at"),
    )

    audit_id: Mapped[int] = pk()
    entity_type: Mapped[str] = mapped_column(String(50), nullable=False)
    entity_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    old_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changed_by: Mapped[int | None] = fk("users.user_id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = created_at()


# --- Delivery Tracking --------------------------------------------------------------------
class DeliveryTracking(Base):
    __tablename__ = "delivery_tracking"

    tracking_id: Mapped[int] = pk()
    shipment_id: Mapped[int] = fk("shipments.shipment_id", ondelete="CASCADE")
    status: Mapped[TrackingStatus] = mapped_column(
        enum_column(TrackingStatus, "tracking_status"), nullable=False
    )
    location: Mapped[str | None] = mapped_column(String(255))
    remarks: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(  # added: seller, provider_poll, provider_push
        String(20), nullable=False, default="seller", server_default="seller"
    )
    updated_at: Mapped[datetime] = updated_at()


# --- Payouts (from the ER diagram) --------------------------------------------------------
class Payout(Base):
    __tablename__ = "payouts"
    __table_args__ = (
        UniqueConstraint("seller_id", "period_start", "period_end"),
        CheckConstraint(
            "gross_amount >= 0 AND commission_amount >= 0 AND refunds_amount >= 0",
            name="parts_not_negative",
        ),
        CheckConstraint(
            "amount = gross_amount - commission_amount - refunds_amount", name="amount_adds_up"
        ),
        CheckConstraint("period_end > period_start", name="period_in_order"),
    )

    payout_id: Mapped[int] = pk()
    seller_id: Mapped[int] = fk("sellers.seller_id", ondelete="RESTRICT")
    amount: Mapped[Decimal] = money_col()
    gross_amount: Mapped[Decimal] = money_col()  # added: statement lines
    commission_amount: Mapped[Decimal] = money_col()  # added
    refunds_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))  # added
    currency: Mapped[str] = mapped_column(  # added
        String(3), nullable=False, default="USD", server_default="USD"
    )
    status: Mapped[PayoutStatus] = mapped_column(
        enum_column(PayoutStatus, "payout_status"), nullable=False, default=PayoutStatus.pending
    )
    period_start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # added
    period_end: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # added
    payout_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reference: Mapped[str | None] = mapped_column(String(255))  # added: bank/provider ref
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- Returns and refunds (the design's "returns/refunds" flow) ----------------------------
class Return(Base):
    """A customer's request to send back items of one seller's part of an order."""

    __tablename__ = "returns"
    __table_args__ = (CheckConstraint("refund_amount >= 0", name="refund_not_negative"),)

    return_id: Mapped[int] = pk()
    order_id: Mapped[int] = fk("orders.order_id", ondelete="RESTRICT")
    user_id: Mapped[int] = fk("users.user_id", ondelete="RESTRICT")
    seller_id: Mapped[int] = fk("sellers.seller_id", ondelete="RESTRICT")
    status: Mapped[ReturnStatus] = mapped_column(
        enum_column(ReturnStatus, "return_status"), nullable=False, default=ReturnStatus.requested
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    refund_amount: Mapped[Decimal] = money_col(default=Decimal("0.00"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class ReturnItem(Base):
    __tablename__ = "return_items"
    __table_args__ = (
        UniqueConstraint("return_id", "order_item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    return_item_id: Mapped[int] = pk()
    return_id: Mapped[int] = fk("returns.return_id", ondelete="CASCADE")
    order_item_id: Mapped[int] = fk("order_items.order_item_id", ondelete="RESTRICT")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)


class Refund(Base):
    """Money given back against one payment (all or part of it)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "provider_ref"),
    )

    refund_id: Mapped[int] = pk()
    payment_id: Mapped[int] = fk("payments.payment_id", ondelete="RESTRICT")
    return_id: Mapped[int | None] = fk("returns.return_id", ondelete="SET NULL", nullable=True)
    amount: Mapped[Decimal] = money_col()
    status: Mapped[RefundStatus] = mapped_column(
        enum_column(RefundStatus, "refund_status"), nullable=False, default=RefundStatus.pending
    )
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = fk("users.user_id", ondelete="SET NULL", nullable=True)
    # who is asking the provider for this refund now (a random token per settle), and since when
    taken_by: Mapped[str | None] = mapped_column(String(40))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = count()  # provider calls made for it (each with the same key)
    created_at: Mapped[datetime] = created_at()


# --- Support requests (added: a customer writes to the shop's team) -----------------------
class SupportRequest(Base):
    """A customer's message to the shop's team (text, or a photo with its caption), and the
    one answer an admin gave it. The customer's Telegram message (`chat_id`, `message_id`) is
    its idempotency key: the same message handled twice is one request."""

    __tablename__ = "support_requests"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        CheckConstraint(
            "(status = 'open' AND answer IS NULL AND answered_at IS NULL)"
            " OR (status = 'answered' AND answer IS NOT NULL AND answered_at IS NOT NULL)",
            name="answered_has_answer",
        ),
        Index("ix_support_requests_status_created_at", "status", "created_at"),
    )

    request_id: Mapped[int] = pk()
    user_id: Mapped[int] = fk("users.user_id", ondelete="CASCADE")
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[SupportStatus] = mapped_column(
        enum_column(SupportStatus, "support_status"), nullable=False, default=SupportStatus.open
    )
    # where the bot showed it to each admin ({"admin_id", "chat_id", "message_id", "lang"}),
    # so that every copy can show the answer once there is one
    copies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = fk("users.user_id", ondelete="SET NULL", nullable=True)
    # the admin's message that answered: the same message handled again is the same answer
    answer_message_id: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# --- Telegram plumbing --------------------------------------------------------------------
class Outbox(Base):
    """A notification someone must receive, written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    outbox_id: Mapped[int] = pk()
    user_id: Mapped[int] = fk("users.user_id", ondelete="CASCADE")
    channel: Mapped[OutboxChannel] = mapped_column(
        enum_column(OutboxChannel, "outbox_channel"),
        nullable=False,
        default=OutboxChannel.telegram,
    )
    kind: Mapped[str] = mapped_column(String(50), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), nullable=False, default=OutboxStatus.pending
    )
    attempts: Mapped[int] = count()
    next_attempt_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, server_default=func.now()
    )
    # the lease's owner: only the dispatcher whose token this is may mark the row sent or failed
    claim_token: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()


class ProcessedUpdate(Base):
    """The inbox of Telegram updates: each one stored before it is acted on, marked done
    once handled, replayed if its worker died in between (bot/inbox.py)."""

    __tablename__ = "processed_updates"
    __table_args__ = (
        CheckConstraint("attempts >= 0 AND effects >= 0", name="counts_not_negative"),
        Index("ix_processed_updates_status_heartbeat_at", "status", "heartbeat_at"),
    )

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # a digest of the update's content: the same id with other content is another update
    # (a new bot token, or an emulator that numbered from 1 again), not a re-delivery
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, server_default="")
    status: Mapped[UpdateStatus] = mapped_column(
        enum_column(UpdateStatus, "update_status"),
        nullable=False,
        default=UpdateStatus.done,
        server_default=UpdateStatus.done.value,
    )
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the raw update until done
    claimed_by: Mapped[str | None] = mapped_column(String(40))  # the worker handling it
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its last sign of life
    attempts: Mapped[int] = count()  # handlings started
    effects: Mapped[int] = count()  # write transactions its handling committed (storage/uow.py)
    processed_at: Mapped[datetime] = created_at()
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConversationState(Base):
    """Where a chat's conversation is (the checkout wizard's step and what it has gathered):
    aiogram's FSM state kept in the database, so a restart does not drop a customer in the
    middle of a step (bot/conversations.py). Redis holds it instead when REDIS_URL is set."""

    __tablename__ = "conversation_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # bot:chat:user[:thread…]
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    updated_at: Mapped[datetime] = updated_at()


# Design table name -> model, in the design document's order (docs/schema.md uses it too).
DESIGN_TABLES: dict[str, type[Base]] = {
    "Users": User,
    "Addresses": Address,
    "Categories": Category,
    "Products": Product,
    "ProductImages": ProductImage,
    "Cart": Cart,
    "CartItems": CartItem,
    "Orders": Order,
    "OrderItems": OrderItem,
    "Payments": Payment,
    "Reviews": Review,
    "Wishlists": Wishlist,
    "WishlistItems": WishlistItem,
    "Coupons": Coupon,
    "OrderCoupons": OrderCoupon,
    "InventoryLogs": InventoryLog,
    "Sellers": Seller,
    "ShippingProviders": ShippingProvider,
    "Shipments": Shipment,
    "AuditLogs": AuditLog,
    "DeliveryTracking": DeliveryTracking,
    "PAYOUTS": Payout,
}
