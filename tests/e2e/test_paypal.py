"""Paying with PayPal through the chat: an approval link, "I have paid" (refused until the
payer approved), the capture recorded once however often it is tapped, and a cancellation
refunded at PayPal. PayPal is the local PayPal-compatible server (sandbox/paypal.py)."""

from __future__ import annotations

from decimal import Decimal

from sandbox import Emulator
from sandbox.paypal import PayPalServer
from tests.e2e.steps import add_found, check_out


async def test_pay_with_paypal_then_cancel_and_get_it_back(
    tg: Emulator, paypal: PayPalServer
) -> None:
    fay = tg.user("Fay")
    await fay.send("/start")
    await fay.expect_message("Welcome")
    await add_found(fay, "pour-over kettle", "Kettle")
    await check_out(fay, address="3 Rue Haute, Lyon, France, 69001", method="PayPal")
    link = await fay.expect_message("Pay with PayPal")
    assert link.reply_markup is not None
    approve_url = link.reply_markup.inline_keyboard[0][0].url
    assert approve_url is not None
    assert approve_url.startswith(paypal.base_url)
    paypal_id = approve_url.split("token=")[1]
    order = paypal.orders[paypal_id]
    assert order.status == "PAYER_ACTION_REQUIRED"

    # tapping "I have paid" before approving takes nothing and says why
    answer = await fay.click("I have paid")
    assert "has not received your approval" in str(answer.get("text"))
    assert order.capture is None

    paypal.approve(paypal_id)  # the payer approves on PayPal's page
    await fay.click("I have paid")
    await fay.expect_edit("Thank you")
    assert order.status == "COMPLETED"
    assert order.capture is not None
    # a second tap (on the stale button) pays nothing twice
    answer = await fay.click_button(link.message_id, index=1)
    assert "Thank you" in str(answer.get("text")) or answer.get("text") is None
    assert order.refunded == Decimal("0.00")

    await fay.send("/orders")
    await fay.expect_message("Your orders")
    await fay.click("paid, being prepared")
    await fay.expect_edit("Status: paid")
    await fay.click("Cancel order")
    await fay.expect_edit("will be refunded to your PayPal account")
    answer = await fay.click("Yes, cancel it")
    assert "on its way back" in str(answer.get("text"))
    assert order.refunded == Decimal(str(order.capture["amount"]["value"]))


async def test_someone_elses_paypal_order_cannot_pay_mine(
    tg: Emulator, paypal: PayPalServer
) -> None:
    """A forged "I have paid" naming another customer's approved PayPal order is refused
    before anything is captured."""
    gil, hal = tg.user("Gil"), tg.user("Hal")
    links = []
    for who in (gil, hal):
        await who.send("/start")
        await who.expect_message("Welcome")
        await add_found(who, "pour-over kettle", "Kettle")
        await check_out(who, address="9 Via Roma, Turin, Italy, 10121", method="PayPal")
        link = await who.expect_message("Pay with PayPal")
        assert link.reply_markup is not None
        links.append(link.reply_markup.inline_keyboard)
    hal_url = links[1][0][0].url
    assert hal_url is not None
    hal_paypal = hal_url.split("token=")[1]
    paypal.approve(hal_paypal)
    gil_data = links[0][1][0].callback_data
    assert gil_data is not None
    gil_order = gil_data.split(":")[1]
    forged = {"text": "x", "callback_data": f"v1pp:{gil_order}:{hal_paypal}"}
    menu = gil.last_bot_message()
    assert menu is not None
    answer = await gil._click(menu, forged, 5)
    assert "Thank you" not in str(answer.get("text"))
    assert paypal.orders[hal_paypal].capture is None  # Hal's money untouched
    assert paypal.orders[hal_paypal].status == "APPROVED"
