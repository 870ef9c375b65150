"""Defects a walkthrough in the sandbox found, through the real Dispatcher: a store button on an
older card (the store has moved on since) shows the store as it is and asks nothing, and the
seller's dashboard counts only what waits for the seller, not the parcels on their way."""

from __future__ import annotations

import itertools

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageText
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import create_dispatcher
from bot.settings import Settings
from engine.accounts import TelegramIdentity
from engine.fulfilment import Step
from handlers.callbacks import (
    SellerAction,
    SellerCb,
    SellerDecision,
    SellerDecisionCb,
    StoreAdminAction,
    StoreAdminCb,
)
from storage.models import User as UserRow
from storage.vocabulary import PaymentMethod, SellerStatus
from tests.conftest import Database
from tests.integration.test_card_payment_handlers import RecordingSession
from tests.integration.test_handlers_roles import MAYA, STALE, TOKEN, Chats
from tests.integration.world import Seller, World

S = StoreAdminAction
STORE = "Kitchen and Co"


@pytest.fixture
async def chats(db: Database) -> Chats:
    world = await World(db).setup()
    await world.shop.accounts.register_from_telegram(TelegramIdentity(MAYA, "Maya"))
    async with db.sessions() as s:
        admin = await s.scalar(select(UserRow.telegram_id).where(UserRow.user_id == world.admin))
    assert admin is not None
    dp = create_dispatcher(Settings(bot_token=SecretStr(TOKEN)), db.uow)
    telegram = RecordingSession()
    return Chats(world, dp, Bot(TOKEN, session=telegram), telegram, admin, itertools.count(1))


async def maya(chats: Chats) -> Seller:
    """Maya's store, approved."""
    shop = chats.world.shop
    user = await shop.accounts.register_from_telegram(TelegramIdentity(MAYA, "Maya"))
    store = await shop.sellers.apply(user.id, STORE)
    await shop.sellers.approve(chats.world.admin, store.seller_id)
    return Seller(user.id, store.seller_id)


def edits(chats: Chats, before: int) -> list[str]:
    return [str(m.text) for m in chats.telegram.sent[before:] if isinstance(m, EditMessageText)]


async def status_of(chats: Chats, seller: Seller) -> tuple[SellerStatus, str | None]:
    store = await chats.world.shop.sellers.mine(seller.user_id)
    assert store is not None
    return store.status, store.status_reason


# --- 1. a store button on an older card -----------------------------------------------------
async def test_suspend_on_an_older_card_of_a_suspended_store_asks_nothing(chats: Chats) -> None:
    seller = await maya(chats)
    await chats.world.shop.sellers.suspend(chats.world.admin, seller.seller_id, "Late parcels")
    before = len(chats.telegram.sent)
    answer, sent = await chats.tap(chats.admin, StoreAdminCb(action=S.suspend, id=seller.seller_id))
    assert answer == STALE
    assert sent == []  # no "Why is Kitchen and Co suspended?"
    assert any("Status: suspended (Late parcels)" in text for text in edits(chats, before))
    # what the admin types next is not taken for a reason
    await chats.say(chats.admin, "Another reason")
    assert await status_of(chats, seller) == (SellerStatus.suspended, "Late parcels")


async def test_reinstate_on_an_older_card_of_an_active_store_is_said_to_be_old(
    chats: Chats,
) -> None:
    seller = await maya(chats)
    before = len(chats.telegram.sent)
    answer, sent = await chats.tap(
        chats.admin, StoreAdminCb(action=S.reinstate, id=seller.seller_id)
    )
    assert answer == STALE  # not "That is no longer possible for this order."
    assert sent == []
    assert any("Status: active" in text for text in edits(chats, before))


async def test_close_on_an_older_card_of_a_closed_store_asks_nothing(chats: Chats) -> None:
    seller = await maya(chats)
    await chats.world.shop.sellers.close(chats.world.admin, seller.seller_id, "Gone")
    before = len(chats.telegram.sent)
    answer, sent = await chats.tap(chats.admin, StoreAdminCb(action=S.close, id=seller.seller_id))
    assert answer == STALE
    assert sent == []  # no "Why is Kitchen and Co closed?"
    assert any("Status: closed (Gone)" in text for text in edits(chats, before))


async def test_a_reason_for_a_store_that_moved_on_meanwhile_talks_of_no_order(
    chats: Chats,
) -> None:
    seller = await maya(chats)
    _, asked = await chats.tap(chats.admin, StoreAdminCb(action=S.suspend, id=seller.seller_id))
    assert asked == [f"Why is {STORE} suspended? The seller will read it."]
    # another admin (or another card) suspends it before the reason arrives
    await chats.world.shop.sellers.suspend(chats.world.admin, seller.seller_id, "Late parcels")
    replies = await chats.say(chats.admin, "Rude to buyers")
    assert len(replies) == 1
    assert "this order" not in replies[0]
    assert "no longer active" in replies[0]
    assert "Status: suspended (Late parcels)" in replies[0]  # the store as it is now
    assert await status_of(chats, seller) == (SellerStatus.suspended, "Late parcels")


async def test_a_refusal_for_an_application_approved_meanwhile_talks_of_no_order(
    chats: Chats,
) -> None:
    shop = chats.world.shop
    user = await shop.accounts.register_from_telegram(TelegramIdentity(MAYA, "Maya"))
    store = await shop.sellers.apply(user.id, STORE)
    _, asked = await chats.tap(
        chats.admin, SellerDecisionCb(decision=SellerDecision.reject, id=store.seller_id)
    )
    assert asked  # why is it refused?
    await shop.sellers.approve(chats.world.admin, store.seller_id)  # another admin
    replies = await chats.say(chats.admin, "Not a real shop")
    assert len(replies) == 1
    assert "this order" not in replies[0]
    assert "no longer active" in replies[0]
    assert "Status: active" in replies[0]
    assert await status_of(chats, Seller(user.id, store.seller_id)) == (SellerStatus.active, None)


async def test_suspend_on_a_current_card_still_asks_why_and_suspends(chats: Chats) -> None:
    seller = await maya(chats)
    answer, asked = await chats.tap(
        chats.admin, StoreAdminCb(action=S.suspend, id=seller.seller_id)
    )
    assert answer != STALE
    assert asked == [f"Why is {STORE} suspended? The seller will read it."]
    replies = await chats.say(chats.admin, "Late parcels")
    assert replies
    assert replies[0].startswith(f"{STORE} is suspended")
    assert await status_of(chats, seller) == (SellerStatus.suspended, "Late parcels")


# --- 2. the seller's dashboard ------------------------------------------------------------
async def dashboard(chats: Chats) -> str:
    _, sent = await chats.tap(MAYA, SellerCb(to=SellerAction.home))
    assert len(sent) == 1
    return sent[0]


async def test_the_dashboard_counts_only_the_orders_that_wait_for_the_seller(
    chats: Chats,
) -> None:
    world, seller = chats.world, await maya(chats)
    product = await world.product(seller, stock=20)
    customer = await world.customer()
    orders = [await world.order(customer, {product: 1}, method=PaymentMethod.cod) for _ in range(3)]
    parcels = [o.shipments[0].shipment_id for o in orders]
    assert await world.shop.fulfilment.to_handle(seller.user_id) == 3
    assert "Orders to handle: 3" in await dashboard(chats)

    await world.shop.fulfilment.act(seller.user_id, parcels[0], Step.confirm)  # to ship now
    await world.shop.fulfilment.act(seller.user_id, parcels[1], Step.ship, "TRK-FIRST-1")
    assert await world.shop.fulfilment.to_handle(seller.user_id) == 2  # to confirm + to ship
    assert "Orders to handle: 2" in await dashboard(chats)

    for parcel in (parcels[0], parcels[2]):
        await world.shop.fulfilment.act(seller.user_id, parcel, Step.ship, f"TRK-{parcel}")
    assert await world.shop.fulfilment.to_handle(seller.user_id) == 0  # all on their way
    assert "Orders to handle: 0" in await dashboard(chats)
