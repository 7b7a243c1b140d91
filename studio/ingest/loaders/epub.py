"""EPUB with ebooklib: chapters in spine order, each read as HTML."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

from ..config import IngestConfig
from ..model import Extracted, IngestError
from ..sniff import check_zip
from .html import parse_html
from .text import decode


def load_epub(path: Path, config: IngestConfig) -> Extracted:
    check_zip(path, config.max_unzipped_bytes)
    import ebooklib
    from ebooklib import epub

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = epub.read_epub(str(path), options={"ignore_ncx": True})
    except Exception as exc:
        raise IngestError(f"corrupt EPUB ({type(exc).__name__}): {str(exc)[:150]}") from None
    out = Extracted(kind="epub", mime="application/epub+zip")
    chapters = 0
    deadline = time.monotonic() + config.max_parse_seconds  # one budget for the whole book
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            continue
        if isinstance(item, epub.EpubNav) or "nav" in (getattr(item, "properties", None) or []):
            continue  # the table of contents page repeats the headings only
        text, _ = decode(item.get_content())
        before = len(out.blocks)
        parse_html(text, out, deadline=deadline, budget_s=config.max_parse_seconds)
        if len(out.blocks) > before:
            chapters += 1
            for block in out.blocks[before:]:
                block.page = chapters
    out.warnings = [w for w in out.warnings if "<script>" not in w] + (
        ["script elements removed (never run)"] if any("<script>" in w for w in out.warnings) else []
    )
    out.pages = chapters or None
    out.meta["chapters"] = chapters
    if not out.blocks:
        raise IngestError("the EPUB contains no readable chapters")
    return out
