"""Voice notes -> text for the nlu layer: decode Telegram's OGG/Opus in-process (soundfile +
soxr), transcribe offline (faster-whisper with a bundled tiny.en model, or pocketsphinx), in a
pool of worker processes. See docs/nlu.md, "Voice".

Importing this package is cheap: the audio libraries and the recognisers load in the workers
(or on first use of `nlu.speech.audio`, `.whisper`, `.sphinx`, `.tts`).
"""

from nlu.speech.pool import BACKENDS, Recipe, SpeechPool, Transcriber
from nlu.speech.types import NotAudio, Silent, TooLong, Transcript, Vocabulary, VoiceRefused

__all__ = [
    "BACKENDS",
    "NotAudio",
    "Recipe",
    "Silent",
    "SpeechPool",
    "TooLong",
    "Transcriber",
    "Transcript",
    "Vocabulary",
    "VoiceRefused",
]
