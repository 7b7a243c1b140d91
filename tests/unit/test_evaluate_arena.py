"""The blind A/B arena's engine: match-ups from saved answers, stable and balanced positions, hidden identities,
Wilson intervals, resumable storage in the workspace, and the arena block in report.json and the model card."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from studio.evaluate.arena import ArenaError, Matchup, build_items, layout, results, stats, wilson
from studio.workspace import Workspace
from tests.unit.arena_helpers import QUESTIONS, add_run, answer, make_report


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def test_wilson_interval_against_known_values():
    # 8 of 10: the textbook Wilson 95% interval is 0.4902-0.9433
    assert wilson(8, 10) == [0.4902, 0.9433]
    assert wilson(0, 5) == [0.0, 0.4345] and wilson(5, 5) == [0.5655, 1.0]
    assert wilson(0, 0) is None


def test_stats_count_ties_half_and_leave_both_wrong_out():
    rows = ([{"choice": "A", "a_role": "challenger"}] * 5 + [{"choice": "B", "a_role": "baseline"}] * 2  # 7 wins
            + [{"choice": "A", "a_role": "baseline"}] * 1 + [{"choice": "tie", "a_role": "baseline"}] * 1
            + [{"choice": "both_wrong", "a_role": "challenger"}] * 3)
    s = stats(rows, "base-tuned")
    assert (s["wins"], s["losses"], s["ties"], s["both_wrong"], s["judged"]) == (7, 1, 1, 3, 12)
    assert s["preference"] == round(7.5 / 9, 4)
    assert s["preference_ci"] == wilson(7.5, 9)


def test_layout_is_stable_per_seed_and_balanced():
    qids = [f"q{i:02d}" for i in range(41)]
    one, again, other = layout(qids, 7, "k"), layout(list(reversed(qids)), 7, "k"), layout(qids, 8, "k")
    assert one == again  # the same seed and items give the same order and sides, whatever order they came in
    assert one != other and sorted(q for q, _ in one) == qids
    roles = Counter(role for _, role in one)
    assert abs(roles["challenger"] - roles["baseline"]) <= 1
    for n in (10, 40):
        assert Counter(r for _, r in layout(qids[:n], 3, "k")) == {"challenger": n // 2, "baseline": n // 2}
    assert [q for q, _ in one] != sorted(qids)  # shuffled, not asked in file order


def test_items_are_held_out_and_skip_identical_answers(tmp_path):
    folder = make_report(tmp_path / "r", same={"q03": "base"})
    from studio.evaluate.view import load_report

    items = build_items(folder, load_report(folder), "base-tuned")
    qids = {it.qid for it in items}
    assert "t00" not in qids and "q03" not in qids and len(items) == 11  # trained asked never; identical left out
    assert {it.qid for it in build_items(folder, load_report(folder), "tuned-rag")} >= {"q03", "q11"}
    with pytest.raises(ArenaError, match="base \\+ retrieval|voice"):
        build_items(folder, load_report(folder), "voice")
    only = make_report(tmp_path / "only", arms=("base", "tuned"))
    with pytest.raises(ArenaError, match="tuned \\+ retrieval"):
        build_items(only, load_report(only), "tuned-rag")


def test_the_page_gets_no_identity_and_judging_resumes(ws):
    folder = add_run(ws, "train-a")
    m = Matchup.open(ws, folder, "base-tuned")
    view = m.next_item()
    assert view["judged"] == 0 and view["total"] == 12
    page = json.dumps(view).lower()
    for word in ("tuned", "base", "challenger", "baseline", "retrieval", "role"):
        assert word not in page, word
    assert {view["a"], view["b"]} == {answer("tuned", view["item"]), answer("base", view["item"])}
    first = view["item"]
    shown = m.record(first, "A")
    assert shown["A"] == ("tuned" if view["a"] == answer("tuned", first) else "base")
    for _ in range(4):
        v = m.next_item()
        m.record(v["item"], "B")
    # a fresh match-up (a new page, a restart) resumes at the next unjudged item, same sides
    again = Matchup.open(ws, folder, "base-tuned")
    nxt = again.next_item()
    assert nxt["judged"] == 5 and nxt["item"] not in again.judged() and nxt["item"] == m.next_item()["item"]
    assert (nxt["a"], nxt["b"]) == (m.next_item()["a"], m.next_item()["b"])
    s = again.stats()
    assert s["judged"] == 5 and s["wins"] + s["losses"] == 5 and s["items"] == 12
    # judging the same item again replaces the judgment (one row per item)
    again.record(first, "both_wrong")
    assert again.stats()["judged"] == 5 and again.stats()["both_wrong"] == 1
    with pytest.raises(ArenaError):
        again.record("t00", "A")
    with pytest.raises(ArenaError):
        again.record(first, "C")


def test_report_json_and_model_card_get_the_arena(ws):
    from studio.hub.card_format import arena_lines
    from studio.hub.report_view import load_report as card_report

    folder = add_run(ws, "train-b")
    m = Matchup.open(ws, folder, "base-tuned")
    for _ in range(6):
        v = m.next_item()
        m.record(v["item"], "A" if v["a"] == answer("tuned", v["item"]) else "B")  # always the tuned answer
    block = json.loads((folder / "report.json").read_text())["arena"]
    s = block["pairings"]["base-tuned"]
    assert s["wins"] == 6 and s["preference"] == 1.0 and s["preference_ci"] == wilson(6, 6)
    assert "ties" in block["method"] and "Wilson" in block["method"] and block["seed"] == ws.get_setting("arena.seed")
    assert results(ws, folder)["base-tuned"]["wins"] == 6
    view = card_report(folder)
    assert not any(r.metric in ("wins", "preference", "judged") for r in view.rows)  # not an evaluation-table row
    line = arena_lines(view.raw)[0]
    assert "tuned vs base" in line and "100%" in line and "of 6 judgments" in line and "ties count half" in line
    from studio.hub.card import CardContext, _evaluation

    assert line in _evaluation(CardContext(repo_id="a/b", base_model="x/y", report=view))


def test_voice_run_and_run_against_run(ws, tmp_path):
    rows = [{"prompt": f"Write about walk {i}", "base": f"plain {i}", "tuned": f"my style {i}"} for i in range(4)]
    voice = make_report(tmp_path / "v", arms=(), voice_rows=rows)
    m = Matchup.open(ws, voice, "voice")
    assert m.is_voice and m.next_item()["total"] == 4
    a = add_run(ws, "train-r1", arms=("base", "tuned"))
    b = add_run(ws, "train-r2", arms=("base", "tuned"), questions=QUESTIONS[:5])
    (b / "answers.csv").write_text((b / "answers.csv").read_text().replace("Bravo answer", "Second answer"))
    m = Matchup.open(ws, a, "run:train-r2 / eval-1", other=b)
    v = m.next_item()
    assert v["total"] == 5 and {v["a"][:6], v["b"][:6]} == {"Bravo ", "Second"}
    with pytest.raises(ArenaError, match="other run"):
        Matchup.open(ws, a, "run:x")


def test_a_real_evaluation_feeds_the_arena_and_the_comparison(tmp_path, tiny_llama):
    """The evaluation's own report.json and answers.csv (tiny model, real pipeline) drive both, unchanged."""
    from studio.evaluate.compare import compare_runs
    from studio.evaluate.config import EvalConfig
    from studio.evaluate.pipeline import run_evaluation
    from tests.fixtures.train_data import make_facts_workspace
    from tests.unit.evaluate_helpers import attach_chunks, fake_run

    w = make_facts_workspace(tmp_path / "facts", n_facts=3)
    attach_chunks(w)
    run = fake_run(w.runs_dir / "train-real", tiny_llama, w)
    w.add_run("train-real", "train", {}, str(run), status="completed")
    cfg = EvalConfig(base_model=str(tiny_llama), adapter=str(run / "adapter"), arms=["base", "tuned", "tuned+rag"],
                     sets=["phrasings", "trained"], max_new_tokens=6, bootstrap=50, forgetting=False)
    report = run_evaluation(cfg, run / "eval" / "e1", ws=w)
    with pytest.raises(ArenaError, match="no held-out question with two different answers"):
        Matchup.open(w, run / "eval" / "e1", "tuned-rag")  # the random tiny model says nothing in either arm
    # give tuned + retrieval something to say, written the way the evaluation writes model text (a leading "="
    # is stored as text in the CSV and must come back as the model said it)
    from studio.evaluate.report import write_answers_csv

    path = run / "eval" / "e1" / "answers.csv"
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    for r in rows:
        if r["arm"] == "tuned+rag":
            r["prediction"] = f"=SUM(A1) {r['qid']}"
    write_answers_csv(path, rows)
    m = Matchup.open(w, run / "eval" / "e1", "tuned-rag")
    view = m.next_item()
    assert view["total"] == 3 and view["a"] != view["b"]  # the held-out phrasings only, never the 9 trained
    assert f"=SUM(A1) {view['item']}" in (view["a"], view["b"])
    m.record(view["item"], "tie")
    saved = json.loads((run / "eval" / "e1" / "report.json").read_text())
    assert saved["arena"]["pairings"]["tuned-rag"]["ties"] == 1 and saved["metrics"] == report["metrics"]
    row = compare_runs(["train-real"], w)["runs"][0]
    assert row["run"] == "train-real / e1" and row["questions"] == 3
    assert row["unseen"]["accuracy"] == report["metrics"]["tuned"]["phrasings"]["accuracy"]
