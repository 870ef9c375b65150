"""Simulated Telegram users: the test-facing half of the emulator.

A `SimUser` does what a person does in a chat (types, taps buttons, sends photos and voice
notes, shares a contact, pays an invoice, blocks the bot) by emitting the updates Telegram
would emit, and waits for the bot's reaction without fixed sleeps: every wait is a condition
on the emulator's state with a bounded timeout, and failing waits say what did arrive.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram.types import Message

from sandbox.api.media import document, photo_sizes, voice
from sandbox.api.messages import caption_fields, text_fields
from sandbox.errors import ApiError, Violation
from sandbox.state import Chat, PendingQuery, State, now

if TYPE_CHECKING:
    from sandbox.emulator import Emulator


@dataclass
class Payment:
    """How a pay() attempt ended; `message` is the successful_payment message when ok."""

    ok: bool
    error_message: str | None = None
    message: dict[str, Any] | None = None
    telegram_payment_charge_id: str | None = None
    provider_payment_charge_id: str | None = None


def _matches(message: dict[str, Any], contains: str | None) -> bool:
    if contains is None:
        return True
    shown = str(message.get("text") or message.get("caption") or "")
    return contains.lower() in shown.lower()


def _summary(message: dict[str, Any]) -> str:
    for key in ("text", "caption"):
        if key in message:
            return repr(message[key][:120])
    kinds = [k for k in ("photo", "document", "voice", "invoice") if k in message]
    return f"<{', '.join(kinds) or 'message'}>"


class SimUser:
    def __init__(self, emulator: Emulator, chat: Chat) -> None:
        self.emulator = emulator
        self.state = emulator.state
        self.chat = chat
        self._cursors = {"message": 0, "edit": 0, "delete": 0}

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def user(self) -> dict[str, Any]:
        return self.chat.user

    # --- sending ---------------------------------------------------------------------------
    async def _send(self, **content: Any) -> dict[str, Any]:
        if self.chat.blocked:
            raise AssertionError(f"{self.user['first_name']} has blocked the bot; unblock first")
        self.chat.started = True
        message = self.state.add_message(self.chat, self.user, **content)
        await self.state.emit("message", message)
        return message

    async def send(self, text: str) -> dict[str, Any]:
        """Type and send a text; a leading /command gets its bot_command entity."""
        entities = None
        if text.startswith("/"):
            command = text.split()[0]
            entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._send(text=text, entities=entities)

    async def send_photo(self, data: bytes, caption: str | None = None) -> dict[str, Any]:
        stored = self.state.store_file(data, "photos", "jpg")
        try:
            sizes = photo_sizes(self.state, stored)
        except ApiError as exc:
            raise ValueError("send_photo needs image bytes (PNG, JPEG, ...)") from exc
        return await self._send(photo=sizes, caption=caption)

    async def send_voice(
        self, ogg: bytes, duration: int = 1, *, mime_type: str = "audio/ogg"
    ) -> dict[str, Any]:
        extension = "webm" if mime_type == "audio/webm" else "oga"
        stored = self.state.store_file(ogg, "voice", extension)
        return await self._send(voice={**voice(stored, duration), "mime_type": mime_type})

    async def send_document(
        self, data: bytes, filename: str, mime_type: str | None = None
    ) -> dict[str, Any]:
        stored = self.state.store_file(data, "documents", filename.rsplit(".", 1)[-1])
        return await self._send(document=document(stored, filename, mime_type))

    async def share_contact(self, phone_number: str = "+15550100001") -> dict[str, Any]:
        contact = {
            "phone_number": phone_number,
            "first_name": self.user["first_name"],
            "user_id": self.id,
        }
        return await self._send(contact=contact)

    async def press(self, text: str) -> dict[str, Any]:
        """Tap a button of the reply keyboard the bot is showing."""
        keyboard = self.chat.keyboard
        buttons = [b for row in (keyboard or {}).get("keyboard", []) for b in row]
        for button in buttons:
            label = button if isinstance(button, str) else button.get("text")
            if label == text:
                if isinstance(button, dict) and button.get("request_contact"):
                    return await self.share_contact()
                if isinstance(button, dict) and button.get("web_app"):
                    raise AssertionError(f"{text!r} opens a Mini App; it sends no message")
                return await self.send(text)
        shown = [b if isinstance(b, str) else b.get("text") for b in buttons]
        raise AssertionError(f"no reply keyboard button {text!r}; showing {shown}")

    async def send_web_app_data(self, button_text: str, data: str) -> dict[str, Any]:
        """What a keyboard-button Mini App's `Telegram.WebApp.sendData(data)` does: a
        `web_app_data` service message from this user to the bot (data: 1-4096 bytes)."""
        buttons = [b for row in (self.chat.keyboard or {}).get("keyboard", []) for b in row]
        if not any(
            isinstance(b, dict) and b.get("web_app") and b.get("text") == button_text
            for b in buttons
        ):
            raise AssertionError(f"no reply keyboard Mini App button {button_text!r}")
        if not 1 <= len(data.encode()) <= 4096:
            raise ValueError("sendData takes 1-4096 bytes")
        return await self._send(web_app_data={"data": data, "button_text": button_text})

    # --- waiting for the bot ---------------------------------------------------------------
    async def _expect(
        self, kind: str, accept: Callable[[dict[str, Any]], bool], within: float, what: str
    ) -> Message:
        found: list[dict[str, Any]] = []

        def scan() -> bool:
            events = self.chat.events
            for index in range(self._cursors[kind], len(events)):
                event = events[index]
                if event.kind == kind and accept(event.message):
                    self._cursors[kind] = index + 1
                    found.append(event.message)
                    return True
            return False

        if not await self.state.wait_for(scan, within):
            seen = [_summary(e.message) for e in self.chat.events[self._cursors[kind] :]]
            raise AssertionError(f"no {what} within {within} s; the bot sent {seen or 'nothing'}")
        return Message.model_validate(found[0])

    async def expect_message(
        self,
        contains: str | None = None,
        *,
        where: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API names its bound
    ) -> Message:
        """The next bot message (after the last one expected) whose text/caption matches."""
        return await self._expect(
            "message",
            lambda m: _matches(m, contains) and (where is None or where(m)),
            timeout,
            f"bot message containing {contains!r}" if contains else "bot message",
        )

    async def expect_edit(
        self,
        contains: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API names its bound
    ) -> Message:
        return await self._expect(
            "edit", lambda m: _matches(m, contains), timeout, f"edit containing {contains!r}"
        )

    async def expect_no_message(self, within: float = 0.5) -> None:
        """Assert the bot stays silent for `within` seconds (a bounded, event-driven wait)."""
        start = self._cursors["message"]
        arrived = await self.state.wait_for(
            lambda: any(e.kind == "message" for e in self.chat.events[start:]), within
        )
        if arrived:
            extra = [_summary(e.message) for e in self.chat.events[start:]]
            raise AssertionError(f"expected silence, the bot sent {extra}")

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat as it stands now (edits applied, deletions gone), oldest first."""
        return [self.chat.messages[k] for k in sorted(self.chat.messages)]

    def last_bot_message(self) -> dict[str, Any] | None:
        bot_id = self.state.bot_user["id"]
        mine = [m for m in self.messages if m["from"]["id"] == bot_id]
        return mine[-1] if mine else None

    # --- buttons, inline mode, payments -----------------------------------------------------
    def _button(self, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
        bot_id = self.state.bot_user["id"]
        for message in reversed(self.messages):
            if message["from"]["id"] != bot_id:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = [b for row in rows for b in row]
            for exact in (True, False):
                for button in buttons:
                    label = str(button.get("text", ""))
                    if label == text if exact else text.lower() in label.lower():
                        return message, button
        raise AssertionError(f"no inline button {text!r} on the bot's messages")

    async def click(
        self,
        text: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API names its bound
    ) -> dict[str, Any]:
        """Tap the newest inline button labelled `text`; assert the bot answers the query.

        Returns the answerCallbackQuery parameters (text, show_alert, url).
        """
        message, button = self._button(text)
        return await self._click(message, button, timeout)

    async def click_button(
        self,
        message_id: int,
        *,
        index: int | None = None,
        data: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API names its bound
    ) -> dict[str, Any]:
        """Tap an inline button of message `message_id`, by position (rows read left to right,
        top to bottom, from 0) or by its callback_data; the same checks as click()."""
        message = self.chat.messages.get(message_id)
        if message is None or message["from"]["id"] != self.state.bot_user["id"]:
            raise AssertionError(f"no bot message {message_id} in the chat")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [b for row in rows for b in row]
        if index is not None:
            if not 0 <= index < len(buttons):
                raise AssertionError(f"message {message_id} has no button #{index}")
            return await self._click(message, buttons[index], timeout)
        for button in buttons:
            if data is not None and button.get("callback_data") == data:
                return await self._click(message, button, timeout)
        raise AssertionError(f"message {message_id} has no button with data {data!r}")

    async def _click(
        self,
        message: dict[str, Any],
        button: dict[str, Any],
        timeout: float,  # noqa: ASYNC109 - the test-facing API names its bound
    ) -> dict[str, Any]:
        text = str(button.get("text", ""))
        if "callback_data" not in button:
            raise AssertionError(f"button {text!r} is not a callback button: {button}")
        query_id = self.state.new_query_id()
        answer = self._pending("callback_query", query_id, self.emulator.callback_timeout)
        await self.state.emit(
            "callback_query",
            {
                "id": query_id,
                "from": self.user,
                "message": message,
                "chat_instance": self.chat.instance,
                "data": button["callback_data"],
            },
        )
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(answer)  # a late answer must still land
        except TimeoutError:
            raise AssertionError(
                f"the bot did not answer the callback query of {text!r} within {timeout} s"
            ) from None

    def _pending(self, kind: str, query_id: str, limit: float) -> asyncio.Future[dict[str, Any]]:
        """Register a query before emitting it, with a timer that records a late answer."""
        loop = asyncio.get_running_loop()
        query = PendingQuery(kind, self.id, loop.create_future())

        def expire() -> None:
            if not query.answer.done():
                query.expired = True
                self.state.record(
                    Violation(kind, f"{kind} {query_id} was not answered within {limit} s")
                )

        query.timer = loop.call_later(limit, expire)
        self.state.queries[query_id] = query
        return query.answer

    async def inline_query(
        self,
        query: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API names its bound
    ) -> list[dict[str, Any]]:
        """Type `@bot query`; returns the results the bot answered with."""
        query_id = self.state.new_query_id()
        answer = self._pending("inline_query", query_id, timeout)
        await self.state.emit(
            "inline_query",
            {
                "id": query_id,
                "from": self.user,
                "query": query,
                "offset": "",
                "chat_type": "sender",
            },
        )
        try:
            async with asyncio.timeout(timeout):
                result = await asyncio.shield(answer)
        except TimeoutError:
            raise AssertionError(f"the bot did not answer inline query {query!r}") from None
        return list(result.get("results") or [])

    async def choose_inline_result(self, result: dict[str, Any]) -> dict[str, Any]:
        """Pick one of the bot's inline results in this chat: the result card is sent as a
        message from this user "via @bot", as Telegram's apps send it (the bot, being in the
        chat, receives it as a message with via_bot)."""
        content = _inline_content(self.state, result)
        markup = result.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            content["reply_markup"] = markup
        return await self._send(via_bot=self.state.bot_user, **content)

    async def pay(
        self, invoice_message: Message | dict[str, Any], *, order_info: dict[str, Any] | None = None
    ) -> Payment:
        """Pay an invoice: pre_checkout_query, then successful_payment if the bot says ok."""
        if isinstance(invoice_message, Message):
            key = (invoice_message.chat.id, invoice_message.message_id)
        else:
            key = (invoice_message["chat"]["id"], invoice_message["message_id"])
        invoice = self.state.invoices.get(key)
        if invoice is None:
            raise AssertionError(f"message {key} is not an invoice the bot sent")
        return await self._pay(invoice, order_info)

    async def pay_link(self, slug: str, *, order_info: dict[str, Any] | None = None) -> Payment:
        """Pay the invoice behind a createInvoiceLink link (`https://t.me/$<slug>`), as a Mini
        App's openInvoice does: the same pre_checkout_query, then successful_payment in this
        user's chat with the bot."""
        invoice = self.state.invoice_links.get(slug)
        if invoice is None:
            raise AssertionError(f"no invoice link {slug!r}: the bot created none by that name")
        return await self._pay(invoice, order_info)

    async def _pay(self, invoice: dict[str, Any], order_info: dict[str, Any] | None) -> Payment:
        if invoice.get("is_flexible"):
            raise AssertionError("flexible invoices (shipping queries) are not supported yet")
        total = sum(int(p["amount"]) for p in invoice["prices"])
        info = order_info if order_info is not None else self._order_info(invoice)
        limit = self.emulator.pre_checkout_timeout
        query_id = self.state.new_query_id()
        answer = self._pending("pre_checkout_query", query_id, limit)
        query: dict[str, Any] = {
            "id": query_id,
            "from": self.user,
            "currency": invoice["currency"],
            "total_amount": total,
            "invoice_payload": invoice["payload"],
        }
        if info:
            query["order_info"] = info
        await self.state.emit("pre_checkout_query", query)
        try:
            async with asyncio.timeout(limit):
                result = await asyncio.shield(answer)
        except TimeoutError:
            return Payment(False, "the bot did not answer the pre-checkout query in time")
        if not result.get("ok"):
            return Payment(False, str(result.get("error_message") or ""))
        return await self._charged(invoice, total, info)

    async def pay_again(self, invoice_message: Message | dict[str, Any]) -> Payment:
        """Telegram reports one more successful payment of an invoice without asking the bot
        first: a second payment sheet whose pre-checkout was answered before the first was
        paid (Telegram lets both through). The card is charged again."""
        if isinstance(invoice_message, Message):
            key = (invoice_message.chat.id, invoice_message.message_id)
        else:
            key = (invoice_message["chat"]["id"], invoice_message["message_id"])
        invoice = self.state.invoices.get(key)
        if invoice is None:
            raise AssertionError(f"message {key} is not an invoice the bot sent")
        total = sum(int(p["amount"]) for p in invoice["prices"])
        return await self._charged(invoice, total, self._order_info(invoice))

    async def _charged(self, invoice: dict[str, Any], total: int, info: dict[str, Any]) -> Payment:
        """The provider charges the card, then the successful_payment message arrives."""
        paid = {
            "currency": invoice["currency"],
            "total_amount": total,
            "invoice_payload": invoice["payload"],
            "telegram_payment_charge_id": f"tg_{secrets.token_hex(12)}",
            "provider_payment_charge_id": await self.emulator.charge(
                total, invoice["currency"], invoice["payload"]
            ),
        }
        if info:
            paid["order_info"] = info
        message = await self._send(successful_payment=paid)
        return Payment(
            True,
            message=message,
            telegram_payment_charge_id=paid["telegram_payment_charge_id"],
            provider_payment_charge_id=paid["provider_payment_charge_id"],
        )

    def _order_info(self, invoice: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {}
        if invoice.get("need_name"):
            info["name"] = self.user["first_name"]
        if invoice.get("need_phone_number"):
            info["phone_number"] = "+15550100001"
        if invoice.get("need_email"):
            info["email"] = f"{self.user['username']}@example.com"
        if invoice.get("need_shipping_address"):
            info["shipping_address"] = {
                "country_code": "US",
                "state": "NY",
                "city": "New York",
                "street_line1": "1 Main St",
                "street_line2": "",
                "post_code": "10001",
            }
        return info

    # --- blocking --------------------------------------------------------------------------
    def block_bot(self) -> None:
        """Block the bot: later sends get 403, and the bot gets a my_chat_member update."""
        self.chat.blocked = True
        self._member_update("member", "kicked")

    def unblock_bot(self) -> None:
        self.chat.blocked = False
        self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        bot = self.state.bot_user
        payload = {
            "chat": self.chat.as_chat(),
            "from": self.user,
            "date": now(),
            "old_chat_member": _member(old, bot),
            "new_chat_member": _member(new, bot),
        }
        self.state.push("my_chat_member", payload)


def _inline_content(state: State, result: dict[str, Any]) -> dict[str, Any]:
    """The message content an InlineQueryResult stands for (text, or a photo with caption)."""
    caption = caption_fields(
        result.get("caption"), result.get("parse_mode"), result.get("caption_entities")
    )
    photo_id = result.get("photo_file_id")
    if result.get("type") == "photo" and isinstance(photo_id, str):
        stored = state.files.get(photo_id)
        if stored is None:
            raise ValueError("the result's photo_file_id names no stored file")
        return {"photo": photo_sizes(state, stored), **caption}
    if result.get("type") == "photo" and isinstance(result.get("photo_url"), str):
        stored = state.store_file(str(result["photo_url"]).encode(), "photos", "jpg")
        return {"photo": photo_sizes(state, stored), **caption}
    given = result.get("input_message_content")
    if isinstance(given, dict) and "message_text" in given:
        return text_fields(
            {
                "text": given["message_text"],
                "parse_mode": given.get("parse_mode"),
                "entities": given.get("entities"),
            }
        )
    raise ValueError(f"the sandbox cannot send a {result.get('type')!r} inline result")


def _member(status: str, bot: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": bot}
    if status == "kicked":
        member["until_date"] = 0
    return member
