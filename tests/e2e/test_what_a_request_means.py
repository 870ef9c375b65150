"""What a typed request means, as a tester typed them in the web chat (the ninth walk):

- a clear request typed while "Which one?" waits is a request of its own, not a pick;
- "one black tee is enough" sets the line to one (it showed the card with "Add 1 to cart");
- two things in one request are both added, or both taken out (the second was dropped);
- "the cheapest" among alike products is that one, and the count said stays;
- "ditch it" offers to take the product just shown out; "don't touch X" changes nothing;
- "hmm no, keep it actually" at "Cancel order #N?" keeps the order;
- stars typed at "How many stars?" ("four") are the review's stars.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out


async def _start(user: SimUser) -> None:
    await user.send("/start")
    await user.expect_message("Welcome")


def _labels(message: Message) -> list[str]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [button.text for row in rows for button in row]


async def _cart(user: SimUser) -> str:
    await user.send("/cart")
    return (await user.expect_message("Your cart")).text or ""


async def test_a_clear_request_is_no_answer_to_which_one(tg: Emulator) -> None:
    sara = tg.user("Sara")
    await _start(sara)
    await sara.send("add a sand rain jacket to my cart")
    await sara.expect_message("Added 1 × Sand Rain Jacket", timeout=60)
    await sara.send("tell me about the sand jacket")
    asked = await sara.expect_message("Which one")
    assert any("Sand Denim Jacket" in label for label in _labels(asked)), _labels(asked)
    # it names one of the options ("sand"), but it asks for something else
    await sara.send("remove the sand rain jacket from my cart")
    said = await sara.expect_message()
    assert "Sand Denim Jacket\n" not in (said.text or said.caption or ""), said
    assert "Sand Rain Jacket" not in await _cart(sara)


async def test_fewer_several_and_the_cheapest_in_one_request(tg: Emulator) -> None:
    john = tg.user("John")
    await _start(john)
    await john.send("add 3 black graphic tees")
    await john.expect_message("Added 3 × Black Graphic Tee", timeout=60)
    await john.send("one black tee is enough")
    cart = await john.expect_message("Your cart")
    assert "1 × Black Graphic Tee" in (cart.text or ""), cart.text

    await john.send("put the navy cotton tee and the grey desk lamp in my cart")
    await john.expect_message("Added 1 × Navy Cotton Tee")
    await john.expect_message("Added 1 × Grey Desk Lamp")
    held = await _cart(john)
    assert "1 × Navy Cotton Tee" in held, held
    assert "1 × Grey Desk Lamp" in held, held
    await john.send("remove the desk lamp and the navy cotton tee")
    await john.expect_message("Your cart")
    await john.expect_message("Your cart")
    held = await _cart(john)
    assert "Desk Lamp" not in held, held
    assert "Navy Cotton Tee" not in held, held
    assert "1 × Black Graphic Tee" in held, held

    await john.send("usb-c charger")  # the chargers and their prices, as the shop shows them
    found = await john.expect_message("Results")
    priced = [
        (Decimal(m[2]), m[1])
        for m in (re.match(r"(.*USB-C Charger) · \$(\d+\.\d\d)$", b) for b in _labels(found))
        if m is not None
    ]
    assert len(priced) >= 2, _labels(found)
    cheapest = min(priced)[1]
    await john.send("gimme 3 of the cheapest usb-c one")
    await john.expect_message(f"Added 3 × {cheapest}")

    await john.send("ditch it")  # the charger just added
    await john.expect_message(f"Shall I take {cheapest} out of your cart?")
    await john.send("yes")
    await john.expect_message("Your cart")
    assert cheapest not in await _cart(john)

    await john.send("dont touch the black graphic tee")
    await john.expect_message("your cart stays as it is")
    assert "1 × Black Graphic Tee" in await _cart(john)


async def test_keep_it_at_the_cancel_question_keeps_the_order(tg: Emulator) -> None:
    kim = tg.user("Kim")
    await _start(kim)
    await kim.send("add an olive pour-over kettle to my cart please")
    await kim.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await check_out(kim, address="4 Elm Row, Bath, United Kingdom", provider="Local Pickup")
    order = order_id_in((await kim.expect_edit("is placed")).text)
    await kim.expect_message("You will pay")
    await kim.send(f"cancel order {order}")
    await kim.expect_message(f"Cancel order #{order}?", timeout=60)
    await kim.send("hmm no, keep it actually")
    await kim.expect_message("OK, I did nothing")
    await kim.send("/orders")
    orders = await kim.expect_message("Your orders")
    line = next(label for label in _labels(orders) if f"#{order}" in label)
    assert "cancelled" not in line, line


async def test_stars_typed_at_how_many_stars_are_the_review(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    name = f"Sand Trail Runner {mode}"
    owner = await open_store(shop_bot, tg, "Orla", f"Orla Shoes {mode}", name, "45")
    buyer = tg.user("Petra")
    await _start(buyer)
    await add_found(buyer, f"sand trail runner {mode}", name)
    await check_out(buyer, address="9 Quay St, York, United Kingdom", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await owner.expect_message(f"New order #{order}")
    await ship_and_deliver(owner, f"ORLA-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit("Status: delivered")
    await buyer.click("Review")
    await buyer.expect_message(f"How many stars for {name}?")
    await buyer.send("four")
    await buyer.expect_message("Thank you for your review")
    await owner.expect_message("4-star review")
    await buyer.send("3")  # the question is answered: a number now is no review
    said = await buyer.expect_message()
    assert "Thank you for your review" not in (said.text or ""), said.text


async def _cash_order(user: SimUser) -> int:
    await user.send("add an olive pour-over kettle to my cart please")
    await user.expect_message("Added 1 × Olive Pour-Over Kettle", timeout=60)
    await check_out(user, address="4 Elm Row, Bath, United Kingdom", provider="Local Pickup")
    order = order_id_in((await user.expect_edit("is placed")).text)
    await user.expect_message("You will pay")
    return order


async def test_the_order_opened_by_its_button_is_the_one_meant(tg: Emulator) -> None:
    """ "Cancel it" after opening an order from My orders means that order (it asked which,
    or meant the one the words had shown last)."""
    ines = tg.user("Ines")
    await _start(ines)
    first = await _cash_order(ines)
    second = await _cash_order(ines)
    for opened, other in ((first, second), (second, first)):
        await ines.send("/orders")
        await ines.expect_message("Your orders")
        await ines.click(f"#{opened}")
        await ines.expect_edit(f"Order #{opened}")
        await ines.send("cancel it")
        asked = await ines.expect_message("Cancel order #")
        assert f"#{opened}" in (asked.text or ""), asked.text
        assert f"#{other}" not in (asked.text or ""), asked.text
        await ines.send("no")
        await ines.expect_message("OK, I did nothing")
