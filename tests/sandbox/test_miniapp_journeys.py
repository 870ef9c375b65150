"""The Mini App's "Done when" journeys, in a real browser, in the sandbox's Telegram-like panel,
against the real `python -m bot run` in sandbox mode, at phone size in the light and the dark
theme (Sara's order once more at desktop size):

1. Sara opens the shop from the chat's menu button, filters the grid, opens a product, adds
   two items, fills a new address, cancels the payment sheet once, pays by card from the
   order's page, and sees the confirmation in the Mini App and in the chat;
2. Maya confirms and ships that order from her console, and Sara's chat gets the milestones
   of the sandbox's simulated carrier;
3. Maya imports a CSV of 50 products and opens one in the product editor;
4. the admin approves the seller waiting for approval.

Each theme runs on a fresh demo shop (one process for all four journeys, in that order). The
test drives the page as a user does and reads what the data says through the API (signed
for the persona) and the sandbox's chat API. `UPDATE_SCREENSHOTS=1` refreshes
docs/screenshots/mini-app-*.png; other screens go to the temp
dir's miniapp-shots/ (or MINIAPP_SHOTS).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.miniapp import as_user, no_sideways_scroll, shop_with_mini_app

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, FrameLocator, Locator, Page

pytestmark = pytest.mark.browser

SARA, MAYA, ADMIN = 900000201, 900000101, 900000001
NAMES = {SARA: "Sara", MAYA: "Maya", ADMIN: "Demo Admin"}
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
THEMES = ["light", "dark"]
CARRIER = "Sandbox Express (simulated)"  # bot/demo/sandbox.py: parcels move on a short clock
MILESTONES = ("In transit", "Out for delivery", "Delivered")
SHOTS = Path(os.environ.get("MINIAPP_SHOTS") or Path(tempfile.gettempdir()) / "miniapp-shots")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# the screens docs/screenshots shows (phone size): what → the themes it is shown in
DOCS_SCREENS = {
    "storefront": {"light", "dark"},
    "product": {"light"},
    "checkout": {"light", "dark"},
    "seller-board": {"light", "dark"},
    "product-editor": {"light"},
    "import-report": {"light"},
    "admin": {"light", "dark"},
}


@dataclass
class Shop:
    """One fresh demo shop (one theme's run) and what its journeys hand on to the next."""

    chat_url: str
    app_url: str
    output: list[str]
    theme: str
    browser: Browser
    orders: dict[str, int] = field(default_factory=dict)  # size → Sara's paid order

    async def api(self, user_id: int, path: str, method: str = "GET", **kw: Any) -> Any:
        return await as_user(self.app_url, user_id, NAMES[user_id], path, method, **kw)


@pytest.fixture(autouse=True, scope="module")
def shots() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
async def shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Shop]:
    """A fresh demo shop and one Chromium for one theme's journeys (`theme` is the param)."""
    require_browser()
    from playwright.async_api import async_playwright

    theme = request.param
    async with (
        shop_with_mini_app(tmp_path_factory.mktemp(f"shop-{theme}")) as (chat, app, output),
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield Shop(chat, app, output, theme, browser)
        finally:
            await browser.close()


@dataclass
class Session:
    """A persona's web chat with the Mini App's panel open, in the run's theme."""

    page: Page
    app: FrameLocator
    theme: str
    size: str
    errors: list[str]

    @property
    def main_button(self) -> Locator:
        return self.page.locator("#webapp-main-button")

    async def shot(self, what: str) -> None:
        """A screenshot for review; a docs/screenshots copy when asked for (phone size)."""
        assert await no_sideways_scroll(self.page), f"the {what} screen scrolls sideways"
        width, height = SIZES[self.size]
        path = SHOTS / f"journey-{what}-{width}x{height}-{self.theme}.png"
        await self.page.screenshot(path=str(path))
        wanted = self.theme in DOCS_SCREENS.get(what, set()) and self.size == "phone"
        if wanted and os.environ.get("UPDATE_SCREENSHOTS") == "1":  # the docs' copy, on purpose
            shutil.copyfile(path, DOCS / f"mini-app-{what}-{self.theme}.png")


async def open_shop(shop: Shop, user_id: int, size: str = "phone") -> Session:
    """The persona's web chat in a fresh browser context; the menu button opens the Mini App,
    in the run's theme (the panel's ☾/☀ switch)."""
    from playwright.async_api import expect

    expect.set_options(timeout=15_000)
    width, height = SIZES[size]
    context = await shop.browser.new_context(
        viewport={"width": width, "height": height}, has_touch=size == "phone"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{shop.chat_url}/#{user_id}")
    await page.locator("#menu-button").click()
    panel = page.locator("#webapp-panel")
    await expect(panel).to_have_attribute("data-ready", "true")
    app = page.frame_locator("#webapp-frame")
    if await panel.get_attribute("data-theme") != shop.theme:
        await page.locator("#webapp-theme").click()
    await expect(app.locator("html")).to_have_attribute("data-scheme", shop.theme)
    return Session(page, app, shop.theme, size, errors)


async def close(session: Session) -> None:
    assert session.errors == [], session.errors
    await session.page.context.close()


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


async def chat_until(
    shop: Shop, user_id: int, wanted: Callable[[list[str]], bool], seconds: float
) -> list[str]:
    """The bot's messages in the persona's chat (as text, edits applied) once `wanted` holds:
    each look waits on the sandbox's chat API until the chat changes, up to `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    url = f"{shop.chat_url}/sandbox/api/personas/{user_id}/chat"
    params: dict[str, str] = {}
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(url, params=params) as got:
                assert got.status == 200, await got.text()
                snapshot = await got.json()
            texts = [plain(m.get("html") or "") for m in snapshot["messages"] if not m["outgoing"]]
            if wanted(texts):
                return texts
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"the chat never showed what was awaited:\n{texts[-8:]}")
            params = {"since": str(snapshot["since"]), "wait": str(max(1, min(25, int(left))))}


def about(order_id: int, texts: list[str]) -> list[str]:
    return [text for text in texts if f"#{order_id}" in text]


def _log_on_failure(shop: Shop, failed: AssertionError) -> AssertionError:
    return AssertionError(f"{failed}\n--- the bot's log ends:\n{''.join(shop.output)[-4000:]}")


# --- 1. Sara orders and pays by card ---------------------------------------------------------
@pytest.mark.parametrize(
    ("shop", "size"),
    [("light", "phone"), ("dark", "phone"), ("light", "desktop")],
    indirect=["shop"],
    scope="module",
)
async def test_sara_filters_orders_two_items_and_pays_by_card(shop: Shop, size: str) -> None:
    try:
        shop.orders[size] = await _sara_pays(shop, size)
    except AssertionError as failed:
        raise _log_on_failure(shop, failed) from None


async def _sara_pays(shop: Shop, size: str) -> int:
    from playwright.async_api import expect

    # what the data says before: Maya's store and two of its products in stock, Sara's cart
    mine = await shop.api(MAYA, "seller/products")
    some = next(p for p in mine if p["status"] == "active")
    store = (await shop.api(SARA, f"products/{some['id']}"))["seller"]
    hers = (await shop.api(SARA, f"products?seller={store['id']}"))["items"]
    first, second = [card for card in hers if card["stock"] >= 2][:2]
    low, high = int(Decimal(first["price"])), int(Decimal(first["price"])) + 1
    filtered = await shop.api(SARA, f"products?price_min={low}&price_max={high}&in_stock=1")
    before = await shop.api(SARA, "cart")

    s = await open_shop(shop, SARA, size)
    app, page = s.app, s.page
    cards = app.locator(".product-card")
    await expect(cards.first).to_be_visible()
    await expect(app.locator(".nav-link[data-nav='seller']")).to_have_count(0)
    await s.shot("storefront")

    # a search shows the best matches first; the filters it cannot apply are not offered
    search = app.locator(".search input")
    await search.fill(first["name"])
    await search.press("Enter")
    await expect(app.locator(f".product-card[data-product-id='{first['id']}']")).to_be_visible()
    await expect(app.locator("select.sort")).to_be_hidden()
    await app.locator(".filter-box summary").click()
    await expect(app.locator(".filters")).to_contain_text("filters by price only")
    await expect(app.get_by_label("In stock only")).to_have_count(0)
    await search.fill("")
    await search.press("Enter")
    await expect(app.locator("select.sort")).to_be_visible()

    # filters: a price range and in stock only; the grid is what the API says it should be
    await app.locator(".filter-box summary").click()
    await app.get_by_label("Price from").fill(str(low))
    await app.get_by_label("Price up to").fill(str(high))
    await app.get_by_label("In stock only").check()
    await app.get_by_role("button", name="Apply").click()
    await expect(app.locator(".filter-box summary")).to_contain_text("3")
    await expect(cards).to_have_count(len(filtered["items"]))
    shown = [await c.get_attribute("data-product-id") for c in await cards.all()]
    assert shown == [str(card["id"]) for card in filtered["items"]]

    # a product of Maya's, added with the MainButton; "More from" her store, another one
    for n, pick in enumerate((first, second), start=1):
        await app.locator(f".product-card[data-product-id='{pick['id']}']").click()
        await expect(app.locator("h1")).to_have_text(pick["name"])
        await expect(app.locator(".price-line .price")).to_have_text(pick["price_display"])
        await expect(s.main_button).to_have_text("Add to cart")
        if n == 1:
            await s.shot("product")
        await s.main_button.click()
        await expect(app.locator("#toast")).to_contain_text("Added to cart")
        await expect(app.locator("#cart-count")).to_have_text(str(before["count"] + n))
        if n == 1:
            await app.get_by_role("link", name=f"More from {store['name']}").click()
            await expect(app.locator("#f-seller")).to_have_value(str(store["id"]))
    picks = (first, second)

    # the cart has both; checkout with a new address, the simulated carrier, the card
    await app.locator(".nav-link[data-nav='cart']").click()
    for pick in picks:
        line = app.locator(f".cart-line[data-product-id='{pick['id']}']")
        await expect(line.locator(".name")).to_have_text(pick["name"])
    await expect(s.main_button).to_have_text("Checkout")
    await s.main_button.click()
    await expect(app.locator("h1")).to_have_text("Checkout")
    form = app.locator(".address-form")
    if not await form.is_visible():
        await app.get_by_role("button", name="New address").click()
    street = f"{12 + len(shop.orders)} Orchard Lane"
    await form.get_by_label("Full name").fill("Sara Lopez")
    await form.get_by_label("Phone").fill("+15555550123")
    await form.get_by_label("Street and number").fill(street)
    await form.get_by_label("City").fill("Springfield")
    await form.get_by_label("Postal code").fill("12345")
    await form.get_by_label("Country").fill("US")
    await form.get_by_role("button", name="Save address").click()
    await expect(form).to_be_hidden()
    picked = app.locator(".option:has(input[name='address']:checked)")
    await expect(picked).to_contain_text(street)
    await app.locator(".option", has_text=CARRIER).locator("input").check()
    await expect(app.locator("input[name='method'][value='card']")).to_be_checked()
    total = app.locator(".summary .grand")
    await expect(total).to_contain_text(re.compile(r"\$[\d,]+\.\d\d"))
    for pick in picks:
        await expect(app.locator(".summary .quote-lines")).to_contain_text(pick["name"])
    grand = (await total.locator("span").last.text_content() or "").strip()
    await expect(s.main_button).to_have_text(f"Pay {grand}")
    await expect(s.main_button).to_be_enabled()
    await expect(app.locator("#toast")).to_be_hidden()  # "Added to cart" has had its moment
    await s.shot("checkout")

    # the payment sheet opens; cancelled, the order waits, and its page offers to pay again
    await s.main_button.click()
    sheet = page.locator("#pay-dialog")
    await expect(sheet).to_be_visible()
    await expect(page.locator("#pay-amount")).to_contain_text(grand.lstrip("$"))
    await page.locator("#pay-cancel").click()
    await expect(sheet).to_be_hidden()
    heading = app.locator("h1")
    await expect(heading).to_have_text(re.compile(r"^Order #\d+$"))
    order_id = int((await heading.text_content() or "").split("#")[-1])
    waiting = await shop.api(SARA, f"orders/{order_id}")
    assert (waiting["status"], waiting["payment_status"]) == ("pending", "pending")
    await expect(s.main_button).to_have_text(f"Pay {grand}")

    # paid in the sheet with the test card: the Mini App confirms it
    await s.main_button.click()
    await expect(sheet).to_be_visible()
    await page.locator("#card-number").fill("4242 4242 4242 4242")
    await page.locator("#card-expiry").fill("12/34")
    await page.locator("#card-cvc").fill("123")
    await page.locator("#pay-submit").click()
    await expect(sheet).to_be_hidden()
    await expect(app.locator("#toast")).to_have_text("Payment received. Thank you!")
    paid = await _when(
        lambda: shop.api(SARA, f"orders/{order_id}"), lambda o: o["status"] == "paid"
    )
    assert paid["payment_status"] == "paid"
    assert {p["id"] for p in picks} <= {line["product_id"] for line in paid["lines"]}
    await expect(app.locator(".meta .status").first).to_have_text(paid["status_display"])
    await expect(s.main_button).to_be_hidden()
    delivery = app.locator("section", has_text="Delivery address")
    await expect(delivery).to_contain_text(re.compile(rf"Sara Lopez\s+{re.escape(street)}"))
    await s.shot("paid")

    # and the chat has the payment and the shop's confirmation, as after a chat checkout
    thanks = f"Payment received for order #{order_id}. Thank you!"  # the chat's own words
    await chat_until(shop, SARA, lambda texts: thanks in texts, 30)
    await page.locator("#webapp-close").click()
    await expect(page.locator(".msg.payment").last).to_have_text(
        f"Payment successful: {paid['total']} USD"
    )
    await expect(page.locator(".msg.in", has_text=thanks)).to_be_visible()
    await close(s)
    return order_id


async def _when(look: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 15) -> Any:
    """`look()` again until `done` holds of its answer (the bot learns of a payment on its
    own path, an update from Telegram), at most `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        found = await look()
        if done(found):
            return found
        if loop.time() > deadline:
            raise AssertionError(f"never came to pass: {found}")
        await asyncio.sleep(0.25)


# --- 2. Maya confirms and ships it; the carrier's milestones reach Sara's chat ---------------
@pytest.mark.parametrize("shop", THEMES, indirect=True, scope="module")
async def test_maya_confirms_and_ships_and_sara_gets_the_milestones(shop: Shop) -> None:
    try:
        await _maya_ships(shop)
    except AssertionError as failed:
        raise _log_on_failure(shop, failed) from None


async def _maya_ships(shop: Shop) -> None:
    from playwright.async_api import expect

    assert "phone" in shop.orders, "Sara's order (journey 1) did not happen"
    order_id = shop.orders["phone"]
    s = await open_shop(shop, MAYA)
    app = s.app
    await app.locator(".nav-link[data-nav='seller']").click()
    await app.locator(".queue[data-queue='confirm']").click()
    parcel = app.locator(f".parcel[data-order-id='{order_id}']")
    await expect(parcel).to_contain_text("Sara")
    await expect(parcel.locator("button[data-step='confirm']")).to_have_text("Confirm")
    await s.shot("seller-board")
    await parcel.locator("button[data-step='confirm']").click()
    await expect(app.locator("#toast")).to_be_visible()
    await expect(parcel).to_have_count(0)  # no longer to confirm
    await app.locator(".queue[data-queue='ship']").click()

    # to ship: the tracking number, then "ship"; the parcel moves to "shipped"
    tracking = f"SBX{order_id}TEST"
    parcel = app.locator(f".parcel[data-order-id='{order_id}']")
    await parcel.get_by_label("Tracking number").fill(tracking)
    await parcel.locator("button[data-step='ship']").click()
    await expect(app.locator("#toast")).to_be_visible()
    await app.locator(".queue[data-queue='shipped']").click()
    shipped = app.locator(f".parcel[data-order-id='{order_id}']")
    await expect(shipped).to_contain_text(tracking)
    await close(s)
    order = await shop.api(SARA, f"orders/{order_id}")
    assert [p["tracking_number"] for p in order["shipments"]] == [tracking]
    assert order["shipments"][0]["status"] in ("shipped", "in_transit", "out_for_delivery")

    # the carrier moves the parcel on its short clock; each milestone reaches Sara's chat
    def delivered(texts: list[str]) -> bool:
        mine = " ".join(about(order_id, texts))
        return all(milestone in mine for milestone in MILESTONES)

    texts = about(order_id, await chat_until(shop, SARA, delivered, 120))
    assert any("has left the seller" in t and tracking in t for t in texts), texts
    delivered_order = await _when(
        lambda: shop.api(SARA, f"orders/{order_id}"),
        lambda o: o["shipments"][0]["status"] == "delivered",
    )
    steps = [step["status"] for step in delivered_order["shipments"][0]["timeline"]]
    assert {"shipped", "in_transit", "out_for_delivery", "delivered"} <= set(steps), steps


# --- 3. Maya imports a CSV of 50 products ----------------------------------------------------
def catalogue(prefix: str, category: str, rows: int = 50) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "description", "price", "stock", "sku", "category"])
    for n in range(1, rows + 1):
        writer.writerow(
            [
                f"Linen Scarf No. {n}",
                "Hand-woven linen.",
                f"{10 + n}.50",
                n,
                f"{prefix}-{n:03}",
                category,
            ]
        )
    return out.getvalue().encode()


@pytest.mark.parametrize("shop", THEMES, indirect=True, scope="module")
async def test_maya_imports_a_csv_of_50_products(shop: Shop) -> None:
    try:
        await _maya_imports(shop)
    except AssertionError as failed:
        raise _log_on_failure(shop, failed) from None


async def _maya_imports(shop: Shop) -> None:
    from playwright.async_api import expect

    top = next(c for c in await shop.api(MAYA, "categories") if c["parent_id"] is None)
    prefix = f"SCARF-{shop.theme.upper()}"
    before = await shop.api(MAYA, "seller/products")
    s = await open_shop(shop, MAYA)
    app = s.app
    await app.locator(".nav-link[data-nav='seller']").click()
    await app.get_by_role("link", name="Import").click()
    upload: FilePayload = {
        "name": "scarves.csv",
        "mimeType": "text/csv",
        "buffer": catalogue(prefix, top["name"]),
    }
    await app.locator(".import input[type='file']").set_input_files(files=upload)
    await app.get_by_role("button", name="Check").click()
    summary = app.locator(".import-summary")
    await expect(summary).to_have_text("Rows: 50 · new: 50 · updated: 0 · refused: 0")
    await expect(app.locator(".report tbody tr.good")).to_have_count(50)
    run = app.locator("button", has_text="Import")
    await run.last.click()
    await expect(summary).to_have_text("Saved. Rows: 50 · new: 50 · updated: 0")
    await app.locator(".tabs").scroll_into_view_if_needed()
    await s.shot("import-report")

    # 50 products more in her store, listed, and one of them in the product editor
    after = await shop.api(MAYA, "seller/products")
    new = [p for p in after if p["name"].startswith("Linen Scarf No. ")]
    assert len(after) == len(before) + 50
    assert sorted(p["name"] for p in new) == sorted(f"Linen Scarf No. {n}" for n in range(1, 51))
    assert {p["status"] for p in new} == {"active"}
    some = next(p for p in new if p["name"] == "Linen Scarf No. 7")
    assert (await shop.api(MAYA, f"seller/products/{some['id']}"))["sku"] == f"{prefix}-007"
    await app.get_by_role("link", name="Products").click()
    await app.locator(f"li[data-product-id='{some['id']}'] a").click()
    await expect(app.locator("h1")).to_have_text("Linen Scarf No. 7")
    await expect(app.get_by_label("Price", exact=True)).to_have_value("17.50")
    await s.shot("product-editor")

    # a second bale arrives: stock +5 with its reason, through the inventory ledger
    await expect(app.locator(".stock-now")).to_have_text("In stock now: 7")
    await app.get_by_label("Change (+ or −)").fill("+5")
    await app.get_by_label("Reason", exact=True).fill("Second bale from the weaver")
    await app.get_by_role("button", name="Update stock").click()
    await expect(app.locator("#toast")).to_have_text("Stock updated. In stock now: 12")
    await expect(app.locator(".stock-now")).to_have_text("In stock now: 12")

    # her sales chart names its first and last days as the reader says them ("Nov 1")
    await app.get_by_role("link", name="Sales").click()
    labels = app.locator("svg.chart text")
    await expect(labels).to_have_count(2)
    await expect(labels.first).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{1,2}$"))
    await close(s)
    shown = await shop.api(SARA, f"products/{some['id']}")
    assert (shown["name"], shown["stock"], shown["price"]) == ("Linen Scarf No. 7", 12, "17.50")
    trail = await shop.api(ADMIN, f"admin/audit?entity=product&entity_id={some['id']}")
    assert [e["new"] for e in trail["items"] if e["action"] == "stock_adjustment"] == [
        {"stock": 12, "change": 5, "reason": "Second bale from the weaver"}
    ]


# --- 4. the admin approves a seller ----------------------------------------------------------
@pytest.mark.parametrize("shop", THEMES, indirect=True, scope="module")
async def test_the_admin_approves_a_seller(shop: Shop) -> None:
    try:
        await _admin_approves(shop)
    except AssertionError as failed:
        raise _log_on_failure(shop, failed) from None


async def _admin_approves(shop: Shop) -> None:
    from playwright.async_api import expect

    waiting = await shop.api(ADMIN, "admin/sellers/pending")
    assert waiting, "the demo has a seller waiting for approval"
    store = waiting[0]
    s = await open_shop(shop, ADMIN)
    app = s.app
    await app.locator(".nav-link[data-nav='admin']").click()
    card = app.locator(f"li[data-seller-id='{store['seller_id']}']")
    await expect(card).to_contain_text(store["store_name"])
    await s.shot("admin")
    await card.get_by_role("button", name="Approve").click()
    await expect(app.locator("#toast")).to_have_text("Seller approved")
    await expect(card).to_have_count(0)
    await close(s)
    left = await shop.api(ADMIN, "admin/sellers/pending")
    assert store["seller_id"] not in [w["seller_id"] for w in left]
    audit = await shop.api(ADMIN, f"admin/audit?entity=seller&entity_id={store['seller_id']}")
    assert any(e["new"] and e["new"].get("status") == "active" for e in audit["items"]), audit
