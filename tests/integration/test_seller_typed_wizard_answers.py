"""What a seller (Maya, the demo seller) typed in the add-product wizard and at the tracking
number's question, through the real Dispatcher on both databases:

- at the category step, a category's name typed ("hoodies", "home & kitchen", "clothng")
  picks it when it names exactly one (a leaf is chosen, a parent opens its level); one that
  names none or several shows the choices with a line saying so, and changes nothing;
  "back" is the Back button;
- at the description step, what is plainly a price ("12.50", "€12.50", "12,50 eur") is not
  stored as the description unasked: one tap keeps it, or the description is typed;
- a 150-character paste at the tracking number's question reaches the engine whole and is
  refused with its answer, not cut to a "valid" 100 characters."""

from __future__ import annotations

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from handlers.callbacks import NewProductCb, SellerAction, SellerCb, ShipmentAction, ShipmentCb
from handlers.seller.cb import PickCategoryCb, PriceAsDescriptionCb
from storage.vocabulary import ShipmentStatus
from tests.integration.test_handlers_roles import MAYA, STALE, Chats
from tests.integration.test_handlers_roles import chats as chats  # the fixture
from tests.integration.test_pickup_parcels_ship_without_a_number import _carls_order, _courier
from tests.integration.test_seller_journey import maya

TOO_LONG = (
    "That is too long for a tracking number: one has at most 100 characters. Please check "
    "it and send it again."
)


async def _tree(chats: Chats) -> dict[str, int]:
    """The world's Clothing › Hoodies, and around it: Clothing › T-Shirts and › Accessories,
    Electronics › Accessories, Home & Kitchen › Kitchen › Coffee, and Home Office."""
    world = chats.world
    catalog = world.shop.catalog
    ids = {"Clothing": world.top_category, "Hoodies": world.category}

    async def add(name: str, parent: str | None = None, key: str | None = None) -> None:
        made = await catalog.create_category(
            world.admin, name, parent_id=ids[parent] if parent else None
        )
        ids[key or name] = made.category_id

    await add("T-Shirts", "Clothing")
    await add("Accessories", "Clothing", "Clothing Accessories")
    await add("Electronics")
    await add("Accessories", "Electronics", "Electronics Accessories")
    await add("Home & Kitchen")
    await add("Kitchen", "Home & Kitchen")
    await add("Coffee", "Kitchen")
    await add("Home Office")
    return ids


async def _at_the_category(chats: Chats, name: str = "Desk Lamp") -> None:
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, name)
    said = await chats.say(MAYA, "A lamp for the desk, warm light.")
    assert any("Which category?" in text for text in said), said


def _markup(chats: Chats) -> InlineKeyboardMarkup:
    sent = [m for m in chats.telegram.sent if isinstance(m, SendMessage)]
    markup = sent[-1].reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return markup


def _labels(chats: Chats) -> list[str]:
    return [b.text for row in _markup(chats).inline_keyboard for b in row]


def _keep_button(chats: Chats) -> PriceAsDescriptionCb:
    """The ✓ under the last message sent, as the chat carries it."""
    for row in _markup(chats).inline_keyboard:
        for b in row:
            if b.text == "✓ Yes, that is the description" and b.callback_data:
                return PriceAsDescriptionCb.unpack(b.callback_data)
    raise AssertionError(f"no ✓ among {_labels(chats)}")


async def _finish(chats: Chats) -> None:
    """Price, no discount, stock, Done: the product is listed."""
    assert any("discounted price" in text for text in await chats.say(MAYA, "20"))
    await chats.say(MAYA, "no")
    await chats.say(MAYA, "3")
    answer, sent = await chats.tap(MAYA, NewProductCb(done=True))
    assert any("is listed" in text for text in sent), (answer, sent)


async def _listed(chats: Chats) -> list[tuple[str, int, str | None]]:
    """Maya's products: (name, category, description)."""
    shop = chats.world.shop
    seller = (await maya(chats)).user_id
    found = []
    for card in await shop.catalog.my_products(seller):
        detail = await shop.listings.mine(seller, card.product_id)
        found.append((card.name, detail.category_id, detail.description))
    return found


# --- the category step: a name typed -----------------------------------------------------------
async def test_a_typed_leafs_name_chooses_it_and_the_wizard_goes_on(chats: Chats) -> None:
    ids = await _tree(chats)
    await _at_the_category(chats)
    said = await chats.say(MAYA, "hoodies")
    assert any("Category: <b>Clothing › Hoodies</b>" in text for text in said), said
    assert any("Price?" in text for text in said), said
    await _finish(chats)
    assert await _listed(chats) == [
        ("Desk Lamp", ids["Hoodies"], "A lamp for the desk, warm light.")
    ]


async def test_a_typed_parents_name_opens_its_level_and_a_typo_is_forgiven(chats: Chats) -> None:
    ids = await _tree(chats)
    await _at_the_category(chats)
    said = await chats.say(MAYA, "clothng")
    assert any("Which category? <b>Clothing</b>" in text for text in said), said
    assert {"Hoodies", "T-Shirts", "Accessories"} <= set(_labels(chats)), _labels(chats)
    said = await chats.say(MAYA, "home & kitchen")
    assert any("Which category? <b>Home &amp; Kitchen</b>" in text for text in said), said
    assert "Kitchen ›" in _labels(chats), _labels(chats)
    said = await chats.say(MAYA, "Coffee")
    assert any("Category: <b>Home &amp; Kitchen › Kitchen › Coffee</b>" in t for t in said), said
    await _finish(chats)
    assert [category for _, category, _ in await _listed(chats)] == [ids["Coffee"]]


async def test_a_name_that_names_none_or_several_shows_the_choices_and_changes_nothing(
    chats: Chats,
) -> None:
    ids = await _tree(chats)
    await _at_the_category(chats)
    said = await chats.say(MAYA, "home")  # Home & Kitchen, or Home Office
    assert any("“home” fits more than one category" in text for text in said), said
    assert _labels(chats)[:2] == ["Home & Kitchen ›", "Home Office"], _labels(chats)
    said = await chats.say(MAYA, "accessories")  # Clothing's, or Electronics'
    assert _labels(chats)[:2] == ["Clothing › Accessories", "Electronics › Accessories"], said
    said = await chats.say(MAYA, "garden tools")
    assert any("No category is called “garden tools”" in text for text in said), said
    assert "Clothing ›" in _labels(chats), _labels(chats)  # the top of the tree
    said = await chats.say(MAYA, "20")  # a price too early is no category, and no price
    assert not any("Price?" in text for text in said), said
    assert not any("discounted price" in text for text in said), said
    # the step still waits: a button among the choices still chooses
    await chats.tap(MAYA, PickCategoryCb(id=ids["Electronics Accessories"]))
    await _finish(chats)
    assert [category for _, category, _ in await _listed(chats)] == [ids["Electronics Accessories"]]


async def test_back_typed_at_the_category_step_is_the_back_button(chats: Chats) -> None:
    await _tree(chats)
    await _at_the_category(chats)
    said = await chats.say(MAYA, "back")
    assert any("Describe it" in text for text in said), said
    assert any("Now: <b>A lamp for the desk, warm light.</b>" in text for text in said), said
    said = await chats.say(MAYA, "A lamp for reading.")
    assert any("Which category?" in text for text in said), said


# --- the description step: a price typed -----------------------------------------------------
async def test_a_price_typed_as_the_description_is_asked_about_not_stored(chats: Chats) -> None:
    ids = await _tree(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Desk Lamp")
    for typed in ("12.50", "€12.50", "12,50 eur"):
        said = await chats.say(MAYA, typed)
        assert any("looks like a price" in text for text in said), (typed, said)
        assert not any("Which category?" in text for text in said), (typed, said)
    said = await chats.say(MAYA, "A brass desk lamp.")  # the description, typed after all
    assert any("Which category?" in text for text in said), said
    await chats.say(MAYA, "hoodies")
    await _finish(chats)
    assert await _listed(chats) == [("Desk Lamp", ids["Hoodies"], "A brass desk lamp.")]


async def test_one_tap_keeps_a_price_like_description(chats: Chats) -> None:
    await _tree(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Lucky Number")
    await chats.say(MAYA, "7.77")
    keep = _keep_button(chats)
    answer, sent = await chats.tap(MAYA, keep)
    assert any("Which category?" in text for text in sent), (answer, sent)
    again, sent = await chats.tap(MAYA, keep)  # a second tap: the question has moved on
    assert (again, sent) == (STALE, [])
    await chats.say(MAYA, "hoodies")
    await _finish(chats)
    assert [description for _, _, description in await _listed(chats)] == ["7.77"]


async def test_a_typed_no_to_the_price_question_is_no_description(chats: Chats) -> None:
    """ "no sorry" to "is it really the description?" asks for the description again (the
    walk found it stored as the description), and a typed yes keeps the words offered."""
    ids = await _tree(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Linen Beach Shirt")
    await chats.say(MAYA, "12.50")
    said = await chats.say(MAYA, "no sorry")
    assert any("Send the product's description" in text for text in said), said
    assert not any("Which category?" in text for text in said), said
    said = await chats.say(MAYA, "A light linen shirt.")
    assert any("Which category?" in text for text in said), said
    await chats.say(MAYA, "hoodies")
    await _finish(chats)
    assert await _listed(chats) == [("Linen Beach Shirt", ids["Hoodies"], "A light linen shirt.")]

    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Lucky Seven")
    await chats.say(MAYA, "7.77")
    said = await chats.say(MAYA, "yes")
    assert any("Which category?" in text for text in said), said


async def test_done_typed_at_the_photos_step_lists_the_product_once(chats: Chats) -> None:
    """ "done" / "no photos" typed at "Send photos of it" lists it as ✅ Done does (the walk
    found them refused with "Tap one of the buttons above"); other words say what to do."""
    ids = await _tree(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Straw Hat")
    await chats.say(MAYA, "A wide straw hat.")
    await chats.say(MAYA, "hoodies")
    await chats.say(MAYA, "20")
    await chats.say(MAYA, "no")
    await chats.say(MAYA, "3")
    said = await chats.say(MAYA, "where do I find a photo?")
    assert any("type <i>done</i>" in text for text in said), said
    assert await _listed(chats) == []
    said = await chats.say(MAYA, "that's all")
    assert any("is listed" in text for text in said), said
    said = await chats.say(MAYA, "done")  # again: the wizard has ended, nothing more is listed
    assert not any("is listed" in text for text in said), said
    assert await _listed(chats) == [("Straw Hat", ids["Hoodies"], "A wide straw hat.")]


async def test_nope_at_the_discount_and_a_count_in_words_at_the_stock(chats: Chats) -> None:
    """ "nope" at "Send the discounted price, or no" is no discount (the walk found it refused
    as no number); "a dozen" at the stock is 12; "-3" is still refused."""
    await _tree(chats)
    await chats.tap(MAYA, SellerCb(to=SellerAction.new_product))
    await chats.say(MAYA, "Sun Hat")
    await chats.say(MAYA, "A sun hat.")
    await chats.say(MAYA, "hoodies")
    await chats.say(MAYA, "20")
    said = await chats.say(MAYA, "nope")
    assert not any("send the discounted price" in text.lower() for text in said), said
    said = await chats.say(MAYA, "-3")
    assert any("whole number of items" in text for text in said), said
    await chats.say(MAYA, "a dozen")
    answer, sent = await chats.tap(MAYA, NewProductCb(done=True))
    assert any("is listed" in text for text in sent), (answer, sent)
    seller = (await maya(chats)).user_id
    [card] = await chats.world.shop.catalog.my_products(seller)
    assert card.stock_quantity == 12
    assert card.discount_price is None


# --- the tracking number's question -----------------------------------------------------------
async def test_a_long_paste_at_the_tracking_question_is_refused_whole(chats: Chats) -> None:
    world = chats.world
    seller, parcel = await _carls_order(chats, await _courier(world))
    await chats.tap(MAYA, ShipmentCb(action=ShipmentAction.ship, id=parcel))
    pasted = "AB12" * 37 + "CD"  # 150 characters a tracking number may have
    said = await chats.say(MAYA, pasted)
    assert said == [TOO_LONG], said
    card = await world.shop.fulfilment.card(seller, parcel)
    assert (card.status, card.tracking_number) == (ShipmentStatus.pending, None)
    said = await chats.say(MAYA, "RR123456785GB")  # the question still waits
    assert any("is shipped with tracking RR123456785GB" in text for text in said), said
