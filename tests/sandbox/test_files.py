"""Files: multipart uploads with attach://, file ids, getFile and /file/bot downloads."""

from __future__ import annotations

import io
import json

import aiohttp
from PIL import Image

from sandbox import Emulator
from tests.sandbox.conftest import Raw, png


async def upload(
    http: aiohttp.ClientSession,
    tg: Emulator,
    method: str,
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes]],
) -> dict[str, object]:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    for key, (filename, data) in files.items():
        form.add_field(key, data, filename=filename)
    async with http.post(f"{tg.api_url}/{method}", data=form) as response:
        body = await response.json()
    assert body["ok"], body
    return dict(body)


async def test_photo_by_attach_then_download(
    http: aiohttp.ClientSession, raw: Raw, tg: Emulator
) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    image = png(320, 200)
    body = await upload(
        http,
        tg,
        "sendPhoto",
        {"chat_id": str(alice.id), "photo": "attach://pic", "caption": "Hoodie"},
        {"pic": ("hoodie.png", image)},
    )
    sizes = body["result"]["photo"]  # type: ignore[index]
    # re-encoded to JPEG, as Telegram does, in every size box smaller than the picture
    assert [(s["width"], s["height"]) for s in sizes] == [(90, 56), (320, 200)]
    for size in sizes:
        file = await raw.ok("getFile", file_id=size["file_id"])
        assert file["file_path"].endswith(".jpg")
        url = f"{tg.base_url}/file/bot{tg.token}/{file['file_path']}"
        async with http.get(url) as response:
            assert response.status == 200
            data = await response.read()
        assert file["file_size"] == size["file_size"] == len(data)
        with Image.open(io.BytesIO(data)) as picture:
            assert (picture.format, picture.size) == ("JPEG", (size["width"], size["height"]))
    async with http.get(f"{tg.base_url}/file/botWRONG/{file['file_path']}") as response:
        assert response.status == 401
    again = await raw.ok("sendPhoto", chat_id=alice.id, photo=sizes[-1]["file_id"])
    assert again["photo"] == sizes  # a file_id sends the same photo, not a re-encoded copy
    shown = await alice.expect_message("Hoodie")
    assert shown.photo is not None


async def test_part_named_like_the_parameter(http: aiohttp.ClientSession, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    body = await upload(
        http, tg, "sendDocument", {"chat_id": str(alice.id)}, {"document": ("list.csv", b"a,b\n")}
    )
    assert body["result"]["document"]["file_name"] == "list.csv"  # type: ignore[index]


async def test_media_group_and_voice(http: aiohttp.ClientSession, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    media = [
        {"type": "photo", "media": "attach://a", "caption": "front"},
        {"type": "photo", "media": "attach://b"},
    ]
    body = await upload(
        http,
        tg,
        "sendMediaGroup",
        {"chat_id": str(alice.id), "media": json.dumps(media)},
        {"a": ("a.png", png(10, 10)), "b": ("b.png", png(20, 20))},
    )
    messages = body["result"]
    assert isinstance(messages, list)
    assert len(messages) == 2
    assert messages[0]["media_group_id"] == messages[1]["media_group_id"]
    voice = await upload(
        http,
        tg,
        "sendVoice",
        {"chat_id": str(alice.id), "voice": "attach://v"},
        {"v": ("v.ogg", b"OggS fake")},
    )
    assert voice["result"]["voice"]["mime_type"] == "audio/ogg"  # type: ignore[index]


async def test_missing_attachment_and_non_image(http: aiohttp.ClientSession, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("photo", "attach://nothing")
    async with http.post(f"{tg.api_url}/sendPhoto", data=form) as response:
        assert response.status == 400
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("photo", "attach://p")
    form.add_field("p", b"not an image", filename="p.png")
    async with http.post(f"{tg.api_url}/sendPhoto", data=form) as response:
        assert "IMAGE_PROCESS_FAILED" in (await response.json())["description"]


async def test_user_photo_and_voice_reach_the_bot(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await alice.send_photo(png(), caption="is this in stock?")
    await alice.send_voice(b"OggS voice", duration=3)
    updates = await raw.ok("getUpdates")
    photo, voice = updates[0]["message"], updates[1]["message"]
    assert photo["caption"] == "is this in stock?"
    assert voice["voice"]["duration"] == 3
    file = await raw.ok("getFile", file_id=voice["voice"]["file_id"])
    assert file["file_size"] == len(b"OggS voice")


async def test_a_big_photo_gets_telegrams_sizes(raw: Raw, tg: Emulator) -> None:
    alice = tg.user("Alice")
    await alice.send("/start")
    buffer = io.BytesIO()
    Image.new("RGBA", (3000, 1500), (10, 200, 30, 128)).save(buffer, "PNG")
    sent = await alice.send_photo(buffer.getvalue())
    sizes = [(s["width"], s["height"]) for s in sent["photo"]]
    assert sizes == [(90, 45), (320, 160), (800, 400), (1280, 640), (2560, 1280)]
    largest = tg.state.files[sent["photo"][-1]["file_id"]]
    assert largest.data[:3] == b"\xff\xd8\xff"
