"""Draws the app icons in pwa/icons (run once; the PNGs are committed).

A school gate: two pillars and an arch, white on the school blue. The maskable icon keeps
the drawing inside the central 80 % safe zone and fills the whole square with colour.
"""
from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (31, 95, 191, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"


def gate(draw: ImageDraw.ImageDraw, size: int, scale: float) -> None:
    """The gate, drawn in a box of `scale` × size centred in the square."""
    box = size * scale
    left = (size - box) / 2
    top = (size - box) / 2
    unit = box / 10
    pillar_w = unit * 1.6
    # Arch: a thick half ring across the top.
    draw.arc(
        [left + unit, top + unit * 1.5, left + box - unit, top + unit * 8.5],
        start=180, end=360, fill=WHITE, width=int(unit * 1.3),
    )
    for x in (left + unit, left + box - unit - pillar_w):
        draw.rectangle([x, top + unit * 4.6, x + pillar_w, top + box - unit], fill=WHITE)
    # Bars of the gate.
    for n in range(3):
        x = left + unit * (3.6 + n * 1.2)
        draw.rectangle([x, top + unit * 4.4, x + unit * 0.45, top + box - unit], fill=WHITE)


def icon(size: int, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle([0, 0, size, size], fill=BLUE)
        gate(draw, size, 0.62)
    else:
        draw.rounded_rectangle([0, 0, size - 1, size - 1], radius=size * 0.2, fill=BLUE)
        gate(draw, size, 0.8)
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, False).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, True).save(OUT / "maskable-512.png", optimize=True)
    icon(180, True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    icon(48, False).save(OUT / "favicon-48.png", optimize=True)
