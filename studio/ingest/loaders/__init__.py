"""One loader per format: ``load(path, config) -> Extracted``, page furniture already left out
(``boilerplate.drop_boilerplate``). Parser libraries' warnings are silenced here: a user reading the
terminal sees the file's status line, not XMLParsedAsHTMLWarning or pypdf's complaints about a PDF."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from ..boilerplate import drop_boilerplate
from ..config import IngestConfig
from ..model import Extracted

for _module in ("bs4", "ebooklib", "pypdf", "docx", "pypdfium2", "lxml"):
    warnings.filterwarnings("ignore", module=rf"{_module}(\.|$)")
for _logger in ("pypdf", "ebooklib", "bs4", "docx", "pypdfium2"):
    logging.getLogger(_logger).setLevel(logging.ERROR)
# BeautifulSoup's XMLParsedAsHTMLWarning / MarkupResemblesLocatorWarning by their text (importing bs4 costs start-up)
warnings.filterwarnings("ignore", message=r"(?s).*(?:parse an XML document|looks more like a (?:filename|URL))")


def load(kind: str, path: Path, config: IngestConfig, clean: bool = True) -> Extracted:
    """The document's blocks; with ``clean`` tables of contents, navigation and boilerplate are dropped."""
    out = _load(kind, path, config)
    if clean:
        drop_boilerplate(out)
    return out


def _load(kind: str, path: Path, config: IngestConfig) -> Extracted:
    if kind == "pdf":
        from .pdf import load_pdf

        return load_pdf(path, config)
    if kind == "docx":
        from .docx import load_docx

        return load_docx(path, config)
    if kind == "epub":
        from .epub import load_epub

        return load_epub(path, config)
    if kind == "html":
        from .html import load_html

        return load_html(path, config)
    if kind in ("markdown", "text"):
        from .text import load_text

        return load_text(path, config, markdown=kind == "markdown")
    raise ValueError(f"no loader for {kind!r}")
