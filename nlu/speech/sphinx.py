"""pocketsphinx 5: the light fallback recogniser (its US English acoustic model and
dictionary ship inside the wheel).

The generic language model it ships hears shop talk poorly, so the decoder runs on a small
trigram model of the shop's own sentences (`Vocabulary.sentences`: the intents' training
phrases, catalog names in a few carrier phrases), estimated with pocketsphinx's own ARPA
builder and cached under $NLU_CACHE_DIR by the vocabulary's key. Words the dictionary lacks
get a pronunciation from their parts ("kettlebell" = kettle + bell, "hoodies" = hood + ie +
s); sentences with words that have none (typos in the training phrases) are left out.
"""

from __future__ import annotations

import logging
import os
import time
from functools import lru_cache
from pathlib import Path

from nlu.classifier import cache_dir
from nlu.speech.audio import Audio
from nlu.speech.types import Transcript, Vocabulary

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def dictionary() -> dict[str, str]:
    """CMUdict as shipped in the wheel: word -> space-separated ARPAbet phones."""
    from pocketsphinx import get_model_path

    out: dict[str, str] = {}
    with open(Path(get_model_path()) / "en-us" / "cmudict-en-us.dict", encoding="utf-8") as f:
        for line in f:
            word, _, phones = line.rstrip().partition(" ")
            out.setdefault(word, phones)
    return out


def pronounce(word: str, known: dict[str, str]) -> str | None:
    """Phones for a word, from the dictionary or from parts it is made of; None if unknown."""
    if word in known:
        return known[word]
    for suffix, phones in (("ies", "IY Z"), ("ie", "IY"), ("y", "IY"), ("s", "Z")):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3:
            base_phones = pronounce(base, known)
            if base_phones:
                return f"{base_phones} {phones}"
    for cut in range(3, len(word) - 2):
        head, tail = known.get(word[:cut]), known.get(word[cut:])
        if head and tail:
            return f"{head} {tail}"
    return None


def language_model(
    vocabulary: Vocabulary, folder: Path | None = None
) -> tuple[Path, dict[str, str]]:
    """The ARPA file for this vocabulary (built once, cached) and the pronunciations the
    dictionary lacks."""
    known = dictionary()
    extra: dict[str, str] = {}
    kept: list[str] = []
    for sentence in vocabulary.sentences:
        phones = {w: pronounce(w, known) for w in sentence.split() if w not in known}
        if all(phones.values()):
            extra.update({w: p for w, p in phones.items() if p})
            kept.append(sentence)
    folder = folder or cache_dir()
    path = folder / f"sphinx-{vocabulary.key}.arpa"
    if not path.is_file():
        from pocketsphinx.lm import ArpaBoLM

        model = ArpaBoLM(text="\n".join(kept), add_start=True, case="lower")
        model.compute()
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        model.write_file(str(partial))
        partial.replace(path)
    return path, extra


class PocketsphinxTranscriber:
    """One decoder per vocabulary (rebuilt when the catalog changes); synchronous."""

    name = "pocketsphinx"

    def __init__(self, vocabulary: Vocabulary | None = None, cache: Path | None = None) -> None:
        from pocketsphinx import Decoder

        self._decoder_type = Decoder
        self._cache = cache
        self._key: str | None = None
        self._decoder: Decoder | None = None
        if vocabulary is not None:
            self._use(vocabulary)

    def _use(self, vocabulary: Vocabulary) -> None:
        path, extra = language_model(vocabulary, self._cache)
        decoder = self._decoder_type(samprate=16000, lm=str(path), loglevel="FATAL")
        pending = list(extra.items())
        for n, (word, phones) in enumerate(pending, 1):
            decoder.add_word(word, phones, n == len(pending))  # the last one applies the batch
        self._decoder, self._key = decoder, vocabulary.key

    def transcribe(self, audio: Audio, vocabulary: Vocabulary | None = None) -> Transcript:
        started = time.perf_counter()
        if vocabulary is not None and vocabulary.key != self._key:
            self._use(vocabulary)
        if self._decoder is None:  # no vocabulary ever given: the generic model it ships
            self._decoder = self._decoder_type(samprate=16000, loglevel="FATAL")
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(audio.pcm16(), full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        raw = hypothesis.hypstr.strip() if hypothesis is not None else ""
        confidence = float(hypothesis.prob) if hypothesis is not None and raw else 0.0
        return Transcript.heard(
            raw, confidence, seconds=audio.seconds, started=started, engine=self.name
        )
