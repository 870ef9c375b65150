"""The web chat's JSON API and rendering, without a browser: personas, every action, polling."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram.types import ReactionTypeEmoji
from PIL import Image

from sandbox import DEMO_PERSONAS, Emulator, Persona
from sandbox.launcher import serve
from sandbox.webchat import luhn_ok, render_html, sniff
from tests.sandbox.conftest import png, recording
from tests.sandbox.webbot import running_bot

SARA = 900000201


@pytest.fixture
async def web_tg() -> AsyncIterator[Emulator]:
    async with Emulator(use_env_spec=False, personas=DEMO_PERSONAS, web=True) as emulator:
        yield emulator


class Page:
    """What the page does, over HTTP."""

    def __init__(self, http: aiohttp.ClientSession, tg: Emulator, user_id: int = SARA) -> None:
        self.http = http
        self.base = f"{tg.base_url}/sandbox/api"
        self.user_id = user_id

    async def get(self, path: str, **query: str) -> tuple[int, dict[str, Any]]:
        async with self.http.get(f"{self.base}{path}", params=query) as response:
            return response.status, await response.json()

    async def post(self, action: str, **body: Any) -> tuple[int, dict[str, Any]]:
        url = f"{self.base}/personas/{self.user_id}/{action}"
        async with self.http.post(url, json=body) as response:
            return response.status, await response.json()

    async def upload(
        self, action: str, data: bytes, filename: str, **fields: str
    ) -> tuple[int, dict[str, Any]]:
        form = aiohttp.FormData()
        for key, value in fields.items():
            form.add_field(key, value)
        form.add_field("file", io.BytesIO(data), filename=filename)
        url = f"{self.base}/personas/{self.user_id}/{action}"
        async with self.http.post(url, data=form) as response:
            return response.status, await response.json()

    async def chat(self) -> dict[str, Any]:
        status, body = await self.get(f"/personas/{self.user_id}/chat")
        assert status == 200, body
        return body

    async def wait_for(self, contains: str, within: float = 10.0) -> dict[str, Any]:
        """Long-poll until a message whose html contains `contains` is shown."""
        body = await self.chat()
        async with asyncio.timeout(within):
            while not any(contains in m.get("html", "") for m in body["messages"]):
                status, body = await self.get(
                    f"/personas/{self.user_id}/chat", since=body["since"], wait="5"
                )
                assert status == 200, body
        return next(m for m in body["messages"] if contains in m.get("html", ""))


@pytest.fixture
async def page(web_tg: Emulator, http: aiohttp.ClientSession) -> Page:
    return Page(http, web_tg)


async def test_personas_keep_their_ids_and_names(web_tg: Emulator, page: Page) -> None:
    status, body = await page.get("/personas")
    assert status == 200
    assert [(p["id"], p["first_name"], p["role_label"]) for p in body["personas"]] == [
        (900000201, "Sara", "customer"),
        (900000202, "John", "customer"),
        (900000101, "Maya", "seller"),
        (900000001, "Demo Admin", "admin"),
    ]
    assert body["bot"]["username"] == "sandbox_shop_bot"
    sara = web_tg.persona(SARA)
    assert sara is web_tg.persona("sara")
    assert (sara.id, sara.user["first_name"]) == (SARA, "Sara")
    assert web_tg.user("Alice").id not in web_tg.personas
    with pytest.raises(ValueError, match="already taken"):
        web_tg.add_persona(Persona(SARA, "Other"))
    with pytest.raises(KeyError):
        web_tg.persona(1)


async def test_page_and_static_files_are_served(
    web_tg: Emulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(web_tg.base_url + "/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert "/sandbox/static/app.js" in await response.text()
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        async with http.get(f"{web_tg.base_url}/sandbox/static/{name}") as response:
            assert response.status == 200
            assert response.content_type == kind
    async with http.get(f"{web_tg.base_url}/sandbox/static/../emulator.py") as response:
        assert response.status == 404
    async with http.get(f"{web_tg.base_url}/sandbox/api/personas/1/chat") as response:
        assert response.status == 404


async def test_web_chat_is_off_unless_asked(tg: Emulator, http: aiohttp.ClientSession) -> None:
    async with http.get(tg.base_url + "/") as response:
        assert response.status == 404
        assert (await response.json())["description"] == "Not Found"


async def test_a_conversation_through_the_api(web_tg: Emulator, page: Page) -> None:
    async with running_bot(web_tg) as bot:
        status, body = await page.post("send", text="/start")
        assert status == 200, body
        welcome = await page.wait_for("Welcome")
        assert welcome["html"] == (
            "Welcome to the <b>sandbox</b> shop, Sara! <i>Hoodie</i>: <code>49.99 EUR</code>"
        )
        assert not welcome["outgoing"]
        assert [[b["kind"] for b in row] for row in welcome["buttons"]] == [["callback"], ["url"]]
        assert welcome["buttons"][1][0]["url"] == "https://example.com/shop"

        status, body = await page.post("click", message_id=welcome["id"], index=0)
        assert status == 200, body
        assert body["answer"]["text"] == "Added to cart"
        cart = await page.wait_for("Cart: 1")
        assert cart["id"] == welcome["id"]  # edited in place
        assert cart["edited"]
        assert [m["id"] for m in (await page.chat())["messages"]].count(welcome["id"]) == 1

        status, body = await page.post("click", message_id=cart["id"], data="checkout")
        assert status == 200, body
        status, body = await page.post("click", message_id=cart["id"], index=5)
        assert status == 400
        assert "no button #5" in body["error"]

        photo = await page.wait_for("Hoodie, front")
        async with page.http.get(web_tg.base_url + photo["photo"]["url"]) as response:
            assert response.content_type == "image/jpeg"  # re-encoded, as on Telegram
            with Image.open(io.BytesIO(await response.read())) as picture:
                assert picture.size == (240, 160)
        snapshot = await page.chat()
        async with asyncio.timeout(10):
            while not any("invoice" in m for m in snapshot["messages"]):
                _, snapshot = await page.get(
                    f"/personas/{SARA}/chat", since=snapshot["since"], wait="5"
                )
        invoice = next(m for m in snapshot["messages"] if "invoice" in m)
        assert invoice["invoice"]["amount"] == "49.99 EUR"
        assert invoice["invoice"]["payable"]
        assert not invoice["invoice"]["paid"]

        status, body = await page.post("pay", message_id=invoice["id"], card_number="4242 4242")
        assert (status, body["error"]) == (400, "card number is invalid")
        status, body = await page.post(
            "pay", message_id=invoice["id"], card_number="4000 0000 0000 0002"
        )
        assert status == 400
        assert "declined" in body["error"]
        status, body = await page.post(
            "pay", message_id=invoice["id"], card_number="4242 4242 4242 4242"
        )
        assert status == 200, body
        assert body["provider_payment_charge_id"].startswith("ch_")
        await page.wait_for("Order order-1 paid")
        messages = (await page.chat())["messages"]
        assert any(m.get("payment", {}).get("amount") == "49.99 EUR" for m in messages)
        assert next(m for m in messages if m["id"] == invoice["id"])["invoice"]["paid"]

        await page.post("send", text="menu")
        await page.wait_for("Menu below")
        keyboard = (await page.chat())["keyboard"]
        assert keyboard["rows"] == [
            [{"text": "Catalog", "request_contact": False}],
            [{"text": "Share phone", "request_contact": True}],
        ]
        assert (await page.post("press", text="Catalog"))[0] == 200
        await page.wait_for("You said: Catalog")
        assert (await page.post("press", text="Share phone"))[0] == 200
        await page.wait_for("Phone +15550100001")
        status, body = await page.post("press", text="Nope")
        assert status == 400
        assert "no reply keyboard button" in body["error"]

        status, body = await page.upload("photo", png(), "me.png", caption="my size")
        assert status == 200, body
        await page.wait_for("Nice photo: my size")
        status, body = await page.upload("voice", recording(3.0, "ogg"), "voice.ogg")
        assert status == 200, body
        await page.wait_for("Voice note of 3 s, audio/ogg, 3.0 s of audio")
        status, body = await page.upload("voice", b"not audio", "voice.ogg")
        assert status == 400
        status, body = await page.upload("document", b"a,b\n1,2\n", "list.csv")
        assert status == 200, body
        await page.wait_for("Document list.csv")
        assert (await page.post("contact", phone_number="+15550109999"))[0] == 200
        await page.wait_for("Phone +15550109999")

        await page.post("send", text="<script>alert(1)</script> & co")
        echo = await page.wait_for("You said: &lt;script")
        assert echo["html"] == "You said: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
        voice = next(m for m in (await page.chat())["messages"] if "voice" in m)
        async with page.http.get(web_tg.base_url + voice["voice"]["url"]) as response:
            assert response.content_type == "audio/ogg"
        await bot.delete_message(SARA, photo["id"])
        shown = await page.chat()
        assert photo["id"] not in [m["id"] for m in shown["messages"]]
    assert web_tg.violations == []


async def test_bad_requests_are_refused(web_tg: Emulator, page: Page) -> None:
    status, body = await page.post("send", text="  ")
    assert (status, body["ok"]) == (400, False)
    async with page.http.post(
        f"{page.base}/personas/{SARA}/send", data=b"nope", headers={"Content-Type": "text/plain"}
    ) as response:
        assert response.status == 400
    status, body = await page.post("click", message_id="x")
    assert status == 400
    status, body = await page.post("pay", message_id=99, card_number="4242424242424242")
    assert (status, body["error"]) == (400, "that message is not an invoice")
    status, body = await page.upload("photo", b"not an image", "x.png")
    assert status == 400
    status, body = await page.get("/files/nope")
    assert status == 404
    status, body = await page.get(f"/personas/{SARA}/chat", since="x", wait="soon")
    assert status == 400


async def test_a_lone_surrogate_does_not_wedge_the_sandbox(web_tg: Emulator, page: Page) -> None:
    """`{"text": "hi \\ud83d there"}` was accepted, then every getUpdates and chat view
    answered 500 (UnicodeEncodeError) and the bot retried the same offset forever."""
    url = f"{page.base}/personas/{SARA}/send"
    body = b'{"text": "hi \\ud83d there"}'
    async with page.http.post(
        url, data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 200
    view = await page.chat()
    assert "hi \ufffd there" in str(view["messages"])
    bot_api = f"{web_tg.base_url}/bot{web_tg.token}/getUpdates"
    async with page.http.post(bot_api, json={"timeout": 0}) as response:
        assert response.status == 200
        updates = (await response.json())["result"]
    assert updates[-1]["message"]["text"] == "hi \ufffd there"
    # and a test's simulated user typing the same gets the same
    await web_tg.user("Test").send("hi \ud83d there")
    async with page.http.post(bot_api, json={"timeout": 0}) as response:
        assert response.status == 200


async def test_the_chat_poll_waits_for_a_change(web_tg: Emulator, page: Page) -> None:
    first = await page.chat()
    waiting = asyncio.create_task(
        page.get(f"/personas/{SARA}/chat", since=first["since"], wait="10")
    )
    await asyncio.sleep(0)  # let the poll start; the answer must still come from the change
    assert not waiting.done()
    await web_tg.persona(SARA).send("hello")
    async with asyncio.timeout(5):
        status, body = await waiting
    assert status == 200
    assert body["messages"][-1]["html"] == "hello"
    assert body["messages"][-1]["outgoing"]


async def test_a_test_user_can_be_viewed_too(web_tg: Emulator, page: Page) -> None:
    alice = web_tg.user("Alice")
    await alice.send("hi")
    page.user_id = alice.id
    assert [m["html"] for m in (await page.chat())["messages"]] == ["hi"]


def test_render_html_keeps_only_telegram_formatting() -> None:
    text = "bold italic link spoiler <b>raw</b> quote pre"
    entities = [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "text_link", "offset": 12, "length": 4, "url": "javascript:alert(1)"},
        {"type": "spoiler", "offset": 17, "length": 7},
        {"type": "blockquote", "offset": 36, "length": 5},
        {"type": "pre", "offset": 42, "length": 3, "language": 'py"><x'},
    ]
    assert render_html(text, entities) == (
        "<b>bold <i>italic</i></b> link "
        '<span class="spoiler">spoiler</span> &lt;b&gt;raw&lt;/b&gt; '
        '<blockquote>quote</blockquote> <pre data-language="py&quot;&gt;&lt;x">pre</pre>'
    )
    link = [{"type": "text_link", "offset": 0, "length": 2, "url": 'https://x.org/?a="b'}]
    assert render_html("go", link) == (
        '<a href="https://x.org/?a=&quot;b" target="_blank" rel="noopener noreferrer">go</a>'
    )
    # overlapping entities are closed and reopened, never left unbalanced
    overlap = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    assert render_html("abcdef", overlap) == "<b>ab<i>cd</i></b><i>ef</i>"
    # offsets count UTF-16 units: an emoji is two
    assert render_html("😀 hi", [{"type": "bold", "offset": 3, "length": 2}]) == "😀 <b>hi</b>"
    assert render_html("x", [{"type": "bold", "offset": 5, "length": 9}]) == "x"


def test_helpers() -> None:
    assert luhn_ok("4242424242424242")
    assert not luhn_ok("4242424242424241")
    assert sniff(png()) == "image/png"
    assert sniff(b"<html><script>") == "application/octet-stream"
    assert sniff(b"\x1aE\xdf\xa3....") == "audio/webm"


async def test_launcher_serves_the_web_chat(capsys: pytest.CaptureFixture[str]) -> None:
    emulator = await serve(port=0, use_env_spec=False)
    try:
        out = capsys.readouterr().out
        base = emulator.base_url
        assert out == f"Sandbox web chat: {base} (Bot API at {base})\n"
        assert sorted(emulator.personas) == [900000001, 900000101, 900000201, 900000202]
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/") as response:
                assert response.status == 200
            async with http.get(f"{emulator.api_url}/getMe") as response:
                assert (await response.json())["ok"]
    finally:
        await emulator.stop()


@pytest.mark.parametrize(
    ("container", "codec", "filename"),
    [("webm", "libopus", "voice.webm"), ("wav", "pcm_s16le", "note.wav")],
)
async def test_a_recorded_voice_note_reaches_the_bot_as_ogg_opus(
    web_tg: Emulator, page: Page, container: str, codec: str, filename: str
) -> None:
    """Chromium's 🎤 records WebM/Opus; Telegram's apps send OGG/Opus whatever they
    recorded, so the web chat converts, and the bot can decode what it downloads."""
    async with running_bot(web_tg):
        # the page's own duration guess (it times the button) is not what the bot is told
        status, body = await page.upload(
            "voice", recording(2.6, container, codec), filename, duration="9"
        )
        assert status == 200, body
        await page.wait_for("Voice note of 3 s, audio/ogg, 2.6 s of audio")
    voice = next(m["voice"] for m in web_tg.persona(SARA).messages if "voice" in m)
    assert (voice["mime_type"], voice["duration"]) == ("audio/ogg", 3)
    stored = web_tg.state.files[voice["file_id"]]
    assert stored.data.startswith(b"OggS")
    assert b"OpusHead" in stored.data[:200]
    assert stored.file_path.endswith(".oga")
    assert web_tg.violations == []


async def test_inline_mode_sends_the_chosen_card_via_the_bot(web_tg: Emulator, page: Page) -> None:
    async with running_bot(web_tg):
        status, body = await page.post("inline", query="hoo")
        assert status == 200, body
        assert [(r["title"], r["description"]) for r in body["results"]] == [
            ("Hoodie", "49.99 EUR"),
            ("Hooded scarf", "19.50 EUR"),
        ]
        status, body = await page.post("choose", result_id=body["results"][1]["id"])
        assert status == 200, body
        await page.wait_for("You shared via @sandbox_shop_bot: Hooded scarf")
        status, body = await page.post("choose", result_id="nope")
        assert status == 400
    shown = await page.chat()
    card = next(m for m in shown["messages"] if "via" in m)
    assert card["outgoing"]
    assert card["via"] == "@sandbox_shop_bot"
    assert card["html"] == "<b>Hooded scarf</b>\n19.50 EUR"
    assert card["buttons"][0][0]["url"] == "https://example.com/shop"
    sent = next(m for m in web_tg.persona(SARA).messages if "via_bot" in m)
    assert sent["via_bot"]["username"] == "sandbox_shop_bot"
    assert web_tg.violations == []


async def test_the_command_menu_follows_the_scope_the_bot_set(
    web_tg: Emulator, page: Page, http: aiohttp.ClientSession
) -> None:
    admin = Page(http, web_tg, user_id=900000001)
    assert (await page.chat())["commands"] == []
    async with running_bot(web_tg):
        body = await page.chat()
        async with asyncio.timeout(10):
            while not body["commands"]:  # the default scope, published at start-up
                body = (await page.get(f"/personas/{SARA}/chat", since=body["since"]))[1]
        assert [c["command"] for c in body["commands"]] == ["start", "help"]
        assert body["menu_button"] == "default"
        await admin.post("send", text="/start")
        await admin.wait_for("Welcome")
        commands = (await admin.chat())["commands"]
        assert [c["command"] for c in commands] == ["start", "help", "admin"]
        assert commands[2]["description"] == "Admin tools"
        # Sara's chat keeps the default scope
        assert [c["command"] for c in (await page.chat())["commands"]] == ["start", "help"]


async def test_the_page_shows_locations_dice_polls_forwards_and_reactions(
    web_tg: Emulator, page: Page
) -> None:
    async with running_bot(web_tg) as bot:
        await page.post("send", text="hello")
        mine = await page.wait_for("You said: hello")
        await bot.send_location(SARA, 52.52, 13.405)
        await bot.send_poll(SARA, "Which colour?", ["Navy", "Teal"])
        await bot.forward_message(SARA, SARA, mine["id"])
        await bot.set_message_reaction(SARA, mine["id"], [ReactionTypeEmoji(emoji="👍")])
    shown = (await page.chat())["messages"]
    notices = [m["notice"] for m in shown if "notice" in m]
    assert notices == ["📍 Location 52.52000, 13.40500", "📊 Which colour? (Navy · Teal)"]
    assert [m["forwarded"] for m in shown if "forwarded" in m] == ["Sandbox Shop"]
    assert next(m for m in shown if m["id"] == mine["id"])["reactions"] == ["👍"]
    assert web_tg.violations == []
