"""Local text-to-speech with espeak-ng (Debian's `espeak-ng` package), encoded as Telegram
voice notes (OGG/Opus, 48 kHz mono). Used for spoken replies and to make test audio."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from nlu.speech.audio import Samples, encode_ogg_opus

ESPEAK = "espeak-ng"


class SpeechUnavailable(RuntimeError):
    """No text-to-speech engine on this machine."""


def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


@dataclass(frozen=True)
class Spoken:
    """A voice note: OGG/Opus bytes and its length in whole seconds (at least 1)."""

    ogg: bytes
    seconds: float

    @property
    def duration(self) -> int:
        return max(1, round(self.seconds))


def espeak(text: str, voice: str = "en-us", wpm: int = 160, *, pad: float = 0.3) -> Samples:
    """`text` spoken by espeak-ng, as float32 samples at 22.05 kHz with `pad` seconds of
    silence either side (people take a breath before and after a voice note)."""
    path = shutil.which(ESPEAK)
    if path is None:
        raise SpeechUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = subprocess.run(  # noqa: S603 - a fixed program, text passed as one argument
        [path, "-v", voice, "-s", str(wpm), "--stdout", "--", text],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    assert rate == ESPEAK_RATE, rate
    silence = np.zeros(int(pad * rate), dtype=np.float32)
    return np.concatenate([silence, samples.astype(np.float32), silence])


ESPEAK_RATE = 22_050


def speak(text: str, voice: str = "en-us", wpm: int = 160) -> Spoken:
    """`text` as a Telegram voice note."""
    samples = espeak(text, voice, wpm)
    return Spoken(encode_ogg_opus(samples, ESPEAK_RATE), len(samples) / ESPEAK_RATE)
