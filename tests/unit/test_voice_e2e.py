"""End to end on the CPU, through the studio's own jobs: the voice recipe (replay generator) on one synthetic
author's essays, the ``train`` job on the bundled SmolLM2, then the voice evaluation of the run's frozen data, the
path the evaluation job takes (``evaluate_frozen``). The tuned answers' style moves toward the author on held-out
prompts (essays never trained)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_studio_voice_run_moves_style_toward_author(smollm2, tmp_path, monkeypatch):
    from tests.fixtures.voice_run import voice_run

    monkeypatch.setenv("STUDIO_HOME", str(tmp_path))
    run = voice_run(tmp_path, smollm2, essays=6, max_words=60)  # about 45 train rows and 25 held-out prompts
    report = run.report
    print({k: report[k] for k in ("win_rate", "win_rate_ci", "gap_closure", "gap_closure_ci", "mean_scores", "valid")},
          f"train rows {run.train_rows}, held-out prompts {run.heldout_prompts}")
    assert run.heldout_prompts >= 4 and run.train_rows >= 16
    assert report["valid"], report["validity"]  # the author's own held-out passages beat the base answers
    assert report["win_rate"] > 0.5, report["rows"]
    assert report["mean_scores"]["tuned"] > report["mean_scores"]["base"]
    assert report["memorisation"]["flagged"] == 0  # imitation, not copying whole train passages


def test_frozen_voice_rows_come_from_the_runs_data(tmp_path):
    """The evaluation reads the held-out voice prompts and train passages from the frozen files, nothing else."""
    import json

    from studio.voice.evaluate import evaluate_frozen, frozen_voice_rows

    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": "my passage"}],
         "kind": "voice"},
        {"prompt": [{"role": "user", "content": "f"}], "completion": [{"role": "assistant", "content": "a fact"}],
         "kind": "fact"}]) + "\n")
    (data / "test.jsonl").write_text(json.dumps({"question": "hq", "reference": "held passage", "kind": "voice"}) + "\n")
    (data / "manifest.json").write_text(json.dumps({"system_prompt": "You are Alex."}))
    assert frozen_voice_rows(data) == ([{"question": "hq", "answer": "held passage"}], ["my passage"], "You are Alex.")
    (data / "test.jsonl").write_text(json.dumps({"question": "f", "reference": "x", "kind": "fact"}) + "\n")
    assert evaluate_frozen(tmp_path, "unused-base", "unused-adapter") is None  # no voice pairs: no voice result
