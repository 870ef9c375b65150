"""What a walkthrough of the seller's and the admin's side found, through the real Dispatcher on
both databases: the wizard's questions after Back can be kept with one tap, an admin's decision
leaves no destructive button under the same finger, the seller's order card says what the
coupon took, every seller's menu leads to the store, questions can be cancelled, the audit log
says which field changed, and a few words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from aiogram.methods import EditMessageText
from aiogram.types import InlineKeyboardMarkup

from engine.accounts import TelegramIdentity
from engine.backoffice import SalesReport
from handlers import reports
from handlers.admin import _audit_line as audit_line
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    NewProductCb,
    PromptCancelCb,
    ReturnCb,
    ReturnDecision,
    SellerAction,
    SellerCb,
    SellerDecision,
    SellerDecisionCb,
    ShipmentAction,
    ShipmentCb,
    StoreAdminAction,
    StoreAdminCb,
    TransferCb,
)
from handlers.seller.cb import (
    EditField,
    EditProductCb,
    ParcelCb,
    PickCategoryCb,
    WizardCb,
    WizardMove,
)
from storage.vocabulary import DiscountType, PaymentMethod, SellerStatus
from tests.integration.test_handlers_roles import CARL, MAYA, STALE, Chats, chats
from tests.integration.test_seller_journey import labels, last_markup, maya

__all__ = ["chats"]  # the fixture, shared with the role tests

KEEP = "✓ Keep"


def back(step: str) -> WizardCb:
    return WizardCb(to=WizardMove.back, step=step)


def keep(step: str) -> WizardCb:
    return WizardCb(to=WizardMove.keep, step=step)


def markup_of(chats: Chats) -> InlineKeyboardMarkup:
    return last_markup(chats)


# --- 1. the wizard after Back ------------------------------------------------------------------
async def test_a_question_shown_again_by_back_can_be_kept_and_skip_says_what_it_does(
    chats: Chats,
) -> None:
    world, seller = chats.world, await maya(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Walk Test Scarf")
    [picker] = await chats.say(MAYA, "A warm wool scarf for testing.")
    assert picker.startswith("Which category?")
    assert "Categories" not in picker  # the top of the tree is no path to show
    assert KEEP not in labels(markup_of(chats))  # nothing chosen yet

    _, [description] = await chats.tap(MAYA, back("category"))
    assert "<b>A warm wool scarf for testing.</b>" in description
    assert "testing.." not in description
    assert "testing.</b>." not in description
    assert "skip" in description
    assert KEEP in description
    assert labels(markup_of(chats)) == [KEEP, "⬅ Back", "✖ Cancel"]

    _, [name] = await chats.tap(MAYA, back("description"))
    assert "Now: <b>Walk Test Scarf</b>" in name
    assert labels(markup_of(chats)) == [KEEP, "✖ Cancel"]
    _, [again] = await chats.tap(MAYA, keep("name"))  # the name kept, on to the description
    assert again.startswith("Describe it")
    assert "<b>A warm wool scarf for testing.</b>" in again
    answer, sent = await chats.tap(MAYA, keep("name"))  # that question was answered already
    assert (answer, sent) == (STALE, [])

    _, [picker] = await chats.tap(MAYA, keep("description"))
    assert picker.startswith("Which category?")
    _, sent = await chats.tap(MAYA, PickCategoryCb(id=world.top_category))  # opens Clothing
    _, [price] = await chats.tap(MAYA, PickCategoryCb(id=world.category))
    assert price.startswith("Price?")

    _, [picker] = await chats.tap(MAYA, back("price"))
    assert "Now: <b>Clothing › Hoodies</b>" in picker
    assert KEEP in labels(markup_of(chats))
    _, [price] = await chats.tap(MAYA, keep("category"))
    assert price.startswith("Price?")
    await chats.say(MAYA, "25")
    await chats.say(MAYA, "no")
    _, [discount] = await chats.tap(MAYA, back("stock"))
    assert "Now: <b>none</b>" in discount
    _, [stock] = await chats.tap(MAYA, keep("discount"))
    assert stock.startswith("How many")
    await chats.say(MAYA, "3")
    await chats.tap(MAYA, NewProductCb(done=True))
    [made] = [p for p in await world.shop.catalog.my_products(seller.user_id)]
    detail = await world.shop.listings.mine(seller.user_id, made.product_id)
    assert (detail.card.name, detail.description) == (
        "Walk Test Scarf",
        "A warm wool scarf for testing.",
    )
    assert detail.category_id == world.category
    assert detail.card.discount_price is None


async def test_skip_on_the_description_after_back_still_means_no_description(
    chats: Chats,
) -> None:
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Walk Test Scarf")
    await chats.say(MAYA, "A warm wool scarf.")
    await chats.tap(MAYA, back("category"))
    await chats.say(MAYA, "skip")
    _, [description] = await chats.tap(MAYA, back("category"))
    assert "Now: <b>no description</b>" in description


async def test_keep_refuses_a_discount_the_new_price_no_longer_allows(chats: Chats) -> None:
    await maya(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Desk Lamp")
    await chats.say(MAYA, "skip")
    await chats.tap(MAYA, PickCategoryCb(id=chats.world.category))
    await chats.say(MAYA, "25")
    await chats.say(MAYA, "20")
    await chats.tap(MAYA, back("stock"))
    await chats.tap(MAYA, back("discount"))
    [discount] = await chats.say(MAYA, "15")  # a new price, below the kept discount
    assert "Now: <b>$20.00</b>" in discount
    answer, sent = await chats.tap(MAYA, keep("discount"))
    assert sent == []
    assert answer is not None
    assert "discount" in answer.lower()
    [stock] = await chats.say(MAYA, "10")  # a discount below the new price goes on
    assert stock.startswith("How many")


# --- 2. an admin's decision leaves nothing destructive under the same finger -------------------
def edited(chats: Chats, before: int) -> list[EditMessageText]:
    return [m for m in chats.telegram.sent[before:] if isinstance(m, EditMessageText)]


def all_labels(markup: object) -> list[str]:
    assert isinstance(markup, InlineKeyboardMarkup)
    return labels(markup)


async def applicant(chats: Chats, telegram_id: int, name: str) -> int:
    shop = chats.world.shop
    user = await shop.accounts.register_from_telegram(TelegramIdentity(telegram_id, name))
    return (await shop.sellers.apply(user.id, f"{name} Attic")).seller_id


async def test_a_double_tap_on_approve_does_not_start_a_suspension(chats: Chats) -> None:
    store = await applicant(chats, 7171, "Rita")
    _, sent = await chats.tap(chats.admin, AdminCb(to=AdminAction.sellers))
    assert sent[0].startswith("<b>Sellers waiting for approval</b> (1)")  # the list's header
    assert "Rita Attic" in sent[1]
    approve = SellerDecisionCb(decision=SellerDecision.approve, id=store)
    for _ in range(2):  # the second tap lands where the first one's button was
        before = len(chats.telegram.sent)
        answer, asked = await chats.tap(chats.admin, approve)
        assert asked == []  # no "Why is Rita Attic suspended?"
        [card] = edited(chats, before)
        assert "Rita Attic</b> is approved" in str(card.text)
        shown = all_labels(card.reply_markup)
        assert shown[0] == "✅ Store approved"
        assert not any("Suspend" in s or "Close" in s for s in shown)
        assert "⬅ Back to the list" in shown
    assert answer == "This application was already decided."
    await chats.say(chats.admin, "A reason nobody was asked for")
    mine = await chats.world.shop.backoffice.seller_performance(chats.world.admin, store)
    assert mine[0].status == SellerStatus.active
    # Suspend is still there, on the store's own screen
    await chats.tap(chats.admin, StoreAdminCb(action=StoreAdminAction.show, id=store))
    assert "⏸ Suspend" in all_labels(chats.telegram.sent[-2].reply_markup)  # type: ignore[attr-defined]


async def test_a_refusal_shows_the_outcome_and_the_way_back(chats: Chats) -> None:
    store = await applicant(chats, 7272, "Ravi")
    reject = SellerDecisionCb(decision=SellerDecision.reject, id=store)
    _, asked = await chats.tap(chats.admin, reject)
    assert asked == ["Why is Ravi Attic refused? The applicant will read it."]
    before = len(chats.telegram.sent)
    await chats.say(chats.admin, "Not a real shop")
    [card] = edited(chats, before)
    assert "Ravi Attic</b> is refused" in str(card.text)
    assert all_labels(card.reply_markup)[0] == "✖ Application refused"
    before = len(chats.telegram.sent)
    answer, asked = await chats.tap(chats.admin, reject)  # again, on the decided card
    assert (answer, asked) == ("This application was already decided.", [])
    assert all_labels(edited(chats, before)[0].reply_markup)[0] == "✖ Application refused"


async def test_mark_paid_twice_marks_one_order_and_not_the_next(chats: Chats) -> None:
    world = chats.world
    product = await world.product(await maya(chats), "Desk Lamp", price="20.00", stock=5)
    first, second = [
        await world.order(await world.customer(name), {product: 1}, PaymentMethod.bank_transfer)
        for name in ("Sara", "John")
    ]
    await chats.say(chats.admin, "/paid")
    for _ in range(2):
        before = len(chats.telegram.sent)
        await chats.tap(chats.admin, TransferCb(order=first.order_id))
        [screen] = edited(chats, before)
        shown = all_labels(screen.reply_markup)
        assert not any("Mark paid" in s for s in shown)
        assert shown[0] == "⬅ Back to the list"
    after = await world.shop.orders.get(world.admin, second.order_id)
    assert after.payment_status == second.payment_status  # the next order is still waiting
    before = len(chats.telegram.sent)
    await chats.tap(chats.admin, TransferCb())
    [screen] = edited(chats, before)
    assert any(f"#{second.order_id}" in s for s in all_labels(screen.reply_markup))


async def test_a_double_tap_on_a_returns_approve_leaves_no_decision_under_the_finger(
    chats: Chats,
) -> None:
    world, seller = chats.world, await maya(chats)
    lamp = await world.product(seller, "Desk Lamp", price="20.00", stock=5)
    customer = await world.customer()
    order = await world.pay(await world.order(customer, {lamp: 2}))
    await world.deliver(seller, order)
    [ret] = await world.shop.returns.request(
        customer[0], order.order_id, {order.lines[0].order_item_id: 1}, "too big"
    )
    approve = ReturnCb(decision=ReturnDecision.approve, id=ret.return_id)
    for _ in range(2):
        before = len(chats.telegram.sent)
        _, asked = await chats.tap(MAYA, approve)
        assert asked == []
        for card in edited(chats, before):  # the card as it shows after the tap
            shown = all_labels(card.reply_markup)
            assert not any("Approve" in s or "Refuse" in s for s in shown), shown


# --- 3. the seller's order card: the catalogue price, the coupon's share, cash to collect -------
async def test_the_order_card_shows_the_price_the_coupon_share_and_the_cash_to_collect(
    chats: Chats,
) -> None:
    world = chats.world
    seller = await maya(chats)
    dress = await world.product(seller, "Teal Summer Dress", price="46.90", stock=5)
    await world.coupon("SAVE5", DiscountType.percentage, "5")
    order = await world.order(await world.customer(), {dress: 1}, PaymentMethod.cod, coupon="SAVE5")
    parcel = order.shipments[0].shipment_id
    card = await world.shop.fulfilment.card(seller.user_id, parcel)
    assert (card.coupon_code, card.coupon_share) == ("SAVE5", Decimal("2.35"))
    assert card.collect == order.total  # the only parcel: the whole order, shipping too
    await chats.tap(MAYA, ParcelCb(id=parcel))
    [screen] = [m for m in chats.telegram.sent[-2:] if isinstance(m, EditMessageText)]
    assert "1 × Teal Summer Dress — $46.90" in str(screen.text)
    assert "coupon SAVE5: −$2.35" in str(screen.text)
    assert "Your part: <b>$44.55</b>" in str(screen.text)
    assert f"Collect ${order.total} in cash" in str(screen.text)


# --- 4. every main menu a seller is shown leads to the store ---------------------------------
@pytest.mark.parametrize("said", ["hmm", "zzz999", "qwzx blorf", "hello", "help"])
async def test_the_fallback_menus_a_seller_sees_have_the_store(chats: Chats, said: str) -> None:
    await maya(chats)
    replies = await chats.say(MAYA, said)
    assert replies, said
    assert "🏪 My store" in labels(last_markup(chats)), (said, replies)
    await chats.say(CARL, said)  # a customer's menu has no store
    assert "🏪 My store" not in labels(last_markup(chats))


# --- 5. every question waiting for typed text can be cancelled --------------------------------
CANCEL = "✖ Cancel"


async def test_the_price_question_and_its_bad_number_reply_have_cancel(chats: Chats) -> None:
    world, seller = chats.world, await maya(chats)
    lamp = await world.product(seller, "Desk Lamp", price="20.00", stock=5)
    _, [asked] = await chats.tap(MAYA, EditProductCb(id=lamp, field=EditField.price))
    assert "send the new price" in asked
    assert labels(last_markup(chats)) == [CANCEL]
    assert await chats.say(MAYA, "twelve") == ["Please send a number, e.g. 19.99."]
    assert labels(last_markup(chats)) == [CANCEL]
    cancel = last_markup(chats).inline_keyboard[0][0].callback_data
    assert cancel is not None
    _answer, sent = await chats.tap(MAYA, PromptCancelCb.unpack(cancel))
    assert sent == []
    assert "Cancelled. Nothing was changed." in str(chats.telegram.sent[-2].text)  # type: ignore[attr-defined]
    # tapped again: no question waits now; it says so, and nothing changes
    again, sent = await chats.tap(MAYA, PromptCancelCb.unpack(cancel))
    assert sent == []
    assert again is not None
    assert "changes nothing now" in again, again
    await chats.say(MAYA, "5")  # no question takes it any more
    detail = await world.shop.listings.mine(seller.user_id, lamp)
    assert detail.card.price == Decimal("20.00")


async def test_the_tracking_question_has_cancel(chats: Chats) -> None:
    world, seller = chats.world, await maya(chats)
    lamp = await world.product(seller, "Desk Lamp", price="20.00", stock=5)
    order = await world.pay(await world.order(await world.customer(), {lamp: 1}))
    parcel = order.shipments[0].shipment_id
    _, [asked] = await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=parcel))
    assert asked.startswith(f"Send the tracking number for order #{order.order_id}")
    assert labels(last_markup(chats)) == [CANCEL]
    await chats.tap(
        MAYA, PromptCancelCb.unpack(str(last_markup(chats).inline_keyboard[0][0].callback_data))
    )
    await chats.say(MAYA, "TRK-1")
    card = await world.shop.fulfilment.card(seller.user_id, parcel)
    assert card.tracking_number is None


async def test_the_wizards_bad_number_keeps_back_and_cancel(chats: Chats) -> None:
    await maya(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Desk Lamp")
    await chats.say(MAYA, "skip")
    await chats.tap(MAYA, PickCategoryCb(id=chats.world.category))
    assert await chats.say(MAYA, "twelve") == ["Please send a number, e.g. 19.99."]
    assert labels(last_markup(chats)) == ["⬅ Back", "✖ Cancel"]


async def test_the_admins_reason_question_has_cancel(chats: Chats) -> None:
    store = await applicant(chats, 7373, "Rosa")
    await chats.tap(chats.admin, SellerDecisionCb(decision=SellerDecision.reject, id=store))
    assert labels(last_markup(chats)) == [CANCEL]
    await chats.tap(
        chats.admin,
        PromptCancelCb.unpack(str(last_markup(chats).inline_keyboard[0][0].callback_data)),
    )
    await chats.say(chats.admin, "Not a real shop")
    mine = await chats.world.shop.backoffice.seller_performance(chats.world.admin, store)
    assert mine[0].status == SellerStatus.pending


# --- 6. the audit log says which field changed ------------------------------------------------
async def test_mark_paid_shows_in_the_audit_log_as_two_fields_not_one_row_twice(
    chats: Chats,
) -> None:
    world = chats.world
    product = await world.product(await maya(chats), "Desk Lamp", price="20.00", stock=5)
    order = await world.order(await world.customer(), {product: 1}, PaymentMethod.bank_transfer)
    await chats.say(chats.admin, f"/paid {order.order_id}")
    [log] = await chats.say(chats.admin, f"/audit order {order.order_id}")
    assert f"Order #{order.order_id}: order status: pending → paid" in log
    assert f"Order #{order.order_id}: payment: pending → paid" in log
    found = await world.shop.backoffice.audit_page(
        world.admin, entity_type="order", entity_id=order.order_id
    )
    spanish = "\n".join(audit_line("es", e) for e in found.entries)
    assert "estado del pedido: pendiente → pagado" in spanish
    assert "pago: pendiente → pagado" in spanish


# --- 7. small words ---------------------------------------------------------------------------
async def test_a_transfer_placed_a_moment_ago_is_just_now(chats: Chats) -> None:
    world = chats.world
    product = await world.product(await maya(chats), "Desk Lamp", price="20.00", stock=5)
    await world.order(await world.customer(), {product: 1}, PaymentMethod.bank_transfer)
    [queue] = await chats.say(chats.admin, "/paid")
    assert "just now" in queue
    assert "0 minutes ago" not in queue


def test_a_report_leaves_out_the_parts_that_are_zero() -> None:
    def report(discounts: str, refunds: str) -> SalesReport:
        return SalesReport(
            store_name="Urban Threads",
            days=30,
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
            currency="USD",
            by_day=[],
            top_products=[],
            top_stores=[],
            gross=Decimal("495.77"),
            discounts=Decimal(discounts),
            refunds=Decimal(refunds),
            revenue=Decimal("495.77") - Decimal(discounts) - Decimal(refunds),
            orders=5,
            units=8,
        )

    text = reports.summary("en", report("1.66", "0.00"))
    assert "Sold $495.77 · coupons −$1.66" in text
    assert "refunds" not in text
    text = reports.summary("es", report("0", "2.00"))
    assert "cupones" not in text
    assert "reembolsos" in text
    assert "Sold $495.77 · coupons −$1.66 · refunds −$3.00" in reports.summary(
        "en", report("1.66", "3.00")
    )
