"""HTML: the main content (``<main>``/``<article>`` when present), headings kept, tables as rows;
script, style, nav, header, footer, aside and forms dropped. Nothing is ever executed or rendered."""

from __future__ import annotations

from pathlib import Path

from ..clean import clean_paragraph, normalize
from ..config import IngestConfig
from ..model import HEADING, TABLE, TEXT, Extracted, IngestError
from .text import decode

DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg",
        "canvas", "button", "select", "object", "embed", "head")
BLOCKS = {"p", "li", "dt", "dd", "pre", "blockquote", "figcaption", "caption", "address", "td", "th"}
CONTAINERS = {"div", "section", "article", "main", "body", "ul", "ol", "dl", "figure", "details", "summary", "center"}
HEADINGS = {f"h{i}": i for i in range(1, 7)}


def load_html(path: Path, config: IngestConfig) -> Extracted:
    text, enc = decode(Path(path).read_bytes())
    out = Extracted(kind="html", mime="text/html")
    out.meta["encoding"] = enc
    parse_html(text, out)
    if not out.blocks:
        raise IngestError("the HTML page has no readable text")
    return out


def parse_html(markup: str, out: Extracted) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    scripts = len(soup.find_all("script"))
    for tag in soup.find_all(DROP):
        tag.decompose()
    if scripts:
        out.warnings.append(f"{scripts} <script> element(s) removed (never run)")
    root = soup.find("main") or soup.find("article") or soup.body or soup
    _walk(root, out)


def _walk(node, out: Extracted) -> None:
    from bs4 import NavigableString, Tag

    loose: list[str] = []

    def flush() -> None:
        if loose:
            out.add(TEXT, clean_paragraph(normalize(" ".join(loose))))
            loose.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child).__name__ in ("Comment", "Doctype", "CData", "ProcessingInstruction", "Declaration"):
                continue
            if str(child).strip():
                loose.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name in HEADINGS:
            flush()
            out.add(HEADING, clean_paragraph(normalize(child.get_text(" "))), level=HEADINGS[name])
        elif name == "table":
            flush()
            for row in child.find_all("tr"):
                cells = [clean_paragraph(normalize(c.get_text(" "))) for c in row.find_all(["td", "th"])]
                if any(cells):
                    out.add(TABLE, " | ".join(cells))
        elif name == "li":
            flush()
            if child.find(["ul", "ol", "p", "table"]):
                _walk(child, out)
            else:
                out.add(TEXT, "- " + clean_paragraph(normalize(child.get_text(" "))))
        elif name in BLOCKS:
            flush()
            if child.find(list(HEADINGS) + ["table", "ul", "ol"]):
                _walk(child, out)
            else:
                out.add(TEXT, clean_paragraph(normalize(child.get_text(" "))))
        elif name == "br":
            continue
        elif child.find(list(BLOCKS) + list(HEADINGS) + ["table", "div", "section", "ul", "ol"]):
            flush()
            _walk(child, out)
        elif name in CONTAINERS:
            flush()
            out.add(TEXT, clean_paragraph(normalize(child.get_text(" "))))
        else:
            loose.append(child.get_text(" "))
    flush()
