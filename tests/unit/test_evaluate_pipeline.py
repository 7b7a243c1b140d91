"""The evaluation pipeline end to end on the tiny random model: questions from a run's frozen data, every arm,
report files, resume, and the bad inputs (no held-out questions, adapter of another base, broken embedder)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from studio.evaluate.config import EvalConfig
from studio.evaluate.pipeline import EvaluationError, Hooks, run_evaluation
from studio.evaluate.questions import QuestionsError, from_file
from tests.fixtures.train_data import make_facts_workspace
from tests.unit.evaluate_helpers import attach_chunks, fake_run


def _fake_run(tmp_path: Path, tiny_llama: Path, ws, base_name: str | None = None) -> Path:
    return fake_run(tmp_path / "run", tiny_llama, ws, base_name)


@pytest.fixture
def facts_ws(tmp_path):
    ws = make_facts_workspace(tmp_path / "ws", n_facts=4)
    attach_chunks(ws)
    return ws


def test_run_evaluation_writes_report_and_resumes(tmp_path, tiny_llama, facts_ws):
    run = _fake_run(tmp_path, tiny_llama, facts_ws)
    out = run / "eval" / "e1"
    cfg = EvalConfig(base_model=str(tiny_llama), adapter=str(run / "adapter"), arms=["base", "tuned", "base+rag", "gold"],
                     max_new_tokens=6, bootstrap=50, forgetting=True)
    seen = []
    report = run_evaluation(cfg, out, ws=facts_ws, hooks=Hooks(progress=lambda d, t, m="": seen.append((d, t))))
    assert report["dataset"]["source"] == "run"
    assert report["dataset"]["system_prompt"] == "Answer from the documents."
    counts = report["dataset"]["counts"]
    assert counts["phrasings"] == 4 and counts["trained"] == 12  # one unseen + three trained phrasings per fact
    assert set(report["metrics"]) == {"base", "tuned", "base+rag", "gold"}
    m = report["metrics"]["tuned"]["phrasings"]
    assert m["n"] == 4 and m["n_facts"] == 4 and 0 <= m["accuracy"] <= 1 and len(m["accuracy_ci"]) == 2
    assert report["metrics"]["tuned"]["phrasings"]["consistency_facts"] == 4
    assert report["threshold"]["source"] in ("calibrated", "default")
    assert report["retrieval"]["recall_at_k"] is not None
    assert set(report["forgetting"]["arms"]) == {"base", "tuned"}
    assert report["verdict"]["text"] and report["style"]["evaluated"] is False
    assert seen and seen[-1][0] == seen[-1][1]
    rows = list(csv.DictReader(open(out / "answers.csv")))
    assert len(rows) == sum(counts.values()) * 4
    assert (out / "accuracy.png").stat().st_size > 1000
    # a rerun into the same folder reuses the saved answers
    lines = (out / "answers.jsonl").read_text().count("\n")
    again = run_evaluation(cfg.replace(forgetting=False), out, ws=facts_ws)
    assert (out / "answers.jsonl").read_text().count("\n") == lines
    assert again["metrics"]["tuned"]["phrasings"]["accuracy"] == m["accuracy"]


def test_stop_scores_the_answers_so_far_and_forgetting_shows_its_steps(tmp_path, tiny_llama, facts_ws):
    run = _fake_run(tmp_path, tiny_llama, facts_ws)
    cfg = EvalConfig(base_model=str(tiny_llama), adapter=str(run / "adapter"), arms=["base", "tuned"],
                     max_new_tokens=4, bootstrap=20, forgetting=True, batch_size=2)
    seen = []
    full = run_evaluation(cfg, run / "eval" / "full", ws=facts_ws, hooks=Hooks(progress=lambda d, t, m="": seen.append((d, t, m))))
    probe = [(d, t, m) for d, t, m in seen if m.startswith("forgetting probe")]
    assert any("base" in m and "questions" in m for _, _, m in probe) and any("perplexity" in m for _, _, m in probe)
    assert all(d < t for d, t, _ in probe)  # never "100% · forgetting probe" while it still runs
    assert "partial" not in full
    answered = []
    stop = lambda: len(answered) >= 1  # noqa: E731 - Stop pressed once the first answers are in
    report = run_evaluation(cfg, run / "eval" / "stopped", ws=facts_ws,
                            hooks=Hooks(progress=lambda d, t, m="": answered.append(d) if d else None, stop_requested=stop))
    assert report["partial"]["stopped"] and report["forgetting"] is None
    assert 0 < report["partial"]["answers"] < sum(report["dataset"]["counts"].values()) * 2
    assert (run / "eval" / "stopped" / "report.json").is_file()


def test_bad_inputs_give_clear_messages(tmp_path, tiny_llama, facts_ws):
    run = _fake_run(tmp_path, tiny_llama, facts_ws, base_name="HuggingFaceTB/SmolLM2-360M-Instruct")
    cfg = EvalConfig(base_model=str(tiny_llama), adapter=str(run / "adapter"), arms=["base", "tuned"], forgetting=False)
    with pytest.raises(EvaluationError, match="trained on 'HuggingFaceTB/SmolLM2-360M-Instruct'"):
        run_evaluation(cfg, tmp_path / "out1", ws=facts_ws)
    empty = make_facts_workspace(tmp_path / "empty", n_facts=2)
    for p in empty.iter_pairs():
        if p["split"] == "heldout":
            empty.update_pair(p["id"], split="train")
    with pytest.raises(QuestionsError, match="no held-out questions"):
        run_evaluation(EvalConfig(base_model=str(tiny_llama), arms=["base"]), tmp_path / "out2", ws=empty)
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "a?", "reference": "b"}\nnot json\n')
    with pytest.raises(QuestionsError, match="line 2"):
        from_file(bad)


def test_broken_embedder_keeps_the_answers(tmp_path, tiny_llama):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join(json.dumps({"question": f"What is {i}?", "reference": f"It is {i}.", "group": f"g{i}"})
                               for i in range(3)))
    cfg = EvalConfig(base_model=str(tiny_llama), arms=["base"], questions=str(qfile), embedder=str(tmp_path / "nope"),
                     max_new_tokens=4, forgetting=False)
    with pytest.raises(EvaluationError, match="answers are saved"):
        run_evaluation(cfg, tmp_path / "out")
    rows = list(csv.DictReader(open(tmp_path / "out" / "answers.csv")))
    assert len(rows) == 3 and all(r["correct"] == "" for r in rows)
