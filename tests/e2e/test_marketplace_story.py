"""One cart, two stores: both sellers hear of the order and each ships its own part; the
customer follows both parcels; after the return window an admin runs payouts and each seller
reads its own statement and sees the payout in its store."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import deliveries_age, open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out


async def test_a_two_store_cart_is_shipped_by_each_seller_and_paid_out(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    lamps = await open_store(
        shop_bot, tg, "Lina", f"Lina Lights {mode}", f"Amber Lamp {mode}", "40"
    )
    mugs = await open_store(
        shop_bot,
        tg,
        "Omar",
        f"Omar Mugs {mode}",
        f"Stone Mug {mode}",
        "12.50",
        category="Home & Kitchen › Kitchen › Coffee",
    )

    buyer = tg.user("Rosa")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"amber lamp {mode}", f"Amber Lamp {mode}")
    await add_found(buyer, f"stone mug {mode}", f"Stone Mug {mode}")
    await buyer.send("/cart")
    cart = await buyer.expect_message("Your cart")
    assert f"Amber Lamp {mode}" in (cart.text or "")
    assert f"Stone Mug {mode}" in (cart.text or "")
    await check_out(buyer, address="4 Rose Lane, Porto, Portugal, 4000-123")
    placed = await buyer.expect_edit("is placed")
    order_id = order_id_in(placed.text)
    await buyer.expect_message("You will pay")

    # each seller is alerted about the same order and sees only its own line
    for owner, mine, theirs in (
        (lamps, "Amber Lamp", "Stone Mug"),
        (mugs, "Stone Mug", "Amber Lamp"),
    ):
        alert = await owner.expect_message("New order")
        assert f"#{order_id}" in (alert.text or "")
        await owner.click("Open my store")  # the alert's button opens the orders to handle
        part = await owner.expect_message(f"#{order_id} ·")  # the list of orders to confirm
        assert mine in (part.text or "")
        assert theirs not in (part.text or "")

    await ship_and_deliver(lamps, f"LINA-{mode}-1")
    await buyer.expect_message("is on its way")  # a push; the status card shows 🚚 Shipped
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order_id}")
    detail = await buyer.expect_edit(f"Order #{order_id}")
    assert "Status: delivered" not in (detail.text or "")  # one parcel of two has arrived
    await ship_and_deliver(mugs, f"OMAR-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)
    await buyer.click("Track")
    tracking = await buyer.expect_edit("Delivery of order")
    assert (tracking.text or "").count("Delivered") == 2

    # two weeks pass: the return window closes, and the admin pays the sellers
    await deliveries_age(shop_bot, order_id, days=15)
    await shop_bot.admin.send("/payouts")
    preview = await shop_bot.admin.expect_message("Payouts due")  # nothing paid before Pay
    assert "Sales $40.00 − commission $4.00 − refunds $0.00 = $36.00" in (preview.text or "")
    await shop_bot.admin.click("Pay")
    made = await shop_bot.admin.expect_edit("created")
    assert not (made.text or "").startswith("0 ")
    for owner, sales, commission, due in (
        (lamps, "40.00", "4.00", "36.00"),
        (mugs, "12.50", "1.25", "11.25"),
    ):
        statement = await owner.expect_message("Payout statement", timeout=20)
        words = (statement.text or "").lower()
        assert f"sales ${sales}" in words  # exact amounts: 10% commission
        assert f"commission ${commission}" in words
        assert f"${due}" in words
    await lamps.click("Open my store")
    await lamps.click("Payouts")
    payouts = await lamps.expect_message("$36.00")
    assert "being sent" in (payouts.text or "")  # made, not sent yet
    assert "On its way to you: $36.00" in (payouts.text or "")
    await shop_bot.admin.send("/payouts")  # nothing is paid twice
    again = await shop_bot.admin.expect_message("Payouts due")
    assert "Nothing is due now" in (again.text or "")


async def test_a_bank_transfer_order_goes_from_transfer_to_delivery(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Pay by bank transfer: the customer gets the reference, the admin confirms the money
    with /paid, the seller ships, and the customer follows it to the door."""
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Ines", f"Ines Candles {mode}", f"Beeswax Candle {mode}", "18"
    )
    buyer = tg.user("Tomas")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"beeswax candle {mode}", f"Beeswax Candle {mode}")
    await check_out(buyer, address="2 Rua Nova, Braga, Portugal, 4700-001", method="Bank transfer")
    placed = await buyer.expect_edit("is placed")
    order_id = order_id_in(placed.text)
    instructions = await buyer.expect_message("Please transfer")
    assert (
        f"ORDER-{order_id}" in (instructions.text or "")
        or "reference" in (instructions.text or "").lower()
    )
    said = [m.get("text") or "" for m in owner.messages if m["from"]["is_bot"]]
    assert not any("New order" in text for text in said)  # unpaid: nothing to prepare yet

    await shop_bot.admin.send(f"/paid {order_id}")
    await shop_bot.admin.expect_message(f"Order #{order_id} is marked paid")
    await buyer.expect_message(f"received for order #{order_id}", timeout=20)
    await owner.expect_message("New order", timeout=20)  # the seller hears once it is paid

    await ship_and_deliver(owner, f"INES-{mode}-1")
    await buyer.expect_message("is on its way")  # a push; the status card shows 🚚 Shipped
    await buyer.expect_message("is delivered", timeout=20)
    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order_id}")
    detail = await buyer.expect_edit(f"Order #{order_id}")
    assert "Status: delivered" in (detail.text or "")
