"""Hostile and random input, through the emulator, to the real bot process.

Text (huge, control characters, right-to-left, emoji, SQL- and HTML-looking), callback data
(forged, truncated, oversized, other people's ids) and files sent as voice notes (empty, not
audio, large, the wrong codec). For every example the bot answers or ignores, still serves the
same customer right after, changes nothing it should not (the cart stays empty), and never
shows one customer another's data; its log never holds a traceback or an unhandled error.
Webhook bodies (malformed, without or with a wrong secret) are in test_webhook_bodies.py.
"""

from __future__ import annotations

import importlib
import itertools
import os
import pkgutil
import re
from pathlib import Path

import pytest
from aiogram.filters.callback_data import CallbackData
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import handlers
from sandbox import SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import add_found

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: CI failures replay
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VICTIM_NAME = "Zenobia"
VICTIM_ADDRESS = "77 Secret Lane"
_names = itertools.count()

HOSTILE = st.sampled_from(
    [
        "'; DROP TABLE products; --",
        '" OR 1=1 --',
        "<b>bold</b><script>alert(1)</script>",
        "<a href='javascript:alert(1)'>x</a> &amp; &lt;",
        "\u202eevil\u202c مرحبا بالعالم שלום",
        "🛒🔥👩‍👩‍👧‍👦" * 50,
        "\x00\x01\x02\x1b[31mred\x7f",
        "%s %d {0} {name} ${HOME}",
        "/start " + "A" * 500,
        "/cancel@other_bot",
        "x" * 4096,
        "\u200b\u200d\ufeff",
    ]
)
TEXT = st.one_of(
    HOSTILE,
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=4096),
)
HANDLERS = Path(handlers.__file__).parent
#: Plain callback data written as a string literal ("talk:yes"), not through a factory.
_PLAIN = re.compile(r"""["']([a-z_]+:[a-z_]+)["']""")


def _factories() -> set[type[CallbackData]]:
    """Every CallbackData factory of handlers/, its modules all imported."""
    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        importlib.import_module(module.name)
    found: set[type[CallbackData]] = set()
    todo = list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] == "handlers":
            found.add(cls)
    return found


def _plain_data() -> set[str]:
    """The callback data handlers/ reads as plain strings ("talk:yes", "voice:no")."""
    return {
        match
        for source in HANDLERS.rglob("*.py")
        for match in _PLAIN.findall(source.read_text(encoding="utf-8"))
    }


#: What forged buttons start with: every prefix of handlers/ (derived, so a new factory is
#: fuzzed without anyone remembering to list it) and its plain callback data, and two the
#: bot no longer makes ("v1k", "v1o": buttons of older versions still sitting in chats).
PREFIXES = sorted({cls.__prefix__ for cls in _factories()} | _plain_data() | {"v1k", "v1o"})
CALLBACK = st.one_of(
    st.text(min_size=1, max_size=64),
    st.tuples(st.sampled_from(PREFIXES), st.lists(st.text(max_size=8), max_size=4)).map(
        lambda t: ":".join([t[0], *t[1]])
    ),
    st.tuples(
        st.sampled_from(PREFIXES),
        st.sampled_from(["cancel", "view", "pay", "add", "del"]),
        st.integers(-(2**63), 2**63),
    ).map(lambda t: f"{t[0]}:{t[1]}:{t[2]}"),
    st.text(min_size=65, max_size=300),  # longer than Telegram allows: must still be safe
)
VOICE = st.one_of(
    st.just(b""),
    st.binary(min_size=1, max_size=2048),
    st.just(b"OggS" + b"\x00" * 4000),  # an Ogg header and nothing inside
    st.just(b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x10\x00" * 2000),  # WAV, not Opus
    st.just(b"\xff\xfb\x90\x00" * 250_000),  # ~1 MB of MP3 frames
)


@pytest.fixture(scope="module")
async def victim(shop_bot: ShopBot) -> SimUser:
    """Someone else with a cart and an address the attackers must never see."""
    user = shop_bot.tg.user(VICTIM_NAME)
    await user.send("/start")
    await user.expect_message("Welcome", timeout=30)
    await add_found(user, "pour-over kettle", "Kettle")
    return user


def _newcomer(shop_bot: ShopBot) -> SimUser:
    return shop_bot.tg.user(f"Fuzz{next(_names)}")


async def _still_serves(user: SimUser) -> None:
    """The bot still answers this user, and their cart is still empty (nothing was added)."""
    await user.send("/cart")
    cart = await user.expect_message("Your cart is empty", timeout=30)
    assert cart.text is not None


def _no_leak(user: SimUser) -> None:
    for message in user.messages:
        shown = str(message.get("text") or message.get("caption") or "")
        assert VICTIM_NAME not in shown, shown
        assert VICTIM_ADDRESS not in shown, shown


def _clean_log(shop_bot: ShopBot, start: int) -> None:
    log = shop_bot.log_text()[start:]
    assert "Traceback" not in log, log[-4000:]
    errors = [line for line in log.splitlines() if " ERROR " in line]
    assert errors == [], errors


@pytest.mark.parametrize("shop_bot", ["polling"], indirect=True)
@FUZZ
@given(text=TEXT)
async def test_any_text_is_answered_or_ignored_and_changes_nothing(
    shop_bot: ShopBot, victim: SimUser, text: str
) -> None:
    start = len(shop_bot.log_text())
    user = _newcomer(shop_bot)
    await user.send(text)
    await _still_serves(user)
    _no_leak(user)
    _clean_log(shop_bot, start)


def test_every_button_prefix_of_the_handlers_is_fuzzed() -> None:
    """The derivation finds every `prefix=` written in handlers/ (no module left unimported)
    and the plain data, among them those added after the list was first written."""
    written = {
        match
        for source in HANDLERS.rglob("*.py")
        for match in re.findall(r'prefix="([^"]+)"', source.read_text(encoding="utf-8"))
    }
    assert written <= set(PREFIXES)
    assert {"v1pk", "v1rt", "v1spi", "talk:yes", "talk:no", "voice:yes", "voice:no"} <= set(
        PREFIXES
    )


@pytest.mark.parametrize("shop_bot", ["polling"], indirect=True)
@FUZZ
@given(data=CALLBACK, victims_id=st.booleans())
async def test_forged_buttons_are_answered_and_change_nothing(
    shop_bot: ShopBot, victim: SimUser, data: str, victims_id: bool
) -> None:
    start = len(shop_bot.log_text())
    user = _newcomer(shop_bot)
    await user.send("/start")
    await user.expect_message("Welcome", timeout=30)
    menu = user.last_bot_message()
    assert menu is not None
    if victims_id:  # the victim's own Telegram id where an id would go
        data = f"{data.split(':')[0]}:view:{victim.id}"[:64]
    answer = await user._click(menu, {"text": "x", "callback_data": data}, 30)
    assert VICTIM_NAME not in str(answer.get("text"))
    await _still_serves(user)
    _no_leak(user)
    _clean_log(shop_bot, start)


@pytest.mark.parametrize("shop_bot", ["polling"], indirect=True)
@FUZZ
@given(audio=VOICE, duration=st.integers(0, 3600))
async def test_any_file_as_a_voice_note_gets_a_clear_answer(
    shop_bot: ShopBot, victim: SimUser, audio: bytes, duration: int
) -> None:
    start = len(shop_bot.log_text())
    user = _newcomer(shop_bot)
    await user.send_voice(audio, duration)
    reply = await user.expect_message(timeout=60)
    assert reply.text or reply.voice or reply.caption, "the bot answered with something shown"
    await _still_serves(user)
    _no_leak(user)
    _clean_log(shop_bot, start)
