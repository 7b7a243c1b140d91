"""A person uploads files on the Upload tab: status list, documents table, chunk viewer, live preview, delete."""

from __future__ import annotations

import pytest

from tests.fixtures.browser_fixtures import open_app
from tests.fixtures.ingest_docs import EN_SENTENCES, IT_SENTENCES, fact_sentences, make_docx, make_pdf

pytestmark = pytest.mark.browser


def _table_text(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id}").inner_text()


def test_upload_files_documents_table_and_chunk_viewer(live_app, page, tmp_path, artifacts_dir):
    make_pdf(tmp_path / "manual.pdf", [("1. Safety", EN_SENTENCES[:3]), ("2. Care", EN_SENTENCES[3:])], header=None)
    make_docx(tmp_path / "manuale.docx", "Manuale", [("Sezione uno", IT_SENTENCES)])
    evil = tmp_path / "evil.txt"
    evil.write_text("Plain note <img src=x onerror=alert(1)> <b>not bold</b> and the pump is rated 42 bar.")
    (tmp_path / "broken.pdf").write_text("not a pdf")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    open_app(page, live_app.url, tab="upload")
    page.locator("#upload-files input[type=file]").set_input_files(
        [str(tmp_path / n) for n in ("manual.pdf", "manuale.docx", "evil.txt", "broken.pdf")])
    page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('broken.pdf')", timeout=60_000)
    status = _table_text(page, "upload-status")
    assert "not a valid PDF" in status and status.count("ok") >= 3
    page.wait_for_function("() => document.querySelector('#upload-documents').innerText.includes('manuale.docx')")
    docs = _table_text(page, "upload-documents")
    assert "manual.pdf" in docs and "evil.txt" in docs and "broken.pdf" not in docs
    assert "it" in docs.split() and "en" in docs.split()

    # pick the PDF: the chunk viewer shows heading paths and text
    page.locator("#upload-doc-pick input").click()
    page.get_by_role("option", name="manual.pdf (#1)").click()
    page.wait_for_function("() => document.querySelector('#upload-chunks').innerText.includes('2. Care')")
    page.locator("#upload-chunks").get_by_text("2. Care").first.click()
    page.wait_for_function(
        "() => document.querySelector('#upload-chunk-heading textarea, #upload-chunk-heading input').value === '2. Care'")
    assert EN_SENTENCES[3] in page.locator("#upload-chunk-text textarea").input_value()
    page.screenshot(path=str(artifacts_dir / "upload-tab.png"), full_page=True)

    # user text is shown as text: the markup appears literally and nothing ran
    page.locator("#upload-doc-pick input").click()
    page.get_by_role("option", name="evil.txt (#3)").click()
    page.wait_for_function("() => document.querySelector('#upload-chunk-text textarea').value.includes('onerror')")
    assert "<img src=x onerror=alert(1)>" in page.locator("#upload-chunk-text textarea").input_value()
    assert page.locator("#upload-chunks img").count() == 0 and page.locator("#upload-chunks b").count() == 0
    assert dialogs == []

    ws = live_app.workspace("default")
    assert sorted(d["name"] for d in ws.list_documents()) == ["evil.txt", "manual.pdf", "manuale.docx"]


def test_live_preview_apply_and_delete_with_confirmation(live_app, page, tmp_path):
    from studio.ingest import ingest_paths

    ws = live_app.workspace("default")
    (tmp_path / "long.md").write_text("# Long\n\n" + " ".join(fact_sentences(40)))
    [report] = ingest_paths(ws, [tmp_path / "long.md"])
    doc = ws.get_document(report.document_id)
    before = len(ws.list_chunks(doc["id"]))
    open_app(page, live_app.url, tab="upload")
    page.locator("#upload-doc-pick input").click()
    page.get_by_role("option", name=f"long.md (#{doc['id']})").click()
    page.locator("#upload-settings").get_by_text("Chunking settings").click()
    size = page.locator("#upload-chunk-tokens input[type=number]")
    size.fill("64")
    size.press("Enter")
    overlap = page.locator("#upload-overlap input[type=number]")
    overlap.fill("8")
    overlap.press("Enter")
    page.wait_for_function("() => document.querySelector('#upload-message textarea').value.includes('Preview:')")
    assert len(ws.list_chunks(doc["id"])) == before  # a preview saves nothing
    page.locator("#upload-apply").click()
    page.wait_for_function("() => document.querySelector('#upload-message textarea').value.includes('64 tokens')")
    after = len(ws.list_chunks(doc["id"]))
    assert after > before

    page.locator("#upload-delete").click()
    page.wait_for_selector("#upload-confirm", state="visible")
    assert "Delete long.md" in page.locator("#upload-message textarea").input_value()
    page.locator("#upload-cancel").click()
    page.wait_for_function("() => document.querySelector('#upload-message textarea').value.includes('Nothing deleted')")
    assert ws.find_document("long.md")
    page.locator("#upload-delete").click()
    page.locator("#upload-confirm").click()
    page.wait_for_function("() => document.querySelector('#upload-message textarea').value.includes('Deleted long.md')")
    assert ws.find_document("long.md") is None and ws.list_chunks(doc["id"]) == []
    assert "long.md" not in _table_text(page, "upload-documents")
