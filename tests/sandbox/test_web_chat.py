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
            await record.click()
            await expect(page.locator(".msg.out audio")).to_have_count(1)
            await expect(page.locator(".msg.in", has_text="Voice note of")).to_be_visible()
            voices = [m for m in web_tg.persona(SARA).messages if "voice" in m]
            assert voices[0]["voice"]["mime_type"] in ("audio/webm", "audio/ogg")

            shot = tmp_path / "sandbox-web-chat.png"
            await page.screenshot(path=str(shot))
            if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh the docs' copy on purpose only
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, SCREENSHOT)
            assert errors == []
        finally:
            await browser.close()
    assert web_tg.violations == []
