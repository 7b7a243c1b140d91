"""End to end on the CPU: the shared SmolLM2 run (a LoRA on a dozen invented facts) evaluated through the real
``evaluate`` job. The tuned arm must beat the base model on phrasings it never saw."""

from __future__ import annotations

import json
from pathlib import Path


def test_tuned_beats_base_on_unseen_phrasings(trained_run):
    from studio.jobs import JobRunner
    from studio.workspace import Workspace

    ws = Workspace.open(trained_run.workspace_path)
    cfg = {"base_model": str(trained_run.base_model), "adapter": str(trained_run.adapter), "arms": ["base", "tuned"],
           "sets": ["phrasings", "trained"], "max_new_tokens": 24, "batch_size": 16, "forgetting": False,
           "bootstrap": 500}
    status = JobRunner(ws, root=trained_run.run_dir.parent).run_foreground("evaluate", cfg)
    assert status["state"] == "completed", status.get("error")
    out = Path(status["result"]["out"])
    assert out.parent == trained_run.run_dir / "eval"  # the trained run's eval/<id>/ folder
    report = json.loads((out / "report.json").read_text())
    base, tuned = report["metrics"]["base"], report["metrics"]["tuned"]
    n = len([r for r in trained_run.test_rows if r["set"] == "phrasings"])
    assert tuned["phrasings"]["n"] == n
    assert tuned["phrasings"]["accuracy"] > base["phrasings"]["accuracy"] + 0.25, (tuned["phrasings"], base["phrasings"])
    assert tuned["trained"]["accuracy"] >= tuned["phrasings"]["accuracy"] - 0.1
    assert tuned["phrasings"]["consistency"] > base["phrasings"]["consistency"]
    assert report["differences"]["phrasings"]["ci"][0] > 0
    assert report["verdict"]["learned"] is True and report["verdict"]["text"].startswith("Learned:")
    assert report["dataset"]["source"] == "run" and report["models"]["run_dir"] == str(trained_run.run_dir)
