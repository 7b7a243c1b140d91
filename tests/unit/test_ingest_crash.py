"""kill -9 during ingest: the stored copy is staged under a temporary name and renamed only after its row commits, so a
killed ingest leaves nothing behind once the workspace is opened again, and a rerun stores exactly one copy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# ingest one file in a fresh process that SIGKILLs itself when it reaches Workspace.<step>
CRASH = """
import os, signal, sys
from pathlib import Path
from studio.ingest import ingest_paths
from studio.workspace import Workspace

ws = Workspace.open(Path(sys.argv[1]), create=True)
setattr(Workspace, sys.argv[2], lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
ingest_paths(ws, [sys.argv[3]])
print("not killed")
"""


def _killed_ingest(ws_path: Path, step: str, doc: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", CRASH, str(ws_path), step, str(doc)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == -9, proc.stdout + proc.stderr


def _files(ws_path: Path) -> list[str]:
    """Stored documents by name, and staged copies as ``.staging/NAME``."""
    docs = sorted(p.name for p in (ws_path / "documents").iterdir() if p.is_file())
    staged = sorted(f".staging/{p.name}" for p in (ws_path / ".staging").glob("*") if p.is_file())
    return staged + docs


@pytest.fixture
def doc(tmp_path) -> Path:
    path = tmp_path / "manual.md"
    path.write_text("# Manual\n\nThe pump runs at 40 litres a minute.\n\n## Care\n\nOil it every spring.\n" * 40)
    return path


@pytest.mark.parametrize("step", ["add_document", "replace_chunks"])
def test_kill_before_the_row_commits_leaves_nothing_and_rerun_stores_one_copy(tmp_path, doc, step):
    from studio.ingest import ingest_paths
    from studio.workspace import Workspace

    ws_path = tmp_path / "ws"
    _killed_ingest(ws_path, step, doc)
    assert [f for f in _files(ws_path) if f.startswith(".staging/")], "the copy was not staged first"
    assert not [f for f in _files(ws_path) if not f.startswith(".staging/")], "a stored file with no row"

    ws = Workspace.open(ws_path)  # the first open in this process sweeps
    assert _files(ws_path) == [] and ws.list_documents() == []
    assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    reports = ingest_paths(ws, [doc])
    assert reports[0].status == "ok" and not reports[0].duplicate_of
    assert _files(ws_path) == ["manual.md"] and len(ws.list_documents()) == 1
    again = ingest_paths(ws, [doc])
    assert again[0].duplicate_of and _files(ws_path) == ["manual.md"]


def test_kill_between_commit_and_rename_is_finished_at_open(tmp_path, doc):
    from studio.ingest import ingest_paths
    from studio.workspace import Workspace

    ws_path = tmp_path / "ws"
    _killed_ingest(ws_path, "place_file", doc)
    staged = [f for f in _files(ws_path) if f.startswith(".staging/")]
    assert len(staged) == 1 and "manual.md" not in _files(ws_path)

    ws = Workspace.open(ws_path)
    rows = ws.list_documents()
    assert len(rows) == 1 and Path(rows[0]["stored_path"]).is_file()
    assert _files(ws_path) == ["manual.md"]
    assert ingest_paths(ws, [doc])[0].duplicate_of and _files(ws_path) == ["manual.md"]


def test_a_stored_file_no_row_names_is_swept_at_open(tmp_path, doc):
    from studio.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    stray = ws.documents_dir / "left-by-a-crash.md"
    stray.write_text("orphan")
    fresh = ws.documents_dir / "being-renamed-now.md"
    fresh.write_text("too new to judge")
    old = time.time() - 3600
    os.utime(stray, (old, old))
    ws.close()
    Workspace.open(tmp_path / "ws")
    assert not stray.exists() and fresh.exists()
