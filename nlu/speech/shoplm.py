"""A small language model of shop talk, to choose among a recogniser's best guesses.

Whisper's beam search ends with several transcripts whose acoustic scores are close ("take
the olive silicone case" and "take me on in silicone case"); the one it ranks first is often
the one that makes no sense in a shop. `ShopLanguageModel` is an interpolated word bigram
model of the shop's sentences (`Vocabulary.sentences`: the intents' training phrases with
numbers spelled out, catalogue names in carrier phrases, the shop's coupon codes as said),
with a floor for words it has never seen, so that off-topic speech is scored flatly and left
to the acoustics. `choose` adds its per-word log probability, weighted, to each guess's
acoustic score and returns the best.

Pure Python, built in a few tens of milliseconds from ~5,000 sentences, once per vocabulary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from nlu.speech.vocabulary import CLOSED_WORDS, spoken
from nlu.text import stem

#: Interpolation weights of the bigram, the unigram and the floor (words never seen).
BIGRAM, UNIGRAM, FLOOR = 0.6, 0.35, 0.05
#: The size of the world's vocabulary the floor is spread over.
OPEN_VOCABULARY = 50_000
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Text as the model reads it: spoken forms ("$40" -> forty dollars), lower case."""
    return _WORD.findall(spoken(text))


@dataclass(frozen=True)
class Guess:
    """One transcript a recogniser considered, with its acoustic score (mean log
    probability per token, as Whisper reports it)."""

    text: str
    acoustic: float


class ShopLanguageModel:
    def __init__(self, sentences: Iterable[str]) -> None:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for sentence in sentences:
            tokens = ["<s>", *words(sentence), "</s>"]
            unigrams.update(tokens[1:])
            bigrams.update(pairwise(tokens))
        self._unigrams = unigrams
        self._bigrams = bigrams
        self._history: Counter[str] = Counter()
        for (first, _), count in bigrams.items():
            self._history[first] += count
        self._total = sum(unigrams.values()) or 1

    def __contains__(self, word: str) -> bool:
        return word in self._unigrams

    def probability(self, word: str, previous: str) -> float:
        history = self._history.get(previous, 0)
        bigram = self._bigrams.get((previous, word), 0) / history if history else 0.0
        unigram = self._unigrams.get(word, 0) / self._total
        return BIGRAM * bigram + UNIGRAM * unigram + FLOOR / OPEN_VOCABULARY

    def score(self, text: str) -> float:
        """Mean natural-log probability per word (the end of the sentence counts as one)."""
        tokens = ["<s>", *words(text), "</s>"]
        total = sum(
            math.log(self.probability(word, previous)) for previous, word in pairwise(tokens)
        )
        return total / (len(tokens) - 1)

    def total(self, tokens: Sequence[str]) -> float:
        """Natural-log probability of a sentence already split into words."""
        padded = ["<s>", *tokens, "</s>"]
        return sum(math.log(self.probability(w, p)) for p, w in pairwise(padded))

    def correct(self, text: str, catalogue: frozenset[str]) -> str:
        """`text` with each word that sounds like a catalogue word, stands next to one, is
        neither one itself nor common in the shop's sentences, replaced by it when that makes
        the sentence at least CORRECTION_GAIN likelier in the shop's sentences: "the olive lip
        hoodie" is the olive zip hoodie, "the red vest lamp" the red desk lamp. Anything else
        is returned as it was."""
        stems = {stem(word) for word in catalogue}  # "pairs" is the pair it sounds like
        spans = [(m.start(), m.end()) for m in _HEARD_WORD.finditer(text)]
        sentence = [text[a:b].lower() for a, b in spans]
        replaced: dict[int, str] = {}
        for n, heard in enumerate(sentence):
            if (
                heard in catalogue
                or heard in CLOSED_WORDS
                or self._unigrams.get(heard, 0) >= COMMON
                or stem(heard) in stems
            ):
                continue
            if not any(0 <= j < len(sentence) and sentence[j] in catalogue for j in (n - 1, n + 1)):
                continue
            before = self.total(sentence)
            best, gain = heard, CORRECTION_GAIN
            for word in sorted(catalogue):
                if sounds_alike(heard, word):
                    better = self.total([*sentence[:n], word, *sentence[n + 1 :]]) - before
                    if better >= gain:
                        best, gain = word, better
            if best != heard:
                sentence[n] = replaced[n] = best
        for n in sorted(replaced, reverse=True):
            a, b = spans[n]
            word = replaced[n].capitalize() if text[a].isupper() else replaced[n]
            text = text[:a] + word + text[b:]
        return text

    def choose(self, guesses: Sequence[Guess], weight: float) -> int:
        """The index of the guess with the best acoustic + `weight` x language score."""
        if len(guesses) < 2 or weight <= 0:
            return 0
        scores = [g.acoustic + weight * self.score(g.text) for g in guesses]
        return max(range(len(guesses)), key=scores.__getitem__)


#: How much more likely (natural log, whole sentence) a catalogue word must make the sentence
#: before it replaces the word heard: "save the great studio headphones" becomes "grey" (the
#: shop's sentences say "grey studio headphones"), "is that in stock" keeps "that".
CORRECTION_GAIN = 4.0
#: A word said this often in the shop's sentences is heard as meant, never corrected.
COMMON = 5
_HEARD_WORD = re.compile(r"[A-Za-z]+")


def sounds_alike(heard: str, word: str) -> bool:
    """Near enough in spelling to be a mishearing: one letter apart ("deal" / "teal", "lip" /
    "zip", "tee" / "teal"), or two for words of four letters or more ("vest" / "desk",
    "great" / "grey")."""
    if heard == word or min(len(heard), len(word)) < 3:
        return False
    from rapidfuzz.distance import Levenshtein

    allowed = 2 if min(len(heard), len(word)) >= 4 else 1
    return Levenshtein.distance(heard, word, score_cutoff=allowed) <= allowed


#: Words that carry no request on their own: a guess that differs only in them is the same.
FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "to", "my", "me", "i", "i'm", "i'd", "is", "it", "of", "in", "for"}
    | {"and", "on", "at", "you", "your", "can", "could", "please"}
)


def _forms(text: str) -> list[str]:
    """Words as compared across guesses: "Where's" is where, "kettles" is kettle."""
    return [stem(re.sub(r"'(?:s|re|ll|d|m|ve)$", "", w)) for w in words(text)]


def agreement(guesses: Sequence[Guess], chosen: int, sharpness: float = 10.0) -> float:
    """How much of the guesses' weight (softmax of `sharpness` x acoustic score) backs the
    least certain word of the chosen guess: 1.0 when every likely guess has each of its words,
    0.3 when "zip" in "olive zip hoodie" is backed by guesses worth 30 % ("lip" by the rest).
    Function words are not counted; plurals, "'s" and compounds written whole or apart
    ("pourover", "pour-over") count as the same word."""
    if not guesses:
        return 0.0
    return backing(guesses, guesses[chosen].text, sharpness)


def backing(guesses: Sequence[Guess], text: str, sharpness: float = 10.0) -> float:
    """`agreement` for any text: how much of the guesses' weight backs its least certain
    word. A text no guess is (a reading made from one, `nlu.speech.forced`) has no weight of
    its own, so a word of it that no guess holds is backed by nothing (0.0)."""
    if not guesses:
        return 0.0
    best = max(g.acoustic for g in guesses)
    weights = [math.exp(sharpness * (g.acoustic - best)) for g in guesses]
    bags = []
    for guess in guesses:
        forms = _forms(guess.text)
        bags.append({*forms, *(a + b for a, b in pairwise(forms))})
    said = _forms(text)
    backed = []
    for n, word in enumerate(said):
        if word in FUNCTION_WORDS:
            continue
        joined = {word}
        if n + 1 < len(said):
            joined.add(word + said[n + 1])
        if n > 0:
            joined.add(said[n - 1] + word)
        backed.append(sum(wt for wt, bag in zip(weights, bags, strict=True) if joined & bag))
    return min(backed, default=sum(weights)) / sum(weights)
