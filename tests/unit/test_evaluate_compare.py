"""Runs compared side by side: the table per run (and round), the like-for-like check on the held-out questions,
the plot, and ``python -m studio compare RUN... --json`` / ``arena-results RUN --json``."""

from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.evaluate.compare import CompareError, compare_runs, plot, table
from studio.workspace import Workspace
from tests.unit.arena_helpers import QUESTIONS, add_run, make_report


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def test_same_questions_table_and_rounds(ws):
    add_run(ws, "train-1", accuracy=0.4, ci=(0.2, 0.6))
    add_run(ws, "train-2", accuracy=0.8, ci=(0.6, 0.95), round_=2)
    result = compare_runs(["train-1", "train-2 / eval-1"], ws)
    assert result["same_questions"] is True and "Like-for-like" in result["note"]
    one, two = result["runs"]
    assert one["run"] == "train-1 / eval-1" and one["unseen"]["accuracy"] == 0.4 and one["unseen"]["ci"] == [0.2, 0.6]
    assert two["round"] == 2 and one["round"] is None
    ws.add_run("train-4", "train", {"round": 3, "parent_run": "train-2"}, str(ws.runs_dir / "train-4"))
    from tests.unit.arena_helpers import make_report

    make_report(ws.runs_dir / "train-4" / "eval" / "eval-1")
    four = compare_runs(["train-4"], ws)["runs"][0]
    assert (four["round"], four["parent"]) == (3, "train-2")  # the round a later training run records
    assert two["facts"]["accuracy"] == 0.4 and two["refusals"]["accuracy"] == 0.9 and two["forgetting"] == -0.02
    headers, rows = table(result)
    assert headers[2].startswith("unseen") and rows[1][:3] == ["train-2 / eval-1", "2", "80% [60–95]"]
    assert rows[1][5] == "-2 pts" and rows[0][6] == rows[1][6]
    fig = plot(result)
    assert len(fig.axes[0].lines) >= 1 and [t.get_text() for t in fig.axes[0].get_xticklabels()][1].endswith("(round 2)")
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_different_questions_are_not_like_for_like(ws, tmp_path):
    add_run(ws, "train-1")
    add_run(ws, "train-3", questions=QUESTIONS[:6])
    result = compare_runs(["train-1", "train-3"], ws)
    assert result["same_questions"] is False
    assert result["note"].startswith("Not like-for-like") and "6 in common" in result["note"]
    # a changed answer set with the same questions stays like-for-like (only the questions are hashed)
    make_report(tmp_path / "copy", accuracy=0.1)
    assert compare_runs(["train-1", str(tmp_path / "copy")], ws)["same_questions"] is True


def test_unknown_runs_give_a_readable_error(ws, tmp_path):
    with pytest.raises(CompareError, match="no evaluation report named 'nope'"):
        compare_runs(["nope"], ws)
    ws.add_run("train-empty", "train", {}, str(tmp_path / "empty"), status="completed")
    with pytest.raises(CompareError, match="has no evaluation report yet"):
        compare_runs(["train-empty"], ws)
    with pytest.raises(CompareError, match="in this workspace"):
        compare_runs([str(tmp_path / "x")], ws, allow_paths=False)


def test_cli_compare_and_arena_results_json(ws, capsys, tmp_path):
    add_run(ws, "train-1")
    add_run(ws, "train-2", questions=QUESTIONS[:4])
    assert main(["compare", "train-1", "train-2", "-w", str(ws.path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and [r["run"] for r in out["runs"]] == ["train-1 / eval-1", "train-2 / eval-1"]
    assert out["same_questions"] is False
    assert main(["compare", "train-1", "-w", str(ws.path)]) == 0
    assert "unseen phrasings" in capsys.readouterr().out
    assert main(["compare", "nope", "-w", str(ws.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no evaluation report named") and "Traceback" not in err

    from studio.evaluate.arena import Matchup

    m = Matchup.open(ws, ws.runs_dir / "train-1" / "eval" / "eval-1", "base-tuned")
    m.record(m.next_item()["item"], "tie")
    assert main(["arena-results", "train-1", "-w", str(ws.path), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["pairings"]["base-tuned"]["ties"] == 1 and res["pairings"]["base-tuned"]["preference"] == 0.5


def test_cli_arena_judges_from_the_keyboard(ws, capsys, monkeypatch):
    add_run(ws, "train-1", arms=("base", "tuned"))
    keys = iter(["x", "1", "b", "t", "w", "q"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(keys))
    assert main(["arena", "train-1", "-w", str(ws.path), "--pairing", "base-tuned"]) == 0
    out = capsys.readouterr().out
    assert "[1 of 12]" in out and "type 1, 2, 3, 4" in out and "(A was " in out and "in 4 judgments" in out
    from studio.evaluate.arena import results

    s = results(ws, ws.runs_dir / "train-1" / "eval" / "eval-1")["base-tuned"]
    assert (s["judged"], s["ties"], s["both_wrong"], s["wins"] + s["losses"]) == (4, 1, 1, 2)
