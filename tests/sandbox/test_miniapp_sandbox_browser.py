"""The Mini App panel in a real browser: the web chat opens a tiny test page (served here, on
another origin, as the bot serves the shop's) that uses the sandbox's telegram-web-app.js.

The page shows what it got (initData checked by this test's server with aiogram, start_param,
theme) and wires the MainButton, the BackButton, haptics and openInvoice. Screenshots at
390×844 and 1280×800 go to /tmp/miniapp-shots/ for review.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from aiogram.utils.web_app import safe_parse_webapp_init_data
from aiohttp import web

from sandbox import DEMO_PERSONAS, Emulator
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.miniapp import invoice_link, running_shop_bot

pytestmark = pytest.mark.browser

SARA = 900000201
SHOTS = Path("/tmp/miniapp-shots")  # where the lead looks at the screens
DOCS_SHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "sandbox-mini-app.png"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Test shop</title>
<script src="%(script)s"></script>
<style>
  body { margin: 0; padding: 16px; font: 16px system-ui, sans-serif;
    background: var(--tg-theme-bg-color); color: var(--tg-theme-text-color); }
  button { font: inherit; padding: 8px 12px; border-radius: 8px; border: 0;
    background: var(--tg-theme-button-color); color: var(--tg-theme-button-text-color); }
  dd { margin: 0 0 8px; font-weight: 600; }
</style></head>
<body>
<h1>Test shop</h1>
<dl>
  <dt>user</dt><dd id="user"></dd>
  <dt>server says</dt><dd id="server"></dd>
  <dt>start_param</dt><dd id="start"></dd>
  <dt>theme</dt><dd id="scheme"></dd>
  <dt>main button clicks</dt><dd id="clicks">0</dd>
  <dt>back</dt><dd id="back"></dd>
  <dt>invoice</dt><dd id="invoice"></dd>
  <dt>confirmed</dt><dd id="confirmed"></dd>
</dl>
<button id="pay" type="button">Pay by card</button>
<button id="empty" type="button">Empty the cart</button>
<script>
  const tg = window.Telegram.WebApp;
  const show = (id, text) => { document.getElementById(id).textContent = text; };
  show("user", tg.initDataUnsafe.user ? tg.initDataUnsafe.user.first_name : "nobody");
  show("start", tg.initDataUnsafe.start_param || "none");
  const theme = () => show("scheme", tg.colorScheme + " " + tg.themeParams.bg_color);
  theme();
  tg.onEvent("themeChanged", theme);
  fetch("/check", { method: "POST", headers: { Authorization: "tma " + tg.initData } })
    .then((r) => r.text()).then((text) => show("server", text));
  let clicks = 0;
  tg.MainButton.setText("Add to cart").show().onClick(() => {
    clicks += 1;
    show("clicks", String(clicks));
    tg.HapticFeedback.impactOccurred("light");
  });
  tg.BackButton.show();
  tg.BackButton.onClick(() => { show("back", "pressed"); tg.BackButton.hide(); });
  document.getElementById("pay").addEventListener("click", () => {
    tg.MainButton.showProgress();
    tg.openInvoice(%(link)s, (status) => {
      show("invoice", status);
      tg.MainButton.hideProgress();
    });
  });
  document.getElementById("empty").addEventListener("click", () => {
    tg.showConfirm("Empty the cart?", (ok) => show("confirmed", String(ok)));
  });
  tg.ready();
  tg.expand();
</script>
</body></html>
"""


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
async def web_tg() -> AsyncIterator[Emulator]:
    require_browser()
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, web=True) as emulator:
        yield emulator


async def serve_page(tg: Emulator, link: str) -> web.AppRunner:
    """The test page and a /check that validates its initData as the shop's server does."""

    async def index(request: web.Request) -> web.Response:
        script = f"{tg.base_url}/sandbox/telegram-web-app.js"
        body = PAGE % {"script": script, "link": json.dumps(link)}
        return web.Response(text=body, content_type="text/html")

    async def check(request: web.Request) -> web.Response:
        raw = request.headers.get("Authorization", "").removeprefix("tma ")
        try:
            data = safe_parse_webapp_init_data(tg.token, raw)
        except ValueError:
            return web.Response(text="refused", status=401)
        assert data.user is not None
        return web.Response(text=f"valid for {data.user.id}")

    app = web.Application()
    app.router.add_get("/app/", index)
    app.router.add_post("/check", check)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def page_url(runner: web.AppRunner) -> str:
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}/app/"


@pytest.mark.parametrize("size", VIEWPORTS)
async def test_the_panel_plays_telegram_for_a_mini_app(
    web_tg: Emulator, shots: Path, size: str
) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=10_000)
    width, height = VIEWPORTS[size]
    async with running_shop_bot(web_tg) as bot:
        runner = await serve_page(web_tg, await invoice_link(bot))
        app_url = page_url(runner)
        try:
            await web_tg.persona(SARA).send("/start")
            await web_tg.persona(SARA).expect_message("Hi")
            await bot.set_chat_menu_button(
                chat_id=SARA,
                menu_button=MenuButtonWebApp(text="Shop", web_app=WebAppInfo(url=app_url)),
            )
            open_button = InlineKeyboardButton(
                text="Open the shop", web_app=WebAppInfo(url=app_url)
            )
            await bot.send_message(
                SARA,
                'The <a href="https://t.me/sandbox_shop_bot?startapp=p12">hoodie</a> is back',
                parse_mode="HTML",
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[[open_button]]),
            )
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                try:
                    context = await browser.new_context(
                        viewport={"width": width, "height": height}, has_touch=size == "phone"
                    )
                    page = await context.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda error: errors.append(str(error)))
                    await page.goto(f"{web_tg.base_url}/#{SARA}")
                    panel = page.locator("#webapp-panel")
                    app = page.frame_locator("#webapp-frame")

                    # the menu button the bot set opens the Mini App, signed for Sara
                    menu = page.locator("#menu-button")
                    await expect(menu).to_have_text("Shop")
                    await menu.click()
                    await expect(panel).to_be_visible()
                    await expect(panel).to_have_attribute("data-ready", "true")
                    await expect(page.locator("#webapp-title")).to_have_text("Sandbox Shop")
                    await expect(app.locator("#user")).to_have_text("Sara")
                    await expect(app.locator("#server")).to_have_text(f"valid for {SARA}")
                    await expect(app.locator("#start")).to_have_text("none")
                    box = await panel.bounding_box()
                    assert box is not None
                    if size == "phone":  # full screen
                        assert (box["x"], box["y"], box["width"]) == (0, 0, width)
                        assert box["height"] == height
                    else:  # a side panel beside the chat
                        chat = await page.locator("main.chat").bounding_box()
                        assert chat is not None
                        assert box["width"] == 420
                        assert chat["x"] + chat["width"] <= box["x"]

                    # the MainButton is the bottom bar; a click reaches the page
                    main = page.locator("#webapp-main-button")
                    await expect(main).to_have_text("Add to cart")
                    await expect(main).to_be_enabled()
                    await main.click()
                    await expect(app.locator("#clicks")).to_have_text("1")
                    await expect(panel).to_have_attribute("data-haptics", "1")
                    shot = shots / f"panel-{width}x{height}-light.png"
                    await page.screenshot(path=str(shot))
                    if size == "desktop" and os.environ.get("UPDATE_SCREENSHOTS"):
                        shutil.copyfile(shot, DOCS_SHOT)  # refresh the docs' copy on purpose

                    # Back shows while the page shows its BackButton
                    back = page.locator("#webapp-back")
                    await expect(back).to_be_visible()
                    await back.click()
                    await expect(app.locator("#back")).to_have_text("pressed")
                    await expect(back).to_be_hidden()

                    # the theme switch changes the panel and tells the page
                    await expect(app.locator("#scheme")).to_have_text("light #ffffff")
                    await page.locator("#webapp-theme").click()
                    await expect(panel).to_have_attribute("data-theme", "dark")
                    await expect(app.locator("#scheme")).to_have_text("dark #212121")
                    head = page.locator(".webapp-head")
                    await expect(head).to_have_css("background-color", "rgb(33, 33, 33)")

                    # openInvoice: the payment sheet, the bot's pre-checkout, "paid" to the page
                    await app.locator("#pay").click()
                    await expect(main.locator(".spinner")).to_be_visible()
                    await expect(main).to_be_disabled()
                    dialog = page.locator("#pay-dialog")
                    await expect(dialog).to_be_visible()
                    await expect(page.locator("#pay-amount")).to_have_text("24.50 EUR")
                    card = await page.locator("#pay-form").bounding_box()
                    cvc = await page.locator("#card-cvc").bounding_box()
                    assert card is not None
                    assert cvc is not None
                    assert cvc["x"] + cvc["width"] <= card["x"] + card["width"]  # on the sheet
                    await page.screenshot(path=str(shots / f"invoice-{width}x{height}-dark.png"))
                    await page.locator("#pay-submit").click()
                    await expect(dialog).to_be_hidden()
                    await expect(app.locator("#invoice")).to_have_text("paid")
                    await expect(main.locator(".spinner")).to_be_hidden()
                    await page.screenshot(path=str(shots / f"paid-{width}x{height}-dark.png"))

                    # a second invoice cancelled in the sheet says so
                    await app.locator("#pay").click()
                    await expect(dialog).to_be_visible()
                    await page.locator("#pay-cancel").click()
                    await expect(app.locator("#invoice")).to_have_text("cancelled")

                    # showConfirm is the client's own popup; the answer reaches the page
                    await app.locator("#empty").click()
                    popup = page.locator("#webapp-popup")
                    await expect(popup.locator("#popup-message")).to_have_text("Empty the cart?")
                    await popup.get_by_role("button", name="OK").click()
                    await expect(popup).to_be_hidden()
                    await expect(app.locator("#confirmed")).to_have_text("true")
                    await app.locator("#empty").click()
                    await popup.get_by_role("button", name="Cancel").click()
                    await expect(app.locator("#confirmed")).to_have_text("false")

                    # close; the chat shows the payment and the bot's confirmation
                    await page.locator("#webapp-close").click()
                    await expect(panel).to_be_hidden()
                    await expect(page.locator(".msg.payment")).to_have_text(
                        "Payment successful: 24.50 EUR"
                    )
                    await expect(page.locator(".msg.in", has_text="Paid order:7")).to_be_visible()

                    # a startapp link in a message opens the app with its parameter
                    await page.locator(".msg.in a", has_text="hoodie").click()
                    await expect(panel).to_be_visible()
                    await expect(app.locator("#start")).to_have_text("p12")
                    await expect(panel).to_have_attribute("data-theme", "dark")  # kept
                    await page.locator("#webapp-close").click()

                    # so does the inline web_app button, in a fresh page
                    await page.locator('.kb-button[data-kind="web_app"]').click()
                    await expect(app.locator("#user")).to_have_text("Sara")
                    await expect(app.locator("#clicks")).to_have_text("0")
                    await page.screenshot(path=str(shots / f"button-{width}x{height}-dark.png"))
                    assert errors == []
                finally:
                    await browser.close()
        finally:
            await runner.cleanup()
    payments = [m for m in web_tg.persona(SARA).messages if "successful_payment" in m]
    assert [p["successful_payment"]["invoice_payload"] for p in payments] == ["order:7"]
    web_tg.assert_no_violations()
