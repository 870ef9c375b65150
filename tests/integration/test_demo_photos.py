"""The demo shop's photos show what their names say: a "Navy" tee is navy, in several views
(issue 15, item 7)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from bot.demo import seed_demo
from storage.models import Product, ProductImage
from tests.conftest import Database

# What the colour words mean, independently of how the demo draws them (CSS and common hex
# values; "sand" is #C2B280).
REFERENCE = {
    "Red": (255, 0, 0),
    "Navy": (0, 0, 128),
    "Black": (0, 0, 0),
    "Olive": (128, 128, 0),
    "Sand": (194, 178, 128),
    "Grey": (128, 128, 128),
    "White": (255, 255, 255),
    "Teal": (0, 128, 128),
}


def dominant_colour(path: Path) -> tuple[int, int, int]:
    """The commonest colour of the picture other than its background (the corner pixel)."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        background = rgb.getpixel((0, 0))
        colours = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    count, colour = max((c for c in colours if c[1] != background), key=lambda c: c[0])
    assert count > 0.05 * 480 * 480, "the product covers too little of the picture"
    assert isinstance(colour, tuple)
    red, green, blue = colour
    return (int(red), int(green), int(blue))


def nearest_name(colour: tuple[int, int, int]) -> str:
    return min(
        REFERENCE,
        key=lambda name: sum((a - b) ** 2 for a, b in zip(colour, REFERENCE[name], strict=True)),
    )


async def test_each_photo_is_in_the_named_colour_in_two_or_three_views(
    sqlite_db: Database, media_dir: Path
) -> None:
    db = sqlite_db
    await seed_demo(db.sessions, media_dir=media_dir)
    async with db.sessions() as s:
        products = {p.product_id: p for p in (await s.scalars(select(Product))).all()}
        images = (await s.scalars(select(ProductImage).order_by(ProductImage.position))).all()
    gallery: dict[int, list[ProductImage]] = defaultdict(list)
    for image in images:
        gallery[image.product_id].append(image)
    assert set(gallery) == set(products)
    coloured = 0
    for product_id, shots in gallery.items():
        product = products[product_id]
        assert 2 <= len(shots) <= 3, (product.name, len(shots))
        assert [i.position for i in shots] == list(range(len(shots)))
        assert [i.is_primary for i in shots] == [True] + [False] * (len(shots) - 1)
        files = [media_dir / str(i.url) for i in shots]
        assert len({f.read_bytes() for f in files}) == len(files), f"{product.name}: same views"
        assert len({i.alt_text for i in shots}) == len(shots)
        named = product.name.split()[0]
        if named in REFERENCE:
            coloured += 1
            for file in files:
                colour = dominant_colour(file)
                assert nearest_name(colour) == named, (product.name, file.name, colour)
    assert coloured >= 60
