"""Safe names, workspace resolution, config validation and YAML round trip."""

from pathlib import Path

import pytest

from studio.config import AppConfig, ConfigError, parse_auth
from studio.paths import StudioPathError, data_root, inside, resolve_workspace_path, safe_filename, user_key


@pytest.mark.parametrize("raw,expected", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\win.ini", "win.ini"),
    ("/abs/path/report.pdf", "report.pdf"),
    ("bad\x00na\x1bme.txt", "badname.txt"),
    ("..", "file"),
    ("", "file"),
    ("<script>alert(1)</script>.html", "script_.html"),
    ("relazione finale (v2).docx", "relazione finale (v2).docx"),
])
def test_safe_filename(raw, expected):
    name = safe_filename(raw)
    assert name == expected
    assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_safe_filename_stays_inside(tmp_path):
    for raw in ["../x", "a/../../y", "....//z", "\x00"]:
        assert inside(tmp_path, tmp_path / safe_filename(raw))


def test_long_name_keeps_extension():
    name = safe_filename("a" * 500 + ".pdf")
    assert len(name) <= 120 and name.endswith(".pdf")


def test_resolve_workspace_path(tmp_path):
    assert resolve_workspace_path("demo", tmp_path) == tmp_path / "workspaces" / "demo"
    assert resolve_workspace_path(str(tmp_path / "x" / "w"), tmp_path) == tmp_path / "x" / "w"
    with pytest.raises(StudioPathError, match="invalid workspace name"):
        resolve_workspace_path("bad name!", tmp_path)
    assert resolve_workspace_path("demo", tmp_path, user="alice").parent.parent.name == user_key("alice")
    assert user_key("alice") != user_key("alicE")


def test_unwritable_data_root(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StudioPathError, match="cannot create the data folder"):
        data_root(blocker / "sub")


def test_config_round_trip_and_errors():
    cfg = AppConfig.from_dict({"port": "8080", "share": "false", "auth": "u:p"})
    assert cfg.port == 8080 and cfg.share is False
    assert AppConfig.from_yaml(cfg.to_yaml()) == cfg
    with pytest.raises(ConfigError, match="unknown AppConfig setting"):
        AppConfig.from_dict({"prot": 1})
    with pytest.raises(ConfigError, match="port: 'eighty' is not a valid int"):
        AppConfig.from_dict({"port": "eighty"})
    with pytest.raises(ConfigError, match="port must be"):
        AppConfig.from_dict({"port": 70000})
    with pytest.raises(ConfigError, match="YAML could not be read"):
        AppConfig.from_yaml("port: [")
    assert "port" in AppConfig.help()


@pytest.mark.parametrize("bad", ["nopassword", ":p", "u:", ""])
def test_parse_auth_errors(bad):
    with pytest.raises(ConfigError, match="user:password"):
        parse_auth(bad)
    assert parse_auth("me:se:cret") == ("me", "se:cret")
