"""Every screen of the cart reads the same: a coupon kept for checkout shows under /cart, a
typed "show my cart", "what's in my basket" and a typed "checkout" alike. At "How would you
like to pay?" a typed "cash please" chooses cash as its button does (an old button tapped
after it changes nothing), "show my cart" shows it and a coupon code is applied, the checkout
staying where it was; a typed "yes" at the summary takes its Place order button away. A
message that only thanks gets a kind word, not a search."""

from __future__ import annotations

from typing import Any

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found
from tests.e2e.test_checkout_coupon_answers import _save10, _started, _to_the_coupon_question


async def test_every_cart_screen_shows_the_coupon_kept(shop_bot: ShopBot, tg: Emulator) -> None:
    await _save10(shop_bot)
    buyer = await _started(tg, "Imogen")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await buyer.send("use SAVE10")
    await buyer.expect_message("SAVE10")
    for asked in ("/cart", "show my cart", "what's in my basket", "checkout"):
        await buyer.send(asked)
        cart = await buyer.expect_message(where=lambda m: "Your cart" in str(m.get("text")))
        assert "SAVE10" in (cart.text or ""), (asked, cart.text)
        assert "used at checkout" in (cart.text or ""), (asked, cart.text)


async def _at_payment(tg: Emulator, name: str) -> SimUser:
    buyer = await _started(tg, name)
    await add_found(buyer, "pour-over kettle", "Kettle")
    await _to_the_coupon_question(buyer, "4 Tanner Street, Bath, United Kingdom, BA1 1AA")
    await buyer.click("Skip")
    await buyer.expect_edit("How would you like to pay?")
    return buyer


def _buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(b.get("text")) for row in rows for b in row]


async def test_a_typed_way_to_pay_chooses_it_once_and_a_typed_yes_spends_the_summary(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer = await _at_payment(tg, "Leopold")

    # the cart, asked for in the middle of the checkout: shown, and the question again
    await buyer.send("show my cart")
    await buyer.expect_message("Your cart")
    await buyer.expect_message("How would you like to pay?")

    await buyer.send("cash please")
    summary = await buyer.expect_message("Please confirm")
    assert "Cash on delivery" in (summary.text or ""), summary.text

    # an old button of the question answered in words: nothing chosen again
    before = len(buyer.messages)
    answered = await buyer.click("Card")
    assert "no longer active" in str(answered.get("text")), answered
    await buyer.expect_no_message(within=0.5)
    assert len(buyer.messages) == before

    await buyer.send("yes")
    await buyer.expect_message("placed")
    shown = next(m for m in buyer.messages if m["message_id"] == summary.message_id)
    assert not any("Place order" in b for b in _buttons(shown)), shown


async def test_other_ways_to_pay_typed(shop_bot: ShopBot, tg: Emulator) -> None:
    for said, chosen in (("by card", "Card"), ("bank transfer", "Bank transfer")):
        buyer = await _at_payment(tg, f"Typist {chosen}")
        await buyer.send(said)
        summary = await buyer.expect_message("Please confirm")
        assert chosen in (summary.text or ""), (said, summary.text)


async def test_a_coupon_typed_at_the_payment_step_applies_to_this_checkout(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    await _save10(shop_bot)
    buyer = await _at_payment(tg, "Philippa")
    await buyer.send("apply SAVE10")
    await buyer.expect_message("Coupon SAVE10: you save $10.00")
    await buyer.expect_message("How would you like to pay?")
    await buyer.click("Cash on delivery")
    summary = await buyer.expect_edit("Please confirm")
    assert "Discount (SAVE10): −$10.00" in (summary.text or ""), summary.text


async def test_thanks_gets_a_kind_word_not_a_search(shop_bot: ShopBot, tg: Emulator) -> None:
    buyer = await _started(tg, "Johnny")
    for said in ("thanks for the quick answer earlier!", "thank you so much"):
        await buyer.send(said)
        answer = await buyer.expect_message()
        assert "welcome" in (answer.text or ""), (said, answer.text)
        assert "Nothing matches" not in (answer.text or ""), answer.text
