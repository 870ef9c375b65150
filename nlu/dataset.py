"""Reading the training and test phrases, kept in Rasa's NLU YAML format.

One file feeds both backends: Rasa reads it itself, and this module reads the same file for
the embedded classifier. It accepts only the subset of YAML the format needs (`version`, an
`nlu:` list of `- intent|lookup|synonym|regex: name` items each with an `examples: |` block),
so the embedded backend needs no YAML library; anything else is an error naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Not "data/": the repository's .gitignore hides every folder of that name.
DATA_DIR = Path(__file__).resolve().parent / "data"
TRAINING_FILE = DATA_DIR / "nlu.yml"
TEST_FILE = DATA_DIR / "test_phrases.yml"
CATALOG_FILE = DATA_DIR / "catalog.json"

_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[a-z_]+)\)")
_ITEM = re.compile(r"^- (?P<kind>intent|lookup|synonym|regex):\s*(?P<name>[\w-]+)\s*$")


class DataError(ValueError):
    """The YAML file is outside the subset this reader understands."""


@dataclass(frozen=True)
class Span:
    """An annotated entity: text[start:end] is `value` (as typed) of type `entity`."""

    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # without the [..](..) markup
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class NluData:
    examples: tuple[Example, ...]
    lookups: dict[str, tuple[str, ...]]
    synonyms: dict[str, tuple[str, ...]]

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.intent for e in self.examples))


def parse_annotated(line: str) -> tuple[str, tuple[Span, ...]]:
    """ "add [two](quantity) hoodies" -> ("add two hoodies", (Span("quantity", "two", 4, 7),))."""
    spans: list[Span] = []
    out: list[str] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        out.append(before)
        length += len(before)
        value = match.group("text")
        spans.append(Span(match.group("entity"), value, length, length + len(value)))
        out.append(value)
        length += len(value)
        cursor = match.end()
    out.append(line[cursor:])
    return "".join(out), tuple(spans)


def loads(source: str, origin: str = "<string>") -> NluData:
    examples: list[Example] = []
    lookups: dict[str, tuple[str, ...]] = {}
    synonyms: dict[str, tuple[str, ...]] = {}
    kind = name = ""
    in_block = False
    block: list[str] = []

    def flush() -> None:
        if not kind:
            return
        if kind == "intent":
            for raw in block:
                text, spans = parse_annotated(raw)
                examples.append(Example(name, text, spans))
        elif kind == "lookup":
            lookups[name] = tuple(block)
        elif kind == "synonym":
            synonyms[name] = tuple(block)
        block.clear()

    for number, raw_line in enumerate(source.splitlines(), 1):
        line = raw_line.rstrip()
        stripped = line.strip()
        if in_block and (raw_line.startswith("    ") or not stripped):
            if stripped:
                if not stripped.startswith("- "):
                    raise DataError(f"{origin}:{number}: an example must start with '- '")
                block.append(stripped[2:].strip())
            continue
        in_block = False
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith("version:") or line == "nlu:":
            continue
        item = _ITEM.match(line)
        if item:
            flush()
            kind, name = item.group("kind"), item.group("name")
            continue
        if stripped == "examples: |" and kind:
            in_block = True
            continue
        raise DataError(f"{origin}:{number}: unexpected line {line!r}")
    flush()
    return NluData(tuple(examples), lookups, synonyms)


def load(path: Path = TRAINING_FILE) -> NluData:
    return loads(path.read_text(encoding="utf-8"), str(path))
