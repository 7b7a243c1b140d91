"""Every bad input (corrupt, encrypted, empty, huge, mislabelled) ends with one clear message for that file;
nothing else is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.ingest import IngestConfig, ingest_paths
from studio.workspace import Workspace
from tests.fixtures.ingest_docs import EN_SENTENCES, make_docx, make_long_pdf, make_pdf, make_zip_bomb

CFG = IngestConfig()


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.md"
    path.write_text("# Good\n\n" + " ".join(EN_SENTENCES))
    return path


def _one(ws, path, name=None, config=CFG):
    [report] = ingest_paths(ws, [(path, name or Path(path).name)], config)
    assert "\n" not in (report.error or "")  # one line
    return report


def test_zero_byte_file(tmp_path, ws):
    (tmp_path / "empty.txt").write_bytes(b"")
    r = _one(ws, tmp_path / "empty.txt")
    assert r.status == "error" and "empty" in r.error


def test_truncated_and_corrupt_pdf(tmp_path, ws):
    full = make_pdf(tmp_path / "full.pdf", [("Intro", EN_SENTENCES)])
    (tmp_path / "cut.pdf").write_bytes(full.read_bytes()[:700])
    (tmp_path / "fake.pdf").write_text("this is not a pdf at all")
    assert "corrupt or truncated PDF" in _one(ws, tmp_path / "cut.pdf").error
    assert "not a valid PDF" in _one(ws, tmp_path / "fake.pdf").error
    assert ws.list_documents() == []


def test_pdf_with_wrong_extension_is_read_as_pdf(tmp_path, ws):
    pdf = make_pdf(tmp_path / "x.pdf", [("Intro", EN_SENTENCES)], header=None)
    renamed = tmp_path / "notes.txt"
    renamed.write_bytes(pdf.read_bytes())
    r = _one(ws, renamed)
    assert r.status == "warning" and r.kind == "pdf" and "really PDF" in r.message
    assert EN_SENTENCES[0] in ws.list_chunks(r.document_id)[0]["text"]


def test_binary_renamed_txt(tmp_path, ws):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (tmp_path / "blob.txt").write_bytes(bytes(range(1, 256)) * 50)
    assert "PNG image" in _one(ws, tmp_path / "photo.txt").error
    assert "binary" in _one(ws, tmp_path / "blob.txt").error


@pytest.mark.parametrize("suffix,member", [(".docx", "word/document.xml"), (".epub", "OEBPS/chapter.xhtml")])
def test_zip_bomb_disguised_as_docx_or_epub(tmp_path, ws, suffix, member):
    bomb = make_zip_bomb(tmp_path / f"bomb{suffix}", member=member, megabytes=40)
    assert bomb.stat().st_size < 1_000_000
    r = _one(ws, bomb)
    assert r.status == "error" and "zip bomb" in r.error


def test_zip_bomb_by_total_size_and_corrupt_docx(tmp_path, ws):
    bomb = make_zip_bomb(tmp_path / "big.docx", megabytes=8)
    small = IngestConfig(max_unzipped_mb=5)
    assert "expands to 8 MB (limit 5 MB)" in _one(ws, bomb, config=small).error
    make_docx(tmp_path / "ok.docx", "T", [("S", EN_SENTENCES[:1])])
    data = bytearray((tmp_path / "ok.docx").read_bytes())
    (tmp_path / "broken.docx").write_bytes(bytes(data[: len(data) // 2]))
    r = _one(ws, tmp_path / "broken.docx")
    assert r.status == "error" and "corrupt" in r.error


def test_file_over_the_size_limit(tmp_path, ws):
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as fh:  # sparse: 300 MB on paper, nothing on disk
        fh.truncate(300 * 1024 * 1024)
    r = _one(ws, huge)
    assert r.status == "error" and "300 MB, over the 100 MB limit" in r.error


def test_unsafe_names_are_sanitised(tmp_path, ws, good):
    r1 = _one(ws, good, name="../../etc/passwd.md")
    other = _copy(good, tmp_path / "g2.md", "# Other\n\nAnother text entirely here.")
    r2 = _one(ws, other, name="bad\x00\x1bname\n.md")
    assert r1.name == "passwd.md" and "unsafe file name" in r1.message
    assert r2.name == "badname.md"
    stored = [Path(d["stored_path"]) for d in ws.list_documents()]
    assert all(p.parent == ws.documents_dir for p in stored)
    assert not (tmp_path / "etc").exists()


def _copy(src, dst, text):
    dst.write_text(text)
    return dst


def test_html_script_never_kept(tmp_path, ws):
    page = tmp_path / "x.html"
    page.write_text("<html><body><p>Safe text here for the reader.</p><script>alert(1)</script>"
                    "<p onclick=\"alert(2)\">Click <b>me</b> <img src=x onerror=alert(3)></p></body></html>")
    r = _one(ws, page)
    text = ws.list_chunks(r.document_id)[0]["text"]
    assert r.status == "warning" and "<script>" in r.message
    assert "alert" not in text and "<" not in text and "Click me" in text


def test_duplicate_by_content_and_rechunk_on_new_settings(tmp_path, ws, good):
    first = _one(ws, good)
    again = _one(ws, _copy(good, tmp_path / "same.md", good.read_text()))
    assert again.status == "warning" and again.duplicate_of == "good.md" and again.document_id == first.document_id
    assert len(ws.list_documents()) == 1
    smaller = IngestConfig(chunk_tokens=32, overlap_tokens=0)
    third = _one(ws, good, config=smaller)
    assert "re-chunked" in third.message and third.chunks > first.chunks


def test_errors_never_stop_the_others_and_progress_is_reported(tmp_path, ws, good):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(" ".join(EN_SENTENCES))
    (folder / "b.pdf").write_text("garbage")
    (folder / "c.txt").write_bytes(b"")
    (folder / ".hidden.txt").write_text("skip me")
    (folder / "image.png").write_bytes(b"\x89PNG")
    (folder / "sub").mkdir()
    (folder / "sub" / "d.md").write_text("# D\n\n" + EN_SENTENCES[1])
    events = []
    reports = ingest_paths(ws, [folder, good], CFG, on_progress=lambda d, t, n, r: events.append((d, t, n, r is None)))
    assert [(r.name, r.status) for r in reports] == [
        ("a.txt", "ok"), ("b.pdf", "error"), ("c.txt", "error"), ("d.md", "ok"), ("good.md", "ok")]
    assert events[0] == (0, 5, "a.txt", True) and events[-1] == (5, 5, "good.md", False)
    assert sorted(d["name"] for d in ws.list_documents()) == ["a.txt", "d.md", "good.md"]


def test_a_crash_loses_only_the_file_in_flight(tmp_path, ws, good, monkeypatch):
    second = _copy(good, tmp_path / "second.md", "# Second\n\nThe second document is different.")
    third = _copy(good, tmp_path / "third.md", "# Third\n\nThe third document is different again.")
    real = ws.replace_chunks

    def boom(doc_id, chunks):
        if ws.get_document(doc_id)["name"] == "second.md":
            raise OSError("disk full (simulated)")
        return real(doc_id, chunks)

    monkeypatch.setattr(ws, "replace_chunks", boom)
    reports = ingest_paths(ws, [good, second, third], CFG)
    assert [r.status for r in reports] == ["ok", "error", "ok"]
    assert "disk full" in reports[1].error
    assert sorted(d["name"] for d in ws.list_documents()) == ["good.md", "third.md"]
    assert sorted(p.name for p in ws.documents_dir.iterdir()) == ["good.md", "third.md"]  # no orphan copy


def test_500_page_pdf_ingests_with_progress(tmp_path, ws):
    import pypdfium2 as pdfium

    base, sentences = make_long_pdf(tmp_path / "base.pdf", pages=10)
    src = pdfium.PdfDocument(str(base))
    big = pdfium.PdfDocument.new()
    for _ in range(50):
        big.import_pages(src)
    big.save(str(tmp_path / "big.pdf"))
    calls = []
    [r] = ingest_paths(ws, [tmp_path / "big.pdf"], CFG, on_progress=lambda *a: calls.append(a[:2]))
    assert r.status == "ok" and r.pages == 500 and r.chunks > 400
    assert calls == [(0, 1), (1, 1)]
    chunks = ws.list_chunks(r.document_id)
    assert all(c["tokens"] <= CFG.chunk_tokens for c in chunks)
    assert sentences[-1] in chunks[-1]["text"] and chunks[-1]["page"] == 500


def test_folder_of_200_files_commits_one_by_one(tmp_path, ws):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(200):
        (folder / f"note{i:03d}.txt").write_text(f"Note {i}: the valve number {i} opens at {i + 3} bar in the test cycle.")
    seen = []

    def progress(done, total, name, report):
        if report is not None:  # the document is already committed when its report arrives
            seen.append(ws.find_document(name) is not None)

    reports = ingest_paths(ws, [folder], CFG, on_progress=progress)
    assert len(reports) == 200 and all(r.status == "ok" for r in reports)
    assert all(seen) and len(seen) == 200
    assert len(ws.list_documents()) == 200 and len(ws.list_chunks()) == 200
