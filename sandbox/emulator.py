"""`Emulator`: the loopback Bot API server and the handle a test holds.

A test starts one, points the bot at `emulator.base_url` (aiogram:
`TelegramAPIServer.from_base(base_url)`), creates simulated users with `emulator.user()` and
reads `emulator.violations` (requests Telegram would refuse) and `emulator.failures` (requests
the emulator itself failed on, its own bugs) at the end; `assert_no_violations()` checks both.
Nothing here knows the shop: it speaks HTTP only.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
import aiohttp.web

from sandbox.errors import Violation
from sandbox.faults import Faults
from sandbox.history import KEEP_MESSAGES, History
from sandbox.personas import Persona
from sandbox.server import Failure, build_app
from sandbox.spec import ApiSpec
from sandbox.state import Chat, State, UpdateIds
from sandbox.users import SimUser
from sandbox.webchat import install
from sandbox.webhook import push_updates


@dataclass(frozen=True)
class StripeAccount:
    """A Stripe-compatible server the emulator charges invoices on (tests: localstripe)."""

    api_base: str
    api_key: str = "sk_test_sandbox"


_TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]+")
DEFAULT_TOKEN = "123456789:SANDBOX-token_for-tests"  # noqa: S105 - a public test token
FIRST_USER_ID = 700_000_001
UPDATE_IDS_FILE = "sandbox-update-id"  # in the data dir: the update ids reserved so far
CHATS_DIR = "sandbox-chats"  # in the data dir: one folder of history per bot id


class Emulator:
    """A Telegram Bot API on 127.0.0.1 with simulated users; `async with` or start()/stop()."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Sandbox Shop",
        bot_username: str = "sandbox_shop_bot",
        spec: ApiSpec | None = None,
        use_env_spec: bool = True,
        callback_timeout: float = 10.0,
        pre_checkout_timeout: float = 10.0,
        seed: int = 0,
        personas: Iterable[Persona] = (),
        web: bool = False,
        stripe: StripeAccount | None = None,
        update_ids_file: Path | None = None,
        data_dir: Path | None = None,
        keep_messages: int = KEEP_MESSAGES,
    ) -> None:
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError("token must look like a bot token: <digits>:<letters, digits, _ ->")
        self.token = token
        self.host = host
        self.port = port
        self.spec = spec if spec is not None else (ApiSpec.from_env() if use_env_spec else None)
        self.callback_timeout = callback_timeout
        self.pre_checkout_timeout = pre_checkout_timeout
        # with a data dir, what users saw survives a restart (sandbox/history.py), and update
        # ids stay increasing (a bot remembers them); naming only the update-id file, as the
        # bot's launcher does, keeps the chats beside it
        if data_dir is None and update_ids_file is not None:
            data_dir = update_ids_file.parent
        if data_dir is not None and update_ids_file is None:
            update_ids_file = data_dir / UPDATE_IDS_FILE
        bot_id = int(match[1])
        self.state = State(bot_id, bot_name, bot_username, UpdateIds(update_ids_file))
        self.history: History | None = None
        if data_dir is not None:
            self.history = History(data_dir / CHATS_DIR / str(bot_id), keep_messages)
            self.history.load(self.state)
            self.state.on_change = functools.partial(self.history.save, self.state)
        self.faults = Faults(seed=seed)
        # requests the emulator failed on by a bug of its own (answered 500, logged)
        self.failures: list[Failure] = []
        self._runner: aiohttp.web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._next_user_id = FIRST_USER_ID
        self.web = web
        self.stripe = stripe
        self.personas: dict[int, Persona] = {}
        self._persona_users: dict[int, SimUser] = {}
        for persona in personas:
            self.add_persona(persona)

    async def charge(self, amount: int, currency: str, payload: str | None = None) -> str:
        """The provider's charge id for a paid invoice. With `stripe` set, Telegram's part is
        played for real: a PaymentIntent is confirmed on that Stripe-compatible server (e.g.
        localstripe) with the test card, so the bot can refund the charge there later. Its
        metadata says what was bought, as Telegram tells the provider: the invoice payload,
        and the order id when the payload names one (`order:<id>…`)."""
        if self.stripe is None:
            return f"ch_{secrets.token_hex(12)}"
        assert self._session is not None, "the emulator is not started"
        data = {
            "amount": str(amount),
            "currency": currency.lower(),
            "payment_method": "pm_card_visa",
            "confirm": "true",
        }
        if payload is not None:
            data["metadata[invoice_payload]"] = payload
            named = re.match(r"order:(\d+)", payload)
            if named is not None:
                data["metadata[order_id]"] = named[1]
        async with self._session.post(
            f"{self.stripe.api_base.rstrip('/')}/v1/payment_intents",
            data=data,
            headers={"Authorization": f"Bearer {self.stripe.api_key}"},
        ) as response:
            intent = await response.json()
        if response.status != 200 or intent.get("status") != "succeeded":
            raise RuntimeError(f"the Stripe server refused the test charge: {intent}")
        charge = intent["latest_charge"]
        return str(charge["id"] if isinstance(charge, dict) else charge)

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> Emulator:
        extra = install(self) if self.web else None
        app = build_app(self.state, self.spec, self.faults, self.token, extra, self.failures)
        self._runner = aiohttp.web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = aiohttp.web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        self._session = aiohttp.ClientSession()
        self._pusher = asyncio.create_task(
            push_updates(self.state, self.spec, self._session, failures=self.failures)
        )
        return self

    async def stop(self) -> None:
        self.state.closing = True  # end pending long polls now, not at their timeout
        self.state.touch()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        for query in self.state.queries.values():
            if query.timer is not None:
                query.timer.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.history is not None:
            self.history.save(self.state, final=True)
            self.history.close()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- addresses -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE should be set to: aiogram adds /bot<token>/<method>."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/bot{self.token}"

    # --- users and findings ----------------------------------------------------------------
    def user(
        self, first_name: str, *, username: str | None = None, language_code: str = "en"
    ) -> SimUser:
        """A new Telegram user with a fresh id and a private chat with the bot."""
        while self._next_user_id in self.state.chats:  # a persona may hold the next id
            self._next_user_id += 1
        user_id = self._next_user_id
        self._next_user_id += 1
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "username": username or f"{first_name.lower().replace(' ', '_')}_{user_id}",
            "language_code": language_code,
        }
        chat = Chat(user)
        self.state.chats[user_id] = chat
        return SimUser(self, chat)

    def add_persona(self, persona: Persona) -> SimUser:
        """Register a fixed user (exact id and name) the web chat offers; returns its SimUser."""
        restored = self.history is not None and persona.id in self.history.restored
        if persona.id in self.state.chats and (persona.id in self.personas or not restored):
            raise ValueError(f"user id {persona.id} is already taken")
        if persona.id == self.state.bot_user["id"]:
            raise ValueError("a persona cannot have the bot's id")
        chat = self.state.chats.get(persona.id) or Chat(persona.as_user())
        chat.user = persona.as_user()  # a kept chat goes on, under today's name for it
        self.state.chats[persona.id] = chat
        self.personas[persona.id] = persona
        user = SimUser(self, chat)
        self._persona_users[persona.id] = user
        self.state.touch()
        return user

    def user_of(self, user_id: int) -> SimUser:
        """The SimUser of a chat that exists already: a persona's, one `user()` made, or one
        a previous run on the same data dir kept (its history and buttons included)."""
        if user_id in self._persona_users:
            return self._persona_users[user_id]
        chat = self.state.chats.get(user_id)
        if chat is None:
            raise KeyError(f"no chat with user {user_id}")
        return SimUser(self, chat)

    def persona(self, key: int | str) -> SimUser:
        """The SimUser of a registered persona, by id or first name (the web chat's user too)."""
        if isinstance(key, int) and key in self._persona_users:
            return self._persona_users[key]
        for persona_id, persona in self.personas.items():
            if isinstance(key, str) and persona.first_name.lower() == key.lower():
                return self._persona_users[persona_id]
        raise KeyError(f"no persona {key!r}; registered: {[*self.personas]}")

    @property
    def violations(self) -> list[Violation]:
        return self.state.violations

    @property
    def warnings(self) -> list[Violation]:
        """Requests Telegram accepts with a caveat (unknown parameters, ignored)."""
        return self.state.warnings

    def assert_no_violations(self) -> None:
        """No request broke Bot API rules, and the emulator failed on none (its own bugs,
        listed with their tracebacks: a 500 the bot saw is explained here)."""
        found = []
        if self.state.violations:
            listed = "\n".join(f"  - {v}" for v in self.state.violations)
            found.append(f"the bot broke Bot API rules:\n{listed}")
        if self.failures:
            found.append(describe_failures(self.failures))
        if found:
            raise AssertionError("\n".join(found))

    def webhook_status(self) -> str:
        """Where updates go, and how many wait: one line for a report on a bot that is silent."""
        state = self.state
        hook = state.webhook
        where = f"webhook {hook['url']}" if hook else "no webhook (getUpdates)"
        line = f"{where}; {len(state.updates)} update(s) waiting"
        if state.webhook_error is not None:
            line += f"; last delivery error: {state.webhook_error[1]}"
        return line

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Raw parameters of every request received (optionally of one method)."""
        return [p for m, p in self.state.calls if method is None or m == method]


def describe_failures(failures: Iterable[Failure]) -> str:
    """The emulator's own failures, each with the request's parameters and the traceback."""
    listed = "\n".join(f"  - {f.where} {f.params}\n{f.traceback}" for f in failures)
    return (
        f"the emulator failed on requests (a sandbox bug, not the bot's; answered 500):\n{listed}"
    )
