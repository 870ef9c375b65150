"""A seller types what the card's buttons do: "confirm it" with an order's card open, "ship
order N", and gets the buttons' steps and answers, not the customer's checkout; the same
person shopping still checks out by typing "checkout" or "confirm my order"."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in
from tests.e2e.steps import add_found, check_out, settled


def _labels(message: Message) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def _an_order_for(tg: Emulator, product: str, buyer_name: str) -> int:
    buyer = tg.user(buyer_name)
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, product, product)
    await check_out(buyer, address="5 Canal St, Manchester, United Kingdom")
    return order_id_in((await buyer.expect_edit("is placed")).text)


async def _open_first_card(seller: SimUser) -> None:
    await seller.send("/sell")
    await seller.expect_message("your store")
    await seller.click("Orders")
    await seller.expect_message("Orders to confirm")
    await seller.click("#")
    await seller.expect_edit("Order #")


async def test_a_seller_confirms_and_ships_by_typing(shop_bot: ShopBot, tg: Emulator) -> None:
    mode = shop_bot.mode
    product = f"Tide Lamp {mode}"
    seller = await open_store(shop_bot, tg, "Maya", f"Tide Store {mode}", product, "30")
    order = await _an_order_for(tg, product, "Sara")
    await seller.expect_message(f"#{order}", timeout=20)  # the new order's notice

    # no card open, no order named: which orders, nothing changed (not "Your cart is empty")
    await seller.send("confirm it")
    said = await seller.expect_message("Which order?")
    assert "/sell → Orders" in (said.text or ""), said.text

    await _open_first_card(seller)
    await seller.send("confirm it")
    card = await seller.expect_edit("Order received by the seller")  # the card, in place
    assert f"Order #{order}" in (card.text or ""), card.text
    said = await seller.expect_message(f"Order #{order} confirmed")
    assert "cart" not in (said.text or "").lower(), said.text
    # typed again: the step is taken already, nothing changes, and it says so
    await seller.send("confirm this one")
    await seller.expect_message(f"Order #{order} had moved on already")

    await seller.send(f"ship order {order}")
    await seller.expect_message(f"Send the tracking number for order #{order}")
    await seller.send("RR123456785GB")
    await seller.expect_edit("🚚 Shipped")
    await seller.expect_message(f"Order #{order} is shipped with tracking RR123456785GB")
    await seller.send(f"ship order {order}")
    await seller.expect_message(f"Order #{order} is shipped already")

    # an order with no parcel of this store's: nothing changed, where its orders are
    await seller.send("confirm order 1")
    said = await seller.expect_message("Order #1 has no parcel of your store")
    assert "/sell → Orders" in (said.text or ""), said.text


async def test_a_seller_shopping_still_checks_out_by_typing(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    product = f"Reef Lamp {mode}"
    seller = await open_store(shop_bot, tg, "Maya", f"Reef Store {mode}", product, "30")
    await add_found(seller, "pour-over kettle", "Kettle")
    await settled(seller)
    for words in ("checkout", "confirm my order", "confirm it"):
        await seller.send(words)
        cart = await seller.expect_message(where=lambda m: "Checkout" in str(m))
        assert any("Checkout" in label for label in _labels(cart)), (words, _labels(cart))
        assert "Which order?" not in (cart.text or ""), (words, cart.text)
