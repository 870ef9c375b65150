"""Voice-note figures: `.venv/bin/python -m bench.voice` prints one table.

On generated voice notes (espeak-ng voices en-us, en+f3, en-us+m3 at 150-170 wpm, OGG/Opus
48 kHz, each clean and with white noise at 10 dB SNR), for whisper (bundled tiny.en, int8,
2 threads) and pocketsphinx (shop language model), in this process:

- real-time factor: transcription time / audio length (target <= 0.25), beside the decode
  alone (OGG/Opus -> 16 kHz) as the baseline;
- latency of a ~3-second note through decode + transcribe + parse (target <= 1.5 s), beside
  parsing the same sentence typed;
- "intent + entities right": the heard text parses to the intent and the entities (normalised:
  catalog ids, numbers, codes) of the typed sentence, beside the typed sentences' own rate
  against their annotations.

Figures are medians (p95 for latency) over all notes; `--quick` uses the clean notes only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Row, info, limit, memory_mb
from nlu.backends import EmbeddedBackend, load_catalog
from nlu.speech import Transcriber
from nlu.speech.audio import decode
from nlu.speech.sphinx import PocketsphinxTranscriber
from nlu.speech.testaudio import NOISY_SNR_DB, SPEEDS, VOICES, voice_note
from nlu.speech.vocabulary import build
from nlu.speech.whisper import WhisperTranscriber
from nlu.types import Context

#: (what is said, the intent it means); entities are checked against the typed sentence.
PHRASES = (
    ("add two red hoodies to my cart", "add_to_cart"),
    ("put a kettlebell in my basket", "add_to_cart"),
    ("remove the french press from my cart", "remove_from_cart"),
    ("what is in my cart", "view_cart"),
    ("show me running shoes under fifty dollars", "search"),
    ("apply coupon save ten", "apply_coupon"),
    ("where is my order one zero four two", "track_order"),
    ("cancel my order", "cancel_order"),
    ("show my wishlist", "view_wishlist"),
    ("i want to check out", "checkout"),
    ("book me a flight to paris tomorrow", "out_of_scope"),
    ("what is the weather like today", "out_of_scope"),
)


@dataclass
class Figures:
    rtf: list[float] = field(default_factory=list)
    decode_rtf: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)  # ~3 s notes only
    right: int = 0
    total: int = 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class Results:
    whisper: Figures
    sphinx: Figures
    typed_p95: float
    typed_rate: float
    notes: int


async def measure(quick: bool) -> Results:
    catalog = load_catalog()
    vocabulary = build(catalog)
    nlu = EmbeddedBackend(catalog)
    expected = {}
    typed_right, typed_times = 0, []
    for text, intent in PHRASES:
        parsed = await nlu.parse(text, Context())  # warm, and the reference entities
        started = time.perf_counter()
        parsed = await nlu.parse(text, Context())
        typed_times.append(time.perf_counter() - started)
        expected[text] = (intent, parsed.entities.normalized())
        typed_right += parsed.name == intent

    notes = []
    for text, _ in PHRASES:
        for n, voice in enumerate(VOICES):
            wpm = SPEEDS[n % len(SPEEDS)]
            notes.append((text, voice_note(text, voice, wpm)))
            if not quick:
                notes.append((text, voice_note(text, voice, wpm, snr_db=NOISY_SNR_DB, seed=n)))

    engines: dict[str, Transcriber] = {
        "whisper": WhisperTranscriber(threads=2),
        "pocketsphinx": PocketsphinxTranscriber(vocabulary),
    }
    results: dict[str, Figures] = {}
    for name, engine in engines.items():
        figures = results[name] = Figures()
        engine.transcribe(decode(notes[0][1]), vocabulary)  # warm up
        for text, ogg in notes:
            started = time.perf_counter()
            audio = decode(ogg)
            decoded = time.perf_counter()
            heard = engine.transcribe(audio, vocabulary)
            transcribed = time.perf_counter()
            parsed = await nlu.parse(heard.text, Context())
            finished = time.perf_counter()
            figures.decode_rtf.append((decoded - started) / audio.seconds)
            figures.rtf.append((transcribed - decoded) / audio.seconds)
            if 2.0 <= audio.seconds <= 4.0:
                figures.latency.append(finished - started)
            intent, entities = expected[text]
            acted = heard.trusted or intent == "out_of_scope"
            figures.right += (
                acted and parsed.name == intent and parsed.entities.normalized() == entities
            )
            figures.total += 1

    return Results(
        results["whisper"],
        results["pocketsphinx"],
        _p95(typed_times),
        typed_right / len(PHRASES),
        len(notes),
    )


async def rows(quick: bool = True) -> list[Row]:
    """The voice figures as rows of `make bench`'s one table (clean notes: a few minutes less;
    `python -m bench.voice` measures the noisy ones too), and the bot's memory with voice."""
    r = await measure(quick)
    decode_rtf = statistics.median(r.whisper.decode_rtf + r.sphinx.decode_rtf)
    out = []
    for name, f in (("whisper", r.whisper), ("pocketsphinx", r.sphinx)):
        out += [
            limit(
                f"voice: {name} real-time factor (median)",
                statistics.median(f.rtf),
                "×",
                0.25,
                decode_rtf,
                "decode only",
            ),
            limit(
                f"voice: {name} 3-s note answered, p95",
                _p95(f.latency),
                "s",
                1.5,
                r.typed_p95,
                "typed parse",
            ),
            info(
                f"voice: {name} intent + entities right",
                100 * f.right / f.total,
                "%",
                100 * r.typed_rate,
                "typed",
            ),
        ]
    idle, heard = await bot_memory_with_voice()
    out += [
        limit("peak RSS of the bot with voice (whisper), idle", idle, "MB", 600),
        limit("peak RSS of the bot with voice, after a note", heard, "MB", 600),
    ]
    return out


def _tree_peak_mb(pid: int) -> float:
    """Peak RSS of a process and its children (the transcription workers) together."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            total += memory_mb(current)[1]
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending += [int(c) for c in children]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


async def bot_memory_with_voice() -> tuple[float, float]:
    """The real bot with VOICE_BACKEND=whisper: peak RSS (with its worker processes) once it
    answers, and after it has heard one voice note."""
    from bench.updates import ADMIN_ID, TOKEN, _ready, bot_process, prepare
    from sandbox import Emulator
    from sandbox.personas import Persona

    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        home = Path(tmp)
        database_url = f"sqlite+aiosqlite:///{home / 'shop.db'}"
        await prepare(home, database_url)
        voice = {"VOICE_BACKEND": "whisper", "VOICE_WORKERS": "1"}
        async with (
            Emulator(token=TOKEN, callback_timeout=30, use_env_spec=False) as tg,
            bot_process("shop", "polling", tg, home, database_url, voice) as (process, log),
        ):
            tg.add_persona(Persona(id=ADMIN_ID, first_name="Demo", role_label="admin"))
            probe = tg.user("Probe")

            async def started() -> str:
                await probe.send("/start")
                await probe.expect_message("Welcome", timeout=120)
                return "ok"

            await _ready(process, log, started())
            await asyncio.sleep(2.0)
            idle = _tree_peak_mb(process.pid)
            await probe.send_voice(voice_note("what is in my cart", VOICES[0], 160), duration=2)
            await probe.expect_message("🎙", timeout=120)
            return idle, _tree_peak_mb(process.pid)


async def run(quick: bool) -> None:
    r = await measure(quick)
    typed_p95, typed_rate = r.typed_p95, r.typed_rate
    rows = [("metric", "whisper", "pocketsphinx", "baseline", "ratio (whisper, sphinx)")]
    w, s = r.whisper, r.sphinx
    decode_rtf = statistics.median(w.decode_rtf + s.decode_rtf)
    w_rtf, s_rtf = statistics.median(w.rtf), statistics.median(s.rtf)
    rows.append(
        (
            "real-time factor (median)",
            f"{w_rtf:.3f}",
            f"{s_rtf:.3f}",
            f"{decode_rtf:.4f} decode only",
            f"{w_rtf / decode_rtf:.0f}x, {s_rtf / decode_rtf:.0f}x",
        )
    )
    rows.append(
        (
            "3-s note: decode+transcribe+parse p95",
            f"{_p95(w.latency):.3f} s",
            f"{_p95(s.latency):.3f} s",
            f"{typed_p95 * 1000:.2f} ms typed parse",
            f"{_p95(w.latency) / typed_p95:.0f}x, {_p95(s.latency) / typed_p95:.0f}x",
        )
    )
    rows.append(
        (
            "intent + entities right",
            f"{w.right / w.total:.1%} ({w.right}/{w.total})",
            f"{s.right / s.total:.1%} ({s.right}/{s.total})",
            f"{typed_rate:.1%} typed",
            f"{w.right / w.total / typed_rate:.2f}, {s.right / s.total / typed_rate:.2f}",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    kind = "clean" if quick else "clean + 10 dB SNR"
    print(f"voice notes: {r.notes} ({len(PHRASES)} sentences x {len(VOICES)} voices, {kind})")
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.voice", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="clean notes only")
    asyncio.run(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
