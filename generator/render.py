"""SitePlan + theme -> {output path: bytes}. No disk writes happen here.

Templates receive view objects with every value ready to print: formatted prices, URLs relative
to the site root, mailto links already encoded. Jinja autoescapes everything else.
"""

from __future__ import annotations

import dataclasses
import json
import re
import traceback
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from .config import Shipping, duration_days, freeze
from .errors import ErrorList, SiteError
from .fields import currency_digits
from .i18n import ENGLISH, Messages
from .images import SHARE_WIDTH, ImageSet, ProcessedImage
from .load import character_problem
from .model import Condition, Customization, Image, Listing, Tag
from .plan import (
    Pagination,
    PlannedPage,
    SitePlan,
    href,
    listing_url,
    page_url,
    public_font_urls,
    public_image_url,
    tag_url,
)
from .seo import page_seo
from .theme import Theme
from .views import (
    PAYPAL_ACTION,
    SNIPCART_CSS,
    SNIPCART_SCRIPT,
    CheckoutView,
    ConditionView,
    ConfigView,
    ContactView,
    CustomizationView,
    ImageFile,
    ImageView,
    ListingView,
    MakerView,
    MenuItem,
    OptionView,
    OrderContact,
    PageContext,
    PageLink,
    PageView,
    PaginationView,
    PreviewView,
    RegionView,
    SeoView,
    ShippingView,
    SiteView,
    TagLink,
    TagView,
    mailto,
)

# -- formatting ---------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=4096)
def format_money(minor: int, currency: str, language: str) -> str:
    """An amount in minor units (cents) as the shop's language writes it, e.g. '$28.00' or
    '28,00 €' (Babel; remembered, as a shop shows few distinct prices on many pages)."""
    amount = Decimal(minor).scaleb(-currency_digits(currency))
    return str(format_currency(amount, currency, locale=_locale(language)))


def pagination_view(pagination: Pagination | None, near: int = 2) -> PaginationView | None:
    if pagination is None:
        return None
    n, urls = pagination.number, pagination.urls
    shown = sorted({1, len(urls), *range(max(1, n - near), min(len(urls), n + near) + 1)})
    links: list[PageLink] = []
    for k in shown:
        if links and links[-1].number is not None and k > links[-1].number + 1:
            links.append(PageLink(number=None, url=None))
        links.append(PageLink(number=k, url=href(urls[k - 1]), current=k == n))
    return PaginationView(
        number=n,
        count=len(urls),
        prev_url=href(urls[n - 2]) if n > 1 else None,
        next_url=href(urls[n]) if n < len(urls) else None,
        links=tuple(links),
    )


def _least_surcharge(c: CustomizationView) -> int:
    """What customization ``c`` adds at the least: nothing unless the buyer must fill it in
    (and a field shown only sometimes need not be)."""
    if not c.required or c.conditions:
        return 0
    if c.kind == "choice":
        return min((o.surcharge for o in c.options), default=0)
    if c.kind == "number":
        return max(c.clamp(c.minimum if c.minimum is not None else 0), 0) * c.surcharge
    return c.surcharge


def _condition_view(x: Condition, t: Messages) -> ConditionView:
    if x.test == "checked":
        text = t.tr("%(name)s is ticked", name=x.name)
    elif x.test == "unchecked":
        text = t.tr("%(name)s is not ticked", name=x.name)
    elif x.test == "filled":
        text = t.tr("%(name)s is filled in", name=x.name)
    else:
        text = t.tr("%(name)s is %(answers)s", name=x.name, answers=t.join(x.values, "or"))
    return ConditionView(field_id=f"opt-{x.field}", name=x.name, test=x.test, values=x.values, text=text)


def _characters(allowed: tuple[str, ...], t: Messages) -> str:
    names = {" ": t.tr("space"), "\t": t.tr("tab")}
    return " ".join(names.get(ch, ch) for ch in allowed)


def _allowed_text(allowed: str | tuple[str, ...] | None, t: Messages) -> str | None:
    """The allowed characters as the page says it, e.g. 'Letters and spaces only.'."""
    if allowed is None:
        return None
    if allowed == "letters":
        return t.tr("Letters and spaces only.")
    if allowed == "letters_digits":
        return t.tr("Letters, digits and spaces only.")
    return t.tr("Only these characters: %(characters)s.", characters=_characters(tuple(allowed), t))


def _allowed_note(allowed: str | tuple[str, ...] | None, t: Messages) -> str | None:
    """The same, as a note in the order mail, e.g. 'letters and spaces only'."""
    if allowed is None:
        return None
    if allowed == "letters":
        return t.tr("letters and spaces only")
    if allowed == "letters_digits":
        return t.tr("letters, digits and spaces only")
    return t.tr("only these characters: %(characters)s", characters=_characters(tuple(allowed), t))


def _allowed_pattern(allowed: str | tuple[str, ...] | None) -> str | None:
    """The inside of a JavaScript [...] class (u flag) of the allowed characters."""
    if allowed is None:
        return None
    if allowed == "letters":
        return r"\p{L}\p{M} "
    if allowed == "letters_digits":
        return r"\p{L}\p{M}\p{Nd} "
    # In a u-flag class these are the characters that need a backslash.
    return "".join("\\" + ch if ch in "\\]-[^/{}()|.*+?$" else ch for ch in allowed)


def _ship_days_text(days: tuple[int, int], t: Messages) -> str:
    """When an order ships, e.g. '8–17 days after your order'."""
    low, high = days
    if high == 0:
        return t.tr("the day your order arrives")
    if low == high:
        return t.ntr("%(num)s day after your order", "%(num)s days after your order", low)
    return t.tr("%(low)s–%(high)s days after your order", low=t.number(low), high=t.number(high))


# -- renderer ---------------------------------------------------------------------------------


class _ThemeLoader(jinja2.BaseLoader):
    """Looks templates up along the theme chain. 'theme:NAME' is the NAME one step further up the
    chain than the template asking for it, so an override can extend the template it replaces,
    and a parent theme's override can do the same in turn."""

    def __init__(self, dirs: list[Path]) -> None:
        self.dirs = dirs

    def split(self, template: str) -> tuple[int, str]:
        """(first theme folder to search, template name) of a lookup name."""
        if template.startswith("theme@"):  # made by _ThemeEnvironment.join_path
            start, _, name = template[len("theme@") :].partition(":")
            return int(start), name
        if template.startswith("theme:"):
            return 1, template[len("theme:") :]
        return 0, template

    def find(self, template: str) -> tuple[int, Path] | None:
        start, name = self.split(template)
        pieces = jinja2.loaders.split_template_path(name)
        for index in range(start, len(self.dirs)):
            path = self.dirs[index].joinpath(*pieces)
            if path.is_file():
                # A (downloaded) theme's symlink must not make any file on the computer a
                # template: the secret file, another shop's content. Checked on every lookup.
                if not path.resolve().is_relative_to(self.dirs[index].resolve()):
                    raise jinja2.TemplateNotFound(
                        template,
                        f"template '{name}' is a link to a place outside the theme's templates folder "
                        f"({self.dirs[index].as_posix()}); copy the file into the theme instead",
                    )
                return index, path
        return None

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        found = self.find(template)
        if found is not None:
            path = found[1]
            mtime = path.stat().st_mtime
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                line = path.read_bytes().count(b"\n", 0, exc.start) + 1
                raise SiteError(
                    "this template is not saved as UTF-8 text",
                    path=path,
                    line=line,
                    hint="save it as UTF-8 in your editor",
                ) from exc
            return source, str(path), lambda p=path, m=mtime: p.stat().st_mtime == m
        start, name = self.split(template)
        dirs = self.dirs[start:]
        searched = ", ".join(d.as_posix() for d in dirs)
        raise jinja2.TemplateNotFound(
            template,
            f"template '{name}' not found; searched {searched}. Create {dirs[0].as_posix()}/{name}" if dirs else name,
        )


MAX_REPEAT = 1_000_000
"""Most characters (or items) `text * n` may make in a template."""
MAX_EXPONENT = 1000


class _FreshImportsTemplate(jinja2.Template):
    """A template whose `{% import %}` gives a new module every time. Jinja keeps the module of
    an import made without context on the (cached) template, so a `namespace()` in it would
    outlive the page: a theme could carry one page's values (a private listing's address,
    title, buyer) into the pages rendered after it. Each page starts from nothing instead."""

    def _get_default_module(self, ctx: Any = None) -> Any:
        if ctx is not None and (keys := ctx.globals_keys - self.globals.keys()):
            return self.make_module({k: ctx.parent[k] for k in keys})
        return self.make_module()


class _ThemeEnvironment(ImmutableSandboxedEnvironment):
    # Sandboxed: a theme is code a maker downloads. Templates reach only the views' public
    # attributes and safe methods, never Python internals (__globals__, __subclasses__...), and
    # cannot change what they are given.

    messages: Messages | None = None
    """The one language this environment renders (_install_messages): its constant texts are
    translated as templates compile (_FoldTranslations)."""

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.messages is not None:
            _FoldTranslations(self.messages).fold(tree)
        return tree

    template_class = _FreshImportsTemplate

    # `"x" * 10**10` would fill the computer's memory before the page time limit: repeating text
    # or a list, and powers, are checked (which also keeps Jinja from working them out while
    # it compiles the template).
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"a power of more than {MAX_EXPONENT} is too large for a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                    raise SecurityError(f"repeating text or a list to more than {MAX_REPEAT:,} items is too large")
        return super().call_binop(context, operator, left, right)

    def join_path(self, template: str, parent: str) -> str:
        # 'theme:NAME' inside a template means: search the themes after the one that template came from.
        if not template.startswith("theme:") or not isinstance(self.loader, _ThemeLoader):
            return template
        found = self.loader.find(parent)
        start = found[0] + 1 if found is not None else 1
        return f"theme@{start}:{template[len('theme:') :]}"


def _json_ld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json">: '<', '>' and '&' escaped so content
    containing '</script>' cannot end the script element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _plain(value: Any) -> Any:
    """``value`` with every Markup in it as the text it shows (a translation from `_()` is
    escaped text: in JSON it must be the text itself)."""
    if isinstance(value, Markup):
        return value.unescape()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _json_script(value: Any) -> Markup:
    """JSON for a <script type="application/json"> that a page script reads (the texts its
    messages use, in the shop's language): as json_ld, '<', '>' and '&' escaped so no text can
    end the script element, and translations as plain text."""
    return _json_ld(_plain(value))


def _date_filter(messages: Messages) -> Any:
    def date_filter(value: Any, form: str = "long") -> str:
        """`{{ day|date }}`: a date as the shop's language writes it ('medium', 'short', 'full' too)."""
        if not isinstance(value, date):
            raise TypeError(f"the date filter needs a date, got {type(value).__name__}")
        if form not in ("short", "medium", "long", "full"):
            raise ValueError(f'the date filter takes "short", "medium", "long" or "full", got {form!r}')
        return messages.date(value, form)

    return date_filter


TAG_PART = "tag:"
"""Prefix of the recorded reads of a tag page's `tag` ('tag:count', 'tag:listings'), kept with the
`site` parts (no site part has a ':')."""


class TrackingEnvironment(_ThemeEnvironment):
    """Records, while a page renders, which parts of `site` (and of a tag page's `tag`) and which
    templates it used: the page's dependencies, so an incremental build re-renders only pages
    whose inputs changed."""

    tracked: object = None
    tracked_tag: object = None
    site_parts: set[str]
    templates: set[str]

    def start_tracking(self, site: object, tag: object = None) -> None:
        self.tracked = site
        self.tracked_tag = tag
        self.site_parts = set()
        self.templates = set()

    def _note(self, obj: Any, name: str) -> None:
        if obj is self.tracked:
            self.site_parts.add(name)
        elif obj is self.tracked_tag and obj is not None:
            self.site_parts.add(TAG_PART + name)

    # Every attribute a template reads goes through here (millions per large build): the two
    # identity checks and the common case, a public field of one of makerfront's own views, are
    # inlined; anything else (another object, an item, an undefined name) is left to the
    # sandbox's getattr, which refuses what is unsafe.
    def getattr(self, obj: Any, attribute: str) -> Any:
        if obj is self.tracked or obj is self.tracked_tag:
            self._note(obj, attribute)
        if type(obj) in VIEW_TYPES and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return _BASE_GETATTR(self, obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if obj is self.tracked or obj is self.tracked_tag:
            self._note(obj, str(argument))
        return _BASE_GETITEM(self, obj, argument)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        if self.tracked is not None and isinstance(name, str):
            self.templates.add(self.join_path(name, parent) if parent is not None else name)
        return super().get_template(name, parent, globals)


VIEW_TYPES = frozenset(
    {ImageView, ImageFile, OptionView, ConditionView, PreviewView, CustomizationView, TagLink, ListingView, OrderContact,
     MakerView, TagView, MenuItem,
     ContactView, ConfigView, SiteView, PageLink, PaginationView, PageView, SeoView}
)  # fmt: skip
"""What templates are given: plain values, safe to read without the sandbox's checks."""

_BASE_GETATTR = _ThemeEnvironment.getattr
_BASE_GETITEM = _ThemeEnvironment.getitem


def _install_messages(env: jinja2.Environment, messages: Messages) -> None:
    """`_()`, `gettext()`, `ngettext()` and `{% trans %}` in the shop's language (jinja2.ext.i18n,
    new style: `_("Made by %(name)s", name=x)` fills and escapes its values). A translation is
    text, escaped like any value: no catalog or site.yaml `strings:` entry can add markup. In
    `{% trans count=n %}` and `ngettext()`, %(num)s is the number as the language writes it."""

    @jinja2.pass_context
    def gettext(context: Any, message: str, /, **values: Any) -> str:
        text = messages.gettext(message)
        return Markup.escape(text) % values if context.eval_ctx.autoescape else text % values

    @jinja2.pass_context
    def ngettext(context: Any, singular: str, plural: str, n: int, /, **values: Any) -> str:
        values.setdefault("num", messages.number(n) if isinstance(n, int | float) else n)
        text = messages.ngettext(singular, plural, n)
        return Markup.escape(text) % values if context.eval_ctx.autoescape else text % values

    def script_text(message: str) -> str:
        """`script_text("Choose %(name)s.")`: the translation as it is, its %(name)s left for the
        page's script to fill (partials/script_strings.html)."""
        return messages.gettext(message)

    def script_plural(singular: str, plural: str) -> dict[str, str]:
        """Each plural form of a message, by the CLDR category the script's Intl.PluralRules
        gives a number ('one', 'few', 'other'...), its %(num)s left for the script to fill."""
        return messages.plural_forms(singular, plural)

    env.globals.update(
        gettext=gettext, _=gettext, ngettext=ngettext, script_text=script_text, script_plural=script_plural
    )
    if isinstance(env, _ThemeEnvironment):
        env.messages = messages
    env.newstyle_gettext = True  # type: ignore[attr-defined]


_TEXT_FUNCTIONS = frozenset({"_", "gettext", "script_text", "script_plural"})


class _FoldTranslations(NodeTransformer):
    """Translates a template's constant texts once, as it compiles: `_("Shop")` becomes the
    escaped translation itself, `script_text("...")` and `script_plural(...)` their values, so a
    page does not look up the same few dozen texts again (and Jinja folds the rest: a JSON block of
    constants is written once). One environment renders one language, and its compiled templates
    are never shared with another (Renderer's reuse compares the messages). Calls with values, and
    templates that name anything `_` or `gettext` themselves, are left to run as they are."""

    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    def fold(self, tree: nodes.Template) -> None:
        if any(n.ctx != "load" and n.name in _TEXT_FUNCTIONS for n in tree.find_all(nodes.Name)):
            return
        self.visit(tree)

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        if not isinstance(node, nodes.Call):
            return node
        fn = node.node
        if not (
            isinstance(fn, nodes.Name)
            and fn.name in _TEXT_FUNCTIONS
            and not node.kwargs
            and node.dyn_args is None
            and node.dyn_kwargs is None
            and node.args
            and all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in node.args)
        ):
            return node
        texts = [a.value for a in node.args]  # type: ignore[attr-defined]
        t = self.messages
        try:
            if fn.name == "script_text" and len(texts) == 1:
                return nodes.Const(t.gettext(texts[0]), lineno=node.lineno)
            if fn.name == "script_plural" and len(texts) == 2:
                return nodes.Const(t.plural_forms(texts[0], texts[1]), lineno=node.lineno)
            if fn.name in ("_", "gettext") and len(texts) == 1:
                # As the call would: the translation escaped, then '%%' made '%'.
                return nodes.MarkSafe(nodes.Const(str(Markup.escape(t.gettext(texts[0])) % {})), lineno=node.lineno)
        except (KeyError, ValueError, TypeError):
            pass  # a text that needs values: the call runs, and says so, as the page renders
        return node


def make_environment(theme: Theme, messages: Messages = ENGLISH) -> jinja2.Environment:
    env = TrackingEnvironment(
        loader=_ThemeLoader(theme.template_dirs),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # One environment serves one build, so templates cannot change under it; without this,
        # every include re-checks its file on disk (a tenth of the render time at 10,000 pages).
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    _install_messages(env, messages)
    env.filters["number"] = messages.number
    env.filters["date"] = _date_filter(messages)
    env.filters["json_script"] = _json_script
    env.filters["json_ld"] = _json_ld
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    return env


def check_templates(theme: Theme) -> int:
    """Compile every template of the theme chain (without running any), raising BuildFailed with
    each syntax error at its file and line. Returns how many templates were checked."""
    env = make_environment(theme)
    errors = ErrorList()
    names = sorted(
        {
            path.relative_to(folder).as_posix()
            for folder in theme.template_dirs
            for path in folder.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        }
    )
    for name in names:
        try:
            env.get_template(name)
        except SiteError as exc:  # not UTF-8 (_ThemeLoader)
            errors.add(exc)
        except jinja2.TemplateError as exc:
            errors.add(_template_error(exc, theme))
    errors.raise_if_any()
    return len(names)


def _template_path(theme: Theme, name: str) -> Path | None:
    """The file the theme's loader gives for ``name`` (None if none would be loaded)."""
    try:
        found = _ThemeLoader(theme.template_dirs).find(name)
    except jinja2.TemplateNotFound:
        return None
    return found[1] if found is not None else None


def _template_error(exc: BaseException, theme: Theme) -> SiteError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SiteError(f"template error: {exc.message}", path=exc.filename or exc.name, line=exc.lineno or 0)
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(str(exc.message or exc))
    roots = [str(d) for d in theme.chain]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if any(f.filename.startswith(r) for r in roots)]
    if frames:
        last = frames[-1]
        return SiteError(f"template error: {exc}", path=last.filename, line=last.lineno or 0)
    return SiteError(f"template error: {exc}")


class TemplateTimeout(Exception):
    """Raised inside a page's render that ran past its time limit (parallel.PageTimer)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the page took more than {seconds:g} s")
        self.seconds = seconds


def _timeout_error(exc: TemplateTimeout, page: PlannedPage, theme: Theme) -> SiteError:
    running = _template_error(exc, theme)  # the template line that ran when the time was up
    path, line = (running.path, running.line) if running.path else (_template_path(theme, page.template), 0)
    return SiteError(
        f"this template ran for more than {exc.seconds:g} s on {page.output}: does it loop forever?",
        path=path,
        line=line,
        hint="a page renders in a few milliseconds; check the loops of this template and of those it includes",
    )


def _unwritable_error(exc: UnicodeEncodeError, page: PlannedPage, theme: Theme) -> SiteError:
    """A page with a character UTF-8 cannot write (a lone surrogate): content cannot have one
    (load.py refuses them), so a template printed it, most likely from an escape in a string."""
    char = exc.object[exc.start]
    escape = re.compile(rf"\\(?:u|U0000){ord(char):04x}", re.I)
    for folder in theme.template_dirs:
        for path in sorted(folder.rglob("*")):
            try:
                found = escape.search(path.read_text(encoding="utf-8")) if path.is_file() else None
            except (OSError, UnicodeDecodeError):
                continue
            if found is not None:
                line = found.string.count("\n", 0, found.start()) + 1
                return SiteError(
                    f"this template prints {character_problem(char)}, which cannot be written as UTF-8 "
                    f"(on {page.output})",
                    path=path,
                    line=line,
                    hint=f"remove the escape {found.group()}",
                )
    return SiteError(
        f"this template made {page.output} contain {character_problem(char)}, which cannot be written as UTF-8",
        path=_template_path(theme, page.template),
    )


SRC_WIDTH = 800
"""The width of a photo's `src` file (browsers that read `srcset` choose their own)."""


def image_view(made: ProcessedImage, alt: str, focus: str | None, base_url: str) -> ImageView:
    """A photo's view from the files the image step made of it."""
    jpegs = made.of_type("image/jpeg")
    files = tuple(ImageFile(url=href(v.output), width=v.width, height=v.height, type=v.type) for v in made.variants)
    if not jpegs:  # an SVG or a GIF, published as it is
        only = files[0]
        return ImageView(
            url=only.url,
            abs_url=base_url + only.url,
            alt=alt,
            width=made.width,
            height=made.height,
            full_url=only.url,
            full_width=made.width,
            full_height=made.height,
            share_width=made.width,
            share_height=made.height,
            files=files,
            focus=focus or "50% 50%",
        )
    src = next((v for v in jpegs if v.width >= SRC_WIDTH), jpegs[-1])
    share = next((v for v in reversed(jpegs) if v.width <= SHARE_WIDTH), jpegs[0])
    full = jpegs[-1]
    return ImageView(
        url=href(src.output),
        abs_url=base_url + href(share.output),
        alt=alt,
        width=src.width,
        height=src.height,
        full_url=href(full.output),
        full_width=full.width,
        full_height=full.height,
        share_width=share.width,
        share_height=share.height,
        files=files,
        types=tuple(t for t in ("image/avif", "image/webp") if made.of_type(t)),
        focus=focus or "50% 50%",
    )


class Renderer:
    """Renders planned pages. Each page depends only on the frozen plan, so pages can be rendered
    in any order, or in several processes."""

    def __init__(self, plan: SitePlan, theme: Theme, images: ImageSet, reuse: Renderer | None = None) -> None:
        """``reuse``: the renderer of the previous build of the same site (the dev server's
        incremental rebuilds). When the theme, site config and maker are the very same objects, its
        Jinja environment (compiled templates) and the views of listings that are the very same
        objects are reused instead of being built again; anything else is built afresh."""
        self.plan = plan
        self.images = images
        """What the image step made of each photo (its files, by PhotoJob.prefix)."""
        self.site = plan.site
        self.cfg = plan.site.config
        self.theme = theme
        self.messages = plan.messages
        self._listing_views: dict[str, ListingView] = {}
        # Views of things many listings share (the same tag, photo or customization), made once:
        # ten thousand listings would otherwise each hold their own equal copies.
        self._shared_views: dict[tuple[object, ...], Any] = {}
        self._order_contact = OrderContact(
            email=self.cfg.contact.email,
            maker=self.site.maker.name,
            paypal_email=self.cfg.checkout.paypal_email,
            messages=self.messages,
        )
        self._view_sources: dict[str, Listing] = {}
        self.env: jinja2.Environment
        if (
            reuse is not None
            and reuse.theme is theme
            and reuse.cfg is self.cfg
            and reuse.messages == self.messages
            and reuse.site.maker is self.site.maker
            and reuse.site.content_root == self.site.content_root
            and reuse.images.images == images.images
        ):
            self.env = reuse.env
            for listing in plan.public_listings:
                if reuse._view_sources.get(listing.slug) is listing:
                    self._listing_views[listing.slug] = reuse._listing_views[listing.slug]
                    self._view_sources[listing.slug] = listing
        else:
            self.env = make_environment(theme, self.messages)
        self.site_view = self._site_view()

    # views ----------------------------------------------------------------------------------

    def money(self, minor: int, currency: str) -> str:
        return format_money(minor, currency, self.cfg.language)

    def surcharge_text(self, minor: int, currency: str, per_unit: bool = False) -> str:
        if not minor:
            return ""
        amount = self.money(minor, currency)
        if per_unit:
            return self.messages.tr("+%(amount)s each", amount=amount)
        return self.messages.tr("+%(amount)s", amount=amount)

    def image(self, img: Image, url: str | None = None) -> ImageView:
        """The view of a photo whose files went to ``url`` (the plan's prefix for them; public
        photos' by default)."""
        url = url if url is not None else self.plan.image_urls[img.src]
        made = self.images.images[url]
        key = ("image", img, url, made)
        view = self._shared_views.get(key)
        if view is None:
            view = self._shared_views[key] = image_view(made, img.alt, img.focus, self.cfg.base_url)
        return view  # type: ignore[no-any-return]

    def _tag_link(self, tag: Tag) -> TagLink:
        key = ("tag", tag)
        view = self._shared_views.get(key)
        if view is None:
            view = self._shared_views[key] = TagLink(name=tag.name, url=href(tag_url(tag)))
        return view  # type: ignore[no-any-return]

    def _customization(
        self,
        c: Customization,
        listing: Listing,
        urls: Mapping[Path, str],
        fonts: Mapping[Path, str],
        font_field: str | None,
    ) -> CustomizationView:
        photos = [o.image for o in c.options if o.image] + ([c.preview.image] if c.preview else [])
        typefaces = [o.font for o in c.options if o.font] + ([c.preview.font] if c.preview and c.preview.font else [])
        # The same customization in two listings is one view, unless its photos and fonts are at
        # other addresses (a private listing's are in its own folder) or in another place in
        # the gallery.
        index = tuple(i for i, img in enumerate(listing.images) if img.src in photos)
        key = (
            "customization", c, listing.currency, tuple(urls[f] for f in photos), tuple(fonts[f] for f in typefaces),
            index, font_field,
        )  # fmt: skip
        view = self._shared_views.get(key)
        if view is None:
            view = self._shared_views[key] = self._customization_view(c, listing, urls, fonts, font_field)
        return view  # type: ignore[no-any-return]

    def _condition_text(self, c: Customization, note: bool = False) -> str | None:
        """When ``c`` is asked, in words: 'Only if Gift wrap is ticked.' (``note``: 'only if Gift
        wrap is ticked', for the order mail); None when always asked."""
        if not c.show_if:
            return None
        t = self.messages
        conditions = t.join([_condition_view(x, t).text for x in c.show_if], "and")
        if note:
            return t.tr("only if %(conditions)s", conditions=conditions)
        return t.tr("Only if %(conditions)s.", conditions=conditions)

    def _customization_view(
        self,
        c: Customization,
        listing: Listing,
        urls: Mapping[Path, str],
        fonts: Mapping[Path, str],
        font_field: str | None,
    ) -> CustomizationView:
        cur = listing.currency
        photos = {img.src: img for img in listing.images}
        places: dict[Path, int] = {}
        for i, img in enumerate(listing.images):
            places.setdefault(img.src, i)

        def photo(src: Path | None) -> ImageView | None:
            return self.image(photos[src], urls[src]) if src is not None else None

        preview = None
        if c.preview is not None:
            p = c.preview
            shown = photos[p.image]
            preview = PreviewView(
                image=self.image(shown, urls[p.image]),
                area=p.area,
                photo_width=shown.width or 0,
                photo_height=shown.height or 0,
                font_url=href(fonts[p.font]) if p.font else None,
                colour=p.colour,
                max_size=p.max_size,
                font_field_id=f"opt-{font_field}" if font_field else None,
            )
        return CustomizationView(
            key=c.key,
            field_id=f"opt-{c.key}",
            name=c.name,
            kind=c.kind,
            required=c.required,
            options=tuple(
                OptionView(
                    label=o.label,
                    surcharge=o.surcharge,
                    surcharge_text=self.surcharge_text(o.surcharge, cur),
                    image=photo(o.image),
                    photo_index=places[o.image] if o.image is not None else None,
                    swatch=o.swatch,
                    font_url=href(fonts[o.font]) if o.font else None,
                )
                for o in c.options
            ),
            max_length=c.max_length,
            surcharge=c.surcharge,
            surcharge_text=self.surcharge_text(c.surcharge, cur, per_unit=c.kind == "number"),
            instructions=c.instructions,
            minimum=c.minimum,
            maximum=c.maximum,
            step=c.step,
            default=c.default,
            conditions=tuple(_condition_view(x, self.messages) for x in c.show_if),
            condition_text=self._condition_text(c),
            condition_note=self._condition_text(c, note=True),
            allowed_text=_allowed_text(c.allowed, self.messages),
            allowed_note=_allowed_note(c.allowed, self.messages),
            allowed_pattern=_allowed_pattern(c.allowed),
            preview=preview,
        )

    def _shipping(self, listing: Listing) -> ShippingView | None:
        shipping = listing.shipping
        made_to_order = listing.stock is None
        production = listing.production_time if made_to_order else None
        key = ("shipping", shipping, production, made_to_order, listing.currency)
        if key in self._shared_views:
            return self._shared_views[key]  # type: ignore[no-any-return]
        view = self._shared_views[key] = self._shipping_view(shipping, production, made_to_order)
        return view

    def _shipping_view(self, shipping: Shipping, production: str | None, made_to_order: bool) -> ShippingView | None:
        if not shipping.regions and shipping.processing_days is None:
            return None
        cur = shipping.currency
        regions = tuple(
            RegionView(
                name=r.name,
                price=r.price,
                price_text=self.money(r.price, cur) if r.price else self.messages.tr("Free"),
                free_over=r.free_over,
                free_over_text=self.money(r.free_over, cur) if r.free_over is not None else None,
                countries=r.countries,
            )
            for r in shipping.regions
        )
        # Made-to-order work ships after it is made (when its production_time is a time) and
        # packed; work in stock once it is packed.
        days = shipping.processing_days
        if made_to_order:
            made = duration_days(production)
            extra = days or (0, 0)
            days = (made[0] + extra[0], made[1] + extra[1]) if made is not None else None
        return ShippingView(
            regions=regions,
            processing_time=shipping.processing_time,
            ship_days=days,
            ships_text=self.messages.tr("Ships %(days)s", days=_ship_days_text(days, self.messages))
            if days is not None
            else None,
            days_text=_ship_days_text(days, self.messages) if days is not None else None,
        )

    def preview_page(self, page: PlannedPage, listing: Listing) -> bytes | None:
        """The page of a new version of a public listing (``page``: plan.listing_page of it)
        rendered before the site is planned again: the dev server shows it while the rest of the
        rebuild runs. Everything else on the page comes from this renderer's build; nothing is
        cached, so the renderer is unchanged. None when the listing shows a photo this build did
        not make (a new one): the full rebuild makes it first."""
        assert not listing.private and page.private is None
        urls = {img.src: self.plan.image_urls.get(img.src, public_image_url(img.src)) for img in listing.images}
        if any(url not in self.images.images for url in urls.values()):
            return None
        view = self.listing_view(
            listing, url=listing_url(listing), image_urls=urls, font_urls=public_font_urls(listing), remember=False
        )
        return self.render_page(page, self.context(page, listing=view))

    def listing_view(
        self,
        listing: Listing,
        url: str | None = None,
        image_urls: Mapping[Path, str] | None = None,
        remember: bool = True,
        font_urls: Mapping[Path, str] | None = None,
    ) -> ListingView:
        if listing.private and (url is None or image_urls is None):
            # A private listing has no public address or public photos: only its own page (see
            # context()) builds a view of it, with the URLs plan.py gave it.
            raise ValueError(f"private listing {listing.slug} has no public view")
        cached = self._listing_views.get(listing.slug)
        if cached is not None and url is None:
            return cached
        url = url if url is not None else listing_url(listing)
        link = href(url)
        urls = image_urls if image_urls is not None else self.plan.image_urls
        fonts = font_urls if font_urls is not None else public_font_urls(listing)
        images = tuple(self.image(img, urls[img.src]) for img in listing.images)
        price = self.money(listing.price, listing.currency)
        font_field = next((c.key for c in listing.customizations if any(o.font for o in c.options)), None)
        customizations = tuple(self._customization(c, listing, urls, fonts, font_field) for c in listing.customizations)
        has_surcharges = any(c.surcharge or any(o.surcharge for o in c.options) for c in listing.customizations)
        least = listing.price + sum(_least_surcharge(c) for c in customizations)
        stock = listing.stock
        view = ListingView(
            slug=listing.slug,
            title=listing.title,
            url=link,
            abs_url=self.cfg.base_url + link,
            price=price,
            price_minor=listing.price,
            currency=listing.currency,
            digits=currency_digits(listing.currency),
            images=images,
            image=images[0] if images else None,
            description=listing.description,
            tags=tuple(self._tag_link(t) for t in listing.tags) if not listing.private else (),
            production_time=listing.production_time,
            order_url=listing.order_url,
            order_contact=self._order_contact,
            customizations=customizations,
            has_surcharges=has_surcharges,
            private=listing.private,
            buyer=listing.buyer if listing.private else None,
            extra=listing.extra,
            checkout=listing.checkout,
            availability="made_to_order" if stock is None else "sold" if stock == 0 else "in_stock",
            stock=stock,
            max_quantity=stock if stock is not None and stock >= 2 else None,
            min_price=self.money(least, listing.currency) if least != listing.price else price,
            min_price_minor=least,
            price_varies=has_surcharges,
            shipping=self._shipping(listing),
        )
        if remember and url == listing_url(listing) and not listing.private:
            self._listing_views[listing.slug] = view
            self._view_sources[listing.slug] = listing
        return view

    def _site_view(self) -> SiteView:
        maker = self.site.maker
        co = maker.custom_orders
        extra = dict(self.theme.extra)
        extra.update(self.cfg.extra)
        favicon = self.images.favicon.variants[0] if self.images.favicon else None
        return SiteView(
            favicon_url=href(favicon.output) if favicon else None,
            favicon_type=favicon.type if favicon else None,
            config=ConfigView(
                title=self.cfg.title,
                base_url=self.cfg.base_url,
                base_path=self.cfg.base_path,
                description=self.cfg.description,
                language=self.cfg.language,
                currency=self.cfg.currency,
                theme=self.cfg.theme,
                contact=ContactView(email=self.cfg.contact.email, form_action=self.cfg.contact.form_action),
                listings_per_page=self.cfg.listings_per_page,
                extra=self.cfg.extra,
                checkout=CheckoutView(
                    provider=self.cfg.checkout.provider,
                    snipcart_key=self.cfg.checkout.snipcart_key,
                    snipcart_script=SNIPCART_SCRIPT,
                    snipcart_css=SNIPCART_CSS,
                    paypal_action=PAYPAL_ACTION,
                ),
            ),
            title=self.cfg.title,
            maker=MakerView(
                name=maker.name,
                # The portrait's description in the shop's language (the model's is English).
                photo=self.image(
                    dataclasses.replace(maker.photo, alt=self.messages.tr("Portrait of %(name)s", name=maker.name))
                )
                if maker.photo
                else None,
                location=maker.location,
                intro=maker.intro,
                bio=maker.bio,
                links=tuple(TagLink(name=link.name, url=link.url) for link in maker.links),
                custom_orders_enabled=co.enabled,
                accepts=co.accepts,
                production_time=co.production_time,
                # The schema's default, "24 hours", in the shop's language.
                response_time=co.response_time or self.messages.tr("24 hours"),
            ),
            listings=self._public_views(),
            tags=tuple(
                TagView(
                    name=t.tag.name,
                    slug=t.tag.slug,
                    url=href(t.url),
                    listings=tuple(self.listing_view(x) for x in t.listings),
                    count=len(t.listings),
                )
                for t in self.plan.tags
            ),
            menu=tuple(MenuItem(title=p.title, url=href(page_url(p))) for p in self.plan.menu),
            # Read-only, so a template cannot carry data from one page (a private one) to the next.
            extra=freeze(extra),
        )

    def _public_views(self) -> tuple[ListingView, ...]:
        # Made in the site's order (by file), the order in which the listings were loaded and
        # in which the build's workers render their pages: each worker then reads a few
        # stretches of memory, not a little of everything (see pipeline.build).
        for listing in self.site.listings:
            if not listing.private:
                self.listing_view(listing)
        return tuple(self.listing_view(x) for x in self.plan.public_listings)

    def custom_order_href(self, page: PlannedPage, listing: ListingView | None) -> str | None:
        co = self.site.maker.custom_orders
        if not co.enabled:
            return None
        if self.cfg.contact.form_action:
            form = f"{page.root}custom-order/"
            if listing is not None:
                form += f"?listing={quote(listing.title, safe='')}&url={quote(listing.abs_url, safe='')}"
            return form
        t = self.messages
        maker = self.site.maker.name
        if listing is not None:
            subject = t.tr("Custom order enquiry: %(title)s", title=listing.title)
            about = t.tr(
                'I\'d like to ask about a custom order based on "%(title)s" (%(url)s).',
                title=listing.title,
                url=listing.abs_url,
            )
        else:
            subject = t.tr("Custom order enquiry for %(shop)s", shop=self.cfg.title)
            about = t.tr("I'd like to ask about a custom order.")
        lines = [
            t.tr("Hello %(name)s,", name=maker),
            "",
            about,
            "",
            t.tr("What I would like:"),
            "",
            t.tr("Budget (optional):"),
            t.tr("Needed by (optional):"),
            "",
            t.tr("My name:"),
        ]
        return mailto(self.cfg.contact.email, subject, "\n".join(lines) + "\n")

    # rendering --------------------------------------------------------------------------------

    def context(self, page: PlannedPage, listing: ListingView | None = None) -> PageContext:
        if listing is None and page.private is not None:
            listing = self.listing_view(
                page.private.listing, url=page.url, image_urls=page.private.image_urls, font_urls=page.private.font_urls
            )
        elif listing is None and page.listing is not None:
            listing = self.listing_view(page.listing)
        tag = self.tag_view(page)
        shown = tuple(self.listing_view(x) for x in page.listings)
        link = href(page.url)
        page_view = PageView(
            url=link,
            abs_url=self.cfg.base_url + link,
            root=page.root,
            kind=page.kind,
            title=page.title,
            indexable=page.indexable,
            custom_order_href=self.custom_order_href(page, listing),
            body=page.page.body if page.page else None,
            seo=page_seo(self.site, self.site_view, page, listing, tag, shown, self.messages),
            private=page.private is not None,
            listings=shown,
            pagination=pagination_view(page.pagination),
        )
        return PageContext(site=self.site_view, page=page_view, listing=listing, tag=tag)

    def tag_view(self, page: PlannedPage) -> TagView | None:
        """The view of the tag a tag page shows (None for other pages)."""
        if page.tag is None:
            return None
        slug = page.tag.tag.slug
        return next(t for t in self.site_view.tags if t.slug == slug)

    def render_page(self, page: PlannedPage, context: PageContext | None = None) -> bytes:
        try:
            template = self.env.get_template(page.template)
            html = template.render(context or self.context(page))
        except TemplateTimeout as exc:
            raise _timeout_error(exc, page, self.theme) from exc
        except SiteError:  # a template that is not UTF-8 (_ThemeLoader)
            raise
        except jinja2.TemplateError as exc:
            raise _template_error(exc, self.theme) from exc
        except Exception as exc:  # a theme's runtime error (bad filter argument, division...)
            err = _template_error(exc, self.theme)
            if err.path is None:
                raise
            raise err from exc
        try:
            return html.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _unwritable_error(exc, page, self.theme) from exc

    def render_tracked(
        self, page: PlannedPage, context: PageContext | None = None
    ) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
        """render_page, plus what the page used: the parts of `site` and of `tag` (TAG_PART),
        sorted, and the templates."""
        env = self.env
        assert isinstance(env, TrackingEnvironment)
        context = context or self.context(page)
        env.start_tracking(self.site_view, context["tag"])
        try:
            data = self.render_page(page, context)
            return data, tuple(sorted(env.site_parts)), tuple(sorted(env.templates))
        finally:
            env.tracked = env.tracked_tag = None

    def render_all(self) -> dict[str, bytes]:
        return {p.output: self.render_page(p) for p in self.plan.pages}
