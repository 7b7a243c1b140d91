"""HTML read as a stream: lxml's HTML parser calls a target for each tag and text run, so no tree is
built and nothing recurses; time and memory grow linearly with the file. A page nested deeper than a
browser would build (512 levels, as Chromium) is refused at once, and each file has a time budget.

Kept: the main content (``<main>`` or role="main", else ``<article>``, else the body), headings, lists,
tables as rows, ``<pre>`` as code. Dropped: script, style, forms, navigation (``<nav>``, role
"navigation"/"banner"/"contentinfo"/"search", Sphinx sidebars and related bars, breadcrumbs, tables of
contents, cookie banners, "Edit on GitHub" and skip links), hidden elements and permalink anchors ("¶").
Inline markup joins its text exactly as written ("Red Hat<a>, have</a>" stays "Red Hat, have").
Nothing is ever executed or rendered."""

from __future__ import annotations

import re
import time
from pathlib import Path

from ..clean import clean_paragraph, normalize
from ..config import IngestConfig
from ..model import CODE, HEADING, TABLE, TEXT, Block, Dropped, Extracted, IngestError
from .text import decode

MAX_DEPTH = 512  # Chromium's HTML parser flattens below this depth too
_FEED_CHARS = 1 << 15  # parser fed in slices; the time budget is checked between them
_JUNK_KEEP = 1 << 16  # characters of one left-out element kept to count and show

DROP_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg", "canvas",
                       "button", "select", "object", "embed", "head", "title", "math", "dialog", "input", "textarea"})
EDGE_TAGS = frozenset({"header", "footer"})  # dropped outside <main>/<article> only (an article's header has its title)
BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "body", "html", "ul", "ol", "dl", "dt", "dd",
                        "blockquote", "figure", "figcaption", "caption", "address", "center", "details", "summary",
                        "hr", "header", "footer", "fieldset", "legend", "menu", "dir", "hgroup", "table", "noframes"})
HEADINGS = {f"h{i}": i for i in range(1, 7)}
DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar",
                        "toolbar", "dialog", "alertdialog", "doc-toc", "doc-pagebreak", "directory"})
# class or id names of page furniture: the word alone or with at most two name parts around it ("md-sidebar",
# "wy-nav-side", "cookie-banner"), never a heading's slug ("new-features-related-to-type-hints")
_PARTS = r"(?:[a-z0-9]+[-_]{1,2}){0,2}%s(?:[-_]{1,2}[a-z0-9]+){0,2}"
_FURNITURE_NAME = re.compile(_PARTS % (
    r"(?:nav|navbar|navigation|menu|sidebar|sphinxsidebar\w*|breadcrumbs?|toc|localtoc|globaltoc|toctree-wrapper|"
    r"related|footer|cookies?|cookie-?(?:banner|notice|consent|bar)|consent|gdpr|share|sharing|social|skip-?link|"
    r"skip-to-content|edit-?(?:link|page|on-github|this-page)|editlink|pagination|prev-?next|rst-footer-buttons|"
    r"versionswitcher)"), re.IGNORECASE)
_ANCHOR_NAME = re.compile(_PARTS % (r"(?:headerlink|permalink|header-anchor|anchor-?link|anchorjs-link|hash-link|"
                                    r"sr-only|visually-hidden|screen-reader-text)"), re.IGNORECASE)
_INLINE = frozenset({"a", "span", "code", "em", "strong", "b", "i", "tt", "kbd", "samp", "var", "abbr", "cite", "q",
                     "small", "sub", "sup", "mark", "u", "s", "del", "ins", "img", "label", "time", "data"})
_SLUGGED = frozenset({"section", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "article", "main"})  # ids are heading slugs
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# effect bits of an open element, undone when it closes
_DROP, _MAIN, _ARTICLE, _LINK, _HEAD, _PRE, _TABLE, _ROW, _CELL, _LI, _BLOCK = (1 << i for i in range(11))


def load_html(path: Path, config: IngestConfig) -> Extracted:
    text, enc = decode(Path(path).read_bytes())
    out = Extracted(kind="html", mime="text/html")
    out.meta["encoding"] = enc
    parse_html(text, out, deadline=time.monotonic() + config.max_parse_seconds, budget_s=config.max_parse_seconds)
    if not out.blocks:
        raise IngestError("the HTML page has no readable text")
    return out


def parse_html(markup: str, out: Extracted, deadline: float | None = None, budget_s: float | None = None) -> None:
    """Append the blocks of one HTML document to ``out`` (EPUB chapters share one deadline)."""
    from lxml import etree

    reader = _Reader()
    parser = etree.HTMLParser(target=reader, encoding="utf-8", no_network=True, recover=True,
                              remove_comments=True, remove_pis=True)
    try:
        for i in range(0, len(markup), _FEED_CHARS):
            parser.feed(markup[i : i + _FEED_CHARS].encode("utf-8", "replace"))
            if deadline is not None and time.monotonic() > deadline:
                why = f"this HTML nests tags {reader.max_depth:,} levels deep; " if reader.max_depth >= 100 else ""
                raise IngestError(
                    f"{why}reading it took over {budget_s:g} s and was stopped: "
                    "save the page as text or PDF and upload that"
                )
        parser.close()
    except _TooDeep:
        raise IngestError(
            f"this HTML nests tags over {MAX_DEPTH} levels deep (more than a browser would show): it is not a "
            "readable page; save it as text or PDF and upload that"
        ) from None
    except etree.LxmlError as exc:
        if not reader.blocks:
            raise IngestError(f"the HTML could not be read ({str(exc).splitlines()[0][:120]})") from None
    reader.flush()
    if reader.scripts:
        out.warnings.append(f"{reader.scripts} <script> element(s) removed (never run)")
    blocks = reader.blocks
    if any(in_main for _, in_main, _ in blocks):
        keep = [in_main for _, in_main, _ in blocks]
    elif any(in_article for _, _, in_article in blocks):
        keep = [in_article for _, _, in_article in blocks]
    else:
        keep = [True] * len(blocks)
    out.blocks.extend(b for (b, _, _), k in zip(blocks, keep) if k)
    out.dropped.extend(reader.dropped)
    out.dropped.extend(Dropped(b, "navigation") for (b, _, _), k in zip(blocks, keep) if not k)  # outside the main text


class _TooDeep(Exception):
    pass


_SILENT_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "canvas", "math",
                          "object", "embed", "iframe", "input", "textarea", "select", "button"})
_ROLE_REASON = {"contentinfo": "boilerplate", "dialog": "boilerplate", "alertdialog": "boilerplate", "doc-toc": "toc",
                "doc-pagebreak": ""}
_WORD_REASON = (("toc", "toc"), ("contents", "toc"), ("cookie", "boilerplate"), ("consent", "boilerplate"),
                ("gdpr", "boilerplate"), ("footer", "boilerplate"), ("edit", "boilerplate"), ("shar", "boilerplate"),
                ("social", "boilerplate"))


def _name_reason(name: str) -> str:
    low = name.lower()
    return next((reason for part, reason in _WORD_REASON if part in low), "navigation")


def _junk(tag: str, attrib) -> str | None:
    """Why an element is left out: "toc", "navigation", "boilerplate", "" (invisible: not counted), or None."""
    if tag == "aside" and attrib and ("footnote" in (attrib.get("class") or "") or "citation" in (attrib.get("class") or "")
                                      or (attrib.get("role") or "") in ("doc-footnote", "doc-endnote", "note")):
        return None  # docutils writes footnotes as <aside class="footnote">: content
    if tag in DROP_TAGS:
        return "" if tag in _SILENT_TAGS else "boilerplate" if tag == "dialog" else "navigation"
    if not attrib:
        return None
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return ""
    role = (attrib.get("role") or "").strip().lower()
    if role in DROP_ROLES:
        return _ROLE_REASON.get(role, "navigation")
    style = attrib.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return ""
    classes = (attrib.get("class") or "").split()
    for name in classes:
        if len(name) > 80:
            continue
        if _ANCHOR_NAME.fullmatch(name):
            return ""
        if tag not in _INLINE and _FURNITURE_NAME.fullmatch(name):
            return _name_reason(name)
    ident = attrib.get("id") or ""
    if ident and len(ident) <= 80 and tag not in _INLINE and tag not in _SLUGGED and _FURNITURE_NAME.fullmatch(ident):
        return _name_reason(ident)
    if "contents" in classes and ("topic" in classes or "local" in classes):  # a docutils table of contents
        return "toc"
    return None


class _Reader:
    """lxml parser target: a stack of effect bits, one text buffer, blocks out. O(1) work per event."""

    def __init__(self) -> None:
        self.stack: list[int] = []
        self.max_depth = 0
        self.skip = self.main = self.article = self.link = self.pre = 0
        self.heading = 0  # level of the open heading
        self.table = 0  # open tables
        self.row: list[str] | None = None
        self.row_table = 0
        self.cell = 0
        self.row_links = 0
        self.li_prefix = False
        self.buf: list[str] = []
        self.link_chars = 0
        self.blocks: list[tuple[Block, bool, bool]] = []
        self.dropped: list[Dropped] = []
        self.junk_reason: str | None = None
        self.junk_buf: list[str] = []
        self.junk_size = 0
        self.scripts = 0

    # ---- parser target interface ----
    def start(self, tag, attrib) -> None:
        depth = len(self.stack) + 1
        if depth > self.max_depth:
            self.max_depth = depth
            if depth > MAX_DEPTH:
                raise _TooDeep()
        tag = tag.lower() if isinstance(tag, str) else ""
        if tag == "script":
            self.scripts += 1
        if self.skip:
            self.stack.append(0)
            if self.junk_reason and self.junk_size < _JUNK_KEEP:
                self.junk_buf.append(" ")  # left-out text keeps its word breaks, for the samples
            return
        fx = 0
        reason = _junk(tag, attrib)
        if reason is None and tag in EDGE_TAGS and not (self.main or self.article):
            reason = "navigation" if tag == "header" else "boilerplate"
        if reason is not None:
            self.skip += 1
            self.stack.append(_DROP)
            self.junk_reason, self.junk_buf, self.junk_size = reason, [], 0
            return
        if tag == "main" or (attrib and (attrib.get("role") or "").lower() == "main"):
            fx |= _MAIN
            self.main += 1
        if tag == "article":
            fx |= _ARTICLE
            self.article += 1
        if tag in HEADINGS and not self.heading and not self.cell:
            self.flush()
            self.heading = HEADINGS[tag]
            fx |= _HEAD
        elif tag == "pre" and not self.pre and not self.cell and not self.heading:
            self.flush()
            self.pre += 1
            fx |= _PRE
        elif tag == "table":
            if not self.cell:
                self.flush()
            self.table += 1
            fx |= _TABLE
        elif tag == "tr" and self.table and self.row is None:
            self.flush()
            self.row, self.row_table, self.row_links = [], self.table, 0
            fx |= _ROW
        elif tag in ("td", "th") and self.row is not None and self.table == self.row_table and not self.cell:
            self.buf.clear()
            self.link_chars = 0
            self.cell = 1
            fx |= _CELL
        elif tag == "li" and not self.cell and not self.heading:
            self.flush()
            self.li_prefix = True
            fx |= _LI
        elif tag == "br":
            self.buf.append("\n")
        elif tag in BLOCK_TAGS or tag in ("tr", "td", "th", "li", "pre"):
            fx |= _BLOCK
            self._boundary()
        if tag == "a":
            fx |= _LINK
            self.link += 1
        self.stack.append(fx)

    def end(self, tag) -> None:
        if not self.stack:
            return
        fx = self.stack.pop()
        if not fx:
            return
        if fx & _DROP:
            self.skip -= 1
            if not self.skip and self.junk_reason:
                text = clean_paragraph("".join(self.junk_buf))
                if text:
                    self.dropped.append(Dropped(Block(TEXT, text), self.junk_reason))
            return
        if fx & _LINK:
            self.link -= 1
        if fx & _HEAD:
            text = clean_paragraph("".join(self.buf))
            self.buf.clear()
            self.link_chars = 0
            if text:
                self._emit(Block(HEADING, text, self.heading))
            self.heading = 0
        elif fx & _PRE:
            code = "\n".join(ln.rstrip() for ln in normalize("".join(self.buf)).split("\n")).strip("\n")
            self.buf.clear()
            self.link_chars = 0
            self.pre -= 1
            if code.strip():
                self._emit(Block(CODE, code))
        elif fx & _CELL:
            self.row.append(clean_paragraph("".join(self.buf)))  # type: ignore[union-attr]
            self.buf.clear()
            self.row_links += self.link_chars
            self.link_chars = 0
            self.cell = 0
        elif fx & _ROW:
            self._end_row()
        elif fx & _TABLE:
            if self.row is not None and self.row_table == self.table:
                self._end_row()
            self.table -= 1
        elif fx & _LI:
            self.flush()
            self.li_prefix = False
        elif fx & _BLOCK:
            self._boundary()
        if fx & _MAIN:
            self.flush()
            self.main -= 1
        if fx & _ARTICLE:
            self.flush()
            self.article -= 1

    def data(self, text) -> None:
        if not text:
            return
        if self.skip:
            if self.junk_reason and self.junk_size < _JUNK_KEEP:  # what was left out, for the counts
                self.junk_buf.append(text)
                self.junk_size += len(text)
            return
        self.buf.append(text)
        if self.link:
            self.link_chars += len(text.strip())

    def comment(self, text) -> None:  # comments and doctypes carry no content
        pass

    def doctype(self, *args) -> None:
        pass

    def pi(self, *args) -> None:
        pass

    def close(self) -> None:
        return None

    # ---- blocks ----
    def _boundary(self) -> None:
        if self.pre:
            return
        if self.cell or self.heading:
            self.buf.append(" ")
        else:
            self.flush()

    def _end_row(self) -> None:
        cells, self.row = self.row or [], None
        self.buf.clear()
        self.link_chars = 0
        self.cell = 0
        if any(cells):
            text = " | ".join(cells)
            block = Block(TABLE, text)
            block.links = min(1.0, self.row_links / max(1, len(text.replace(" ", "").replace("|", ""))))
            self._emit(block)

    def flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf.clear()
        text = clean_paragraph(raw)
        links, self.link_chars = self.link_chars, 0
        if not text:
            return
        block = Block(TEXT, "- " + text if self.li_prefix else text)
        block.links = min(1.0, links / max(1, len(text.replace(" ", ""))))
        self.li_prefix = False
        self._emit(block)

    def _emit(self, block: Block) -> None:
        self.blocks.append((block, self.main > 0, self.article > 0))
