"""Phone-like photos made at test time (never committed): a size, an EXIF block with what
phones write (GPS position, camera model and serial, orientation), a colour profile."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

from PIL import Image, ImageDraw

PHONE_SIZE = (4032, 3024)
"""A 12-megapixel phone photo, as stored (landscape; Orientation 6 shows it portrait)."""
SERIAL = "SN-4242-MAKER"
MODEL = "Pixel 9 Pro"


def phone_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Google"
    exif[0x0110] = MODEL
    exif[0x9286] = "my workshop"  # UserComment-like free text
    exif[0xA431] = SERIAL  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (35.0, 35.0, 48.0), 3: "W", 4: (82.0, 33.0, 12.0)}  # GPS
    return exif


def scene(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """A photo-like picture, the same for the same seed: shapes on a gradient with grain as a
    phone sensor gives (so it compresses like a photo, not like a drawing), and a red square in
    the top left corner (so a wrong turn shows)."""
    rng = random.Random(seed)
    w, h = size
    base = Image.linear_gradient("L").resize(size)
    im = Image.merge("RGB", [base.point(lambda v, k=k: (v * k) // 4 + rng.randrange(64)) for k in (2, 3, 4)])
    draw = ImageDraw.Draw(im)
    for _ in range(30):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(w // 60 + 1, w // 6 + 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    tile = Image.frombytes("L", (256, 256), rng.randbytes(256 * 256)).convert("RGB")
    grain = Image.new("RGB", size)
    for x in range(0, w, 256):
        for y in range(0, h, 256):
            grain.paste(tile, (x, y))
    im = Image.blend(im, grain, 0.06)
    im.paste((220, 30, 30), (0, 0, w // 5, h // 5))
    return im


def phone_jpeg(
    size: tuple[int, int] = PHONE_SIZE, orientation: int = 6, icc: bytes | None = None, quality: int = 90, seed: int = 1
) -> bytes:
    buf = io.BytesIO()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="35,35.8N"'
        b' aux:SerialNumber="' + SERIAL.encode() + b'"/></rdf:RDF></x:xmpmeta>'
    )
    scene(size, seed).save(
        buf, "JPEG", quality=quality, exif=phone_exif(orientation), icc_profile=icc, comment=b"at my workshop", xmp=xmp
    )
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _s15(x: float) -> bytes:
    return struct.pack(">i", round(x * 65536))


def swapped_profile() -> bytes:
    """An RGB display profile whose red and blue primaries are sRGB's blue and red: a pixel stored
    as pure red means blue. A converter that ignores the profile shows red."""
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)

    def xyz(v: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(_s15(c) for c in v)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    desc_text = b"swapped\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(desc_text)) + desc_text + b"\0" * 12 + b"\0" * 67
    desc += b"\0" * (-len(desc) % 4)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(blue)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz(red)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    size = offset + len(body)
    header = struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
    header += b"\0" * 12 + b"acsp" + b"\0" * 24 + b"\0\0\0\0" + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + body
