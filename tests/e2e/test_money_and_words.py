"""Money in the shop's currency and sentences a person would write (issue 13: 13, 14).

A shop set up with CURRENCY=EUR shows euros on every screen of a purchase; counts read as
real plurals ("1 review", "1 photo", "1 item"), a zero discount is not listed, a free-shipping
code says what it does, and a cancellation names its reason as one.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image

from sandbox import Emulator, SimUser
from sandbox.paypal import PayPalServer
from tests.e2e.conftest import ShopBot, running_shop
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out


@pytest.fixture(scope="module")
async def euro_shop(
    tmp_path_factory: pytest.TempPathFactory, stripe_base: str, paypal: PayPalServer
) -> AsyncIterator[ShopBot]:
    """The same bot and demo shop as `shop_bot` (polling), set up with CURRENCY=EUR."""
    home = tmp_path_factory.mktemp("bot-eur")
    settings = {"CURRENCY": "EUR", "VOICE_BACKEND": "off"}  # no speech models to load
    async with running_shop("polling", home, stripe_base, paypal, settings) as bot:
        yield bot


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _text(message: object) -> str:
    text = getattr(message, "text", None) or getattr(message, "caption", None)
    assert text, message
    return str(text)


def _in_euros(text: str) -> None:
    assert "€" in text, text
    assert "$" not in text, text


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


async def test_a_euro_shop_shows_euros_from_the_card_to_the_order(euro_shop: ShopBot) -> None:
    tg = euro_shop.tg
    buyer = await _started(tg, "Amélie")
    card = await add_found(buyer, "pour-over kettle", "Kettle")
    _in_euros(_text(card))

    await buyer.send("/cart")
    _in_euros(_text(await buyer.expect_message("Your cart")))

    summary = _text(await check_out(buyer, address="3 Rue Cler, Paris, France, 75007"))
    _in_euros(summary)
    assert "Discount" not in summary, summary  # no coupon: no "Discount: −€0.00" line
    placed = _text(await buyer.expect_edit("is placed"))
    _in_euros(placed)
    order = order_id_in(placed)

    await buyer.send("/orders")
    listing = await buyer.expect_message("Your orders")
    labels = [b.text for row in listing.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    mine = [label for label in labels if f"#{order}" in label]
    assert mine, labels
    _in_euros(mine[0])
    await buyer.click(f"#{order}")
    _in_euros(_text(await buyer.expect_edit(f"Order #{order}")))
    tg.assert_no_violations()


async def test_one_photo_one_item_one_review_read_in_the_singular(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot,
        tg,
        "Ottilie",
        f"Singular Lamps {mode}",
        f"Moon Lamp {mode}",
        "30",
        photos=[_png()],
    )
    listed = [_text_of(m) for m in owner.messages if "is listed" in _text_of(m)]
    assert listed, owner.messages
    assert "1 photo." in listed[-1], listed

    buyer = await _started(tg, "Wilhelmina")
    await add_found(buyer, f"moon lamp {mode}", f"Moon Lamp {mode}")
    await check_out(buyer, address="8 High St, York, United Kingdom", method="Card")
    order = order_id_in(_text(await buyer.expect_edit("is placed")))
    invoice = await buyer.expect_message(where=lambda m: "invoice" in m)
    assert invoice.invoice is not None
    assert invoice.invoice.description == "1 item from the marketplace"
    assert (await buyer.pay(invoice)).ok
    await owner.expect_message(f"New order #{order}")
    await ship_and_deliver(owner, f"MOON-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit("Status: delivered")
    await buyer.click("Review")
    await buyer.expect_message("How many stars for")
    await buyer.click("★★★")
    await buyer.expect_message("Thank you for your review")
    await buyer.click("Add a comment")
    await buyer.expect_message("Send your comment")
    await buyer.send("Soft light, a little small.")
    await buyer.expect_message("Your comment is saved")

    await buyer.send(f"moon lamp {mode}")
    found = _text(
        await buyer.expect_message(
            where=lambda m: "Results for" in _text_of(m) or "Sold by" in _text_of(m)
        )
    )
    if "Sold by" not in found:  # a list of results rather than the one product's card
        await buyer.click(f"Moon Lamp {mode}")
        found = _text(await buyer.expect_message("Sold by"))
    card = found
    assert "★★★☆☆ 3.0 · 1 review" in card, card


async def test_a_cancelled_order_gives_its_reason_as_a_reason(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    owner = await open_store(
        shop_bot, tg, "Theodora", f"Reasoned Lamps {mode}", f"Sun Lamp {mode}", "25"
    )
    buyer = await _started(tg, "Fitzgerald")
    await add_found(buyer, f"sun lamp {mode}", f"Sun Lamp {mode}")
    await check_out(buyer, address="2 Quay St, Cork, Ireland")
    order = order_id_in(_text(await buyer.expect_edit("is placed")))
    await owner.expect_message(f"New order #{order}")

    await owner.send("/sell")
    await owner.expect_message("your store")
    await owner.click("Orders")
    await owner.expect_message(f"#{order}")
    await owner.click(f"#{order}")
    await owner.expect_edit(f"Order #{order}")
    await owner.click("Reject")
    await owner.expect_message("Why can't you fulfil")
    await owner.send("Out of this size, sorry")
    told = await buyer.expect_message(f"Order #{order} is cancelled", timeout=20)
    assert "Reason: Out of this size, sorry" in _text(told), told.text


async def test_a_free_shipping_code_on_an_empty_cart_says_what_it_does(tg: Emulator) -> None:
    buyer = await _started(tg, "Ignatius")
    await buyer.send("apply FREESHIP")
    answer = _text(await buyer.expect_message("FREESHIP"))
    assert "shipping will be free" in answer, answer
    assert "save" not in answer, answer
    assert "0.00" not in answer, answer


def _text_of(message: dict[str, object]) -> str:
    return str(message.get("text") or message.get("caption") or "")
