"""The plain values and errors of the speech layer (standard library only, so a handler can
import them while the audio libraries stay unloaded until a voice note arrives)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nlu.speech.normalise import for_nlu


class VoiceRefused(Exception):
    """A voice note the bot will not transcribe; `reason` names which rule refused it."""

    reason = "refused"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail


class NotAudio(VoiceRefused):
    """The bytes are not audio that can be decoded (or decode to no samples)."""

    reason = "not_audio"


class TooLong(VoiceRefused):
    """The note is longer than the configured limit."""

    reason = "too_long"

    def __init__(self, seconds: float, limit: float) -> None:
        super().__init__(f"{seconds:.1f} s is over the {limit:g} s limit")
        self.seconds, self.limit = seconds, limit

    def __reduce__(self) -> tuple[type[TooLong], tuple[float, float]]:  # crosses processes
        return TooLong, (self.seconds, self.limit)


class Silent(VoiceRefused):
    """The note holds no sound loud enough to be speech."""

    reason = "silent"


#: Per engine, the confidence below which a transcript is not acted on (see docs/nlu.md):
#: whisper's is exp(mean log probability per token), so 0.6 is a mean of -0.5.
MIN_CONFIDENCE = {"whisper": 0.6, "pocketsphinx": 0.02}
#: Per engine, the agreement below which a transcript is not acted on: the share of the
#: recogniser's best guesses (weighted) that hold the least certain word of the one kept.
MIN_AGREEMENT = {"whisper": 0.8}


@dataclass(frozen=True)
class Vocabulary:
    """What a recogniser should expect in this shop: a Whisper `prompt` and the `sentences` a
    small language model is built from. `key` changes whenever either does."""

    prompt: str
    sentences: tuple[str, ...]
    words: frozenset[str]
    key: str
    #: the words of the catalogue's names, categories and colours, as said ("teal", "zip")
    catalogue: frozenset[str] = frozenset()
    #: the shop's coupon codes as said ("save ten", "free ship")
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard in one note.

    `text` is ready for the nlu layer (spoken coupon codes joined, "add to red" read as "add
    two red"); `raw` is the recogniser's own output. `confidence` is 0..1 (the recogniser's
    own estimate, comparable only within one engine); `agreement` is 0..1, how far the
    recogniser's other likely guesses hold every word of this one (1.0 where it keeps no
    other guesses); `seconds` is the audio's length and `elapsed` the time decoding and
    recognising took."""

    text: str
    raw: str
    confidence: float
    seconds: float
    elapsed: float
    engine: str
    agreement: float = 1.0

    @classmethod
    def heard(
        cls,
        raw: str,
        confidence: float,
        *,
        seconds: float,
        started: float,
        engine: str,
        agreement: float = 1.0,
    ) -> Transcript:
        """A recogniser's result: text made ready for the nlu layer, confidence and agreement
        kept in 0..1, `elapsed` measured from `started` (a time.perf_counter() reading)."""
        return cls(
            text=for_nlu(raw),
            raw=raw,
            confidence=round(min(max(confidence, 0.0), 1.0), 4),
            seconds=seconds,
            elapsed=time.perf_counter() - started,
            engine=engine,
            agreement=round(min(max(agreement, 0.0), 1.0), 4),
        )

    @property
    def trusted(self) -> bool:
        """Whether a handler may act on it without asking: the engine's confidence and the
        agreement of its guesses are at or above its bars (pocketsphinx maps off-topic speech
        onto shop words, but with a tiny posterior; whisper's misheard words are where its
        likely guesses disagree, or where its acoustic score is low)."""
        return self.confidence >= MIN_CONFIDENCE.get(
            self.engine, 0.0
        ) and self.agreement >= MIN_AGREEMENT.get(self.engine, 0.0)

    @property
    def real_time_factor(self) -> float:
        return self.elapsed / self.seconds if self.seconds else 0.0
