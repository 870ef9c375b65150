"""Product photos for the page, and photos sellers upload from their device.

A photo is a file under MEDIA_DIR (the demo's, or an upload), a web address, or only a
Telegram file id (sent in the chat); the last is fetched once through the Bot API
(`getFile`) and kept under MEDIA_DIR/telegram/. Photos are as public as the catalog, so this
is the one API path a browser reads without initData (an <img> sends no headers).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path

from aiohttp import web

from engine.catalog import ImageView
from engine.errors import InvalidInput, NotFound
from handlers.webapp.context import context

log = logging.getLogger(__name__)

UPLOADS = "uploads"  # under MEDIA_DIR: photos sellers sent from the Mini App
FROM_TELEGRAM = "telegram"  # under MEDIA_DIR: copies of photos sent in the chat
MAX_PHOTO_BYTES = 5 * 1024 * 1024
KINDS = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png", b"RIFF": ".webp", b"GIF8": ".gif"}
CACHE = {"Cache-Control": "public, max-age=86400"}


def inside(media_dir: Path, relative: str) -> Path | None:
    """`relative` as a file under `media_dir`, or None when it would leave it."""
    root = media_dir.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


async def photo(request: web.Request) -> web.StreamResponse:
    app = context(request)
    media_dir = app.config.media_dir
    try:
        image_id = int(request.match_info["image_id"])
        image = await app.shop.catalog.image(image_id)
    except (ValueError, NotFound):
        raise web.HTTPNotFound() from None
    if image.url and image.url.startswith(("http://", "https://")):
        raise web.HTTPFound(image.url)
    local = inside(media_dir, image.url) if image.url else None
    if local is None and image.telegram_file_id:
        local = await _from_telegram(request, image)
    if local is None:
        raise web.HTTPNotFound()
    return web.FileResponse(local, headers=CACHE)


async def _from_telegram(request: web.Request, image: ImageView) -> Path | None:
    """A photo sent in the chat, downloaded once through the Bot API and kept on disk."""
    app = context(request)
    assert image.telegram_file_id is not None
    name = hashlib.sha256(image.telegram_file_id.encode()).hexdigest()[:32] + ".jpg"
    path = app.config.media_dir / FROM_TELEGRAM / name
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{uuid.uuid4().hex}.part")
    try:
        found = await app.bot.get_file(image.telegram_file_id)
        if not found.file_path:
            return None
        await app.bot.download_file(found.file_path, partial)
        partial.replace(path)
    except Exception:  # Telegram down, or the file is gone: no picture, not an error page
        log.warning("could not fetch photo %s from Telegram", image.image_id, exc_info=True)
        partial.unlink(missing_ok=True)
        return None
    return path


def save_upload(media_dir: Path, data: bytes) -> str:
    """Keep an uploaded photo under MEDIA_DIR/uploads/; its path relative to MEDIA_DIR (what
    the product's image row records). Only JPEG, PNG, WebP and GIF, up to 5 MB."""
    if not data or len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(field="photo", rule="size", max=MAX_PHOTO_BYTES)
    suffix = next((s for magic, s in KINDS.items() if data.startswith(magic)), None)
    if suffix is None:
        raise InvalidInput(field="photo", rule="format")
    relative = f"{UPLOADS}/{uuid.uuid4().hex}{suffix}"
    target = media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative


def routes() -> list[web.RouteDef]:
    return [web.get("/api/media/{image_id}", photo, name="media")]
