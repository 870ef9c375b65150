"""The shop in the sandbox, in a real browser: `python -m bot run` without a token, then
headless Chromium (Playwright) browses, adds to the cart, checks out and pays by card as Sara.

Leaves screenshots of the main screens in docs/screenshots/ for the README. Skips with one
reason when Chromium or Playwright is missing, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.conftest import ROOT
from tests.e2e.conftest import sandbox_process

pytestmark = pytest.mark.browser

# screenshots land in the test's tmp dir; UPDATE_SCREENSHOTS=1 refreshes the README's copies
SHOTS = ROOT / "docs" / "screenshots"
SARA = 900000201


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[str]:
    require_browser()
    async with sandbox_process(tmp_path) as (base, _):
        yield base


async def test_sara_buys_a_kettle_in_the_browser(sandbox: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=15_000)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = await (
                await browser.new_context(viewport={"width": 1100, "height": 900})
            ).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(sandbox + "/")
            await page.locator(f'.persona[data-persona-id="{SARA}"]').click()

            async def say(text: str) -> None:
                await page.locator("#text").fill(text)
                await page.locator("#text").press("Enter")

            def newest(text: str):  # type: ignore[no-untyped-def]
                return page.locator(".msg.in", has_text=text).last

            await say("/start")
            await expect(newest("Welcome back, Sara")).to_be_visible()
            await newest("Welcome back, Sara").get_by_role("button", name="Browse").click()
            await expect(newest("Choose a category")).to_be_visible()
            await page.screenshot(path=str(tmp_path / "shop-menu.png"))

            await say("pour-over kettle")
            results = newest("Results for")
            await expect(results).to_be_visible()
            await results.get_by_role("button").first.click()
            card = newest("Sold by Kitchen & Co")
            await expect(card.locator("img.photo")).to_be_visible()
            await page.screenshot(path=str(tmp_path / "shop-product.png"))
            await card.get_by_role("button", name="+").click()
            await expect(card.get_by_role("button", name="Add 2 to cart")).to_be_visible()
            await card.get_by_role("button", name="Add 2 to cart").click()
            await expect(page.locator("#toast")).to_contain_text("Added 2")

            await say("/cart")
            cart = newest("Your cart")
            await expect(cart).to_contain_text("2 ×")
            await page.screenshot(path=str(tmp_path / "shop-cart.png"))
            await cart.get_by_role("button", name="Checkout").click()
            where = newest("Where should we deliver?")
            await expect(where).to_be_visible()
            await where.get_by_role("button", name="12 Lake Road").click()
            shipping = newest("How should it be shipped?")
            await shipping.get_by_role("button", name="Speedy Couriers").click()
            coupon = newest("Do you have a coupon?")
            await expect(coupon).to_be_visible()
            await say("FREESHIP")
            await expect(newest("Coupon FREESHIP")).to_be_visible()
            await newest("How would you like to pay?").get_by_role("button", name="Card").click()
            summary = newest("Please confirm your order")
            await expect(summary).to_contain_text("Speedy Couriers")
            await page.screenshot(path=str(tmp_path / "shop-checkout.png"))
            await summary.get_by_role("button", name="Place order").click()

            pay = page.locator(".msg.in .pay-button").last
            await expect(pay).to_be_visible()
            await pay.click()
            await page.locator("#pay-submit").click()
            await expect(newest("Payment received")).to_be_visible()
            await page.screenshot(path=str(tmp_path / "shop-paid.png"))
            assert errors == []
            if os.environ.get("UPDATE_SCREENSHOTS"):
                for name in ("menu", "product", "cart", "checkout", "paid"):
                    shutil.copyfile(tmp_path / f"shop-{name}.png", SHOTS / f"shop-{name}.png")
        finally:
            await browser.close()
