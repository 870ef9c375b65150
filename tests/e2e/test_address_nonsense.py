"""The address form refuses nonsense kindly, asks the same question again and saves nothing
until a real address is given; a real address from another country goes through."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import Emulator, SimUser
from storage.db import make_engine
from storage.models import Address, User
from tests.e2e.conftest import ShopBot


async def _saved(shop_bot: ShopBot, user: SimUser) -> list[Any]:
    engine = make_engine(shop_bot.database_url)
    mine = select(User.user_id).where(User.telegram_id == user.id).scalar_subquery()
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                select(Address.street, Address.city, Address.postal_code, Address.country).where(
                    Address.user_id == mine
                )
            )
            return list(result.all())
    finally:
        await engine.dispose()


async def _refused(user: SimUser, typed: str, said: str, asked: str) -> None:
    """`typed` is refused with `said`, and the same question (`asked`) is open again."""
    await user.send(typed)
    answer = await user.expect_message(said)
    assert asked in (answer.text or ""), answer.text
    assert "Back" in str(answer.reply_markup), answer.reply_markup


async def test_nonsense_in_the_address_form_is_refused_and_a_canadian_address_is_saved(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    gus = tg.user("Augustin")
    await gus.send("/profile")
    await gus.expect_message("Your profile")
    await gus.click("Add an address")
    await gus.expect_edit("step 1 of 4")
    street = "Send the street"
    await _refused(gus, "x", "does not look like a street", street)
    await _refused(gus, "@@ Wellington $$$", "leave out other symbols", street)
    await _refused(gus, "24 Sussex Drive " * 200, "under 255 characters", street)
    await gus.send("24 Sussex Drive")
    await gus.expect_message("town or city")
    city = "Send the town or city"
    await _refused(gus, "12345", "A town or city is a name", city)
    await _refused(gus, "Ottawa!!!", "without other symbols", city)
    await gus.send("Ottawa")
    await gus.expect_message("postal code")
    await _refused(gus, "asdf!!", "does not look like a postal code", "Send the postal code")
    await gus.send("k1m1m4")
    await gus.expect_message("Send the country")
    await gus.send("Canada")
    review = await gus.expect_message("Is this address right?")
    assert "Postal code: K1M 1M4" in (review.text or ""), review.text
    assert await _saved(shop_bot, gus) == [], "nothing is saved before ✅ Save"
    await gus.click("Save")
    await gus.expect_edit("Your profile", timeout=15)
    assert await _saved(shop_bot, gus) == [("24 Sussex Drive", "Ottawa", "K1M 1M4", "Canada")]
