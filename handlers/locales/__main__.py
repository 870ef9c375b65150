"""Keep the catalogs complete and sound (see handlers/locales/__init__.py for the layout).

python -m handlers.locales check      every problem, one a line; exit status 1 if any
python -m handlers.locales update     every other catalog brought in line with English
python -m handlers.locales new de     a new catalog to translate, from English
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from string import Formatter

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural

from handlers.locales import (
    REFERENCE,
    ROOT,
    Entry,
    entries,
    languages,
    path,
    read,
    write,
)

PROJECT = ROOT.parent.parent
CODE = ("handlers", "bot")  # where `t(lang, "key", ...)` is called
_TAG = re.compile(r"<(/?)([a-z]+)[^>]*>")
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot);)")
_MINI_PLURAL = re.compile(r"\{[a-z_]+:(?:zero|one|two|few|many|other)=")


def english_note(entry: Entry) -> str:
    """The English of a message as other catalogs carry it (their `#.` comment)."""
    return " | ".join(entry.forms)


def _same_words(comment: list[str], note: str) -> bool:
    return " ".join(" ".join(comment).split()) == " ".join(note.split())


def problems(root: Path = ROOT, code: Path | None = PROJECT) -> Iterator[str]:
    """Everything that would let a reader see a wrong, broken or English-only message."""
    english = entries(read(REFERENCE, root))
    for lang in languages(root):
        catalog = read(lang, root)
        found = entries(catalog)
        for key, entry in found.items():
            yield from (f"{lang}: {key}: {p}" for p in _unsound(entry, catalog.num_plurals))
        if lang == REFERENCE:
            continue
        notes = {_key(m.id): m.auto_comments for m in catalog if m.id}
        for key, reference in english.items():
            if key not in found:
                yield f"{lang}: {key}: missing (run `python -m handlers.locales update`)"
                continue
            entry = found[key]
            if entry.count != reference.count:
                yield f"{lang}: {key}: counts {entry.count!r}, English counts {reference.count!r}"
            if entry.placeholders() != reference.placeholders():
                yield (
                    f"{lang}: {key}: placeholders {sorted(entry.placeholders())}, "
                    f"English has {sorted(reference.placeholders())}"
                )
            if _tags(entry) != _tags(reference):
                yield f"{lang}: {key}: HTML tags {_tags(entry)}, English has {_tags(reference)}"
            if not _same_words(notes.get(key, []), english_note(reference)):
                yield f"{lang}: {key}: the English changed since it was translated"
        for key in found.keys() - english.keys():
            yield f"{lang}: {key}: not in English (run `python -m handlers.locales update`)"
    if code is not None:
        for where, key in keys_in_code(code):
            if key not in english:
                yield f"{where}: key {key!r} is in no catalog"


def _unsound(entry: Entry, plurals: int) -> Iterator[str]:
    if entry.fuzzy:
        yield "fuzzy: to be reviewed (the English is shown until then)"
    if not all(entry.forms):
        yield "not translated (the English is shown until then)"
    if entry.count is not None and len(entry.forms) != plurals:
        yield f"{len(entry.forms)} plural forms, Plural-Forms says {plurals}"
    for form in entry.forms:
        try:
            list(Formatter().parse(form))
        except ValueError as error:
            yield f"not a format string ({error}): {form!r}"
        if _MINI_PLURAL.search(form):
            yield "plural forms go in msgstr[n] (gettext), not in {n:one=…|other=…}"
        if _ENTITY.search(form):
            yield "a bare & (write &amp; in Telegram's HTML)"
        opened: list[str] = []
        for closing, name in _TAG.findall(form):
            if not closing:
                opened.append(name)
            elif not opened or opened.pop() != name:
                yield f"</{name}> closes nothing: {form!r}"
        if opened:
            yield f"<{opened[-1]}> is not closed: {form!r}"


def _tags(entry: Entry) -> list[str]:
    return sorted({name for form in entry.forms for _, name in _TAG.findall(form)})


def keys_in_code(project: Path = PROJECT) -> Iterator[tuple[str, str]]:
    """Every literal key the code passes to `t(lang, key, ...)` (or picks between with
    `a if c else b`), with where; keys made at run time (f"status.{s}") are not seen."""
    for package in CODE:
        for source in sorted((project / package).rglob("*.py")):
            tree = ast.parse(source.read_text(encoding="utf-8"), str(source))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "t"
                    and len(node.args) >= 2
                ):
                    continue
                where = f"{source.relative_to(project)}:{node.lineno}"
                for key in _literals(node.args[1]):
                    yield where, key


def _literals(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def update(root: Path = ROOT) -> list[str]:
    """Each other catalog in English's order: new keys added untranslated, removed keys
    dropped, a plural message given its language's number of forms, the English comment
    refreshed, and a message whose English changed since marked fuzzy."""
    said: list[str] = []
    english = read(REFERENCE, root)
    reference = entries(english)
    sections = {_key(m.id): m.user_comments for m in english if m.id}
    for lang in languages(root):
        if lang == REFERENCE:
            continue
        catalog = read(lang, root)
        before = entries(catalog)
        notes = {_key(m.id): m.auto_comments for m in catalog if m.id}
        for message in list(catalog)[1:]:
            catalog.delete(message.id, message.context)
        for key, source in reference.items():
            old = before.get(key)
            note = english_note(source)
            forms: tuple[str, ...]
            fuzzy = False
            if old is None:
                said.append(f"{lang}: {key}: added, to translate")
                forms = ("",) * (catalog.num_plurals if source.count else 1)
            elif (old.count is None) != (source.count is None):
                said.append(f"{lang}: {key}: plural or not changed, to translate again")
                forms = ("",) * (catalog.num_plurals if source.count else 1)
            else:
                forms, fuzzy = old.forms, old.fuzzy
                if old.usable and not _same_words(notes.get(key, []), note):
                    said.append(f"{lang}: {key}: the English changed, marked fuzzy")
                    fuzzy = True
            catalog.add(
                (key, source.count) if source.count else key,
                forms if source.count else forms[0],
                auto_comments=note.split("\n"),
                user_comments=sections.get(key, []),
                flags=("fuzzy",) if fuzzy else (),
            )
        said += [
            f"{lang}: {key}: no longer in English, dropped"
            for key in before.keys() - reference.keys()
        ]
        write(catalog, lang, root)
    return said


def new(lang: str, root: Path = ROOT) -> Path:
    """A catalog for `lang`, every message empty, its Plural-Forms from CLDR (Babel)."""
    Locale.parse(lang)  # an unknown language code stops here
    if path(lang, root).exists():
        raise FileExistsError(path(lang, root))
    english = read(REFERENCE, root)
    plurals = get_plural(lang)  # as the new Catalog takes them from the locale
    name = Locale.parse(lang).get_display_name("en")
    catalog = Catalog(
        locale=lang,
        domain=english.domain,
        project=english.project,
        version=english.version,
        header_comment=(
            f"# {name}: the marketplace bot's words.\n#\n"
            "# Each msgid is a key the code asks for, and msgstr its text; the #.\n"
            "# comment above is the English it translates. A plural entry's\n"
            "# msgid_plural names the parameter that counts.\n"
            "# See handlers/locales/__init__.py.\n#"
        ),
        msgid_bugs_address=english.msgid_bugs_address,
        last_translator=english.last_translator,
        language_team=english.language_team,
        fuzzy=False,
    )
    for key, source in entries(english).items():
        catalog.add(
            (key, source.count) if source.count else key,
            ("",) * plurals.num_plurals if source.count else "",
            auto_comments=english_note(source).split("\n"),
        )
    write(catalog, lang, root)
    update(root)  # the section comments, as in every catalog
    return path(lang, root)


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def main(argv: list[str]) -> int:
    match argv:
        case ["check"]:
            found = list(problems())
            print("\n".join(found) or f"{', '.join(languages())}: complete and sound")
            return 1 if found else 0
        case ["update"]:
            print("\n".join(update()) or "every catalog was up to date")
            return 0
        case ["new", lang]:
            try:
                print(f"{new(lang)}: translate every msgstr, then `check`")
            except (UnknownLocaleError, ValueError, FileExistsError) as error:
                print(f"no new catalog: {error}", file=sys.stderr)
                return 2
            return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
