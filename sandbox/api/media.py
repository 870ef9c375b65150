"""Photos, documents, voice notes, albums and getFile: Telegram's file bookkeeping.

An uploaded file gets a file_id (reusable in later calls), a file_unique_id (stable for the
same bytes) and a file_path served under /file/bot<token>/<path>, as on Telegram.
"""

from __future__ import annotations

import io
import secrets
from typing import Any

from PIL import Image, UnidentifiedImageError

from sandbox.api import chat_for, handles
from sandbox.api.messages import caption_fields, send_bot_message
from sandbox.errors import bad_request
from sandbox.state import State, StoredFile
from sandbox.validation import Call, Upload

MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024


def resolve_file(
    state: State, value: Any, uploads: dict[str, Upload], folder: str, extension: str
) -> tuple[StoredFile, str]:
    """A stored file and its file name for an upload, attach:// reference, file_id or URL."""
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in uploads:
            raise bad_request(f'file "{name}" referenced by attach:// was not sent')
        value = uploads[name]
    if isinstance(value, Upload):
        limit = MAX_PHOTO_UPLOAD if folder == "photos" else MAX_UPLOAD
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > limit:
            raise bad_request("file is too big")
        return state.store_file(value.data, folder, extension), value.filename
    if isinstance(value, str) and value in state.files:
        return state.files[value], value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        # The emulator cannot fetch the internet: it keeps the URL as the file's content.
        return state.store_file(value.encode(), folder, extension), value.rsplit("/", 1)[-1]
    raise bad_request("wrong file identifier/HTTP URL specified")


# Telegram keeps a photo as JPEGs that fit these boxes (its "s", "m", "x", "y" and "w" sizes):
# every box smaller than the picture, and the picture itself, at most 2560 on its long side.
PHOTO_BOXES = (90, 320, 800, 1280, 2560)
JPEG_QUALITY = 87


def photo_sizes(state: State, stored: StoredFile, *, reencode: bool = True) -> list[dict[str, Any]]:
    """The PhotoSize list of an uploaded picture, smallest first, as Telegram makes it: the
    image re-encoded to JPEG (transparency on white) in every size box smaller than it.
    `reencode=False` keeps the file itself as the largest size (stickers). A photo sent
    again (by any of its file_ids, or the same bytes) is the very same set of sizes."""
    if reencode and stored.file_id in state.photo_sets:
        return state.photo_sets[stored.file_id]
    try:
        with Image.open(io.BytesIO(stored.data)) as image:
            image.load()
            rgb = image.convert("RGBA") if image.mode in ("RGBA", "LA", "P") else image
            if rgb.mode == "RGBA":
                flat = Image.new("RGB", rgb.size, (255, 255, 255))
                flat.paste(rgb, mask=rgb.getchannel("A"))
                rgb = flat
            rgb = rgb.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        if stored.data.startswith(b"http"):
            return [{**_photo(stored), "width": 1280, "height": 1280}]
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    width, height = rgb.size
    longest = max(width, height)
    sizes = [_jpeg(state, _fit(rgb, box)) for box in PHOTO_BOXES[:-1] if longest > box]
    if not reencode:
        return [*sizes, {**_photo(stored), "width": width, "height": height}]
    last = PHOTO_BOXES[-1]
    sizes.append(_jpeg(state, rgb if longest <= last else _fit(rgb, last)))
    for file_id in (stored.file_id, *(size["file_id"] for size in sizes)):
        state.photo_sets.setdefault(file_id, sizes)
    return sizes


def _fit(image: Image.Image, box: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((box, box), Image.Resampling.LANCZOS)
    return copy


def _jpeg(state: State, image: Image.Image) -> dict[str, Any]:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    stored = state.store_file(buffer.getvalue(), "photos", "jpg")
    return {**_photo(stored), "width": image.width, "height": image.height}


def _photo(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }


def document(stored: StoredFile, filename: str, mime: str | None = None) -> dict[str, Any]:
    return {
        **_photo(stored),
        "file_name": filename,
        "mime_type": mime or "application/octet-stream",
    }


def voice(stored: StoredFile, duration: int) -> dict[str, Any]:
    return {**_photo(stored), "duration": duration, "mime_type": "audio/ogg"}


def _captioned(p: dict[str, Any]) -> dict[str, Any]:
    return caption_fields(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))


@handles("sendPhoto")
async def send_photo(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    stored, _ = resolve_file(state, p["photo"], call.uploads, "photos", "jpg")
    return await send_bot_message(state, chat, p, photo=photo_sizes(state, stored), **_captioned(p))


@handles("sendDocument")
async def send_document(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    stored, filename = resolve_file(state, p["document"], call.uploads, "documents", "bin")
    return await send_bot_message(
        state, chat, p, document=document(stored, filename), **_captioned(p)
    )


@handles("sendVoice")
async def send_voice(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    stored, _ = resolve_file(state, p["voice"], call.uploads, "voice", "oga")
    return await send_bot_message(
        state, chat, p, voice=voice(stored, int(p.get("duration") or 1)), **_captioned(p)
    )


@handles("sendMediaGroup")
async def send_media_group(state: State, call: Call) -> Any:
    p = call.params
    chat = chat_for(state, p["chat_id"])
    media = p["media"]
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the album: must be 2-10")
    kinds = {item.get("type") for item in media}
    if not kinds <= {"photo", "document"}:
        raise bad_request(f"media types {sorted(kinds)} are not supported by the sandbox")
    if len(kinds) > 1:
        raise bad_request("documents can't be mixed with other media types in an album")
    group = str(secrets.randbits(60))
    prepared = []
    for item in media:  # resolve all files first: a bad item must not half-send the album
        if item["type"] == "photo":
            stored, _ = resolve_file(state, item["media"], call.uploads, "photos", "jpg")
            content: dict[str, Any] = {"photo": photo_sizes(state, stored)}
        else:
            stored, name = resolve_file(state, item["media"], call.uploads, "documents", "bin")
            content = {"document": document(stored, name)}
        caption = caption_fields(
            item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
        )
        prepared.append({**content, **caption})
    return [
        await send_bot_message(state, chat, p, media_group_id=group, **content)
        for content in prepared
    ]


@handles("getFile")
async def get_file(state: State, call: Call) -> Any:
    stored = state.files.get(str(call.params["file_id"]))
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.as_file()
