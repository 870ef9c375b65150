"""A product card's picture loads after its message is placed and makes it taller: the web
chat, which was showing the newest message, keeps showing it with its buttons (a walkthrough
found the card's buttons left below the fold at desktop and phone width)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from PIL import Image

from sandbox import DEMO_PERSONAS, Emulator
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.webbot import running_bot

pytestmark = pytest.mark.browser

SARA = 900000201


@pytest.fixture
async def web_tg() -> AsyncIterator[Emulator]:
    require_browser()
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, web=True) as emulator:
        yield emulator


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
async def test_a_card_with_a_picture_is_shown_whole_with_its_buttons(
    web_tg: Emulator, viewport: tuple[int, int]
) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=10_000)
    width, height = viewport
    async with running_bot(web_tg) as bot, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": width, "height": height})
            await page.goto(web_tg.base_url + "/")
            await page.locator(f'.persona[data-persona-id="{SARA}"]').click()
            await page.locator("#text").fill("/start")
            await page.locator("#text").press("Enter")
            await expect(page.locator(".msg.out", has_text="/start")).to_be_visible()
            for n in range(12):  # enough messages to scroll; words after the number, so
                # "line 1" with its time ("10:26 PM") never reads as "line 11"
                await bot.send_message(SARA, f"line {n} of the scroll")
            await expect(page.locator(".msg.in", has_text="line 11 of the scroll")).to_be_visible()
            markup = InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="🛒 Add to cart", callback_data="a")]]
            )
            await bot.send_photo(
                SARA,
                BufferedInputFile(_picture(), "kettle.jpg"),
                caption="Copper Kettle · $35.00",
                reply_markup=markup,
            )
            card = page.locator(".msg.in", has_text="Copper Kettle")
            await expect(card.locator("img.photo")).to_be_visible()
            await card.locator("img.photo").evaluate(
                "(img) => img.complete ? null : new Promise((r) => img.addEventListener('load', r))"
            )
            await page.wait_for_timeout(200)
            below = await page.locator("#messages").evaluate(
                "(box) => box.scrollHeight - box.scrollTop - box.clientHeight"
            )
            assert below < 10, f"the newest message is {below}px below the fold"
            await expect(card.locator(".kb-button", has_text="Add to cart")).to_be_in_viewport()
        finally:
            await browser.close()
