"""Real, openly licensed prose read from the machine: the Python documentation's HTML (Debian package
``python3.11-doc``, under the PSF licence), written by many named authors. Nothing here is committed: the
benchmarks read the pages where the package put them and say so plainly when it is not installed."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

DOC_ROOTS = [Path("/usr/share/doc/python3.11/html"), Path("/usr/share/doc/python3-doc/html")]
INSTALL_HINT = "apt-get install -y python3.11-doc"
_AUTHOR = re.compile(r'<dt class="field-\w+">[Aa]uthors?<span class="colon">:</span></dt>\s*<dd[^>]*><p>(.*?)</p>', re.S)


def doc_root() -> Path | None:
    """The installed Python documentation (HTML), or None."""
    for root in DOC_ROOTS:
        if (root / "howto").is_dir():
            return root
    return None


class _Paragraphs(HTMLParser):
    """The text of every <p> from the page body on, outside code blocks, tables and scripts."""

    SKIP = {"pre", "table", "script", "style", "nav"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._skip = 0
        self._in_p = 0
        self._buf: list[str] = []
        self._body = False

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "div" and "body" in cls.split():
            self._body = True
        if tag in self.SKIP:
            self._skip += 1
        if tag == "p" and self._body and not self._skip:
            self._in_p += 1
            self._buf = []

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag == "p" and self._in_p:
            self._in_p -= 1
            text = re.sub(r"\s+", " ", "".join(self._buf).replace("¶", "")).strip()
            if text:
                self.paragraphs.append(text)

    def handle_data(self, data):
        if self._in_p and not self._skip:
            self._buf.append(data)


def paragraphs(path: Path) -> list[str]:
    parser = _Paragraphs()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser.paragraphs


def author_of(path: Path) -> str | None:
    m = _AUTHOR.search(path.read_text(encoding="utf-8", errors="replace"))
    if not m:
        return None
    name = html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))
    return re.sub(r"\s*[<(].*$", "", name).strip() or None
