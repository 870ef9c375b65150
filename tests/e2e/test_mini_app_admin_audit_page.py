"""The Mini App's audit page, in a real browser against `python -m bot run` in sandbox mode
(the demo shop): a parcel's milestone that a later step implied reads as the chat's /audit
says it ("implied by the next step"), its title names the parcel in words, and nothing of
the row's bookkeeping ("source", "implied: true") shows. Skips with one reason when Chromium
or Playwright is not there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.sandbox.miniapp import as_user, shop_with_mini_app

ADMIN, MAYA = 900000001, 900000101  # Demo Admin; Maya, who sells


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[tuple[str, str, list[str]]]:
    require_browser()
    async with shop_with_mini_app(tmp_path) as running:
        yield running


async def test_the_audit_page_says_an_implied_milestone_in_words(
    shop: tuple[str, str, list[str]],
) -> None:
    from playwright.async_api import async_playwright, expect

    chat_url, app_url, output = shop
    expect.set_options(timeout=15_000)
    # Maya ships a parcel she has not confirmed yet: received and packed are implied
    board = await as_user(app_url, MAYA, "Maya", "seller/board")
    waiting = board["queues"]["confirm"][0]["shipment_id"]
    await as_user(
        app_url,
        MAYA,
        "Maya",
        f"seller/parcels/{waiting}/act",
        "POST",
        json={"step": "ship", "tracking_number": "SBX77001"},
    )
    found = await as_user(
        app_url, ADMIN, "Demo Admin", f"admin/audit?entity=shipment&entity_id={waiting}"
    )
    implied = next(
        i
        for i in found["items"]
        if any(c["display"] == "implied by the next step" for c in i["changes"])
    )
    parcel = implied["entity_id"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{chat_url}/#{ADMIN}")
            await page.reload()
            await page.locator("#menu-button").click()
            await expect(page.locator("#webapp-panel")).to_have_attribute("data-ready", "true")
            app = page.frame_locator("#webapp-frame")
            await expect(app.locator(".nav-link").first).to_be_visible()
            frame = next(f for f in page.frames if "/app/" in f.url)
            await frame.evaluate(
                f"location.hash = '#/admin/audit?entity=shipment&entity_id={parcel}'"
            )
            row = app.locator(f"li[data-audit-id='{implied['id']}']")
            await expect(row).to_contain_text(f"Parcel #{parcel} · changed")
            await expect(row.locator(".changes")).to_contain_text("implied by the next step")
            await expect(row.locator(".changes")).not_to_contain_text("source")
            await expect(row.locator(".changes")).not_to_contain_text("true")
            assert errors == [], errors
        except AssertionError as failed:
            log = "".join(output)[-3000:]
            raise AssertionError(f"{failed}\n--- the bot's log ends:\n{log}") from None
        finally:
            await browser.close()
