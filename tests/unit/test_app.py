"""app.py: flags, env vars, readable start-up errors, no heavy imports at start-up, i18n table complete."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_app(*args, env=None, timeout=60):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def test_import_app_stays_light():
    code = ("import sys, app; heavy = [m for m in ('torch','transformers','trl','peft','sentence_transformers','bitsandbytes')"
            " if m in sys.modules]; print('HEAVY', heavy); print('DEMO', type(app.demo).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
    assert "DEMO Blocks" in out.stdout


def test_bad_auth_is_one_line(tmp_path):
    out = run_app("--auth", "nocolon", "--data-dir", str(tmp_path))
    assert out.returncode == 2 and out.stderr.strip() == "error: --auth must look like user:password (both non-empty)"
    out = run_app(env={"STUDIO_AUTH": ":x", "STUDIO_HOME": str(tmp_path)})
    assert out.returncode == 2 and "user:password" in out.stderr


def test_port_in_use(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = run_app("--port", str(port), "--data-dir", str(tmp_path))
    assert out.returncode == 2 and f"port {port} on 127.0.0.1 is in use" in out.stderr


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    out = run_app("--data-dir", str(blocker / "d"))
    assert out.returncode == 2 and "cannot create the data folder" in out.stderr and "Traceback" not in out.stderr


def test_launch_kwargs(monkeypatch):
    import app

    cfg = app.parse_args(["--auth", "u:p", "--port", "9999", "--max-upload-mb", "5"])
    kw = app.launch_kwargs(cfg)
    assert kw["auth"] == ("u", "p") and kw["server_port"] == 9999 and kw["max_file_size"] == "5mb"
    assert "share" not in kw and kw["show_error"] is False
    monkeypatch.setenv("SYSTEM", "spaces")
    assert app.parse_args([]).host == "0.0.0.0"
    monkeypatch.delenv("SYSTEM")
    monkeypatch.setenv("COLAB_RELEASE_TAG", "x")
    assert app.launch_kwargs(app.parse_args([]))["share"] is True


def test_i18n_table_complete_and_browser_language():
    from studio.ui.i18n import browser_language, t
    from studio.ui.strings import table

    tab = table()
    missing = sorted(set(tab["en"]) - set(tab["it"]))
    assert not missing, f"keys without Italian: {missing}"
    extra = sorted(set(tab["it"]) - set(tab["en"]))
    assert not extra, f"Italian keys without English: {extra}"
    assert browser_language("it-IT,it;q=0.9,en-US;q=0.8") == "it"
    assert browser_language("en-GB,en;q=0.9,it;q=0.5") == "en"
    assert browser_language("ko-KR") == "en" and browser_language(None) == "en"
    assert t("tab.upload", "it") != t("tab.upload", "en")
    assert t("app.workspace_created", "it", name="x").endswith("x creata.")


@pytest.mark.parametrize("on_space", [False, True])
def test_per_visitor_workspaces(tmp_path, on_space):
    from studio.ui.context import AppContext

    class Req:
        def __init__(self, user=None, cookie=None):
            self.username = user
            self.session_hash = "s1"
            self.request = type("R", (), {"cookies": {"studio_visitor": cookie} if cookie else {}})()

    app = AppContext(root=tmp_path, on_space=on_space)
    a = app.open_workspace("default", Req(user="alice"), create=True)
    b = app.open_workspace("default", Req(cookie="browser-123"), create=True)
    a.add_pairs([{"question": "private?", "answer": "yes"}])
    if on_space:
        assert a.path != b.path and b.count_pairs() == 0
        assert app.list_workspaces(Req(user="bob")) == []
    else:
        assert a.path == b.path
