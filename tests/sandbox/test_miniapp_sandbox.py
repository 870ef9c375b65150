"""The sandbox plays Telegram for Mini Apps, without a browser: signed initData, the launch URL
of each way in (inline button, reply-keyboard button, menu button, t.me link), and invoice
links paid through the payment sheet."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    WebAppInfo,
)
from aiogram.utils.web_app import safe_parse_webapp_init_data

from sandbox import DEMO_PERSONAS, Emulator
from sandbox.webapp import DARK, LIGHT, init_data, parse_app_link
from tests.sandbox.miniapp import invoice_link, launch_params, running_shop_bot

SARA, JOHN = 900000201, 900000202
TOKEN = "123456789:SANDBOX-token_for-tests"
APP = "https://shop.example.com/app/"
SARA_USER = {"id": SARA, "is_bot": False, "first_name": "Sara", "language_code": "en"}


# --- signing ---------------------------------------------------------------------------------
def test_signed_init_data_passes_aiogram_validation() -> None:
    data = init_data(
        TOKEN,
        {**SARA_USER, "last_name": "Ölund", "username": "sara"},
        auth_date=1_700_000_000,
        query_id="AAHq1",
        start_param="p12",
        chat_instance="-42",
    )

    parsed = safe_parse_webapp_init_data(TOKEN, data)

    assert parsed.user is not None
    assert (parsed.user.id, parsed.user.first_name, parsed.user.last_name) == (
        SARA,
        "Sara",
        "Ölund",
    )
    assert parsed.user.is_bot is None  # Telegram leaves it out of initData
    assert (parsed.query_id, parsed.start_param, parsed.chat_type) == ("AAHq1", "p12", "sender")
    assert parsed.chat_instance == "-42"
    assert int(parsed.auth_date.timestamp()) == 1_700_000_000


@pytest.mark.parametrize(
    ("field", "forged"),
    [("user", '{"id":900000101,"first_name":"Maya"}'), ("auth_date", "1900000000")],
)
def test_a_tampered_field_fails_validation(field: str, forged: str) -> None:
    from urllib.parse import parse_qsl, quote, urlencode

    fields = dict(parse_qsl(init_data(TOKEN, SARA_USER, auth_date=1_700_000_000)))
    fields[field] = forged
    tampered = urlencode(fields, quote_via=quote)

    with pytest.raises(ValueError, match="signature"):
        safe_parse_webapp_init_data(TOKEN, tampered)


def test_init_data_signed_with_another_token_fails_validation() -> None:
    data = init_data("987654321:OTHER-token", SARA_USER)
    with pytest.raises(ValueError, match="signature"):
        safe_parse_webapp_init_data(TOKEN, data)


def test_t_me_links_that_open_a_mini_app() -> None:
    link = parse_app_link("https://t.me/sandbox_shop_bot?startapp=p12")
    assert link is not None
    assert (link.bot_username, link.app, link.start_param) == ("sandbox_shop_bot", None, "p12")
    named = parse_app_link("https://t.me/sandbox_shop_bot/shop?startapp=c3")
    assert named is not None
    assert (named.app, named.start_param) == ("shop", "c3")
    assert parse_app_link("https://t.me/sandbox_shop_bot") is None  # opens the chat
    assert parse_app_link("https://t.me/sandbox_shop_bot?start=p12") is None  # a /start link
    assert parse_app_link("https://example.com/sandbox_shop_bot?startapp=p12") is None


# --- the web chat ------------------------------------------------------------------------------
@pytest.fixture
async def web_tg() -> AsyncIterator[Emulator]:
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, web=True) as emulator:
        yield emulator


class Page:
    """What the web chat page does, over HTTP."""

    def __init__(self, http: aiohttp.ClientSession, tg: Emulator) -> None:
        self.http = http
        self.base = f"{tg.base_url}/sandbox/api"

    async def chat(self, user_id: int = SARA) -> dict[str, Any]:
        async with self.http.get(f"{self.base}/personas/{user_id}/chat") as response:
            assert response.status == 200
            return dict(await response.json())

    async def post(self, action: str, user_id: int = SARA, **body: Any) -> tuple[int, Any]:
        url = f"{self.base}/personas/{user_id}/{action}"
        async with self.http.post(url, json=body) as response:
            return response.status, await response.json()

    async def launch(self, user_id: int = SARA, **body: Any) -> dict[str, Any]:
        status, answer = await self.post("webapp", user_id, **body)
        assert status == 200, answer
        return dict(answer)


@pytest.fixture
async def page(web_tg: Emulator, http: aiohttp.ClientSession) -> Page:
    return Page(http, web_tg)


async def test_a_web_app_button_opens_with_initdata_signed_for_the_persona(
    web_tg: Emulator, page: Page
) -> None:
    async with running_shop_bot(web_tg) as bot:
        await web_tg.persona(SARA).send("/start")
        await web_tg.persona(SARA).expect_message("Hi")
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="🛍 Open the shop", web_app=WebAppInfo(url=APP))]
            ]
        )
        sent = await bot.send_message(SARA, "Welcome", reply_markup=markup)

        shown = next(m for m in (await page.chat())["messages"] if m["id"] == sent.message_id)
        assert shown["buttons"] == [
            [{"text": "🛍 Open the shop", "index": 0, "kind": "web_app", "url": APP}]
        ]
        opened = await page.launch(source="button", message_id=sent.message_id, index=0)

    assert opened["url"].startswith(APP + "#tgWebAppData=")
    params = launch_params(opened["url"])
    assert (params["tgWebAppVersion"], params["tgWebAppPlatform"]) == ("8.0", "weba")
    assert json.loads(params["tgWebAppThemeParams"]) == LIGHT
    assert params["tgWebAppData"] == opened["init_data"]
    parsed = safe_parse_webapp_init_data(web_tg.token, params["tgWebAppData"])
    assert parsed.user is not None
    assert (parsed.user.id, parsed.user.first_name) == (SARA, "Sara")
    assert parsed.query_id  # an inline-button Mini App may answer through answerWebAppQuery
    assert parsed.start_param is None
    assert opened["title"] == "Sandbox Shop"
    web_tg.assert_no_violations()


async def test_the_menu_button_set_for_a_chat_and_by_default_appears(
    web_tg: Emulator, page: Page
) -> None:
    async with running_shop_bot(web_tg) as bot:
        await web_tg.persona(SARA).send("/start")
        await web_tg.persona(SARA).expect_message("Hi")
        assert (await page.chat())["web_app_menu"] is None

        shop = MenuButtonWebApp(text="Shop", web_app=WebAppInfo(url=APP))
        await bot.set_chat_menu_button(chat_id=SARA, menu_button=shop)
        sara, john = await page.chat(SARA), await page.chat(JOHN)
        assert (sara["menu_button"], sara["web_app_menu"]) == (
            "web_app",
            {"text": "Shop", "url": APP},
        )
        assert john["web_app_menu"] is None  # the chat's own button is Sara's only

        store = MenuButtonWebApp(text="Store", web_app=WebAppInfo(url=APP + "?v=2"))
        await bot.set_chat_menu_button(menu_button=store)  # the default for every chat
        assert (await page.chat(JOHN))["web_app_menu"] == {"text": "Store", "url": APP + "?v=2"}
        assert (await page.chat(SARA))["web_app_menu"]["text"] == "Shop"

        opened = await page.launch(source="menu", theme="dark")

    params = launch_params(opened["url"])
    assert opened["url"].startswith(APP + "#")
    assert json.loads(params["tgWebAppThemeParams"]) == DARK
    parsed = safe_parse_webapp_init_data(web_tg.token, params["tgWebAppData"])
    assert parsed.user is not None
    assert parsed.user.id == SARA


async def test_a_startapp_link_in_a_message_opens_the_mini_app_with_its_parameter(
    web_tg: Emulator, page: Page
) -> None:
    async with running_shop_bot(web_tg) as bot:
        await web_tg.persona(SARA).send("/start")
        await web_tg.persona(SARA).expect_message("Hi")
        link = "https://t.me/sandbox_shop_bot?startapp=p12"
        no_app_status, no_app = await page.post("webapp", source="link", url=link)
        assert (no_app_status, no_app["error"]) == (400, "the bot's menu button opens no Mini App")
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(text="Shop", web_app=WebAppInfo(url=APP))
        )
        sent = await bot.send_message(SARA, f"See the hoodie: {link}")

        shown = next(m for m in (await page.chat())["messages"] if m["id"] == sent.message_id)
        assert f'<a href="{link}"' in shown["html"]  # a plain URL shows as a link
        opened = await page.launch(source="link", url=link)
        status, refused = await page.post(
            "webapp", source="link", url="https://t.me/other_bot?startapp=p1"
        )

    parsed = safe_parse_webapp_init_data(web_tg.token, launch_params(opened["url"])["tgWebAppData"])
    assert parsed.start_param == "p12"
    assert parsed.query_id is None  # a direct link's session has none
    assert parsed.chat_instance
    assert status == 400
    assert "other_bot" in refused["error"]


async def test_a_reply_keyboard_mini_app_gets_no_user_data_and_sends_data_back(
    web_tg: Emulator, page: Page
) -> None:
    async with running_shop_bot(web_tg) as bot:
        await web_tg.persona(SARA).send("/start")
        await web_tg.persona(SARA).expect_message("Hi")
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Pick a size", web_app=WebAppInfo(url=APP))]]
        )
        await bot.send_message(SARA, "Sizes below", reply_markup=keyboard)
        rows = (await page.chat())["keyboard"]["rows"]
        assert rows == [[{"text": "Pick a size", "request_contact": False, "web_app": APP}]]

        opened = await page.launch(source="keyboard", text="Pick a size")
        status, sent = await page.post("web_app_data", button_text="Pick a size", data="XL")
        assert status == 200, sent
        await web_tg.persona(SARA).expect_message("Got XL")
        pressed_status, pressed = await page.post("press", text="Pick a size")

    # Telegram's keyboard-button Mini Apps carry no initData (no user information)
    assert launch_params(opened["url"])["tgWebAppData"] == ""
    assert pressed_status == 400
    assert "opens a Mini App" in pressed["error"]
    shown = (await page.chat())["messages"]
    assert any("«Pick a size» button" in str(m.get("notice")) for m in shown)


async def test_an_invoice_link_is_paid_in_the_sheet_like_a_chat_invoice(
    web_tg: Emulator, page: Page, http: aiohttp.ClientSession
) -> None:
    async with running_shop_bot(web_tg) as bot:
        await web_tg.persona(SARA).send("/start")
        await web_tg.persona(SARA).expect_message("Hi")
        link = await invoice_link(bot)
        slug = link.removeprefix("https://t.me/$")
        async with http.get(f"{web_tg.base_url}/sandbox/api/invoices/{slug}") as response:
            sheet = await response.json()
        assert sheet == {
            "ok": True,
            "title": "Hoodie",
            "description": "One grey hoodie",
            "amount": "24.50 EUR",
        }

        declined_status, declined = await page.post(
            "pay_link", slug=slug, card_number="4000 0000 0000 0002"
        )
        status, paid = await page.post("pay_link", slug=slug, card_number="4242 4242 4242 4242")
        await web_tg.persona(SARA).expect_message("Paid order:7")

        refused_link = await invoice_link(bot, payload="refuse:8")
        refused_slug = refused_link.removeprefix("https://t.me/$")
        _, refused = await page.post("pay_link", slug=refused_slug, card_number="4242424242424242")

    assert declined_status == 400
    assert "declined" in declined["error"]
    assert (status, paid["status"]) == (200, "paid")
    payments = [m for m in web_tg.persona(SARA).messages if "successful_payment" in m]
    assert [p["successful_payment"]["invoice_payload"] for p in payments] == ["order:7"]
    assert payments[0]["successful_payment"]["total_amount"] == 2450
    assert len(web_tg.calls("answerPreCheckoutQuery")) == 2  # the same path as a chat invoice
    assert (refused["status"], refused["error"]) == ("failed", "Sold out")
    web_tg.assert_no_violations()


async def test_the_web_app_script_is_served_for_other_origins(
    web_tg: Emulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{web_tg.base_url}/sandbox/telegram-web-app.js") as response:
        body = await response.text()
        assert response.status == 200
        assert response.content_type == "text/javascript"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "window.Telegram" in body
    assert "web_app_setup_main_button" in body
