"""Voice notes as Telegram's clients send them: OGG/Opus, 48 kHz mono, with their duration.

A browser's MediaRecorder records WebM (Chromium) or OGG (Firefox); an attached file may be
WAV or MP3. Telegram's apps encode every voice note to OGG/Opus before sending it, so the bot
only ever sees that. The web chat does the same here: PyAV when it is installed (it comes with
the voice extras, `pip install -e '.[voice]'`), else the `ffmpeg` command line.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass

RATE = 48_000
BITRATE = 32_000
FFMPEG_TIMEOUT = 60.0


class NotConvertible(ValueError):
    """The bytes are not audio, or nothing here can convert them (the reason says which)."""


@dataclass(frozen=True)
class VoiceNote:
    data: bytes  # OGG/Opus
    duration: int  # whole seconds, at least 1, as in Voice.duration
    mime_type: str = "audio/ogg"


def _seconds(samples: int) -> int:
    return max(1, int(samples / RATE + 0.5))  # to the nearest second, as the apps show it


def _with_pyav(data: bytes) -> VoiceNote:
    import av
    import av.error

    out = io.BytesIO()
    samples = 0
    try:
        with av.open(io.BytesIO(data), mode="r") as source:
            if not source.streams.audio:
                raise NotConvertible("no audio stream in the file")
            stream_in = source.streams.audio[0]
            with av.open(out, mode="w", format="ogg") as target:
                stream_out = target.add_stream("libopus", rate=RATE, layout="mono")
                stream_out.bit_rate = BITRATE
                resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
                for frame in source.decode(stream_in):
                    for chunk in resampler.resample(frame):
                        samples += chunk.samples
                        target.mux(stream_out.encode(chunk))
                for chunk in resampler.resample(None):
                    samples += chunk.samples
                    target.mux(stream_out.encode(chunk))
                target.mux(stream_out.encode(None))
    except av.error.FFmpegError as exc:
        raise NotConvertible(f"not audio the sandbox can read ({exc})") from None
    if samples == 0:
        raise NotConvertible("the recording is empty")
    return VoiceNote(out.getvalue(), _seconds(samples))


def _with_ffmpeg(ffmpeg: str, data: bytes) -> VoiceNote:
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-vn", "-ac", "1"]
    command += ["-ar", str(RATE), "-c:a", "libopus", "-b:a", str(BITRATE), "-f", "ogg", "pipe:1"]
    done = subprocess.run(  # noqa: S603 - fixed arguments, data on stdin
        command, input=data, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False
    )
    if done.returncode != 0 or not done.stdout:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise NotConvertible(f"not audio the sandbox can read ({why[-1] if why else 'ffmpeg'})")
    # the duration: decode once more to raw samples (ffmpeg's own count, no probe to parse)
    pcm = subprocess.run(  # noqa: S603
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            "pipe:0",
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "pipe:1",
        ],
        input=done.stdout,
        capture_output=True,
        timeout=FFMPEG_TIMEOUT,
        check=False,
    )
    return VoiceNote(done.stdout, _seconds(len(pcm.stdout) // 2))


def to_voice_note(data: bytes) -> VoiceNote:
    """Any audio a browser records or a user attaches -> an OGG/Opus voice note."""
    try:
        import av  # noqa: F401
    except ImportError:
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise NotConvertible(
                "turning a recording into OGG/Opus needs PyAV (pip install -e '.[voice]') "
                "or ffmpeg (apt-get install ffmpeg)"
            ) from None
        return _with_ffmpeg(ffmpeg, data)
    return _with_pyav(data)


__all__ = ["NotConvertible", "VoiceNote", "to_voice_note"]
