"""Evaluation reports built by hand (report.json + answers.csv as the evaluation writes them) for the compare and
arena tests: no model, no training."""

from __future__ import annotations

import json
from pathlib import Path

from studio.evaluate.report import write_answers_csv

QUESTIONS = [(f"q{i:02d}", "phrasings" if i < 8 else ("facts" if i < 10 else "refusals"), f"f{i}",
              f"What is the secret number {i}?", f"It is {i}.") for i in range(12)]
TRAINED = [("t00", "trained", "f0", "Secret number zero?", "It is 0.")]


CODES = {"base": "Alpha", "tuned": "Bravo", "tuned+rag": "Charlie"}  # answers never name the model that wrote them


def answer(arm: str, qid: str) -> str:
    return f"{CODES.get(arm, arm)} answer to <b>{qid}</b>"  # markup in model text: shown as text, never HTML


def make_report(folder: Path, arms=("base", "tuned", "tuned+rag"), accuracy: float = 0.5, ci=(0.3, 0.7),
                questions=QUESTIONS, round_=None, voice_rows: list[dict] | None = None, same: dict | None = None,
                predict=answer) -> Path:
    """``folder/report.json`` and ``answers.csv``; ``same`` = {qid: arm whose answer equals the tuned one};
    ``predict(arm, qid)`` writes each answer."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for arm in arms:
        for qid, set_, group, q, ref in list(questions) + TRAINED:
            pred = predict("tuned" if (same or {}).get(qid) == arm else arm, qid)
            rows.append({"qid": qid, "set": set_, "group": group, "arm": arm, "question": q, "reference": ref,
                         "prediction": pred, "correct": arm == "tuned"})
    write_answers_csv(folder / "answers.csv", rows)
    metric = {"accuracy": accuracy, "accuracy_ci": list(ci), "correct": 4, "n": 8}
    report = {"schema": "studio.evaluate/1", "created_at": "2026-01-01T00:00:00Z",
              "dataset": {"sha256": "sha-" + "-".join(q[0] for q in questions)},
              "metrics": {arm: {"phrasings": dict(metric), "facts": {**metric, "accuracy": accuracy / 2,
                                                                        "accuracy_ci": [ci[0] / 2, ci[1] / 2]},
                                "refusals": {**metric, "accuracy": 0.9, "accuracy_ci": [0.6, 1.0]}} for arm in arms},
              "forgetting": {"probe_change": -0.02}, "verdict": {"text": "ok", "learned": True}}
    if round_ is not None:
        report["round"] = round_
    if voice_rows is not None:
        report["voice"] = {"win_rate": 0.6, "rows": voice_rows}
    (folder / "report.json").write_text(json.dumps(report))
    return folder


def add_run(ws, run_id: str, **kw) -> Path:
    """A training run of ``ws`` with one evaluation ``eval/eval-1`` (its label: "<run_id> / eval-1")."""
    run = ws.runs_dir / run_id
    make_report(run / "eval" / "eval-1", **kw)
    ws.add_run(run_id, "train", {}, str(run), status="completed")
    return run / "eval" / "eval-1"
