"""The customer's order card and Track, and old buttons already in chats, through the real
Dispatcher on both databases: every parcel of a two-store order is tracked with its own
state, cash on delivery in parts lists what each parcel collects (as the seller's card
says), the discount names its coupon, an unpaid bank transfer offers no Track, /orders says
an order past its payment deadline is no longer waiting for payment, and the seller's old
"Open the order" opens the seller's own card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup

from engine.accounts import AddressInput, TelegramIdentity
from engine.orders import OrderView
from handlers.callbacks import OrderAction, OrderCb
from handlers.notifications import OpenOrderCb
from storage.vocabulary import DiscountType, PaymentMethod
from tests.integration.test_handlers_roles import CARL, MAYA, Chats
from tests.integration.test_handlers_roles import chats as chats  # the fixture
from tests.integration.test_seller_journey import lamp, maya
from tests.integration.world import Seller


def _screens(chats: Chats, before: int) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """What the bot showed since `before`: sent or edited texts, with their buttons."""
    return [
        (str(m.text), m.reply_markup if isinstance(m.reply_markup, InlineKeyboardMarkup) else None)
        for m in chats.telegram.sent[before:]
        if isinstance(m, SendMessage | EditMessageText)
    ]


def _labels(markup: InlineKeyboardMarkup | None) -> list[str]:
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def _open(
    chats: Chats, order_id: int, action: OrderAction = OrderAction.show
) -> tuple[str, InlineKeyboardMarkup | None]:
    before = len(chats.telegram.sent)
    await chats.tap(CARL, OrderCb(action=action, id=order_id))
    return _screens(chats, before)[-1]


async def _two_store_order(
    chats: Chats, method: PaymentMethod, coupon: str | None = None
) -> tuple[OrderView, Seller, Seller]:
    """Carl's order of Maya's lamp and Lena's cup (cash on delivery, the chat's real clock)."""
    world = chats.world
    world.clock.now = datetime.now(UTC)
    mine = await maya(chats)
    lena = await world.seller("Lena Lamps")
    cup = await world.product(lena, "Clay Cup", price="9.50")
    carl = await world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    address = await world.shop.accounts.add_address(
        carl.id, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    order = await world.order(
        (carl.id, address.address_id), {await lamp(chats): 1, cup: 1}, method, coupon
    )
    return order, mine, lena


async def test_track_lists_every_parcel_with_its_own_state(chats: Chats) -> None:
    order, mine, _ = await _two_store_order(chats, PaymentMethod.cod)
    shipment = next(s for s in order.shipments if s.seller_id == mine.seller_id)
    shop = chats.world.shop
    await shop.shipping.confirm(mine.user_id, shipment.shipment_id)
    await shop.shipping.ship(mine.user_id, shipment.shipment_id, "MAYA-1")
    text, _ = await _open(chats, order.order_id, OrderAction.track)
    assert "MAYA-1" in text, text  # the shipped parcel
    assert "🏬 Lena Lamps: waiting for the seller" in text, text  # and the one not shipped


async def test_cash_on_delivery_from_two_stores_is_paid_in_parts(chats: Chats) -> None:
    order, mine, lena = await _two_store_order(chats, PaymentMethod.cod)
    text, _ = await _open(chats, order.order_id)
    shop = chats.world.shop
    parts = []
    for seller in (mine, lena):
        shipment = next(s for s in order.shipments if s.seller_id == seller.seller_id)
        card = await shop.fulfilment.card(seller.user_id, shipment.shipment_id)
        assert card.collect is not None
        parts.append(card.collect)
    assert sum(parts) == order.total
    assert f"Payment: to pay on delivery, in 2 parts: ${order.total}" in text, text
    assert f"🏬 Maya&#x27;s Lamps: ${parts[0]} with its parcel" in text, text
    assert f"🏬 Lena Lamps: ${parts[1]} with its parcel" in text, text


async def test_the_order_card_names_the_coupon_of_its_discount(chats: Chats) -> None:
    await chats.world.coupon("WELCOME5", DiscountType.fixed, "5.00")
    order, _, _ = await _two_store_order(chats, PaymentMethod.cod, coupon="WELCOME5")
    text, _ = await _open(chats, order.order_id)
    assert "Discount (WELCOME5): −$5.00" in text, text
    await chats.tap(CARL, OrderCb(action=OrderAction.cancel, id=order.order_id))
    text, _ = await _open(chats, order.order_id)  # the use is given back; the card still adds up
    assert "Status: cancelled" in text, text
    assert "Discount (WELCOME5): −$5.00" in text, text


async def test_an_order_waiting_for_a_bank_transfer_offers_no_track(chats: Chats) -> None:
    order, _, _ = await _two_store_order(chats, PaymentMethod.bank_transfer)
    text, markup = await _open(chats, order.order_id)
    assert "waiting for payment" in text, text
    assert not any("Track" in label for label in _labels(markup)), _labels(markup)
    answer, _ = await chats.tap(CARL, OrderCb(action=OrderAction.track, id=order.order_id))
    assert answer is not None, answer
    assert "no delivery to follow" in answer, answer


async def test_typed_track_of_an_order_waiting_for_a_bank_transfer_says_it_waits(
    chats: Chats,
) -> None:
    order, _, _ = await _two_store_order(chats, PaymentMethod.bank_transfer)
    said = await chats.say(CARL, f"where is my order {order.order_id}")
    assert any("waiting for its payment" in text for text in said), said
    assert not any("cancelled" in text or "Lena Lamps: waiting" in text for text in said), said


async def test_orders_lists_an_order_past_its_payment_deadline_as_no_longer_payable(
    chats: Chats,
) -> None:
    world = chats.world
    order, _, _ = await _two_store_order(chats, PaymentMethod.card)
    assert order.expires_at is not None
    world.clock.now = datetime.now(UTC) - timedelta(hours=5)  # placed long ago, not swept yet
    late, _, _ = await _two_store_order_again(chats)
    before = len(chats.telegram.sent)
    await chats.say(CARL, "/orders")
    [(_, markup)] = _screens(chats, before)
    lines = {label.split(" · ")[0]: label for label in _labels(markup)}
    assert "waiting for payment" in lines[f"#{order.order_id}"], lines  # still in time
    assert "cancelled" in lines[f"#{late.order_id}"], lines  # past its deadline
    text, markup = await _open(chats, late.order_id)
    assert "Status: cancelled" in text, text
    assert not any("Pay" in label for label in _labels(markup)), _labels(markup)


async def _two_store_order_again(chats: Chats) -> tuple[OrderView, Seller, Seller]:
    """Another order of the same two products, by card, placed at the world's clock."""
    world = chats.world
    carl = await world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    addresses = await world.shop.accounts.addresses(carl.id)
    mine = await maya(chats)
    products = [await lamp(chats)]
    order = await world.order(
        (carl.id, addresses[0].address_id), dict.fromkeys(products, 1), PaymentMethod.card
    )
    return order, mine, mine


async def test_a_sellers_old_open_the_order_opens_the_sellers_card(chats: Chats) -> None:
    order, _, _ = await _two_store_order(chats, PaymentMethod.cod)
    await chats.tap(CARL, OrderCb(action=OrderAction.cancel, id=order.order_id))
    before = len(chats.telegram.sent)
    answer, _ = await chats.tap(MAYA, OpenOrderCb(id=order.order_id))  # an older notice's
    assert answer is None or "Not found" not in answer, answer
    [card] = [text for text, _ in _screens(chats, before)]
    assert f"Order #{order.order_id}" in card, card
    assert "Desk Lamp" in card, card  # Maya's own parcel
    assert "Clay Cup" not in card, card
    assert "cancelled" in card, card
