"""Who and what the demo shop holds: its catalog, stores, customers, couriers, coupons and the
past orders it has seen. bot/demo/seed.py plays them through the engine."""

from __future__ import annotations

from typing import NamedTuple

from storage.vocabulary import DiscountType, OrderStatus, PaymentMethod, SellerStatus

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
BOOK_EDITIONS = ["Hardcover", "Paperback", "Large Print"]
TOP_SELLER = {
    "Fashion": "Urban Threads",
    "Electronics": "SoundWave Audio",
    "Home & Kitchen": "Kitchen & Co",
    "Sports & Outdoors": "PeakGear Outdoors",
    "Books": "Corner Bookshop",
}


class Store(NamedTuple):
    name: str
    owner: str  # the owner's first name
    description: str
    status: SellerStatus  # where the store stands today
    reason: str | None = None  # why it was suspended


STORES = [
    Store(
        "Urban Threads",
        "Maya",
        "Everyday clothing and shoes, shipped from Dhaka.",
        SellerStatus.active,
    ),
    Store(
        "SoundWave Audio",
        "Arif",
        "Headphones, speakers and the cables to go with them.",
        SellerStatus.active,
    ),
    Store(
        "Kitchen & Co",
        "Lena",
        "Cookware, coffee gear and lamps for a cosy home.",
        SellerStatus.active,
    ),
    Store(
        "Corner Bookshop", "Tom", "New and classic books, carefully packed.", SellerStatus.active
    ),
    Store(
        "PeakGear Outdoors",
        "Rafi",
        "Fitness and camping equipment.",
        SellerStatus.suspended,
        "Suspended after repeated late shipments; products hidden until review.",
    ),
    Store(
        "Page Turner Books",
        "Nadia",
        "Second-hand books in good condition. Waiting for approval.",
        SellerStatus.pending,
    ),
]


class Customer(NamedTuple):
    first: str
    last: str
    email: str | None
    phone: str
    street: str
    city: str
    postal_code: str
    country: str


CUSTOMERS = [
    Customer(
        "Sara",
        "Ahmed",
        "sara@example.com",
        "+8801711000001",
        "12 Lake Road",
        "Dhaka",
        "1205",
        "Bangladesh",
    ),
    Customer(
        "John",
        "Miller",
        "john@example.com",
        "+12025550142",
        "450 Pine Street",
        "Portland",
        "97205",
        "United States",
    ),
    Customer(
        "Aisha",
        "Khan",
        "aisha@example.com",
        "+447700900123",
        "8 Mill Lane",
        "Leeds",
        "LS1 4AB",
        "United Kingdom",
    ),
    Customer("Diego", "Ruiz", None, "+34600111222", "Calle Mayor 5", "Madrid", "28013", "Spain"),
]


class Courier(NamedTuple):
    name: str
    cost: str
    days: int
    contact_email: str | None
    tracking_url_template: str | None
    pickup_address: str | None  # a pickup point: customers collect their parcels there


COURIERS = [
    Courier(
        "Speedy Couriers",
        "9.99",
        2,
        "ops@speedy.example",
        "https://track.speedy.example/{number}",
        None,
    ),
    Courier(
        "Standard Post",
        "4.99",
        5,
        "help@post.example",
        "https://post.example/track?id={number}",
        None,
    ),
    Courier(
        "Local Pickup Point", "0.00", 1, None, None, "Market Hall, 3 Station Square, Bath BA1 1SU"
    ),
]


class CouponSpec(NamedTuple):
    code: str
    kind: DiscountType
    value: str
    min_order: str | None
    max_uses: int | None
    start: int  # first and last day, in days from today
    end: int
    description: str
    disabled: bool = False


COUPONS = [
    CouponSpec(
        "WELCOME10", DiscountType.percentage, "10", None, None, -60, 60, "10% off your order"
    ),
    CouponSpec(
        "SAVE5", DiscountType.fixed, "5.00", "50.00", 100, -30, 30, "$5 off orders of $50 or more"
    ),
    CouponSpec("FREESHIP", DiscountType.free_shipping, "0", None, None, -30, 90, "Free shipping"),
    CouponSpec(
        "SUMMER20", DiscountType.percentage, "20", None, None, -200, -100, "Summer sale, over"
    ),
    CouponSpec(
        "LAUNCH15",
        DiscountType.fixed,
        "15.00",
        "60.00",
        2,
        -90,
        90,
        "Launch offer for the first two orders",
    ),
    CouponSpec(
        "STAFFONLY", DiscountType.percentage, "50", None, 10, -10, 10, "Disabled staff coupon", True
    ),
]


class PastOrder(NamedTuple):
    status: OrderStatus  # where it stands today
    method: PaymentMethod
    coupon: str | None
    days_ago: float  # when it was placed
    declined: bool = False  # cancelled because the card was declined (else after paying)


PAST_ORDERS = [
    PastOrder(OrderStatus.delivered, PaymentMethod.card, "WELCOME10", 40),
    PastOrder(OrderStatus.delivered, PaymentMethod.cod, None, 35),
    PastOrder(OrderStatus.delivered, PaymentMethod.card, "LAUNCH15", 30),
    PastOrder(OrderStatus.returned, PaymentMethod.card, None, 25),
    # Sara's (order n goes to CUSTOMERS[n % 4]), delivered days ago: still returnable
    PastOrder(OrderStatus.delivered, PaymentMethod.bank_transfer, "LAUNCH15", 5),
    PastOrder(OrderStatus.shipped, PaymentMethod.card, "FREESHIP", 4),
    PastOrder(OrderStatus.shipped, PaymentMethod.paypal, None, 3),
    PastOrder(OrderStatus.paid, PaymentMethod.card, "SAVE5", 1),
    PastOrder(OrderStatus.paid, PaymentMethod.bank_transfer, None, 2),
    PastOrder(OrderStatus.pending, PaymentMethod.card, None, 0.01),
    PastOrder(OrderStatus.pending, PaymentMethod.bank_transfer, None, 0.5),
    PastOrder(OrderStatus.pending, PaymentMethod.cod, None, 0.2),
    PastOrder(OrderStatus.cancelled, PaymentMethod.card, None, 12, declined=True),
    PastOrder(OrderStatus.cancelled, PaymentMethod.card, None, 8),
]
