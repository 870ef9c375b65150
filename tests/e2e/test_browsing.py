"""Browsing as a shopper does: Back leads where it came from, the path is shown, sold-out
products say so in every list, reviews are read from the card, a sold-out product can be
watched, every photo can be seen, and a product's name typed alone opens it (issue 13: 11,
and the product card)."""

from __future__ import annotations

import io
import re
from typing import Any

from aiogram.types import Message
from PIL import Image
from sqlalchemy import func, select

from sandbox import Emulator, SimUser
from storage.db import make_engine, make_sessionmaker
from storage.models import Product, Seller, User, Wishlist, WishlistItem
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store


async def _started(tg: Emulator, name: str) -> SimUser:
    user = tg.user(name)
    await user.send("/start")
    await user.expect_message("Welcome")
    return user


def _labels(message: Message) -> list[str]:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else []
    return [button.text for row in rows for button in row]


async def _search(user: SimUser, words: str) -> Message:
    """🔎 Search, then `words`: the results."""
    await user.send("/start")
    await user.expect_message("Welcome")
    await user.click("🔎 Search")
    await user.expect_message("Type what you are looking for")
    await user.send(words)
    return await user.expect_message("Results for")


async def _count(shop_bot: ShopBot, statement: Any) -> int:
    engine = make_engine(shop_bot.database_url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(statement)).scalar_one())
    finally:
        await engine.dispose()


async def test_back_from_a_category_list_goes_to_its_parent_with_the_path_shown(
    tg: Emulator,
) -> None:
    ada = await _started(tg, "Adelheid")
    await ada.click("🛍 Browse")
    await ada.expect_edit("Choose a category")
    await ada.click("Fashion")
    await ada.expect_edit("Fashion")
    await ada.click("Men")
    men = await ada.expect_edit("Fashion › Men")
    assert "T-Shirts" in _labels(men), _labels(men)
    await ada.click("T-Shirts")
    tees = await ada.expect_edit("Fashion › Men › T-Shirts")
    sold_out = [label for label in _labels(tees) if label.startswith("Navy Graphic Tee")]
    assert sold_out, _labels(tees)
    assert sold_out[0].endswith("sold out"), _labels(tees)
    assert not any(
        label.endswith("sold out") for label in _labels(tees) if "Cotton Tee" in label
    ), _labels(tees)

    await ada.click("Back")  # from the leaf's products: Men, where T-Shirts was chosen
    back = await ada.expect_edit("Fashion › Men")
    assert {"T-Shirts", "Hoodies"} <= set(_labels(back)), _labels(back)
    assert "Welcome" not in (back.text or "")
    await ada.click("Back")
    fashion = await ada.expect_edit("Fashion")
    assert {"Men", "Women"} <= set(_labels(fashion)), _labels(fashion)

    # a product opened from the list: its Back returns to that list
    await ada.click("Men")
    await ada.expect_edit("Fashion › Men")
    await ada.click("Hoodies")
    await ada.expect_edit("Fashion › Men › Hoodies")
    await ada.click("Sand Zip Hoodie")
    await ada.expect_message("Sold by")
    await ada.click("Back")
    again = await ada.expect_message("Fashion › Men › Hoodies")
    assert any(label.startswith("Sand Zip Hoodie") for label in _labels(again))


async def test_back_from_a_found_product_returns_to_the_same_page_of_results(
    tg: Emulator,
) -> None:
    bea = await _started(tg, "Beatrix")
    first = await _search(bea, "olive")
    assert "(page 1/" in (first.text or ""), first.text
    await bea.click("▶")
    page_two = await bea.expect_edit("(page 2/")
    product = next(label for label in _labels(page_two) if "·" in label)
    await bea.click(product)
    card = await bea.expect_message("Sold by")
    assert product.split(" · ")[0] in str(card.text or card.caption)
    await bea.click("Back")
    results = await bea.expect_message("Results for")
    assert "(page 2/" in (results.text or ""), results.text
    assert product in _labels(results), _labels(results)


async def test_sold_out_is_marked_in_search_results(tg: Emulator) -> None:
    cleo = await _started(tg, "Cleopatra")
    found = await _search(cleo, "graphic tee")
    labels = _labels(found)
    navy = next(label for label in labels if label.startswith("Navy Graphic Tee"))
    black = next(label for label in labels if label.startswith("Black Graphic Tee"))
    assert navy.endswith("· sold out"), labels
    assert "sold out" not in black, labels


async def test_reviews_are_read_from_the_card_and_back_leads_to_it(tg: Emulator) -> None:
    dora = await _started(tg, "Dorothea")
    await _search(dora, "grey floor lamp")
    await dora.click("Grey Floor Lamp")
    card = await dora.expect_message("Sold by")
    reviews_button = next(label for label in _labels(card) if "Reviews" in label)
    counted = re.search(r"\((\d+)\)", reviews_button)
    assert counted is not None, reviews_button
    count = int(counted.group(1))
    assert count >= 2, reviews_button  # the demo's lamp has been reviewed
    await dora.click(reviews_button)
    reviews = await dora.expect_edit("Reviews of Grey Floor Lamp")
    shown = str(reviews.text or reviews.caption)
    assert shown.count("★") >= count, shown  # every review shows its stars
    assert "(page 1/1)" in shown, shown
    await dora.click("Back to the product")
    again = await dora.expect_edit("Sold by")
    assert "Grey Floor Lamp" in str(again.text or again.caption)
    assert reviews_button in _labels(again)


async def test_notify_me_when_back_is_kept_once_and_the_job_tells_when_it_is_back(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    from engine.base import Deps
    from engine.shop import Shop
    from storage.uow import UnitOfWork

    eli = await _started(tg, "Elisabetta")
    found = await _search(eli, "red canvas sneaker")
    assert any(label.endswith("sold out") for label in _labels(found)), _labels(found)
    await eli.click("Red Canvas Sneaker")
    card = await eli.expect_message("Sold by")
    assert "Sold out" in str(card.text or card.caption)
    assert "Add 1 to cart" not in " ".join(_labels(card))
    first = await eli.click("Notify me when back")
    assert "We will message you" in str(first.get("text")), first
    second = await eli.click("Notify me when back")  # tapped twice: kept once
    assert "already" in str(second.get("text")), second
    product = select(Product.product_id).where(Product.name == "Red Canvas Sneaker")
    mine = select(User.user_id).where(User.telegram_id == eli.id)
    kept = (
        select(func.count())
        .select_from(WishlistItem)
        .join(Wishlist, Wishlist.wishlist_id == WishlistItem.wishlist_id)
        .where(
            Wishlist.user_id == mine.scalar_subquery(),
            WishlistItem.product_id == product.scalar_subquery(),
        )
    )
    assert await _count(shop_bot, kept) == 1

    # the seller restocks it; the scheduler's back-in-stock job runs: she is told, once
    engine = make_engine(shop_bot.database_url)
    try:
        shop = Shop(Deps(uow=lambda: UnitOfWork(make_sessionmaker(engine))))
        async with engine.connect() as connection:
            product_id, seller_user = (
                await connection.execute(
                    select(Product.product_id, Seller.user_id)
                    .join(Seller, Seller.seller_id == Product.seller_id)
                    .where(Product.name == "Red Canvas Sneaker")
                )
            ).one()
        await shop.inventory.restock(seller_user, product_id, 3)
        assert await shop.housekeeping.back_in_stock() >= 1
        await shop.housekeeping.back_in_stock()  # a second run tells nobody again
    finally:
        await engine.dispose()
    await eli.expect_message("Red Canvas Sneaker is back in stock", timeout=20)
    await eli.expect_no_message(within=2.0)


def _picture(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


async def test_every_photo_of_a_product_can_be_seen_from_its_card(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    name = f"Twin Vase {mode}"
    await open_store(
        shop_bot,
        tg,
        "Philippa",
        f"Philippa Pots {mode}",
        name,
        "22",
        photos=[_picture("red"), _picture("blue")],
    )
    fay = await _started(tg, "Fiametta")
    await _search(fay, name.lower())
    await fay.click(name)
    card = await fay.expect_message("Sold by")
    assert card.photo, "the card shows the first photo"
    await fay.click("All photos (2)")
    album = [await fay.expect_message(where=lambda m: "photo" in m) for _ in range(2)]
    assert album[0].media_group_id is not None
    assert album[0].media_group_id == album[1].media_group_id
    assert album[0].photo
    assert album[1].photo
    assert album[0].photo[-1].file_unique_id != album[1].photo[-1].file_unique_id


async def test_a_product_name_alone_opens_that_product_and_buys_nothing(tg: Emulator) -> None:
    gia = await _started(tg, "Giacinta")
    await gia.send("white zip hoodie")
    card = await gia.expect_message("Sold by", timeout=60)
    assert "White Zip Hoodie" in str(card.text or card.caption)
    await gia.send("/cart")
    await gia.expect_message("Your cart is empty")

    # a name that fits two products equally: the results, as every search shows them
    await gia.send("zip hoodie")
    results = await gia.expect_message("Results for")
    labels = _labels(results)
    assert any(label.startswith("White Zip Hoodie") for label in labels), labels
    assert any(label.startswith("Sand Zip Hoodie") for label in labels), labels
    assert "Back" in " ".join(labels)
