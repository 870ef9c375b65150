"""A review's comment is asked for, never taken from whatever comes next: after the stars,
typed words search as always, and only "Add a comment" makes the next text the comment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import Emulator
from storage.db import make_engine
from storage.models import Product, Review, User
from tests.e2e.conftest import ShopBot
from tests.e2e.market_steps import open_store, order_id_in, ship_and_deliver
from tests.e2e.steps import add_found, check_out


def _text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def test_text_after_the_stars_searches_and_the_comment_is_asked(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    mode = shop_bot.mode
    name = f"Teal Road Runner {mode}"
    owner = await open_store(shop_bot, tg, "Odile", f"Odile Shoes {mode}", name, "40")
    buyer = tg.user("Perpetua")
    await buyer.send("/start")
    await buyer.expect_message("Welcome")
    await add_found(buyer, f"teal road runner {mode}", name)
    await check_out(buyer, address="9 Quay St, York, United Kingdom", method="Card")
    order = order_id_in((await buyer.expect_edit("is placed")).text)
    assert (await buyer.pay(await buyer.expect_message(where=lambda m: "invoice" in m))).ok
    await owner.expect_message(f"New order #{order}")
    await ship_and_deliver(owner, f"ODILE-{mode}-1")
    await buyer.expect_message("is delivered", timeout=20)

    await buyer.send("/orders")
    await buyer.expect_message("Your orders")
    await buyer.click(f"#{order}")
    await buyer.expect_edit("Status: delivered")
    await buyer.click("Review")
    await buyer.expect_message(f"How many stars for {name}?")
    await buyer.click("★★★★")
    thanks = await buyer.expect_message("Thank you for your review")
    labels = [b.text for row in thanks.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert any("Add a comment" in label for label in labels), labels
    await owner.expect_message("4-star review")

    product = select(Product.product_id).where(Product.name == name)
    mine = select(User.user_id).where(User.telegram_id == buyer.id)
    review = select(Review.rating, Review.comment).where(
        Review.product_id == product.scalar_subquery(), Review.user_id == mine.scalar_subquery()
    )

    async def stored() -> tuple[int, str | None]:
        engine = make_engine(shop_bot.database_url)
        try:
            async with engine.connect() as connection:
                rating, comment = (await connection.execute(review)).one()
                return rating, comment
        finally:
            await engine.dispose()

    # typed words right after the thanks are a search, not the review's comment
    await buyer.send(name)
    await buyer.expect_message(
        where=lambda m: "Results for" in _text_of(m) or "Sold by" in _text_of(m)
    )
    assert await stored() == (4, None)

    # asked for, the next text is the comment
    await buyer.click("Add a comment")
    await buyer.expect_message("Send your comment")
    await buyer.send("Light and quick on wet roads.")
    await buyer.expect_message("Your comment is saved")
    assert await stored() == (4, "Light and quick on wet roads.")

    # and the text after that searches again
    await buyer.send(name)
    await buyer.expect_message(
        where=lambda m: "Results for" in _text_of(m) or "Sold by" in _text_of(m)
    )
    assert await stored() == (4, "Light and quick on wet roads.")
