"""How the speech layer uses what the shop knows (issue 16, voice): the Whisper prompt and
the shop's coupon codes as said, the shop language model that chooses among Whisper's
guesses, the agreement of those guesses, and the trust bar that makes the bot ask before it
acts on an unsure transcript. Unit tests, no audio except where a model is needed."""

from __future__ import annotations

from typing import Any

import pytest

from nlu.catalog import CatalogIndex
from nlu.speech import Transcript
from nlu.speech.normalise import for_nlu
from nlu.speech.shoplm import Guess, ShopLanguageModel, agreement, sounds_alike
from nlu.speech.types import MIN_AGREEMENT, MIN_CONFIDENCE
from nlu.speech.vocabulary import INTENT_PROMPT, build, code_words
from nlu.speech.whisper import PROMPT_TOKENS, WhisperTranscriber, _Guesses

SHOP = CatalogIndex.build(
    [(1, "Olive Silicone Case", "Cases"), (2, "Navy Desk Lamp", "Lamps")],
    ["Phone Accessories"],
    coupons=["SAVE10", "FREESHIP", "WELCOME5"],
)


# --- the vocabulary: codes as said, colours, the prompt's order ---------------------------
def test_coupon_codes_are_said_as_people_say_them() -> None:
    known = {"free", "ship", "save", "welcome"}
    assert code_words("SAVE10", known) == "save ten"
    assert code_words("FREESHIP", known) == "free ship"  # no word itself: two words
    assert code_words("WELCOME5", known) == "welcome five"  # a word: kept whole
    assert code_words("ZXQ7", known) == "zxq seven"


def test_the_prompt_starts_with_requests_then_codes_colours_and_catalogue_words() -> None:
    vocabulary = build(SHOP)
    assert vocabulary.prompt.startswith(INTENT_PROMPT)
    assert "Codes: free ship, save ten, welcome five." in vocabulary.prompt
    assert "Colours: olive, navy." in vocabulary.prompt
    for word in ("Silicone", "Case", "Desk", "Lamp"):
        assert word in vocabulary.prompt
    assert "Olive Silicone" not in vocabulary.prompt  # colours are said once, in their list
    assert vocabulary.prompt.index("Codes:") < vocabulary.prompt.index("Silicone")
    # numbers are said as words in the prompt (Whisper copies its style)
    assert not any(ch.isdigit() for ch in INTENT_PROMPT)


def test_the_codes_reach_the_language_model_sentences() -> None:
    sentences = build(SHOP).sentences
    assert "apply free ship" in sentences
    assert "use code save ten" in sentences
    assert build(SHOP).key != build(CatalogIndex.build([(1, "Olive Silicone Case", "Cases")])).key


# --- a misheard catalogue word next to catalogue words --------------------------------------
FULL_SHOP = CatalogIndex.build(
    [
        (1, "Olive Zip Hoodie", "Hoodies"),
        (2, "Black Zip Hoodie", "Hoodies"),
        (3, "Red Desk Lamp", "Lamps"),
        (4, "Grey Studio Headphones", "Headphones"),
        (5, "Teal Denim Jacket", "Jackets"),
        (6, "Teal Two-Person Tent", "Tents"),
    ]
)


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        # heard by whisper tiny.en in the development notes (bench.voice --dev)
        ("Add the olive lip hoodie to my cart.", "Add the olive zip hoodie to my cart."),
        ("Remove the red vest lamp.", "Remove the red desk lamp."),
        ("Save the great studio headphones.", "Save the grey studio headphones."),
        ("Is the deal denim jacket in stock?", "Is the teal denim jacket in stock?"),
        # words of the grammar, numbers, plurals and words away from the catalogue stay
        ("Put two to your denim jackets in my cart.", "Put two to your denim jackets in my cart."),
        ("add the teal ten", "add the teal ten"),
        ("I want two zip hoodies.", "I want two zip hoodies."),
        ("Is that in stock?", "Is that in stock?"),
        ("Remind me to call mom at five.", "Remind me to call mom at five."),
        ("What a great deal!", "What a great deal!"),
    ],
)
def test_a_misheard_catalogue_word_is_read_as_the_one_it_sounds_like(
    heard: str, meant: str
) -> None:
    vocabulary = build(FULL_SHOP)
    model = ShopLanguageModel(vocabulary.sentences)
    assert model.correct(heard, vocabulary.catalogue) == meant


def test_sounding_alike_is_a_letter_or_two_apart() -> None:
    assert sounds_alike("deal", "teal")
    assert sounds_alike("lip", "zip")
    assert sounds_alike("vest", "desk")
    assert sounds_alike("great", "grey")
    assert not sounds_alike("lip", "lamp")
    assert not sounds_alike("tee", "tee")
    assert not sounds_alike("at", "mat")  # too short to tell


# --- choosing among Whisper's guesses -----------------------------------------------------
@pytest.fixture(scope="module")
def shop_lm() -> ShopLanguageModel:
    return ShopLanguageModel(build(SHOP).sentences)


def test_the_shop_model_prefers_shop_talk(shop_lm: ShopLanguageModel) -> None:
    assert shop_lm.score("take the olive silicone case out of my cart") > shop_lm.score(
        "take me on in silicone case out of my cart"
    )
    assert shop_lm.score("apply free ship") > shop_lm.score("apply free kit")
    assert shop_lm.score("show me the navy desk lamp") > shop_lm.score("show me the navy best lamp")


def test_a_close_guess_that_makes_shop_sense_is_chosen(shop_lm: ShopLanguageModel) -> None:
    guesses = [
        Guess("Take me on in silicone case out of my cart.", -0.34),
        Guess("Take the olive silicone case out of my cart.", -0.35),
    ]
    assert shop_lm.choose(guesses, 0.2) == 1
    assert shop_lm.choose(guesses, 0.0) == 0  # no weight: Whisper's own order
    far = [Guess("book me a flight to paris", -0.2), Guess("add the olive silicone case", -2.5)]
    assert shop_lm.choose(far, 0.2) == 0  # the language model never outweighs the acoustics


def test_agreement_is_low_where_the_guesses_differ_on_a_word() -> None:
    same = [Guess("Add one olive zip hoodie.", -0.3), Guess("add one olive zip hoodie", -0.4)]
    assert agreement(same, 0) == pytest.approx(1.0)
    split = [Guess("Add one olive lip hoodie.", -0.30), Guess("Add one olive zip hoodie.", -0.31)]
    assert 0.4 < agreement(split, 0) < 0.6
    assert agreement(split, 1) < 0.6
    # function words ("the", "my") do not count
    articles = [Guess("add the case to my cart", -0.3), Guess("add a case to the cart", -0.3)]
    assert agreement(articles, 0) == pytest.approx(1.0)


class _FakeResult:
    def __init__(self) -> None:
        self.sequences_ids = [[1, 2], [3, 4, 5], [6]]
        self.scores = [-0.2, -0.3, -0.4]
        self.no_speech_prob = 0.01


class _FakeModel:
    is_multilingual = False

    def __init__(self) -> None:
        self.options: dict[str, Any] = {}

    def generate(self, features: Any, prompts: Any, **options: Any) -> list[_FakeResult]:
        self.options = options
        return [_FakeResult()]


def test_the_chosen_guess_is_handed_to_faster_whisper_first() -> None:
    model = _FakeModel()
    texts = {(1, 2): "first", (3, 4, 5): "second", (6,): "third"}
    guesses = _Guesses(model, lambda ids: texts[tuple(ids)])
    guesses.choose = lambda gs: [g.text for g in gs].index("second")
    result = guesses.generate("features", [[0]], beam_size=3)[0]
    assert model.options["num_hypotheses"] == 3  # every finished guess comes back
    assert result.sequences_ids[0] == [3, 4, 5]
    assert result.scores[0] == -0.3  # its own acoustic score: the confidence stays acoustic
    assert result.no_speech_prob == 0.01
    assert [g.text for g in guesses.heard[0][0]] == ["first", "second", "third"]
    assert guesses.heard[0][1] == 1
    # sampling (temperature fallback) and greedy search pass through untouched
    guesses.generate("features", [[0]], beam_size=1, num_hypotheses=1)
    assert model.options["num_hypotheses"] == 1
    assert model.is_multilingual is False  # everything else is the real model's


# --- trust -------------------------------------------------------------------------------
def _heard(confidence: float, agreed: float, engine: str = "whisper") -> Transcript:
    return Transcript.heard(
        "add two red hoodies", confidence, seconds=2, started=0.0, engine=engine, agreement=agreed
    )


def test_an_unsure_whisper_transcript_is_not_trusted() -> None:
    assert _heard(0.75, 1.0).trusted
    assert not _heard(MIN_CONFIDENCE["whisper"] - 0.01, 1.0).trusted  # low acoustic score
    assert not _heard(0.75, MIN_AGREEMENT["whisper"] - 0.01).trusted  # its guesses disagree
    assert _heard(0.03, 0.1, "pocketsphinx").trusted  # pocketsphinx: its posterior only
    assert not _heard(0.01, 1.0, "pocketsphinx").trusted


def test_grouped_parcel_numbers_are_joined_like_order_numbers() -> None:
    assert for_nlu("Has my parcel 7-7-2-1-9 shipped yet?") == "Has my parcel 77219 shipped yet?"
    assert for_nlu("where is my package one two three four") == "where is my package 1234"


@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber(threads=2)


def test_a_long_prompt_keeps_its_start(whisper: WhisperTranscriber) -> None:
    prompt = INTENT_PROMPT + " " + " ".join(f"word{n}" for n in range(400))
    tokens = whisper.prompt_tokens(prompt)
    assert len(tokens) == PROMPT_TOKENS
    assert whisper.model.hf_tokenizer.decode(tokens).strip().startswith("Hi! Add two")
