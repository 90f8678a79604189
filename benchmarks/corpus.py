"""A deterministic synthetic storefront of N listings, written three ways: as makerfront content,
as a Hugo site and as a Pelican site.

makerfront's content is written twice: once for its default theme (what a maker gets), and once
(`makerfront-minimal/`) with a theme of minimal templates. Those, Hugo's and Pelican's templates
are equivalent: the same pages (a listing page with its photo, price, customization form, order
link, tags and description; the home page and a page per tag, 48 listings a page with previous
and next links; the maker's page) in the same minimal markup, so the three generators do the same
work and the comparison is of the generators, not of how much HTML a theme writes.

Same N -> byte-identical files. Each listing has a ~230-word Markdown description (paragraphs,
emphasis, a list and a link), two customizations (a choice with a surcharge and a text field),
three of 30 tags and one of 24 small shared photos.
"""

from __future__ import annotations

import io
import random
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PIL import Image

TAGS = [
    "mugs", "bowls", "plates", "vases", "planters", "teapots", "cups", "jugs", "platters", "jars",
    "stoneware", "porcelain", "earthenware", "raku", "celadon", "tenmoku", "shino", "ash-glaze",
    "blue", "green", "red", "white", "black", "speckled", "gift", "kitchen", "garden", "tableware",
    "one-of-a-kind", "small-batch",
]  # fmt: skip
assert len(TAGS) == 30

WORDS = (
    "clay glaze kiln wheel thrown fired hand made small studio river stone porcelain stoneware "
    "surface texture colour blue green amber speckled iron ash wood soda salt reduction oxidation "
    "rim foot handle spout lid body curve weight balance hold morning coffee tea soup bread table "
    "kitchen everyday heirloom gift friend family slow careful patient layer brush dip pour trim "
    "carve stamp slip underglaze matte gloss satin crackle crawl pool break edge warm cool light "
    "shadow window shelf garden flower stem leaf branch water rain field hill valley shore sea "
    "wave tide salt sand dune pine oak maple cedar birch willow fern moss lichen granite basalt "
    "quartz feldspar silica kaolin ball fireclay grog wedge centre open pull shape dry bisque "
    "each piece is unique and will vary slightly from the photo because every firing differs"
).split()

IMAGE_COUNT = 24
CORPUS_VERSION = "3"
"""Written to .complete; a corpus from another version of this file is written again."""
START = date(2024, 1, 1)


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(WORDS) for _ in range(words)]
    if rng.random() < 0.3:
        i = rng.randrange(len(picked))
        picked[i] = f"*{picked[i]}*"
    if rng.random() < 0.2:
        i = rng.randrange(len(picked))
        picked[i] = f"**{picked[i]}**"
    return " ".join(picked).capitalize() + "."


def description(rng: random.Random) -> str:
    """About 230 words: three paragraphs, a care list and a link."""
    paragraphs = []
    for _ in range(3):
        paragraphs.append(" ".join(_sentence(rng, rng.randint(12, 16)) for _ in range(5)))
    care = "\n".join(f"- {_sentence(rng, rng.randint(4, 7))}" for _ in range(3))
    link = "Read more about [our glazes](https://studio.example/glazes) before you order."
    return "\n\n".join([paragraphs[0], paragraphs[1], "Care:", care, paragraphs[2], link])


def _png(i: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40 + i * 8, 90 + i * 3, 160 - i * 4)).save(buf, format="PNG")
    return buf.getvalue()


class Item:
    def __init__(self, i: int, rng: random.Random, scale: int = 1) -> None:
        self.slug = f"piece-{i:05d}"
        self.title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(['mug', 'bowl', 'vase', 'plate', 'jar'])} no. {i}"
        self.price_cents = rng.randint(1200, 48000)
        self.date = START + timedelta(days=i % 900)
        self.image = f"images/photo-{i % IMAGE_COUNT:02d}.png"
        self.alt = f"Photo of {self.title}"
        self.tags = rng.sample(TAGS, 3)
        self.glazes = ["Blue", "Green", "White"]
        self.surcharge = rng.choice([0, 300, 500])
        # scale > 1: the same text that many times (longer descriptions, same everything else).
        self.description = "\n\n".join([description(rng)] * scale)

    @property
    def price(self) -> str:
        return f"{self.price_cents // 100}.{self.price_cents % 100:02d}"


def items(n: int, scale: int = 1) -> list[Item]:
    rng = random.Random(20261127)
    return [Item(i, rng, scale) for i in range(n)]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else "" for line in text.split("\n"))


# -- makerfront -----------------------------------------------------------------------------------


def write_makerfront(root: Path, its: list[Item], theme: str | None = None) -> None:
    (root / "listings").mkdir(parents=True)
    (root / "images").mkdir()
    for i in range(IMAGE_COUNT):
        (root / f"images/photo-{i:02d}.png").write_bytes(_png(i))
    (root / "site.yaml").write_text(
        "title: Bench Pottery\nbase_url: https://bench.example/\ncontact:\n  email: hello@bench.example\n"
        + (f"theme: {theme}\n" if theme else "")
    )
    (root / "maker.yaml").write_text(
        "name: Ada Potter\nlocation: Portland\nbio: I make *pots*.\ncustom_orders:\n  enabled: true\n"
        "  accepts: Mugs and bowls\n  production_time: 2-3 weeks\n"
    )
    for it in its:
        text = (
            f"title: {_q(it.title)}\n"
            f"price: {it.price}\n"
            f"date: {it.date.isoformat()}\n"
            f"images:\n  - {{src: {it.image}, alt: {_q(it.alt)}}}\n"
            f"tags: [{', '.join(it.tags)}]\n"
            "customizations:\n"
            "  - name: Glaze\n    type: choice\n    options:\n"
            f"      - {it.glazes[0]}\n      - {it.glazes[1]}\n"
            f"      - label: {it.glazes[2]}\n        price: {it.surcharge / 100:.2f}\n"
            "  - name: Monogram\n    type: text\n    max_length: 3\n    price: 5\n"
            "    instructions: Up to three letters, stamped on the foot\n"
            f"description: |\n{_indent(it.description, '  ')}\n"
        )
        (root / f"listings/{it.slug}.yaml").write_text(text)


# The minimal theme: the same markup as the Hugo and Pelican templates below.
MINIMAL_BASE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ page.title }} · {{ site.title }}{% endblock %}</title>
<meta name="description" content="{{ page.seo.description }}">
<link rel="stylesheet" href="{{ page.root }}static/style.css"></head>
<body><header><a href="{{ page.root }}">{{ site.title }}</a> <a href="{{ page.root }}maker/">About</a></header>
<main>{% block main %}{% endblock %}</main>
<footer>{{ site.title }}</footer></body></html>
"""

MINIMAL_GRID = """\
{% macro grid(listings, root) %}<ul class="grid">{% for item in listings %}<li class="card"><a href="{{ root }}{{ item.url }}"><img src="{{ root }}{{ item.image.url }}" alt="{{ item.image.alt }}" width="64" height="48" loading="lazy"><h2>{{ item.title }}</h2></a><p>{{ item.price }}</p></li>
{% endfor %}</ul>{% endmacro %}
{% macro pager(p, root) %}{% if p.count > 1 %}<nav>{% if p.prev_url is not none %}<a href="{{ root }}{{ p.prev_url }}" rel="prev">Previous</a>{% endif %} {% if p.next_url is not none %}<a href="{{ root }}{{ p.next_url }}" rel="next">Next</a>{% endif %}</nav>{% endif %}{% endmacro %}
"""

MINIMAL_LISTING = """\
{% extends "base.html" %}
{% block main %}<article><img src="{{ page.root }}{{ listing.image.url }}" alt="{{ listing.image.alt }}" width="64" height="48">
<h1>{{ listing.title }}</h1><p class="price">{{ listing.price }}</p>
<form>{% for c in listing.customizations %}<label for="{{ c.field_id }}">{{ c.name }}</label>{% if c.options %}<select id="{{ c.field_id }}" name="{{ c.key }}">{% for o in c.options %}<option value="{{ o.label }}">{{ o.label }}{% if o.surcharge_text %} ({{ o.surcharge_text }}){% endif %}</option>{% endfor %}</select>
{% else %}<input id="{{ c.field_id }}" name="{{ c.key }}" maxlength="{{ c.max_length }}"><p>{{ c.instructions }} ({{ c.surcharge_text }})</p>
{% endif %}{% endfor %}<a href="{{ listing.order_mailto }}">Order by email</a></form>
<ul class="tags">{% for t in listing.tags %}<li><a href="{{ page.root }}{{ t.url }}">{{ t.name }}</a></li>{% endfor %}</ul>
<section>{{ listing.description }}</section></article>{% endblock %}
"""

MINIMAL_HOME = """\
{% extends "base.html" %}{% from "grid.html" import grid, pager %}
{% block main %}<h1>{{ site.title }}</h1>{{ grid(page.listings, page.root) }}{{ pager(page.pagination, page.root) }}{% endblock %}
"""

MINIMAL_TAG = """\
{% extends "base.html" %}{% from "grid.html" import grid, pager %}
{% block main %}<h1>{{ tag.name }}</h1><p>{{ tag.count }} pieces</p>{{ grid(page.listings, page.root) }}{{ pager(page.pagination, page.root) }}{% endblock %}
"""

MINIMAL_TEMPLATES = {
    "base.html": MINIMAL_BASE,
    "grid.html": MINIMAL_GRID,
    "listing.html": MINIMAL_LISTING,
    "home.html": MINIMAL_HOME,
    "tag.html": MINIMAL_TAG,
    "maker.html": '{% extends "base.html" %}{% block main %}{{ site.maker.bio }}{% endblock %}',
    "page.html": '{% extends "base.html" %}{% block main %}{{ page.body }}{% endblock %}',
    "404.html": '{% extends "base.html" %}{% block main %}<h1>Page not found</h1>{% endblock %}',
}


def write_minimal_theme(themes: Path) -> None:
    """makerfront's minimal theme, `minimal`, in the folder ``themes`` (build.py --themes)."""
    folder = themes / "minimal"
    (folder / "templates").mkdir(parents=True)
    (folder / "static").mkdir()
    (folder / "theme.yaml").write_text("name: minimal\ndescription: The benchmark's minimal templates.\n")
    (folder / "static/style.css").write_text("body{font-family:sans-serif}\n")
    for name, text in MINIMAL_TEMPLATES.items():
        (folder / "templates" / name).write_text(text)


# -- Hugo -----------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://bench.example/"
title = "Bench Pottery"
languageCode = "en"
disableKinds = ["taxonomy", "section"]
ignoreErrors = ["error-disable-taxonomy"]
paginate = 48
rssLimit = 50
enableRobotsTXT = true
[outputs]
  home = ["HTML", "RSS"]
  page = ["HTML"]
  term = ["HTML"]
[taxonomies]
  tag = "tags"
[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_BASEOF = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 160 }}">
<link rel="stylesheet" href="{{ "static/style.css" | relURL }}"></head>
<body><header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a> <a href="{{ "maker/" | relURL }}">About</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ .Site.Title }}</footer></body></html>
"""

HUGO_GRID = """\
<ul class="grid">{{ range . }}<li class="card"><a href="{{ .RelPermalink }}"><img src="{{ .Params.image | relURL }}" alt="{{ .Params.alt }}" width="64" height="48" loading="lazy"><h2>{{ .Title }}</h2></a><p>${{ .Params.price }}</p></li>
{{ end }}</ul>
"""

HUGO_SINGLE = """\
{{ define "main" }}<article><img src="{{ .Params.image | relURL }}" alt="{{ .Params.alt }}" width="64" height="48">
<h1>{{ .Title }}</h1><p class="price">${{ .Params.price }}</p>
<form><label for="glaze">Glaze</label><select id="glaze" name="glaze">{{ range .Params.options }}<option value="{{ .label }}">{{ .label }}{{ with .price }} (+${{ . }}){{ end }}</option>{{ end }}</select>
<label for="monogram">Monogram</label><input id="monogram" name="monogram" maxlength="3"><p>Up to three letters, stamped on the foot (+$5.00)</p>
<a href="mailto:hello@bench.example?subject={{ printf "Order: %s" .Title | urlquery }}">Order by email</a></form>
<ul class="tags">{{ range .Params.tags }}<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a></li>{{ end }}</ul>
<section>{{ .Content }}</section></article>{{ end }}
"""

HUGO_HOME = """\
{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ $p := .Paginate site.RegularPages }}{{ partial "grid.html" $p.Pages }}{{ partial "pager.html" $p }}{{ end }}
"""

HUGO_TERM = """\
{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ len .Pages }} pieces</p>{{ $p := .Paginate .Pages }}{{ partial "grid.html" $p.Pages }}{{ partial "pager.html" $p }}{{ end }}
"""

HUGO_PAGER = """\
{{ if gt .TotalPages 1 }}<nav>{{ with .Prev }}<a href="{{ .URL }}" rel="prev">Previous</a>{{ end }} {{ with .Next }}<a href="{{ .URL }}" rel="next">Next</a>{{ end }}</nav>{{ end }}
"""


def write_hugo(root: Path, its: list[Item], images: Path) -> None:
    (root / "content/listings").mkdir(parents=True)
    (root / "layouts/_default").mkdir(parents=True)
    (root / "layouts/partials").mkdir(parents=True)
    (root / "static").mkdir()
    shutil.copytree(images, root / "static/images")
    (root / "config.toml").write_text(HUGO_CONFIG)
    (root / "layouts/_default/baseof.html").write_text(HUGO_BASEOF)
    (root / "layouts/_default/single.html").write_text(HUGO_SINGLE)
    (root / "layouts/_default/list.html").write_text(HUGO_TERM)
    (root / "layouts/index.html").write_text(HUGO_HOME)
    (root / "layouts/partials/grid.html").write_text(HUGO_GRID)
    (root / "layouts/partials/pager.html").write_text(HUGO_PAGER)
    (root / "layouts/404.html").write_text('{{ define "main" }}<h1>Page not found</h1>{{ end }}\n')
    # Kept out of site.RegularPages, so the home page paginates the listings alone: filtering
    # them with `where` instead is evaluated again on each of the home page's pages, which
    # made Hugo's build a third slower at 10,000 listings and 3x slower at 50,000.
    (root / "content/maker.md").write_text(
        '---\ntitle: "About Ada Potter"\nurl: /maker/\n_build:\n  list: never\n---\nI make *pots*.\n'
    )
    for it in its:
        extra = f"{it.surcharge / 100:.2f}" if it.surcharge else ""
        text = (
            "---\n"
            f"title: {_q(it.title)}\n"
            f"date: {it.date.isoformat()}\n"
            f'price: "{it.price}"\n'
            f"image: {it.image}\n"
            f"alt: {_q(it.alt)}\n"
            f"tags: [{', '.join(it.tags)}]\n"
            "options:\n"
            f"  - {{label: {it.glazes[0]}}}\n  - {{label: {it.glazes[1]}}}\n"
            f'  - {{label: {it.glazes[2]}, price: "{extra}"}}\n'
            "---\n" + it.description + "\n"
        )
        (root / f"content/listings/{it.slug}.md").write_text(text)


# -- Pelican --------------------------------------------------------------------------------------

PELICAN_CONF = """\
AUTHOR = "Ada Potter"
SITENAME = "Bench Pottery"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "theme"
ARTICLE_PATHS = ["listings"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
ARTICLE_URL = "listings/{slug}/"
ARTICLE_SAVE_AS = "listings/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = 48
PAGINATED_TEMPLATES = {"index": None, "tag": None}
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
MARKDOWN = {"extension_configs": {"markdown.extensions.sane_lists": {}}, "output_format": "html5"}
"""

PELICAN_BASE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="stylesheet" href="/theme/style.css"></head>
<body><header><a href="/">{{ SITENAME }}</a> <a href="/maker/">About</a></header>
<main>{% block main %}{% endblock %}</main>
<footer>{{ SITENAME }}</footer></body></html>
"""

PELICAN_GRID = """\
{% macro grid(items) %}<ul class="grid">{% for a in items %}<li class="card"><a href="/{{ a.url }}"><img src="/{{ a.image }}" alt="{{ a.alt }}" width="64" height="48" loading="lazy"><h2>{{ a.title }}</h2></a><p>${{ a.price }}</p></li>
{% endfor %}</ul>{% endmacro %}
{% macro pager(p, prev, next) %}{% if p.paginator.num_pages > 1 %}<nav>{% if p.has_previous() %}<a href="/{{ prev.url }}" rel="prev">Previous</a>{% endif %} {% if p.has_next() %}<a href="/{{ next.url }}" rel="next">Next</a>{% endif %}</nav>{% endif %}{% endmacro %}
"""

PELICAN_INDEX = """\
{% extends "base.html" %}{% from "grid.html" import grid, pager %}
{% block main %}<h1>{{ SITENAME }}</h1>{{ grid(articles_page.object_list) }}{{ pager(articles_page, articles_previous_page, articles_next_page) }}{% endblock %}
"""

PELICAN_ARTICLE = """\
{% extends "base.html" %}
{% block title %}{{ article.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<article><img src="/{{ article.image }}" alt="{{ article.alt }}" width="64" height="48">
<h1>{{ article.title }}</h1><p class="price">${{ article.price }}</p>
<form><label for="glaze">Glaze</label><select id="glaze" name="glaze">{% for o in article.options.split("|") %}<option>{{ o }}</option>{% endfor %}</select>
<label for="monogram">Monogram</label><input id="monogram" name="monogram" maxlength="3"><p>Up to three letters, stamped on the foot (+$5.00)</p>
<a href="mailto:hello@bench.example?subject={{ ('Order: ' ~ article.title)|urlencode }}">Order by email</a></form>
<ul class="tags">{% for t in article.tags %}<li><a href="/{{ t.url }}">{{ t }}</a></li>{% endfor %}</ul>
<section>{{ article.content }}</section></article>{% endblock %}
"""

PELICAN_TAG = """\
{% extends "base.html" %}{% from "grid.html" import grid, pager %}
{% block main %}<h1>{{ tag }}</h1><p>{{ articles|length }} pieces</p>{{ grid(articles_page.object_list) }}{{ pager(articles_page, articles_previous_page, articles_next_page) }}{% endblock %}
"""


def write_pelican(root: Path, its: list[Item], images: Path) -> None:
    (root / "content/listings").mkdir(parents=True)
    (root / "content/pages").mkdir(parents=True)
    shutil.copytree(images, root / "content/images")
    (root / "theme/templates").mkdir(parents=True)
    (root / "theme/static").mkdir(parents=True)
    (root / "theme/static/style.css").write_text("body{font-family:sans-serif}\n")
    (root / "pelicanconf.py").write_text(PELICAN_CONF)
    for name, text in (
        ("base.html", PELICAN_BASE),
        ("grid.html", PELICAN_GRID),
        ("index.html", PELICAN_INDEX),
        ("article.html", PELICAN_ARTICLE),
        ("tag.html", PELICAN_TAG),
        ("page.html", '{% extends "base.html" %}{% block main %}{{ page.content }}{% endblock %}'),
    ):
        (root / "theme/templates" / name).write_text(text)
    (root / "content/pages/maker.md").write_text("Title: About Ada Potter\nSlug: maker\n\nI make *pots*.\n")
    for it in its:
        extra = f" (+${it.surcharge / 100:.2f})" if it.surcharge else ""
        text = (
            f"Title: {it.title}\n"
            f"Date: {it.date.isoformat()}\n"
            f"Slug: {it.slug}\n"
            f"Tags: {', '.join(it.tags)}\n"
            f"Price: {it.price}\n"
            f"Image: {it.image}\n"
            f"Alt: {it.alt}\n"
            f"Options: {it.glazes[0]}|{it.glazes[1]}|{it.glazes[2]}{extra}\n\n" + it.description + "\n"
        )
        (root / f"content/listings/{it.slug}.md").write_text(text)


def write_corpus(base: Path, n: int, scale: int = 1, discard: Callable[[Path], None] = shutil.rmtree) -> Path:
    """Write the three sites for N listings under base/<n>/ (once; reused when complete); with
    descriptions ``scale`` times as long, under base/<n>-x<scale>/. A corpus written by another
    version of this file is removed with ``discard`` first (bench.py moves it aside, to delete it
    after its builds)."""
    root = base / (str(n) if scale == 1 else f"{n}-x{scale}")
    done = root / ".complete"
    if done.exists() and done.read_text() == CORPUS_VERSION:
        return root
    if root.exists():
        discard(root)  # a corpus from another version of this file
    its = items(n, scale)
    write_makerfront(root / "makerfront/content", its)
    write_makerfront(root / "makerfront-minimal/content", its, theme="minimal")
    write_minimal_theme(root / "makerfront-minimal/themes")
    images = root / "makerfront/content/images"
    write_hugo(root / "hugo", its, images)
    write_pelican(root / "pelican", its, images)
    done.write_text(CORPUS_VERSION)
    return root
