"""The Mini App's page (handlers/webapp/static) in a real browser, inside the sandbox's
Telegram-like panel, against the real `python -m bot run` in sandbox mode.

Sara opens the shop from the chat's menu button (the sandbox signs initData with the bot's
token, as Telegram does), searches, opens a product, adds it to the cart with the MainButton,
sees it in the cart, checks out with a new address and cash on delivery, and finds the order
in My orders; Maya, the product's seller, sees it on her orders board and confirms it.
The test also calls the API itself with initData it signs for Maya, to pick her product.

At phone and desktop size, in the light and the dark theme; screenshots go to
/tmp/miniapp-shots/ (or MINIAPP_SHOTS). Skips with one reason when Chromium or Playwright
is missing, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.runner import SANDBOX_TOKEN
from sandbox.webapp import init_data, launch_url
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.miniapp import as_user, no_sideways_scroll, shop_with_mini_app

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

pytestmark = pytest.mark.browser

SARA, MAYA = 900000201, 900000101
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
MONEY = re.compile(r"^\$[\d,]+\.\d\d$")  # the demo shop's dollars, as the server words them
ORDER = re.compile(r"^Order #\d+$")
SHOTS = Path(os.environ.get("MINIAPP_SHOTS") or Path(tempfile.gettempdir()) / "miniapp-shots")


@pytest.fixture(autouse=True)
def shots() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[tuple[str, str, list[str]]]:
    """The sandbox (web chat) and the Mini App's base URL, from one `python -m bot run`."""
    require_browser()
    async with shop_with_mini_app(tmp_path) as running:
        yield running


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_a_customer_orders_in_the_mini_app_and_the_seller_sees_it(
    shop: tuple[str, str, list[str]], size: str
) -> None:
    chat_url, app_url, output = shop
    try:
        await _walk(chat_url, app_url, size)
    except AssertionError as failed:
        raise AssertionError(
            f"{failed}\n--- the bot's log ends:\n{''.join(output)[-4000:]}"
        ) from None


async def _walk(chat_url: str, app_url: str, size: str) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=15_000)
    width, height = SIZES[size]
    viewport: ViewportSize = {"width": width, "height": height}
    tag = f"{width}x{height}"

    # Maya's product with stock, asked of the API as Maya (a call the test signs itself)
    mine = await as_user(app_url, MAYA, "Maya", "seller/products")
    product = next(p for p in mine if p["stock"] > 1 and p["status"] == "active")
    cart = await as_user(app_url, SARA, "Sara", "cart")  # the demo gave Sara a cart already
    units = 1 + sum(
        line["quantity"] for line in cart["lines"] if line["product_id"] == product["id"]
    )

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport=viewport, has_touch=size == "phone")
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            app = page.frame_locator("#webapp-frame")
            main_button = page.locator("#webapp-main-button")

            # Sara opens the shop from the menu button: the grid, with photos and prices
            await page.goto(f"{chat_url}/#{SARA}")
            await page.locator("#menu-button").click()
            await expect(page.locator("#webapp-panel")).to_have_attribute("data-ready", "true")
            cards = app.locator(".product-card")
            await expect(cards.first).to_be_visible()
            await expect(cards.first.locator(".price")).to_have_text(MONEY)
            await expect(app.locator(".nav-link[data-nav='seller']")).to_have_count(0)
            assert await no_sideways_scroll(page), "the grid scrolls sideways"
            await page.screenshot(path=str(SHOTS / f"grid-{tag}-light.png"))

            # search finds Maya's product; its page has the MainButton "Add to cart"
            search = app.locator(".search input")
            await search.fill(product["name"])
            await search.press("Enter")
            card = app.locator(f".product-card[data-product-id='{product['id']}']")
            await card.click()
            await expect(app.locator("h1")).to_have_text(product["name"])
            await expect(app.locator(".price-line .price")).to_have_text(product["price_display"])
            await expect(main_button).to_have_text("Add to cart")
            await page.screenshot(path=str(SHOTS / f"product-{tag}-light.png"))
            await main_button.click()
            await expect(app.locator("#toast")).to_contain_text("Added to cart")
            await expect(app.locator("#cart-count")).to_have_text(str(cart["count"] + 1))

            # the cart shows it (read from the API: the chat's cart), with a stepper
            await app.locator(".nav-link[data-nav='cart']").click()
            line = app.locator(f".cart-line[data-product-id='{product['id']}']")
            await expect(line.locator(".name")).to_have_text(product["name"])
            await expect(line.locator("output")).to_have_text(str(units))
            await expect(app.locator("#cart-subtotal")).to_have_text(MONEY)
            await expect(main_button).to_have_text("Checkout")
            await page.screenshot(path=str(SHOTS / f"cart-{tag}-light.png"))

            # checkout: a new address (the API's refusal shows under its field), shipping,
            # cash on delivery, the server's quote, then the MainButton places the order
            await main_button.click()
            await expect(app.locator("h1")).to_have_text("Checkout")
            form = app.locator(".address-form")
            if not await form.is_visible():
                await app.get_by_role("button", name="New address").click()
            await form.get_by_role("button", name="Save address").click()
            street_error = form.locator(".field[data-field='line1'] .field-error")
            await expect(street_error).to_be_visible()
            await expect(form.locator("#f-line1")).to_have_attribute("aria-invalid", "true")
            await form.get_by_label("Full name").fill("Sara Lopez")
            await form.get_by_label("Phone").fill("+15555550123")
            await form.get_by_label("Street and number").fill("12 Orchard Lane")
            await form.get_by_label("City").fill("Springfield")
            await form.get_by_label("Postal code").fill("12345")
            await form.get_by_label("Country").fill("US")
            await form.get_by_role("button", name="Save address").click()
            await expect(form).to_be_hidden()
            picked = app.locator(".option:has(input[name='address']:checked)")
            await expect(picked).to_contain_text("12 Orchard Lane")
            await app.locator("input[name='provider']").first.check()
            await app.get_by_label("Cash on delivery").check()
            total = app.locator(".summary .grand")
            await expect(total).to_contain_text(re.compile(r"\$[\d,]+\.\d\d"))
            await expect(main_button).to_have_text("Place order")
            await expect(main_button).to_be_enabled()
            assert await no_sideways_scroll(page), "the checkout scrolls sideways"
            await page.screenshot(path=str(SHOTS / f"checkout-{tag}-light.png"), full_page=True)
            await main_button.click()

            # the order's page, then My orders lists it
            heading = app.locator("h1")
            await expect(heading).to_have_text(ORDER)
            order_id = int((await heading.text_content() or "").split("#")[-1])
            await expect(app.locator(".status").first).to_be_visible()
            await page.locator("#webapp-theme").click()  # the dark theme reaches the page
            await expect(app.locator("html")).to_have_attribute("data-scheme", "dark")
            await page.screenshot(path=str(SHOTS / f"order-{tag}-dark.png"))
            await app.locator(".nav-link[data-nav='orders']").click()
            row = app.locator(f".row-link[data-order-id='{order_id}']")
            await expect(row).to_be_visible()
            await expect(row).to_contain_text("Order #")
            await page.screenshot(path=str(SHOTS / f"orders-{tag}-dark.png"))
            await app.locator(".nav-link[data-nav='shop']").click()
            await expect(cards.first).to_be_visible()
            await page.screenshot(path=str(SHOTS / f"grid-{tag}-dark.png"))
            await page.locator("#webapp-theme").click()
            await page.locator("#webapp-close").click()

            # Maya (the seller) sees Sara's order on her board, and confirms it
            await page.goto(f"{chat_url}/#{MAYA}")
            await page.reload()
            await page.locator("#menu-button").click()
            await expect(page.locator("#webapp-panel")).to_have_attribute("data-ready", "true")
            await app.locator(".nav-link[data-nav='seller']").click()
            await app.locator(".queue[data-queue='confirm']").click()
            parcel = app.locator(f".parcel[data-order-id='{order_id}']")
            await expect(parcel).to_contain_text(product["name"])
            await page.screenshot(path=str(SHOTS / f"seller-board-{tag}-light.png"))
            await parcel.locator("button[data-step='confirm']").click()
            await expect(app.locator("#toast")).to_be_visible()
            await app.locator(".queue[data-queue='ship']").click()
            await expect(app.locator(f".parcel[data-order-id='{order_id}']")).to_be_visible()
            await page.locator("#webapp-theme").click()
            await page.screenshot(path=str(SHOTS / f"seller-board-{tag}-dark.png"))

            # the page on its own at the window's full width (Telegram Desktop, a wide
            # panel), launched as Telegram launches it: signed initData in the fragment
            for theme in ("light", "dark"):
                signed = init_data(SANDBOX_TOKEN, {"id": SARA, "first_name": "Sara"})
                wide = await context.new_page()
                wide.on("pageerror", lambda error: errors.append(str(error)))
                await wide.goto(launch_url(app_url, signed, theme))
                await expect(wide.locator(".product-card").first).to_be_visible()
                await expect(wide.locator("html")).to_have_attribute("data-scheme", theme)
                await wide.screenshot(path=str(SHOTS / f"page-{tag}-{theme}.png"))
                await wide.close()
            # a product link (startapp=p<id>) opens that product
            signed = init_data(
                SANDBOX_TOKEN, {"id": SARA, "first_name": "Sara"}, start_param=f"p{product['id']}"
            )
            linked = await context.new_page()
            await linked.goto(launch_url(app_url, signed))
            await expect(linked.locator("h1")).to_have_text(product["name"])
            await linked.close()
            # without Telegram's signature the page says what to do, not a stack trace
            unsigned = await context.new_page()  # a new tab: no launch parameters kept
            await unsigned.goto(app_url)
            await expect(unsigned.locator(".fatal")).to_contain_text("open it again")
            await unsigned.close()
            assert errors == [], errors
        finally:
            await browser.close()


async def test_the_page_guards_taps_and_shows_what_the_api_sends(
    shop: tuple[str, str, list[str]],
) -> None:
    """At phone size: a double tap on the MainButton adds one unit; the order page names each
    parcel's store and items and says "paid" once; Maya's board wraps its queue chips, shows
    the parcel's address and shipping method, and keeps Ship off until a tracking number is
    typed; the import screen lists the columns and offers a sample CSV, and its report counts
    refused rows; the admin confirms a bank transfer only after Telegram's confirm popup, sees
    a coupon's end date as the server words it, and a refused audit search keeps its form.
    The API's newer fields (`store`, `address_display`, …) are added to its answers here, so
    the page is tested on its own."""
    chat_url, app_url, output = shop
    try:
        await _consoles(chat_url, app_url)
    except AssertionError as failed:
        raise AssertionError(
            f"{failed}\n--- the bot's log ends:\n{''.join(output)[-4000:]}"
        ) from None


async def _consoles(chat_url: str, app_url: str) -> None:
    import json

    from playwright.async_api import Route, async_playwright, expect

    expect.set_options(timeout=15_000)
    admin = 900000001
    mine = await as_user(app_url, MAYA, "Maya", "seller/products")
    product = next(p for p in mine if p["stock"] > 3 and p["status"] == "active")
    cart = await as_user(app_url, SARA, "Sara", "cart")
    order_id = (await as_user(app_url, SARA, "Sara", "orders"))[0]["id"]
    waiting = await as_user(app_url, admin, "Demo Admin", "admin/transfers")
    transfer = (waiting if isinstance(waiting, list) else waiting["items"])[0]

    async def amend(route: Route, change: object) -> None:
        response = await route.fetch()
        body = await response.json()
        change(body)  # type: ignore[operator]
        await route.fulfill(response=response, body=json.dumps(body))

    def an_order(o: dict[str, object]) -> None:
        o.update(status_display="paid, being prepared", payment_display="paid")
        o["shipments"] = [
            {"id": 1, "status": "pending", "store": "Maya's Tees", "timeline": [],
             "items": [{"name": "Navy Graphic Tee", "quantity": 2}]},
            {"id": 2, "status": "pending", "store": "Kitchen & Co", "timeline": [],
             "items": [{"name": "French Press", "quantity": 1}]},
        ]  # fmt: skip

    def a_board(b: dict[str, dict[str, list[dict[str, object]]]]) -> None:
        for card in b["queues"].get("ship", []) + b["queues"].get("confirm", []):
            card.update(address_display="Sara Lopez\n12 Orchard Lane", provider_display="Courier")
        shipping = b["queues"].get("ship", [])
        if shipping:  # and one for a pickup point, whose number may be left out
            shipping[0]["tracking"] = "required"
            pickup = {**shipping[0], "shipment_id": 999_999, "order_id": 999_999}
            shipping.insert(1, pickup | {"tracking": "optional", "address_display": "Market Hall"})

    def a_report(r: dict[str, object]) -> None:
        r.update(rows=2, new=1, updated=0, refused_rows=1, ok=False)
        r["refused"] = [
            {"line": 3, "field": "price", "message": "Bad price"},
            {"line": 3, "field": "stock", "message": "Bad stock"},
        ]

    def coupons(c: object) -> None:
        items = c if isinstance(c, list) else c["items"]  # type: ignore[index]
        items[0]["valid_until_display"] = "31 Dec 2030"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(
                viewport={"width": 390, "height": 844}, has_touch=True
            )
            await context.route(f"**/api/orders/{order_id}", lambda r: amend(r, an_order))
            await context.route("**/api/seller/board", lambda r: amend(r, a_board))
            await context.route("**/api/seller/import*", lambda r: amend(r, a_report))
            await context.route("**/api/admin/coupons", lambda r: amend(r, coupons))
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            app = page.frame_locator("#webapp-frame")
            main_button = page.locator("#webapp-main-button")

            async def open_as(user_id: int, hash_: str) -> None:
                await page.goto(f"{chat_url}/#{user_id}")
                await page.reload()
                await page.locator("#menu-button").click()
                await expect(page.locator("#webapp-panel")).to_have_attribute("data-ready", "true")
                await expect(app.locator(".nav-link").first).to_be_visible()
                frame = next(f for f in page.frames if "/app/" in f.url)
                await frame.evaluate(f"location.hash = {hash_!r}")

            # a double tap on "Add to cart" adds one unit, even from a Telegram client that
            # sends the second tap before it learns the button went off (here: progress and
            # disable reach no one), so the page itself ignores taps while its action runs
            await open_as(SARA, f"#/p/{product['id']}")
            await expect(main_button).to_have_text("Add to cart")
            frame = next(f for f in page.frames if "/app/" in f.url)
            await frame.evaluate(
                "(() => { const b = Telegram.WebApp.MainButton;"
                " b.showProgress = () => b; b.disable = () => b; })()"
            )
            await main_button.dblclick()
            await expect(app.locator("#toast")).to_contain_text("Added to cart")
            await page.wait_for_timeout(1500)
            after = await as_user(app_url, SARA, "Sara", "cart")
            assert after["count"] == cart["count"] + 1, (cart["count"], after["count"])

            # the order page: each parcel's store and items; "paid" said once
            frame = next(f for f in page.frames if "/app/" in f.url)
            await frame.evaluate(f"location.hash = '#/orders/{order_id}'")
            parcels = app.locator(".shipment")
            await expect(parcels).to_have_count(2)
            await expect(parcels.first).to_contain_text("Maya's Tees")
            await expect(parcels.first).to_contain_text("2 × Navy Graphic Tee")
            await expect(parcels.last).to_contain_text("1 × French Press")
            await expect(app.locator(".meta")).not_to_contain_text("· paid")
            await expect(app.locator(".meta .hint").first).not_to_have_text("paid")

            # Maya's board: every chip on screen; the address; Ship waits for a tracking number
            await open_as(MAYA, "#/seller?queue=ship")
            returns = app.locator(".queue[data-queue='returns']")
            await expect(returns).to_be_visible()
            box = await returns.bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= 390, box
            parcel = app.locator(".parcel").first
            await expect(parcel).to_contain_text("12 Orchard Lane")
            await expect(parcel).to_contain_text("Courier")
            tracking = parcel.get_by_label("Tracking number")
            await expect(tracking).to_have_attribute(
                "placeholder", "Tracking number (needed to ship)"
            )
            ship = parcel.locator("button[data-step='ship']")
            await expect(ship).to_be_disabled()
            await tracking.fill("SBX1")
            await expect(ship).to_be_enabled()
            # a pickup point's parcel ships with or without a number
            pickup = app.locator(".parcel[data-shipment-id='999999']")
            await expect(pickup.get_by_label("Tracking number")).to_have_attribute(
                "placeholder", "Optional"
            )
            await expect(pickup.locator("button[data-step='ship']")).to_be_enabled()
            await page.screenshot(path=str(SHOTS / "board-ship-390x844.png"))

            # the import screen: its columns, a sample CSV made in the page, rows refused
            await app.locator(".tab[href='#/seller/import']").click()
            await expect(app.locator(".import-columns")).to_contain_text("discount_price")
            frame = next(f for f in page.frames if "/app/" in f.url)
            sample = await frame.evaluate(
                "fetch(document.querySelector('.sample-csv').href).then((r) => r.text())"
            )
            assert sample.startswith("name,description,price,discount_price,"), sample
            await app.locator(".import input[type='file']").set_input_files(
                files={"name": "s.csv", "mimeType": "text/csv", "buffer": sample.encode()}
            )
            await app.get_by_role("button", name="Check").click()
            await expect(app.locator(".import-summary")).to_have_text(
                "Rows: 2 · new: 1 · updated: 0 · refused: 1"
            )

            # the admin: a transfer is confirmed after the popup; a refused search keeps its form
            await open_as(admin, "#/admin")
            await expect(app.locator(".coupon-row").first).to_contain_text("until 31 Dec 2030")
            row = app.locator(f"li[data-order-id='{transfer['order_id']}']")
            await row.get_by_role("button", name="Money received: confirm").click()
            popup = page.locator("#webapp-popup")
            await expect(popup).to_be_visible()
            await expect(popup).to_contain_text(f"#{transfer['order_id']}")
            await expect(popup).to_contain_text(transfer["amount_display"])
            await popup.get_by_role("button", name="Cancel").click()
            await expect(row).to_be_visible()
            still = await as_user(app_url, admin, "Demo Admin", "admin/transfers")
            assert transfer["order_id"] in [
                w["order_id"] for w in (still if isinstance(still, list) else still["items"])
            ]
            await row.get_by_role("button", name="Money received: confirm").click()
            await popup.get_by_role("button", name="OK").click()
            await expect(app.locator("#toast")).to_contain_text("Transfer confirmed")
            await expect(row).to_have_count(0)

            await app.locator(".tab[href='#/admin/audit']").click()
            form = app.locator(".audit-form")
            await form.get_by_label("User").fill("@nobody_here")
            await form.get_by_role("button", name="Search").click()
            await expect(form.locator(".field-error:visible")).to_have_count(1)
            await expect(form).to_be_visible()
            await expect(app.locator(".tabs")).to_be_visible()
            await expect(form.get_by_label("User")).to_have_value("@nobody_here")
            await page.screenshot(path=str(SHOTS / "audit-refused-390x844.png"))
            assert errors == [], errors
        finally:
            await browser.close()
