"""Small CLI edges: a skipped duplicate is not "added", ``chunks ... | head`` ends quietly, and a bad workspace
name or path is echoed back truncated, never whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _studio(*args: str, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "STUDIO_HOME": str(root), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_skipped_duplicate_is_not_counted_as_added(tmp_path):
    doc = tmp_path / "note.md"
    doc.write_text("# Note\n\nThe pump runs at 40 litres a minute.\n")
    first = _studio("ingest", str(doc), "--workspace", "w", root=tmp_path / "home")
    assert first.returncode == 0 and "1/1 file(s) ingested" in first.stdout
    again = _studio("ingest", str(doc), "--workspace", "w", root=tmp_path / "home")
    assert again.returncode == 0, again.stderr
    assert "0/1 file(s) ingested" in again.stdout and "1 skipped" in again.stdout


def test_chunks_into_head_exits_quietly(tmp_path):
    from studio.ingest import ingest_paths
    from studio.workspace import Workspace

    home = tmp_path / "home"
    ws = Workspace.create(home / "workspaces" / "big")
    doc = tmp_path / "big.md"
    doc.write_text("".join(f"# Part {i}\n\n" + f"Sentence {i} about the pump and its oil. " * 60 + "\n\n"
                           for i in range(300)))
    assert ingest_paths(ws, [doc])[0].chunks > 100  # far more than a pipe buffer of JSON lines
    ws.close()
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(f'"{sys.executable}" -m studio chunks --workspace big | head -n 1; echo "rc=${{PIPESTATUS[0]}}"',
                          shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env)
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("{") and lines[1] in ("rc=0", "rc=141")
    assert proc.stderr == "", proc.stderr  # no "error: BrokenPipeError", no "Exception ignored"


def test_invalid_workspace_name_is_echoed_truncated(tmp_path):
    name = "x" * 5000 + "!"
    out = _studio("review", "--workspace", name, "--stats", root=tmp_path / "home")
    assert out.returncode == 2
    line = out.stderr.strip()
    assert "\n" not in line and len(line) < 300 and "…" in line and "x" * 41 not in line
    path = "/nowhere/" + "y" * 5000
    out = _studio("review", "--workspace", path, "--stats", root=tmp_path / "home")
    assert out.returncode == 2 and len(out.stderr.strip()) < 300 and "y" * 81 not in out.stderr
    made = _studio("workspace", "create", "z" * 3000, root=tmp_path / "home")
    assert made.returncode == 2 and len(made.stderr.strip()) < 300
