"""The sandbox web chat: a Telegram-like page, served by the emulator, to chat as a persona.

`Emulator(web=True)` adds these routes to its own port, before the Bot API's 404 catch-all:

- `GET /` and `GET /sandbox/static/<file>`: the page (`sandbox/web/`: HTML, CSS, vanilla JS).
- `/sandbox/api/...`: a small JSON API the page calls. Every action goes through the persona's
  `SimUser`, exactly as a test would (a click checks that the bot answers the callback query,
  a payment runs pre_checkout_query -> successful_payment), and every read is a snapshot of
  `State`, the single source of truth: edits show in place, deletions disappear.

Texts are rendered here, from the stored plain text and entities, into a small, escaped HTML
subset (`render_html`), so the page never interprets anything the bot wrote as markup.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import BodyPartReader, web

from sandbox import webapp
from sandbox.audio import NotConvertible, to_voice_note
from sandbox.state import Chat, StoredFile
from sandbox.users import SimUser

if TYPE_CHECKING:
    from sandbox.emulator import Emulator

WEB_DIR = Path(__file__).resolve().parent / "web"
STATIC = {
    "app.js": "text/javascript",
    "style.css": "text/css",
    "index.html": "text/html",
    "telegram-web-app.js": "text/javascript",
}
MAX_WAIT = 30.0  # seconds a chat poll may hang waiting for a change
MAX_UPLOAD = 20 * 1024 * 1024
LINK_SCHEMES = ("http", "https", "tg", "mailto")
# a link in plain text, as Telegram detects it (the server adds a `url` entity; clients link it)
_PLAIN_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]")
ZERO_DECIMAL = frozenset({"XTR", "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG", "XAF", "XOF"})
TEST_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


# --- rendering ---------------------------------------------------------------------------
_TAGS: dict[str, tuple[str, str]] = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ('<blockquote class="expandable">', "</blockquote>"),
}


def safe_href(url: str) -> str | None:
    """A link target the page may open: http(s), tg: or mailto: only."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in LINK_SCHEMES else None


def _open_tag(entity: dict[str, Any], segment: str) -> tuple[str, str]:
    kind = str(entity.get("type"))
    if kind in _TAGS:
        return _TAGS[kind]
    if kind == "pre":
        language = str(entity.get("language") or "")
        if language:
            return (f'<pre data-language="{html.escape(language)}">', "</pre>")
        return ("<pre>", "</pre>")
    if kind in ("text_link", "url"):
        href = safe_href(str(entity.get("url") or "") if kind == "text_link" else segment)
        if href is None:
            return ("", "")
        escaped = html.escape(href, quote=True)
        return (f'<a href="{escaped}" target="_blank" rel="noopener noreferrer">', "</a>")
    return ("", "")  # mentions, hashtags, commands, custom emoji: plain text


def _linked(text: str) -> str:
    """Escaped plain text whose http(s) URLs are links, as Telegram shows a detected URL."""
    out: list[str] = []
    position = 0
    for match in _PLAIN_URL.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        tags = _open_tag({"type": "url"}, match[0])
        out.append(tags[0] + html.escape(match[0], quote=False) + tags[1])
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def render_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Plain text + Bot API entities -> escaped HTML using only b i u s code pre a
    span.spoiler blockquote. Offsets are UTF-16 code units, as in the Bot API."""
    units = text.encode("utf-16-le")
    total = len(units) // 2

    def piece(start: int, end: int) -> str:
        return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")

    spans = []
    for entity in entities or []:
        start = max(0, int(entity.get("offset", 0)))
        end = min(total, start + max(0, int(entity.get("length", 0))))
        if end > start:
            spans.append((start, end, entity))
    spans.sort(key=lambda s: (s[0], -s[1]))
    points = sorted({0, total, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[str] = []
    stack: list[tuple[int, int, tuple[str, str]]] = []
    for index, pos in enumerate(points):
        if any(end == pos for _, end, _ in stack):  # close, reopening what is still open
            reopen = []
            while any(end == pos for _, end, _ in stack):
                opened = stack.pop()
                out.append(opened[2][1])
                if opened[1] != pos:
                    reopen.append(opened)
            for opened in reversed(reopen):
                out.append(opened[2][0])
                stack.append(opened)
        for start, end, entity in spans:
            if start == pos:
                tags = _open_tag(entity, piece(start, end))
                out.append(tags[0])
                stack.append((start, end, tags))
        if index + 1 < len(points):
            text_piece = piece(pos, points[index + 1])
            in_link = any(tags[0].startswith("<a ") for _, _, tags in stack)
            out.append(html.escape(text_piece, quote=False) if in_link else _linked(text_piece))
    for opened in reversed(stack):
        out.append(opened[2][1])
    return "".join(out)


def money(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return f"{amount} {currency}"
    return f"{amount // 100}.{amount % 100:02d} {currency}"


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    checksum = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        checksum += digit
    return len(digits) >= 12 and checksum % 10 == 0


def sniff(data: bytes) -> str:
    """A safe content type for a stored file: images and audio by their magic, else binary."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"\x1aE\xdf\xa3"):
        return "audio/webm"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "audio/mpeg"
    return "application/octet-stream"


# --- the page's view of a chat -----------------------------------------------------------
def _file_url(file_id: str) -> str:
    return f"/sandbox/api/files/{file_id}"


def _buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    index = 0
    for row in (markup or {}).get("inline_keyboard") or []:
        shown = []
        for button in row:
            view: dict[str, Any] = {"text": str(button.get("text", "")), "index": index}
            if "callback_data" in button:
                view["kind"] = "callback"
            elif "url" in button:
                view["kind"] = "url"
                view["url"] = safe_href(str(button["url"]))
            elif isinstance(button.get("web_app"), dict):
                view["kind"] = "web_app"  # the page asks /webapp for the signed launch URL
                view["url"] = safe_href(str(button["web_app"].get("url") or ""))
            else:
                view["kind"] = "other"  # login_url, switch_inline_query, pay...
            shown.append(view)
            index += 1
        rows.append(shown)
    return rows


def _reply_keyboard(chat: Chat) -> dict[str, Any] | None:
    if chat.keyboard is None:
        return None
    rows = []
    for row in chat.keyboard.get("keyboard") or []:
        shown: list[dict[str, Any]] = []
        for button in row:
            if isinstance(button, str):
                shown.append({"text": button})
            else:
                view = {
                    "text": str(button.get("text", "")),
                    "request_contact": bool(button.get("request_contact")),
                }
                if isinstance(button.get("web_app"), dict):
                    view["web_app"] = safe_href(str(button["web_app"].get("url") or ""))
                shown.append(view)
        rows.append(shown)
    return {
        "rows": rows,
        "placeholder": chat.keyboard.get("input_field_placeholder"),
        "one_time": bool(chat.keyboard.get("one_time_keyboard")),
    }


def _preview(message: dict[str, Any]) -> str:
    shown = message.get("text") or message.get("caption")
    if shown:
        return str(shown)[:80]
    kinds = ("photo", "voice", "document", "invoice", "contact", "successful_payment", "sticker")
    for kind in (*kinds, "location", "dice", "poll"):
        if kind in message:
            return kind.replace("_", " ").capitalize()
    return "Message"


class WebChat:
    """The routes' view of one emulator."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.state = emulator.state
        self.inline_results: dict[int, list[dict[str, Any]]] = {}  # the last answer per user

    def user(self, user_id: int) -> SimUser:
        if user_id in self.emulator.personas:
            return self.emulator.persona(user_id)
        chat = self.state.chats.get(user_id)
        if chat is None:
            raise web.HTTPNotFound(
                text=json.dumps({"ok": False, "error": f"no persona {user_id}"}),
                content_type="application/json",
            )
        return SimUser(self.emulator, chat)  # a test's user: viewable and drivable too

    def signature(self, chat: Chat) -> str:
        """Changes whenever what the page shows of this chat could have changed."""
        return (
            f"{chat.next_message_id}.{len(chat.events)}.{len(self.state.violations)}"
            f".{int(chat.blocked)}.{len(self.state.chats)}.{self.state.revision}"
        )

    def menu_button(self, chat: Chat) -> dict[str, Any]:
        """The chat's menu button: its own (setChatMenuButton with chat_id), else the default."""
        return self.state.chat_menu_buttons.get(chat.id, self.state.menu_button)

    def web_app_menu(self, chat: Chat) -> dict[str, Any] | None:
        """`{text, url}` when the menu button opens a Mini App."""
        button = self.menu_button(chat)
        app = button.get("web_app")
        if button.get("type") != "web_app" or not isinstance(app, dict):
            return None
        return {"text": str(button.get("text") or "Menu"), "url": safe_href(str(app.get("url")))}

    def app_page(self, chat: Chat, body: dict[str, Any]) -> tuple[str, str | None]:
        """The page a tap opens and the start_param it carries. `source` is where it was
        tapped: an inline `button` (message_id, index), a reply `keyboard` button (text), the
        `menu` button or a t.me `link` (url, opening the menu button's page)."""
        source, start_param = body.get("source"), None
        if source == "button":
            message_id = body.get("message_id")
            message = chat.messages.get(message_id) if isinstance(message_id, int) else None
            rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = [b for row in rows for b in row]
            index = body.get("index")
            if not isinstance(index, int) or not 0 <= index < len(buttons):
                raise ValueError("no such inline button")
            url = (buttons[index].get("web_app") or {}).get("url")
        elif source == "keyboard":
            keys = [b for row in (chat.keyboard or {}).get("keyboard", []) for b in row]
            found = [b for b in keys if isinstance(b, dict) and b.get("text") == body.get("text")]
            url = (found[0].get("web_app") or {}).get("url") if found else None
        elif source in ("menu", "link"):
            url = (self.web_app_menu(chat) or {}).get("url")
            if source == "link":
                link = webapp.parse_app_link(str(body.get("url") or ""))
                if link is None:
                    raise ValueError("not a Mini App link (https://t.me/<bot>?startapp=...)")
                if link.bot_username.lower() != str(self.state.bot_user["username"]).lower():
                    raise ValueError(f"the link opens @{link.bot_username}'s app, not this bot's")
                start_param = link.start_param
        else:
            raise ValueError("source is one of button, keyboard, menu, link")
        if not url or safe_href(str(url)) is None:
            which = "the bot's menu button" if source in ("menu", "link") else f"that {source}"
            raise ValueError(f"{which} opens no Mini App")
        return str(url), start_param

    def launch(self, user: SimUser, body: dict[str, Any]) -> dict[str, Any]:
        """Open a Mini App as Telegram's app would for this user: the page (`app_page`) with
        initData signed now, for this persona, and the theme's parameters."""
        theme = str(body.get("theme") or "light")
        if theme not in webapp.THEMES:
            raise ValueError(f"theme is one of {sorted(webapp.THEMES)}")
        url, start_param = self.app_page(user.chat, body)
        source = body["source"]
        data = ""
        if source != "keyboard":  # keyboard-button Mini Apps get no user information
            data = webapp.init_data(
                self.emulator.token,
                user.chat.user,
                # a button's or the menu's session may answerWebAppQuery; a link's has none
                query_id=webapp.new_query_id() if source in ("button", "menu") else None,
                start_param=start_param,
                chat_instance=user.chat.instance,
            )
        return {
            "url": webapp.launch_url(url, data, theme),
            "init_data": data,
            "title": self.state.bot_user["first_name"],
            "theme": theme,
            "themes": webapp.THEMES,
        }

    def paid(self, chat: Chat, payload: str) -> bool:
        return any(
            (m.get("successful_payment") or {}).get("invoice_payload") == payload
            for m in chat.messages.values()
        )

    def view(self, chat: Chat, message: dict[str, Any]) -> dict[str, Any]:
        bot_id = self.state.bot_user["id"]
        shown: dict[str, Any] = {
            "id": message["message_id"],
            "date": message["date"],
            "edited": "edit_date" in message,
            "outgoing": message["from"]["id"] != bot_id,
        }
        if "text" in message:
            shown["html"] = render_html(str(message["text"]), message.get("entities"))
        elif "caption" in message:
            shown["html"] = render_html(str(message["caption"]), message.get("caption_entities"))
        if message.get("photo"):
            largest = message["photo"][-1]
            shown["photo"] = {
                "url": _file_url(largest["file_id"]),
                "width": largest.get("width"),
                "height": largest.get("height"),
            }
        if "document" in message:
            doc = message["document"]
            shown["document"] = {
                "url": _file_url(doc["file_id"]),
                "file_name": doc.get("file_name") or "file",
                "size": doc.get("file_size"),
            }
        if "voice" in message:
            voice = message["voice"]
            shown["voice"] = {"url": _file_url(voice["file_id"]), "duration": voice["duration"]}
        if "invoice" in message:
            invoice = message["invoice"]
            params = self.state.invoices.get((chat.id, message["message_id"]), {})
            shown["invoice"] = {
                "title": invoice["title"],
                "description": invoice["description"],
                "amount": money(int(invoice["total_amount"]), invoice["currency"]),
                "paid": bool(params) and self.paid(chat, str(params.get("payload"))),
                "payable": bool(params) and not params.get("is_flexible"),
            }
        if "successful_payment" in message:
            paid = message["successful_payment"]
            shown["payment"] = {
                "amount": money(int(paid["total_amount"]), paid["currency"]),
                "charge": paid["provider_payment_charge_id"],
            }
        if "contact" in message:
            contact = message["contact"]
            shown["contact"] = {
                "phone_number": contact["phone_number"],
                "first_name": contact["first_name"],
            }
        if "sticker" in message:
            sticker = message["sticker"]
            shown["photo"] = {"url": _file_url(sticker["file_id"]), "width": 160, "height": None}
        if "location" in message:
            where = message["location"]
            shown["notice"] = f"📍 Location {where['latitude']:.5f}, {where['longitude']:.5f}"
        if "dice" in message:
            shown["notice"] = f"{message['dice']['emoji']} {message['dice']['value']}"
        if "poll" in message:
            poll = message["poll"]
            options = " · ".join(str(o["text"]) for o in poll["options"])
            shown["notice"] = f"📊 {poll['question']} ({options})"
        if "web_app_data" in message:
            button = message["web_app_data"]["button_text"]
            shown["notice"] = f"Data from the «{button}» button was transferred to the bot."
        if "forward_origin" in message:
            origin = message["forward_origin"]
            sender = origin.get("sender_user") or {}
            shown["forwarded"] = str(sender.get("first_name") or origin.get("sender_user_name"))
        reactions = chat.reactions.get(message["message_id"])
        if reactions:
            shown["reactions"] = [str(r.get("emoji") or "★") for r in reactions]
        if "via_bot" in message:
            shown["via"] = "@" + str(message["via_bot"].get("username", ""))
        if "reply_to_message" in message:
            shown["reply_to"] = {
                "id": message["reply_to_message"]["message_id"],
                "preview": _preview(message["reply_to_message"]),
            }
        buttons = _buttons(message.get("reply_markup"))
        if buttons:
            shown["buttons"] = buttons
        # what the page compares to redraw a message in place: the view, not the raw message
        # (an invoice turns "paid" when a later message pays it)
        digest = hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode())
        shown["rev"] = digest.hexdigest()[:16]
        return shown

    def snapshot(self, chat: Chat) -> dict[str, Any]:
        return {
            "since": self.signature(chat),
            "user": {"id": chat.id, "first_name": chat.user["first_name"]},
            "blocked": chat.blocked,
            "messages": [self.view(chat, chat.messages[k]) for k in sorted(chat.messages)],
            "keyboard": _reply_keyboard(chat),
            "commands": [
                {"command": str(c.get("command")), "description": str(c.get("description"))}
                for c in self.state.commands_for(chat)
            ],
            "menu_button": str(self.menu_button(chat).get("type")),
            "web_app_menu": self.web_app_menu(chat),
            "violations": [str(v) for v in self.state.violations],
        }


WEB = web.AppKey("webchat", WebChat)


# --- handlers ------------------------------------------------------------------------------
def _ok(**payload: Any) -> web.Response:
    return web.json_response({"ok": True, **payload})


def _fail(error: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": error}, status=status)


def _uid(request: web.Request) -> int:
    try:
        return int(request.match_info["user_id"])
    except ValueError:
        raise web.HTTPNotFound from None


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"ok": False, "error": "expected a JSON object"}),
            content_type="application/json",
        )
    return body


async def _form(request: web.Request) -> tuple[dict[str, str], tuple[bytes, str, str] | None]:
    """Fields and the one file part (data, filename, content type) of a multipart body."""
    fields: dict[str, str] = {}
    upload = None
    if request.content_type != "multipart/form-data":
        return fields, upload
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            data = bytes(await part.read())
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            upload = (data, part.filename, content_type)
        else:
            fields[part.name] = await part.text()
    return fields, upload


Action = Callable[[web.Request, SimUser], Any]


def _action(run: Action) -> Callable[[web.Request], Any]:
    """Wrap a persona action: resolve the user, turn SimUser's refusals into JSON errors."""

    async def handler(request: web.Request) -> web.StreamResponse:
        user = request.app[WEB].user(_uid(request))
        try:
            result = await run(request, user)
        except (AssertionError, ValueError) as exc:
            return _fail(str(exc))
        return result if isinstance(result, web.StreamResponse) else _ok(**(result or {}))

    return handler


async def index(request: web.Request) -> web.StreamResponse:
    return _static_file("index.html")


async def static(request: web.Request) -> web.StreamResponse:
    return _static_file(request.match_info["name"])


def _static_file(name: str) -> web.StreamResponse:
    if name not in STATIC:
        raise web.HTTPNotFound
    body = (WEB_DIR / name).read_bytes()
    return web.Response(
        body=body,
        content_type=STATIC[name],
        charset="utf-8",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


async def web_app_script(request: web.Request) -> web.StreamResponse:
    """The sandbox's `telegram-web-app.js`, for pages served from another origin (the bot)."""
    response = _static_file("telegram-web-app.js")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


async def personas(request: web.Request) -> web.StreamResponse:
    chat_web = request.app[WEB]
    emulator = chat_web.emulator
    return _ok(
        bot=emulator.state.bot_user,
        personas=[p.describe() for p in emulator.personas.values()],
    )


async def chat(request: web.Request) -> web.StreamResponse:
    """The persona's chat as it stands; with ?since=<token> it waits (up to ?wait= s, at most
    30) until something changes, so the page long-polls without busy loops."""
    chat_web = request.app[WEB]
    user = chat_web.user(_uid(request))
    since = request.query.get("since")
    try:
        wait = min(MAX_WAIT, max(0.0, float(request.query.get("wait", "25"))))
    except ValueError:
        return _fail("wait must be a number of seconds")
    state = chat_web.state
    if since is not None:
        await state.wait_for(lambda: state.closing or chat_web.signature(user.chat) != since, wait)
    return _ok(**chat_web.snapshot(user.chat))


async def file(request: web.Request) -> web.StreamResponse:
    stored: StoredFile | None = request.app[WEB].state.files.get(request.match_info["file_id"])
    if stored is None:
        return _fail("no such file", 404)
    content_type = sniff(stored.data)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    if content_type == "application/octet-stream":
        name = stored.file_path.rsplit("/", 1)[-1]
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return web.Response(body=stored.data, content_type=content_type, headers=headers)


async def send(request: web.Request, user: SimUser) -> dict[str, Any]:
    text = str((await _json(request)).get("text") or "")
    if not text.strip():
        raise ValueError("nothing to send")
    message = await user.send(text)
    return {"message_id": message["message_id"]}


async def click(request: web.Request, user: SimUser) -> dict[str, Any]:
    body = await _json(request)
    message_id = body.get("message_id")
    index, data = body.get("index"), body.get("data")
    if not isinstance(message_id, int) or (index is None and data is None):
        raise ValueError("give message_id and a button index or its callback data")
    answer = await user.click_button(
        message_id,
        index=int(index) if index is not None else None,
        data=str(data) if data is not None else None,
    )
    return {
        "answer": {
            "text": answer.get("text"),
            "show_alert": bool(answer.get("show_alert")),
            "url": answer.get("url"),
        }
    }


async def press(request: web.Request, user: SimUser) -> dict[str, Any]:
    text = str((await _json(request)).get("text") or "")
    message = await user.press(text)
    return {"message_id": message["message_id"]}


async def contact(request: web.Request, user: SimUser) -> dict[str, Any]:
    phone = str((await _json(request)).get("phone_number") or "+15550100001")
    message = await user.share_contact(phone)
    return {"message_id": message["message_id"]}


async def _upload(request: web.Request) -> tuple[dict[str, str], bytes, str, str]:
    fields, upload = await _form(request)
    if upload is None or not upload[0]:
        raise ValueError("attach a non-empty file part")
    if len(upload[0]) > MAX_UPLOAD:
        raise ValueError("file is too big for the sandbox (20 MB)")
    return fields, *upload


async def photo(request: web.Request, user: SimUser) -> dict[str, Any]:
    fields, data, _, _ = await _upload(request)
    message = await user.send_photo(data, caption=fields.get("caption") or None)
    return {"message_id": message["message_id"]}


async def voice(request: web.Request, user: SimUser) -> dict[str, Any]:
    """A recorded or attached voice note, sent as Telegram's apps send one: encoded to
    OGG/Opus, with the duration measured from the audio itself."""
    _, data, _, _ = await _upload(request)
    if not sniff(data).startswith("audio/"):
        raise ValueError("a voice note must be audio (OGG/Opus, WebM, MP3 or WAV)")
    try:
        note = await asyncio.to_thread(to_voice_note, data)
    except NotConvertible as exc:
        raise ValueError(str(exc)) from None
    message = await user.send_voice(note.data, duration=note.duration, mime_type=note.mime_type)
    return {"message_id": message["message_id"]}


async def document(request: web.Request, user: SimUser) -> dict[str, Any]:
    _, data, filename, content_type = await _upload(request)
    message = await user.send_document(data, filename, content_type)
    return {"message_id": message["message_id"]}


def _result_view(state_files: dict[str, StoredFile], result: dict[str, Any]) -> dict[str, Any]:
    shown = {
        "id": str(result.get("id")),
        "kind": str(result.get("type")),
        "title": str(result.get("title") or result.get("caption") or result.get("type")),
        "description": str(result.get("description") or ""),
    }
    photo_id = result.get("photo_file_id")
    if isinstance(photo_id, str) and photo_id in state_files:
        shown["thumb"] = _file_url(photo_id)
    return shown


async def inline(request: web.Request, user: SimUser) -> dict[str, Any]:
    """Typing `@bot query`: an inline_query; the page gets the bot's results to pick from."""
    query = str((await _json(request)).get("query") or "")[:256]
    chat_web = request.app[WEB]
    results = await user.inline_query(query)
    chat_web.inline_results[user.id] = results
    return {"results": [_result_view(chat_web.state.files, r) for r in results]}


async def choose(request: web.Request, user: SimUser) -> dict[str, Any]:
    """Picking an inline result: its card is sent to the chat as the user's, via @bot."""
    result_id = str((await _json(request)).get("result_id") or "")
    results = request.app[WEB].inline_results.get(user.id, [])
    result = next((r for r in results if str(r.get("id")) == result_id), None)
    if result is None:
        raise ValueError("that inline result is no longer offered; type the query again")
    message = await user.choose_inline_result(result)
    return {"message_id": message["message_id"]}


def _card_refusal(body: dict[str, Any]) -> str | None:
    """Why the payment sheet refuses the card typed, or None for the test card."""
    number = "".join(c for c in str(body.get("card_number") or "") if c.isdigit())
    if not luhn_ok(number):
        return "card number is invalid"
    if number == DECLINED_CARD:
        return "card declined (test card 4000 0000 0000 0002)"
    if number != TEST_CARD:
        return "the sandbox takes the test card 4242 4242 4242 4242"
    return None


async def pay(request: web.Request, user: SimUser) -> web.StreamResponse | dict[str, Any]:
    body = await _json(request)
    message_id = body.get("message_id")
    message = user.chat.messages.get(message_id) if isinstance(message_id, int) else None
    if message is None or "invoice" not in message:
        raise ValueError("that message is not an invoice")
    refusal = _card_refusal(body)
    if refusal is not None:
        return _fail(refusal)
    payment = await user.pay(message)
    if not payment.ok:
        return _fail(f"payment failed: {payment.error_message or 'the bot refused'}")
    assert payment.message is not None
    return {
        "message_id": payment.message["message_id"],
        "provider_payment_charge_id": payment.provider_payment_charge_id,
        "telegram_payment_charge_id": payment.telegram_payment_charge_id,
    }


async def open_web_app(request: web.Request, user: SimUser) -> dict[str, Any]:
    """The launch of a Mini App for this persona: `{url, init_data, title, theme, themes}`."""
    return request.app[WEB].launch(user, await _json(request))


async def invoice_link(request: web.Request) -> web.StreamResponse:
    """What the payment sheet shows for a createInvoiceLink slug (a Mini App's openInvoice)."""
    invoice = request.app[WEB].state.invoice_links.get(request.match_info["slug"])
    if invoice is None:
        return _fail("no such invoice link", 404)
    total = sum(int(price["amount"]) for price in invoice["prices"])
    return _ok(
        title=invoice["title"],
        description=invoice["description"],
        amount=money(total, invoice["currency"]),
    )


async def pay_link(request: web.Request, user: SimUser) -> web.StreamResponse | dict[str, Any]:
    """Pay an invoice link in the sheet a Mini App opened. A card the sheet refuses is a 400
    (the sheet stays open); otherwise `status` is what the page's openInvoice callback gets:
    "paid", or "failed" when the bot refused the pre-checkout query or did not answer it."""
    body = await _json(request)
    refusal = _card_refusal(body)
    if refusal is not None:
        return _fail(refusal)
    payment = await user.pay_link(str(body.get("slug") or ""))
    if not payment.ok:
        return {"status": "failed", "error": payment.error_message or "the bot refused"}
    assert payment.message is not None
    return {"status": "paid", "message_id": payment.message["message_id"]}


async def web_app_data(request: web.Request, user: SimUser) -> dict[str, Any]:
    """A keyboard-button Mini App's sendData: a web_app_data message to the bot."""
    body = await _json(request)
    message = await user.send_web_app_data(str(body.get("button_text")), str(body.get("data")))
    return {"message_id": message["message_id"]}


def install(emulator: Emulator) -> Callable[[web.Application], None]:
    """What `Emulator(web=True)` passes to build_app: the page and its API."""

    def add_routes(app: web.Application) -> None:
        app[WEB] = WebChat(emulator)
        router = app.router
        router.add_get("/", index)
        router.add_get("/sandbox/static/{name}", static)
        router.add_get("/sandbox/api/personas", personas)
        router.add_get("/sandbox/api/files/{file_id}", file)
        router.add_get("/sandbox/telegram-web-app.js", web_app_script)
        router.add_get("/sandbox/api/invoices/{slug}", invoice_link)
        base = "/sandbox/api/personas/{user_id}"
        router.add_get(f"{base}/chat", chat)
        for name, action in (
            ("send", send),
            ("click", click),
            ("press", press),
            ("contact", contact),
            ("photo", photo),
            ("voice", voice),
            ("document", document),
            ("pay", pay),
            ("inline", inline),
            ("choose", choose),
            ("webapp", open_web_app),
            ("pay_link", pay_link),
            ("web_app_data", web_app_data),
        ):
            router.add_post(f"{base}/{name}", _action(action))

    return add_routes


__all__ = ["WebChat", "install", "render_html"]
