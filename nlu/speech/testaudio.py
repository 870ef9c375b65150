"""Voice notes made from text for tests and the bench: espeak-ng voices (en-us, en+f3,
en-us+m3) at 150-170 words a minute, encoded as Telegram records them (OGG/Opus, 48 kHz
mono), clean or with white noise at a given signal-to-noise ratio.

Generated files are cached under $VOICE_TEST_CACHE (default: the system temp dir), named by
a hash of everything that made them, so a second run costs nothing and nothing is committed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from nlu.speech.audio import Samples, encode_ogg_opus
from nlu.speech.tts import ESPEAK_RATE, espeak

VOICES = ("en-us", "en+f3", "en-us+m3")
SPEEDS = (150, 160, 170)
NOISY_SNR_DB = 10.0


def cache_dir() -> Path:
    configured = os.environ.get("VOICE_TEST_CACHE")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "marketplace-voice"


def add_noise(samples: Samples, snr_db: float, seed: int = 0) -> Samples:
    """White noise at `snr_db` below the speech's power (measured where it is voiced)."""
    voiced = samples[np.abs(samples) > 0.01]
    power = float(np.mean(np.square(voiced))) if len(voiced) else 1e-6
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), len(samples))
    mixed = samples + noise.astype(np.float32)
    peak = float(np.max(np.abs(mixed))) or 1.0
    return (mixed / max(peak, 1.0)).astype(np.float32)


def voice_note(
    text: str,
    voice: str = "en-us",
    wpm: int = 160,
    *,
    snr_db: float | None = None,
    seed: int = 0,
    cache: Path | None = None,
) -> bytes:
    """`text` as an OGG/Opus voice note (cached)."""
    recipe = f"v1|{voice}|{wpm}|{snr_db}|{seed}|{text}"
    folder = cache or cache_dir()
    path = folder / f"{hashlib.sha256(recipe.encode()).hexdigest()[:20]}.ogg"
    if path.is_file():
        return path.read_bytes()
    samples = espeak(text, voice, wpm)
    if snr_db is not None:
        samples = add_noise(samples, snr_db, seed)
    ogg = encode_ogg_opus(samples, ESPEAK_RATE)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(ogg)
    partial.replace(path)
    return ogg


def variants(text: str, *, noisy: bool = True) -> list[tuple[str, bytes]]:
    """The same sentence in each voice and speed (and, with `noisy`, at 10 dB SNR), labelled."""
    out: list[tuple[str, bytes]] = []
    for n, voice in enumerate(VOICES):
        wpm = SPEEDS[n % len(SPEEDS)]
        out.append((f"{voice}@{wpm}", voice_note(text, voice, wpm)))
        if noisy:
            noisy_note = voice_note(text, voice, wpm, snr_db=NOISY_SNR_DB, seed=n)
            out.append((f"{voice}@{wpm}+noise", noisy_note))
    return out
