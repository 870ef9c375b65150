"""Issue 16 through the real bot: negated requests change nothing, a shop verb on something
the shop does not have is no shop action, and counts in words are read whole."""

from __future__ import annotations

from sandbox import Emulator, SimUser
from tests.e2e.steps import check_out


async def _start(user: SimUser) -> None:
    await user.send("/start")
    await user.expect_message("Welcome")


async def test_a_negated_request_changes_nothing(tg: Emulator) -> None:
    ada = tg.user("Ada")
    await _start(ada)
    await ada.send("don't add the olive pour-over kettle to my cart")
    reply = await ada.expect_message(timeout=60)
    assert "Added" not in (reply.text or "")
    assert "OK, nothing is added to your cart" in (reply.text or "")
    await ada.send("/cart")
    await ada.expect_message("Your cart is empty")


async def test_a_shop_verb_on_something_else_is_not_a_shop_action(tg: Emulator) -> None:
    """With an order that could be cancelled, "cancel my gym membership" offers no
    cancellation."""
    bo = tg.user("Bo")
    await _start(bo)
    await bo.send("add an olive pour-over kettle to my cart please")
    await bo.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await check_out(bo, address="4 Elm Row, Bath, United Kingdom", provider="Local Pickup")
    await bo.expect_edit("is placed")
    await bo.expect_message("You will pay")
    await bo.send("cancel my gym membership")
    reply = await bo.expect_message(timeout=60)
    assert "Cancel order #" not in (reply.text or "")
    assert "Yes, cancel it" not in str(reply.reply_markup)
    await bo.send("i do not want to cancel my order")
    reply = await bo.expect_message(timeout=60)
    assert "Cancel order #" not in (reply.text or "")
    assert "OK, your order stays as it is" in (reply.text or "")


async def test_a_count_in_words_is_read_whole(tg: Emulator) -> None:
    cy = tg.user("Cy")
    await _start(cy)
    await cy.send("add twenty one olive pour-over kettles to my cart")
    await cy.expect_message("Added 21 × Olive Pour-Over Kettle", timeout=60)


async def test_two_requests_in_one_message_are_both_done_in_order(tg: Emulator) -> None:
    di = tg.user("Di")
    await _start(di)
    await di.send("add 2 olive pour-over kettles to my cart and then check out")
    await di.expect_message("Added 2 × Olive Pour-Over Kettle", timeout=60)
    cart = await di.expect_message("Your cart", timeout=30)  # checkout's one-tap confirmation
    assert "2 × Olive Pour-Over Kettle" in (cart.text or "")
    await di.click("Checkout")
    await di.expect_edit("Where should we deliver?")


async def test_a_spoken_coupon_code_is_the_shop_s_code(tg: Emulator) -> None:
    """ "save five" is SAVE5 because the shop has that code (its codes come from the engine)."""
    ed = tg.user("Ed")
    await _start(ed)
    await ed.send("add an olive pour-over kettle to my cart")
    await ed.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await ed.send("apply the coupon save five")
    reply = await ed.expect_message(timeout=60)
    assert "SAVE5" in (reply.text or ""), reply.text


async def test_a_sold_out_product_is_called_sold_out(tg: Emulator) -> None:
    """Not "only 0 left in stock" (the demo's Teal Wrap Dress has none)."""
    fay = tg.user("Fay")
    await _start(fay)
    await fay.send("add a teal wrap dress to my cart")
    reply = await fay.expect_message(timeout=60)
    assert "sold out" in (reply.text or ""), reply.text
    assert "only 0" not in (reply.text or "")


async def test_a_thing_the_shop_does_not_sell_is_never_the_last_product_shown(
    tg: Emulator,
) -> None:
    """After a product card, "add two surfboards" in a shop without them added two of the
    product on the card (the walkthrough: "Added 2 × White Zip Hoodie")."""
    ed = tg.user("Ed")
    await _start(ed)
    await ed.send("tell me about the olive pour-over kettle")
    await ed.expect_message("Olive Pour-Over Kettle", timeout=60)
    await ed.send("add two surfboards")
    reply = await ed.expect_message(timeout=60)
    assert "Added" not in (reply.text or "")
    await ed.send("add two")  # "it" is still the kettle
    await ed.expect_message("Added 2 × Olive Pour-Over Kettle", timeout=60)
    await ed.send("/cart")
    cart = await ed.expect_message("Your cart", timeout=30)
    assert "2 × Olive Pour-Over Kettle" in (cart.text or "")


async def test_empty_my_cart_asks_to_empty_all_of_it(tg: Emulator) -> None:
    """ "empty my cart" removed only the product the chat showed last, without a word."""
    fe = tg.user("Fe")
    await _start(fe)
    await fe.send("add an olive pour-over kettle to my cart")
    await fe.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await fe.send("add a red pour-over kettle to my cart")
    await fe.expect_message("Added 1 × Red Pour-Over Kettle", timeout=60)
    await fe.send("empty my cart")
    await fe.expect_message("Empty the cart? 2 items", timeout=60)
    await fe.send("/cart")
    cart = await fe.expect_message("Your cart", timeout=30)
    assert "Olive Pour-Over Kettle" in (cart.text or "")
    assert "Red Pour-Over Kettle" in (cart.text or "")


async def test_declining_a_coupon_given_before_drops_it(tg: Emulator) -> None:
    """ "actually don't use the coupon" answered "OK, no coupon." and the checkout summary
    still took the coupon off."""
    gus = tg.user("Gus")
    await _start(gus)
    await gus.send("add an olive pour-over kettle to my cart")
    await gus.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await gus.send("use WELCOME10")
    await gus.expect_message("will be used at checkout", timeout=60)
    await gus.send("actually don't use the coupon")
    reply = await gus.expect_message(timeout=60)
    assert "no coupon" in (reply.text or ""), reply.text
    summary = await check_out(
        gus, address="4 Elm Row, Bath, United Kingdom", provider="Local Pickup"
    )
    assert "Discount" not in (summary.text or ""), summary.text
