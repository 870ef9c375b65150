"""The web chat in a real browser: headless Chromium, driven by Playwright, against a demo bot.

Skips with one reason when Chromium or Playwright is missing, except under CI=true, where it
fails instead. Leaves a screenshot in the test's tmp dir and in docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox import DEMO_PERSONAS, Emulator
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.webbot import running_bot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
SCREENSHOT = ROOT / "docs" / "screenshots" / "sandbox-web-chat.png"
SARA = 900000201


@pytest.fixture
async def web_tg() -> AsyncIterator[Emulator]:
    require_browser()
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, web=True) as emulator:
        yield emulator


async def test_chat_in_the_browser(web_tg: Emulator, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=10_000)
    async with running_bot(web_tg) as bot, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
        )
        try:
            context = await browser.new_context(
                viewport={"width": 1100, "height": 860}, permissions=["microphone"]
            )
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(web_tg.base_url + "/")

            # pick a persona
            sara = page.locator(f'.persona[data-persona-id="{SARA}"]')
            await expect(page.locator(".persona")).to_have_count(4)
            await sara.click()
            await expect(sara).to_have_class("persona selected")
            await expect(page.locator("#chat-subtitle")).to_contain_text("Sara")

            # send /start, see the formatted reply with its inline keyboard
            await page.locator("#text").fill("/start")
            await page.locator("#text").press("Enter")
            await expect(page.locator(".msg.out", has_text="/start")).to_be_visible()
            welcome = page.locator(".msg.in", has_text="Welcome")
            await expect(welcome).to_be_visible()
            await expect(welcome.locator(".body b")).to_have_text("sandbox")
            website = welcome.locator("a.kb-button")
            await expect(website).to_have_attribute("href", "https://example.com/shop")
            message_id = await welcome.get_attribute("data-message-id")
            assert message_id is not None
            element = await welcome.element_handle()

            # click a callback button: the toast shows the answer, the message is edited in place
            await welcome.get_by_role("button", name="Add to cart").click()
            await expect(page.locator("#toast")).to_have_text("Added to cart")
            edited = page.locator(f'.msg[data-message-id="{message_id}"]')
            await expect(edited).to_contain_text("Cart: 1 × Hoodie")
            await expect(edited).to_have_attribute("data-edited", "true")
            await expect(page.locator(".msg", has_text="Welcome")).to_have_count(0)
            assert "Cart: 1" in (await element.text_content() or "")  # the same DOM node

            # the photo arrives and loads from the emulator's file store
            await edited.get_by_role("button", name="Checkout").click()
            photo = page.locator(".msg.in img.photo")
            await expect(photo).to_be_visible()
            await page.wait_for_function(
                "() => { const img = document.querySelector('.msg.in img.photo');"
                " return img !== null && img.complete && img.naturalWidth === 240; }"
            )
            await expect(page.locator(".msg.in", has_text="Hoodie, front")).to_be_visible()

            # pay the invoice with the test card
            pay = page.locator(".msg.in .pay-button")
            await expect(pay).to_have_text("Pay 49.99 EUR")
            await pay.click()
            await expect(page.locator("#pay-dialog")).to_be_visible()
            await expect(page.locator("#card-number")).to_have_value("4242 4242 4242 4242")
            await page.locator("#pay-submit").click()
            await expect(page.locator("#pay-dialog")).to_be_hidden()
            await expect(page.locator(".msg.payment")).to_have_text("Payment successful: 49.99 EUR")
            await expect(page.locator(".msg.in", has_text="Order order-1 paid")).to_be_visible()
            await expect(page.locator(".paid-badge")).to_have_text("Paid")

            # what the bot deletes disappears
            await page.locator("#text").fill("<b>not bold</b>")
            await page.locator("#text").press("Enter")
            echo = page.locator(".msg.in", has_text="You said: <b>not bold</b>")
            await expect(echo).to_be_visible()
            await expect(echo.locator(".body b")).to_have_count(0)
            echo_id = await echo.get_attribute("data-message-id")
            assert echo_id is not None
            await bot.delete_message(SARA, int(echo_id))
            await expect(page.locator(f'.msg[data-message-id="{echo_id}"]')).to_have_count(0)

            # record a voice note with the (fake) microphone
            record = page.locator("#record")
            await record.click()
            await expect(record).to_have_class("icon recording")
            await expect(page.locator("#toast")).to_contain_text("Recording")
            # speak for a moment, as people do: a recording stopped within milliseconds may
            # hold no audio yet (the page says so instead of sending it)
            await page.wait_for_timeout(1500)
            await record.click()
            await expect(page.locator(".msg.out audio")).to_have_count(1)
            # Chromium records WebM; the bot gets OGG/Opus it can decode, as from Telegram
            await expect(page.locator(".msg.in", has_text="Voice note of")).to_contain_text(
                "audio/ogg"
            )
            await expect(page.locator(".msg.in", has_text="Voice note of")).to_contain_text(
                "s of audio"
            )
            voices = [m for m in web_tg.persona(SARA).messages if "voice" in m]
            assert voices[0]["voice"]["mime_type"] == "audio/ogg"

            shot = tmp_path / "sandbox-web-chat.png"
            await page.screenshot(path=str(shot))
            if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh the docs' copy on purpose only
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, SCREENSHOT)
            assert errors == []
        finally:
            await browser.close()
    assert web_tg.violations == []


VIEWPORTS = {
    "desktop": (1100, 860),
    "phone-360": (360, 740),
    "phone-390": (390, 844),
    "phone-430": (430, 932),
}
ADMIN = 900000001


@pytest.mark.parametrize("size", VIEWPORTS)
async def test_menu_inline_mode_voice_and_drawer(
    web_tg: Emulator, tmp_path: Path, size: str
) -> None:
    """Items 2-5 of the web chat at desktop and phone widths: the persona list (a drawer on a
    phone), the "/" command menu of the user's scope, inline mode and the 🎤 recording."""
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=10_000)
    width, height = VIEWPORTS[size]
    phone = width < 640
    async with running_bot(web_tg), async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
        )
        try:
            context = await browser.new_context(
                viewport={"width": width, "height": height},
                permissions=["microphone"],
                has_touch=phone,
            )
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(web_tg.base_url + "/")
            sidebar = page.locator("#sidebar")
            chat = page.locator("main.chat")

            async def on_screen(locator) -> bool:  # type: ignore[no-untyped-def]
                box = await locator.bounding_box()
                return box is not None and box["x"] + box["width"] > 0 and box["x"] < width

            async def pick(persona_id: int) -> None:
                if phone:
                    await page.locator("#drawer-button").click()
                    await expect(sidebar).to_be_visible()
                await page.locator(f'.persona[data-persona-id="{persona_id}"]').click()

            # the persona list: beside the chat on a desktop, a drawer over it on a phone
            await expect(page.locator(".persona")).to_have_count(4)
            if phone:
                await expect(sidebar).to_be_visible()  # nobody chosen yet: the drawer is open
                await page.locator(f'.persona[data-persona-id="{SARA}"]').click()
                await expect(sidebar).to_be_hidden()
                assert not await on_screen(sidebar)
                await expect(page.locator("#drawer-button")).to_be_visible()
            else:
                await expect(page.locator("#drawer-button")).to_be_hidden()
                await page.locator(f'.persona[data-persona-id="{SARA}"]').click()
                assert await on_screen(sidebar)
            box = await chat.bounding_box()
            side = await sidebar.bounding_box()
            assert box is not None
            assert side is not None
            if phone:  # the chat has the whole width
                assert (box["x"], box["width"]) == (0, width)
            else:  # side by side, no overlap
                assert side["x"] + side["width"] <= box["x"]
            await expect(page.locator("#chat-subtitle")).to_contain_text("Sara")

            # the "/" menu: the menu button lists the default scope's commands
            menu = page.locator("#menu-button")
            await expect(menu).to_be_visible()
            await menu.click()
            commands = page.locator("#command-menu .command")
            await expect(commands).to_have_text(["/start", "/help"])
            await page.locator('#command-menu [data-command="start"]').click()
            await expect(page.locator("#command-menu")).to_be_hidden()
            await expect(page.locator(".msg.out", has_text="/start")).to_be_visible()
            await expect(page.locator(".msg.in", has_text="Welcome")).to_be_visible()
            # typing "/" offers them too, filtered as one types
            await page.locator("#text").fill("/")
            await expect(commands).to_have_text(["/start", "/help"])
            await page.locator("#text").fill("/he")
            await expect(commands).to_have_text(["/help"])
            await page.locator("#text").fill("")
            await expect(page.locator("#command-menu")).to_be_hidden()

            # a long message wraps at word boundaries, not one letter per line
            sentence = "the quick brown fox jumps over the lazy dog and keeps on running home"
            await page.locator("#text").fill(sentence)
            await page.locator("#text").press("Enter")
            echo = page.locator(".msg.in .body", has_text="You said: the quick")
            await expect(echo).to_be_visible()
            body_box = await echo.bounding_box()
            assert body_box is not None
            lines = await echo.evaluate(  # the distinct line tops of the text's boxes
                "(node) => { const range = document.createRange(); range.selectNodeContents(node);"
                " return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size; }"
            )
            assert body_box["width"] >= 0.5 * min(width, 480) - 40, body_box
            assert lines <= 4, lines
            assert await page.evaluate("document.documentElement.scrollWidth") <= width

            # inline mode: "@bot query" lists the bot's results; one is sent via @bot
            await page.locator("#text").fill("@sandbox_shop_bot hoo")
            results = page.locator("#inline-results .inline-result")
            await expect(results).to_have_count(2)
            await expect(results.locator(".title")).to_have_text(["Hoodie", "Hooded scarf"])
            await results.filter(has_text="Hooded scarf").click()
            await expect(page.locator("#inline-results")).to_be_hidden()
            card = page.locator(".msg.out", has_text="Hooded scarf")
            await expect(card.locator(".via")).to_have_text("via @sandbox_shop_bot")
            await expect(card.locator(".body b")).to_have_text("Hooded scarf")
            await expect(card.locator("a.kb-button")).to_have_attribute(
                "href", "https://example.com/shop"
            )
            await expect(
                page.locator(".msg.in", has_text="You shared via @sandbox_shop_bot")
            ).to_be_visible()
            await expect(page.locator("#text")).to_have_value("")

            # the 🎤 button: Chromium records WebM, the bot gets an OGG/Opus voice note
            record = page.locator("#record")
            await record.click()
            await expect(record).to_have_class("icon recording")
            await page.wait_for_timeout(1200)
            await record.click()
            reply = page.locator(".msg.in", has_text="Voice note of")
            await expect(reply).to_contain_text("audio/ogg")
            await expect(reply).to_contain_text("s of audio")
            await page.screenshot(path=str(tmp_path / f"web-chat-{size}.png"))

            # the admin's chat shows the admin's scope, with /admin in it
            await pick(ADMIN)
            await expect(page.locator("#chat-subtitle")).to_contain_text("Demo Admin")
            await page.locator("#text").fill("/start")
            await page.locator("#text").press("Enter")
            await expect(page.locator(".msg.in", has_text="Welcome")).to_be_visible()
            await menu.click()
            await expect(commands).to_have_text(["/start", "/help", "/admin"])
            assert errors == []
        finally:
            await browser.close()
    assert web_tg.violations == []
