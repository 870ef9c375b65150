"""What the customer sees about money and the order after checkout (issue 13: 8, 9, 10, 11):
a summary and an order detail that add up on screen, a payment line that is true for the
order's state and method, the tracking number, the shop's bank details with the reference
and deadline, the pickup place, Back one step in checkout, and a question before cancelling."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

from aiogram.types import Message
from sqlalchemy import select, update

from sandbox import Emulator, SimUser
from storage.db import make_engine
from storage.models import ShippingProvider
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, at_new_address, check_out, enter_address

IBAN = "GB33BUKB20201555555555"  # BANK_TRANSFER_DETAILS in tests/e2e/conftest.py
AMOUNT = re.compile(r"(\d[\d,]*\.\d{2})")


def _amount(line: str) -> Decimal:
    """The last amount written on a line of the screen ("$1,234.50" -> 1234.50)."""
    found = AMOUNT.findall(line)
    assert found, line
    return Decimal(found[-1].replace(",", ""))


def _adds_up(text: str | None) -> dict[str, Decimal]:
    """The item lines, shipping, discount and total read from a screen; asserts that the
    lines plus shipping less the discount make the total, and the subtotal is the lines."""
    rows = (text or "").splitlines()
    items = sum((_amount(r) for r in rows if " × " in r), Decimal("0.00"))
    one = {
        key: [_amount(r) for r in rows if r.startswith(label)]
        for key, label in (
            ("subtotal", "Subtotal:"),
            ("shipping", "Shipping"),
            ("discount", "Discount"),  # "Discount:", or "Discount (CODE):" on the order
            ("total", "Total:"),
        )
    }
    assert len(one["shipping"]) == 1, text
    assert len(one["total"]) == 1, text
    assert len(one["discount"]) <= 1, text
    assert one["subtotal"] == [items], text
    discount = one["discount"][0] if one["discount"] else Decimal("0.00")
    assert items + one["shipping"][0] - discount == one["total"][0], text
    return {
        "items": items,
        "shipping": one["shipping"][0],
        "discount": discount,
        "total": one["total"][0],
    }


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


async def _open_order(user: SimUser, order_id: int) -> Message:
    await user.send("/orders")
    await user.expect_message("Your orders")
    await user.click(f"#{order_id}")
    detail = await user.expect_edit("Status:")  # (a status message may be edited meanwhile)
    assert f"Order #{order_id}\n" in (detail.text or ""), detail.text
    return detail


async def _to_payment_with_coupon(user: SimUser, address: str, provider: str, code: str) -> None:
    """Cart -> a new address -> `provider` -> coupon `code` -> "How would you like to pay?"."""
    await at_new_address(user)
    await enter_address(user, address)
    await user.expect_edit("How should it be shipped?")
    await user.click(provider)
    await user.expect_edit("coupon")
    await user.send(code)
    await user.expect_message("you save")
    await user.expect_message("How would you like to pay?")


async def test_the_order_detail_adds_up_and_tells_payment_and_tracking(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Defect 8: lines + shipping − discount = total on the summary and on the order detail,
    "paid" (not "being prepared") once it is delivered, and the tracking number shown."""
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Odile", f"Odile Lamps {mode}", f"Sum Lamp {mode}", "23.45", stock=9
    )
    buyer = await _started(tg, "Mireille")
    await add_found(buyer, f"sum lamp {mode}", f"Sum Lamp {mode}")
    await _to_payment_with_coupon(
        buyer, "9 Rue Haute, Namur, Belgium, 5000", "Standard Post", "WELCOME10"
    )
    await buyer.click("Card")
    summary = _adds_up((await buyer.expect_edit("Please confirm")).text)
    assert summary["discount"] > 0
    assert summary["shipping"] > 0
    await buyer.click("Place order")
    placed = await buyer.expect_edit("is placed")
    order = order_id_in(placed.text)
    assert _amount(placed.text or "") == summary["total"]  # the quote is what the order charges
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await buyer.expect_message("Payment received")
    await owner.expect_message(f"New order #{order}")
    tracking = f"SUMTRK{mode.upper()}42"
    await ship_and_deliver(owner, tracking)
    await buyer.expect_message("is delivered", timeout=20)

    detail = (await _open_order(buyer, order)).text or ""
    assert _adds_up(detail) == summary
    assert "Discount (WELCOME10): −$" in detail, detail  # the order names its coupon
    assert "Status: delivered" in detail
    assert "Payment: paid (" in detail
    assert "being prepared" not in detail
    assert tracking in detail


async def test_cash_on_delivery_and_a_bank_transfer_say_what_is_true(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Defects 8 and 9: cash on delivery is not "waiting for payment"; a bank transfer gives
    the shop's account, the reference and the deadline, on placing and on the order while it
    is unpaid; once cancelled, it says nothing was paid (and asks before cancelling)."""
    buyer = await _started(tg, "Bertrand")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await check_out(buyer, address="3 Quai Sud, Lyon, France, 69002", method="Cash on delivery")
    cod = order_id_in((await buyer.expect_edit("is placed")).text)
    await buyer.expect_message("You will pay")
    detail = (await _open_order(buyer, cod)).text or ""
    total = _adds_up(detail)["total"]
    (payment,) = [line for line in detail.splitlines() if line.startswith("Payment:")]
    assert payment.startswith("Payment: to pay on delivery: "), payment  # said once
    assert "Cash on delivery" not in detail, detail
    assert _amount(payment) == total

    await add_found(buyer, "pour-over kettle", "Kettle")
    await check_out(buyer, address="3 Quai Sud, Lyon, France, 69002", method="Bank transfer")
    bank = order_id_in((await buyer.expect_edit("is placed")).text)
    told = (await buyer.expect_message("Please transfer")).text or ""
    reference = re.search(r"reference (MKT\d+)", told)
    assert reference, told
    assert IBAN in told, told
    assert re.search(r"by \d{2} \w{3} \d{4}, \d{2}:\d{2} UTC", told), told

    detail = (await _open_order(buyer, bank)).text or ""
    assert "waiting for your bank transfer" in detail
    assert IBAN in detail
    assert reference.group(1) in detail
    assert "UTC" in detail
    await buyer.click("Cancel order")
    asked = await buyer.expect_edit(f"Cancel order #{bank}?")
    assert "refunded" not in (asked.text or "")  # nothing was paid: nothing goes back
    answer = await buyer.click("Yes, cancel it")
    assert "is cancelled" in str(answer.get("text"))
    detail = (await buyer.expect_edit("Status: cancelled")).text or ""
    assert "Payment: nothing was paid" in detail
    assert IBAN not in detail
    assert "waiting" not in detail


@asynccontextmanager
async def _pickup_place(shop_bot: ShopBot, place: str) -> AsyncIterator[None]:
    """The admin made the demo's "Local Pickup Point" a pickup point with this address, for
    one test: the shop is shared by the tests after it, so its own place comes back."""
    engine = make_engine(shop_bot.database_url)
    pickup = ShippingProvider.name == "Local Pickup Point"
    try:
        async with engine.begin() as connection:
            before = await connection.scalar(select(ShippingProvider.pickup_address).where(pickup))
            await connection.execute(
                update(ShippingProvider).where(pickup).values(pickup_address=place)
            )
        try:
            yield
        finally:
            async with engine.begin() as connection:
                await connection.execute(
                    update(ShippingProvider).where(pickup).values(pickup_address=before)
                )
    finally:
        await engine.dispose()


async def test_local_pickup_says_the_pickup_place_not_the_home_address(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Defect 10: the summary, the placed message and the order say where to collect it."""
    place = "Marketplace Pickup Desk, 1 Market Square, Leeds LS1 6AA"
    async with _pickup_place(shop_bot, place):
        await _collects_at(tg, place)


async def _collects_at(tg: Emulator, place: str) -> None:
    buyer = await _started(tg, "Philippa")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await at_new_address(buyer)
    await enter_address(buyer, "77 Home Road, York, United Kingdom, YO1 7HH")
    await buyer.expect_edit("How should it be shipped?")
    await buyer.click("Local Pickup")
    await buyer.expect_edit("coupon")
    await buyer.click("Skip")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Cash on delivery")
    summary = (await buyer.expect_edit("Please confirm")).text or ""
    assert f"Pick up at: {place}" in summary
    assert "Deliver to" not in summary
    assert "77 Home Road" not in summary
    await buyer.click("Place order")
    placed = await buyer.expect_edit("is placed")
    assert place in (placed.text or "")
    detail = (await _open_order(buyer, order_id_in(placed.text))).text or ""
    assert f"Pick up at: {place}" in detail
    assert "77 Home Road" not in detail


async def test_back_in_checkout_goes_one_step_back_and_keeps_the_choices(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Defect 11 (checkout): Back on the confirmation shows the payment methods again, and
    the shipping, coupon and payment steps each go one step back; nothing chosen is lost."""
    buyer = await _started(tg, "Leopold")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await _to_payment_with_coupon(
        buyer, "12 Long Lane, Bristol, United Kingdom, BS1 4DJ", "Standard Post", "WELCOME10"
    )
    await buyer.click("Card")
    first = _adds_up((await buyer.expect_edit("Please confirm")).text)
    await buyer.click("Back")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Back")
    await buyer.expect_edit("WELCOME10 is applied")  # kept, and said: Keep or Remove it
    await buyer.click("Back")
    await buyer.expect_edit("How should it be shipped?")
    await buyer.click("Back")
    await buyer.expect_edit("Where should we deliver?")
    await buyer.click("12 Long Lane")  # the address saved on the way
    await buyer.expect_edit("How should it be shipped?")
    await buyer.click("Standard Post")
    await buyer.expect_edit("How would you like to pay?")  # the coupon given is kept
    await buyer.click("Cash on delivery")
    again = await buyer.expect_edit("Please confirm")
    assert _adds_up(again.text) == first  # the coupon and the shipping are still there
    assert "Cash on delivery" in (again.text or "")
    assert "12 Long Lane" in (again.text or "")
    await buyer.click("Back")
    await buyer.expect_edit("How would you like to pay?")
    await buyer.click("Card")
    await buyer.expect_edit("Please confirm")
    await buyer.click("Place order")
    placed = await buyer.expect_edit("is placed")
    assert _amount(placed.text or "") == first["total"]


async def test_cancelling_a_paid_order_says_what_goes_back_and_an_old_yes_changes_nothing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    """Before a paid order is cancelled, the bot says how much goes back, where and when; the
    same "Yes, cancel it" tapped again, once it is cancelled, refunds nothing more."""
    buyer = await _started(tg, "Henrietta")
    await add_found(buyer, "pour-over kettle", "Kettle")
    await check_out(buyer, address="5 Canal St, Manchester, United Kingdom", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await buyer.expect_message("Payment received")
    detail = (await _open_order(buyer, order)).text or ""
    total = _adds_up(detail)["total"]
    await buyer.click("Cancel order")
    question = await buyer.expect_edit(f"Cancel order #{order}?")
    asked = question.text or ""
    assert "will be refunded to your card" in asked
    assert "business days" in asked
    assert _amount(asked.split("refunded")[0]) == total
    yes = question.reply_markup.inline_keyboard[0][0].callback_data  # type: ignore[union-attr]
    # the same question asked again on a second screen, and answered there
    await _open_order(buyer, order)
    await buyer.click("Cancel order")
    await buyer.expect_edit(f"Cancel order #{order}?")
    answer = await buyer.click("Yes, cancel it")
    assert "on its way back" in str(answer.get("text"))
    await buyer.expect_edit("Status: cancelled")
    # the first screen's "Yes" now: nothing more is cancelled or refunded
    again = await buyer.click_button(question.message_id, data=yes)
    assert "no longer possible" in str(again.get("text")), again
    detail = (await _open_order(buyer, order)).text or ""
    assert "Payment: refunded" in detail
