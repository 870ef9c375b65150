"""Screenshots of the shop's main screens for the README, taken from the local sandbox.

Starts `python -m bot run` without a token on a fresh demo database (the sandbox's web chat
with the real bot behind it), then drives the web chat in headless Chromium as a customer
(menu, product card, cart, checkout summary), as the seller (dashboard, sales report with its
chart) and as the admin (panel, marketplace report), and saves 800-pixel-wide PNGs:

    .venv/bin/python scripts/screenshots.py              # into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots

Needs Playwright (a dev dependency) and Debian's chromium at /usr/bin/chromium; with Debian's
fonts-noto-color-emoji the buttons' emoji show as they do in Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.conftest import sandbox_process  # noqa: E402

WIDTH, HEIGHT = 800, 900
SARA, MAYA, ADMIN = 900000201, 900000101, 900000001  # the demo personas


def save(png: bytes, path: Path) -> None:
    """Keep the README light: the screenshot in 256 colours (text and flat colours survive)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path} ({path.stat().st_size // 1024} KB)", flush=True)


async def take(base: str, out: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=20_000)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = await (
                await browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            ).new_page()
            await page.goto(base + "/")

            async def be(persona: int) -> None:
                await page.locator(f'.persona[data-persona-id="{persona}"]').click()

            async def say(text: str) -> None:
                await page.locator("#text").fill(text)
                await page.locator("#text").press("Enter")

            def newest(text: str) -> Any:
                return page.locator(".msg.in", has_text=text).last

            async def shot(name: str, bottom: Any = None) -> None:
                await expect(page.locator("#toast")).to_be_hidden()
                await page.wait_for_timeout(400)  # let the chat finish scrolling
                if bottom is not None:  # a tall message (a chart): show all of it
                    await bottom.evaluate("node => node.scrollIntoView({block: 'end'})")
                save(await page.screenshot(), out / f"{name}.png")

            # --- the customer -------------------------------------------------------------
            await be(SARA)
            await say("/start")
            await expect(newest("Welcome back, Sara")).to_be_visible()
            await shot("menu")

            await say("pour-over kettle")
            results = newest("Results for")
            await expect(results).to_be_visible()
            await results.get_by_role("button").first.click()
            card = newest("Sold by Kitchen & Co")
            await expect(card.locator("img.photo")).to_be_visible()
            await shot("product")
            await card.get_by_role("button", name="+").click()
            await expect(card.get_by_role("button", name="Add 2 to cart")).to_be_visible()
            await card.get_by_role("button", name="Add 2 to cart").click()
            await expect(page.locator("#toast")).to_contain_text("Added 2")

            await say("/cart")
            cart = newest("Your cart")
            await expect(cart).to_contain_text("2 ×")
            await shot("cart")
            await cart.get_by_role("button", name="Checkout").click()
            where = newest("Where should we deliver?")
            await where.get_by_role("button", name="12 Lake Road").click()
            await (
                newest("How should it be shipped?")
                .get_by_role("button", name="Speedy Couriers")
                .click()
            )
            await expect(newest("Do you have a coupon?")).to_be_visible()
            await say("FREESHIP")
            await expect(newest("Coupon FREESHIP")).to_be_visible()
            await newest("How would you like to pay?").get_by_role("button", name="Card").click()
            await expect(newest("Please confirm your order")).to_be_visible()
            await shot("checkout")

            # --- the seller ---------------------------------------------------------------
            await be(MAYA)
            await say("/sell")
            await expect(newest("your store")).to_be_visible()
            await shot("seller")
            await say("/report")
            await newest("which period?").get_by_role("button", name="90 days").click()
            chart = page.locator(".msg.in", has=page.locator("img.photo")).last
            await expect(chart.locator("img.photo")).to_be_visible()
            await shot("seller-report", chart)

            # --- the admin ----------------------------------------------------------------
            await be(ADMIN)
            await say("/admin")
            await expect(newest("Admin")).to_be_visible()
            await shot("admin")
            await say("/market")
            await newest("which period?").get_by_role("button", name="90 days").click()
            await expect(newest("Top stores")).to_be_visible()
            chart = page.locator(".msg.in", has=page.locator("img.photo")).last
            await expect(chart.locator("img.photo")).to_be_visible()
            await shot("admin-report", chart)
        finally:
            await browser.close()


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="shop-screens-") as home:
        async with sandbox_process(Path(home)) as (base, _):
            await take(base, out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    target = parser.parse_args().out
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
