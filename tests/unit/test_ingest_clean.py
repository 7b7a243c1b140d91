"""Page furniture never reaches the chunks (tables of contents, navigation, boilerplate, permalink marks, raw
tags), every real sentence of the source is still there verbatim, and what was left out is counted per document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.ingest import IngestConfig, ingest_paths
from studio.ingest.boilerplate import drop_boilerplate
from studio.ingest.loaders import load
from studio.ingest.model import HEADING, TABLE, TEXT, Block, Extracted
from studio.workspace import Workspace
from tests.fixtures.furniture_docs import make_furniture_docx, make_nav_markdown, make_sphinx_page, make_toc_pdf
from tests.fixtures.ingest_docs import EN_SENTENCES, make_epub

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = {"sphinx.html": "Maintenance > Filters", "manual.pdf": "1 Introduction", "manual-no-leaders.pdf": "3 Maintenance",
            "README.md": "ACME press > Installation", "report.docx": "1 Introduction > 1.1 Scope of this manual"}
MAKERS = {
    "sphinx.html": make_sphinx_page,
    "manual.pdf": make_toc_pdf,
    "manual-no-leaders.pdf": lambda p: make_toc_pdf(p, leaders=False),
    "README.md": make_nav_markdown,
    "report.docx": make_furniture_docx,
}


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


@pytest.mark.parametrize("name", list(MAKERS))
def test_furniture_is_dropped_and_every_real_sentence_stays_verbatim(tmp_path, ws, name):
    path, real, junk = MAKERS[name](tmp_path / name)
    [report] = ingest_paths(ws, [path], IngestConfig())
    assert report.status == "ok" or report.warnings == ["1 <script> element(s) removed (never run)"], report.message
    doc = ws.find_document(name)
    chunks = ws.list_chunks(doc["id"])
    text = "\n".join(c["text"] for c in chunks)
    missing = [s for s in real if s not in text]
    assert not missing, missing  # the cleaner did not over-drop
    left = [j for j in junk if j in text]
    assert not left, (left, text[:600])
    paths = " ".join(c["heading_path"] for c in chunks)
    assert "¶" not in paths and "Contents" not in paths
    assert HEADINGS[name] in {c["heading_path"] for c in chunks}, {c["heading_path"] for c in chunks}  # real headings kept
    meta = json.loads(doc["meta_json"])["dropped"]
    assert meta["blocks"] >= 3 and meta["chars"] > 0 and meta["chunks"] >= 1 and 0 < meta["share"] < 0.6, meta
    assert report.dropped_chars == meta["chars"] and report.dropped_chunks == meta["chunks"]


def test_reasons_are_recorded(tmp_path):
    path, _, _ = make_toc_pdf(tmp_path / "m.pdf")
    pdf = load("pdf", path, IngestConfig())
    assert pdf.meta["dropped"]["reasons"] == {"toc": 9}  # the "Contents" title and its eight entries
    path, _, _ = make_nav_markdown(tmp_path / "r.md")
    reasons = load("markdown", path, IngestConfig()).meta["dropped"]["reasons"]
    assert reasons["toc"] == 4 and reasons["navigation"] >= 8, reasons


def test_sphinx_headings_have_no_permalink_and_inline_text_joins_as_written(tmp_path):
    path, _, _ = make_sphinx_page(tmp_path / "p.html")
    blocks = load("html", path, IngestConfig()).blocks
    assert [(b.text, b.level) for b in blocks if b.kind == HEADING] == [("Maintenance", 1), ("Filters", 2)]
    assert "Companies such as Red Hat, have shipped the press firmware since 2019." in [b.text for b in blocks]


def test_existing_documents_lose_nothing(tmp_path, ws):
    """Documents without furniture: nothing dropped (numbered steps, a parts table, "C#" and "Python 3" stay)."""
    md = tmp_path / "steps.md"
    md.write_text("# Using C#\n\n1. Open the valve\n2. Turn the knob\n3. Wait for the lamp\n4. Close the valve\n\n"
                  "| Part | Hours |\n|---|---|\n| Filter 100 | 100 |\n| Oil 250 | 250 |\n| Pump 500 | 500 |\n\n"
                  "Supported:\n\n- Python 3\n- Windows 10\n- Ubuntu 22\n\n- The pump stops when the oil\n  pressure drops below 2 bar.\n"
                  "- Next item\n\n" + " ".join(EN_SENTENCES) + "\n")
    out = load("markdown", md, IngestConfig())
    assert out.meta["dropped"]["blocks"] == 0, [(d.reason, d.block.text) for d in out.dropped]
    assert out.blocks[0].text == "Using C#"
    assert "- The pump stops when the oil pressure drops below 2 bar." in [b.text for b in out.blocks]  # wrapped item
    book = make_epub(tmp_path / "b.epub", [("One", EN_SENTENCES[:3]), ("Two", EN_SENTENCES[3:])])
    out = load("epub", book, IngestConfig())
    assert out.meta["dropped"]["blocks"] == 0 and all(s in [b.text for b in out.blocks] for s in EN_SENTENCES)


def test_rules_on_blocks():
    def run(*blocks):
        out = Extracted(kind="markdown", mime="text/markdown", blocks=[b if isinstance(b, Block) else Block(TEXT, b) for b in blocks])
        drop_boilerplate(out)
        return [b.text for b in out.blocks], sorted({d.reason for d in out.dropped})

    body = EN_SENTENCES[0]
    assert run("Chapter 1 Introduction ....... 5", body) == ([body], ["toc"])
    assert run("Skip to content", "Home » Library » Press", body) == ([body], ["navigation"])
    assert run("We use cookies to improve your experience. Accept all", body) == ([body], ["boilerplate"])
    assert run("© Copyright 2024, ACME.", "Edit on GitHub", "Created using Sphinx 7.2.6.", body) == ([body], ["boilerplate"])
    assert run("Indice", "Introduzione 3", "Sicurezza 5", "Manutenzione 9", body) == ([body], ["toc"])
    assert run(Block(HEADING, "Installation¶", 1), body)[0] == ["Installation", body]
    links = [Block(TEXT, f"- {w}", links=1.0) for w in ("Docs", "Blog", "Forum")]
    assert run(*links, body) == ([body], ["navigation"])
    # a "Contents" heading followed by prose is a real section: kept
    assert run(Block(HEADING, "Contents", 2), body)[0] == ["Contents", body]
    # a single page-numbered line and a table row of figures are not a table of contents
    assert run("Windows 10", body)[0] == ["Windows 10", body]
    assert run(Block(TABLE, "Filter | 500 hours"), body)[0] == ["Filter | 500 hours", body]
    # nothing would be left: the text is kept as it is
    assert run("Contents", "Logo") == (["Contents", "Logo"], [])


def test_upload_table_shows_the_dropped_share(tmp_path, ws):
    from studio.ui.upload import DOC_COLS, document_rows, dropped_cell

    path, _, _ = make_toc_pdf(tmp_path / "m.pdf")
    plain = tmp_path / "plain.txt"
    plain.write_text(" ".join(EN_SENTENCES))
    ingest_paths(ws, [path, plain], IngestConfig())
    rows = {r[1]: r for r in document_rows(ws, "en")}
    col = DOC_COLS.index("upload.col_dropped")
    assert rows["m.pdf"][col].startswith("1 · ") and rows["m.pdf"][col].endswith("(contents 9)"), rows["m.pdf"]
    assert rows["plain.txt"][col] == "0"
    it = {r[1]: r for r in document_rows(ws, "it")}
    assert it["m.pdf"][col].endswith("(indice 9)")
    assert dropped_cell({"meta_json": "{}"}) == ""  # documents read before furniture was counted


def test_parser_warnings_do_not_reach_the_terminal(tmp_path):
    """An EPUB, an XHTML page, Markdown, a DOCX and a PDF ingested by the CLI print their status lines only."""
    book = make_epub(tmp_path / "b.epub", [("One", EN_SENTENCES[:3]), ("Two", EN_SENTENCES[3:])])
    xhtml = tmp_path / "page.html"
    xhtml.write_text('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                     f"<p>{EN_SENTENCES[0]}</p></body></html>")
    files = [book, xhtml, make_nav_markdown(tmp_path / "r.md")[0], make_furniture_docx(tmp_path / "f.docx")[0],
             make_toc_pdf(tmp_path / "m.pdf")[0]]
    env = {**os.environ, "PYTHONWARNINGS": "default", "STUDIO_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    res = subprocess.run([sys.executable, "-m", "studio", "ingest", "--workspace", str(tmp_path / "w"),
                          *map(str, files)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    noise = [ln for ln in res.stderr.splitlines() if not ln.startswith("[")]
    assert noise == [], noise
    assert "Warning" not in res.stderr
