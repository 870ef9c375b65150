"""Test voice notes (made by nlu.speech.testaudio with espeak-ng) and the rule that decides
whether tests needing them run: outside CI they skip when espeak-ng is missing; under CI=true
they fail instead, because .ci/run installs it."""

from __future__ import annotations

import os

import pytest

from nlu.speech.testaudio import voice_note

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

#: Intents after which the shop changes something with no further tap (or offers the tap).
ACTIONS = frozenset(
    {
        "add_to_cart",
        "remove_from_cart",
        "add_to_wishlist",
        "apply_coupon",
        "checkout",
        "cancel_order",
    }
)
OFF_TOPIC = (
    "book me a flight to paris tomorrow",
    "what is the weather like today",
    "my dog ate my homework again",
    "i love playing football with my friends on sunday",
    "please turn off the lights in the living room",
)


def require_espeak() -> None:
    from nlu.speech.tts import espeak_available

    if espeak_available():
        return
    reason = "espeak-ng is not installed (apt-get install espeak-ng) so no test voice notes"
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def note(text: str, voice: str = "en-us", wpm: int = 160, snr_db: float | None = None) -> bytes:
    require_espeak()
    return voice_note(text, voice, wpm, snr_db=snr_db)
