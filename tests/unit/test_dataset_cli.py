"""``python -m studio export|review|import-pairs`` through the CLI entry point."""

from __future__ import annotations

import csv
import json

import pytest

from studio.cli import main
from studio.workspace import PairFilter, Workspace
from tests.fixtures.review_fixtures import fill_workspace


@pytest.fixture
def named_ws(_isolated_home):
    from studio.paths import data_root, resolve_workspace_path

    ws = Workspace.create(resolve_workspace_path("cliws", data_root()))
    fill_workspace(ws)
    return ws


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_review_stats_json_keep_and_reject(named_ws, capsys):
    code, out, _ = run(capsys, "review", "--workspace", "cliws", "--stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["total"] == 60 and stats["by_status"] == {"pending": 60}
    code, out, _ = run(capsys, "review", "--workspace", "cliws", "--reject-flagged")
    assert code == 0 and "rejected for 6 pairs" in out
    code, out, _ = run(capsys, "review", "--workspace", "cliws", "--keep-all", "--status", "pending", "--json")
    assert json.loads(out)["count"] == 54
    assert named_ws.count_pairs(PairFilter(status="kept")) == 54
    code, out, _ = run(capsys, "review", "--workspace", "cliws", "--undo")
    assert "undone" in out and named_ws.count_pairs(PairFilter(status="kept")) == 0


def test_export_and_import_round_trip(named_ws, capsys, tmp_path):
    code, out, err = run(capsys, "export", "--workspace", "cliws", "--format", "openai", "--out", str(tmp_path / "o"))
    assert code == 2 and "no kept pairs" in err
    run(capsys, "review", "--workspace", "cliws", "--keep-all")
    code, out, _ = run(capsys, "export", "--workspace", "cliws", "--format", "llamafactory", "--out", str(tmp_path / "lf"),
                       "--split", "all", "--json")
    res = json.loads(out)
    assert code == 0 and res["total"] == 60 and (tmp_path / "lf" / "dataset_info.json").is_file()
    code, out, _ = run(capsys, "export", "--workspace", "cliws", "--format", "csv", "--out", str(tmp_path / "t.csv"),
                       "--split", "train", "--status", "all")
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "t.csv").open(encoding="utf-8")))
    rows[0]["answer"] = "CLI edit."
    rows[1]["id"] = "424242"
    with (tmp_path / "t.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    code, out, _ = run(capsys, "import-pairs", str(tmp_path / "t.csv"), "--workspace", "cliws")
    assert code == 1 and "1 updated" in out and "row 2: id 424242 is not in this workspace" in out
    assert named_ws.get_pair(int(rows[0]["id"]))["answer"] == "CLI edit."


def test_cli_errors_are_one_line(named_ws, capsys, tmp_path):
    code, _, err = run(capsys, "import-pairs", str(tmp_path / "missing.csv"), "--workspace", "cliws")
    assert code == 2 and err.strip() == f"error: no such file: {tmp_path / 'missing.csv'}"
    code, _, err = run(capsys, "review", "--workspace", "nope", "--stats")
    assert code == 2 and "unknown workspace" in err and "Traceback" not in err
