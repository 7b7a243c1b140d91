"""One loader per format: ``load(path, config) -> Extracted``."""

from __future__ import annotations

from pathlib import Path

from ..config import IngestConfig
from ..model import Extracted


def load(kind: str, path: Path, config: IngestConfig) -> Extracted:
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
