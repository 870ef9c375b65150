"""The Mini App's API through a real aiohttp server (mounted at /app/ by bot/runner.py's own
service app), on both databases: Telegram's initData signed here with the real algorithm;
refusals change nothing; the cart, checkout and the consoles are the engine's, as the chat's."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp.test_utils import TestClient, TestServer

import handlers.webapp as webapp
from bot.runner import _service_app
from bot.settings import Settings
from engine.errors import InsufficientStock, InvalidInput
from engine.fulfilment import Queue, Step
from handlers.customer.checkout import PaymentConfig
from handlers.i18n import CATALOGS, catalog, day, error_text, t
from handlers.webapp import WebAppConfig, build_app, present
from sandbox import Emulator
from storage.vocabulary import DiscountType, PaymentMethod, SellerStatus
from tests.conftest import Database
from tests.integration.world import Seller, World

TOKEN = "123456789:AAE" + "mini-app-tests-0123456789abcdef"
OTHER_TOKEN = "987654321:AAE" + "another-bot-0123456789abcdefghi"
MAX_AGE = 3600
BANK = "Test Shop · IBAN GB00 TEST 0000 0000 0000 00"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def sign(token: str, user: dict[str, Any], *, auth_date: int | None = None, **fields: str) -> str:
    """initData as Telegram makes it: the fields' `key=value` lines, sorted and joined by
    newlines, HMAC-SHA256'd with HMAC-SHA256(key="WebAppData", msg=token) as the key."""
    data = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
        "chat_type": "sender",
        "chat_instance": "-4218290371035926",
        **fields,
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(data.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    data["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(data)


@dataclass
class Person:
    user_id: int
    telegram_id: int
    first_name: str
    language: str = "en"

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.telegram_id,
            "first_name": self.first_name,
            "language_code": self.language,
        }

    def headers(self, token: str = TOKEN, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"tma {sign(token, self.user, **kw)}"}


class App:
    """The Mini App's server, and who may call it."""

    def __init__(self, client: TestClient[Any, Any], world: World, emulator: Emulator) -> None:
        self.client, self.world, self.tg = client, world, emulator

    async def person(self, user_id: int, language: str = "en") -> Person:
        me = await self.world.shop.accounts.me(user_id)
        assert me.telegram_id is not None
        return Person(user_id, me.telegram_id, me.first_name or "Someone", language)

    async def call(
        self, method: str, path: str, who: Person | None, *, status: int = 200, **kw: Any
    ) -> Any:
        headers = kw.pop("headers", None) or ({} if who is None else who.headers())
        async with self.client.request(method, f"/app/api/{path}", headers=headers, **kw) as r:
            answer = await r.json()
            assert r.status == status, answer
            return answer


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    built = await World(db).setup()
    yield built
    await built.assert_ledgers()


@pytest.fixture
async def app(world: World, db: Database, tmp_path: Path) -> AsyncIterator[App]:
    async with Emulator(token=TOKEN, use_env_spec=False) as emulator:
        session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url, is_local=False))
        bot = Bot(TOKEN, session=session)
        config = WebAppConfig(
            bot_token=TOKEN,
            media_dir=tmp_path / "media",
            payments=PaymentConfig(
                provider_token="284685063:TEST:webapp",
                bank_details=BANK,
                methods=tuple(PaymentMethod),
            ),
            max_age=timedelta(seconds=MAX_AGE),
        )
        settings = Settings(
            _env_file=None, database_url=db.url.render_as_string(hide_password=False)
        )  # type: ignore[call-arg]
        root = _service_app(settings, db.engine, world.shop, build_app(world.shop, bot, config))
        async with TestClient(TestServer(root)) as client:
            yield App(client, world, emulator)
        await bot.session.close()


async def _shopper(app: App, name: str = "Sara", language: str = "en") -> tuple[Person, int]:
    user_id, address_id = await app.world.customer(name)
    return await app.person(user_id, language), address_id


# --- who may call ----------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["missing", "forged", "other_user", "wrong_bot", "expired"])
async def test_unsigned_forged_or_expired_init_data_is_refused_and_changes_nothing(
    app: App, how: str
) -> None:
    sara, _ = await _shopper(app)
    seller = await app.world.seller()
    hoodie = await app.world.product(seller)
    mallory = Person(0, 777_000_001, "Mallory")
    if how == "missing":
        headers: dict[str, str] = {}
    elif how == "forged":  # Sara's fields, a hash made up
        headers = {"Authorization": "tma " + sign(TOKEN, sara.user)[:-8] + "00000000"}
    elif how == "other_user":  # Mallory's signed data with Sara's user put in
        signed = sign(TOKEN, mallory.user)
        swapped = signed.replace(
            urlencode({"user": json.dumps(mallory.user, separators=(",", ":"))}),
            urlencode({"user": json.dumps(sara.user, separators=(",", ":"))}),
        )
        assert swapped != signed
        headers = {"Authorization": "tma " + swapped}
    elif how == "wrong_bot":
        headers = sara.headers(OTHER_TOKEN)
    else:
        headers = sara.headers(auth_date=int(time.time()) - MAX_AGE - 60)
    refused = await app.call(
        "POST",
        "cart/items",
        None,
        status=401,
        headers=headers,
        json={"product_id": hoodie, "quantity": 1},
    )
    assert refused["error"] == "unauthorized"
    assert refused["message"]
    assert (await app.world.shop.carts.view(sara.user_id)).lines == []
    with pytest.raises(Exception):  # noqa: B017 - Mallory was never signed up
        await app.world.shop.backoffice.find_user(app.world.admin, str(mallory.telegram_id))


async def test_signed_init_data_of_a_new_user_signs_them_up_and_a_fresh_one_works(
    app: App,
) -> None:
    newcomer = Person(0, 777_000_002, "Lena", "es")
    me = await app.call("GET", "me", newcomer)
    assert me["first_name"] == "Lena"
    assert me["language"] == "es"
    assert me["is_seller"] is False
    assert me["is_admin"] is False


async def test_a_banned_user_is_refused_with_the_reason_and_nothing_changes(app: App) -> None:
    sara, _ = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller())
    await app.call("GET", "cart", sara)  # known to the server before the ban
    await app.world.shop.accounts.ban(app.world.admin, sara.user_id, "chargebacks")
    refused = await app.call(
        "POST", "cart/items", sara, status=403, json={"product_id": hoodie, "quantity": 1}
    )
    assert refused["error"] == "banned"
    assert "chargebacks" in refused["message"]
    await app.world.shop.accounts.unban(app.world.admin, sara.user_id)
    assert (await app.world.shop.carts.view(sara.user_id)).lines == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "seller/board"),
        ("GET", "seller/products"),
        ("GET", "seller/sales"),
        ("GET", "admin/sellers/pending"),
        ("GET", "admin/transfers"),
        ("GET", "admin/audit"),
    ],
)
async def test_a_customer_cannot_call_seller_or_admin_endpoints(
    app: App, method: str, path: str
) -> None:
    sara, _ = await _shopper(app)
    refused = await app.call(method, path, sara, status=403)
    assert refused["error"] == "forbidden"
    assert refused["message"]


async def test_a_customer_cannot_approve_a_seller(app: App) -> None:
    sara, _ = await _shopper(app)
    applicant = await app.world.user("Maya")
    store = await app.world.shop.sellers.apply(applicant, "Maya's")
    await app.call("POST", f"admin/sellers/{store.seller_id}/approve", sara, status=403)
    assert (await app.world.shop.sellers.mine(applicant)).status == SellerStatus.pending  # type: ignore[union-attr]


async def test_a_seller_cannot_touch_another_sellers_product_or_parcel(app: App) -> None:
    maya, other = await app.world.seller("Maya's"), await app.world.seller("Other")
    theirs = await app.world.product(other, "Blue Hoodie")
    customer = await app.world.customer()
    order = await app.world.order(customer, {theirs: 1})
    await app.world.pay(order)
    seller = await app.person(maya.user_id)
    await app.call("PATCH", f"seller/products/{theirs}", seller, status=404, json={"name": "Mine"})
    shipment = order.shipments[0].shipment_id
    await app.call(
        "POST", f"seller/parcels/{shipment}/act", seller, status=404, json={"step": "confirm"}
    )
    assert (await app.world.shop.catalog.product(theirs)).card.name == "Blue Hoodie"
    card = await app.world.shop.fulfilment.card(other.user_id, shipment)
    assert Step.confirm in card.steps


# --- the customer ----------------------------------------------------------------------------
async def test_the_mini_app_cart_is_the_chat_cart(app: App) -> None:
    sara, _ = await _shopper(app)
    seller = await app.world.seller()
    hoodie = await app.world.product(seller, "Red Hoodie", "20.00")
    cap = await app.world.product(seller, "Cap", "7.50")
    cart = await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 2})
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(hoodie, 2)]
    assert cart["subtotal"] == "40.00"
    assert cart["subtotal_display"] == "$40.00"
    chat = await app.world.shop.carts.view(sara.user_id)  # what the chat's cart shows
    assert [(line.product_id, line.quantity) for line in chat.lines] == [(hoodie, 2)]
    await app.world.shop.carts.add(sara.user_id, cap, 1)  # added in the chat
    cart = await app.call("GET", "cart", sara)
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [
        (hoodie, 2),
        (cap, 1),
    ]
    assert cart["subtotal"] == "47.50"
    assert cart["count"] == 3
    cart = await app.call("PUT", f"cart/items/{hoodie}", sara, json={"quantity": 0})
    assert [line["product_id"] for line in cart["lines"]] == [cap]
    assert [line.product_id for line in (await app.world.shop.carts.view(sara.user_id)).lines] == [
        cap
    ]


async def test_the_quote_is_what_the_order_charges_and_a_double_tap_places_one_order(
    app: App,
) -> None:
    sara, address = await _shopper(app)
    seller = await app.world.seller()
    hoodie = await app.world.product(seller, "Red Hoodie", "19.99", stock=5)
    await app.world.coupon("SAVE10", DiscountType.percentage, "10")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 3})
    options = await app.call("GET", "shipping", sara)
    assert [o["provider_id"] for o in options] == [app.world.provider]
    quote = await app.call(
        "POST",
        "quote",
        sara,
        json={
            "provider_id": app.world.provider,
            "coupon": "save10",
            "address_id": address,
            "payment_method": "cod",
        },
    )
    assert quote["coupon_error"] is None
    assert (quote["subtotal"], quote["discount"], quote["shipping"]) == ("59.97", "6.00", "5.00")
    body = {
        "checkout_key": "mini-app-1",
        "address_id": address,
        "provider_id": app.world.provider,
        "coupon": "SAVE10",
        "payment_method": "cod",
        "seen": quote["version"],
    }
    first = await app.call("POST", "checkout", sara, json=body)
    again = await app.call("POST", "checkout", sara, json=body)
    assert first["order"]["id"] == again["order"]["id"]
    assert first["order"]["total"] == quote["total"] == "58.97"
    assert first["order"]["total_display"] == quote["total_display"] == "$58.97"
    history = await app.world.shop.orders.history(sara.user_id)
    assert [o.order_id for o in history] == [first["order"]["id"]]
    assert history[0].total == Decimal(quote["total"])
    assert (await app.world.shop.catalog.product(hoodie)).card.stock_quantity == 2
    orders = await app.call("GET", "orders", sara)
    assert [o["id"] for o in orders] == [first["order"]["id"]]
    shown = await app.call("GET", f"orders/{first['order']['id']}", sara)
    assert [(line["name"], line["quantity"]) for line in shown["lines"]] == [("Red Hoodie", 3)]


async def test_a_coupon_that_does_not_apply_is_said_and_the_quote_is_given_without_it(
    app: App,
) -> None:
    sara, _ = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), price="20.00")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 1})
    quote = await app.call(
        "POST", "quote", sara, json={"provider_id": app.world.provider, "coupon": "NOPE"}
    )
    assert quote["coupon_error"]
    assert quote["total"] == "25.00"


async def test_card_checkout_returns_an_invoice_link_for_the_orders_exact_amount(app: App) -> None:
    sara, address = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), price="20.00")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 2})
    choice = {"address_id": address, "provider_id": app.world.provider, "payment_method": "card"}
    quote = await app.call("POST", "quote", sara, json=choice)
    placed = await app.call(
        "POST",
        "checkout",
        sara,
        json={**choice, "checkout_key": "card-1", "seen": quote["version"]},
    )
    slug = placed["invoice_link"].rsplit("$", 1)[-1]
    invoice = app.tg.state.invoice_links[slug]
    order = await app.world.shop.orders.get(sara.user_id, placed["order"]["id"])
    assert invoice["payload"] == order.invoice_payload
    assert invoice["currency"] == "USD"
    assert [int(p["amount"]) for p in invoice["prices"]] == [4500]  # 2 × 20.00 + 5.00 shipping


async def test_a_card_order_still_to_pay_offers_its_invoice_again_until_it_is_paid(
    app: App,
) -> None:
    """After a payment sheet was cancelled the order's page can offer "Pay" again: the
    order carries an invoice link (the chat's invoice) while it waits for the money."""
    sara, address = await _shopper(app)
    seller = await app.world.seller()
    hoodie = await app.world.product(seller, price="20.00")
    card = await app.world.order((sara.user_id, address), {hoodie: 1})
    cash = await app.world.order((sara.user_id, address), {hoodie: 1}, PaymentMethod.cod)
    shown = await app.call("GET", f"orders/{card.order_id}", sara)
    slug = shown["invoice_link"].rsplit("$", 1)[-1]
    invoice = app.tg.state.invoice_links[slug]
    assert invoice["payload"] == card.invoice_payload
    assert [int(p["amount"]) for p in invoice["prices"]] == [2500]  # 20.00 + 5.00 shipping
    assert "invoice_link" not in await app.call("GET", f"orders/{cash.order_id}", sara)
    await app.world.pay(card)
    paid = await app.call("GET", f"orders/{card.order_id}", sara)
    assert paid["payment_status"] == "paid"
    assert "invoice_link" not in paid


async def test_bank_transfer_checkout_says_the_reference_and_the_account(app: App) -> None:
    sara, address = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), price="20.00")
    await app.call("POST", "cart/items", sara, json={"product_id": hoodie, "quantity": 1})
    choice = {
        "address_id": address,
        "provider_id": app.world.provider,
        "payment_method": "bank_transfer",
    }
    quote = await app.call("POST", "quote", sara, json=choice)
    placed = await app.call(
        "POST",
        "checkout",
        sara,
        json={**choice, "checkout_key": "bank-1", "seen": quote["version"]},
    )
    assert placed["bank_reference"]
    assert placed["bank_reference"] in placed["instructions"]
    assert BANK in placed["instructions"]
    assert "<" not in placed["instructions"]


async def test_an_address_the_rules_refuse_names_its_field(app: App) -> None:
    sara, _ = await _shopper(app)
    refused = await app.call(
        "POST",
        "addresses",
        sara,
        status=400,
        json={
            "line1": "12 Baker Street",
            "city": "London",
            "postal_code": "94105",
            "country": "UK",
        },
    )
    assert refused["field"] == "postal_code"
    assert refused["message"]
    saved = await app.call(
        "POST",
        "addresses",
        sara,
        status=201,
        json={
            "line1": "221B Baker Street",
            "city": "London",
            "postal_code": "NW16XE",
            "country": "UK",
        },
    )
    assert saved["postal_code"] == "NW1 6XE"
    assert saved["country"] == "United Kingdom"
    book = await app.world.shop.accounts.address_book(sara.user_id)
    assert saved["id"] in [a.address_id for a in book]


async def test_a_domain_error_comes_back_in_the_users_language(app: App) -> None:
    user_id, _ = await app.world.customer("Lucía")
    lucia = await app.person(user_id, "es")
    hoodie = await app.world.product(await app.world.seller(), stock=2)
    refused = await app.call(
        "POST", "cart/items", lucia, status=400, json={"product_id": hoodie, "quantity": 3}
    )
    error = InsufficientStock(items=[{"product_id": hoodie, "requested": 3, "available": 2}])
    assert refused["error"] == "insufficient_stock"
    assert refused["message"] == error_text("es", error) != error_text("en", error)
    missing = await app.call("GET", "products/999999", lucia, status=404)
    assert missing["error"] == "not_found"


async def test_the_storefront_lists_filters_and_searches_with_photos_and_stores(app: App) -> None:
    sara, _ = await _shopper(app)
    maya = await app.world.seller("Maya's Hoodies")
    cheap = await app.world.product(maya, "Grey Zip Hoodie", "15.00")
    await app.world.product(maya, "Black Hoodie", "45.00", stock=0)
    await app.world.shop.catalog.add_image(maya.user_id, cheap, url="products/grey.png")
    page = await app.call("GET", "products?in_stock=1&sort=price_asc", sara)
    assert [c["id"] for c in page["items"]] == [cheap]
    card = page["items"][0]
    assert card["seller"]["name"] == "Maya's Hoodies"
    assert card["price_display"] == "$15.00"
    assert card["photo_url"]
    assert card["photo_url"].startswith("/app/api/media/")
    found = await app.call("GET", "products?q=grey%20zip", sara)
    assert [c["id"] for c in found["items"]][:1] == [cheap]
    shown = await app.call("GET", f"products/{cheap}", sara)
    assert shown["in_wishlist"] is False
    assert len(shown["photos"]) == 1
    await app.call("POST", f"wishlist/{cheap}", sara)
    assert await app.world.shop.wishlists.has(sara.user_id, cheap)


async def test_search_says_which_browsing_filters_it_leaves_aside(app: App) -> None:
    """The engine's search ranks by best match within a price range; the seller, stock and
    rating filters, the category and the sort are browsing's, and the answer names them."""
    sara, _ = await _shopper(app)
    maya = await app.world.seller("Maya's Hoodies")
    cheap = await app.world.product(maya, "Grey Zip Hoodie", "15.00")
    dear = await app.world.product(maya, "Grey Wool Hoodie", "60.00")
    found = await app.call("GET", "products?q=grey%20hoodie&price_max=20", sara)
    assert [c["id"] for c in found["items"]] == [cheap]
    assert found["ignored"] == []
    found = await app.call(
        "GET", f"products?q=grey%20hoodie&seller={maya.seller_id}&in_stock=1&sort=price_desc", sara
    )
    assert sorted(c["id"] for c in found["items"]) == sorted([cheap, dear])
    assert found["ignored"] == ["seller", "in_stock", "sort"]
    browsed = await app.call("GET", "products?in_stock=1&sort=price_desc", sara)
    assert [c["id"] for c in browsed["items"]] == [dear, cheap]
    assert browsed["ignored"] == []


# --- the seller ------------------------------------------------------------------------------
async def _paid_parcel(app: App) -> tuple[Seller, Person, int]:
    maya = await app.world.seller("Maya's")
    hoodie = await app.world.product(maya)
    order = await app.world.order(await app.world.customer(), {hoodie: 1})
    await app.world.pay(order)
    return maya, await app.person(maya.user_id), order.shipments[0].shipment_id


async def test_a_seller_confirms_a_parcel_and_a_stale_step_changes_nothing(app: App) -> None:
    maya, seller, shipment = await _paid_parcel(app)
    board = await app.call("GET", "seller/board", seller)
    assert board["counts"][Queue.to_confirm.value] == 1
    card = board["queues"][Queue.to_confirm.value][0]
    assert card["shipment_id"] == shipment
    assert "confirm" in [s["step"] for s in card["steps"]]
    done = await app.call(
        "POST", f"seller/parcels/{shipment}/act", seller, json={"step": "confirm"}
    )
    assert done["changed"] is True
    assert "confirm" not in [s["step"] for s in done["card"]["steps"]]
    before = await app.world.shop.fulfilment.card(maya.user_id, shipment)
    stale = await app.call(
        "POST", f"seller/parcels/{shipment}/act", seller, status=409, json={"step": "confirm"}
    )
    assert stale["error"] == "outdated"
    assert stale["changed"] is False
    assert stale["message"]
    assert await app.world.shop.fulfilment.card(maya.user_id, shipment) == before
    shipped = await app.call(
        "POST",
        f"seller/parcels/{shipment}/act",
        seller,
        json={"step": "ship", "tracking_number": "TRK-1"},
    )
    assert shipped["card"]["tracking_number"] == "TRK-1"


async def test_a_pickup_parcel_shipped_from_the_page_without_a_number_says_where(
    app: App,
) -> None:
    """The Mini App's Ship of a parcel for an untracked pickup point: no "tracking ." but the
    place the customer collects it."""
    point = await app.world.shop.shipping.create_provider(
        app.world.admin, "Corner Point", "1.00", pickup_address="Market Hall, 1 Main St, Bath"
    )
    app.world.provider = point.provider_id
    _, seller, shipment = await _paid_parcel(app)
    shipped = await app.call(
        "POST", f"seller/parcels/{shipment}/act", seller, json={"step": "ship"}
    )
    assert shipped["changed"] is True
    assert shipped["card"]["tracking_number"] is None
    assert "Market Hall, 1 Main St, Bath" in shipped["message"], shipped["message"]
    assert "tracking ." not in shipped["message"]


async def test_a_seller_edits_a_product_and_uploads_photos_the_page_can_show(app: App) -> None:
    maya = await app.world.seller()
    seller = await app.person(maya.user_id)
    created = await app.call(
        "POST",
        "seller/products",
        seller,
        status=201,
        json={
            "name": "Wool Scarf",
            "price": "12.50",
            "stock": 4,
            "category_id": app.world.category,
        },
    )
    product_id = created["id"]
    edited = await app.call(
        "PATCH", f"seller/products/{product_id}", seller, json={"price": "11.00", "name": "Scarf"}
    )
    assert (edited["name"], edited["price"]) == ("Scarf", "11.00")
    form = aiohttp.FormData()
    form.add_field("photo", PNG, filename="a.png", content_type="image/png")
    form.add_field("photo", PNG, filename="b.png", content_type="image/png")
    shown = await app.call("POST", f"seller/products/{product_id}/photos", seller, data=form)
    assert len(shown["photos"]) == 2
    async with app.client.get(shown["photos"][0]) as r:  # no initData: an <img> sends none
        assert r.status == 200
        assert await r.read() == PNG
    hidden = await app.call(
        "POST", f"seller/products/{product_id}/listed", seller, json={"listed": False}
    )
    assert hidden["status"] == "inactive"


# --- the admin -------------------------------------------------------------------------------
async def test_a_seller_changes_stock_with_a_reason_through_the_ledger(app: App) -> None:
    """The editor's stock change is the chat's "± Adjust stock": the inventory ledger, an
    audit row with the reason; no reason or below zero changes nothing; not another's."""
    maya = await app.world.seller("Maya's")
    hoodie = await app.world.product(maya, stock=5)
    seller = await app.person(maya.user_id)
    shown = await app.call(
        "POST", f"seller/products/{hoodie}/stock", seller, json={"change": -2, "reason": "damp"}
    )
    assert shown["stock"] == 3
    refused = await app.call(
        "POST", f"seller/products/{hoodie}/stock", seller, status=400, json={"change": 4}
    )
    assert refused["field"] == "reason"
    short = await app.call(
        "POST",
        f"seller/products/{hoodie}/stock",
        seller,
        status=400,
        json={"change": -9, "reason": "lost"},
    )
    assert short["error"] == "insufficient_stock"
    other = await app.person((await app.world.seller("Tom's")).user_id)
    await app.call(
        "POST",
        f"seller/products/{hoodie}/stock",
        other,
        status=404,
        json={"change": 1, "reason": "x"},
    )
    assert (await app.world.shop.catalog.product(hoodie)).card.stock_quantity == 3
    trail = await app.world.shop.backoffice.audit_search(
        app.world.admin, entity_type="product", entity_id=hoodie
    )
    assert [(e.action, e.new) for e in trail if e.action == "stock_adjustment"] == [
        ("stock_adjustment", {"stock": 3, "change": -2, "reason": "damp"})
    ]


async def test_an_admin_approves_a_pending_seller(app: App) -> None:
    admin = await app.person(app.world.admin)
    applicant = await app.world.user("Maya")
    store = await app.world.shop.sellers.apply(applicant, "Maya's")
    pending = await app.call("GET", "admin/sellers/pending", admin)
    assert [s["seller_id"] for s in pending] == [store.seller_id]
    approved = await app.call("POST", f"admin/sellers/{store.seller_id}/approve", admin)
    assert approved["status"] == "active"
    assert (await app.world.shop.sellers.mine(applicant)).status == SellerStatus.active  # type: ignore[union-attr]
    assert await app.call("GET", "admin/sellers/pending", admin) == []


# --- the page --------------------------------------------------------------------------------
async def test_the_page_is_served_with_the_configured_webapp_script(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text(
        "<head>\n<!-- telegram-web-app-script -->\n<script type=module src=app.js></script>\n",
        encoding="utf-8",
    )
    (static / "app.js").write_text("export {};\n", encoding="utf-8")
    monkeypatch.setattr(webapp, "STATIC", static)
    async with app.client.get("/app/") as r:
        page = await r.text()
    assert r.status == 200
    assert f'<script src="{webapp.TELEGRAM_SCRIPT}"></script>' in page
    assert "telegram-web-app-script" not in page
    async with app.client.get("/app/app.js") as r:
        assert r.status == 200
    async with app.client.get("/app/..%2F__init__.py") as r:
        assert r.status == 404


async def test_a_seller_checks_then_imports_a_csv_with_its_row_by_row_report(app: App) -> None:
    maya = await app.world.seller()
    seller = await app.person(maya.user_id)
    good = "name,price,stock,sku,category\nHoodie A,20.00,3,HA-1,Clothing > Hoodies\n"
    bad = good + "Hoodie B,abc,1,HA-2,Clothing > Hoodies\n"

    async def send(data: str, dry_run: bool, status: int = 200) -> Any:
        form = aiohttp.FormData()
        form.add_field("file", data.encode(), filename="catalog.csv", content_type="text/csv")
        query = "?dry_run=1" if dry_run else ""
        return await app.call("POST", f"seller/import{query}", seller, status=status, data=form)

    refused = await send(bad, dry_run=False)
    assert refused["committed"] is False
    assert [(p["line"], p["field"], p["rule"]) for p in refused["refused"]] == [
        (3, "price", "number")
    ]
    assert refused["refused"][0]["message"]
    checked = await send(good, dry_run=True)
    assert checked["ok"] is True
    assert checked["committed"] is False
    assert await app.world.shop.catalog.my_products(maya.user_id) == []
    done = await send(good, dry_run=False)
    assert done["committed"] is True
    assert done["created"] == [{"line": 2, "sku": "HA-1"}]
    mine = await app.call("GET", "seller/products", seller)
    assert [(p["name"], p["price"], p["stock"]) for p in mine] == [("Hoodie A", "20.00", 3)]


async def test_a_seller_reads_the_sales_of_paid_orders(app: App) -> None:
    maya = await app.world.seller()
    hoodie = await app.world.product(maya, price="20.00")
    order = await app.world.order(await app.world.customer(), {hoodie: 2})
    await app.world.pay(order)
    sales = await app.call("GET", "seller/sales?days=7", await app.person(maya.user_id))
    assert len(sales["by_day"]) == 7
    last = sales["by_day"][-1]  # the chart's labels: short days in the user's language
    assert last["day_display"] == date.fromisoformat(last["day"]).strftime("%b %-d")
    assert sales["revenue"] == "40.00"
    assert sales["revenue_display"] == "$40.00"
    assert [(p["product_id"], p["units"]) for p in sales["top_products"]] == [(hoodie, 2)]


async def test_the_admin_console_shows_transfers_coupons_stock_and_the_audit_log(
    app: App,
) -> None:
    admin = await app.person(app.world.admin)
    maya = await app.world.seller()
    hoodie = await app.world.product(maya, price="20.00", stock=1)
    customer = await app.world.customer()
    order = await app.world.order(customer, {hoodie: 1}, method=PaymentMethod.bank_transfer)
    transfers = await app.call("GET", "admin/transfers", admin)
    assert [(t["order_id"], t["amount"]) for t in transfers] == [(order.order_id, "25.00")]
    paid = await app.call("POST", f"admin/transfers/{order.order_id}/confirm", admin)
    assert paid["status"] == "paid"
    assert await app.call("GET", "admin/transfers", admin) == []
    again = await app.call("POST", f"admin/transfers/{order.order_id}/confirm", admin, status=409)
    assert again["error"] == "outdated"
    stock = await app.call("GET", "admin/stock", admin)
    assert [(a["product_id"], a["kind"]) for a in stock] == [(hoodie, "stock_out")]
    made = await app.call(
        "POST",
        "admin/coupons",
        admin,
        status=201,
        json={"code": "spring", "type": "percentage", "value": "15"},
    )
    assert (made["code"], made["value"], made["standing"]) == ("SPRING", "15.00", "active")
    off = await app.call("POST", f"admin/coupons/{made['id']}/disable", admin)
    assert off["standing"] == "disabled"
    assert [c["code"] for c in await app.call("GET", "admin/coupons", admin)] == ["SPRING"]
    audit = await app.call("GET", f"admin/audit?entity=coupon&entity_id={made['id']}", admin)
    assert [e["action"] for e in audit["items"]][-1] == "create"
    assert len(audit["items"]) == 2
    by_admin = await app.call("GET", f"admin/audit?user=%23{app.world.admin}&entity=coupon", admin)
    assert {e["by"] for e in by_admin["items"]} == {app.world.admin}
    nobody = await app.call("GET", f"admin/audit?user=%23{maya.user_id}&entity=coupon", admin)
    assert nobody["items"] == []


async def test_the_pages_words_come_in_the_users_language(app: App) -> None:
    user_id, _ = await app.world.customer("Lucía")
    words = await app.call("GET", "strings", await app.person(user_id, "es"))
    english = await app.call("GET", "strings", (await _shopper(app))[0])
    page = {k for k in CATALOGS["en"] if k.startswith("app.") and k not in CATALOGS["en"].counts}
    assert set(words) == set(english) == page
    assert words != english  # Spanish, not the English fallback
    assert all(words[k] == catalog("es").template(k, {}) for k in words if k in CATALOGS["es"])


@pytest.mark.parametrize(
    ("data", "rule"), [(b"%PDF-1.7 not a photo", "format"), (PNG + b"\0" * 5 * 1024 * 1024, "size")]
)
async def test_a_file_that_is_no_photo_or_too_big_is_refused_and_nothing_is_added(
    app: App, data: bytes, rule: str
) -> None:
    maya = await app.world.seller()
    product_id = await app.world.product(maya)
    form = aiohttp.FormData()
    form.add_field("photo", io.BytesIO(data), filename="x.png", content_type="image/png")
    refused = await app.call(
        "POST",
        f"seller/products/{product_id}/photos",
        await app.person(maya.user_id),
        status=400,
        data=form,
    )
    assert refused["field"] == "photo"
    assert refused["message"] == error_text("en", InvalidInput(field="photo", rule=rule))
    assert (await app.world.shop.catalog.product(product_id)).images == []


# --- the walk's fixes: amounts that add up, words the page shows as they are -----------------
async def test_an_orders_lines_are_at_the_catalogue_price_and_the_coupon_is_taken_once(
    app: App,
) -> None:
    maya, leo = await app.world.seller("Maya's"), await app.world.seller("Leo's")
    hoodie = await app.world.product(maya, "Red Hoodie", "20.00")
    mug = await app.world.product(leo, "Blue Mug", "12.50")
    await app.world.coupon("SAVE5", DiscountType.fixed, "5.00")
    customer = await app.world.customer()
    placed = await app.world.order(customer, {hoodie: 2, mug: 1}, coupon="SAVE5")
    shown = await app.call("GET", f"orders/{placed.order_id}", await app.person(customer[0]))
    assert [(x["name"], x["price"], x["line_total"]) for x in shown["lines"]] == [
        ("Red Hoodie", "20.00", "40.00"),
        ("Blue Mug", "12.50", "12.50"),
    ]
    assert [x["line_total_display"] for x in shown["lines"]] == ["$40.00", "$12.50"]
    assert sum(Decimal(x["line_total"]) for x in shown["lines"]) == Decimal(shown["subtotal"])
    assert (shown["subtotal"], shown["discount"], shown["total"]) == ("52.50", "5.00", "57.50")

    parcels = sorted((s["store"], s["items"]) for s in shown["shipments"])
    assert parcels == [
        ("Leo's", [{"name": "Blue Mug", "quantity": 1}]),
        ("Maya's", [{"name": "Red Hoodie", "quantity": 2}]),
    ]


async def test_a_coupon_whose_last_day_is_past_is_refused_in_the_users_language(
    app: App,
) -> None:
    admin = await app.person(app.world.admin, "es")
    refused = await app.call(
        "POST",
        "admin/coupons",
        admin,
        status=400,
        json={"code": "OLD", "type": "percentage", "value": "10", "end_date": "2020-01-01"},
    )
    assert refused["field"] == "end_date"
    assert refused["message"] == t("es", "error.invalid.end_date.past")
    assert await app.call("GET", "admin/coupons", admin) == []
    made = await app.call(
        "POST",
        "admin/coupons",
        admin,
        status=201,
        json={"code": "NEW", "type": "percentage", "value": "12.5", "end_date": "2026-12-31"},
    )
    assert made["valid_until_display"] == day(date(2026, 12, 31), "es")
    assert made["valid_from_display"] is None
    assert made["value_display"] == "12,5\xa0%"


async def test_the_import_report_counts_rows_not_problems(app: App) -> None:
    seller = await app.person((await app.world.seller()).user_id)
    rows = (
        "name,price,stock,sku,category\n"
        "Hoodie A,20.00,3,HA-1,Clothing > Hoodies\n"
        "Hoodie B,abc,x,HA-2,Clothing > Hoodies\n"  # two problems, one row
        "Hoodie C,abc,1,HA-3,Clothing > Hoodies\n"
    )
    form = aiohttp.FormData()
    form.add_field("file", rows.encode(), filename="catalog.csv", content_type="text/csv")
    found = await app.call("POST", "seller/import?dry_run=1", seller, data=form)
    assert len(found["refused"]) == 3
    assert (found["rows"], found["new"], found["updated"], found["refused_rows"]) == (3, 1, 0, 2)


async def test_a_parcel_card_says_where_it_goes_and_how(app: App) -> None:
    _, seller, _ = await _paid_parcel(app)
    board = await app.call("GET", "seller/board", seller)
    card = board["queues"][Queue.to_confirm.value][0]
    assert card["provider_display"] == "Speedy"
    lines = card["address_display"].split("\n")
    assert {"1 Main St", "Dhaka", "Bangladesh"} <= set(lines)


async def test_the_audit_log_says_who_and_which_field_in_the_users_language(app: App) -> None:
    admin = await app.person(app.world.admin, "es")
    maya = await app.world.seller()
    hoodie = await app.world.product(maya)
    order = await app.world.order(
        await app.world.customer(), {hoodie: 1}, method=PaymentMethod.bank_transfer
    )
    await app.call("POST", f"admin/transfers/{order.order_id}/confirm", admin)
    audit = await app.call("GET", f"admin/audit?entity=order&entity_id={order.order_id}", admin)
    paid = audit["items"][:2]  # the payment's status, then the order's: both by the admin
    assert {e["who_display"] for e in paid} == {f"Admin ({t('es', 'admin.role.admin')})"}
    fields = {c["field"]: c["field_display"] for e in paid for c in e["changes"]}
    assert fields["order_status"] == t("es", "admin.audit.field.order_status")
    assert fields["payment_status"] == t("es", "admin.audit.field.payment_status")
    assert fields["order_status"] != "order status"


async def test_error_messages_are_plain_text(app: App) -> None:
    sara, _ = await _shopper(app)
    refused = await app.call(
        "POST",
        "addresses",
        sara,
        status=400,
        json={"line1": "12 Baker Street", "city": "123", "postal_code": "NW16XE", "country": "UK"},
    )
    assert refused["field"] == "city"
    assert "London" in refused["message"]
    assert "<" not in refused["message"]


async def test_a_rating_is_shown_in_the_readers_notation() -> None:
    shown = present.rating(Decimal("4.5"), "es")
    assert shown == {"rating": "4.5", "rating_display": "4,5"}
    assert present.rating(None, "es")["rating_display"] is None


async def test_a_price_that_is_no_number_says_so_and_names_its_field(app: App) -> None:
    maya = await app.world.seller()
    product_id = await app.world.product(maya, price="20.00")
    seller = await app.person(maya.user_id, "es")
    refused = await app.call(
        "PATCH", f"seller/products/{product_id}", seller, status=400, json={"price": "abc"}
    )
    assert refused["field"] == "price"
    assert refused["message"] == t("es", "seller.new.bad_number")
    assert (await app.world.shop.catalog.product(product_id)).card.price == Decimal("20.00")


async def test_the_mini_app_says_an_orders_state_as_the_chats_order_card_does(app: App) -> None:
    """A cash order placed and not yet shipped is "placed" (no seller has confirmed it
    yet), its money "to pay on delivery", in the Mini App as in the chat (it said "waiting
    for payment" for both)."""
    sara, address = await _shopper(app)
    hoodie = await app.world.product(await app.world.seller(), price="20.00")
    cash = await app.world.order((sara.user_id, address), {hoodie: 1}, PaymentMethod.cod)
    shown = await app.call("GET", f"orders/{cash.order_id}", sara)
    assert shown["status_display"] == "placed", shown["status_display"]
    assert shown["payment_display"] == "to pay on delivery: $25.00", shown["payment_display"]
    listed = await app.call("GET", "orders", sara)
    assert [o["status_display"] for o in listed if o["id"] == cash.order_id] == ["placed"]
