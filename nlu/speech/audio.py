"""Decoding a voice note in-process: OGG/Opus (what Telegram sends), or anything else
libsndfile reads (WAV, FLAC, OGG/Vorbis), to 16 kHz mono float32 with soxr. No ffmpeg.

The duration is checked from the header before the samples are decoded, so an over-long note
costs a few milliseconds, not its whole decode.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr

from nlu.speech.types import NotAudio, Silent, TooLong

RATE = 16_000  # what both recognisers expect
SILENCE_RMS = 10 ** (-55 / 20)  # -55 dBFS: quieter than any speech a phone records
_BLOCK = 1 << 16

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1] at `RATE`."""

    samples: Samples
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def pcm16(self) -> bytes:
        """16-bit little-endian PCM, as pocketsphinx wants it."""
        clipped = np.clip(self.samples, -1.0, 1.0)
        return (clipped * 32767.0).astype("<i2").tobytes()


def decode(data: bytes, max_seconds: float | None = None) -> Audio:
    """The note as 16 kHz mono audio. Raises NotAudio for bytes libsndfile cannot read,
    TooLong past `max_seconds`, Silent when nothing in it is loud enough to be speech."""
    if not data:
        raise NotAudio("empty file")
    try:
        with sf.SoundFile(io.BytesIO(data)) as source:
            rate = int(source.samplerate)
            known = source.frames if 0 < source.frames < 2**62 else None
            if max_seconds is not None and known is not None and known / rate > max_seconds:
                raise TooLong(known / rate, max_seconds)
            limit = None if max_seconds is None else int((max_seconds + 0.5) * rate)
            blocks: list[npt.NDArray[np.float32]] = []
            read = 0
            for block in source.blocks(_BLOCK, dtype="float32", always_2d=True):
                blocks.append(block.mean(axis=1, dtype=np.float32))
                read += len(block)
                if limit is not None and read > limit:
                    raise TooLong(read / rate, float(max_seconds or 0))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        why = str(exc).rsplit(": ", 1)[-1]  # libsndfile names the BytesIO first
        raise NotAudio(f"not audio libsndfile can read ({why})") from None
    if not read:
        raise NotAudio("no samples")
    samples = np.concatenate(blocks)
    if rate != RATE:
        samples = soxr.resample(samples, rate, RATE, quality="HQ").astype(np.float32)
    audio = Audio(np.ascontiguousarray(samples, dtype=np.float32))
    if not is_audible(audio):
        raise Silent(f"{audio.seconds:.1f} s below {20 * np.log10(SILENCE_RMS):.0f} dBFS")
    return audio


def is_audible(audio: Audio, window: float = 0.05) -> bool:
    """True when some 50 ms window is louder than SILENCE_RMS."""
    size = max(int(audio.rate * window), 1)
    usable = len(audio.samples) // size * size
    if usable == 0:
        return bool(np.sqrt(np.mean(np.square(audio.samples))) > SILENCE_RMS)
    frames = audio.samples[:usable].reshape(-1, size)
    loudest = float(np.sqrt(np.square(frames).mean(axis=1)).max())
    return loudest > SILENCE_RMS


def encode_ogg_opus(samples: Samples, rate: int, target_rate: int = 48_000) -> bytes:
    """Mono samples as an OGG/Opus file at 48 kHz, the way Telegram's clients record voice
    notes (libsndfile's bundled libopus does the encoding)."""
    mono = np.asarray(samples, dtype=np.float32)
    if rate != target_rate:
        mono = soxr.resample(mono, rate, target_rate, quality="HQ").astype(np.float32)
    out = io.BytesIO()
    sf.write(out, np.clip(mono, -1.0, 1.0), target_rate, format="OGG", subtype="OPUS")
    return out.getvalue()
