#!/usr/bin/env python3
"""Draw the illustrations used by the bundled sample storefront (content/images/).

Everything is drawn from code with Pillow, so the sample shop ships no third-party photos and the
images can be regenerated at any time:

    .venv/bin/python tools/make_sample_images.py

The output is deterministic: all "random" detail (clay speckles, glaze drips, berries) comes from
generators seeded with the image name. Product images are 800x800, the maker illustration 600x600,
all JPEG at quality 82 (lowered a little only if a file would exceed about 60 KB).

Drawing approach: each pot is a surface of revolution described by a radius profile. It is drawn
at twice the final size (for smooth edges) as four layers -- a silhouette mask, a flat colour layer
(glaze, bare clay foot, speckles, painted decoration), a per-row shading layer and a specular layer
-- which are multiplied and added together, then scaled down.
"""

from __future__ import annotations

import io
import itertools
import math
import random
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent.parent / "content" / "images"
SS = 2  # supersampling factor
PRODUCT = 800
MAKER = 600
QUALITY = 82
MAX_BYTES = 60_000

RGB = tuple[int, int, int]
Point = tuple[float, float]


# --- colour helpers ----------------------------------------------------------------------------


def hexc(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def scale(c: RGB, f: float) -> RGB:
    return (
        max(0, min(255, round(c[0] * f))),
        max(0, min(255, round(c[1] * f))),
        max(0, min(255, round(c[2] * f))),
    )


WHITE: RGB = (255, 255, 255)


def seeded(name: str) -> random.Random:
    return random.Random(zlib.crc32(name.encode()))


# --- gradients and backdrops -------------------------------------------------------------------


def _ramp(horizontal: bool) -> Image.Image:
    img = Image.new("L", (256, 1) if horizontal else (1, 256))
    img.putdata(list(range(256)))
    return img


def hgrad(size: tuple[int, int]) -> Image.Image:
    """L image, 0 at the left edge to 255 at the right edge."""
    return _ramp(True).resize(size, Image.Resampling.BILINEAR)


def vgrad(size: tuple[int, int]) -> Image.Image:
    """L image, 0 at the top to 255 at the bottom."""
    return _ramp(False).resize(size, Image.Resampling.BILINEAR)


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), vgrad(size))


def backdrop(
    w: int,
    h: int,
    wall: tuple[RGB, RGB],
    table: tuple[RGB, RGB],
    horizon: float = 0.64,
    vignette: float = 0.45,
) -> Image.Image:
    """A soft studio backdrop: a wall gradient meeting a table top, with a gentle vignette."""
    img = gradient((w, h), *wall)
    hy = int(h * horizon)
    tab = Image.new("RGB", (w, h), table[0])
    tab.paste(gradient((w, h - hy), *table), (0, hy))
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rectangle((0, hy, w, h), fill=255)
    img = Image.composite(tab, img, mask.filter(ImageFilter.GaussianBlur(w * 0.004)))
    # A faint light pool behind the subject.
    glow = Image.radial_gradient("L").resize((int(w * 1.3), int(h * 0.9)))
    glow = glow.point(lambda v: max(0, 255 - v * 2) * 0.22)
    lit = Image.new("RGB", (w, h), WHITE)
    layer = Image.new("L", (w, h), 0)
    layer.paste(glow, (int(-w * 0.15), int(h * 0.02)))
    img.paste(lit, (0, 0), layer)
    # Vignette: darken the corners a little.
    vig = Image.radial_gradient("L").resize((w, h)).point(lambda v: max(0, v - 95) * vignette)
    dark = ImageEnhance.Brightness(img).enhance(0.78)
    return Image.composite(dark, img, vig)


def cast_shadow(img: Image.Image, cx: float, cy: float, rx: float, ry: float, strength: float = 0.4) -> None:
    """A soft shadow on the table plus a tighter contact shadow under the foot."""
    w, _ = img.size
    colour = (58, 42, 32)
    soft = Image.new("L", img.size, 0)
    ImageDraw.Draw(soft).ellipse(
        (cx - rx * 1.15 + rx * 0.18, cy - ry * 1.1, cx + rx * 1.15 + rx * 0.18, cy + ry * 1.3),
        fill=int(255 * strength * 0.55),
    )
    img.paste(colour, (0, 0), soft.filter(ImageFilter.GaussianBlur(w * 0.022)))
    contact = Image.new("L", img.size, 0)
    ImageDraw.Draw(contact).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=int(255 * strength))
    img.paste(colour, (0, 0), contact.filter(ImageFilter.GaussianBlur(w * 0.006)))


# --- geometry helpers --------------------------------------------------------------------------


def smooth_profile(points: Sequence[Point]) -> Callable[[float], float]:
    """Monotone cubic interpolation (Fritsch-Carlson) through (t, radius) points, t in 0..1."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    n = len(points)
    d = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(n - 1)]
    m = [d[0]] + [(d[i - 1] + d[i]) / 2 if d[i - 1] * d[i] > 0 else 0.0 for i in range(1, n - 1)] + [d[-1]]
    for i in range(n - 1):
        if d[i] == 0:
            m[i] = m[i + 1] = 0.0
            continue
        a, b = m[i] / d[i], m[i + 1] / d[i]
        s = a * a + b * b
        if s > 9:
            t = 3 / math.sqrt(s)
            m[i], m[i + 1] = t * a * d[i], t * b * d[i]

    def f(x: float) -> float:
        x = min(max(x, xs[0]), xs[-1])
        i = 0
        while i < n - 2 and x > xs[i + 1]:
            i += 1
        h = xs[i + 1] - xs[i]
        t = (x - xs[i]) / h
        t2, t3 = t * t, t * t * t
        return (
            (2 * t3 - 3 * t2 + 1) * ys[i]
            + (t3 - 2 * t2 + t) * h * m[i]
            + (-2 * t3 + 3 * t2) * ys[i + 1]
            + (t3 - t2) * h * m[i + 1]
        )

    return f


def ellipse_poly(cx: float, cy: float, rx: float, ry: float, rot: float = 0.0, n: int = 40) -> list[Point]:
    c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        x, y = rx * math.cos(a), ry * math.sin(a)
        pts.append((cx + x * c - y * s, cy + x * s + y * c))
    return pts


def stroke_polys(points: Sequence[Point], width: float) -> list[list[Point]]:
    """A thick polyline as a list of polygons (one quad per segment plus round joints)."""
    polys: list[list[Point]] = []
    hw = width / 2
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        dx, dy = x1 - x0, y1 - y0
        ln = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / ln * hw, dx / ln * hw
        polys.append([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)])
    for x, y in points:
        polys.append(ellipse_poly(x, y, hw, hw, n=16))
    return polys


def bezier(p0: Point, p1: Point, p2: Point, n: int = 24) -> list[Point]:
    out = []
    for i in range(n + 1):
        t = i / n
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        out.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return out


# --- motifs (unit-sized polygons, y pointing down) ---------------------------------------------

Shape = tuple[list[Point], str]  # polygon and a role ("ink" or "cut" = punched back to the glaze)


def eagle_shapes() -> list[Shape]:
    """A spread-winged eagle, roughly 2 units wide, centred on the origin."""
    shapes: list[Shape] = []
    for side in (1, -1):
        upper = [(0.12, -0.2), (0.3, -0.4), (0.55, -0.55), (0.82, -0.64), (1.0, -0.6)]
        a, c = (0.97, -0.5), (0.2, 0.1)
        lower: list[Point] = []
        feathers = 6
        for i in range(feathers + 1):
            t = i / feathers
            bx, by = a[0] + (c[0] - a[0]) * t, a[1] + (c[1] - a[1]) * t
            lower.append((bx, by))
            if i < feathers:
                t2 = (i + 0.5) / feathers
                mx, my = a[0] + (c[0] - a[0]) * t2, a[1] + (c[1] - a[1]) * t2
                drop = 0.2 - 0.06 * t2
                lower.append((mx + 0.05, my + drop))
        pts = upper + lower
        shapes.append(([(x * side, y) for x, y in pts], "ink"))
    shapes.append((ellipse_poly(0, 0.02, 0.2, 0.36), "ink"))
    shapes.append((ellipse_poly(0, -0.42, 0.13, 0.14), "ink"))
    shapes.append(([(0.06, -0.48), (0.27, -0.44), (0.27, -0.36), (0.2, -0.39), (0.06, -0.35)], "ink"))
    shapes.append(
        ([(-0.13, 0.3), (-0.26, 0.7), (-0.13, 0.63), (0.0, 0.74), (0.13, 0.63), (0.26, 0.7), (0.13, 0.3)], "ink")
    )
    for side in (1, -1):
        shapes += [(p, "ink") for p in stroke_polys([(0.07 * side, 0.3), (0.16 * side, 0.45)], 0.06)]
    shapes.append((ellipse_poly(0.045, -0.45, 0.03, 0.03, n=12), "cut"))
    # Feather lines cut back into the wings.
    for side in (1, -1):
        for i in range(2):
            y0 = -0.33 + i * 0.14
            line = [(0.32 * side, y0), (0.66 * side, y0 - 0.1 + i * 0.02)]
            shapes += [(p, "cut") for p in stroke_polys(line, 0.022)]
    return shapes


def heron_shapes() -> list[Shape]:
    """A standing heron facing left, about 2 units tall, with reeds."""
    shapes: list[Shape] = [(ellipse_poly(0.12, 0.0, 0.42, 0.19, rot=22), "ink")]
    neck = (
        bezier((-0.15, -0.05), (-0.5, -0.45), (-0.25, -0.62)) + bezier((-0.25, -0.62), (-0.1, -0.75), (-0.3, -0.9))[1:]
    )
    shapes += [(p, "ink") for p in stroke_polys(neck, 0.1)]
    shapes.append((ellipse_poly(-0.33, -0.92, 0.1, 0.075, rot=-10), "ink"))
    shapes.append(([(-0.38, -0.96), (-0.8, -0.86), (-0.38, -0.87)], "ink"))
    shapes += [(p, "ink") for p in stroke_polys([(-0.26, -0.97), (-0.02, -1.04)], 0.025)]
    shapes.append(([(0.44, 0.1), (0.66, 0.3), (0.4, 0.2)], "ink"))
    for x0, x1 in ((0.06, 0.02), (0.2, 0.26)):
        shapes += [(p, "ink") for p in stroke_polys([(x0, 0.15), (x1, 0.9)], 0.045)]
        shapes += [(p, "ink") for p in stroke_polys([(x1 - 0.1, 0.92), (x1 + 0.08, 0.92)], 0.03)]
    shapes.append((ellipse_poly(-0.36, -0.94, 0.022, 0.022, n=10), "cut"))
    for bx, lean, top in ((-0.55, -0.1, 0.2), (-0.45, 0.08, 0.4), (0.55, 0.12, 0.3), (0.68, -0.05, 0.5)):
        reed = bezier((bx, 1.0), (bx + lean * 0.3, (1.0 + top) / 2), (bx + lean, top), n=10)
        shapes += [(p, "ink") for p in stroke_polys(reed, 0.03)]
    return shapes


def wren_shapes() -> list[Shape]:
    """A round little wren facing left with its tail cocked up, about 1.6 units wide."""
    shapes: list[Shape] = [
        ([(0.32, -0.08), (0.7, -0.62), (0.84, -0.54), (0.5, 0.06)], "ink"),
        (ellipse_poly(0.0, 0.0, 0.5, 0.36, rot=-8), "ink"),
        (ellipse_poly(-0.38, -0.22, 0.24, 0.23), "ink"),
        ([(-0.58, -0.27), (-0.84, -0.2), (-0.58, -0.15)], "ink"),
        (ellipse_poly(-0.45, -0.27, 0.045, 0.045, n=12), "cut"),
        (ellipse_poly(0.1, -0.04, 0.28, 0.15, rot=-15), "wing"),
    ]
    for x in (-0.1, 0.08):
        shapes += [(p, "ink") for p in stroke_polys([(x, 0.3), (x - 0.04, 0.52)], 0.04)]
    return shapes


# Birds for the private listing in the sample (content/listings/bird-mugs-for-sam.yaml): the
# eagle mug's style, a slip silhouette with cut-back details, plus one accent colour per bird.


def wood_duck_shapes() -> tuple[list[Shape], list[Shape]]:
    """A swimming wood duck facing left, with its swept-back crest: (silhouette, accent)."""
    shapes: list[Shape] = [
        (ellipse_poly(0.12, 0.14, 0.6, 0.27, rot=-4), "ink"),
        ([(-0.56, -0.22), (-0.3, -0.18), (-0.18, 0.06), (-0.5, 0.08)], "ink"),
        (ellipse_poly(-0.43, -0.32, 0.19, 0.17), "ink"),
        ([(-0.52, -0.44), (-0.12, -0.46), (0.14, -0.34), (0.02, -0.3), (-0.3, -0.24)], "ink"),
        ([(-0.58, -0.33), (-0.84, -0.27), (-0.6, -0.22)], "ink"),
        ([(0.62, 0.04), (0.92, -0.08), (0.74, 0.2)], "ink"),
        (ellipse_poly(-0.47, -0.33, 0.035, 0.035, n=12), "cut"),
    ]
    shapes += [(p, "cut") for p in stroke_polys([(-0.5, -0.42), (-0.12, -0.42), (0.08, -0.34)], 0.022)]
    shapes += [(p, "cut") for p in stroke_polys([(-0.36, -0.22), (-0.26, -0.16)], 0.02)]
    for x0, x1 in ((-0.85, -0.35), (-0.05, 0.75)):
        shapes += [(p, "ink") for p in stroke_polys([(x0, 0.5), (x1, 0.5)], 0.03)]
    accent: list[Shape] = [(ellipse_poly(0.2, 0.08, 0.34, 0.14, rot=-8), "ink")]
    return shapes, accent


def robin_shapes() -> tuple[list[Shape], list[Shape]]:
    """An American robin standing upright, facing left: (silhouette, red-orange breast)."""
    shapes: list[Shape] = [
        (ellipse_poly(0.05, 0.02, 0.36, 0.5, rot=14), "ink"),
        (ellipse_poly(-0.2, -0.52, 0.21, 0.19), "ink"),
        ([(-0.38, -0.55), (-0.62, -0.49), (-0.38, -0.45)], "ink"),
        ([(0.22, 0.36), (0.55, 0.86), (0.38, 0.92), (0.08, 0.46)], "ink"),
        (ellipse_poly(-0.26, -0.55, 0.035, 0.035, n=12), "cut"),
    ]
    for x0, x1 in ((-0.02, -0.08), (0.12, 0.1)):
        shapes += [(p, "ink") for p in stroke_polys([(x0, 0.48), (x1, 0.86)], 0.035)]
    shapes += [(p, "cut") for p in stroke_polys([(0.18, -0.18), (0.32, 0.12)], 0.02)]
    accent: list[Shape] = [(ellipse_poly(-0.1, -0.02, 0.24, 0.34, rot=14), "ink")]
    return shapes, accent


def finch_shapes() -> tuple[list[Shape], list[Shape]]:
    """A purple finch perched on a twig, facing left: (silhouette, raspberry head and breast)."""
    shapes: list[Shape] = [
        (ellipse_poly(0.06, 0.02, 0.44, 0.29, rot=-18), "ink"),
        (ellipse_poly(-0.34, -0.22, 0.21, 0.19), "ink"),
        ([(-0.5, -0.27), (-0.72, -0.18), (-0.5, -0.12)], "ink"),
        ([(0.38, 0.12), (0.86, 0.3), (0.78, 0.38), (0.84, 0.46), (0.32, 0.28)], "ink"),
        (ellipse_poly(-0.4, -0.25, 0.033, 0.033, n=12), "cut"),
    ]
    shapes += [(p, "ink") for p in stroke_polys([(-0.9, 0.5), (0.0, 0.4), (0.9, 0.34)], 0.05)]
    for x in (-0.06, 0.08):
        shapes += [(p, "ink") for p in stroke_polys([(x, 0.26), (x - 0.02, 0.42)], 0.03)]
    for i in range(3):
        shapes += [(p, "cut") for p in stroke_polys([(0.0 + i * 0.12, -0.06), (0.14 + i * 0.12, 0.1)], 0.018)]
    accent: list[Shape] = [
        (ellipse_poly(-0.2, -0.02, 0.27, 0.21, rot=-18), "ink"),
        (ellipse_poly(-0.34, -0.22, 0.21, 0.19), "ink"),
        (ellipse_poly(-0.4, -0.25, 0.033, 0.033, n=12), "cut"),
    ]
    return shapes, accent


BIRDS: dict[str, tuple[Callable[[], tuple[list[Shape], list[Shape]]], RGB, RGB]] = {
    # name: (shapes, glaze, accent colour)
    "wood-duck": (wood_duck_shapes, hexc("2f5f8f"), hexc("b86a3c")),
    "robin": (robin_shapes, hexc("eee8dc"), hexc("d9782e")),
    "finch": (finch_shapes, hexc("8aa58f"), hexc("a8325e")),
}


# --- vessels -----------------------------------------------------------------------------------


def _shade_strips(gloss: float) -> tuple[Image.Image, Image.Image]:
    """Cross-section shading for a cylinder lit from the front-left, as 512x1 L images."""
    shade, spec = [], []
    lx, lz = -0.6, 0.8
    hx, hz = -0.316, 0.949
    for i in range(512):
        u = -1 + 2 * (i + 0.5) / 512
        nz = math.sqrt(max(0.0, 1 - u * u))
        diffuse = max(0.0, lx * u + lz * nz)
        v = (0.52 + 0.48 * diffuse) * (0.8 + 0.2 * math.sqrt(nz))
        shade.append(round(238 * v))
        ndoth = max(0.0, u * hx + nz * hz)
        s = 0.38 * ndoth**120 + 0.12 * ndoth**14 + 0.07 * math.exp(-(((u - 0.82) / 0.06) ** 2))
        spec.append(min(255, round(255 * s * gloss)))
    a, b = Image.new("L", (512, 1)), Image.new("L", (512, 1))
    a.putdata(shade)
    b.putdata(spec)
    return a, b


class Vessel:
    """A wheel-thrown shape: a radius profile spun around a vertical axis, seen from slightly above.

    profile: (t, radius) points with t=0 at the rim and t=1 at the foot.
    k: how round the rim ellipse looks (0 = seen from the side, 1 = from straight above).
    glaze_end: fraction of the height where the glaze stops and bare clay shows (None = glazed
    to the foot). interior: "deep" (mugs, vases), "bowl" (open shapes), "flat" (plates) or None
    for a closed top.
    """

    def __init__(
        self,
        cx: float,
        top: float,
        bottom: float,
        profile: Sequence[Point],
        *,
        glaze: RGB,
        clay: RGB = (206, 182, 152),
        inner: RGB | None = None,
        k: float = 0.22,
        glaze_end: float | None = 0.86,
        interior: str | None = "deep",
        glaze_fade: float = 0.18,
        gloss: float = 1.0,
        speckle: float = 1.0,
        wall: float | None = None,
        seed: str = "pot",
    ) -> None:
        self.cx, self.top, self.bottom = cx, top, bottom
        self.f = smooth_profile(profile)
        self.glaze, self.clay = glaze, clay
        self.inner = inner or glaze
        self.k = k
        self.glaze_end = glaze_end
        self.interior = interior
        self.glaze_fade = glaze_fade
        self.gloss = gloss
        self.speckle = speckle
        self.rng = seeded(seed)
        self.rt = self.f(0)
        self.wall = wall if wall is not None else max(self.rt * 0.06, 5.0)
        self.decorations: list[Callable[[ImageDraw.ImageDraw, Vessel], None]] = []
        self.inside_decorations: list[Callable[[Image.Image, Vessel], None]] = []

    # geometry
    def r(self, y: float) -> float:
        h = self.bottom - self.top
        return max(0.0, self.f((y - self.top) / h))

    def surface(self, s: float, v: float) -> Point:
        """A point on the outer surface: s = arc length from the front, v = silhouette height."""
        rr = max(self.r(v), 1.0)
        a = max(-math.pi / 2, min(math.pi / 2, s / rr))
        return (self.cx + rr * math.sin(a), v + self.k * rr * math.cos(a))

    def rim_plane(self, x: float, y: float) -> Point:
        """A point on the horizontal plane of the rim (for plates and the inside of dishes)."""
        return (self.cx + x, self.top + self.wall * 0.5 * self.k + y * self.k)

    def paint(self, shapes: list[Shape], cx: float, cy: float, size: float, ink: RGB, wing: RGB | None = None) -> None:
        """Paint a motif on the outside wall, wrapped around the curve of the pot."""

        def draw(d: ImageDraw.ImageDraw, vessel: Vessel) -> None:
            for poly, role in shapes:
                fill = {"ink": ink, "cut": vessel.glaze, "wing": wing or ink}[role]
                d.polygon([vessel.surface(cx + x * size, cy + y * size) for x, y in poly], fill=fill)

        self.decorations.append(draw)

    # rendering
    def render(self, size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
        w, h = size
        cx, top, bottom, k = self.cx, self.top, self.bottom, self.k
        rt, rb = self.r(top), self.r(bottom)
        rmax = max(self.r(top + (bottom - top) * i / 100) for i in range(101))

        mask = Image.new("L", size, 0)
        md = ImageDraw.Draw(mask)
        ys = [top + (bottom - top) * i / 240 for i in range(241)]
        md.polygon([(cx - self.r(y), y) for y in ys] + [(cx + self.r(y), y) for y in reversed(ys)], fill=255)
        md.ellipse((cx - rt, top - k * rt, cx + rt, top + k * rt), fill=255)
        md.ellipse((cx - rb, bottom - k * rb, cx + rb, bottom + k * rb), fill=255)

        # Flat colour: glaze that thins towards the rim and pools lower down, over bare clay.
        glaze_mask = Image.new("L", size, 255)
        if self.glaze_end is not None:
            glaze_mask = Image.new("L", size, 0)
            yg = top + (bottom - top) * self.glaze_end
            rg = self.r(yg)
            amp = (bottom - top) * 0.012
            phase = self.rng.uniform(0, 6.28)
            drips = [
                (
                    cx + self.rng.uniform(-0.8, 0.8) * rg,
                    self.rng.uniform(0.015, 0.035) * (bottom - top),
                    rg * self.rng.uniform(0.1, 0.18),
                )
                for _ in range(3)
            ]
            edge = []
            for i in range(161):
                x = cx - rmax - 4 + (2 * rmax + 8) * i / 160
                u = max(-1.0, min(1.0, (x - cx) / max(rg, 1)))
                y = yg + k * rg * math.sqrt(1 - u * u) + amp * math.sin(x / max(rg, 1) * 5 + phase)
                y += sum(dd * math.exp(-(((x - xd) / wd) ** 2)) for xd, dd, wd in drips)
                edge.append((x, y))
            ImageDraw.Draw(glaze_mask).polygon([*edge, (cx + rmax + 4, 0), (cx - rmax - 4, 0)], fill=255)

        glaze_top = mix(self.glaze, self.clay, self.glaze_fade)
        glaze_low = scale(self.glaze, 0.92)
        glaze_layer = Image.new("RGB", size, glaze_low)
        y_start = int(top - k * rt)
        span = max(1, int((bottom - top) * 0.55))
        glaze_layer.paste(gradient((w, span), glaze_top, self.glaze), (0, y_start))
        rest = max(1, int(bottom + k * rb) - (y_start + span) + 2)
        glaze_layer.paste(gradient((w, rest), self.glaze, glaze_low), (0, y_start + span))
        alb = Image.new("RGB", size, self.clay)
        alb.paste(glaze_layer, (0, 0), glaze_mask)
        ad = ImageDraw.Draw(alb)
        if self.glaze_end is not None:
            # The glaze edge breaks a little darker where it is thick.
            edge_mask = glaze_mask.filter(ImageFilter.FIND_EDGES).filter(ImageFilter.MaxFilter(5))
            alb.paste(scale(self.glaze, 0.72), (0, 0), edge_mask)
        for deco in self.decorations:
            deco(ad, self)
        # Stoneware speckles.
        count = int(self.speckle * (2 * rmax * (bottom - top)) / 900)
        for _ in range(count):
            y = self.rng.uniform(top, bottom + k * rb)
            rr = self.r(y)
            x = cx + self.rng.uniform(-rr, rr)
            s = self.rng.choice((1.2, 1.6, 2.0, 2.6))
            dot = mix(self.glaze, (60, 40, 30), self.rng.uniform(0.35, 0.7))
            ad.ellipse((x - s, y - s, x + s, y + s), fill=dot)

        # Shading and highlights, one horizontal strip per row.
        base_shade, base_spec = _shade_strips(self.gloss)
        shade = Image.new("L", size, 0)
        spec = Image.new("L", size, 0)
        y0, y1 = int(top - k * rt) - 1, int(bottom + k * rb) + 2
        height = bottom - top
        for y in range(max(0, y0), min(h, y1)):
            yy = min(max(y, top), bottom)
            rr = self.r(yy)
            if rr < 1:
                continue
            slope = (self.r(yy + 1) - self.r(yy - 1)) / 2
            ny = slope / math.sqrt(1 + slope * slope)
            vf = max(0.45, min(1.15, 0.95 + 0.3 * ny - 0.14 * (yy - top) / height))
            width = max(1, int(2 * rr))
            strip = base_shade.resize((width, 1), Image.Resampling.BILINEAR)
            strip = strip.point([min(255, int(v * vf)) for v in range(256)])
            shade.paste(strip, (int(cx - rr), y))
            sf = max(0.3, min(1.3, 0.8 + 0.6 * ny))
            sp = base_spec.resize((width, 1), Image.Resampling.BILINEAR).point(
                [min(255, int(v * sf)) for v in range(256)]
            )
            spec.paste(sp, (int(cx - rr), y))
        # Soften row-to-row steps so the shading reads as one smooth surface.
        shade = shade.filter(ImageFilter.GaussianBlur(2.5 * SS))
        spec = ImageChops.multiply(spec.filter(ImageFilter.GaussianBlur(2.5 * SS)), glaze_mask)
        col = ImageChops.multiply(alb, shade.convert("RGB"))
        col = ImageChops.add(col, spec.convert("RGB"))

        if self.interior:
            self._draw_rim(col, size)
        elif rt > 1:
            # Closed top (lids, knobs): a softly lit cap.
            d = ImageDraw.Draw(col)
            d.ellipse((cx - rt, top - k * rt, cx + rt, top + k * rt), fill=mix(self.glaze, WHITE, 0.08))
        return col, mask

    def _draw_rim(self, col: Image.Image, size: tuple[int, int]) -> None:
        cx, top, k, rt = self.cx, self.top, self.k, self.rt
        d = ImageDraw.Draw(col)
        lip = mix(self.glaze, WHITE, 0.14) if self.glaze_fade < 0.5 else mix(self.clay, WHITE, 0.1)
        d.ellipse((cx - rt, top - k * rt, cx + rt, top + k * rt), fill=lip)
        rin = rt - self.wall
        cy = top + self.wall * 0.35 * k
        box = (int(cx - rin), int(cy - k * rin), int(cx + rin) + 1, int(cy + k * rin) + 1)
        bw, bh = box[2] - box[0], box[3] - box[1]
        if bw < 2 or bh < 2:
            return
        inner = self.inner
        if self.interior == "deep":
            light, dark, depth = scale(inner, 0.9), scale(inner, 0.3), 0.75
        elif self.interior == "bowl":
            light, dark, depth = mix(inner, WHITE, 0.05), scale(inner, 0.55), 0.35
        else:
            light, dark, depth = mix(inner, WHITE, 0.06), scale(inner, 0.86), 0.1
        m = Image.blend(hgrad((bw, bh)), vgrad((bw, bh)).point(lambda v: 255 - v), depth)
        if self.interior == "bowl":
            # The far inner wall catches the light; the near wall is in its own shadow.
            bowl = Image.radial_gradient("L").resize((bw, int(bh * 1.6))).crop((0, int(bh * 0.6), bw, int(bh * 1.6)))
            m = ImageChops.multiply(m.point(lambda v: 90 + v * 0.65), bowl.point(lambda v: 255 - v // 2))
        interior = Image.composite(Image.new("RGB", (bw, bh), light), Image.new("RGB", (bw, bh), dark), m)
        emask = Image.new("L", (bw, bh), 0)
        ImageDraw.Draw(emask).ellipse((0, 0, bw - 1, bh - 1), fill=255)
        col.paste(interior, box[:2], emask)
        # A thin light line along the front of the lip and a glint on the back rim.
        hl = mix(lip, WHITE, 0.45)
        lw = max(2, int(self.wall * 0.35))
        d.arc((cx - rt + 1, top - k * rt + 1, cx + rt - 1, top + k * rt - 1), 25, 150, fill=hl, width=lw)
        d.arc(
            (cx - rt + 1, top - k * rt + 1, cx + rt - 1, top + k * rt - 1), 200, 240, fill=mix(hl, WHITE, 0.5), width=lw
        )
        for deco in self.inside_decorations:
            deco(col, self)


def draw_vessel(img: Image.Image, vessel: Vessel) -> None:
    col, mask = vessel.render(img.size)
    img.paste(col, (0, 0), mask)


def draw_handle(
    img: Image.Image, cx: float, cy: float, rx: float, ry: float, thick: float, colour: RGB, side: int = 1
) -> None:
    """A pulled C-shaped handle, shaded like a rounded strap."""
    layer = Image.new("RGB", img.size, colour)
    mask = Image.new("L", img.size, 0)
    d, md = ImageDraw.Draw(layer), ImageDraw.Draw(mask)
    start, end = (-105, 105) if side > 0 else (75, 285)

    def band(dd: ImageDraw.ImageDraw, width: float, offset: float, fill: RGB | int) -> None:
        ox, oy = rx + offset + width / 2, ry + offset + width / 2
        dd.arc((cx - ox, cy - oy, cx + ox, cy + oy), start, end, fill=fill, width=max(1, int(width)))

    band(md, thick, -thick / 2, 255)
    band(d, thick, -thick / 2, scale(colour, 0.55))
    band(d, thick * 0.72, -thick * 0.36, scale(colour, 0.8))
    band(d, thick * 0.4, -thick * 0.12, scale(colour, 0.97))
    band(d, thick * 0.12, thick * 0.05, mix(colour, WHITE, 0.55))
    layer = layer.filter(ImageFilter.GaussianBlur(thick * 0.06))
    img.paste(layer, (0, 0), mask)


# --- products ----------------------------------------------------------------------------------

W = PRODUCT * SS

EAGLE_COLOURS: dict[str, RGB] = {
    "red": hexc("b5352c"),
    "white": hexc("eee8dc"),
    "orange": hexc("d9782e"),
    "blue": hexc("2f5f8f"),
    "yellow": hexc("e3b73e"),
}
CREAM = hexc("f3ead8")
IRON = hexc("3a2a22")
WALL_WARM = (hexc("f4ece2"), hexc("e9ddcf"))
TABLE_WOOD = (hexc("cdb59a"), hexc("b39878"))


def mug_profile(r: float) -> list[Point]:
    return [(0, r), (0.35, r * 1.01), (0.8, r * 0.98), (0.95, r * 0.9), (1, r * 0.84)]


def add_mug(
    img: Image.Image,
    cx: float,
    base: float,
    r: float,
    height: float,
    glaze: RGB,
    seed: str,
    eagle: bool = False,
    monogram: str | None = None,
    shadow: bool = True,
    bird: str | None = None,
) -> None:
    top = base - height
    if shadow:
        cast_shadow(img, cx + r * 0.15, base + r * 0.06, r * 1.25, r * 0.2)
    draw_handle(img, cx + r * 0.93, top + height * 0.47, r * 0.42, height * 0.3, r * 0.2, scale(glaze, 0.96))
    light_glaze = sum(glaze) > 520
    mug = Vessel(
        cx,
        top,
        base,
        mug_profile(r),
        glaze=glaze,
        inner=mix(glaze, CREAM, 0.35) if not light_glaze else glaze,
        k=0.2,
        glaze_end=0.86,
        seed=seed,
        speckle=1.3 if light_glaze else 0.8,
    )
    if eagle:
        ink = IRON if light_glaze else CREAM
        mug.paint(eagle_shapes(), 0, top + height * 0.42 - 0.2 * r, r * 0.68, ink)
    if monogram:
        mug.decorations.append(_monogram(monogram, r, top + height * 0.47 - 0.2 * r))
    if bird:
        # Same placement and slip colours as the eagle, then the bird's accent colour on top.
        silhouette, accent = BIRDS[bird][0]()
        ink = IRON if light_glaze else CREAM
        mug.paint(silhouette, 0, top + height * 0.42 - 0.2 * r, r * 0.76, ink)
        mug.paint(accent, 0, top + height * 0.42 - 0.2 * r, r * 0.76, BIRDS[bird][2])
    draw_vessel(img, mug)


def _monogram(letters: str, r: float, v: float) -> Callable[[ImageDraw.ImageDraw, Vessel], None]:
    def draw(d: ImageDraw.ImageDraw, vessel: Vessel) -> None:
        ink = CREAM
        ring_out = ellipse_poly(0, 0, 0.62 * r, 0.42 * r, n=60)
        ring_in = ellipse_poly(0, 0, 0.56 * r, 0.36 * r, n=60)
        d.polygon([vessel.surface(x, v + y) for x, y in ring_out], fill=ink)
        d.polygon([vessel.surface(x, v + y) for x, y in ring_in], fill=vessel.glaze)
        font = ImageFont.load_default(size=int(r * 0.3))
        fx, fy = vessel.surface(0, v)
        d.text((fx, fy), letters, font=font, fill=ink, anchor="mm")
        for side in (-1, 1):
            dot = ellipse_poly(side * 0.59 * r, 0, 0.035 * r, 0.035 * r, n=12)
            d.polygon([vessel.surface(x, v + y) for x, y in dot], fill=ink)

    return draw


def eagle_mug(colour: str) -> Image.Image:
    img = backdrop(W, W, WALL_WARM, TABLE_WOOD)
    add_mug(img, W * 0.46, W * 0.8, W * 0.2, W * 0.43, EAGLE_COLOURS[colour], f"eagle-{colour}", eagle=True)
    return img


def bird_mug(bird: str) -> Image.Image:
    img = backdrop(W, W, WALL_WARM, TABLE_WOOD)
    add_mug(img, W * 0.46, W * 0.8, W * 0.2, W * 0.43, BIRDS[bird][1], f"bird-{bird}", bird=bird)
    return img


def bird_mugs_trio() -> Image.Image:
    img = backdrop(W, W, (hexc("f1ebe3"), hexc("e4d9cc")), TABLE_WOOD, horizon=0.55)
    for bird, x, base in (("robin", 0.5, 0.66), ("wood-duck", 0.24, 0.84), ("finch", 0.74, 0.84)):
        add_mug(img, W * (x - 0.02), W * base, W * 0.12, W * 0.26, BIRDS[bird][1], f"trio-{bird}", bird=bird)
    return img


def eagle_mug_colours() -> Image.Image:
    img = backdrop(W, W, (hexc("f1ebe3"), hexc("e4d9cc")), TABLE_WOOD, horizon=0.5)
    back = [("red", 0.2), ("white", 0.5), ("orange", 0.8)]
    front = [("blue", 0.34), ("yellow", 0.66)]
    for name, x in back:
        add_mug(img, W * (x - 0.02), W * 0.6, W * 0.1, W * 0.22, EAGLE_COLOURS[name], f"row-{name}", eagle=True)
    for name, x in front:
        add_mug(img, W * (x - 0.02), W * 0.86, W * 0.115, W * 0.25, EAGLE_COLOURS[name], f"row-{name}", eagle=True)
    return img


def eagle_mug_sizes() -> Image.Image:
    img = backdrop(W, W, WALL_WARM, TABLE_WOOD)
    add_mug(img, W * 0.28, W * 0.8, W * 0.14, W * 0.3, EAGLE_COLOURS["red"], "size-12", eagle=True)
    add_mug(img, W * 0.66, W * 0.8, W * 0.16, W * 0.38, EAGLE_COLOURS["red"], "size-16", eagle=True)
    return img


def monogram_mug(letters: str, glaze: RGB, seed: str) -> Image.Image:
    img = backdrop(W, W, (hexc("eef0ea"), hexc("dfe3da")), (hexc("d2c0a8"), hexc("b9a385")))
    add_mug(img, W * 0.46, W * 0.8, W * 0.2, W * 0.43, glaze, seed, monogram=letters)
    return img


def everyday_mugs() -> Image.Image:
    img = backdrop(W, W, WALL_WARM, TABLE_WOOD)
    glazes = [("celadon", hexc("9bb8a5"), 0.22), ("oatmeal", hexc("e2d6bf"), 0.5), ("tenmoku", hexc("4a2c1f"), 0.78)]
    for name, glaze, x in glazes:
        add_mug(img, W * (x - 0.03), W * 0.74, W * 0.11, W * 0.26, glaze, f"everyday-{name}")
    return img


def everyday_mug_coasters() -> Image.Image:
    img = backdrop(W, W, WALL_WARM, TABLE_WOOD, horizon=0.45)
    glaze = hexc("9bb8a5")
    for x, y in ((0.26, 0.8), (0.72, 0.84)):
        cast_shadow(img, W * x + W * 0.02, W * y + W * 0.01, W * 0.14, W * 0.05, 0.3)
        coaster = Vessel(
            W * x,
            W * y - W * 0.02,
            W * y,
            [(0, W * 0.13), (1, W * 0.125)],
            glaze=glaze,
            k=0.38,
            glaze_end=None,
            interior="flat",
            seed=f"coaster-{x}",
            wall=W * 0.012,
        )
        coaster.inside_decorations.append(_rings([0.78], hexc("6d8b78"), 0.012))
        draw_vessel(img, coaster)
    add_mug(img, W * 0.48, W * 0.72, W * 0.15, W * 0.34, glaze, "everyday-coaster-mug", shadow=True)
    return img


def _rings(fractions: Sequence[float], colour: RGB, width: float) -> Callable[[Image.Image, Vessel], None]:
    def draw(col: Image.Image, vessel: Vessel) -> None:
        d = ImageDraw.Draw(col)
        rin = vessel.rt - vessel.wall
        for f in fractions:
            rr = rin * f
            cx, cy = vessel.rim_plane(0, 0)
            d.ellipse(
                (cx - rr, cy - rr * vessel.k, cx + rr, cy + rr * vessel.k),
                outline=colour,
                width=max(2, int(rin * width)),
            )

    return draw


def serving_bowl() -> Image.Image:
    img = backdrop(W, W, (hexc("efeae4"), hexc("e2dad0")), (hexc("c8b79f"), hexc("a99579")), horizon=0.52)
    cx, top, bottom, r = W * 0.5, W * 0.5, W * 0.76, W * 0.36
    cast_shadow(img, cx + W * 0.03, bottom + W * 0.01, r * 0.55, r * 0.12, 0.45)
    bowl = Vessel(
        cx,
        top,
        bottom,
        [(0, r), (0.25, r * 0.98), (0.6, r * 0.82), (0.88, r * 0.52), (1, r * 0.4)],
        glaze=hexc("d9cdb5"),
        inner=hexc("4f8a8b"),
        k=0.33,
        glaze_end=0.72,
        interior="bowl",
        seed="serving-bowl",
        speckle=1.6,
        glaze_fade=0.05,
        clay=hexc("b38d6a"),
    )
    bowl.inside_decorations.append(_pooled_centre(hexc("3d7272")))
    draw_vessel(img, bowl)
    return img


def _pooled_centre(colour: RGB) -> Callable[[Image.Image, Vessel], None]:
    """A darker pool of glaze in the well of a bowl."""

    def draw(col: Image.Image, vessel: Vessel) -> None:
        rin = vessel.rt - vessel.wall
        cx, cy = vessel.rim_plane(0, rin * 0.35)
        rr = rin * 0.45
        m = Image.new("L", col.size, 0)
        ImageDraw.Draw(m).ellipse((cx - rr, cy - rr * vessel.k, cx + rr, cy + rr * vessel.k), fill=150)
        col.paste(colour, (0, 0), m.filter(ImageFilter.GaussianBlur(rr * 0.25)))

    return draw


def breakfast_bowls() -> Image.Image:
    img = backdrop(W, W, WALL_WARM, (hexc("c9b294"), hexc("ad9475")), horizon=0.5)
    glaze, inner = hexc("5a3424"), hexc("c98f4f")
    for cx, base, r, seed in ((0.33, 0.64, 0.2, "bb-back"), (0.62, 0.83, 0.23, "bb-front")):
        top = W * base - r * W * 0.85
        cast_shadow(img, W * cx + W * 0.02, W * base + W * 0.005, W * r * 0.6, W * r * 0.14, 0.45)
        bowl = Vessel(
            W * cx,
            top,
            W * base,
            [(0, W * r), (0.3, W * r * 0.97), (0.7, W * r * 0.72), (1, W * r * 0.42)],
            glaze=glaze,
            inner=inner,
            k=0.33,
            glaze_end=0.8,
            interior="bowl",
            seed=seed,
            clay=hexc("b98f6b"),
            glaze_fade=0.0,
        )
        bowl.inside_decorations.append(_pooled_centre(scale(inner, 0.75)))
        # A band of the lighter glaze running over the rim, as tenmoku breaks to rust.
        bowl.decorations.append(_rim_band(scale(inner, 0.85), 0.1))
        draw_vessel(img, bowl)
    return img


def _rim_band(colour: RGB, depth: float) -> Callable[[ImageDraw.ImageDraw, Vessel], None]:
    def draw(d: ImageDraw.ImageDraw, vessel: Vessel) -> None:
        h = vessel.bottom - vessel.top
        v1 = vessel.top + h * depth
        rr = vessel.r(vessel.top)
        pts = [vessel.surface(s, vessel.top) for s in _arc_range(rr)]
        pts += [vessel.surface(s, v1 + h * 0.02 * math.sin(s / rr * 7)) for s in reversed(_arc_range(vessel.r(v1)))]
        d.polygon(pts, fill=colour)

    return draw


def _arc_range(rr: float, n: int = 60) -> list[float]:
    return [-rr * math.pi / 2 + rr * math.pi * i / n for i in range(n + 1)]


def berry_colander() -> Image.Image:
    img = backdrop(W, W, (hexc("f3eee6"), hexc("e6ddd2")), TABLE_WOOD, horizon=0.5)
    cx, top, bottom, r = W * 0.5, W * 0.5, W * 0.8, W * 0.3
    cast_shadow(img, cx + W * 0.03, bottom + W * 0.01, r * 0.6, r * 0.12, 0.45)
    glaze = hexc("e9e3d6")
    col = Vessel(
        cx,
        top,
        bottom,
        [(0, r), (0.3, r * 0.96), (0.75, r * 0.72), (1, r * 0.55)],
        glaze=glaze,
        inner=glaze,
        k=0.3,
        glaze_end=0.9,
        interior="bowl",
        seed="colander",
        speckle=1.5,
    )

    def holes(d: ImageDraw.ImageDraw, vessel: Vessel) -> None:
        h = vessel.bottom - vessel.top
        for row in range(4):
            v = vessel.top + h * (0.22 + row * 0.17)
            rr = vessel.r(v)
            n = 13 - row
            for i in range(n):
                a = -1.35 + 2.7 * (i + 0.5 * (row % 2)) / n
                s = a * rr
                x, y = vessel.surface(s, v)
                hw = h * 0.022 * math.cos(a) + 1
                d.ellipse((x - hw, y - h * 0.022, x + hw, y + h * 0.022), fill=hexc("4b3a30"))

    col.decorations.append(holes)

    def berries(canvas: Image.Image, vessel: Vessel) -> None:
        rng = seeded("berries")
        d = ImageDraw.Draw(canvas)
        rin = vessel.rt - vessel.wall
        items = []
        for _ in range(150):
            u = rng.uniform(-0.9, 0.9)
            heap = (1 - u * u) ** 0.8
            x = vessel.cx + u * rin
            y = (
                vessel.top
                + rng.uniform(-0.55, 0.55) * vessel.k * rin * math.sqrt(1 - u * u)
                - heap * rin * rng.uniform(0.0, 0.28)
            )
            items.append((y, x, rng.random() < 0.55, rng.uniform(0.9, 1.15)))
        for y, x, blue, size in sorted(items):
            br = W * 0.022 * size
            base = hexc("38406e") if blue else hexc("b9344b")
            d.ellipse((x - br, y - br, x + br, y + br), fill=scale(base, 0.6))
            d.ellipse((x - br * 0.85, y - br * 0.9, x + br * 0.75, y + br * 0.7), fill=base)
            d.ellipse((x - br * 0.55, y - br * 0.6, x - br * 0.15, y - br * 0.25), fill=mix(base, WHITE, 0.45))
            if blue:
                d.ellipse((x - br * 0.2, y - br * 0.2, x + br * 0.2, y + br * 0.2), fill=scale(base, 0.5))

    col.inside_decorations.append(berries)
    draw_vessel(img, col)
    return img


def bud_vase() -> Image.Image:
    img = backdrop(W, W, (hexc("eef1ec"), hexc("dde3dc")), (hexc("cfc1ac"), hexc("b6a68c")))
    cx, top, bottom, r = W * 0.5, W * 0.2, W * 0.82, W * 0.2
    cast_shadow(img, cx + W * 0.03, bottom + W * 0.005, r * 0.75, r * 0.15)
    vase = Vessel(
        cx,
        top,
        bottom,
        [(0, r * 0.3), (0.05, r * 0.26), (0.22, r * 0.22), (0.4, r * 0.55), (0.68, r), (0.9, r * 0.82), (1, r * 0.6)],
        glaze=hexc("a9c4b3"),
        inner=hexc("55705f"),
        k=0.2,
        glaze_end=0.92,
        seed="heron-vase",
        glaze_fade=0.1,
        wall=r * 0.06,
    )
    vase.paint(heron_shapes(), -r * 0.05, top + (bottom - top) * 0.62 - 0.2 * r, r * 0.56, hexc("3c4a45"))
    draw_vessel(img, vase)
    # A single dried grass stem.
    d = ImageDraw.Draw(img)
    stem = bezier((cx, top + W * 0.01), (cx - W * 0.02, top - W * 0.1), (cx + W * 0.07, top - W * 0.17))
    for p in stroke_polys(stem, W * 0.004):
        d.polygon(p, fill=hexc("a38f66"))
    for i in range(7):
        t = 0.5 + i * 0.07
        x, y = stem[int(t * (len(stem) - 1))]
        for side in (-1, 1):
            d.polygon(
                ellipse_poly(x + side * W * 0.008, y - W * 0.004, W * 0.01, W * 0.004, rot=-side * 40 - 20, n=16),
                fill=hexc("c2ab7d"),
            )
    return img


def bottle_vase() -> Image.Image:
    img = backdrop(W, W, (hexc("ece6df"), hexc("ddd3c8")), (hexc("c4ad92"), hexc("a88f72")), horizon=0.7)
    cx, top, bottom, r = W * 0.5, W * 0.1, W * 0.88, W * 0.2
    cast_shadow(img, cx + W * 0.03, bottom + W * 0.005, r * 0.7, r * 0.13)
    vase = Vessel(
        cx,
        top,
        bottom,
        [(0, r * 0.2), (0.04, r * 0.18), (0.3, r * 0.2), (0.5, r * 0.75), (0.75, r), (0.93, r * 0.86), (1, r * 0.68)],
        glaze=hexc("5f6a5a"),
        inner=hexc("2f342d"),
        k=0.18,
        glaze_end=0.88,
        seed="ash-bottle",
        glaze_fade=0.05,
        clay=hexc("a57e5e"),
        wall=r * 0.05,
    )

    def runs(d: ImageDraw.ImageDraw, vessel: Vessel) -> None:
        """Runs of pale ash glaze from the shoulder."""
        rng = seeded("ash-runs")
        h = vessel.bottom - vessel.top
        shoulder = vessel.top + h * 0.5
        band = [vessel.surface(s, shoulder - h * 0.06) for s in _arc_range(vessel.r(shoulder - h * 0.06))]
        band += [vessel.surface(s, shoulder + h * 0.02) for s in reversed(_arc_range(vessel.r(shoulder + h * 0.02)))]
        d.polygon(band, fill=hexc("a9ad8c"))
        for _ in range(15):
            a = rng.uniform(-1.4, 1.4)
            length = rng.uniform(0.12, 0.33) * h
            pts = []
            for i in range(12):
                v = shoulder + length * i / 11
                pts.append(vessel.surface(a * vessel.r(v), v))
            for p in stroke_polys(pts, h * rng.uniform(0.01, 0.02) * math.cos(a)):
                d.polygon(p, fill=mix(hexc("a9ad8c"), hexc("5f6a5a"), rng.uniform(0.0, 0.4)))

    vase.decorations.append(runs)
    draw_vessel(img, vase)
    return img


def trinket_dish() -> Image.Image:
    img = backdrop(W, W, (hexc("f5efe8"), hexc("e9e0d6")), (hexc("d7c6b0"), hexc("c0ab90")), horizon=0.3)
    cx, top, bottom, r = W * 0.5, W * 0.5, W * 0.6, W * 0.36
    cast_shadow(img, cx + W * 0.03, bottom + W * 0.01, r * 0.7, r * 0.28, 0.4)
    glaze = hexc("f1eadf")
    dish = Vessel(
        cx,
        top,
        bottom,
        [(0, r), (0.3, r * 0.97), (0.75, r * 0.82), (1, r * 0.66)],
        glaze=glaze,
        inner=glaze,
        k=0.55,
        glaze_end=None,
        interior="bowl",
        seed="wren-dish",
        wall=r * 0.05,
        glaze_fade=0.04,
    )

    def wren(col: Image.Image, vessel: Vessel) -> None:
        d = ImageDraw.Draw(col)
        size = r * 0.5
        for poly, role in wren_shapes():
            fill = {"ink": hexc("7a5238"), "cut": glaze, "wing": hexc("a3744f")}[role]
            d.polygon([vessel.rim_plane(x * size, y * size * 1.15 + r * 0.08) for x, y in poly], fill=fill)
        rin = vessel.rt - vessel.wall
        ring = rin * 0.9
        ccx, ccy = vessel.rim_plane(0, 0)
        d.ellipse(
            (ccx - ring, ccy - ring * vessel.k, ccx + ring, ccy + ring * vessel.k),
            outline=hexc("8aa3b5"),
            width=int(W * 0.006),
        )
        for i in range(28):
            a = 2 * math.pi * i / 28
            x, y = vessel.rim_plane(math.cos(a) * ring * 0.92, math.sin(a) * ring * 0.92)
            d.ellipse((x - W * 0.004, y - W * 0.003, x + W * 0.004, y + W * 0.003), fill=hexc("8aa3b5"))

    dish.inside_decorations.append(wren)
    draw_vessel(img, dish)
    return img


def teapot_scene(with_cups: bool) -> Image.Image:
    img = backdrop(W, W, (hexc("efe8df"), hexc("e0d5c8")), TABLE_WOOD, horizon=0.6)
    glaze = hexc("3f6f86")
    cx = W * (0.42 if with_cups else 0.47)
    base = W * (0.74 if with_cups else 0.8)
    R = W * (0.17 if with_cups else 0.21)
    top = base - R * 1.55
    cast_shadow(img, cx + R * 0.1, base + R * 0.04, R * 1.4, R * 0.22)
    # Spout, drawn behind the body so the body hides where it joins.
    d = ImageDraw.Draw(img)
    p0, p1, p2 = (cx - R * 0.55, base - R * 0.55), (cx - R * 1.35, base - R * 0.6), (cx - R * 1.45, top + R * 0.15)
    line = bezier(p0, p1, p2, n=90)
    for i, (x, y) in enumerate(line):
        t = i / (len(line) - 1)
        rad = R * (0.2 - 0.11 * t)
        d.ellipse((x - rad, y - rad, x + rad, y + rad), fill=scale(glaze, 0.55))
        d.ellipse((x - rad * 0.85, y - rad * 0.95, x + rad * 0.6, y + rad * 0.55), fill=scale(glaze, 0.85))
        d.ellipse((x - rad * 0.5, y - rad * 0.7, x - rad * 0.1, y - rad * 0.3), fill=mix(glaze, WHITE, 0.35))
    x, y = p2
    d.ellipse((x - R * 0.1, y - R * 0.05, x + R * 0.1, y + R * 0.05), fill=scale(glaze, 0.3))
    draw_handle(img, cx + R * 0.9, top + R * 0.78, R * 0.48, R * 0.42, R * 0.16, glaze)
    body = Vessel(
        cx,
        top,
        base,
        [(t / 12, R * math.sqrt(max(0.0, 1 - ((t / 12 - 0.52) / 0.65) ** 2))) for t in range(13)],
        glaze=glaze,
        inner=scale(glaze, 0.5),
        k=0.2,
        glaze_end=0.9,
        interior=None,
        seed="teapot",
        glaze_fade=0.08,
    )
    body.decorations.append(_rim_band(mix(glaze, hexc("c9d6d4"), 0.55), 0.06))
    draw_vessel(img, body)
    lid_top = top - R * 0.14
    lid = Vessel(
        cx,
        lid_top,
        top,
        [(0, R * 0.25), (0.5, R * 0.47), (1, R * 0.6)],
        glaze=mix(glaze, hexc("c9d6d4"), 0.45),
        k=0.2,
        glaze_end=None,
        interior=None,
        seed="lid",
        glaze_fade=0.0,
    )
    draw_vessel(img, lid)
    knob = Vessel(
        cx,
        lid_top - R * 0.16,
        lid_top + R * 0.01,
        [(0, R * 0.04), (0.3, R * 0.1), (0.7, R * 0.09), (1, R * 0.06)],
        glaze=glaze,
        k=0.2,
        glaze_end=None,
        interior=None,
        seed="knob",
        glaze_fade=0.0,
        speckle=0,
    )
    draw_vessel(img, knob)
    if with_cups:
        for i, (x, y) in enumerate(((0.74, 0.7), (0.8, 0.86), (0.52, 0.9))):
            cr = W * 0.07
            cast_shadow(img, W * x + cr * 0.1, W * y + cr * 0.05, cr * 1.15, cr * 0.2)
            cup = Vessel(
                W * x,
                W * y - cr * 1.6,
                W * y,
                [(0, cr), (0.7, cr * 0.95), (1, cr * 0.75)],
                glaze=glaze,
                inner=mix(glaze, hexc("c9d6d4"), 0.55),
                k=0.25,
                glaze_end=0.8,
                seed=f"cup-{i}",
            )
            cup.decorations.append(_rim_band(mix(glaze, hexc("c9d6d4"), 0.55), 0.12))
            draw_vessel(img, cup)
    return img


def dinner_plates() -> Image.Image:
    img = backdrop(W, W, (hexc("f1ece5"), hexc("e3dbd0")), (hexc("cbb89f"), hexc("ad9880")), horizon=0.3)
    cx, r = W * 0.5, W * 0.4
    base = W * 0.72
    cast_shadow(img, cx + W * 0.03, base + W * 0.02, r * 0.95, r * 0.42, 0.35)
    glaze = hexc("ece6da")
    thick = W * 0.028
    for i in range(3):
        bottom = base - i * thick * 0.95
        plate = Vessel(
            cx,
            bottom - thick,
            bottom,
            [(0, r), (0.6, r * 0.95), (1, r * 0.84)],
            glaze=glaze,
            inner=glaze,
            k=0.45,
            glaze_end=0.7,
            interior="flat",
            seed=f"plate-{i}",
            wall=r * 0.04,
            speckle=1.4,
        )
        if i == 2:
            plate.inside_decorations.append(_rings([0.93, 0.65], hexc("3e5f8a"), 0.012))
            plate.inside_decorations.append(_pooled_centre(hexc("e2dacb")))
        draw_vessel(img, plate)
    return img


# --- maker -------------------------------------------------------------------------------------


def maker_portrait() -> Image.Image:
    m = MAKER * SS
    img = gradient((m, m), hexc("efd5bf"), hexc("d8a888"))
    d = ImageDraw.Draw(img)
    cx = m * 0.5
    d.ellipse((cx - m * 0.36, m * 0.08, cx + m * 0.36, m * 0.8), fill=hexc("f6e8d8"))
    # A shelf of pots behind.
    shelf_y = m * 0.42
    d.rectangle((0, shelf_y, m, shelf_y + m * 0.025), fill=hexc("9c6f4f"))
    d.rectangle((0, shelf_y + m * 0.025, m, shelf_y + m * 0.035), fill=hexc("7d563c"))
    pots = [
        (0.08, 0.06, 0.13, hexc("4f7f8a"), "deep"),
        (0.18, 0.05, 0.09, hexc("e4dac8"), "deep"),
        (0.83, 0.07, 0.11, hexc("b5533a"), "deep"),
        (0.94, 0.045, 0.15, hexc("8aa58f"), "deep"),
    ]
    for x, r, h, glaze, kind in pots:
        v = Vessel(
            m * x,
            shelf_y - m * h,
            shelf_y,
            [(0, m * r * 0.6), (0.5, m * r), (1, m * r * 0.7)],
            glaze=glaze,
            k=0.2,
            interior=kind,
            seed=f"shelf-{x}",
            speckle=0.6,
        )
        draw_vessel(img, v)
    skin, skin_dark = hexc("e3b08c"), hexc("c98f6d")
    hair, hair_dark = hexc("7b3f26"), hexc("5d2d1a")
    # Hair behind the head, shoulders, apron.
    d.ellipse((cx - m * 0.17, m * 0.2, cx + m * 0.17, m * 0.6), fill=hair_dark)
    d.ellipse((cx - m * 0.42, m * 0.66, cx + m * 0.42, m * 1.35), fill=hexc("d9a441"))
    d.rounded_rectangle((cx - m * 0.055, m * 0.5, cx + m * 0.055, m * 0.7), radius=m * 0.03, fill=skin_dark)
    d.polygon([(cx - m * 0.1, m * 0.7), (cx + m * 0.1, m * 0.7), (cx, m * 0.78)], fill=skin_dark)
    d.polygon(
        [(cx - m * 0.2, m * 0.8), (cx + m * 0.2, m * 0.8), (cx + m * 0.27, m * 1.0), (cx - m * 0.27, m * 1.0)],
        fill=hexc("3f5a78"),
    )
    for side in (-1, 1):
        d.line(
            [(cx + side * m * 0.19, m * 0.81), (cx + side * m * 0.12, m * 0.68)],
            fill=hexc("3f5a78"),
            width=int(m * 0.03),
        )
    d.rectangle((cx - m * 0.1, m * 0.86, cx + m * 0.1, m * 0.87), fill=hexc("33495f"))
    # Clay smudges on the apron.
    for x, y, s in ((0.42, 0.9, 0.018), (0.6, 0.93, 0.012), (0.55, 0.85, 0.01)):
        d.ellipse((m * x - m * s, m * y - m * s * 0.7, m * x + m * s, m * y + m * s * 0.7), fill=hexc("8a6a55"))
    # Head.
    d.ellipse((cx - m * 0.125, m * 0.24, cx + m * 0.125, m * 0.56), fill=skin)
    d.ellipse((cx - m * 0.14, m * 0.36, cx - m * 0.105, m * 0.43), fill=skin_dark)
    d.ellipse((cx + m * 0.105, m * 0.36, cx + m * 0.14, m * 0.43), fill=skin_dark)
    # Hair: a bun and a side-swept fringe.
    d.ellipse((cx - m * 0.07, m * 0.1, cx + m * 0.07, m * 0.22), fill=hair)
    d.chord((cx - m * 0.14, m * 0.2, cx + m * 0.14, m * 0.48), 180, 360, fill=hair)
    d.polygon(
        [
            (cx - m * 0.13, m * 0.34),
            (cx - m * 0.02, m * 0.29),
            (cx + m * 0.13, m * 0.33),
            (cx + m * 0.13, m * 0.3),
            (cx - m * 0.13, m * 0.3),
        ],
        fill=hair,
    )
    d.arc((cx - m * 0.06, m * 0.12, cx + m * 0.06, m * 0.2), 200, 320, fill=hexc("9a5636"), width=int(m * 0.008))
    # A calm face: closed eyes, soft smile, cheeks.
    face = hexc("7a4a35")
    for side in (-1, 1):
        ex = cx + side * m * 0.05
        d.arc((ex - m * 0.025, m * 0.385, ex + m * 0.025, m * 0.415), 20, 160, fill=face, width=int(m * 0.006))
    cheeks = Image.new("L", img.size, 0)
    cd = ImageDraw.Draw(cheeks)
    for side in (-1, 1):
        ex = cx + side * m * 0.07
        cd.ellipse((ex - m * 0.03, m * 0.43, ex + m * 0.03, m * 0.47), fill=110)
    img.paste(hexc("e27f6e"), (0, 0), cheeks.filter(ImageFilter.GaussianBlur(m * 0.01)))
    d.arc((cx - m * 0.035, m * 0.44, cx + m * 0.035, m * 0.49), 30, 150, fill=face, width=int(m * 0.007))
    # Holding a freshly glazed bowl.
    bowl = Vessel(
        cx,
        m * 0.8,
        m * 0.93,
        [(0, m * 0.17), (0.6, m * 0.14), (1, m * 0.09)],
        glaze=hexc("4f8a8b"),
        inner=hexc("d9cdb5"),
        k=0.3,
        glaze_end=0.75,
        interior="bowl",
        seed="maker-bowl",
        clay=hexc("b38d6a"),
    )
    draw_vessel(img, bowl)
    for side in (-1, 1):
        hx = cx + side * m * 0.17
        d.ellipse((hx - m * 0.045, m * 0.83, hx + m * 0.045, m * 0.92), fill=skin)
        d.ellipse((hx - m * 0.045, m * 0.86, hx + m * 0.045, m * 0.92), fill=skin_dark)
        d.ellipse((hx - m * 0.04, m * 0.83, hx + m * 0.04, m * 0.9), fill=skin)
    return img


# --- output ------------------------------------------------------------------------------------


def save(img: Image.Image, name: str, size: int) -> int:
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    data = b""
    for quality in (QUALITY, 78, 74, 70):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True, subsampling="4:2:0")
        data = buf.getvalue()
        if len(data) <= MAX_BYTES:
            break
    (OUT / name).write_bytes(data)
    return len(data)


IMAGES: dict[str, tuple[Callable[[], Image.Image], int]] = {
    "eagle-mug-blue.jpg": (lambda: eagle_mug("blue"), PRODUCT),
    "eagle-mug-colours.jpg": (eagle_mug_colours, PRODUCT),
    "eagle-mug-sizes.jpg": (eagle_mug_sizes, PRODUCT),
    "monogram-mug.jpg": (lambda: monogram_mug("MLR", hexc("6f8f6a"), "mono-sage"), PRODUCT),
    "monogram-mug-navy.jpg": (lambda: monogram_mug("JMB", hexc("2c3e5c"), "mono-navy"), PRODUCT),
    "everyday-mug.jpg": (everyday_mugs, PRODUCT),
    "everyday-mug-coasters.jpg": (everyday_mug_coasters, PRODUCT),
    "riverstone-serving-bowl.jpg": (serving_bowl, PRODUCT),
    "breakfast-bowls.jpg": (breakfast_bowls, PRODUCT),
    "berry-colander.jpg": (berry_colander, PRODUCT),
    "heron-bud-vase.jpg": (bud_vase, PRODUCT),
    "ash-bottle-vase.jpg": (bottle_vase, PRODUCT),
    "wren-trinket-dish.jpg": (trinket_dish, PRODUCT),
    "stoneware-teapot.jpg": (lambda: teapot_scene(False), PRODUCT),
    "stoneware-teapot-cups.jpg": (lambda: teapot_scene(True), PRODUCT),
    "dinner-plates.jpg": (dinner_plates, PRODUCT),
    "maker.jpg": (maker_portrait, MAKER),
    # The private listing's own photos (see content/listings/bird-mugs-for-sam.yaml).
    "bird-mugs-trio.jpg": (bird_mugs_trio, PRODUCT),
    "bird-mug-wood-duck.jpg": (lambda: bird_mug("wood-duck"), PRODUCT),
    "bird-mug-robin.jpg": (lambda: bird_mug("robin"), PRODUCT),
    "bird-mug-finch.jpg": (lambda: bird_mug("finch"), PRODUCT),
}


def main(names: Sequence[str] = ()) -> None:
    """Draw every image, or only the ones named on the command line."""
    OUT.mkdir(parents=True, exist_ok=True)
    unknown = set(names) - set(IMAGES)
    if unknown:
        raise SystemExit(f"unknown image(s): {', '.join(sorted(unknown))}; choose from {', '.join(IMAGES)}")
    for name, (make, size) in IMAGES.items():
        if names and name not in names:
            continue
        n = save(make(), name, size)
        print(f"{name:32s} {size}x{size} {n / 1000:5.1f} KB")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
