"""The message catalogs: one gettext catalog per language, read and written with Babel.

    handlers/locales/en/LC_MESSAGES/messages.po    English, the reference
    handlers/locales/es/LC_MESSAGES/messages.po    Spanish

They are *monolingual* catalogs (Weblate's name for them): each msgid is the key the code
asks for (`t(lang, "cart.title")`), and msgstr is that language's text. Every key used
anywhere is in English's file. Parameters are written as `str.format` writes them,
`{name}`. A message that counts something is a plural entry whose msgid_plural names the
parameter that counts, with one msgstr per form of the file's Plural-Forms; gettext's
`ngettext` picks the form for the number:

    msgid "cart.clear.ask"
    msgid_plural "count"
    msgstr[0] "Empty the cart? {count} item"
    msgstr[1] "Empty the cart? {count} items"

Another language's file carries each message's English text as an extracted comment (`#.`),
written by `python -m handlers.locales update`: the translator sees what to translate, and
the tool sees when the English has changed since and marks the message fuzzy. A fuzzy or
empty message is not used: the reader gets the English until someone reviews it.

Nothing is compiled ahead of time. handlers/i18n.py compiles a .po file into an in-memory
.mo (Babel's `write_mo`, read by gettext's `GNUTranslations`) the first time the bot speaks
that language, so a fresh clone runs and tests with no build step and no .mo to go stale.

    python -m handlers.locales check      (make i18n-check) every catalog complete and sound
    python -m handlers.locales update     (make i18n-update) English comments refreshed, new
                                          keys added, removed keys dropped
    python -m handlers.locales new de     (make i18n-new CODE=de) a catalog to translate
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).parent
DOMAIN = "messages"
REFERENCE = "en"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}")


def path(lang: str, root: Path = ROOT) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(root: Path = ROOT) -> tuple[str, ...]:
    """The languages that have a catalog, English first."""
    found = sorted(p.name for p in root.iterdir() if path(p.name, root).is_file())
    return tuple(sorted(found, key=lambda lang: lang != REFERENCE))


def read(lang: str, root: Path = ROOT) -> Catalog:
    with path(lang, root).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN, abort_invalid=True)


def write(catalog: Catalog, lang: str, root: Path = ROOT) -> None:
    target = path(lang, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as po:
        write_po(po, catalog, width=76, no_location=True, omit_header=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """One message of a catalog: its text, or its plural forms and the parameter counted."""

    key: str
    forms: tuple[str, ...]  # one text; or one per plural form, in Plural-Forms' order
    count: str | None  # the parameter whose number picks the form (plural messages only)
    fuzzy: bool

    @property
    def usable(self) -> bool:
        """Translated and reviewed: what the bot may say (else it says the English)."""
        return not self.fuzzy and all(self.forms)

    def placeholders(self) -> set[str]:
        return {name for form in self.forms for name in PLACEHOLDER.findall(form)}


def entries(catalog: Catalog) -> dict[str, Entry]:
    """The catalog's messages by key, in the file's order (the header left out)."""
    found: dict[str, Entry] = {}
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            key, count = str(message.id[0]), str(message.id[1])
            strings = message.string if isinstance(message.string, tuple | list) else ()
            forms = tuple(str(s) for s in strings)
            found[key] = Entry(key, forms, count, message.fuzzy)
        else:
            text = str(message.string or "")
            found[message.id] = Entry(message.id, (text,), None, message.fuzzy)
    return found
