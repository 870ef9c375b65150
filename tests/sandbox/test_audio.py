"""The web chat's voice notes: any recording becomes OGG/Opus with its measured duration,
by PyAV or, where PyAV is missing, by the ffmpeg command (both are tried here)."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable

import pytest
import soundfile

from sandbox import audio
from tests.sandbox.conftest import recording


def _ffmpeg(data: bytes) -> audio.VoiceNote:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg is missing under CI (.ci/run installs it)")
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg)")
    return audio._with_ffmpeg(ffmpeg, data)


CONVERTERS: dict[str, Callable[[bytes], audio.VoiceNote]] = {
    "pyav": audio._with_pyav,
    "ffmpeg": _ffmpeg,
}


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    ("container", "codec", "seconds", "duration"),
    [("webm", "libopus", 2.6, 3), ("wav", "pcm_s16le", 1.2, 1), ("ogg", "libopus", 0.3, 1)],
)
def test_a_recording_becomes_an_ogg_opus_voice_note(
    converter: str, container: str, codec: str, seconds: float, duration: int
) -> None:
    note = CONVERTERS[converter](recording(seconds, container, codec))
    assert note.mime_type == "audio/ogg"
    assert note.data.startswith(b"OggS")
    assert b"OpusHead" in note.data[:200]
    assert note.duration == duration
    samples, rate = soundfile.read(io.BytesIO(note.data))  # what the bot's decoder reads
    assert abs(len(samples) / rate - seconds) < 0.05


@pytest.mark.parametrize("converter", CONVERTERS)
def test_what_is_not_audio_is_refused(converter: str) -> None:
    with pytest.raises(audio.NotConvertible, match="not audio"):
        CONVERTERS[converter](b"RIFF\x00\x00\x00\x00WAVEnot really")
