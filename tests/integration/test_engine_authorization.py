"""Nobody acts on someone else's object, and only admins do admin work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from engine.accounts import AddressInput
from engine.errors import Forbidden, NotFound
from engine.orders import OrderView
from storage.vocabulary import DiscountType, PaymentMethod, TrackingStatus
from tests.conftest import Database
from tests.integration.world import Seller, World


@dataclass
class Scene:
    world: World
    alice: tuple[int, int]
    bob: tuple[int, int]
    mine: Seller  # sells to alice
    other: Seller  # another store
    product: int
    order: OrderView
    return_id: int


@pytest.fixture
async def scene(db: Database) -> AsyncIterator[Scene]:
    world = await World(db).setup()
    alice, bob = await world.customer("Alice"), await world.customer("Bob")
    mine, other = await world.seller("Mine"), await world.seller("Other")
    product = await world.product(mine, stock=10)
    order = await world.pay(await world.order(alice, {product: 2}))
    await world.deliver(mine, order)
    [ret] = await world.shop.returns.request(
        alice[0], order.order_id, {order.lines[0].order_item_id: 1}, "too big"
    )
    yield Scene(world, alice, bob, mine, other, product, order, ret.return_id)
    await world.assert_ledgers()


Attempt = Callable[[Scene], Awaitable[object]]

SOMEONE_ELSES: dict[str, Attempt] = {
    "read another customer's order": lambda c: c.world.shop.orders.get(c.bob[0], c.order.order_id),
    "cancel another customer's order": lambda c: c.world.shop.orders.cancel(
        c.bob[0], c.order.order_id
    ),
    "pay another customer's order": lambda c: c.world.shop.orders.confirm_payment(
        c.bob[0], c.order.order_id, provider="stripe", transaction_ref="x", amount=Decimal(1)
    ),
    "see another customer's delivery": lambda c: c.world.shop.shipping.timeline(
        c.bob[0], c.order.order_id
    ),
    "return another customer's items": lambda c: c.world.shop.returns.request(
        c.bob[0], c.order.order_id, {c.order.lines[0].order_item_id: 1}, "mine now"
    ),
    "check out to another customer's address": lambda c: c.world.shop.orders.place_order(
        c.bob[0],
        address_id=c.alice[1],
        provider_id=c.world.provider,
        payment_method=PaymentMethod.cod,
        checkout_key="steal",
    ),
    "make another customer's address default": lambda c: c.world.shop.accounts.set_default_address(
        c.bob[0], c.alice[1]
    ),
    "delete another customer's address": lambda c: c.world.shop.accounts.delete_address(
        c.bob[0], c.alice[1]
    ),
    "edit another store's product": lambda c: c.world.shop.catalog.update_product(
        c.other.user_id, c.product, price="1.00"
    ),
    "hide another store's product": lambda c: c.world.shop.catalog.set_listed(
        c.other.user_id, c.product, False
    ),
    "adjust another store's stock": lambda c: c.world.shop.inventory.adjust(
        c.other.user_id, c.product, -5, "sabotage"
    ),
    "add a photo to another store's product": lambda c: c.world.shop.catalog.add_image(
        c.other.user_id, c.product, url="x.png"
    ),
    "ship another store's parcel": lambda c: c.world.shop.shipping.ship(
        c.other.user_id, c.order.shipments[0].shipment_id, "T"
    ),
    "post a milestone on another store's parcel": lambda c: c.world.shop.shipping.update(
        c.other.user_id, c.order.shipments[0].shipment_id, TrackingStatus.failed
    ),
    "refuse another store's part of an order": lambda c: c.world.shop.shipping.reject(
        c.other.user_id, c.order.shipments[0].shipment_id, "mine"
    ),
    "approve another store's return": lambda c: c.world.shop.returns.approve(
        c.other.user_id, c.return_id
    ),
    "reject another store's return": lambda c: c.world.shop.returns.reject(
        c.other.user_id, c.return_id, "no"
    ),
    "close another store": lambda c: c.world.shop.sellers.close(c.other.user_id, c.mine.seller_id),
}

ADMIN_ONLY: dict[str, Attempt] = {
    "approve a seller": lambda c: c.world.shop.sellers.approve(c.alice[0], c.mine.seller_id),
    "suspend a seller": lambda c: c.world.shop.sellers.suspend(
        c.mine.user_id, c.other.seller_id, "rival"
    ),
    "list pending sellers": lambda c: c.world.shop.sellers.pending(c.alice[0]),
    "create a coupon": lambda c: c.world.shop.coupons.create(
        c.alice[0], code="FREE", discount_type=DiscountType.percentage, value="100"
    ),
    "ban a user": lambda c: c.world.shop.accounts.ban(c.alice[0], c.bob[0], "rude"),
    "confirm a bank transfer": lambda c: c.world.shop.orders.confirm_bank_transfer(
        c.alice[0], c.order.order_id, Decimal(1)
    ),
    "run payouts": lambda c: c.world.shop.payouts.run(c.mine.user_id),
    "mark a payout paid": lambda c: c.world.shop.payouts.mark_paid(c.mine.user_id, 1, "x"),
    "search the audit log": lambda c: c.world.shop.backoffice.audit_search(c.alice[0]),
    "read seller performance": lambda c: c.world.shop.backoffice.seller_performance(c.mine.user_id),
    "watch the inventory": lambda c: c.world.shop.backoffice.inventory_watch(c.alice[0]),
    "create a category": lambda c: c.world.shop.catalog.create_category(c.alice[0], "Mine"),
    "retry a refund": lambda c: c.world.shop.orders.retry_refund(c.alice[0], 1),
    "broadcast": lambda c: c.world.shop.backoffice.broadcast(c.alice[0], "Buy now!"),
    "add a shipping provider": lambda c: c.world.shop.shipping.create_provider(
        c.alice[0], "Mine", "1.00"
    ),
    "change a shipping provider": lambda c: c.world.shop.shipping.update_provider(
        c.mine.user_id, c.world.provider, cost="0.00"
    ),
}

SELLERS_ONLY: dict[str, Attempt] = {
    "list a product without a store": lambda c: c.world.shop.catalog.create_product(
        c.alice[0], category_id=c.world.category, name="X", price="1"
    ),
    "read a store's incoming orders": lambda c: c.world.shop.shipping.incoming(c.alice[0]),
    "read a store's payouts": lambda c: c.world.shop.payouts.mine(c.alice[0]),
}


@pytest.mark.parametrize("attempt", list(SOMEONE_ELSES))
async def test_nobody_acts_on_someone_elses_object(scene: Scene, attempt: str) -> None:
    before = await scene.world.shop.orders.get(scene.alice[0], scene.order.order_id)
    with pytest.raises(NotFound):
        await SOMEONE_ELSES[attempt](scene)
    after = await scene.world.shop.orders.get(scene.alice[0], scene.order.order_id)
    assert after == before
    addresses = await scene.world.shop.accounts.addresses(scene.alice[0])
    assert [a.address_id for a in addresses] == [scene.alice[1]]


@pytest.mark.parametrize("attempt", list(ADMIN_ONLY))
async def test_only_admins_do_admin_work(scene: Scene, attempt: str) -> None:
    with pytest.raises(Forbidden) as refused:
        await ADMIN_ONLY[attempt](scene)
    assert refused.value.params == {"action": "admin_only"}


@pytest.mark.parametrize("attempt", list(SELLERS_ONLY))
async def test_only_sellers_do_seller_work(scene: Scene, attempt: str) -> None:
    with pytest.raises(Forbidden) as refused:
        await SELLERS_ONLY[attempt](scene)
    assert refused.value.params == {"action": "seller_only"}


async def test_the_owner_and_an_admin_may(scene: Scene) -> None:
    world = scene.world
    assert (await world.shop.orders.get(world.admin, scene.order.order_id)).order_id
    await world.shop.accounts.add_address(scene.bob[0], AddressInput("2 St", "Cork", "Ireland"))
    assert len(await world.shop.accounts.addresses(scene.bob[0])) == 2
