"""Forced scoring of shop-shaped readings: how likely the audio makes a GIVEN text.

Whisper's beam search only offers what its decoder generated, and often the right reading is
not among its guesses at all ("put two to your rain jackets" for "teal rain jackets", "apply
the code same time" for "save five"). Here the chosen guess is a starting point:

- `readings` replaces one heard word, or two heard words that are no shop words, by
  something a customer says (a catalogue word or colour, a number, a coupon code as said, a
  request's lead verb), and keeps the few replacements the shop's own sentences make far
  likelier (`ShopLanguageModel`, the bigram model that already chooses among the guesses);
- `ForcedScorer` scores those readings and the first few guesses against the audio already
  encoded: CTranslate2's `Whisper.align` returns the probability of each token of a given
  text under the decoder. The decoder starts from the bare start-of-transcript tokens (the
  shop prompt would cost ten times as much), and only the encoded frames of the speech and
  two seconds after it are kept, which is what makes it cheap enough;
- `adopt` keeps the best reading when its acoustic score (mean log probability per token)
  plus `weight` x the shop model's score beats every scored guess's.

Each setting was chosen on the development sentences (`python -m bench.voice --dev`), see
docs/nlu.md, "Voice, a third round". A reading made here was never generated, so no guess
backs its new words: it is confirmed before anything changes (`shoplm.backing`), never
trusted more easily than a generated one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from nlu.speech.shoplm import Guess, ShopLanguageModel
from nlu.speech.types import Vocabulary

#: The words a request starts with.
LEAD_VERBS = tuple(
    """add put remove delete take track cancel return review rate show find apply use redeem
    save""".split()  # noqa: SIM905
)
NUMBERS = tuple(
    """zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred""".split()  # noqa: SIM905
)
_NUMBER_WORDS = frozenset(NUMBERS)
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")

#: How many readings are scored against the audio, at most (the likeliest in shop talk).
READINGS = 10
#: How much likelier (natural log, per word, the shop model's mean) a reading must make the
#: sentence to be scored at all.
MIN_SHOP_GAIN = 0.4
#: How many of whisper's distinct guesses are scored beside the readings (the chosen first).
GUESSES = 3
#: The shop model's weight beside the acoustic score (mean log probability per token).
WEIGHT = 0.5
#: How far a reading's combined score must beat the best guess's to be kept.
MARGIN = 0.0
#: Encoder frames kept after the speech (50 a second); the rest of the 30-s window is padding.
TAIL_FRAMES = 100
#: Whisper's window: a note longer than this is not rescored.
WINDOW_SECONDS = 30.0


@dataclass(frozen=True)
class Lexicon:
    """What a heard span may be replaced by: phrases of one or two words, lower case."""

    phrases: tuple[str, ...]

    @property
    def words(self) -> frozenset[str]:
        return frozenset(w for p in self.phrases for w in p.split())

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> Lexicon:
        """The catalogue's words and colours, the numbers, the shop's coupon codes as said
        (whole and word by word) and the requests' lead verbs."""
        out = [*sorted(vocabulary.catalogue), *NUMBERS, *LEAD_VERBS]
        for code in vocabulary.codes:
            out.append(code)
            out.extend(code.split())
        return cls(tuple(dict.fromkeys(p for p in out if p)))


@dataclass(frozen=True)
class Reading:
    """A text made from a guess by replacing the heard words `was` with `now`."""

    text: str
    was: str
    now: str
    gain: float  # natural-log gain in the shop model's probability of the whole sentence


def readings(
    text: str,
    lexicon: Lexicon,
    shop: ShopLanguageModel,
    limit: int = READINGS,
    *,
    min_gain: float = MIN_SHOP_GAIN,
) -> list[Reading]:
    """`text` with one heard word, or two that are no shop words, replaced by a lexicon
    phrase: of the `limit` replacements that make the sentence likeliest in the shop's
    sentences, those that raise the shop model's mean log probability per word by at least
    `min_gain`, best first. A number is only ever replaced by a number ("add nine navy
    chargers" never loses its nine). Capitals and punctuation around the words are kept,
    so the reading reads as whisper writes."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    heard = [text[a:b].lower() for a, b in spans]
    if not heard:
        return []
    padded = ["<s>", *heard, "</s>"]
    log = _LogProbability(shop)
    shop_words = lexicon.words
    found: dict[str, Reading] = {}
    for first in range(len(heard)):
        for last in (first + 1, first + 2):  # exclusive
            if last > len(heard):
                break
            was = heard[first:last]
            if len(was) > 1 and any(w in shop_words for w in was):
                continue  # "to your" may be "teal"; "add nine" is never "add"
            before, after = padded[first], padded[last + 1]
            old = _local(log, before, was, after)
            for phrase in lexicon.phrases:
                now = phrase.split()
                if now == was or (was[0] in _NUMBER_WORDS and not _NUMBER_WORDS.issuperset(now)):
                    continue
                gain = _local(log, before, now, after) - old
                if gain <= 0:
                    continue
                a, b = spans[first][0], spans[last - 1][1]
                said = phrase.capitalize() if text[a].isupper() else phrase
                made = text[:a] + said + text[b:]
                if made not in found or found[made].gain < gain:
                    found[made] = Reading(made, " ".join(was), phrase, gain)
    ranked = sorted(found.values(), key=lambda r: -r.gain)[:limit]
    floor = shop.score(text) + min_gain
    return [r for r in ranked if shop.score(r.text) >= floor]


def _local(log: _LogProbability, before: str, words: Sequence[str], after: str) -> float:
    """The log probability of the bigrams that `words` between `before` and `after` touch."""
    total = log(words[0], before) + log(after, words[-1])
    return total + sum(log(w, p) for p, w in pairwise(words))


class _LogProbability:
    """The shop model's log p(word | previous), remembered within one sentence."""

    def __init__(self, shop: ShopLanguageModel) -> None:
        self._shop = shop
        self._seen: dict[tuple[str, str], float] = {}

    def __call__(self, word: str, previous: str) -> float:
        key = (word, previous)
        if key not in self._seen:
            self._seen[key] = math.log(self._shop.probability(word, previous))
        return self._seen[key]


def acoustic(token_probabilities: Sequence[float]) -> float:
    """A text's acoustic score: the mean natural log of its tokens' probabilities."""
    if not token_probabilities:
        return -math.inf
    return sum(math.log(max(p, 1e-12)) for p in token_probabilities) / len(token_probabilities)


def combined(acoustic_score: float, shop_score: float, weight: float = WEIGHT) -> float:
    """The acoustic score plus `weight` x the shop model's mean log probability per word."""
    return acoustic_score + weight * shop_score


def adopt(guesses: Sequence[float], made: Sequence[float], margin: float = MARGIN) -> int | None:
    """The index of the made reading to keep instead of the guesses, or None: the best made
    reading, when its combined score beats every scored guess's by more than `margin`."""
    if not made:
        return None
    best = max(range(len(made)), key=made.__getitem__)
    if made[best] - max(guesses, default=-math.inf) > margin:
        return best
    return None


def distinct(guesses: Sequence[Guess], chosen: int, count: int = GUESSES) -> list[str]:
    """The texts of the chosen guess and the next ones in the beam's order, each once."""
    order = [chosen, *(i for i in range(len(guesses)) if i != chosen)]
    return list(dict.fromkeys(guesses[i].text for i in order))[:count]


class ForcedScorer:
    """Scores texts against one encoded 30-s window with CTranslate2's `Whisper.align`. Align
    wants one encoder output per text, so the window (cut to the speech and `tail` frames) is
    repeated, `batch` texts at a time."""

    def __init__(
        self,
        model: Any,
        tokens: Callable[[str], list[int]],
        *,
        batch: int = 8,
        tail: int | None = TAIL_FRAMES,
    ) -> None:
        self._model = model
        self._tokens = tokens
        self.batch = batch
        self.tail = tail  # None: the whole window

    def probabilities(
        self, encoded: Any, start: Sequence[int], texts: Sequence[str], seconds: float
    ) -> list[list[float]]:
        """Each text's token probabilities, given the audio (`encoded`, as Whisper's encoder
        left it) and the decoder's `start` tokens."""
        import ctranslate2
        import numpy as np

        window = np.asarray(encoded)
        if self.tail is not None:
            keep = min(window.shape[1], math.ceil(seconds * 50) + self.tail)
            window = np.ascontiguousarray(window[:, :keep])
        frames = max(1, min(3000, round(seconds * 100)))
        ids = [self._tokens(text) for text in texts]
        out: list[list[float]] = []
        for n in range(0, len(ids), self.batch):
            chunk = ids[n : n + self.batch]
            tiled = ctranslate2.StorageView.from_array(np.repeat(window, len(chunk), axis=0))
            results = self._model.align(tiled, list(start), chunk, [frames] * len(chunk))
            out.extend(list(result.text_token_probs) for result in results)
        return out


@dataclass
class Rescorer:
    """Offers shop-shaped readings of whisper's chosen guess and keeps one when the audio and
    the shop's sentences together prefer it (see the module's docstring)."""

    scorer: ForcedScorer
    shop: ShopLanguageModel
    lexicon: Lexicon
    weight: float = WEIGHT
    margin: float = MARGIN
    limit: int = READINGS
    guesses: int = GUESSES

    def __call__(
        self,
        encoded: Any,
        start: Sequence[int],
        guesses: Sequence[Guess],
        chosen: int,
        seconds: float,
    ) -> str | None:
        """The reading to use instead of `guesses[chosen]`, or None to keep it."""
        if not guesses or seconds > WINDOW_SECONDS:
            return None
        made = [r.text for r in readings(guesses[chosen].text, self.lexicon, self.shop, self.limit)]
        if not made:
            return None
        heard = distinct(guesses, chosen, self.guesses)
        probabilities = self.scorer.probabilities(encoded, start, [*heard, *made], seconds)
        scores = [
            combined(acoustic(p), self.shop.score(text), self.weight)
            for text, p in zip([*heard, *made], probabilities, strict=True)
        ]
        kept = adopt(scores[: len(heard)], scores[len(heard) :], self.margin)
        return None if kept is None else made[kept]
