"""Helpers for tests that look at a built site: a richer fixture shop, an HTML parser that keeps
every tag and attribute, and a link crawler."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from conftest import png_bytes


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` exactly (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def shop_files(
    *,
    base_url: str = "https://shop.example/",
    form_action: str | None = None,
    custom_orders: bool = True,
) -> dict[str, str | bytes | None]:
    """A fuller shop than conftest's: every customization kind, three currencies, pages, a maker
    photo, a private listing and a static file."""
    contact = "contact:\n  email: hello@shop.example\n"
    if form_action:
        contact += f"  form_action: {form_action}\n"
    return {
        "site.yaml": f"title: Riverbend Pottery\nbase_url: {base_url}\ndescription: Stoneware.\nfavicon: images/mug.png\n"
        + contact,
        "maker.yaml": (
            "name: Ada Potter\nphoto: images/ada.png\nlocation: Portland, Oregon\nintro: I throw pots.\n"
            "bio: |\n  I make *mugs* and [bowls](https://bowls.example/).\n"
            "links:\n  Instagram: https://instagram.example/ada\n"
            f"custom_orders:\n  enabled: {'true' if custom_orders else 'false'}\n"
            "  accepts: Mugs with your own drawing\n  production_time: 2-3 weeks\n  response_time: 2 days\n"
        ),
        "listings/eagle-mug.yaml": (
            "title: Eagle Mug\nprice: 28\ndate: 2026-11-01\n"
            "images:\n  - {src: images/mug.png, alt: A mug with an eagle}\n  - {src: images/mug2.png, alt: The back}\n"
            "description: A **sturdy** mug.\ntags: [mugs, birds]\nproduction_time: 1-2 weeks\n"
            "customizations:\n  - name: Colour\n    type: choice\n"
            "    options: [Red, White, Orange, Blue, {label: Yellow, price: 4}]\n"
            "  - name: Gift wrap\n    type: checkbox\n    price: 5\n"
        ),
        "listings/monogram-cup.yaml": (
            "title: Monogram Cup\nprice: 19.99\ndate: 2026-10-01\nimages:\n  - {src: images/cup.png, alt: A cup}\n"
            "tags: [mugs]\ncustomizations:\n  - name: Monogram\n    type: text\n    max_length: 3\n    price: 6\n"
            "    instructions: Up to three letters\n  - name: Saucers\n    type: number\n    min: 1\n    max: 12\n"
            "    price: 2.5\n"
        ),
        "listings/tea-bowl.yaml": (
            "title: Tea Bowl\ncurrency: JPY\nprice: 3000\nimages:\n  - {src: images/bowl.png, alt: A bowl}\n"
            "tags: [bowls]\ncustomizations:\n  - name: Glaze\n    type: choice\n"
            "    options: [Celadon, {label: Tenmoku, price: 500}]\n"
        ),
        "listings/plate.yaml": (
            "title: Dinner Plate\ncurrency: EUR\nprice: 12.5\norder_url: https://checkout.example/plate\n"
            "images:\n  - {src: images/plate.png, alt: A plate}\n"
        ),
        "listings/secret-commission.yaml": (
            "title: Secret Commission\nprice: 400\nprivate: true\nbuyer: Jo\n"
            "images:\n  - {src: images/secret.png, alt: A private piece}\ntags: [secret-tag]\n"
        ),
        "pages/shipping.md": "---\ntitle: Shipping\norder: 1\n---\nWe ship in **3 days**. See [FAQ](../faq/).\n",
        "pages/faq.md": "---\ntitle: FAQ\norder: 2\n---\nQuestions.\n",
        "pages/hidden.md": "---\ntitle: Not in menu\nmenu: false\n---\nHidden.\n",
        "static/CNAME": "shop.example\n",
        "images/mug.png": png_bytes((200, 40, 40)),
        "images/mug2.png": png_bytes((200, 200, 40)),
        "images/cup.png": png_bytes((40, 200, 40), (10, 12)),
        "images/bowl.png": png_bytes((40, 40, 200)),
        "images/plate.png": png_bytes((90, 90, 90)),
        "images/secret.png": png_bytes((1, 2, 3)),
        "images/ada.png": png_bytes((5, 5, 5)),
    }


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    attr_names: list[str]
    """Every attribute name in source order (duplicates kept)."""
    text: str = ""
    """Text directly inside the element, for a, option, label, h1, p, title, script..."""


@dataclass
class Page:
    elements: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    """Every text chunk of the page (entities decoded)."""

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.find(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def links(self) -> list[str]:
        return [v for e in self.elements for k in ("href", "src", "action") if (v := e.attrs.get(k)) is not None]

    @property
    def all_text(self) -> str:
        return " ".join(self.text)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag=tag, attrs=dict(attrs), attr_names=[k for k, _ in attrs])
        self.page.elements.append(el)
        if tag not in {"img", "input", "meta", "link", "br", "hr"}:
            self.open.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        self.page.text.append(data)
        for el in self.open:
            el.text += data


def parse(html: str | bytes) -> Page:
    parser = _Parser()
    parser.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    parser.close()
    return parser.page


def html_pages(out: Path) -> dict[str, Page]:
    return {p.relative_to(out).as_posix(): parse(p.read_bytes()) for p in sorted(out.rglob("*.html"))}


def page_url(rel: str) -> str:
    """Site-relative URL of an output file: listings/x/index.html -> listings/x/."""
    return rel.removesuffix("index.html")


def resolve_link(out: Path, page_rel: str, href: str, base_path: str) -> Path | None:
    """The output file a local link from ``page_rel`` points to, or None for external links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    base = "http://site.invalid" + base_path + page_url(page_rel)
    target = urlsplit(urljoin(base, href)).path
    assert target.startswith(base_path), f"{page_rel}: link {href!r} leaves the site path {base_path}"
    rel = unquote(target[len(base_path) :])
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return out / rel


def mailto_parts(href: str) -> tuple[str, dict[str, str]]:
    """(address, {subject, body}) of a mailto: URL, decoded."""
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    return unquote(parts.path), query_fields(parts.query)


def query_fields(query: str) -> dict[str, str]:
    """Decode a query string strictly: '+' stays '+' (RFC 6068), and a key may appear only once,
    so content that smuggles in '&cc=' or '&bcc=' shows up as a failure."""
    fields: dict[str, str] = {}
    for pair in query.split("&"):
        key, sep, value = pair.partition("=")
        assert sep, f"malformed query part {pair!r}"
        assert key not in fields, f"duplicate query key {key!r}"
        fields[unquote(key)] = unquote(value, errors="strict")
    return fields
