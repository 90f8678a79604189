#!/usr/bin/env python3
"""How much the private-listing leak guard adds to a build.

Writes a synthetic shop (N public listings, K private ones, each with its own photo) into a
temporary folder, builds it in memory with the guard off, then times generator.guard.check_outputs
over the same outputs. Prints the figures; asserts nothing.

    .venv/bin/python benchmarks/leak_guard.py            # 2000 public, 10 private
    .venv/bin/python benchmarks/leak_guard.py 10000 50
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from generator.guard import check_outputs
from generator.pipeline import BuildOptions, build

SECRET = "benchmark-secret-0123456789abcdef"
BUYERS = ["Harriet Vane", "Osgood Pell", "Lucinda Marsh", "Ferris Quayle", "Imogen Tarrant"]


def png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (seed * 37 % 255, seed * 91 % 255, 120)).save(buf, format="PNG")
    return buf.getvalue()


def write_shop(root: Path, public: int, private: int) -> Path:
    content = root / "content"
    (content / "listings").mkdir(parents=True)
    (content / "images").mkdir()
    (content / "site.yaml").write_text(
        "title: Bench Pottery\nbase_url: https://bench.example/\ncontact:\n  email: a@bench.example\n"
    )
    (content / "maker.yaml").write_text(
        "name: Ada Potter\nbio: I make *mugs* for people.\ncustom_orders:\n  enabled: true\n"
    )
    (content / "images" / "mug.png").write_bytes(png(0))
    for i in range(public):
        (content / "listings" / f"mug-{i}.yaml").write_text(
            f"title: Stoneware mug number {i}\nprice: {10 + i % 40}\n"
            "images:\n  - {src: images/mug.png, alt: A mug}\n"
            f"description: A sturdy mug, number {i}, with *speckled* glaze and a pulled handle.\n"
            f"tags: [mugs, glaze-{i % 30}]\n"
            "customizations:\n  - name: Colour\n    type: choice\n    options: [Red, {label: Blue, price: 2}]\n"
        )
    for i in range(private):
        (content / "images" / f"commission-{i}.png").write_bytes(png(i + 1))
        (content / "listings" / f"commission-{i}.yaml").write_text(
            f"title: Commissioned jug set {i} for the Tarn cottage\nprice: 90\nprivate: true\n"
            f"buyer: {BUYERS[i % len(BUYERS)]} {i}\n"
            f"images:\n  - {{src: images/commission-{i}.png, alt: A jug}}\n"
            "description: Made to order.\n"
        )
    return content


def main() -> None:
    public = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    private = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with tempfile.TemporaryDirectory() as tmp:
        content = write_shop(Path(tmp), public, private)
        options = BuildOptions(
            content=content, themes=Path(tmp) / "themes", today=date(2026, 11, 27), secret=SECRET, leak_guard=False
        )
        started = time.perf_counter()
        result = build(options)
        build_seconds = time.perf_counter() - started
        size = sum(len(v) if isinstance(v, bytes) else v.stat().st_size for v in result.outputs.values())
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            check_outputs(result.plan, result.outputs, SECRET)
            runs.append(time.perf_counter() - started)
    guard = min(runs)
    print(f"shop: {public} public + {private} private listings, {len(result.outputs)} files, {size / 1e6:.1f} MB")
    print(f"build without guard: {build_seconds:.2f} s")
    print(f"leak guard: {guard:.2f} s (best of 3; {guard / build_seconds:.0%} of the build)")
    print(f"guard throughput: {size / 1e6 / guard:.0f} MB/s")


if __name__ == "__main__":
    main()
