"""Photo benchmark: makerfront's image step against Hugo's image processing, on the same photos.

    python benchmarks/photos.py                 # 20 phone photos, side by side with Hugo
    python benchmarks/photos.py --photos 200    # peak memory of a build with 200 photos
    python benchmarks/photos.py --no-hugo

It writes N deterministic 4032 x 3024 JPEGs (a phone's 12 megapixels, about 1.8 MB each, with the
EXIF block a phone writes: GPS position, camera, serial number) and makes of each the same files
both ways: widths 480, 800, 1200 and 1600, as WebP and JPEG, quality 80.

- **makerfront, photos only**: `images.make_images` on the photos, no cache, one worker process
  per CPU (what a first build does);
- **makerfront build, first / photos unchanged**: `makerfront build` of a shop of N listings, one
  photo each; then the same build after one listing's description changed (every photo unchanged,
  so taken from the build cache), against the same shop whose listings all show one small photo;
- **Hugo**: `hugo` on a site whose template calls `.Resize "480x webp q80"` (...) on each photo,
  from an empty resource cache, then again with its cache (Hugo's rebuild);
- **Lighthouse** (mobile, performance only) on the home, a listing and the maker's page of the
  photo shop, served on 127.0.0.1, when `--lighthouse` names Lighthouse's command
  (`npm i -E lighthouse@12.2.3` in a folder of your choice, then
  `--lighthouse that/folder/node_modules/.bin/lighthouse`; it drives Debian's chromium).

Peak memory is the largest sum of the proportional set size (PSS) of the build process and its workers,
sampled every 20 ms (needs psutil: `pip install -e '.[bench]'`). Figures are printed, never
asserted: the machine's speed is not the product's.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image, ImageDraw  # noqa: E402

WIDTHS = (480, 800, 1200, 1600)
QUALITY = 80
SIZE = (4032, 3024)


def phone_photo(seed: int, size: tuple[int, int] = SIZE) -> bytes:
    """A deterministic photo-like JPEG of ``size``: shapes on a gradient with sensor-like noise,
    and a phone's EXIF block."""
    rng = random.Random(seed)
    w, h = size
    base = Image.linear_gradient("L").rotate(rng.randrange(360)).resize(size)
    im = Image.merge("RGB", [base.point(lambda v, k=k: (v * k) // 4 + rng.randrange(64)) for k in (2, 3, 4)])
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.randrange(60, 600)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    tile = Image.frombytes("L", (512, 512), rng.randbytes(512 * 512)).convert("RGB")
    noise = Image.new("RGB", size)
    for x in range(0, w, 512):
        for y in range(0, h, 512):
            noise.paste(tile, (x, y))
    im = Image.blend(im, noise, 0.05)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0xA431] = "Google", "Pixel 9", f"SN{seed:08d}"
    exif[0x8825] = {1: "N", 2: (35.0, 35.0, float(seed % 60)), 3: "W", 4: (82.0, 33.0, 0.0)}
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85, exif=exif)
    return buf.getvalue()


def write_photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"photo-{i:03d}.jpg"
        if not path.exists():
            path.write_bytes(phone_photo(i))
        paths.append(path)
    return paths


class PeakMemory:
    """The largest total resident memory of a process and its children, sampled."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                # PSS: memory a worker shares with the build process (forked) is counted once.
                procs = [root, *root.children(recursive=True)]
                total = sum(p.memory_full_info().pss for p in procs)
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.02)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """(seconds, peak bytes of the process tree) of one run of ``cmd``."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with PeakMemory(proc.pid) as mem:
        _, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')}")
    return seconds, mem.peak


# -- makerfront ----------------------------------------------------------------------------------


def step_alone(photos: list[Path], jobs: int | None) -> tuple[float, float]:
    """(seconds, CPU seconds) of the image step on its own (no cache): the work Hugo is given."""
    from generator import parallel
    from generator.errors import SourceRef
    from generator.images import ImageSettings, PhotoJob, make_images

    settings = ImageSettings(widths=WIDTHS, formats=("webp", "jpeg"), quality=QUALITY)
    work = [PhotoJob(source=p, prefix=f"images/{p.stem}", where=SourceRef(path=p), field="src") for p in photos]

    def run(task, count):  # type: ignore[no-untyped-def]
        return parallel.map_photos(task, count, parallel.photo_workers(jobs, count))

    started, cpu = time.perf_counter(), cpu_seconds()
    result = make_images(work, settings, None, run)
    seconds = time.perf_counter() - started
    assert len(result.files) == len(photos) * len(WIDTHS) * 2
    return seconds, cpu_seconds() - cpu


SITE = """\
title: Photo Bench
base_url: https://bench.example/
contact:
  email: hi@bench.example
images:
  widths: [480, 800, 1200, 1600]
  formats: [webp, jpeg]
  quality: 80
"""
MAKER = "name: Bench Maker\nphoto: images/maker.jpg\ncustom_orders:\n  enabled: false\n"


def write_shop(root: Path, photos: list[Path], with_photos: bool) -> Path:
    content = root / "content"
    shutil.rmtree(root, ignore_errors=True)
    (content / "listings").mkdir(parents=True)
    (content / "images").mkdir()
    (content / "site.yaml").write_text(SITE, encoding="utf-8")
    (content / "maker.yaml").write_text(MAKER, encoding="utf-8")
    os.link(photos[-1], content / "images" / "maker.jpg")
    small = content / "images" / "small.jpg"
    Image.new("RGB", (800, 600), (120, 90, 60)).save(small, "JPEG")
    for i, photo in enumerate(photos):
        src = "images/small.jpg"
        if with_photos:
            os.link(photo, content / "images" / photo.name)
            src = f"images/{photo.name}"
        (content / "listings" / f"piece-{i:03d}.yaml").write_text(
            f"title: Piece {i}\nprice: {20 + i}\nimages:\n  - {{src: {src}, alt: Piece {i}}}\n"
            f"description: Piece number {i}.\n",
            encoding="utf-8",
        )
    return root


def makerfront_builds(root: Path, photos: list[Path], with_photos: bool) -> tuple[float, int, float]:
    """(first build s, its peak bytes, rebuild s with one description changed)."""
    shop = write_shop(root, photos, with_photos)
    cmd = [sys.executable, "-m", "generator", "build"]
    env = {**os.environ, "CI": "true"}
    first, peak = timed(cmd, shop, env)
    listing = shop / "content" / "listings" / "piece-000.yaml"
    rebuilds = []
    for n in range(3):
        time.sleep(2.1)  # out of the racy window, so the no-change check cannot skip the build
        listing.write_text(listing.read_text(encoding="utf-8").replace("Piece number 0", f"Piece number 0 ({n})"))
        rebuilds.append(timed(cmd, shop, env)[0])
    return first, peak, sorted(rebuilds)[1]


# -- Hugo ----------------------------------------------------------------------------------------

HUGO_TEMPLATE = """\
{{ range resources.Match "photos/*.jpg" }}
{{ $a := .Resize "480x webp q80" }}{{ $b := .Resize "800x webp q80" }}
{{ $c := .Resize "1200x webp q80" }}{{ $d := .Resize "1600x webp q80" }}
{{ $e := .Resize "480x jpg q80" }}{{ $f := .Resize "800x jpg q80" }}
{{ $g := .Resize "1200x jpg q80" }}{{ $h := .Resize "1600x jpg q80" }}
<img src="{{ $a.RelPermalink }}" srcset="{{ $b.RelPermalink }} 800w, {{ $c.RelPermalink }} 1200w, {{ $d.RelPermalink }} 1600w">
<img src="{{ $e.RelPermalink }}" srcset="{{ $f.RelPermalink }} 800w, {{ $g.RelPermalink }} 1200w, {{ $h.RelPermalink }} 1600w">
{{ end }}
"""


def hugo_builds(hugo: str, root: Path, photos: list[Path]) -> tuple[float, float, int, float]:
    """(build from an empty resource cache s, its CPU s, its peak bytes, rebuild with the cache s)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "assets" / "photos").mkdir(parents=True)
    (root / "layouts").mkdir()
    for photo in photos:
        os.link(photo, root / "assets" / "photos" / photo.name)
    (root / "config.toml").write_text(
        'baseURL = "https://bench.example/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
        '[imaging]\nquality = 80\nresampleFilter = "Lanczos"\n',
        encoding="utf-8",
    )
    (root / "layouts" / "index.html").write_text(HUGO_TEMPLATE, encoding="utf-8")
    cmd = [hugo, "--quiet", "-d", "public", "--cacheDir", str(root / "cache")]
    cpu = cpu_seconds()
    first, peak = timed(cmd, root)
    cpu = cpu_seconds() - cpu
    again = sorted(timed(cmd, root)[0] for _ in range(3))[1]
    return first, cpu, peak, again


def lighthouse(command: str, site: Path) -> None:
    """Lighthouse's mobile performance score of three pages of the built shop ``site``."""
    import http.server
    import json
    from functools import partial

    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    chromium = shutil.which("chromium") or "chromium"
    try:
        for page in ("", "listings/piece-000/", "maker/"):
            report = site.parent / "lighthouse.json"
            env = {**os.environ, "CHROME_PATH": chromium}
            subprocess.run(
                [command, f"http://127.0.0.1:{port}/{page}", "--only-categories=performance", "--form-factor=mobile",
                 "--output=json", f"--output-path={report}", "--quiet",
                 "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                env=env, check=True, timeout=300,
            )  # fmt: skip
            data = json.loads(report.read_text(encoding="utf-8"))
            audits = data["audits"]
            score = round(data["categories"]["performance"]["score"] * 100)
            lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
            cls = audits["cumulative-layout-shift"]["numericValue"]
            weight = audits["total-byte-weight"]["numericValue"] / 1000
            print(
                f"Lighthouse mobile /{page:<22} Performance {score:3d}  LCP {lcp:4.1f} s  CLS {cls:.3f}  {weight:5.0f} KB"
            )
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "makerfront-photo-bench")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--runs", type=int, default=1, help="makerfront / Hugo pairs, in turns")
    parser.add_argument("--lighthouse", metavar="COMMAND", help="Lighthouse's command, to score three pages")
    args = parser.parse_args()
    work: Path = args.workdir
    started = time.perf_counter()
    photos = write_photos(work / "photos", args.photos)
    size = sum(p.stat().st_size for p in photos) / len(photos) / 1e6
    print(
        f"{len(photos)} photos of {SIZE[0]} x {SIZE[1]}, {size:.1f} MB each (made in {time.perf_counter() - started:.0f} s)"
    )
    print(f"each made into {len(WIDTHS)} widths {WIDTHS} x (WebP + JPEG), quality {QUALITY}; {os.cpu_count()} CPUs\n")

    hugo = shutil.which("hugo")
    with_hugo = bool(hugo) and not args.no_hugo
    # In turns, each makerfront run right before a Hugo run, so both see the same load on a
    # shared machine; the CPU seconds depend less on that load than the wall-clock ones.
    pairs: list[tuple[float, float, float, float]] = []
    h_peak, h_again = 0, 0.0
    for _ in range(args.runs):
        alone, alone_cpu = step_alone(photos, args.jobs)
        print(f"makerfront image step alone:           {alone:7.2f} s   CPU {alone_cpu:6.2f} s")
        if with_hugo:
            assert hugo is not None
            h_first, h_cpu, h_peak, h_again = hugo_builds(hugo, work / "hugo", photos)
            print(f"Hugo first build (same photos, work):  {h_first:7.2f} s   CPU {h_cpu:6.2f} s")
            pairs.append((alone, alone_cpu, h_first, h_cpu))
    first, peak, rebuild = makerfront_builds(work / "shop", photos, True)
    _, _, base_rebuild = makerfront_builds(work / "shop-no-photos", photos, False)
    print(f"makerfront build, first:               {first:7.2f} s   peak memory {peak / 2**20:.0f} MB (all processes)")
    print(
        f"makerfront rebuild, photos unchanged:  {rebuild:7.3f} s   (the same shop with one small photo: {base_rebuild:.3f} s,"
    )
    print(f"                                                   so the photos cost {rebuild - base_rebuild:+.3f} s)")
    if with_hugo:
        assert hugo is not None
        version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1]
        print(f"Hugo {version}: peak memory {h_peak / 2**20:.0f} MB; rebuild with its cache {h_again:.3f} s")
        wall = sorted(a / h for a, _, h, _ in pairs)[len(pairs) // 2]
        cpu = sorted(a / h for _, a, _, h in pairs)[len(pairs) // 2]
        print(f"\nmakerfront image step / Hugo, median of {len(pairs)} pair(s): wall {wall:.3f}x, CPU {cpu:.3f}x")
    elif not hugo:
        print("Hugo not found (`apt-get install -y hugo` to compare)")
    if args.lighthouse:
        print()
        lighthouse(args.lighthouse, work / "shop" / "output")


if __name__ == "__main__":
    main()
