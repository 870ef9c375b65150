"""Long inline button labels in the web chat at a phone's width wrap onto a second line, as
Telegram's own apps show them, instead of being cut or pushed off the screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from sandbox import DEMO_PERSONAS, Emulator
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.webbot import running_bot

pytestmark = pytest.mark.browser

SARA = 900000201
WIDTH, HEIGHT = 390, 844
LONG = "White Bluetooth Speaker with Deep Bass · $24.99 · sold out"
PAIR = ("Stainless Steel Pour-over Kettle · $35.00", "Supercalifragilisticexpialidociousdeluxe")


@pytest.fixture
async def web_tg() -> AsyncIterator[Emulator]:
    require_browser()
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, web=True) as emulator:
        yield emulator


async def test_long_button_labels_wrap_at_phone_width(web_tg: Emulator, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=10_000)
    async with running_bot(web_tg) as bot, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(
                viewport={"width": WIDTH, "height": HEIGHT}, has_touch=True
            )
            page = await context.new_page()
            await page.goto(web_tg.base_url + "/")
            await page.locator(f'.persona[data-persona-id="{SARA}"]').click()
            await page.locator("#text").fill("/start")
            await page.locator("#text").press("Enter")
            await expect(page.locator(".msg.in", has_text="Welcome")).to_be_visible()
            markup = InlineKeyboardMarkup(
                inline_keyboard=[
                    [InlineKeyboardButton(text=LONG, callback_data="add")],
                    [InlineKeyboardButton(text=label, callback_data="add") for label in PAIR],
                ]
            )
            await bot.send_message(SARA, "Results", reply_markup=markup)
            shown = page.locator(".msg.in", has_text="Results")
            await expect(shown).to_be_visible()
            await page.screenshot(path=str(tmp_path / "buttons-390.png"))

            for label in (LONG, *PAIR):
                button = shown.locator(".kb-button", has_text=label)
                await expect(button).to_have_text(label)
                fits = await button.evaluate(
                    "(b) => { const r = b.getBoundingClientRect(); return {"
                    " left: r.left, right: r.right, height: r.height,"
                    " overflows: b.scrollWidth > b.clientWidth + 1,"
                    " line: parseFloat(getComputedStyle(b).lineHeight) ||"
                    " 1.2 * parseFloat(getComputedStyle(b).fontSize) }; }"
                )
                assert fits["left"] >= 0, (label, fits)
                assert fits["right"] <= WIDTH, (label, fits)
                assert not fits["overflows"], (label, fits)  # the whole label is shown
            # the long one takes two lines; a row's buttons share its width evenly, so a long
            # word does not squeeze its neighbour into a column of one word a line
            lines = {
                label: await shown.locator(".kb-button", has_text=label).evaluate(
                    "(b) => { const range = document.createRange(); range.selectNodeContents(b);"
                    " return new Set([...range.getClientRects()].map((r) => Math.round(r.top)))"
                    ".size; }"
                )
                for label in (LONG, *PAIR)
            }
            assert lines[LONG] == 2, lines
            assert all(n <= 2 for n in lines.values()), lines
            boxes = [
                await shown.locator(".kb-button", has_text=label).bounding_box() for label in PAIR
            ]
            assert all(box is not None for box in boxes)
            widths = [box["width"] for box in boxes if box is not None]
            assert abs(widths[0] - widths[1]) <= 2, widths
            assert await page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        finally:
            await browser.close()
    assert web_tg.violations == []
