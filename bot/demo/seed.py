"""A believable demo marketplace for an empty database: `python -m bot seed-demo`.

The shop is played through the engine's own operations (engine.shop.Shop) under a clock that
starts 400 days ago: the admin signs up, stores apply and are approved, products are listed
with their stock, customers fill carts, check out and pay, sellers ship, couriers deliver,
customers review and return, payouts run. Every row, stock movement, refund and audit entry
is the one the engine writes for that step, so the engine's invariants hold because the
engine kept them. What it cannot do is said where it is done directly (`_Stamped`,
`_mark_told`); the photos and logos are drawn with Pillow (bot/demo/photos.py).

Everything is deterministic (a seeded PRNG picks colours, discounts, order lines and stock
levels). Seeding a database that already holds a shop changes nothing.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Insert, Update, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import flag_modified

from bot.demo.cast import (
    BOOK_EDITIONS,
    COLOURS,
    COUPONS,
    COURIERS,
    CUSTOMERS,
    PAST_ORDERS,
    STORES,
    TOP_SELLER,
    TREE,
    CouponSpec,
    PastOrder,
    Store,
)
from bot.demo.photos import draw_logo, draw_product
from bot.demo.sandbox import SANDBOX_PROVIDER
from engine.accounts import AddressInput, TelegramIdentity
from engine.base import Deps, RefundRequest, RefundResult, Rules
from engine.orders import OrderView
from engine.shop import Shop
from storage.models import Category, Outbox, Product, ShippingProvider, User
from storage.uow import UnitOfWork
from storage.vocabulary import (
    AddressType,
    OrderStatus,
    OutboxStatus,
    PaymentMethod,
    SellerStatus,
    TrackingStatus,
    money,
    slugify,
)

SEED = 2026
DEMO_ADMIN_TELEGRAM_ID = 900_000_001
HIDDEN = 5  # the product its seller took off the shelf
REVIEWS = ["Does the job.", "Good value, arrived quickly.", "Excellent, would buy again!"]
Step = Callable[[], Awaitable[Any]]
CLOCK = "demo_clock"  # the session's info key of the demo's clock
STAMPS = ("created_at", "updated_at")


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession], *, media_dir: Path, rules: Rules | None = None
) -> str:
    """Build the demo shop in an empty database (with the shop's `rules`: its currency,
    commission and return window); a database holding anyone or anything is left alone."""
    async with sessions() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        products = await session.scalar(select(func.count()).select_from(Product))
        demo = await session.scalar(
            select(func.count()).select_from(User).where(User.telegram_id == DEMO_ADMIN_TELEGRAM_ID)
        )
    if demo:
        return "The demo shop is already there; nothing changed."
    if users or products:
        return "The database already holds a shop, so no demo data was added; nothing changed."
    return await _Demo(sessions, media_dir, rules or Rules()).run()


class _Clock:
    """The demo's time: set by the timeline to each step's moment."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _Stamped(Session):
    """A session whose rows carry the demo clock's time.

    Direct step: the models' `created_at` and `updated_at` defaults read the wall clock, not
    the engine's, so without this every past order would be dated today."""


@event.listens_for(_Stamped, "before_flush")
def _stamp(session: Session, _context: object, _instances: object) -> None:
    now = session.info[CLOCK]()
    for row in session.new:
        for column in STAMPS:
            if hasattr(row, column) and getattr(row, column) is None:
                setattr(row, column, now)
    for row in session.dirty:
        if hasattr(row, "updated_at") and session.is_modified(row):
            row.updated_at = now
            flag_modified(row, "updated_at")  # even when unchanged: else the wall clock's


@event.listens_for(_Stamped, "do_orm_execute")
def _stamp_statement(state: ORMExecuteState) -> None:
    """The same for INSERT and UPDATE statements (the user upsert, bulk updates)."""
    if not (state.is_insert or state.is_update):
        return
    statement = cast(Insert | Update, state.statement)
    columns = STAMPS if state.is_insert else STAMPS[1:]
    now = state.session.info[CLOCK]()
    stamps = {c: now for c in columns if c in statement.table.c}
    if stamps:
        state.statement = statement.values(**stamps)


class _DemoRefunds:
    """The card and PayPal providers of the demo's past: a refund asked for is made."""

    async def refund(self, transaction_ref: str, amount: Decimal, currency: str) -> RefundResult:
        raise AssertionError("the engine asks with a key (refund_once)")

    async def refund_once(self, request: RefundRequest) -> RefundResult:
        return RefundResult(provider_ref=f"re_demo_{request.refund_id}")


@dataclass
class _Listing:
    """A product as planned, before the engine lists it."""

    n: int
    store: str
    leaf: str
    name: str
    price: Decimal
    discount: Decimal | None
    listed_at: datetime
    sku: str
    opening: int = 0  # the stock it is listed with
    keep: int = 0  # the stock a count leaves (zero: sold out)
    surplus: int = 0  # what the count takes off the books
    product_id: int = 0


class _Demo:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], media_dir: Path, rules: Rules
    ) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.clock = _Clock(self.ago(400))
        stamped = async_sessionmaker(
            **{**sessions.kw, "sync_session_class": _Stamped, "info": {CLOCK: self.clock}}
        )
        self.sessions = stamped
        demo = _DemoRefunds()
        deps = Deps(
            uow=lambda: UnitOfWork(stamped),
            rules=rules,
            clock=self.clock,
            refunds={"stripe": demo, "paypal": demo},
        )
        self.shop = Shop(deps, admin_ids={DEMO_ADMIN_TELEGRAM_ID}, payment_methods=PaymentMethod)
        self.media_dir = media_dir
        self.rng = random.Random(SEED)
        self._steps: list[tuple[datetime, int, Step]] = []
        self._order = itertools.count()
        self.admin = 0
        self.owners: dict[str, int] = {}  # store -> its owner's user id
        self.stores: dict[str, int] = {}  # store -> seller id
        self.owner_of: dict[int, int] = {}  # seller id -> its owner's user id
        self.leaves: dict[str, int] = {}  # "Top/Middle/Leaf" -> category id
        self.couriers: list[int] = []
        self.customers: list[tuple[int, int]] = []  # (user id, shipping address id)
        self.coupons: dict[str, int] = {}

    def ago(self, days: float, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    def at(self, when: datetime, step: Step) -> None:
        heapq.heappush(self._steps, (when, next(self._order), step))

    async def run(self) -> str:
        listings = self._plan_listings()
        orders = self._plan_orders(listings)
        self._plan_stock(listings, orders)
        self.at(self.ago(400), self._admin)
        self.at(self.ago(365), self._couriers_and_categories)
        for n, store in enumerate(STORES):
            self.at(self.ago(300 - n * 40), partial(self._store, n, store))
        for listing in listings:
            self.at(listing.listed_at, partial(self._list, listing))
        hidden = listings[HIDDEN]
        self.at(hidden.listed_at + timedelta(days=1), partial(self._set_listed, hidden, False))
        for coupon in COUPONS:
            self.at(self.now + timedelta(days=coupon.start - 1), partial(self._coupon, coupon))
        self.at(self.ago(99), self.shop.coupons.expire_due)  # the scheduler's daily run
        for n in range(len(CUSTOMERS)):
            self.at(self.ago(120 - n * 10), partial(self._customer, n))
        self.at(self.ago(20), self._spammer)
        self.at(self.ago(30), partial(self._wishlists, listings))
        for n, (spec, lines) in enumerate(orders):
            self._order_story(n, spec, lines)
        for days in range(41, 0, -7):  # weekly, as the scheduler runs them
            self.at(self.ago(days), self._payouts)
        suspended = self.ago(5)
        for store in STORES:
            if store.reason is not None:
                self.at(suspended, partial(self._suspend, store))
        self.at(self.ago(0, 0.1), partial(self._carts, listings))
        closed = {s.name for s in STORES if s.reason is not None}
        for listing in listings:  # the stock count: today, or the day before a suspension
            if listing.surplus:
                counted = suspended - timedelta(days=1) if listing.store in closed else self.now
                self.at(counted, partial(self._count, listing))
        while self._steps:
            when, _, step = heapq.heappop(self._steps)
            assert when >= self.clock.now, "the demo's story goes back in time"
            self.clock.now = when
            await step()
        await self._mark_told()
        async with self.sessions() as session:
            categories = await session.scalar(select(func.count()).select_from(Category))
            # every provider /providers lists: the couriers and those the shop starts with
            providers = await session.scalar(select(func.count()).select_from(ShippingProvider))
            simulated = await session.scalar(
                select(func.count())
                .select_from(ShippingProvider)
                .where(ShippingProvider.name == SANDBOX_PROVIDER)
            )
        couriers = f"{providers} shipping providers"
        if not simulated:
            # the sandbox adds its simulated courier when it starts (bot/demo/sandbox.py): its
            # /providers lists one more than a database seeded for a real bot
            couriers += f" (the sandbox adds {SANDBOX_PROVIDER} when it starts)"
        return (
            f"Demo shop ready: {categories} categories ({len(self.leaves)} leaves), "
            f"{len(STORES)} sellers, {len(listings)} products, {len(COUPONS)} coupons, "
            f"{couriers}, "
            f"{len(CUSTOMERS)} customers, {len(orders)} orders. Images in {self.media_dir}."
        )

    # --- the plan: what the PRNG decides, before anything is written ------------------------
    def _plan_listings(self) -> list[_Listing]:
        listings: list[_Listing] = []
        for top, middles in TREE.items():
            store = TOP_SELLER[top]
            for middle, leaves in middles.items():
                for leaf, nouns in leaves.items():
                    colours = self.rng.sample(COLOURS, 3)
                    for noun, base in nouns:
                        for variant in range(3 if noun != nouns[-1][0] else 2):
                            name = (
                                f"{colours[variant]} {noun}"
                                if top != "Books"
                                else f"{noun} ({BOOK_EDITIONS[variant]})"
                            )
                            price = money(Decimal(base) + Decimal(variant * 2))
                            discount = None
                            if self.rng.random() < 0.3:
                                discount = money(price * Decimal("0.8"))
                            n = len(listings)
                            listed = self.ago(200 - n, hours=self.rng.randint(0, 23))
                            sku = f"{slugify(store)[:4].upper()}-{n + 1:04d}"
                            path = f"{top}/{middle}/{leaf}"
                            listings.append(
                                _Listing(n, store, path, name, price, discount, listed, sku)
                            )
        return listings

    def _plan_orders(self, listings: list[_Listing]) -> list[tuple[PastOrder, list[_Listing]]]:
        selling = {s.name for s in STORES if s.status == SellerStatus.active}
        sellable = [x for x in listings if x.store in selling and x.n != HIDDEN]
        planned = []
        for n, spec in enumerate(PAST_ORDERS):
            lines = self.rng.sample(sellable, 2 if n % 3 else 3)
            if spec.coupon in ("SAVE5", "LAUNCH15"):  # make sure the minimum order is met
                lines = sorted(sellable, key=lambda x: x.price, reverse=True)[n : n + 2]
            planned.append((spec, lines))
        return planned

    def _plan_stock(
        self, listings: list[_Listing], orders: list[tuple[PastOrder, list[_Listing]]]
    ) -> None:
        """Each product's opening stock covers every order of it; a stock count at the end
        leaves what the PRNG chose (every eleventh product sold out)."""
        taken: Counter[int] = Counter()
        given_back: Counter[int] = Counter()
        for n, (spec, lines) in enumerate(orders):
            for i, listing in enumerate(lines):
                taken[listing.n] += _quantity(n, i)
                if spec.status in (OrderStatus.cancelled, OrderStatus.returned):
                    given_back[listing.n] += _quantity(n, i)
        sold_out = set(range(3, len(listings), 11))
        for listing in listings:
            wanted = [2, 4, 7, 12, 18, 25, 40, 60]
            listing.keep = 0 if listing.n in sold_out else self.rng.choice(wanted)
            net = taken[listing.n] - given_back[listing.n]
            listing.opening = max(listing.keep + net, taken[listing.n], 1)
            listing.surplus = listing.opening - net - listing.keep

    # --- people, stores, catalog -------------------------------------------------------------
    async def _register(
        self, telegram_id: int, first: str, last: str | None = None, **profile: str | None
    ) -> int:
        who = TelegramIdentity(telegram_id, first, last, language_code="en")
        user_id = (await self.shop.accounts.register_from_telegram(who)).id
        if any(profile.values()):
            await self.shop.accounts.update_profile(user_id, **profile)
        return user_id

    async def _admin(self) -> None:
        # ADMIN_IDS names the demo admin, so signing up makes them the admin
        self.admin = await self._register(
            DEMO_ADMIN_TELEGRAM_ID, "Demo", "Admin", email="admin@shop.example"
        )

    async def _couriers_and_categories(self) -> None:
        for c in COURIERS:
            view = await self.shop.shipping.create_provider(
                self.admin,
                c.name,
                c.cost,
                estimated_days=c.days,
                contact_email=c.contact_email,
                tracking_url_template=c.tracking_url_template,
                pickup_address=c.pickup_address,
            )
            self.couriers.append(view.provider_id)
        create = self.shop.catalog.create_category
        for top, middles in TREE.items():
            top_id = (
                await create(self.admin, top, description=f"All of {top.lower()}")
            ).category_id
            for middle, leaves in middles.items():
                middle_id = (await create(self.admin, middle, top_id)).category_id
                for leaf in leaves:
                    leaf_id = (await create(self.admin, leaf, middle_id)).category_id
                    self.leaves[f"{top}/{middle}/{leaf}"] = leaf_id

    async def _store(self, n: int, store: Store) -> None:
        slug = slugify(store.name)
        owner = await self._register(
            DEMO_ADMIN_TELEGRAM_ID + 100 + n, store.owner, email=f"{slug}@sellers.example"
        )
        logo = f"sellers/{slug}.png"
        draw_logo(self.media_dir, logo, store.name[:2], n)
        applied = await self.shop.sellers.apply(owner, store.name, store.description, logo)
        self.owners[store.name], self.stores[store.name] = owner, applied.seller_id
        self.owner_of[applied.seller_id] = owner
        if store.status != SellerStatus.pending:
            approve = partial(self.shop.sellers.approve, self.admin, applied.seller_id)
            self.at(self.clock.now + timedelta(days=1), approve)

    async def _suspend(self, store: Store) -> None:
        assert store.reason is not None
        await self.shop.sellers.suspend(self.admin, self.stores[store.name], store.reason)

    async def _list(self, listing: _Listing) -> None:
        owner = self.owners[listing.store]
        leaf = listing.leaf.rsplit("/", 1)[-1]
        detail = await self.shop.catalog.create_product(
            owner,
            category_id=self.leaves[listing.leaf],
            name=listing.name,
            price=listing.price,
            discount_price=listing.discount,
            stock=listing.opening,
            sku=listing.sku,
            description=f"{listing.name} from {listing.store}. {leaf} to keep.",
        )
        listing.product_id = detail.card.product_id
        # the product in its named colour: front first, then back and close-up
        slug = slugify(f"{listing.name}-{listing.store}")
        for position, view in enumerate(
            draw_product(self.media_dir, slug, listing.name, listing.n)
        ):
            await self.shop.catalog.add_image(
                owner,
                listing.product_id,
                url=view.relative,
                alt_text=view.alt_text,
                primary=position == 0,
            )

    async def _set_listed(self, listing: _Listing, listed: bool) -> None:
        await self.shop.catalog.set_listed(self.owners[listing.store], listing.product_id, listed)

    async def _count(self, listing: _Listing) -> None:
        """The stock count finds `surplus` units fewer on the shelf than the books say."""
        await self.shop.inventory.adjust(
            self.owners[listing.store],
            listing.product_id,
            -listing.surplus,
            "Stock count after inventory check",
        )

    async def _payouts(self) -> None:
        """The payout run (delivered lines past the return window); the admin pays each."""
        for payout in await self.shop.payouts.run():
            reference = f"BANK-DEMO-{payout.seller_id:04d}"
            await self.shop.payouts.mark_paid(self.admin, payout.payout_id, reference)

    async def _mark_told(self) -> None:
        """Direct step: the notifications of the demo's past (orders placed, parcels shipped,
        payouts sent) were delivered back then; the engine has no operation for that, and
        without it the bot's first start would send them all at once."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Outbox)
                .where(Outbox.status == OutboxStatus.pending)
                .values(
                    status=OutboxStatus.sent,
                    sent_at=Outbox.created_at,
                    next_attempt_at=Outbox.created_at,
                )
            )

    async def _coupon(self, spec: CouponSpec) -> None:
        today = self.now.date()
        view = await self.shop.coupons.create(
            self.admin,
            code=spec.code,
            discount_type=spec.kind,
            value=spec.value,
            min_order_amount=spec.min_order,
            max_uses=spec.max_uses,
            start_date=today + timedelta(days=spec.start),
            end_date=today + timedelta(days=spec.end),
            description=spec.description,
        )
        self.coupons[spec.code] = view.coupon_id
        if spec.disabled:
            disable = partial(self.shop.coupons.disable, self.admin, view.coupon_id)
            self.at(self.clock.now + timedelta(hours=1), disable)

    async def _customer(self, n: int) -> None:
        c = CUSTOMERS[n]
        user_id = await self._register(
            DEMO_ADMIN_TELEGRAM_ID + 200 + n, c.first, c.last, email=c.email, phone=c.phone
        )
        address_ids = []
        for kind in (AddressType.shipping, AddressType.billing):
            place = AddressInput(
                street=c.street,
                city=c.city,
                country=c.country,
                postal_code=c.postal_code,
                recipient_name=f"{c.first} {c.last}",
                phone=c.phone,
                type=kind,
            )
            address_ids.append((await self.shop.accounts.add_address(user_id, place)).address_id)
        self.customers.append((user_id, address_ids[0]))

    async def _spammer(self) -> None:
        user_id = await self._register(DEMO_ADMIN_TELEGRAM_ID + 299, "Spam", "Account")
        self.at(
            self.clock.now + timedelta(days=1),
            partial(self.shop.accounts.ban, self.admin, user_id, "Repeated fake orders"),
        )

    async def _wishlists(self, listings: list[_Listing]) -> None:
        for n, (user_id, _) in enumerate(self.customers[:3]):
            for listing in listings[40 + n * 5 : 43 + n * 5]:
                await self.shop.wishlists.add(user_id, listing.product_id)

    async def _carts(self, listings: list[_Listing]) -> None:
        for n, (user_id, _) in enumerate(self.customers[:3]):
            for listing in listings[10 + n * 7 : 12 + n * 7]:
                await self.shop.carts.add(user_id, listing.product_id)

    # --- orders ----------------------------------------------------------------------------
    def _order_story(self, n: int, spec: PastOrder, lines: list[_Listing]) -> None:
        """Schedule order `n` from checkout to where it stands today."""
        placed = self.ago(spec.days_ago)
        story = _OrderStory(self, n, spec, lines)
        self.at(placed, story.place)
        if spec.status == OrderStatus.pending:
            return
        if spec.status == OrderStatus.cancelled:
            if spec.declined:
                self.at(placed + timedelta(minutes=5), story.decline)
            else:
                self.at(placed + timedelta(minutes=5), story.pay)
            self.at(placed + timedelta(hours=2), story.cancel)
            return
        paid = placed + timedelta(minutes=3)
        if spec.method != PaymentMethod.cod:
            self.at(paid, story.pay)
        steps: list[TrackingStatus] = list(TrackingStatus)[:-1]  # all but "failed"
        if spec.status == OrderStatus.paid:
            steps = steps[:1]
        elif spec.status == OrderStatus.shipped:
            steps = steps[: steps.index(TrackingStatus.in_transit) + 1]
        for k, step in enumerate(steps, start=1):
            self.at(paid + timedelta(hours=6 * k), partial(story.track, step))
        if spec.status in (OrderStatus.delivered, OrderStatus.returned):
            delivered = paid + timedelta(hours=6 * len(steps))
            self.at(delivered + timedelta(days=1), story.review)
        if spec.status == OrderStatus.returned:
            self.at(delivered + timedelta(days=2), story.send_back)


def _quantity(n: int, i: int) -> int:
    """How many of its i-th product order n takes."""
    return 1 + (n + i) % 2


class _OrderStory:
    """One past order, step by step, as its customer, sellers and courier took them."""

    def __init__(self, demo: _Demo, n: int, spec: PastOrder, lines: list[_Listing]) -> None:
        self.demo, self.shop, self.n, self.spec, self.lines = demo, demo.shop, n, spec, lines
        self.customer = self.address = self.courier = 0  # known once the story begins
        self.order: OrderView | None = None

    @property
    def view(self) -> OrderView:
        assert self.order is not None
        return self.order

    async def refresh(self) -> OrderView:
        self.order = await self.shop.orders.get(self.customer, self.view.order_id)
        return self.order

    async def place(self) -> None:
        self.customer, self.address = self.demo.customers[self.n % len(self.demo.customers)]
        self.courier = self.demo.couriers[self.n % 2]
        for i, listing in enumerate(self.lines):
            await self.shop.carts.add(self.customer, listing.product_id, _quantity(self.n, i))
        self.order = await self.shop.orders.place_order(
            self.customer,
            address_id=self.address,
            provider_id=self.courier,
            payment_method=self.spec.method,
            checkout_key=f"demo-{self.n:04d}",
            coupon_code=self.spec.coupon,
        )

    async def pay(self) -> None:
        order, n = self.view, self.n
        if order.payment_method == PaymentMethod.bank_transfer:  # seen on the bank statement
            await self.shop.orders.confirm_bank_transfer(self.demo.admin, order.order_id)
        elif order.payment_method == PaymentMethod.paypal:
            await self.shop.orders.confirm_payment(
                self.customer,
                order.order_id,
                provider="paypal",
                transaction_ref=f"PAYID-DEMO{n:04d}",
                amount=order.total,
            )
        else:
            await self.shop.orders.confirm_payment(
                self.customer,
                order.order_id,
                provider="stripe",
                transaction_ref=f"ch_demo_{n:04d}",
                amount=order.total,
                telegram_charge_id=f"tg_demo_{n:04d}",
            )

    async def decline(self) -> None:
        await self.shop.orders.fail_payment(
            self.customer, self.view.order_id, provider="stripe", reason="card_declined"
        )

    async def cancel(self) -> None:
        reason = "Card declined" if self.spec.declined else "Changed my mind"
        await self.shop.orders.cancel(self.customer, self.view.order_id, reason)

    async def track(self, step: TrackingStatus) -> None:
        """Every seller's parcel reaches `step`: the seller confirms, packs and ships; the
        courier reports the rest."""
        order = await self.refresh()
        for k, parcel in enumerate(sorted(order.shipments, key=lambda s: s.seller_id)):
            owner = self.demo.owner_of[parcel.seller_id]
            if step == TrackingStatus.order_received:
                await self.shop.shipping.confirm(owner, parcel.shipment_id)
            elif step == TrackingStatus.packed:
                await self.shop.shipping.pack(owner, parcel.shipment_id)
            elif step == TrackingStatus.shipped:
                number = f"{COURIERS[self.n % 2].name[:2].upper()}{order.order_id:05d}{k}"
                await self.shop.shipping.ship(owner, parcel.shipment_id, number)
            else:
                assert parcel.tracking_number is not None
                await self.shop.shipping.provider_update(
                    self.courier,
                    parcel.tracking_number,
                    step,
                    location=order.address.get("city"),
                    source="provider_poll",
                )

    async def review(self) -> None:
        for listing in self.lines:
            rating = 3 + (self.n + listing.n + 1) % 3
            await self.shop.reviews.write(
                self.customer, listing.product_id, rating, REVIEWS[rating - 3]
            )

    async def send_back(self) -> None:
        """Everything goes back ("Wrong size"); each seller accepts five hours later."""
        order = self.view
        items = {line.order_item_id: line.quantity for line in order.lines}
        for ret in await self.shop.returns.request(
            self.customer, order.order_id, items, "Wrong size"
        ):
            approve = partial(self.shop.returns.approve, self.demo.owner_of[ret.seller_id])
            self.demo.at(self.demo.clock.now + timedelta(hours=5), partial(approve, ret.return_id))
