"""DOCX with python-docx: paragraphs, headings (by style), lists, tables as text rows, in body order."""

from __future__ import annotations

import re
from pathlib import Path

from ..clean import clean_paragraph
from ..config import IngestConfig
from ..model import HEADING, TABLE, TEXT, Extracted, IngestError
from ..sniff import check_zip

_TOC_STYLE = re.compile(r"^(?:toc|sommario|inhaltsverzeichnis|table des matières)\s*\d$|^toc heading$", re.IGNORECASE)
_HEADING_STYLE = re.compile(r"^(?:heading|titolo|überschrift|titre|título)\s*(\d)$", re.IGNORECASE)


def load_docx(path: Path, config: IngestConfig) -> Extracted:
    check_zip(path, config.max_unzipped_bytes)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise IngestError(f"corrupt DOCX: {exc}") from None
    except Exception as exc:  # lxml errors on broken XML
        raise IngestError(f"corrupt DOCX ({type(exc).__name__}): the document XML could not be read") from None
    out = Extracted(kind="docx", mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            _table(item, out)
        else:
            _paragraph(item, out)
    if not out.blocks:
        raise IngestError("the DOCX contains no text")
    return out


def _paragraph(par, out: Extracted) -> None:
    text = clean_paragraph(par.text or "")
    if not text:
        return
    style = (par.style.name if par.style is not None else "") or ""
    m = _HEADING_STYLE.match(style.strip())
    if _TOC_STYLE.match(style.strip()):
        out.add(TEXT, text)
        out.blocks[-1].hint = "toc"  # a table-of-contents entry Word wrote ("TOC 1", "Sommario 1")
    elif m:
        out.add(HEADING, text, level=int(m.group(1)))
    elif style.lower() == "title":
        out.add(HEADING, text, level=1)
    elif "list" in style.lower() or par._p.pPr is not None and par._p.pPr.numPr is not None:
        out.add(TEXT, "- " + text)
    else:
        out.add(TEXT, text)


def _table(table, out: Extracted) -> None:
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # merged cells repeat the same element
                continue
            seen.add(id(cell._tc))
            cells.append(clean_paragraph(cell.text or ""))
        if any(cells):
            out.add(TABLE, " | ".join(cells))
