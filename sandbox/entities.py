"""Formatting: turn `parse_mode` text into plain text plus entities, as Telegram does.

Telegram counts length limits *after* entity parsing ("1-4096 characters after entities
parsing"), and refuses malformed markup with "can't parse entities: ...". The emulator must do
the same parsing to enforce both, and it keeps the resulting entities on stored messages so a
test sees what a real client would render. Only Telegram's own HTML subset is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from sandbox.errors import ApiError, bad_request

# tag -> entity type; span and a few others are refined by their attributes below.
_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units by the Bot API (a lone
    surrogate, from JSON's "\\ud83d", is one unit: it is stored as U+FFFD, also one)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass
class Parsed:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    entity: dict[str, Any]
    start: int


class _TelegramHTML(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.chunks: list[str] = []
        self.position = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self) -> int:
        line, col = self.getpos()
        lines = self.source.split("\n")
        index = sum(len(x) + 1 for x in lines[: line - 1]) + col
        return _utf8_len(self.source[:index])

    def _fail(self, reason: str) -> ApiError:
        return bad_request(f"can't parse entities: {reason} at byte offset {self._byte_offset()}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise self._fail(f'Unsupported start tag "{tag}"')
        attributes = {k: v or "" for k, v in attrs}
        entity: dict[str, Any] = {"type": _HTML_TAGS[tag]}
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"')
        if tag == "a":
            href = attributes.get("href", "")
            if not href:
                raise self._fail('Tag "a" must have attribute "href"')
            entity["url"] = href
        if tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id", "")
            if not emoji_id:
                raise self._fail('Tag "tg-emoji" must have attribute "emoji-id"')
            entity["custom_emoji_id"] = emoji_id
        if tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        if tag == "code" and self.stack and self.stack[-1].tag == "pre":
            language = attributes.get("class", "")
            if language.startswith("language-"):
                self.stack[-1].entity["language"] = language.removeprefix("language-")
        self.stack.append(_Open(tag, entity, self.position))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise self._fail(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1].tag != tag:
            raise self._fail(f'Unmatched end tag "{tag}"')
        opened = self.stack.pop()
        length = self.position - opened.start
        if length > 0:
            self.entities.append({**opened.entity, "offset": opened.start, "length": length})

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        self.position += utf16_len(data)

    def handle_comment(self, data: str) -> None:
        raise self._fail("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise self._fail("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise self._fail("Unsupported processing instruction")

    def unknown_decl(self, data: str) -> None:  # <![CDATA[...]]> and other marked sections
        raise self._fail("Unsupported declaration")


def parse_html(source: str) -> Parsed:
    parser = _TelegramHTML(source)
    try:
        parser.feed(source)
        parser.close()
    except AssertionError:  # html.parser's own refusal of a malformed "<![" section
        raise parser._fail('Unsupported start tag "!["') from None
    if parser.stack:
        tag = parser.stack[-1].tag
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
        )
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return Parsed("".join(parser.chunks), entities)


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def check_markdown_v2(source: str) -> Parsed:
    """A deliberately small MarkdownV2 check: reserved characters must be escaped.

    This catches the most common MarkdownV2 bug (an unescaped '.', '-' or '!' in dynamic
    text). Entity markers are accepted and stripped without building entities.
    """
    out: list[str] = []
    i = 0
    markers = {"*", "_", "~", "|", "`", "[", "]", "(", ")", ">"}
    in_link_url = False
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            out.append(source[i + 1])
            i += 2
            continue
        if in_link_url:
            if ch == ")":
                in_link_url = False
            i += 1
            continue
        if ch == "]" and source[i + 1 : i + 2] == "(":
            in_link_url = True
            i += 2
            continue
        if ch in markers:
            i += 1
            continue
        if ch in _MDV2_RESERVED:
            offset = _utf8_len(source[:i])
            raise bad_request(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped with "
                f"the preceding '\\' at byte offset {offset}"
            )
        out.append(ch)
        i += 1
    return Parsed("".join(out))


def parse(text: str, parse_mode: str | None, entities: Any = None) -> Parsed:
    """Plain text and entities for `text` under `parse_mode` (None, HTML, MarkdownV2, Markdown)."""
    mode = (parse_mode or "").lower()
    if entities or not mode:  # Telegram ignores parse_mode when explicit entities are given
        return Parsed(text, list(entities) if isinstance(entities, list) else [])
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return check_markdown_v2(text)
    if mode == "markdown":
        stripped = "".join(ch for ch in text if ch not in "*_`[]")
        return Parsed(stripped)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")
