"""Questions about the shop's own rules ("how much is shipping?", "what is your returns
policy?", "how can I pay?", "how do I change my e-mail?") are answered from the rules the
checkout and the returns apply (engine.policies), on both databases; before, they were
off-topic or the general help."""

from __future__ import annotations

from engine.accounts import TelegramIdentity
from handlers.i18n import price
from storage.vocabulary import money
from tests.integration.test_customer_walk_fixes import chats
from tests.integration.test_handlers_roles import CARL, Chats

__all__ = ["chats"]


async def test_shipping_questions_list_the_open_providers_with_their_prices(chats: Chats) -> None:
    shop, admin = chats.world.shop, chats.world.admin
    await shop.shipping.create_provider(admin, "Night Owl Express", "12.50", estimated_days=1)
    closed = await shop.shipping.create_provider(admin, "Slow Boat", "1.00", estimated_days=30)
    await shop.shipping.update_provider(admin, closed.provider_id, active=False)
    await shop.accounts.register_from_telegram(TelegramIdentity(CARL, "Carl"))
    for question in ("how much is shipping?", "do you ship to Ireland"):
        said = "\n".join(await chats.say(CARL, question))
        assert f"Night Owl Express: {price(money('12.50'))} per parcel, about 1 day" in said
        assert f"Speedy: {price(money('5.00'))} per parcel" in said  # the world's own
        assert "Slow Boat" not in said  # switched off
        assert said.index("Speedy") < said.index("Night Owl")  # cheapest first


async def test_the_returns_policy_is_the_return_window(chats: Chats) -> None:
    said = "\n".join(await chats.say(CARL, "what is your refund policy?"))
    days = chats.dp["shop"].deps.rules.return_window.days
    assert f"within {days} days of delivery" in said


async def test_payment_questions_name_the_methods_the_checkout_offers(chats: Chats) -> None:
    said = "\n".join(await chats.say(CARL, "which payment methods do you accept?"))
    assert "Paying" in said
    assert "Cash on delivery" in said


async def test_changing_the_email_opens_the_profile(chats: Chats) -> None:
    said = await chats.say(CARL, "how do I change my email?")
    assert any(text.startswith("<b>Your profile</b>") for text in said), said  # its buttons too
