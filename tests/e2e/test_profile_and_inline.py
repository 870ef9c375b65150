"""A customer's profile (e-mail typed and checked, phone shared as a contact, addresses) and
inline mode (`@bot hoodie` in any chat shares product cards that link back to the shop)."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import enter_address

BOT_USERNAME = "sandbox_shop_bot"  # the emulator's bot


async def test_the_profile_keeps_email_phone_and_addresses(tg: Emulator) -> None:
    pia = tg.user("Pia")
    await pia.send("/start")
    await pia.expect_message("Welcome")
    await pia.click("Profile")
    profile = await pia.expect_edit("Your profile")
    assert "Name: Pia" in (profile.text or "")
    assert "No saved addresses yet" in (profile.text or "")

    await pia.click("E-mail")
    await pia.expect_message("Send your e-mail address")
    await pia.send("pia at example")
    await pia.expect_message("That e-mail address does not look right")
    await pia.send(f"Pia.{pia.id}@Example.com")
    await pia.expect_message(f"Your e-mail is now pia.{pia.id}@example.com")
    await pia.expect_message(f"E-mail: pia.{pia.id}@example.com")

    await pia.click("Phone")
    await pia.expect_message("Share my phone number")
    assert pia.chat.keyboard is not None, "a reply keyboard asks for the contact"
    await pia.send("12")
    await pia.expect_message("That phone number does not look right")
    await pia.press("📱 Share my phone number")
    await pia.expect_message("Your phone number is now +15550100001")
    shown = await pia.expect_message("Your profile")
    assert "Phone: +15550100001" in (shown.text or "")
    assert not (pia.chat.keyboard or {}).get("keyboard"), "the reply keyboard is gone"

    await pia.click("Add an address")
    await enter_address(pia, "5 Quay St, Galway, Ireland, H91 XY12")
    await pia.expect_edit("5 Quay St, Galway, H91 XY12, Ireland ★")
    await pia.click("Add an address")
    await enter_address(pia, "1 Pier Rd, Cobh, Ireland")
    await pia.expect_edit("1 Pier Rd, Cobh, Ireland")
    answer = await pia.click("★ 1 Pier Rd")
    assert "Saved" in str(answer.get("text"))
    moved = await pia.expect_edit("1 Pier Rd, Cobh, Ireland ★")
    assert "5 Quay St, Galway, H91 XY12, Ireland\n" in (moved.text or "") + "\n"
    await pia.click("🗑 5 Quay St")
    forgotten = await pia.expect_edit("Your profile")
    assert "Quay St" not in (forgotten.text or "")

    # the checkout offers what the profile saved
    await pia.send("kettle")
    await pia.expect_message("Results for")
    await pia.click("Kettle")
    await pia.expect_message("Sold by")
    await pia.click("Add 1 to cart")
    await pia.send("/cart")
    await pia.expect_message("Your cart")
    await pia.click("Checkout")
    where = await pia.expect_edit("Where should we deliver?")
    assert "1 Pier Rd" in str(where.reply_markup)

    # the same e-mail cannot belong to two accounts; someone else's address is not found
    ola = tg.user("Ola")
    await ola.send("/profile")
    menu = await ola.expect_message("Your profile")
    await ola.click("E-mail")
    await ola.send(f"pia.{pia.id}@example.com")
    await ola.expect_message("belongs to another account")
    answer = await ola._click(
        ola.chat.messages[menu.message_id], {"text": "x", "callback_data": "v1u:del:1"}, 5
    )
    assert "Not found" in str(answer.get("text"))


async def test_inline_mode_shares_cards_that_link_back(shop_bot: ShopBot, tg: Emulator) -> None:
    quinn = tg.user("Quinn")
    await quinn.send("/start")
    await quinn.expect_message("Welcome")
    await quinn.send("hoodie")
    await quinn.expect_message()  # search results, or "which one do you mean?" with choices
    await quinn.click("Hoodie")  # showing a card lets Telegram keep its photo's file id
    card = await quinn.expect_message("Sold by")
    assert card.photo is not None

    results = await quinn.inline_query("hoodie")
    assert results, "inline mode finds hoodies"
    for result in results:
        product_id = int(result["id"].removeprefix("p"))
        link = result["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert link == f"https://t.me/{BOT_USERNAME}?start=p_{product_id}"
        assert "hoodie" in result["title"].lower()
    photos = [r for r in results if r["type"] == "photo"]
    assert photos, "a product whose photo Telegram knows is shared as that photo"
    assert photos[0]["photo_file_id"] in tg.state.files
    assert any(r["type"] == "article" for r in results) or len(photos) == len(results)

    # the deep link opens the product in the bot's chat
    await quinn.send(f"/start p_{int(photos[0]['id'].removeprefix('p'))}")
    opened = await quinn.expect_message("Sold by")
    assert photos[0]["title"] in (opened.caption or opened.text or "")

    assert await quinn.inline_query("") != []  # an empty query offers popular products
    assert await quinn.inline_query("qqqqzzzz") == []


async def test_a_language_chosen_in_the_profile_is_spoken_everywhere_after(tg: Emulator) -> None:
    """Telegram says English; the customer picks Español in the profile. The profile turns
    Spanish at once, and so do later screens and the answers to mistakes."""
    eva = tg.user("Eva")
    await eva.send("/profile")
    await eva.expect_message("Your profile")
    await eva.click("🌐 Language: English")
    await eva.expect_edit("Which language should I speak?")
    answer = await eva.click("Español")
    assert "español" in str(answer.get("text"))
    await eva.expect_edit("Tu perfil")

    await eva.click("✉ Correo")
    await eva.expect_message("Envía tu dirección de correo electrónico")
    await eva.send("eva at example")
    await eva.expect_message("Esa dirección de correo no parece correcta")

    await eva.send("/start")
    await eva.expect_message("¡Hola de nuevo, Eva!")
