"""What a seller's walkthrough found, through the real Dispatcher on both databases: a question
left behind must not take a later number, the add-product wizard has Back and Cancel, a
discounted product shows both prices, a refused price says which rule, the Reviews screen says
what and when, /start leads back to the store; and a stale cart "+" and the admin's / menu."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage, SetMyCommands
from aiogram.types import BotCommandScopeChat, InlineKeyboardMarkup

from engine.accounts import TelegramIdentity
from handlers import commands
from handlers.callbacks import CartAction, CartCb, SellerAction, SellerCb, StockCb
from handlers.seller.cb import EditField, EditProductCb, WizardCb, WizardMove
from tests.integration.test_card_payment_handlers import RecordingSession
from tests.integration.test_handlers_roles import CARL, MAYA, STALE, TOKEN, Chats, chats
from tests.integration.world import Seller

__all__ = ["chats"]  # the fixture, shared with the role tests


async def maya(chats: Chats) -> Seller:
    shop = chats.world.shop
    me = await shop.accounts.register_from_telegram(TelegramIdentity(MAYA, "Maya"))
    store = await shop.sellers.mine(me.id)
    assert store is not None
    return Seller(me.id, store.seller_id)


async def lamp(chats: Chats, discount: str | None = None) -> int:
    return await chats.world.product(
        await maya(chats), "Desk Lamp", price="20.00", stock=5, discount=discount
    )


async def card(chats: Chats, product: int) -> tuple[Decimal, Decimal | None, int]:
    detail = await chats.world.shop.listings.mine((await maya(chats)).user_id, product)
    return detail.card.price, detail.card.discount_price, detail.card.stock_quantity


def last_markup(chats: Chats) -> InlineKeyboardMarkup:
    sent = [m for m in chats.telegram.sent if isinstance(m, SendMessage)]
    markup = sent[-1].reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return markup


def labels(markup: InlineKeyboardMarkup) -> list[str]:
    return [b.text for row in markup.inline_keyboard for b in row]


# --- a. a question left behind -----------------------------------------------------------------
async def test_a_number_typed_after_leaving_the_price_question_changes_no_price(
    chats: Chats,
) -> None:
    product = await lamp(chats)
    await chats.tap(MAYA, EditProductCb(id=product, field=EditField.price))
    await chats.tap(MAYA, SellerCb(to=SellerAction.orders))  # the seller goes elsewhere
    await chats.say(MAYA, "5")
    assert await card(chats, product) == (Decimal("20.00"), None, 5)


async def test_a_command_ends_the_stock_and_discount_questions(chats: Chats) -> None:
    product = await lamp(chats)
    await chats.tap(MAYA, StockCb(id=product, adjust=True))
    await chats.say(MAYA, "/report")
    await chats.say(MAYA, "+5 found in the stockroom")
    await chats.tap(MAYA, EditProductCb(id=product, field=EditField.discount))
    await chats.say(MAYA, "/sell")
    await chats.say(MAYA, "7")
    assert await card(chats, product) == (Decimal("20.00"), None, 5)


async def test_the_price_question_still_takes_the_answer_given_at_once(chats: Chats) -> None:
    product = await lamp(chats)
    await chats.tap(MAYA, EditProductCb(id=product, field=EditField.price))
    said = await chats.say(MAYA, "25")
    assert said[0] == "Saved."
    assert await card(chats, product) == (Decimal("25.00"), None, 5)


# --- b. the add-product wizard's Back and Cancel -----------------------------------------------
async def test_the_wizard_goes_back_with_the_answer_kept_and_cancel_saves_nothing(
    chats: Chats,
) -> None:
    seller = await maya(chats)
    before = len(await chats.world.shop.catalog.my_products(seller.user_id))
    _, sent = await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    assert sent == ["New product: what is its name?"]
    assert labels(last_markup(chats)) == ["✖ Cancel"]  # nothing to go back to
    [description] = await chats.say(MAYA, "Desk Lamp")
    assert description.startswith("Describe it")
    assert labels(last_markup(chats)) == ["⬅ Back", "✖ Cancel"]

    _, sent = await chats.tap(MAYA, WizardCb(to=WizardMove.back, step="description"))
    assert sent[0].startswith("New product: what is its name?")
    assert "Now: <b>Desk Lamp</b>" in sent[0]
    answer, _ = await chats.tap(MAYA, WizardCb(to=WizardMove.back, step="description"))
    assert answer == STALE  # that question is no longer the one asked

    await chats.say(MAYA, "Brass Desk Lamp")
    [picker] = await chats.say(MAYA, "skip")
    assert picker.startswith("Which category?")
    assert labels(last_markup(chats))[-2:] == ["⬅ Back", "✖ Cancel"]
    answer, _ = await chats.tap(MAYA, WizardCb(to=WizardMove.cancel, step="category"))
    edited = chats.telegram.sent[-2]
    assert getattr(edited, "text", "") == "The new product is cancelled: nothing was saved."
    assert len(await chats.world.shop.catalog.my_products(seller.user_id)) == before
    answer, _ = await chats.tap(MAYA, WizardCb(to=WizardMove.cancel, step="category"))
    assert answer == "This new product was already finished or cancelled."
    assert await chats.say(MAYA, "12.50") != []  # typed after: no wizard takes it
    assert len(await chats.world.shop.catalog.my_products(seller.user_id)) == before


# --- c, d. prices on the seller's card --------------------------------------------------------
async def test_the_sellers_card_shows_the_regular_price_beside_the_discount(chats: Chats) -> None:
    product = await lamp(chats, discount="15.00")
    await chats.tap(MAYA, EditProductCb(id=product))
    screen = str(chats.telegram.sent[-2].text)  # type: ignore[attr-defined]
    assert "<s>$20.00</s> <b>$15.00</b>" in screen


async def test_a_price_below_the_discount_is_refused_naming_the_discount(chats: Chats) -> None:
    product = await lamp(chats, discount="15.00")
    await chats.tap(MAYA, EditProductCb(id=product, field=EditField.price))
    said = await chats.say(MAYA, "10")
    assert said[-1].startswith("The price must stay above the discounted price ($15.00)")
    assert await card(chats, product) == (Decimal("20.00"), Decimal("15.00"), 5)


# --- e. reviews -------------------------------------------------------------------------------
async def test_the_reviews_screen_says_which_product_how_many_stars_what_and_when(
    chats: Chats,
) -> None:
    _, sent = await chats.tap(MAYA, SellerCb(to=SellerAction.reviews))
    assert sent[0].startswith("No reviews yet. When buyers rate your products")
    assert labels(last_markup(chats)) == ["⬅ My store"]
    world, seller = chats.world, await maya(chats)
    product = await lamp(chats)
    buyer = await world.customer()
    order = await world.pay(await world.order(buyer, {product: 1}))
    await world.deliver(seller, order)
    await world.shop.reviews.write(buyer[0], product, 4, "Bright & warm")
    _, sent = await chats.tap(MAYA, SellerCb(to=SellerAction.reviews))
    assert "<b>Desk Lamp</b> · ★★★★☆ · " in sent[0]
    assert "Bright &amp; warm" in sent[0]
    assert labels(last_markup(chats)) == ["⬅ My store"]


# --- f. /start leads a seller back to the store -----------------------------------------------
async def test_a_sellers_main_menu_has_the_store_and_a_customers_has_not(chats: Chats) -> None:
    await chats.say(MAYA, "/start")
    assert "🏪 My store" in labels(last_markup(chats))
    tap = next(
        b.callback_data
        for row in last_markup(chats).inline_keyboard
        for b in row
        if b.text == "🏪 My store"
    )
    assert tap == SellerCb(to=SellerAction.home).pack()
    await chats.say(CARL, "/start")
    assert "🏪 My store" not in labels(last_markup(chats))


# --- g. a stale cart "+" ----------------------------------------------------------------------
async def test_a_plus_on_a_line_removed_since_says_so_and_shows_the_cart(chats: Chats) -> None:
    product = await lamp(chats)
    carl = await chats.world.shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    await chats.world.shop.carts.add(carl.id, product, 1)
    await chats.world.shop.carts.remove(carl.id, product)
    answer, _ = await chats.tap(CARL, CartCb(action=CartAction.inc, id=product, qty=1))
    assert answer == "That item is no longer in your cart. Here it is as it is now."
    assert "empty" in str(chats.telegram.sent[-2].text).lower()  # type: ignore[attr-defined]


# --- h. the admin's / menu --------------------------------------------------------------------
@pytest.mark.parametrize("sells", [False, True])
async def test_the_admins_command_menu_lists_report_only_when_they_sell(
    chats: Chats, sells: bool
) -> None:
    world = chats.world
    if sells:
        store = await world.shop.sellers.apply(world.admin, "Admin's Attic")
        await world.shop.sellers.approve(world.admin, store.seller_id)
    telegram = RecordingSession()
    await commands.publish(Bot(TOKEN, session=telegram), world.shop, [])
    admin_menus = [
        [c.command for c in m.commands]
        for m in telegram.sent
        if isinstance(m, SetMyCommands)
        and isinstance(m.scope, BotCommandScopeChat)
        and m.scope.chat_id == chats.admin
    ]
    assert admin_menus
    for names in admin_menus:
        assert "admin" in names
        assert ("report" in names) is sells
