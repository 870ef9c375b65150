"""What the customer's walkthrough found, through the real Dispatcher on both databases: an old
stars screen changes no review, a reviewed item offers an edit, a pending card order can be
paid from its page, the coupon step remembers its coupon, cash on delivery and tracking say
what they mean, a searched product shows its photos, the chosen language reaches the chat's
menus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiogram.methods import (
    DeleteMyCommands,
    EditMessageText,
    SendInvoice,
    SendMessage,
    SendPhoto,
    SetChatMenuButton,
    SetMyCommands,
)
from aiogram.types import (
    BotCommandScopeChat,
    Chat,
    InlineKeyboardMarkup,
    MenuButtonDefault,
    MenuButtonWebApp,
    Message,
)
from pydantic import SecretStr
from sqlalchemy import select, update

from bot.app import create_dispatcher
from bot.demo import seed_demo
from bot.settings import Settings
from engine.accounts import AddressInput, TelegramIdentity
from engine.base import Deps, Rules
from engine.order_actions import OrderAct
from engine.orders import OrderView
from engine.shop import Shop
from handlers.callbacks import (
    CartAction,
    CartCb,
    CheckoutCb,
    CheckoutStep,
    Menu,
    MenuCb,
    OrderAction,
    OrderCb,
    ReviewCb,
    ReviewNext,
    ReviewNextCb,
)
from handlers.customer.checkout import PaymentConfig, after_order
from handlers.customer.profile import FOLLOW_TELEGRAM, LanguageCb
from storage.models import Review, ShippingProvider
from storage.models import User as UserRow
from storage.vocabulary import DiscountType, OrderStatus, PaymentMethod, money
from tests.conftest import Database
from tests.integration.test_customer_prompts import delivered_lamp
from tests.integration.test_handlers_roles import CARL, STALE, TOKEN, Chats, chats
from tests.integration.test_seller_journey import labels, lamp, maya

__all__ = ["chats"]  # the fixture, shared with the role tests
PNG = bytes.fromhex(  # a 1x1 PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def last_screen(chats: Chats) -> tuple[str, InlineKeyboardMarkup]:
    """The last screen shown (sent or edited in place): its text and buttons."""
    shown = [m for m in chats.telegram.sent if isinstance(m, SendMessage | EditMessageText)]
    markup, text = shown[-1].reply_markup, shown[-1].text
    assert isinstance(markup, InlineKeyboardMarkup)
    assert text is not None
    return text, markup


async def carl_id(chats: Chats) -> int:
    me = await chats.world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    return me.id


# --- 1. an old stars screen ------------------------------------------------------------------
async def test_an_answered_stars_screen_changes_the_review_no_more(chats: Chats) -> None:
    order, _, _ = await delivered_lamp(chats)
    shop, carl = chats.world.shop, await carl_id(chats)
    product = (await shop.orders.get(carl, order)).lines[0].product_id
    await shop.reviews.write(carl, product, 4, "Does the job.")  # reviewed before
    await chats.tap(CARL, ReviewCb(product_id=product))  # the stars screen shows ★★★★
    await chats.tap(CARL, ReviewCb(product_id=product, rating=4, seen=4))
    await chats.tap(CARL, ReviewNextCb(product_id=product, act=ReviewNext.comment))
    await chats.say(CARL, "Fits well, nice colour.")
    answer, sent = await chats.tap(CARL, ReviewCb(product_id=product, rating=1, seen=4))
    assert str(answer).startswith(STALE)
    assert sent == []
    mine = await shop.reviews.mine(carl, product)
    assert mine is not None
    assert (mine.rating, mine.comment) == (4, "Fits well, nice colour.")


async def test_a_fresh_stars_screen_still_takes_new_stars(chats: Chats) -> None:
    order, _, _ = await delivered_lamp(chats)
    shop, carl = chats.world.shop, await carl_id(chats)
    product = (await shop.orders.get(carl, order)).lines[0].product_id
    await chats.tap(CARL, ReviewCb(product_id=product))
    await chats.tap(CARL, ReviewCb(product_id=product, rating=4, seen=0))
    await chats.tap(CARL, ReviewCb(product_id=product))  # asked again: a new screen
    answer, _ = await chats.tap(CARL, ReviewCb(product_id=product, rating=2, seen=4))
    assert not str(answer).startswith(STALE)
    mine = await shop.reviews.mine(carl, product)
    assert mine is not None
    assert mine.rating == 2


# --- 2. a reviewed item offers an edit; an edit is dated when made ---------------------------
async def test_a_reviewed_item_offers_to_edit_its_review(chats: Chats) -> None:
    order, _, _ = await delivered_lamp(chats)
    shop, carl = chats.world.shop, await carl_id(chats)
    product = (await shop.orders.get(carl, order)).lines[0].product_id
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order))
    assert any(b.startswith("⭐ Review") for b in labels(last_screen(chats)[1]))
    await shop.reviews.write(carl, product, 3)
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order))
    buttons = labels(last_screen(chats)[1])
    assert "✏️ Edit your review (★★★)" in buttons
    assert not any(b.startswith("⭐ Review") for b in buttons)


async def test_an_edited_review_is_dated_when_it_was_edited(chats: Chats) -> None:
    order, _, _ = await delivered_lamp(chats)
    world = chats.world
    shop, carl = world.shop, await carl_id(chats)
    product = (await shop.orders.get(carl, order)).lines[0].product_id
    await shop.reviews.write(carl, product, 3, "Fine.")
    month_ago = datetime.now(UTC) - timedelta(days=30)
    async with world.db.sessions() as s, s.begin():  # written a month ago
        await s.execute(update(Review).values(created_at=month_ago, updated_at=month_ago))
    await shop.reviews.write(carl, product, 5, "Better than I thought.")
    page = await shop.catalog.reviews(product)
    assert page.items[0].created_at > datetime.now(UTC) - timedelta(days=1)


# --- 3. a pending card order can be paid from its page ---------------------------------------
def with_card_payments(chats: Chats) -> None:
    """The chat's Dispatcher as a shop taking cards (a payment provider token set)."""
    settings = Settings(
        bot_token=SecretStr(TOKEN), payments_provider_token=SecretStr("provider-token")
    )
    chats.dp = create_dispatcher(settings, chats.world.db.uow)


async def pending_card_order(chats: Chats) -> OrderView:
    world = chats.world
    world.clock.now = datetime.now(UTC)
    product = await lamp(chats)
    carl = await carl_id(chats)
    address = await world.shop.accounts.add_address(
        carl, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    return await world.order((carl, address.address_id), {product: 1}, PaymentMethod.card)


async def test_a_pending_card_order_can_be_paid_from_its_page(chats: Chats) -> None:
    with_card_payments(chats)
    order = await pending_card_order(chats)
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order.order_id))
    assert "💳 Pay" in labels(last_screen(chats)[1])
    before = len(chats.telegram.sent)
    await chats.tap(CARL, OrderCb(action=OrderAction.pay, id=order.order_id))
    invoices = [m for m in chats.telegram.sent[before:] if isinstance(m, SendInvoice)]
    assert [i.payload for i in invoices] == [order.invoice_payload]
    assert invoices[0].prices[0].amount == int(order.total * 100)


async def test_a_paid_or_cancelled_order_offers_no_pay_and_sends_no_invoice(
    chats: Chats,
) -> None:
    with_card_payments(chats)
    order = await pending_card_order(chats)
    await chats.world.shop.orders.cancel(await carl_id(chats), order.order_id)
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order.order_id))
    assert "💳 Pay" not in labels(last_screen(chats)[1])
    before = len(chats.telegram.sent)
    answer, _ = await chats.tap(CARL, OrderCb(action=OrderAction.pay, id=order.order_id))
    assert not [m for m in chats.telegram.sent[before:] if isinstance(m, SendInvoice)]
    assert answer


# --- 4. Back to the coupon step keeps the coupon ---------------------------------------------
def checkout_key(chats: Chats) -> str:
    for button in last_screen(chats)[1].inline_keyboard[0]:
        if button.callback_data and button.callback_data.startswith("v2o:"):
            return CheckoutCb.unpack(button.callback_data).key
    raise AssertionError("no checkout button")


async def to_payment_with_save5(chats: Chats) -> str:
    """Carl's checkout up to the payment step, with SAVE5 applied: its key."""
    world = chats.world
    world.clock.now = datetime.now(UTC)
    await world.coupon("SAVE5", DiscountType.fixed, "5")
    product = await lamp(chats)
    carl = await carl_id(chats)
    address = await world.shop.accounts.add_address(
        carl, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    await world.shop.carts.add(carl, product, 2)
    await chats.tap(CARL, CartCb(action=CartAction.checkout))
    key = checkout_key(chats)
    await chats.tap(
        CARL, CheckoutCb(step=CheckoutStep.address, value=str(address.address_id), key=key)
    )
    await chats.tap(
        CARL, CheckoutCb(step=CheckoutStep.provider, value=str(world.provider), key=key)
    )
    await chats.say(CARL, "SAVE5")
    return key


async def test_back_from_payment_shows_the_applied_coupon(chats: Chats) -> None:
    key = await to_payment_with_save5(chats)
    back = CheckoutCb(step=CheckoutStep.back, value=CheckoutStep.skip_coupon.value, key=key)
    await chats.tap(CARL, back)
    text, markup = last_screen(chats)
    assert "SAVE5 is applied (−$5.00)" in text
    assert labels(markup)[:2] == ["✓ Keep", "Remove"]
    await chats.tap(CARL, CheckoutCb(step=CheckoutStep.skip_coupon, value="keep", key=key))
    await chats.tap(CARL, CheckoutCb(step=CheckoutStep.payment, value="cod", key=key))
    summary, _ = last_screen(chats)
    assert "Discount (SAVE5): −$5.00" in summary


async def test_removing_the_applied_coupon_drops_it(chats: Chats) -> None:
    key = await to_payment_with_save5(chats)
    back = CheckoutCb(step=CheckoutStep.back, value=CheckoutStep.skip_coupon.value, key=key)
    await chats.tap(CARL, back)
    await chats.tap(CARL, CheckoutCb(step=CheckoutStep.skip_coupon, key=key))
    await chats.tap(CARL, CheckoutCb(step=CheckoutStep.payment, value="cod", key=key))
    summary, _ = last_screen(chats)
    assert "Discount" not in summary


# --- 5. cash on delivery says what is paid, and when ------------------------------------------
async def carl_cod_order(chats: Chats, provider: int | None = None) -> OrderView:
    world = chats.world
    world.clock.now = datetime.now(UTC)
    product = await lamp(chats)
    carl = await carl_id(chats)
    address = await world.shop.accounts.add_address(
        carl, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    if provider is not None:
        world.provider = provider
    return await world.order((carl, address.address_id), {product: 1}, PaymentMethod.cod)


async def pickup_point(chats: Chats) -> int:
    async with chats.world.db.sessions() as s, s.begin():
        point = ShippingProvider(
            name="Corner Shop", shipping_cost=money("1.00"), pickup_address="5 Corner St"
        )
        s.add(point)
        await s.flush()
        return point.provider_id


async def test_a_cash_on_delivery_order_is_not_said_to_wait_for_payment(chats: Chats) -> None:
    order = await carl_cod_order(chats)
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order.order_id))
    text, _ = last_screen(chats)
    total = f"${order.total}"
    assert "waiting for payment" not in text
    assert f"Payment: to pay on delivery: {total}" in text
    assert text.count("ash on delivery") == 0  # said once, as what is paid when
    await chats.tap(CARL, MenuCb(to=Menu.orders))
    assert not any("waiting for payment" in b for b in labels(last_screen(chats)[1]))


async def test_cash_for_a_pickup_is_paid_when_it_is_collected(chats: Chats) -> None:
    order = await carl_cod_order(chats, await pickup_point(chats))
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order.order_id))
    text, _ = last_screen(chats)
    assert f"Payment: to pay when you collect it: ${order.total}" in text
    screen = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=CARL, type="private"), text="Placed"
    ).as_(chats.bot)
    before = len(chats.telegram.sent)
    await after_order(screen, chats.bot, "en", order, PaymentConfig(provider_token=None))
    said = [m.text for m in chats.telegram.sent[before:] if isinstance(m, SendMessage)]
    assert said == [f"You will pay ${order.total} in cash when you collect it."]


# --- 6. Track: each parcel under its store and tracking number --------------------------------
async def test_track_groups_milestones_by_parcel_with_a_header_and_times(chats: Chats) -> None:
    order, _, _ = await delivered_lamp(chats)
    view = await chats.world.shop.orders.get(await carl_id(chats), order)
    number = view.tracking_numbers[0]
    await chats.tap(CARL, OrderCb(action=OrderAction.track, id=order))
    text, markup = last_screen(chats)
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if "Lamps" in line)
    assert number in lines[header]
    milestones = lines[header + 1 :]
    assert any(line.startswith("✅ Delivered") for line in milestones)
    assert all(" UTC" in line for line in milestones if line.strip())  # each with its time
    assert labels(markup)[-1] == "⬅ Back to the order"


# --- 7. a product found by its typed name shows its photos ------------------------------------
async def test_a_product_named_in_words_shows_its_photo_and_all_photos(
    chats: Chats, tmp_path: Path
) -> None:
    product = await lamp(chats)
    owner = (await maya(chats)).user_id
    for n in (1, 2):
        (tmp_path / f"lamp{n}.png").write_bytes(PNG)
        await chats.world.shop.catalog.add_image(owner, product, url=f"lamp{n}.png")
    chats.dp["media_dir"] = tmp_path
    before = len(chats.telegram.sent)
    await chats.say(CARL, "Desk Lamp")
    photos = [m for m in chats.telegram.sent[before:] if isinstance(m, SendPhoto)]
    assert len(photos) == 1
    markup = photos[0].reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    assert "🖼 All photos (2)" in labels(markup)


# --- 8. the chosen language reaches the chat's / menu and menu button -------------------------
async def test_choosing_a_language_sets_the_chats_commands_and_menu_button(chats: Chats) -> None:
    settings = Settings.model_validate(
        {"bot_token": TOKEN, "webapp_url": "https://shop.example/app/"}
    )
    chats.dp = create_dispatcher(settings, chats.world.db.uow)
    await carl_id(chats)
    before = len(chats.telegram.sent)
    await chats.tap(CARL, LanguageCb(code="es"))
    sent = chats.telegram.sent[before:]
    commands = [m for m in sent if isinstance(m, SetMyCommands)]
    assert commands
    for m in commands:
        assert m.scope == BotCommandScopeChat(chat_id=CARL)
        assert {c.command: c.description for c in m.commands}["cart"] == "Tu carrito"
    assert {m.language_code for m in commands} == {None, "es"}  # whatever the app's language
    [button] = [m for m in sent if isinstance(m, SetChatMenuButton)]
    assert button.chat_id == CARL
    assert isinstance(button.menu_button, MenuButtonWebApp)
    assert button.menu_button.text == "🛍 Tienda"

    before = len(chats.telegram.sent)
    await chats.tap(CARL, LanguageCb(code=FOLLOW_TELEGRAM))  # Telegram's language again
    sent = chats.telegram.sent[before:]
    assert not [m for m in sent if isinstance(m, SetMyCommands)]
    deleted = [m for m in sent if isinstance(m, DeleteMyCommands)]
    assert {m.language_code for m in deleted} == {None, "es"}
    assert all(m.scope == BotCommandScopeChat(chat_id=CARL) for m in deleted)
    [button] = [m for m in sent if isinstance(m, SetChatMenuButton)]
    assert button.chat_id == CARL
    assert isinstance(button.menu_button, MenuButtonDefault)
    me = await chats.world.shop.accounts.me(await carl_id(chats))
    assert me.language_code is None  # Telegram's (this one says none)


# --- 9. the demo lets Sara try a return -------------------------------------------------------
async def test_one_of_saras_demo_orders_can_still_be_returned(
    db: Database, media_dir: Path
) -> None:
    await seed_demo(db.sessions, media_dir=media_dir)
    shop = Shop(Deps(uow=db.uow, rules=Rules()))
    async with db.sessions() as s:
        sara = await s.scalar(select(UserRow.user_id).where(UserRow.telegram_id == 900_000_201))
    assert sara is not None
    orders = [await shop.orders.get(sara, o.order_id) for o in await shop.orders.history(sara)]
    delivered = [o for o in orders if o.status == OrderStatus.delivered]
    assert any(OrderAct.return_items in o.acts for o in delivered)
    assert any(OrderAct.return_items not in o.acts for o in delivered)  # and one too old


# --- 10. small things ------------------------------------------------------------------------
async def test_an_orders_page_says_when_it_was_placed(chats: Chats) -> None:
    order = await pending_card_order(chats)
    await chats.tap(CARL, OrderCb(action=OrderAction.show, id=order.order_id))
    text, _ = last_screen(chats)
    assert text.split("\n")[1].startswith("Placed: ")
    assert order.created_at.strftime("%d %b %Y") in text


async def two_orders(chats: Chats) -> None:
    world = chats.world
    world.clock.now = datetime.now(UTC)
    product = await lamp(chats)
    carl = await carl_id(chats)
    address = await world.shop.accounts.add_address(
        carl, AddressInput(street="1 Main St", city="Dhaka", country="Bangladesh")
    )
    for _ in range(2):
        await world.order((carl, address.address_id), {product: 1}, PaymentMethod.cod)


def order_buttons(chats: Chats) -> list[OrderCb]:
    markup = last_screen(chats)[1]
    return [
        OrderCb.unpack(b.callback_data)
        for row in markup.inline_keyboard
        for b in row
        if b.callback_data and b.callback_data.startswith(OrderCb.__prefix__ + ":")
    ]


async def test_where_is_my_order_offers_orders_that_open_their_tracking(chats: Chats) -> None:
    await two_orders(chats)
    await chats.say(CARL, "where is my order")
    buttons = order_buttons(chats)
    assert len(buttons) == 2
    assert {b.action for b in buttons} == {OrderAction.track}


async def test_cancel_my_order_offers_orders_that_ask_the_cancel_question(chats: Chats) -> None:
    await two_orders(chats)
    await chats.say(CARL, "cancel my order")
    buttons = order_buttons(chats)
    assert len(buttons) == 2
    assert {b.action for b in buttons} == {OrderAction.ask_cancel}
