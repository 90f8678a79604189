"""Planned photos -> upright, resized, metadata-free files (the image step).

Every photo a page shows (listings, the maker, the favicon) is read once, turned upright (its
EXIF orientation applied to the pixels), converted to sRGB through its embedded ICC profile (so a
glaze keeps the colour it really has), resized with a Lanczos filter to the widths of site.yaml's
`images:` (never larger than the photo) and written as JPEG (progressive) and WebP, AVIF if asked.
Nothing of the original file is published: no EXIF (GPS position, camera serial number), XMP,
IPTC, ICC profile or comment, whatever the format, because each file is encoded from bare pixels.
SVG and GIF files are published as they are (an SVG with scripts is refused).

Plain values in and out: `PhotoJob`s (from the plan) and `ImageSettings` (from site.yaml) go in;
`ImageSet` (each photo's `ProcessedImage` and the files to publish) comes out. The files come
from the build cache when the same source bytes were made with the same settings before
(`buildcache.ImageCache`), and new ones are made by the worker processes.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

from .errors import ErrorList, SiteError, SourceRef

VERSION = "1"
"""Part of every cache key: change it when the pixels or bytes made for the same settings change."""

MAX_PHOTO_PIXELS = 100_000_000
"""The largest photo makerfront reads, in pixels: more than a camera or phone photo at its usual
size (a 61-megapixel camera's is 9504 x 6336), far more than a shop page shows. A larger file is
a mistake, or a decompression bomb: a small file that takes gigabytes once decoded."""

DEFAULT_WIDTHS = (480, 800, 1200, 1600)
"""Widths made of every photo: a phone's card (480), a phone's listing page or a card on a
large screen (800), a large screen (1200, also the size link previews ask for) and a sharp
large screen (1600)."""
DEFAULT_QUALITY = 80
FORMATS: Mapping[str, tuple[str, str]] = {
    "jpeg": ("image/jpeg", ".jpg"),
    "webp": ("image/webp", ".webp"),
    "avif": ("image/avif", ".avif"),
}
"""Format name in site.yaml -> (MIME type, file extension). JPEG is always made: every browser
and every link preview reads it."""
SHARE_WIDTH = 1200
"""Width of the JPEG that link previews (og:image) and structured data use, when the photo has it."""
FAVICON_WIDTH = 256
"""The favicon is published as one PNG at most this wide."""
SMALL_PHOTO = 800
"""A listing photo narrower than this looks soft on a listing page: the build warns."""
ODD_ASPECT = 3.0
"""A listing photo more than this many times wider than tall (or taller than wide) shows as a thin
strip: the build warns."""

READ_FORMATS: Mapping[str, str] = {
    "JPEG": "JPEG",
    "MPO": "JPEG",  # a camera's JPEG with a second, small picture in it
    "PNG": "PNG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "HEIF": "HEIC",
    "AVIF": "AVIF",
    "TIFF": "TIFF",
    "BMP": "BMP",
}
"""Pillow's name of each format makerfront reads -> the name a maker knows. Others (Photoshop,
PDF, icons...) are refused with a message."""
READ_FORMATS_TEXT = "JPEG, PNG, WebP, HEIC, AVIF, GIF or SVG"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageSettings:
    """site.yaml's `images:` block."""

    widths: tuple[int, ...] = DEFAULT_WIDTHS
    """Widths in pixels, smallest first."""
    formats: tuple[str, ...] = ("webp", "jpeg")
    """Formats made of each width (keys of FORMATS), always with jpeg."""
    quality: int = DEFAULT_QUALITY
    """Encoder quality, 1-100."""

    def key(self) -> str:
        return f"{VERSION}|{','.join(map(str, self.widths))}|{','.join(self.formats)}|{self.quality}"


PhotoRole = Literal["photo", "favicon"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhotoJob:
    """One photo to publish, as the plan placed it."""

    source: Path
    """The file in content/."""
    prefix: str
    """Output path of its files without size and extension: 'images/mug' (public) or
    'p/<token>/<name>' (a private listing's, a name that tells nothing about the photo)."""
    where: SourceRef
    """The line that names the photo (listing, maker.yaml or site.yaml), for messages."""
    field: str
    """The field on that line, e.g. 'images[0].src'."""
    role: PhotoRole = "photo"


@dataclass(frozen=True, slots=True)
class Variant:
    """One published file of a photo."""

    output: str
    """Output path, relative to the output folder."""
    width: int
    height: int
    type: str
    """MIME type: 'image/jpeg', 'image/webp', 'image/avif', 'image/png'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessedImage:
    width: int | None
    """Width of the upright photo (None for an SVG without a size)."""
    height: int | None
    variants: tuple[Variant, ...]
    """The files made, by format (JPEG first) then width; one file for a favicon, an SVG or a GIF."""

    def of_type(self, mime: str) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.type == mime)


@dataclass(slots=True)
class ImageSet:
    """The image step's result."""

    images: dict[str, ProcessedImage] = field(default_factory=dict)
    """PhotoJob.prefix -> what was made of it."""
    files: dict[str, bytes | Path] = field(default_factory=dict)
    """Output path -> bytes, or the build cache's file holding them."""
    favicon: ProcessedImage | None = None
    """The favicon's file, when site.yaml names one."""
    made: int = 0
    """Photos processed this time (the others came from the cache)."""
    cached: set[str] = field(default_factory=set)
    """Outputs taken as files from the build cache on disk (checked when they were made)."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """write.content_digest of those files, as the cache recorded it."""
    keys: list[str] = field(default_factory=list)
    """The cache keys of every photo: once the build has succeeded, ImageCache.finish(keys)
    keeps those and deletes the rest (a failed build leaves the cache as it was)."""

    def add(self, job: PhotoJob, image: ProcessedImage, files: Mapping[str, bytes | Path]) -> None:
        if job.role == "favicon":
            self.favicon = image
        else:
            self.images[job.prefix] = image
        self.files.update(files)


class ImageCache(Protocol):
    """Where processed photos are kept between builds: buildcache.ImageCache on disk, or
    MemoryImageCache (the dev server). Meta is ProcessedImage as plain tuples (to_meta)."""

    def source_digest(self, path: Path) -> bytes: ...

    def load(self, key: str) -> tuple[object, Mapping[str, bytes | Path], Mapping[str, bytes]] | None:
        """(meta, output path -> bytes or file, output path -> write.content_digest of the files)."""
        ...

    def store(self, key: str, meta: object, files: Mapping[str, bytes]) -> Mapping[str, bytes | Path]: ...

    def finish(self, used: Iterable[str]) -> None: ...


class MemoryImageCache:
    """An ImageCache in memory, kept from one build to the next by the dev server: an unchanged
    photo (same stamp, so the same bytes) is not read or made again."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[object, dict[str, bytes]]] = {}
        self._digests: dict[tuple[str, int, int, int, int], bytes] = {}

    def source_digest(self, path: Path) -> bytes:
        st = path.stat()
        stamp = (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        found = self._digests.get(stamp)
        if found is None:
            found = self._digests[stamp] = hashlib.sha256(path.read_bytes()).digest()
        return found

    def load(self, key: str) -> tuple[object, Mapping[str, bytes | Path], Mapping[str, bytes]] | None:
        found = self._entries.get(key)
        return (found[0], found[1], {}) if found is not None else None

    def store(self, key: str, meta: object, files: Mapping[str, bytes]) -> Mapping[str, bytes | Path]:
        self._entries[key] = (meta, dict(files))
        return files

    def finish(self, used: Iterable[str]) -> None:
        keep = set(used)
        self._entries = {k: v for k, v in self._entries.items() if k in keep}
        self._digests = {}


def to_meta(image: ProcessedImage) -> tuple[object, ...]:
    return (image.width, image.height, tuple((v.output, v.width, v.height, v.type) for v in image.variants))


def from_meta(meta: object) -> ProcessedImage | None:
    if not isinstance(meta, tuple) or len(meta) != 3:
        return None
    width: int | None = meta[0]
    height: int | None = meta[1]
    try:
        files = tuple(Variant(*v) for v in meta[2])
    except TypeError:
        return None
    return ProcessedImage(width=width, height=height, variants=files)


class PhotoError(Exception):
    """A photo that cannot be published; ``message`` says why in a maker's words."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# -- reading ---------------------------------------------------------------------------------


HEIF_SUFFIXES = (".heic", ".heif", ".hif")


def register_formats() -> None:
    """Teach Pillow HEIC/HEIF (iPhone photos) through pillow-heif. Called before a HEIC file is
    opened (or a file Pillow does not know otherwise), never at import time: loading it costs
    more than reading a shop's unchanged photos. Registering twice is harmless."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return
    register_heif_opener(thumbnails=False)


@dataclass(frozen=True, slots=True)
class Header:
    """What a photo's header says, read without decoding its pixels."""

    width: int
    """Upright width (EXIF orientation applied)."""
    height: int
    format: str
    """Pillow's format name, e.g. 'JPEG'."""


def open_photo(path: Path) -> PILImage.Image:
    """PILImage.open, with HEIC known when the file may be one."""
    if path.suffix.lower() in HEIF_SUFFIXES:
        register_formats()
    with warnings.catch_warnings():
        # Pillow warns above ~89 megapixels and refuses twice that; makerfront's own limit
        # (MAX_PHOTO_PIXELS) applies instead, with a message.
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        try:
            return PILImage.open(path)
        except UnidentifiedImageError:
            register_formats()  # a HEIC photo under another name
            return PILImage.open(path)


def read_header(path: Path) -> Header:
    """The upright size and format of a photo, from its header. Raises PhotoError for a file
    that is not a photo makerfront reads, or one so large it would not be decoded."""
    try:
        with open_photo(path) as im:
            fmt = im.format or ""
            width, height = im.size
            orientation = _orientation(im)
    except PILImage.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large(int(found[1]) if found else None) from None
    except FileNotFoundError:
        raise PhotoError("this file does not exist") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError("is not an image makerfront can read", hint=f"use a {READ_FORMATS_TEXT} file") from exc
    if fmt not in READ_FORMATS:
        raise PhotoError(
            f"is in the {fmt or 'unknown'} format, which makerfront does not publish",
            hint=f"save it as JPEG or PNG (makerfront reads {READ_FORMATS_TEXT})",
        )
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_large(width * height, (width, height))
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Header(width, height, fmt)


def _too_large(pixels: int | None, size: tuple[int, int] | None = None) -> PhotoError:
    shown = f"more than {_megapixels(MAX_PHOTO_PIXELS)}"
    if size is not None and pixels:
        shown = f"{size[0]} x {size[1]} pixels ({_megapixels(pixels)})"
    elif pixels:
        shown = _megapixels(pixels)
    return PhotoError(
        f"this photo is {shown}: makerfront reads photos of up to {_megapixels(MAX_PHOTO_PIXELS)}",
        hint="make it smaller in a photo editor: a shop page shows photos at most about 2000 pixels wide",
    )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.0f} megapixels"


def _orientation(im: PILImage.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block: the photo is shown as stored
        return 1
    return value if isinstance(value, int) else 1


def photo_warnings(width: int | None, height: int | None) -> list[str]:
    """Why a listing photo of this (upright) size may disappoint, as messages; [] when fine."""
    if not width or not height:
        return []
    notes = []
    if width < SMALL_PHOTO:
        notes.append(
            f"this photo is only {width} pixels wide, so it looks soft on a listing page "
            f"(at least {SMALL_PHOTO}, better 1600, is best)"
        )
    ratio = max(width / height, height / width)
    if ratio > ODD_ASPECT:
        notes.append(
            f"this photo is {width} x {height} pixels, a very long strip: it shows small on every page "
            "(photos between 3:1 and 1:3 show best)"
        )
    return notes


# -- SVG -------------------------------------------------------------------------------------

_SVG_ACTIVE = re.compile(
    rb"<\s*script|<\s*foreignobject|\son[a-z]+\s*=|javascript\s*:|<\s*iframe|<\s*embed|<\s*object",
    re.IGNORECASE,
)


def check_svg(data: bytes) -> None:
    """An SVG runs its scripts when opened as a page of its own (a full-size photo link, or one
    shared): one with scripts, event handlers or embedded pages is refused."""
    if _SVG_ACTIVE.search(data):
        raise PhotoError(
            "this SVG file contains a script or embedded content, which makerfront does not publish",
            hint="export the drawing again as plain SVG (no scripts), or as PNG",
        )


# -- processing ------------------------------------------------------------------------------


def widths_for(width: int, wanted: Sequence[int]) -> list[int]:
    """The widths to make of a photo ``width`` pixels wide: those of ``wanted`` it is wider
    than, and its own width when it is narrower than the largest (never larger than it is)."""
    out = [w for w in wanted if w < width]
    if not out or max(wanted) >= width:
        out.append(width)
    return sorted(set(out))


def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: PILImage.Image, icc: bytes | None) -> PILImage.Image:
    """RGB or RGBA pixels in sRGB: through the embedded profile when there is one."""
    alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        im = im.point(lambda v: v / 256).convert("L") if im.mode != "F" else im.convert("L")
    if im.mode == "P":
        im = im.convert("RGBA" if alpha else "RGB")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if alpha and im.mode in ("RGBA", "LA") else "RGB"
            if im.mode == "LA":
                im = im.convert("RGBA")
            converted = ImageCms.profileToProfile(
                im, source, _srgb(), renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=mode
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels are taken as sRGB, as browsers would
    return im.convert("RGBA" if alpha else "RGB")


def _bare(im: PILImage.Image) -> PILImage.Image:
    """The same pixels with nothing else: no EXIF, XMP, ICC profile or comment to copy."""
    im.info = {}
    return im


def _encode(im: PILImage.Image, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    im = _bare(im)
    if fmt == "jpeg":
        if im.mode != "RGB":
            flat = PILImage.new("RGB", im.size, (255, 255, 255))
            flat.paste(im, mask=im.getchannel("A") if "A" in im.getbands() else None)
            im = flat
        im.save(buf, "JPEG", quality=quality, optimize=True, progressive=True, exif=b"", icc_profile=None)
    elif fmt == "webp":
        im.save(buf, "WEBP", quality=quality, method=4, exif=b"", xmp="", icc_profile="")
    elif fmt == "avif":
        im.save(buf, "AVIF", quality=quality, exif=b"", xmp=b"", icc_profile=b"")
    elif fmt == "png":
        im.save(buf, "PNG", optimize=True)
    else:  # pragma: no cover - settings are validated
        raise ValueError(fmt)
    return buf.getvalue()


def process(job: PhotoJob, settings: ImageSettings) -> tuple[ProcessedImage, dict[str, bytes]]:
    """Make the files of one photo. Raises PhotoError for a photo that cannot be read."""
    suffix = job.source.suffix.lower()
    if suffix in (".svg", ".gif"):
        return _pass_through(job, suffix)
    try:
        im = open_photo(job.source)
    except PILImage.DecompressionBombError:
        raise _too_large(None) from None
    except FileNotFoundError:
        raise PhotoError("this file does not exist (it was there when the build started)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError("is not an image makerfront can read", hint=f"use a {READ_FORMATS_TEXT} file") from exc
    with im:
        if im.format == "GIF":
            return _pass_through(job, ".gif")
        w, h = im.size
        if w * h > MAX_PHOTO_PIXELS:
            raise _too_large(w * h, (w, h))
        orientation = _orientation(im)
        turned = orientation in (5, 6, 7, 8)
        up_w, up_h = (h, w) if turned else (w, h)
        limit = FAVICON_WIDTH if job.role == "favicon" else max(settings.widths)
        largest = min(up_w, limit)
        if im.format in ("JPEG", "MPO"):
            # DCT scaling: decode at 1/2, 1/4 or 1/8 of the size when that is still at least as
            # large as the largest width made (4 to 8 times less work for a phone photo).
            need_h = max(1, round(largest * up_h / up_w))
            im.draft("RGB", (need_h, largest) if turned else (largest, need_h))
        icc = im.info.get("icc_profile")
        try:
            im.load()
            upright = ImageOps.exif_transpose(im) if orientation != 1 else im
            pixels = _to_srgb(upright, icc if isinstance(icc, bytes) else None)
        except PILImage.DecompressionBombError:
            raise _too_large(w * h, (w, h)) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise PhotoError(
                f"this photo is damaged ({_reason(exc)}) and cannot be read to its end",
                hint="copy or export the photo again from your phone or camera",
            ) from exc
    if job.role == "favicon":
        out = pixels if pixels.width <= largest else _resize(pixels, largest, round(largest * up_h / up_w))
        name = f"{job.prefix}.png"
        return (
            ProcessedImage(
                width=out.width, height=out.height, variants=(Variant(name, out.width, out.height, "image/png"),)
            ),
            {name: _encode(out, "png", settings.quality)},
        )
    variants: list[Variant] = []
    files: dict[str, bytes] = {}
    sizes = [(tw, max(1, round(tw * up_h / up_w))) for tw in widths_for(up_w, settings.widths)]
    # Largest first, each made from the one before: a Lanczos step from a photo less than twice
    # as large looks the same as one from the full photo, in about two thirds of the time.
    resized: dict[int, PILImage.Image] = {}
    previous = pixels
    for tw, th in reversed(sizes):
        previous = resized[tw] = previous if (tw, th) == previous.size else _resize(previous, tw, th)
    for fmt in _ordered(settings.formats):
        mime, ext = FORMATS[fmt]
        for tw, th in sizes:
            name = f"{job.prefix}-{tw}{ext}"
            files[name] = _encode(resized[tw], fmt, settings.quality)
            variants.append(Variant(name, tw, th, mime))
    return ProcessedImage(width=up_w, height=up_h, variants=tuple(variants)), files


def _ordered(formats: Sequence[str]) -> list[str]:
    return sorted(set(formats) | {"jpeg"}, key=list(FORMATS).index)


def _resize(im: PILImage.Image, width: int, height: int) -> PILImage.Image:
    # reducing_gap: a box filter first brings a large photo near the size, then Lanczos: the
    # same look at a fraction of the time for a 4032-pixel photo.
    return im.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    if "truncated" in text or isinstance(exc, EOFError):
        return "the file is cut short"
    return text if text and len(text) < 80 else type(exc).__name__


def _pass_through(job: PhotoJob, suffix: str) -> tuple[ProcessedImage, dict[str, bytes]]:
    try:
        data = job.source.read_bytes()
    except OSError as exc:
        raise PhotoError(f"cannot read this file ({(exc.strerror or str(exc)).lower()})") from exc
    width = height = None
    mime = "image/svg+xml"
    if suffix == ".svg":
        check_svg(data)
    else:
        mime = "image/gif"
        try:
            with PILImage.open(io.BytesIO(data)) as im:
                width, height = im.size
        except (UnidentifiedImageError, OSError) as exc:
            raise PhotoError("is not an image makerfront can read", hint=f"use a {READ_FORMATS_TEXT} file") from exc
    name = f"{job.prefix}{suffix}"
    return (
        ProcessedImage(width=width, height=height, variants=(Variant(name, width or 0, height or 0, mime),)),
        {name: data},
    )


# -- the step --------------------------------------------------------------------------------


def cache_key(source_digest: bytes, job: PhotoJob, settings: ImageSettings) -> str:
    """What decides a photo's files: its bytes, its settings, its role and where they go."""
    h = hashlib.sha256(source_digest)
    h.update(f"\0{settings.key()}\0{job.role}\0{job.prefix}\0{job.source.suffix.lower()}".encode())
    return h.hexdigest()


def photo_error(job: PhotoJob, err: PhotoError) -> SiteError:
    shown = job.source.name
    message = err.message if err.message.startswith("this") else f"{shown} {err.message}"
    return SiteError.at(job.where, f"{job.field}: {message}", hint=err.hint)


Mapper = Callable[[Callable[[int], object], int], list[object]]
"""map(func, count) -> [func(0), ..., func(count - 1)], perhaps in worker processes."""


def make_images(
    jobs: Sequence[PhotoJob],
    settings: ImageSettings,
    cache: ImageCache | None = None,
    run: Mapper | None = None,
) -> ImageSet:
    """The files of every photo in ``jobs``: from ``cache`` when it has them, else made (by
    ``run``, which may spread them over worker processes, and kept in ``cache``). Raises
    BuildFailed naming each photo that cannot be published, at the line of the content that
    names it. Nothing of the cache is deleted here (see ImageSet.keys)."""
    result = ImageSet()
    errors = ErrorList()
    todo: list[tuple[PhotoJob, str]] = []
    used: list[str] = []
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        if (job.prefix, job.role) in seen:
            continue
        seen.add((job.prefix, job.role))
        key = ""
        if cache is not None:
            try:
                key = cache_key(cache.source_digest(job.source), job, settings)
            except OSError as exc:
                errors.add(photo_error(job, PhotoError(f"cannot be read ({(exc.strerror or str(exc)).lower()})")))
                continue
            used.append(key)
            hit = cache.load(key)
            image = from_meta(hit[0]) if hit is not None else None
            if hit is not None and image is not None:
                result.add(job, image, hit[1])
                result.cached.update(name for name, data in hit[1].items() if isinstance(data, Path))
                result.digests.update(hit[2])
                continue
        todo.append((job, key))

    def one(i: int) -> object:
        job, key = todo[i]
        try:
            image, files = process(job, settings)
        except PhotoError as err:
            return err
        if cache is not None:
            return to_meta(image), cache.store(key, to_meta(image), files)
        return to_meta(image), files

    mapper = run or (lambda f, n: [f(i) for i in range(n)])
    for (job, _), out in zip(todo, mapper(one, len(todo)), strict=True):
        if isinstance(out, PhotoError):
            errors.add(photo_error(job, out))
            continue
        assert isinstance(out, tuple)
        image = from_meta(out[0])
        assert image is not None
        result.add(job, image, out[1])
        result.made += 1
    errors.raise_if_any()
    result.keys = used
    return result
