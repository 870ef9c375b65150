"""Forced scoring of shop-shaped readings (nlu/speech/forced.py): readings of whisper's chosen
guess with shop words put in, their combined score, when one is kept instead of the guesses,
and that a kept reading is confirmed before anything changes. Unit tests with fakes for the
model, and one on a generated voice note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from nlu.catalog import CatalogIndex
from nlu.speech import Transcript
from nlu.speech.audio import decode
from nlu.speech.forced import (
    ForcedScorer,
    Lexicon,
    Rescorer,
    acoustic,
    adopt,
    combined,
    distinct,
    readings,
)
from nlu.speech.shoplm import Guess, ShopLanguageModel, agreement, backing
from nlu.speech.vocabulary import build
from nlu.speech.whisper import WhisperTranscriber, _Guesses
from tests.nlu.audio import note

SHOP = CatalogIndex.build(
    [
        (1, "Teal Rain Jacket", "Jackets"),
        (2, "Navy Wireless Charger", "Electronics"),
        (3, "Black Road Runner", "Shoes"),
        (4, "Olive Zip Hoodie", "Hoodies"),
    ],
    coupons=["SAVE5", "FREESHIP"],
)


@pytest.fixture(scope="module")
def shop() -> tuple[ShopLanguageModel, Lexicon]:
    vocabulary = build(SHOP)
    return ShopLanguageModel(vocabulary.sentences), Lexicon.of(vocabulary)


def _texts(text: str, shop: tuple[ShopLanguageModel, Lexicon]) -> list[str]:
    model, lexicon = shop
    return [r.text for r in readings(text, lexicon, model)]


# --- readings ------------------------------------------------------------------------------
def test_the_lexicon_holds_catalogue_words_numbers_codes_as_said_and_lead_verbs() -> None:
    lexicon = Lexicon.of(build(SHOP))
    for phrase in ("teal", "charger", "eleven", "save five", "free ship", "track", "cancel"):
        assert phrase in lexicon.phrases


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        # heard by whisper tiny.en in the development notes (bench.voice --dev)
        ("Put two to your rain jackets in my cart.", "Put two teal rain jackets in my cart."),
        ("Apply the code same time.", "Apply the code save five."),
        ("Can I get two lamp road runners?", "Can I get two black road runners?"),
    ],
)
def test_a_misheard_request_gets_the_shop_shaped_reading_among_its_readings(
    shop: tuple[ShopLanguageModel, Lexicon], heard: str, meant: str
) -> None:
    assert meant in _texts(heard, shop)


def test_a_reading_never_drops_a_number_or_a_shop_word(
    shop: tuple[ShopLanguageModel, Lexicon],
) -> None:
    made = _texts("Add nine navy wireless chargers.", shop)
    assert made  # "two", "four"...: a number is only ever read as another number
    for text in made:
        words = text.rstrip(".").split()
        assert len(words) == 5, text
        assert words[1] in {"one", "two", "three", "four", "five", "six", "seven", "eight"}
        assert words[2:] == ["navy", "wireless", "chargers"]


def test_only_readings_far_likelier_in_shop_talk_are_offered(
    shop: tuple[ShopLanguageModel, Lexicon],
) -> None:
    model, lexicon = shop
    heard = "Put two to your rain jackets in my cart."
    made = readings(heard, lexicon, model, min_gain=0.4)
    assert all(model.score(r.text) >= model.score(heard) + 0.4 for r in made)
    assert len(readings(heard, lexicon, model, limit=3, min_gain=-99)) == 3
    assert readings("", lexicon, model) == []


# --- scores and the choice -----------------------------------------------------------------
def test_the_acoustic_score_is_the_mean_log_probability_of_the_tokens() -> None:
    assert acoustic([0.5, 0.5]) == pytest.approx(np.log(0.5))
    assert acoustic([1.0, 0.0]) < -6  # a token the audio rules out sinks the text
    assert acoustic([]) == -np.inf
    assert combined(-0.4, -2.0, 0.5) == pytest.approx(-1.4)


def test_a_reading_is_kept_only_when_it_beats_every_scored_guess() -> None:
    assert adopt([-1.3, -1.5], [-1.4, -1.1]) == 1
    assert adopt([-1.0, -1.5], [-1.4, -1.1]) is None  # a guess is still better
    assert adopt([-1.3], [-1.25], margin=0.1) is None  # not by the margin
    assert adopt([-1.3], []) is None


def test_the_guesses_scored_are_the_chosen_then_the_next_distinct_ones() -> None:
    guesses = [Guess("a", -0.1), Guess("b", -0.2), Guess("a", -0.3), Guess("c", -0.4)]
    assert distinct(guesses, 1, 3) == ["b", "a", "c"]
    assert distinct(guesses, 0, 2) == ["a", "b"]


class _FakeScorer:
    """Token probabilities by text: the audio "sounds like" what `heard` says."""

    def __init__(self, heard: dict[str, list[float]]) -> None:
        self.heard = heard
        self.asked: list[str] = []

    def probabilities(
        self, encoded: Any, start: Sequence[int], texts: Sequence[str], seconds: float
    ) -> list[list[float]]:
        self.asked += texts
        return [self.heard.get(text, [0.01] * 8) for text in texts]


def test_the_rescorer_keeps_the_reading_the_audio_and_the_shop_prefer(
    shop: tuple[ShopLanguageModel, Lexicon],
) -> None:
    model, lexicon = shop
    guess = "Put two to your rain jackets in my cart."
    meant = "Put two teal rain jackets in my cart."
    guesses = [Guess(guess, -0.2), Guess("Put two to your rain jacket in my cart.", -0.3)]
    close = _FakeScorer({guess: [0.7] * 10, meant: [0.65] * 9})
    assert Rescorer(close, model, lexicon)(None, [1], guesses, 0, 3.0) == meant  # type: ignore[arg-type]
    assert close.asked[:2] == [g.text for g in guesses]  # the guesses are scored beside it
    far = _FakeScorer({guess: [0.9] * 10, meant: [0.2] * 9})  # the audio says "to your"
    assert Rescorer(far, model, lexicon)(None, [1], guesses, 0, 3.0) is None  # type: ignore[arg-type]
    long = _FakeScorer({})
    assert Rescorer(long, model, lexicon)(None, [1], guesses, 0, 31.0) is None  # type: ignore[arg-type]
    assert long.asked == []  # past one window: not rescored


class _Aligned:
    def __init__(self, n: int) -> None:
        self.text_token_probs = [0.5] * n


class _FakeWhisper:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[int, ...], list[int], int]] = []

    def align(
        self, features: Any, start: list[int], tokens: list[list[int]], frames: list[int]
    ) -> list[_Aligned]:
        shape = np.asarray(features).shape
        assert shape[0] == len(tokens)  # one window per text
        self.calls.append((shape, start, frames[0]))
        return [_Aligned(len(t)) for t in tokens]


def test_the_forced_scorer_cuts_the_window_to_the_speech_and_batches_the_texts() -> None:
    model = _FakeWhisper()
    scorer = ForcedScorer(model, lambda text: list(range(len(text.split()))), batch=2, tail=100)
    encoded = np.zeros((1, 1500, 4), dtype=np.float32)
    out = scorer.probabilities(encoded, [7, 8], ["a b", "c", "d e f"], seconds=3.0)
    assert out == [[0.5, 0.5], [0.5], [0.5, 0.5, 0.5]]
    assert [c[0] for c in model.calls] == [(2, 250, 4), (1, 250, 4)]  # 3 s: 150 frames + 100
    assert model.calls[0][1:] == ([7, 8], 300)
    untouched = _FakeWhisper()
    ForcedScorer(untouched, lambda text: [1], tail=None).probabilities(encoded, [7], ["a"], 3.0)
    assert untouched.calls[0][0] == (1, 1500, 4)  # tail=None: the whole window


# --- what faster-whisper is handed, and trust ---------------------------------------------
class _FakeResult:
    def __init__(self) -> None:
        self.sequences_ids = [[1, 2], [3, 4, 5]]
        self.scores = [-0.2, -0.3]
        self.no_speech_prob = 0.01


class _FakeModel:
    is_multilingual = False

    def generate(self, features: Any, prompts: Any, **options: Any) -> list[_FakeResult]:
        return [_FakeResult()]


def test_a_kept_reading_is_handed_on_first_with_the_chosen_guess_s_confidence() -> None:
    texts = {(1, 2): "put two to your", (3, 4, 5): "put two to you"}
    guesses = _Guesses(_FakeModel(), lambda ids: texts[tuple(ids)], lambda text: [9, 9, 9, 9])
    guesses.choose = lambda gs: 0
    seen: list[tuple[Any, list[int], int]] = []

    def rescore(encoded: Any, prompt: list[int], heard: list[Guess], kept: int) -> str:
        seen.append((encoded, prompt, kept))
        return "put two teal"

    guesses.rescore = rescore
    result = guesses.generate("encoded", [[50257, 50362]], beam_size=2, length_penalty=1.0)[0]
    assert seen == [("encoded", [50257, 50362], 0)]
    assert result.sequences_ids[:3] == [[9, 9, 9, 9], [1, 2], [3, 4, 5]]
    # faster-whisper's avg_logprob = score * length / (length + 1): the chosen guess's own
    mean = -0.2 * 2 / 3
    assert result.scores[0] * 4 / 5 == pytest.approx(mean)
    assert guesses.heard[0][2] == "put two teal"


def test_a_reading_with_a_word_no_guess_holds_is_not_trusted() -> None:
    guesses = [
        Guess("Put two to your rain jackets in my cart.", -0.2),
        Guess("Put two to your rain jacket in my cart.", -0.25),
    ]
    assert backing(guesses, guesses[0].text) == agreement(guesses, 0) == pytest.approx(1.0)
    assert backing(guesses, "Put two teal rain jackets in my cart.") == 0.0
    partly = [*guesses, Guess("Put two teal rain jackets in my cart.", -0.3)]
    assert 0 < backing(partly, "Put two teal rain jackets in my cart.") < 0.8
    sure = Transcript.heard(
        "Put two teal rain jackets in my cart.",
        0.9,
        seconds=3,
        started=0.0,
        engine="whisper",
        agreement=backing(guesses, "Put two teal rain jackets in my cart."),
    )
    assert not sure.trusted  # confirmed before anything changes, however loud the audio


# --- on a generated voice note --------------------------------------------------------------
@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber(threads=2)


def test_whisper_hears_a_colour_it_mishears_and_asks_before_acting(
    whisper: WhisperTranscriber,
) -> None:
    vocabulary = build(SHOP)
    audio = decode(note("put two teal rain jackets in my cart", "en-us", 150))
    heard = whisper.transcribe(audio, vocabulary)
    assert "teal rain jacket" in heard.text.lower(), heard
    assert not heard.trusted, heard
