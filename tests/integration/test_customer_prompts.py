"""A customer's question that waits for typed text ends when the customer goes elsewhere
(handlers.prompts): text typed later is not taken as a return's reason, a review's comment or
an e-mail address; answered at once, it still is. Through the real Dispatcher, both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from engine.accounts import AddressInput, TelegramIdentity
from handlers.callbacks import Menu, MenuCb, ProfileAction, ProfileCb, ReturnLineCb
from handlers.customer.orders import ReturnStepCb
from storage.vocabulary import PaymentMethod
from tests.integration.test_handlers_roles import CARL, Chats, chats
from tests.integration.test_seller_journey import labels, lamp, last_markup, maya

__all__ = ["chats"]  # the fixture, shared with the role tests


async def delivered_lamp(chats: Chats) -> tuple[int, int, int]:
    """Carl's delivered order of one of Maya's lamps: (order id, its line, Maya's user id)."""
    world = chats.world
    world.clock.now = datetime.now(UTC)  # the chat's engine reads the real clock
    seller = await maya(chats)
    product = await lamp(chats)
    carl = await world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    address = await world.shop.accounts.add_address(
        carl.id, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    order = await world.order((carl.id, address.address_id), {product: 1}, PaymentMethod.card)
    order = await world.pay(order)
    await world.deliver(seller, order)
    return order.order_id, order.lines[0].order_item_id, seller.user_id


async def request_the_return(chats: Chats) -> None:
    """Carl taps ✅ Request the return under the return's summary (the newest message)."""
    summary = last_markup(chats)
    confirm = summary.inline_keyboard[0][0]
    assert confirm.text == "✅ Request the return", labels(summary)
    assert confirm.callback_data is not None
    await chats.tap(CARL, ReturnStepCb.unpack(confirm.callback_data))


async def test_text_typed_after_leaving_the_return_question_asks_for_no_return(
    chats: Chats,
) -> None:
    order, line, seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    await chats.tap(CARL, MenuCb(to=Menu.cart))  # the customer goes elsewhere
    await chats.say(CARL, "it broke")
    assert await chats.world.shop.returns.waiting(seller) == []


async def test_the_return_question_still_takes_the_reason_given_at_once(chats: Chats) -> None:
    order, line, seller = await delivered_lamp(chats)
    await chats.tap(CARL, ReturnLineCb(order_item_id=line, order_id=order))
    await chats.say(CARL, "it broke")
    await request_the_return(chats)
    waiting = await chats.world.shop.returns.waiting(seller)
    assert [r.reason for r in waiting] == ["it broke"]


async def test_a_command_ends_the_email_question(chats: Chats) -> None:
    carl = await chats.world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    await chats.tap(CARL, ProfileCb(action=ProfileAction.email))
    await chats.say(CARL, "/cart")
    await chats.say(CARL, "carl@example.com")
    me = await chats.world.shop.accounts.me(carl.id)
    assert me.email is None


async def test_a_long_address_on_a_profile_button_ends_in_an_ellipsis(chats: Chats) -> None:
    """A walkthrough saw "🗑 450 Pine Street, Portlan": cut, with nothing saying so."""
    carl = await chats.world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    await chats.world.shop.accounts.add_address(
        carl.id, AddressInput(street="450 Pine Street", city="Portland", country="United States")
    )
    before = len(chats.telegram.sent)
    await chats.say(CARL, "/profile")
    markups = [
        m.reply_markup
        for m in chats.telegram.sent[before:]
        if isinstance(m, SendMessage) and isinstance(m.reply_markup, InlineKeyboardMarkup)
    ]
    labels = [b.text for k in markups for row in k.inline_keyboard for b in row]
    cut = [label for label in labels if "Pine Street" in label]
    assert cut, labels
    assert all(label.endswith("…") for label in cut), labels
