"""Workspace store: schema, documents/chunks cascade, pairs paging and filtering, conflicts, concurrency."""

import multiprocessing as mp
import sqlite3
import threading
from pathlib import Path

import pytest

from studio.workspace import ConflictError, PairFilter, PairValidationError, Workspace, WorkspaceError
from studio.workspace.schema import MIGRATIONS


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def _doc(ws, name="a.txt", sha="h1", chunks=2):
    doc = ws.add_document(name, sha, mime="text/plain", chars=100)
    ws.replace_chunks(doc, [{"text": f"chunk {i}", "heading_path": ["Intro", f"S{i}"], "tokens": 5} for i in range(chunks)])
    return doc


def test_create_open_and_unknown(tmp_path):
    Workspace.create(tmp_path / "one").close()
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(tmp_path / "one")
    with pytest.raises(WorkspaceError, match="unknown workspace 'two'"):
        Workspace.open(tmp_path / "two")
    ws = Workspace.open(tmp_path / "one")
    assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert ws.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (tmp_path / "one" / "documents").is_dir() and (tmp_path / "one" / "runs").is_dir()


def test_bad_workspace_name_rejected(tmp_path):
    with pytest.raises(ValueError, match="invalid workspace name"):
        Workspace.create(tmp_path / "../x y")


def test_newer_schema_refused(tmp_path):
    ws = Workspace.create(tmp_path / "w")
    ws.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    ws.close()
    with pytest.raises(WorkspaceError, match="newer studio"):
        Workspace.open(tmp_path / "w")


def test_document_hash_and_cascade(ws):
    doc = _doc(ws)
    assert ws.find_document_by_hash("h1")["name"] == "a.txt"
    chunk = ws.list_chunks(doc)[0]
    assert chunk["heading_path"] == "Intro > S0" and chunk["document"] == "a.txt"
    ws.add_pairs([{"chunk_id": chunk["id"], "question": "Q?", "answer": "A."}])
    pair = ws.query_pairs()[0][0]
    assert pair["document_id"] == doc  # derived from the chunk
    # without confirmation pairs stay (orphaned from the chunk), with it they go
    out = ws.delete_document(doc)
    assert out == {"document": "a.txt", "chunks": 2, "pairs": 0}
    assert ws.count_pairs() == 1 and ws.get_pair(pair["id"])["chunk_id"] is None
    doc2 = _doc(ws, "b.txt", "h2")
    ws.add_pairs([{"chunk_id": ws.list_chunks(doc2)[0]["id"], "question": "Q2?", "answer": "A2"}])
    assert ws.delete_document(doc2, delete_pairs=True)["pairs"] == 1
    assert ws.count_pairs() == 1 and ws.list_chunks() == []


def test_pairs_filter_search_sort_page(ws):
    doc = _doc(ws)
    chunk = ws.list_chunks(doc)[0]["id"]
    rows = []
    for i in range(250):
        rows.append({
            "chunk_id": chunk, "question": f"Question {i:03d} about {'cats' if i % 2 else 'dogs'}?", "answer": f"Answer {i}",
            "split": ("train", "val", "heldout")[i % 3], "status": "kept" if i % 5 == 0 else "pending",
            "kind": "paraphrase" if i % 7 else "fact", "flags": ["too_short"] if i % 10 == 0 else [], "fact_id": f"f{i // 5}",
        })
    ws.add_pairs(rows)
    page, total = ws.query_pairs(PairFilter(search="cats"), limit=20)
    assert total == 125 and len(page) == 20 and all("cats" in r["question"] for r in page)
    page, total = ws.query_pairs(PairFilter(split="heldout", status="kept"), sort="question", descending=True, limit=5)
    assert total == len([i for i in range(250) if i % 3 == 2 and i % 5 == 0])
    assert [r["question"] for r in page] == sorted([r["question"] for r in page], reverse=True)
    assert ws.count_pairs(PairFilter(flag="too_short")) == 25
    assert ws.count_pairs(PairFilter(flag="none")) == 225
    assert ws.count_pairs(PairFilter(fact_id="f3")) == 5
    assert ws.count_pairs(PairFilter(search="100%")) == 0  # LIKE wildcards are escaped
    second, _ = ws.query_pairs(offset=100, limit=100)
    assert second[0]["id"] == ws.pair_ids()[100]
    assert len(list(ws.iter_pairs(PairFilter(kind="fact"), batch=7))) == len([i for i in range(250) if i % 7 == 0])


def test_edit_validation_and_conflict(ws):
    [pid] = ws.add_pairs([{"question": "Q?", "answer": "A", "kind": "manual"}])
    with pytest.raises(PairValidationError, match="question cannot be empty"):
        ws.update_pair(pid, question="   ")
    with pytest.raises(PairValidationError, match="split must be one of"):
        ws.update_pair(pid, split="test")
    assert ws.get_pair(pid)["question"] == "Q?"  # nothing half-written
    first = ws.update_pair(pid, expected_version=1, answer="B")
    assert first["version"] == 2 and first["edited_at"]
    with pytest.raises(ConflictError, match="changed elsewhere"):
        ws.update_pair(pid, expected_version=1, answer="C")  # a second tab with a stale row
    assert ws.get_pair(pid)["answer"] == "B"
    assert ws.bulk_update_pairs([pid], status="kept") == 1 and ws.get_pair(pid)["version"] == 3


def _writer(path: str, n: int) -> None:
    ws = Workspace.open(Path(path))
    for i in range(n):
        ws.add_pairs([{"question": f"proc {i}?", "answer": "x"}])


def test_concurrent_threads_and_process(ws):
    proc = mp.get_context("spawn").Process(target=_writer, args=(str(ws.path), 200))
    proc.start()
    errors = []

    def thread_writer(tag):
        try:
            for i in range(100):
                ws.add_pairs([{"question": f"{tag} {i}?", "answer": "y"}])
                ws.query_pairs(limit=10)
        except sqlite3.Error as exc:  # pragma: no cover - the failure we guard against
            errors.append(exc)

    threads = [threading.Thread(target=thread_writer, args=(f"t{k}",)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    proc.join(60)
    assert proc.exitcode == 0 and not errors
    assert ws.count_pairs() == 500


def test_settings_and_info(ws):
    ws.set_setting("chunking", {"tokens": 400})
    assert ws.get_setting("chunking") == {"tokens": 400}
    _doc(ws)
    info = ws.info()
    assert info["documents"] == 1 and info["chunks"] == 2 and info["tokens"] == 10 and info["pairs"] == 0
