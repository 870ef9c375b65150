"""Checkout: pricing a cart (the quote and the shipping options) and placing it as an order.

Placing is one transaction: the cart and its products are locked (products by id), the cart
is re-validated against the live catalog, stock is taken with 'out' logs, the coupon is
redeemed under its row lock, the discount is allocated over the lines to the cent, one
shipment per seller is prepared, the payment attempt is recorded, and the customer (and, for
cash on delivery, the sellers) get outbox rows. The same `checkout_key` placed twice returns
the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from engine.accounts import country_code, postal_code_countries
from engine.base import Deps, Rules, actor, audit, notify
from engine.cart import cart_rows, changes_of
from engine.coupons import CouponQuote, check_coupon, normalise_code, redeem
from engine.errors import CartChanged, CartEmpty, InvalidInput, NotFound, Outdated
from engine.inventory import lock_products, take
from engine.orders.amounts import parcel_amounts
from engine.orders.fetch import MAX_ID, lines_of, shipments_of, tell_sellers
from engine.orders.payments import PROVIDER_OF_METHOD, bank_reference, new_payment
from engine.orders.views import OrderView, QuoteLine, QuoteView, ShippingOption, order_view
from engine.pricing import ZERO, CheckoutAmounts, checkout_amounts, line_discounts
from storage.models import (
    Address,
    CartItem,
    Coupon,
    Order,
    OrderItem,
    Product,
    Seller,
    Shipment,
    ShippingProvider,
)
from storage.uow import UnitOfWork
from storage.vocabulary import (
    DiscountType,
    InventoryReference,
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    ProviderStatus,
    ShipmentStatus,
)

CartRows = list[tuple[CartItem, Product, Seller]]  # a cart's lines, as engine.cart reads them


# --- pricing -------------------------------------------------------------------------------
def parcels_of(rows: CartRows) -> int:
    """One parcel per seller of the cart."""
    return len({product.seller_id for _, product, _ in rows})


def cart_amounts(rows: CartRows, per_parcel: Decimal) -> CheckoutAmounts:
    """The cart lines at their cart prices, and `per_parcel` shipping per seller: before any
    coupon."""
    return checkout_amounts(
        [item.price * item.quantity for item, _, _ in rows], per_parcel, parcels_of(rows)
    )


async def priced(
    uow: UnitOfWork,
    rows: CartRows,
    provider: ShippingProvider,
    coupon_code: str | None,
    user_id: int,
    today: date,
    *,
    order_id: int | None = None,
) -> tuple[CheckoutAmounts, CouponQuote | None]:
    """The one pricing of a checkout: the cart lines at their cart prices, the provider's
    price per parcel, and the coupon's discount on those. With `order_id` (placing) the
    coupon is redeemed under its row lock; without (quoting) it is only checked."""
    base = cart_amounts(rows, provider.shipping_cost)
    if not coupon_code:
        return base, None
    if order_id is not None:
        quote = await redeem(
            uow, coupon_code, user_id, order_id, base.subtotal, base.shipping, today
        )
    else:
        code = normalise_code(coupon_code)
        coupon = await uow.session.scalar(select(Coupon).where(Coupon.code == code))
        quote = await check_coupon(uow, coupon, code, user_id, base.subtotal, base.shipping, today)
    return base.less(quote.discount), quote


async def quote_of(
    uow: UnitOfWork,
    rows: CartRows,
    provider: ShippingProvider,
    coupon_code: str | None,
    user_id: int,
    today: date,
    d: Deps,
) -> QuoteView:
    """What the cart comes to with this provider and coupon (nothing redeemed): the quote
    the summary shows, and what "Place order" compares with the summary it was tapped on."""
    amounts, coupon = await priced(uow, rows, provider, coupon_code, user_id, today)
    return quote_view(rows, amounts, coupon, provider, d.rules.currency)


def pickup_country(place: str | None) -> str | None:
    """The country (ISO code) of a pickup point, read from its address: its last part names
    it ("…, Bath BA1 1SU, United Kingdom"), or ends with a postal code only one country's
    shape fits ("…, Bath BA1 1SU"). None: not a pickup point, or its country cannot be read."""
    parts = [part.strip() for part in (place or "").split(",") if part.strip()]
    if not parts:
        return None
    named = country_code(parts[-1])
    if named is not None:
        return named
    said = parts[-1].split()
    for tail in (" ".join(said[-2:]), " ".join(said[-1:])):  # "BA1 1SU", "10115"
        fits = postal_code_countries(tail) if any(c.isdigit() for c in tail) else frozenset()
        if len(fits) == 1:
            return next(iter(fits))
    return None


def serves(provider: ShippingProvider, country: str) -> bool:
    """Whether `provider` takes a parcel to an address in `country` (a name the shop knows):
    a delivery goes anywhere; a pickup point serves its own country only (one whose country
    its address does not tell serves every one, as before)."""
    if not provider.pickup_address:
        return True
    there = pickup_country(provider.pickup_address)
    return there is None or there == country_code(country)


@dataclass(frozen=True)
class DeliveryChoice:
    """How a cart can travel to one address: the providers that go there, priced for the
    cart (`options`), and whether the shop has pickup points, none of them in the address's
    country (`no_pickup_there`: the customer is told, not offered one). No address chosen
    yet: every provider, `country` empty (placing the order checks the address then)."""

    options: list[ShippingOption]
    country: str
    no_pickup_there: bool

    @property
    def cheapest(self) -> int | None:
        """The provider of the one option that costs this cart least (None: no option, or
        several cost the same)."""
        return _only_least(self.options, lambda o: o.shipping)

    @property
    def fastest(self) -> int | None:
        """The provider of the one option with the fewest estimated days (None: no option
        says its days, or several take the same)."""
        timed = [o for o in self.options if o.estimated_days is not None]
        return _only_least(timed, lambda o: Decimal(o.estimated_days or 0))


def _only_least(
    options: Sequence[ShippingOption], key: Callable[[ShippingOption], Decimal]
) -> int | None:
    """The provider id of the option with the least `key`, when exactly one has it."""
    if not options:
        return None
    least = min(key(o) for o in options)
    best = [o for o in options if key(o) == least]
    return best[0].provider_id if len(best) == 1 else None


def delivery_choice(
    providers: Sequence[ShippingProvider], rows: CartRows, country: str | None
) -> DeliveryChoice:
    """The providers that serve `country` (`serves`; None: no address yet, every one),
    priced for the cart."""
    going = [p for p in providers if country is None or serves(p, country)]
    pickups = any(p.pickup_address for p in providers)
    none_here = pickups and not any(p.pickup_address for p in going)
    return DeliveryChoice(shipping_options(going, rows), country or "", none_here)


def shipping_options(providers: Sequence[ShippingProvider], rows: CartRows) -> list[ShippingOption]:
    """Each provider priced for the cart as the checkout would charge it (at least one
    parcel, so an empty cart still shows a price)."""
    parcels = max(parcels_of(rows), 1)
    return [
        ShippingOption(
            p.provider_id,
            p.name,
            p.shipping_cost,
            parcels,
            checkout_amounts([], p.shipping_cost, parcels).shipping,
            p.estimated_days,
            p.pickup_address,
        )
        for p in providers
    ]


def quote_view(
    rows: CartRows,
    amounts: CheckoutAmounts,
    coupon: CouponQuote | None,
    provider: ShippingProvider,
    currency: str,
) -> QuoteView:
    return QuoteView(
        [
            QuoteLine(product.product_id, product.name, item.quantity, item.price)
            for item, product, _ in rows
        ],
        amounts.subtotal,
        amounts.shipping,
        amounts.discount,
        amounts.total,
        currency,
        provider.name,
        provider.pickup_address,
        coupon,
    )


# --- what the customer chose ---------------------------------------------------------------
async def chosen_provider(
    uow: UnitOfWork, provider_id: int, *, country: str | None = None
) -> ShippingProvider:
    """A provider a customer may choose now, for an address in `country` when given: a
    pickup point in another country is not one (`serves`). NotFound otherwise."""
    provider = (
        await uow.session.get(ShippingProvider, provider_id) if 0 < provider_id <= MAX_ID else None
    )
    if provider is None or provider.status != ProviderStatus.active:
        raise NotFound(entity="shipping_provider", id=provider_id)
    if country is not None and not serves(provider, country):
        raise NotFound(entity="shipping_provider", id=provider_id)
    return provider


async def own_address(uow: UnitOfWork, actor_id: int, address_id: int) -> Address:
    """The customer's own address (NotFound otherwise)."""
    address = await uow.session.get(Address, address_id)
    if address is None or address.user_id != actor_id:
        raise NotFound(entity="address", id=address_id)
    return address


async def placed_order(uow: UnitOfWork, actor_id: int, key: str) -> OrderView | None:
    """The order this checkout key placed, if any (someone else's key is `taken`)."""
    order = await uow.session.scalar(select(Order).where(Order.checkout_key == key))
    if order is None:
        return None
    if order.user_id != actor_id:
        raise InvalidInput(field="checkout_key", rule="taken")
    return await order_view(uow, order.order_id)


def refuse_changes(rows: CartRows) -> None:
    """CartChanged, listing every line the live catalog no longer sells as the cart says."""
    changes = changes_of(rows)
    if changes:
        raise CartChanged(
            changes=[
                {
                    "product_id": c.product_id,
                    "name": c.name,
                    "change": c.change.value,
                    "old": c.old,
                    "new": c.new,
                }
                for c in changes
            ]
        )


# --- placing -------------------------------------------------------------------------------
async def place(
    d: Deps,
    actor_id: int,
    address_id: int,
    provider_id: int,
    method: PaymentMethod,
    key: str,
    coupon_code: str | None,
    seen: str | None = None,
) -> OrderView:
    """Place the cart as an order, as the module says, in one transaction; a checkout key
    that placed one already returns that order (`Orders.place_order` checks the key and the
    method first, and answers a twin that commits first). `seen`: the summary's version
    (`QuoteView.version`) as the screen showed it; a checkout that reads otherwise now is
    `Outdated` and nothing is placed."""
    now = d.clock()
    async with d.uow() as uow:
        await actor(uow, actor_id)
        existing = await placed_order(uow, actor_id, key)
        if existing is not None:
            return existing
        address = await own_address(uow, actor_id, address_id)
        provider = await chosen_provider(uow, provider_id, country=address.country)
        cart, rows = await cart_rows(uow, actor_id, lock=True)
        # a twin holding the cart lock may have placed this very checkout meanwhile
        existing = await placed_order(uow, actor_id, key)
        if existing is not None:
            return existing
        if cart is None or not rows:
            raise CartEmpty()
        products = await lock_products(uow, [p.product_id for _, p, _ in rows])
        refuse_changes(rows)
        if seen is not None:  # before anything is numbered, taken or redeemed
            quote = await quote_of(uow, rows, provider, coupon_code, actor_id, now.date(), d)
            if quote.version(address_id=address.address_id, method=method) != seen:
                raise Outdated(entity="checkout", id=actor_id)
        order = await new_order(uow, d.rules, now, actor_id, address, provider, method, key, rows)
        take(
            uow,
            products,
            {item.product_id: item.quantity for item, _, _ in rows},
            reference=InventoryReference.order,
            reference_id=order.order_id,
            by=actor_id,
        )
        amounts, coupon = await priced(
            uow, rows, provider, coupon_code, actor_id, now.date(), order_id=order.order_id
        )
        order.discount_amount, order.total_amount = amounts.discount, amounts.total
        add_lines(uow, order, rows, coupon)
        add_shipments(uow, order, rows)
        await new_payment(uow, order, PROVIDER_OF_METHOD[method])
        for item, _, _ in rows:
            await uow.session.delete(item)
        await uow.session.flush()
        await announce(uow, order, coupon_code)
        view = await order_view(uow, order.order_id)
        await uow.commit()  # the view read in the same transaction
        return view


async def new_order(
    uow: UnitOfWork,
    rules: Rules,
    now: datetime,
    actor_id: int,
    address: Address,
    provider: ShippingProvider,
    method: PaymentMethod,
    key: str,
    rows: CartRows,
) -> Order:
    """The order row, priced before any coupon, with a copy of the address and a deadline
    for payment (card and PayPal: `unpaid_order_ttl`; bank transfer: `bank_transfer_ttl`,
    and its bank reference)."""
    base = cart_amounts(rows, provider.shipping_cost)
    order = Order(
        user_id=actor_id,
        address_id=address.address_id,
        shipping_provider_id=provider.provider_id,
        order_status=OrderStatus.pending,
        payment_status=OrderPaymentStatus.pending,
        payment_method=method,
        subtotal_amount=base.subtotal,
        discount_amount=ZERO,
        shipping_amount=base.shipping,
        total_amount=base.total,
        currency=rules.currency,
        checkout_key=key,
        address_snapshot={
            "recipient": address.recipient_name,
            "street": address.street,
            "city": address.city,
            "state": address.state,
            "country": address.country,
            "postal_code": address.postal_code,
            "phone": address.phone,
            "pickup": provider.pickup_address,
        },
    )
    if method in (PaymentMethod.card, PaymentMethod.paypal):
        order.expires_at = now + rules.unpaid_order_ttl
    elif method == PaymentMethod.bank_transfer:
        order.expires_at = now + rules.bank_transfer_ttl
    uow.session.add(order)
    await uow.session.flush()
    if method == PaymentMethod.bank_transfer:
        order.bank_reference = bank_reference(order.order_id)
    return order


def coupon_shares(rows: CartRows, coupon: CouponQuote | None) -> list[Decimal]:
    """Each cart line's share of the coupon's discount (free shipping touches no line)."""
    if coupon is None:
        return [ZERO] * len(rows)
    return line_discounts(
        coupon.discount,
        [item.price * item.quantity for item, _, _ in rows],
        on_lines=coupon.discount_type != DiscountType.free_shipping,
    )


def add_lines(uow: UnitOfWork, order: Order, rows: CartRows, coupon: CouponQuote | None) -> None:
    """One order line per cart line, at its cart price, with its share of the coupon's
    discount (`coupon_shares`); the products' sales count up."""
    shares = coupon_shares(rows, coupon)
    for (item, product, _), share in zip(rows, shares, strict=True):
        uow.session.add(
            OrderItem(
                order_id=order.order_id,
                product_id=product.product_id,
                seller_id=product.seller_id,
                product_name=product.name,
                quantity=item.quantity,
                price=item.price,
                discount_amount=share,
            )
        )
        product.sold_count += item.quantity


def add_shipments(uow: UnitOfWork, order: Order, rows: CartRows) -> None:
    """One pending shipment per seller of the cart, with the order's provider."""
    for seller_id in sorted({product.seller_id for _, product, _ in rows}):
        uow.session.add(
            Shipment(
                order_id=order.order_id,
                seller_id=seller_id,
                provider_id=order.shipping_provider_id,
                status=ShipmentStatus.pending,
            )
        )


async def announce(uow: UnitOfWork, order: Order, coupon_code: str | None) -> None:
    """The new order's audit row and outbox rows: the customer's, and, for cash on delivery
    (paid on delivery, so to be shipped now), the sellers'."""
    audit(
        uow,
        "order",
        order.order_id,
        "create",
        by=order.user_id,
        new={
            "order_status": order.order_status,
            "total_amount": order.total_amount,
            "payment_method": order.payment_method,
            "coupon": coupon_code,
        },
    )
    notify(  # the checkout screen says it in the chat: this row is for the e-mail
        uow,
        order.user_id,
        "order_placed",
        order_id=order.order_id,
        total=order.total_amount,
        payment_method=order.payment_method,
        bank_reference=order.bank_reference,
        in_chat=True,
    )
    if order.payment_method == PaymentMethod.cod:
        await tell_sellers(uow, order.order_id, "new_order", payment_method=order.payment_method)


# --- what each parcel collects (cash on delivery) ------------------------------------------
@dataclass(frozen=True)
class ParcelDue:
    """One store's parcel of an order and what it comes to: with cash on delivery, the
    amount handed over when that parcel arrives (the seller's card says the same)."""

    store: str
    amount: Decimal


def quoted_parcels(
    rows: CartRows, amounts: CheckoutAmounts, coupon: CouponQuote | None
) -> list[ParcelDue]:
    """What each store's parcel of this checkout will come to once placed: the order that
    `place` would make (its lines with their coupon shares, one parcel per seller, by
    seller), not saved, put through the rule of the placed order's cards
    (`amounts.parcel_amounts`), so the summary and the seller's card agree to the cent."""
    order = Order(total_amount=amounts.total)
    items = [
        OrderItem(
            seller_id=product.seller_id,
            price=item.price,
            quantity=item.quantity,
            discount_amount=share,
            refunded_amount=ZERO,
        )
        for (item, product, _), share in zip(rows, coupon_shares(rows, coupon), strict=True)
    ]
    stores = {product.seller_id: seller.store_name for _, product, seller in rows}
    shipments = [Shipment(shipment_id=n, seller_id=s) for n, s in enumerate(sorted(stores), 1)]
    due = parcel_amounts(order, items, shipments)
    return [ParcelDue(stores[s.seller_id], due[s.shipment_id]) for s in shipments]


async def order_parcels(uow: UnitOfWork, order: Order) -> list[ParcelDue]:
    """What each store's parcel of a placed order comes to now (`amounts.parcel_amounts`,
    the seller's card's rule), by seller: with cash on delivery, what each one collects."""
    items = await lines_of(uow, order.order_id)
    shipments = await shipments_of(uow, order.order_id)
    due = parcel_amounts(order, items, shipments)
    named = await uow.session.execute(
        select(Seller.seller_id, Seller.store_name).where(
            Seller.seller_id.in_([s.seller_id for s in shipments])
        )
    )
    stores = {seller_id: store for seller_id, store in named.all()}
    return [ParcelDue(stores.get(s.seller_id, ""), due[s.shipment_id]) for s in shipments]
