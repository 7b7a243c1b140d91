"""``python -m studio ingest`` and ``chunks``: the JSON fields each file reports, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from studio.cli import main
from tests.fixtures.ingest_docs import EN_SENTENCES, IT_SENTENCES, make_pdf

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_json_and_chunks_lines(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    make_pdf(docs / "manual.pdf", [("1. Safety", EN_SENTENCES[:3]), ("2. Care", EN_SENTENCES[3:])], header=None)
    (docs / "note.md").write_text("# Nota\n\n" + " ".join(IT_SENTENCES))
    (docs / "empty.txt").write_bytes(b"")
    code, out, err = _run(capsys, "ingest", str(docs), str(tmp_path / "missing.pdf"), "--workspace", "w1", "--json")
    assert code == 1  # a file failed; the others were ingested
    rows = json.loads(out)
    by = {r["name"]: r for r in rows}
    assert set(by) == {"manual.pdf", "note.md", "empty.txt", "missing.pdf"}
    for r in rows:
        assert {"name", "status", "error", "chunks", "chars"} <= set(r)
    assert by["manual.pdf"]["status"] == "ok" and by["manual.pdf"]["error"] is None and by["manual.pdf"]["chunks"] == 2
    assert by["empty.txt"]["status"] == "error" and "empty" in by["empty.txt"]["error"]
    assert by["missing.pdf"]["error"] == "no such file or folder"

    code, out, _ = _run(capsys, "chunks", "--workspace", "w1", "--document", "manual.pdf")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [c["ordinal"] for c in lines] == [0, 1]
    assert [c["heading_path"] for c in lines] == ["1. Safety", "2. Care"]
    assert all({"document", "ordinal", "heading_path", "text", "tokens"} <= set(c) for c in lines)
    assert EN_SENTENCES[0] in lines[0]["text"] and lines[0]["tokens"] > 0

    code, out, _ = _run(capsys, "chunks", "--workspace", "w1")
    assert {json.loads(line)["document"] for line in out.splitlines()} == {"manual.pdf", "note.md"}
    code, _, err = _run(capsys, "chunks", "--workspace", "w1", "--document", "nope.pdf")
    assert code == 2 and err.startswith("error: no document 'nope.pdf'") and err.count("\n") == 1


def test_chunk_settings_flags_and_subprocess(tmp_path):
    text = tmp_path / "long.txt"
    text.write_text("\n\n".join(EN_SENTENCES * 10))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STUDIO_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "studio", "ingest", str(text), "-w", "w2", "--chunk-tokens", "64", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    [row] = json.loads(out.stdout)
    assert row["status"] == "ok" and row["chunks"] >= 10
    bad = subprocess.run(cmd[:-3] + ["--chunk-tokens", "64", "--overlap", "60"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "at most half" in bad.stderr and "Traceback" not in bad.stderr
