"""An admin creates a coupon in words, through the real Dispatcher on both databases: what
will be created is shown back with Yes / No, only Yes creates it, once (a double tap, an old
Yes, a typed yes after the tap); a typed yes answers as elsewhere; anyone else typing the same
words gets the customer's answer and nothing is created."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from engine.coupons import CouponView
from handlers.admin.typed_coupon import CouponDraftCb
from storage.vocabulary import DiscountType
from tests.integration.test_handlers_roles import CARL, MAYA, Chats, chats
from tests.integration.test_seller_journey import labels, last_markup

__all__ = ["chats"]  # the fixture, shared with the role tests


async def _coupons(chats: Chats) -> list[CouponView]:
    return await chats.world.shop.coupons.usage(chats.world.admin)


def _draft(chats: Chats) -> CouponDraftCb:
    """The Yes under the newest preview."""
    data = last_markup(chats).inline_keyboard[0][0].callback_data
    return CouponDraftCb.unpack(str(data))


def _edited(chats: Chats) -> str:
    edits = [m for m in chats.telegram.sent if isinstance(m, EditMessageText)]
    return str(edits[-1].text)


async def test_an_admins_coupon_in_words_is_shown_back_and_created_on_yes(chats: Chats) -> None:
    [preview] = await chats.say(chats.admin, "create a coupon SAVE20 for 20% off")
    assert preview.startswith("Create this coupon?"), preview
    assert "<b>SAVE20</b> · 20% off · no usage limit · no end date" in preview
    assert labels(last_markup(chats)) == ["✅ Yes, create it", "✖ No"]
    assert await _coupons(chats) == []  # nothing yet
    yes = _draft(chats)
    await chats.tap(chats.admin, yes)
    assert _edited(chats).startswith("Coupon SAVE20 is created.")
    [made] = await _coupons(chats)
    assert (made.code, made.discount_type, made.discount_value) == (
        "SAVE20",
        DiscountType.percentage,
        Decimal("20.00"),
    )
    await chats.tap(chats.admin, yes)  # a double tap, or the same Yes much later
    assert _edited(chats) == "Coupon SAVE20 is created already."
    assert len(await _coupons(chats)) == 1


async def test_every_part_said_is_kept_and_money_is_exact(chats: Chats) -> None:
    said = "new coupon WELCOME5, 5.50 dollars off orders over $30, until 31 December, 100 uses"
    [preview] = await chats.say(chats.admin, said)
    assert "<b>WELCOME5</b> · $5.50 off orders over $30.00 · up to 100 uses" in preview
    assert "Dec 31, 2026" in preview
    await chats.tap(chats.admin, _draft(chats))
    [made] = await _coupons(chats)
    assert (made.discount_type, made.discount_value, made.min_order_amount) == (
        DiscountType.fixed,
        Decimal("5.50"),
        Decimal("30.00"),
    )
    assert (made.end_date, made.max_uses) == (date(2026, 12, 31), 100)


async def test_two_taps_at_once_create_one_coupon(chats: Chats) -> None:
    await chats.say(chats.admin, "create a coupon TWICE for 10% off")
    yes = _draft(chats)

    def tap(n: int) -> Update:
        return Update(
            update_id=90_000 + n,
            callback_query=CallbackQuery(
                id=f"double{n}",
                from_user=User(id=chats.admin, is_bot=False, first_name="Admin"),
                chat_instance=str(chats.admin),
                data=yes.pack(),
                message=Message(
                    message_id=1,
                    date=datetime.now(UTC),
                    chat=Chat(id=chats.admin, type="private"),
                    text="Create this coupon?",
                ),
            ),
        )

    await asyncio.gather(*(chats.dp.feed_update(chats.bot, tap(n)) for n in range(2)))
    assert [c.code for c in await _coupons(chats)] == ["TWICE"]


async def test_no_creates_nothing_and_its_yes_later_says_so(chats: Chats) -> None:
    await chats.say(chats.admin, "create a coupon NOPE for 10% off")
    yes = _draft(chats)
    await chats.tap(chats.admin, CouponDraftCb(key=yes.key, yes=False))
    assert _edited(chats) == "OK, no coupon was created."
    await chats.tap(chats.admin, yes)
    assert "was not created" in _edited(chats)
    assert await _coupons(chats) == []


async def test_a_typed_yes_answers_the_preview_once(chats: Chats) -> None:
    await chats.say(chats.admin, "make a code SPRING for 10% off, max 50 uses")
    [done] = await chats.say(chats.admin, "ok create it")
    assert done.startswith("Coupon SPRING is created.")
    assert [(c.code, c.max_uses) for c in await _coupons(chats)] == [("SPRING", 50)]
    again = await chats.say(chats.admin, "yes")  # nothing waits any more
    assert not any("created" in text for text in again), again
    await chats.tap(chats.admin, _draft_from_first_preview(chats))  # its Yes, after the typed one
    assert _edited(chats) == "Coupon SPRING is created already."
    assert len(await _coupons(chats)) == 1


def _draft_from_first_preview(chats: Chats) -> CouponDraftCb:
    previews = [
        m
        for m in chats.telegram.sent
        if isinstance(m, SendMessage) and str(m.text).startswith("Create this coupon?")
    ]
    markup = previews[-1].reply_markup
    assert markup is not None
    assert hasattr(markup, "inline_keyboard")
    return CouponDraftCb.unpack(str(markup.inline_keyboard[0][0].callback_data))


async def test_a_yes_typed_after_moving_on_creates_nothing(chats: Chats) -> None:
    await chats.say(chats.admin, "create a coupon LATER for 10% off")
    await chats.say(chats.admin, "/admin")  # the admin moved on
    await chats.say(chats.admin, "yes")
    assert await _coupons(chats) == []


async def test_words_missing_the_code_or_discount_ask_for_it(chats: Chats) -> None:
    [ask] = await chats.say(chats.admin, "create a coupon for 20% off")
    assert ask.startswith("What should its code be?")
    [ask] = await chats.say(chats.admin, "new coupon TEN")
    assert ask.startswith("How much off should TEN give?")
    assert await _coupons(chats) == []


async def test_a_code_refused_by_the_shop_says_why(chats: Chats) -> None:
    await chats.world.coupon("TAKEN", DiscountType.fixed, "5")
    await chats.say(chats.admin, "create a coupon TAKEN for 10% off")
    await chats.tap(chats.admin, _draft(chats))
    assert _edited(chats).startswith("A coupon TAKEN exists already")
    await chats.say(chats.admin, "create a coupon HUGE for 150% off")
    await chats.tap(chats.admin, _draft(chats))
    assert _edited(chats).startswith("Coupon HUGE was not created:")
    assert [c.code for c in await _coupons(chats)] == ["TAKEN"]


async def test_anyone_else_typing_the_same_gets_the_customers_answer(chats: Chats) -> None:
    for who in (CARL, MAYA):  # a customer, a seller
        said = await chats.say(who, "create a coupon SAVE20 for 20% off")
        assert said, who  # answered, as a customer's words are
        assert not any("Create this coupon?" in text for text in said), said
        await chats.say(who, "yes")
    assert await _coupons(chats) == []
