"""The demo shop's pictures, drawn with Pillow: each product in its named colour, and the
stores' logos.

A "Navy Cotton Tee" is a navy T-shirt seen from the front, from the back and close up; an
"Olive Wireless Headphones" is olive headphones and a close-up. Everything is computed from
the product's name (no randomness), so a seeded shop always gets the same pictures.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

SIZE = 480
BACKGROUND = (228, 233, 239)
INK = (52, 58, 64)
# The demo's colour names and what they look like.
PALETTE: dict[str, tuple[int, int, int]] = {
    "Red": (200, 32, 38),
    "Navy": (26, 36, 98),
    "Black": (30, 30, 32),
    "Olive": (112, 116, 38),
    "Sand": (206, 186, 136),
    "Grey": (134, 134, 138),
    "White": (250, 250, 248),
    "Teal": (0, 128, 128),
}
BOOK_COLOURS = ((150, 40, 50), (30, 70, 120), (40, 100, 70))  # Hardcover, Paperback, Large

RGB = tuple[int, int, int]
Shape = Callable[[ImageDraw.ImageDraw, RGB, RGB, bool], None]  # draw, fill, line, back view


@dataclass(frozen=True)
class View:
    name: str  # "front", "back", "detail", ...
    relative: str  # the file, relative to the media directory
    alt_text: str


def colour_of(name: str, fallback: int = 0) -> RGB:
    """The colour a product's name starts with ("Navy Cotton Tee" -> navy)."""
    first = name.split(" ", 1)[0]
    if first in PALETTE:
        return PALETTE[first]
    return BOOK_COLOURS[fallback % len(BOOK_COLOURS)]


def _shade(colour: RGB, factor: float) -> RGB:
    """The colour darker (factor < 1) or lighter (> 1): shadows and folds."""
    r, g, b = (min(255, int(c * factor)) for c in colour)
    return (r, g, b)


def _outline(colour: RGB) -> RGB:
    """A line that shows on the colour: darker, but grey on black and on white."""
    if max(colour) < 60:
        return (96, 96, 102)
    if min(colour) > 235:
        return (150, 150, 156)
    return _shade(colour, 0.6)


# --- the shapes, on a 480 x 480 canvas, object between y 50 and 400 ------------------------
def _tee(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    body = [(150, 105), (200, 92), (280, 92), (330, 105), (412, 168), (372, 218), (336, 192)]
    body += [(336, 392), (144, 392), (144, 192), (108, 218), (68, 168)]
    draw.polygon(body, fill=fill, outline=line, width=4)
    neck = (205, 70, 275, 120) if not back else (205, 80, 275, 104)
    draw.chord(neck, 0, 180, fill=BACKGROUND, outline=line, width=4)
    draw.line([(336, 192), (336, 200)], fill=line, width=4)
    draw.line([(160, 380), (320, 380)], fill=line, width=2)  # the hem's stitching


def _hoodie(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.ellipse((180, 52, 300, 150), fill=fill, outline=line, width=4)  # the hood
    body = [(150, 105), (330, 105), (404, 180), (424, 352), (384, 360), (352, 214)]
    body += [(340, 392), (140, 392), (128, 214), (96, 360), (56, 352), (76, 180)]
    draw.polygon(body, fill=fill, outline=line, width=4)
    if back:
        draw.arc((190, 62, 290, 150), 200, 340, fill=line, width=3)
        return
    draw.ellipse((212, 78, 268, 130), fill=_shade(fill, 0.7), outline=line, width=3)
    draw.rounded_rectangle((178, 290, 302, 362), radius=14, outline=line, width=4)  # pocket
    draw.line([(240, 130), (240, 392)], fill=line, width=3)  # the zip or the seam
    draw.line([(226, 130), (222, 190)], fill=line, width=3)  # drawstrings
    draw.line([(254, 130), (258, 190)], fill=line, width=3)


def _dress(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    body = [(196, 80), (212, 80), (240, 122 if not back else 96), (268, 80), (284, 80)]
    body += [(300, 150), (284, 228), (370, 396), (110, 396), (196, 228), (180, 150)]
    draw.polygon(body, fill=fill, outline=line, width=4)
    draw.line([(190, 228), (290, 228)], fill=line, width=4)  # the waist seam
    if back:
        draw.line([(240, 96), (240, 226)], fill=line, width=3)
    else:
        for x in (170, 240, 310):
            draw.line([(x, 250), (x + (x - 240) // 3, 392)], fill=_shade(fill, 0.8), width=3)


def _jacket(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    body = [(160, 92), (320, 92), (400, 170), (420, 360), (380, 366), (352, 210)]
    body += [(344, 396), (136, 396), (128, 210), (100, 366), (60, 360), (80, 170)]
    draw.polygon(body, fill=fill, outline=line, width=4)
    if back:
        draw.rectangle((200, 80, 280, 104), fill=fill, outline=line, width=4)  # collar
        draw.line([(150, 230), (330, 230)], fill=line, width=3)  # back yoke
        return
    draw.polygon([(200, 84), (240, 200), (176, 150)], fill=_shade(fill, 0.8), outline=line)
    draw.polygon([(280, 84), (240, 200), (304, 150)], fill=_shade(fill, 0.8), outline=line)
    draw.line([(240, 200), (240, 396)], fill=line, width=3)
    for y in (236, 286, 336):
        draw.ellipse((226, y - 7, 240, y + 7), fill=_shade(fill, 0.6), outline=line)


def _shoe(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    upper = [(70, 330), (84, 236), (132, 222), (196, 156), (236, 166), (286, 232)]
    upper += [(380, 262), (420, 300), (414, 332)]
    draw.polygon(upper, fill=fill, outline=line, width=4)
    draw.rounded_rectangle((62, 326, 424, 360), radius=14, fill=(238, 236, 230), outline=line)
    for k in range(4):
        x = 196 + 22 * k
        draw.line([(x, 170 + 14 * k), (x + 30, 190 + 14 * k)], fill=(240, 240, 240), width=5)
    draw.arc((84, 180, 170, 300), 190, 300, fill=line, width=4)  # the heel collar


def _headphones(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.arc((110, 60, 370, 330), 180, 360, fill=fill, width=30)
    draw.arc((110, 60, 370, 330), 180, 360, fill=line, width=3)
    for x in (86, 322):
        draw.rounded_rectangle((x, 190, x + 72, 330), radius=30, fill=fill, outline=line, width=4)
        draw.rounded_rectangle(
            (x + 16, 210, x + 56, 310), radius=18, fill=_shade(fill, 0.75), outline=line
        )


def _speaker(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rounded_rectangle((130, 70, 350, 392), radius=40, fill=fill, outline=line, width=4)
    grille = _shade(fill, 0.7)
    draw.ellipse((176, 110, 304, 238), fill=grille, outline=line, width=4)
    draw.ellipse((196, 270, 284, 358), fill=grille, outline=line, width=4)
    draw.ellipse((228, 158, 252, 190), fill=line)


def _charger(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rounded_rectangle((150, 130, 330, 330), radius=30, fill=fill, outline=line, width=4)
    draw.rectangle((196, 92, 212, 130), fill=(180, 180, 186), outline=line)
    draw.rectangle((268, 92, 284, 130), fill=(180, 180, 186), outline=line)
    draw.rounded_rectangle((222, 300, 258, 320), radius=6, fill=_shade(fill, 0.6))
    draw.line([(240, 330), (240, 372), (330, 392)], fill=fill, width=10)


def _case(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rounded_rectangle((160, 56, 320, 400), radius=34, fill=fill, outline=line, width=4)
    draw.rounded_rectangle((180, 80, 250, 150), radius=16, fill=(40, 40, 44), outline=line)
    draw.ellipse((192, 92, 214, 114), fill=(90, 100, 120))
    draw.ellipse((216, 116, 238, 138), fill=(90, 100, 120))


def _pan(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rounded_rectangle((300, 210, 440, 246), radius=16, fill=fill, outline=line, width=4)
    draw.ellipse((50, 110, 320, 350), fill=fill, outline=line, width=5)
    draw.ellipse((80, 138, 290, 322), outline=line, width=3)  # the rim
    draw.arc((110, 160, 260, 300), 200, 280, fill=_shade(fill, 1.3), width=6)  # a shine


def _kettle(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.line([(170, 300), (110, 220), (88, 150), (60, 132)], fill=fill, width=16)  # the spout
    draw.arc((250, 140, 380, 320), 270, 90, fill=fill, width=18)  # the handle
    draw.polygon([(170, 140), (310, 140), (350, 380), (130, 380)], fill=fill, outline=line, width=4)
    draw.ellipse((200, 104, 280, 150), fill=fill, outline=line, width=4)  # the lid
    draw.ellipse((228, 88, 252, 110), fill=_shade(fill, 0.6))


def _lamp(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.polygon([(170, 70), (310, 70), (360, 190), (120, 190)], fill=fill, outline=line, width=4)
    draw.line([(240, 190), (240, 360)], fill=_shade(fill, 0.7), width=10)
    draw.ellipse((160, 350, 320, 396), fill=fill, outline=line, width=4)


def _mat(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rectangle((110, 150, 400, 320), fill=fill, outline=line, width=4)
    draw.ellipse((60, 150, 160, 320), fill=fill, outline=line, width=4)
    draw.arc((80, 180, 140, 290), 0, 360, fill=_shade(fill, 0.7), width=4)
    draw.arc((96, 206, 124, 264), 0, 360, fill=_shade(fill, 0.7), width=3)


def _block(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.polygon([(110, 180), (300, 180), (300, 370), (110, 370)], fill=fill, outline=line)
    draw.polygon([(110, 180), (180, 120), (370, 120), (300, 180)], fill=_shade(fill, 1.15))
    draw.polygon([(300, 180), (370, 120), (370, 310), (300, 370)], fill=_shade(fill, 0.75))
    draw.line([(110, 180), (180, 120), (370, 120), (370, 310), (300, 370)], fill=line, width=4)


def _kettlebell(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.arc((150, 60, 330, 260), 180, 360, fill=fill, width=34)
    draw.line([(166, 160), (180, 230)], fill=fill, width=34)
    draw.line([(314, 160), (300, 230)], fill=fill, width=34)
    draw.ellipse((110, 170, 370, 400), fill=fill, outline=line, width=5)


def _dumbbell(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rectangle((150, 226, 330, 254), fill=(170, 170, 176), outline=line)
    for x in (80, 330):
        draw.rounded_rectangle((x, 130, x + 70, 350), radius=12, fill=fill, outline=line, width=4)
    for x in (130, 330):
        draw.rounded_rectangle((x + 10, 170, x + 30, 310), radius=6, fill=_shade(fill, 0.8))


def _tent(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.polygon([(240, 70), (430, 380), (50, 380)], fill=fill, outline=line, width=5)
    draw.polygon([(240, 170), (300, 380), (180, 380)], fill=_shade(fill, 0.6), outline=line)
    draw.line([(240, 70), (240, 50)], fill=line, width=5)
    draw.line([(40, 384), (440, 384)], fill=(110, 90, 60), width=6)


def _book(draw: ImageDraw.ImageDraw, fill: RGB, line: RGB, back: bool) -> None:
    draw.rectangle((140, 60, 360, 400), fill=fill, outline=line, width=4)
    draw.rectangle((140, 60, 164, 400), fill=_shade(fill, 0.7), outline=line)
    if back:
        draw.rectangle((270, 330, 340, 380), fill=(250, 250, 250))
        for x in range(276, 336, 6):
            draw.line([(x, 336), (x, 372)], fill=(20, 20, 20), width=2 + (x // 6) % 2)
    else:
        draw.rectangle((186, 120, 336, 200), outline=(240, 230, 200), width=4)


# Which shape a product noun is drawn as, and whether it has a back worth showing.
SHAPES: list[tuple[str, Shape, bool]] = [
    ("Hoodie", _hoodie, True),
    ("Tee", _tee, True),
    ("Dress", _dress, True),
    ("Jacket", _jacket, True),
    ("Runner", _shoe, True),
    ("Sneaker", _shoe, True),
    ("Headphones", _headphones, False),
    ("Speaker", _speaker, False),
    ("Charger", _charger, False),
    ("Case", _case, False),
    ("Skillet", _pan, False),
    ("Pan", _pan, False),
    ("Kettlebell", _kettlebell, False),
    ("Kettle", _kettle, False),
    ("French Press", _kettle, False),
    ("Lamp", _lamp, False),
    ("Mat", _mat, False),
    ("Block", _block, False),
    ("Dumbbell", _dumbbell, False),
    ("Tent", _tent, False),
]


def _shape_for(name: str) -> tuple[Shape, bool]:
    for word, shape, has_back in SHAPES:
        if word in name:
            return shape, has_back
    return _book, True  # the books (and anything unnamed) are a cover and a back cover


def _label(image: Image.Image, text: str) -> None:
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 418, SIZE, SIZE), fill=BACKGROUND)  # a caption strip, readable on any view
    font = ImageFont.load_default(size=24)
    width = draw.textlength(text, font=font)
    while width > SIZE - 40 and len(text) > 4:
        text = text[:-2].rstrip() + "…"
        width = draw.textlength(text, font=font)
    draw.text(((SIZE - width) / 2, 430), text, fill=INK, font=font)


def _drawn(shape: Shape, fill: RGB, back: bool) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    shape(ImageDraw.Draw(image), fill, _outline(fill), back)
    return image


def _close_up(front: Image.Image, shape: Shape) -> Image.Image:
    """The middle of the product (an ear cup of headphones), enlarged twice."""
    box = ImageChops.difference(front, Image.new("RGB", front.size, BACKGROUND)).getbbox()
    left, top, right, bottom = box or (0, 0, SIZE, SIZE)
    x, y = ((left + right) // 2, (top + bottom) // 2) if shape is not _headphones else (358, 260)
    half = SIZE // 4
    x, y = min(max(x, half), SIZE - half), min(max(y, half), SIZE - half)
    crop = front.crop((x - half, y - half, x + half, y + half))
    return crop.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def views(slug: str, name: str, variant: int = 0) -> list[tuple[View, Image.Image]]:
    """The product's photos, primary first: front, back (clothes, shoes, books) and a
    close-up (everything but books)."""
    shape, has_back = _shape_for(name)
    fill = colour_of(name, variant)
    front = _drawn(shape, fill, back=False)
    shots: list[tuple[str, Image.Image]] = [("front", front)]
    if has_back:
        back = _drawn(shape, fill, back=True)
        if shape is _shoe:  # the other shoe of the pair
            back = ImageOps.mirror(back)
        shots.append(("back", back))
    if shape is not _book:
        shots.append(("detail", _close_up(front, shape)))
    result = []
    for view_name, image in shots:
        _label(image, name if view_name == "front" else f"{name}, {view_name}")
        relative = f"products/{slug}-{view_name}.png"
        alt = name if view_name == "front" else f"{name}, {view_name}"
        result.append((View(view_name, relative, alt[:150]), image))
    return result


def draw_product(media_dir: Path, slug: str, name: str, variant: int = 0) -> list[View]:
    """Write the product's photos under media_dir (existing files are kept); their views."""
    drawn = []
    for view, image in views(slug, name, variant):
        target = media_dir / view.relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            image.save(target, format="PNG", optimize=True)
        drawn.append(view)
    return drawn


def draw_logo(media_dir: Path, relative: str, label: str, n: int) -> None:
    """A store's logo under media_dir (an existing file is kept): its initials in a frame,
    in the n-th of a wheel of hues."""
    target = media_dir / relative
    if target.exists():
        return
    hue = (n * 47) % 360
    background, accent = _hsv(hue, 0.35, 0.95), _hsv(hue, 0.7, 0.55)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, 440, 440), radius=36, outline=accent, width=8)
    font = ImageFont.load_default(size=34)
    width = draw.textlength(label, font=font)
    draw.text(((SIZE - width) / 2, SIZE / 2 - 22), label, fill=accent, font=font)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, format="PNG", optimize=True)


def _hsv(hue: int, saturation: float, value: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue / 360, saturation, value)
    return int(r * 255), int(g * 255), int(b * 255)


__all__ = ["PALETTE", "View", "colour_of", "draw_logo", "draw_product", "views"]
