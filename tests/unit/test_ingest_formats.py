"""Every document format, built by the test, read into clean blocks and heading-aware chunks."""

from __future__ import annotations


import pytest

from studio.ingest import IngestConfig, ingest_paths
from studio.ingest.lang import detect_language
from studio.ingest.loaders import load
from studio.ingest.loaders.text import decode
from studio.workspace import Workspace
from tests.fixtures.ingest_docs import (
    EN_SENTENCES, IT_SENTENCES, html_page, make_docx, make_encrypted_pdf, make_epub, make_long_pdf, make_pdf,
    make_scanned_pdf, markdown_doc,
)

CFG = IngestConfig()


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


def _chunks(ws, name):
    doc = ws.find_document(name)
    assert doc, f"{name} not ingested"
    return doc, ws.list_chunks(doc["id"])


def _all_text(chunks):
    return "\n".join(c["text"] for c in chunks)


def test_pdf_headers_footers_page_numbers_removed_and_sentences_kept(tmp_path, ws):
    path, sentences = make_long_pdf(tmp_path / "manual.pdf", pages=6)
    [report] = ingest_paths(ws, [path], CFG)
    assert report.status == "ok", report.message
    assert report.pages == 6 and report.lang == "en" and report.chunks >= 6
    doc, chunks = _chunks(ws, "manual.pdf")
    text = _all_text(chunks)
    assert "ACME Press Manual" not in text  # running header
    assert all(s in text for s in sentences), [s for s in sentences if s not in text][:3]
    lines = {ln.strip() for c in chunks for ln in c["text"].split("\n")}
    assert not any(ln.isdigit() for ln in lines)  # page numbers gone
    assert {c["heading_path"] for c in chunks} >= {"1. Section 1", "6. Section 6"}
    assert chunks[-1]["page"] == 6 and chunks[0]["page"] == 1


def test_pdf_hyphenation_numbered_headings_and_italian(tmp_path, ws):
    path = make_pdf(tmp_path / "doc.pdf", [("1. Intro", EN_SENTENCES[:2]), ("1.1 Details", EN_SENTENCES[2:4]),
                                           ("2. Italiano", IT_SENTENCES)],
                    header=None, outline=False, hyphenated=("The transformer needs careful calibra-", "tion before use."))
    extracted = load("pdf", path, CFG)
    body = " ".join(b.text for b in extracted.blocks)
    assert "calibration before use." in body and "calibra-" not in body
    headings = [(b.text, b.level) for b in extracted.blocks if b.kind == "heading"]
    assert headings == [("1. Intro", 1), ("1.1 Details", 2), ("2. Italiano", 1)]
    [report] = ingest_paths(ws, [path], CFG)
    _, chunks = _chunks(ws, "doc.pdf")
    assert "1. Intro > 1.1 Details" in {c["heading_path"] for c in chunks}
    assert IT_SENTENCES[1] in _all_text(chunks)  # accents kept


def test_scanned_and_encrypted_pdfs(tmp_path, ws):
    scanned = make_scanned_pdf(tmp_path / "scan.pdf")
    locked = make_encrypted_pdf(tmp_path / "locked.pdf", user_password="secret")
    open_pw = make_encrypted_pdf(tmp_path / "owner-only.pdf", user_password="")
    reports = {r.name: r for r in ingest_paths(ws, [scanned, locked, open_pw], CFG)}
    assert reports["scan.pdf"].status == "error" and "OCR" in reports["scan.pdf"].error
    assert reports["locked.pdf"].status == "error" and "password" in reports["locked.pdf"].error
    assert reports["owner-only.pdf"].status == "ok" and reports["owner-only.pdf"].chunks == 1
    assert [d["name"] for d in ws.list_documents()] == ["owner-only.pdf"]


def test_pdf_with_some_scanned_pages_is_a_warning(tmp_path):
    import pypdfium2 as pdfium

    text_pdf = make_pdf(tmp_path / "t.pdf", [("Intro", EN_SENTENCES)], header=None)
    scan_pdf = make_scanned_pdf(tmp_path / "s.pdf")
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(text_pdf)))
    merged.import_pages(pdfium.PdfDocument(str(scan_pdf)))
    merged.save(str(tmp_path / "mixed.pdf"))
    extracted = load("pdf", tmp_path / "mixed.pdf", CFG)
    assert extracted.pages == 2 and any("scanned, needs OCR): 2" in w for w in extracted.warnings)


def test_docx_headings_lists_tables(tmp_path, ws):
    path = make_docx(tmp_path / "manuale.docx", "Manuale", [("Sezione uno", IT_SENTENCES[:3]), ("Sezione due", IT_SENTENCES[3:])],
                     table=[["Parte", "Ore"], ["Filtro", "500"]], bullets=["primo punto", "secondo punto"])
    [report] = ingest_paths(ws, [path], CFG)
    assert report.status == "ok" and report.lang == "it"
    _, chunks = _chunks(ws, "manuale.docx")
    assert [c["heading_path"] for c in chunks] == ["Manuale > Sezione uno", "Manuale > Sezione due"]
    text = _all_text(chunks)
    assert "- primo punto" in text and "Parte | Ore\nFiltro | 500" in text
    assert all(s in text for s in IT_SENTENCES)


def test_epub_chapters_in_spine_order(tmp_path, ws):
    chapters = [("Chapter A", EN_SENTENCES[:2]), ("Chapter B", EN_SENTENCES[2:4]), ("Chapter C", EN_SENTENCES[4:])]
    path = make_epub(tmp_path / "book.epub", chapters)  # the spine reads B, C, A
    [report] = ingest_paths(ws, [path], CFG)
    assert report.status == "ok" and report.pages == 3
    _, chunks = _chunks(ws, "book.epub")
    assert [c["heading_path"] for c in chunks] == ["Chapter B", "Chapter C", "Chapter A"]
    assert all(s in _all_text(chunks) for s in EN_SENTENCES)


def test_html_main_content_only_scripts_dropped(tmp_path, ws):
    path = tmp_path / "page.html"
    path.write_text(html_page())
    [report] = ingest_paths(ws, [path], CFG)
    assert report.status == "warning" and "script" in report.message
    _, chunks = _chunks(ws, "page.html")
    text = _all_text(chunks)
    for dropped in ("alert", "evil.example", "Home", "Copyright footer", "Site banner", "color: red"):
        assert dropped not in text
    assert "Part | Interval\nFilter | 500 hours" in text
    assert [c["heading_path"] for c in chunks][-1] == "Press guide > Maintenance"
    assert all(s in text for s in EN_SENTENCES[:4])


def test_markdown_heading_paths_tables_code(tmp_path, ws):
    path = tmp_path / "manuale.md"
    path.write_text(markdown_doc(), encoding="utf-8")
    ingest_paths(ws, [path], CFG)
    doc, chunks = _chunks(ws, "manuale.md")
    assert doc["lang"] == "it"
    assert [c["heading_path"] for c in chunks] == [
        "Manuale della pressa", "Manuale della pressa > Manutenzione", "Manuale della pressa > Manutenzione > Filtri",
    ]
    text = _all_text(chunks)
    assert "title: Manuale" not in text  # front matter
    assert "Parte | Intervallo\nFiltro | 500 ore" in text and "codice di esempio" in text
    assert f"- {IT_SENTENCES[3]}" in text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_text_encodings_detected(tmp_path, ws, encoding):
    text = "\n\n".join(IT_SENTENCES) + "\n\nPrezzo: 30 € — “citazione”.\n" if encoding in ("cp1252", "utf-8", "utf-8-sig", "utf-16", "utf-16-le") else "\n\n".join(IT_SENTENCES)
    path = tmp_path / f"note-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    [report] = ingest_paths(ws, [path], CFG)
    assert report.status == "ok", report.message
    _, chunks = _chunks(ws, path.name)
    got = _all_text(chunks)
    assert all(s in got for s in IT_SENTENCES), got[:200]
    if "€" in text:
        assert "30 € — “citazione”." in got
    assert report.lang == "it"


def test_decode_prefers_cp1252_only_when_its_characters_appear():
    assert decode("perché così".encode("latin-1")) == ("perché così", "latin-1")
    assert decode("l’anno".encode("cp1252"))[0] == "l’anno"


def test_language_detection_english_italian_and_too_short():
    assert detect_language(" ".join(EN_SENTENCES)) == "en"
    assert detect_language(" ".join(IT_SENTENCES)) == "it"
    assert detect_language("ok 12") is None
