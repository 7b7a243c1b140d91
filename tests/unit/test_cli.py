"""The CLI: stages listed, workspace commands, one-line errors, --debug."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, cwd=None, env=None):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120)


def test_help_lists_stages():
    out = cli("--help")
    assert out.returncode == 0
    assert "workspace" in out.stdout and "jobs" in out.stdout


def test_workspace_lifecycle(tmp_path):
    env = {"STUDIO_HOME": str(tmp_path / "home")}
    assert cli("workspace", "create", "demo", env=env).returncode == 0
    info = json.loads(cli("workspace", "info", "demo", "--json", env=env).stdout)
    assert info["name"] == "demo" and info["documents"] == 0 and info["schema_version"] >= 1
    assert json.loads(cli("workspace", "list", "--json", env=env).stdout)[0]["name"] == "demo"
    dup = cli("workspace", "create", "demo", env=env)
    assert dup.returncode == 2 and dup.stderr.strip() == "error: workspace 'demo' already exists"
    assert cli("workspace", "delete", "demo", "--yes", env=env).returncode == 0
    assert json.loads(cli("workspace", "list", "--json", env=env).stdout) == []


def test_default_data_root_is_cwd(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_HOME"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-m", "studio", "workspace", "create", "x"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and (tmp_path / "studio_data" / "workspaces" / "x" / "workspace.db").is_file()


def test_errors_are_one_line(tmp_path):
    env = {"STUDIO_HOME": str(tmp_path / "home")}
    out = cli("workspace", "info", "missing", env=env)
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "unknown workspace 'missing'" in errors[0] and "Traceback" not in out.stderr
    bad = cli("workspace", "create", "bad name!", env=env)
    assert bad.returncode == 2 and "invalid workspace name" in bad.stderr
    debug = cli("--debug", "workspace", "info", "missing", env=env)
    assert "Traceback" in debug.stderr


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    out = cli("--data-dir", str(blocker / "sub"), "workspace", "list")
    assert out.returncode == 2 and "cannot create the data folder" in out.stderr


def test_jobs_demo_foreground(tmp_path):
    env = {"STUDIO_HOME": str(tmp_path / "home")}
    cli("workspace", "create", "w", env=env)
    out = cli("jobs", "demo", "-w", "w", "--json", env=env)
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 0 and events[-1]["state"] == "completed"
    listed = json.loads(cli("jobs", "list", "-w", "w", "--json", env=env).stdout)
    assert listed[0]["kind"] == "demo" and listed[0]["state"] == "completed"
