"""kill -9 inside the worker at the evaluate, merge and push-staging stages (ingest, generate and train have theirs in
test_ingest_crash.py, test_generate_recipe.py and test_train_job.py): the run is reported killed, the workspace
database stays intact, and the rerun in the same run folder loses at most the batch in flight, writes nothing twice
and leaves no half-written output behind."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from studio.jobs import JobRunner
from tests.fixtures.faults import assert_killed, fault_env, integrity_ok
from tests.fixtures.train_data import make_facts_workspace
from tests.unit.evaluate_helpers import attach_chunks, fake_run
from tests.unit.hub_helpers import make_run


@pytest.fixture
def ws(tmp_path):
    ws = make_facts_workspace(tmp_path / "home" / "workspaces" / "facts", n_facts=4)
    attach_chunks(ws)
    return ws


@pytest.fixture
def runner(ws, tmp_path):
    return JobRunner(ws, root=tmp_path / "home")


def _answers(path) -> list[tuple[str, str]]:
    return [(r["arm"], r["qid"]) for r in map(json.loads, path.read_text().splitlines())]


def test_evaluate_killed_mid_answers_resumes_without_duplicates(runner, ws, tmp_path, tiny_llama):
    from studio.evaluate.config import EvalConfig

    run = fake_run(tmp_path / "run", tiny_llama, ws)
    cfg = EvalConfig(base_model=str(tiny_llama), adapter=str(run / "adapter"), arms=["base", "tuned"], batch_size=1,
                     max_new_tokens=4, bootstrap=20, forgetting=False).to_dict()
    # killed as it starts the third batch of answers: two batches (2 answers each) are on disk
    rid = runner.submit("evaluate", cfg, extra_env=fault_env("studio.evaluate.answers:AnswerModel.generate:kill:3"))
    assert_killed(runner, rid)
    out = run / "eval" / rid
    before = _answers(out / "answers.jsonl")
    assert len(before) == 4 and not (out / "report.json").exists()
    with open(out / "answers.jsonl", "a") as fh:  # as if killed while writing the next line
        fh.write('{"arm": "tuned", "qid": "q9", "predic')

    status = runner.run_foreground("evaluate", cfg, run_dir=runner.run_dir(rid))  # the rerun in the same folder
    assert status["state"] == "completed", status
    after = _answers(out / "answers.jsonl")  # every line parses: the cut one was dropped, not glued to the next
    assert after[:4] == before  # the answers given before the kill are kept, not asked again
    assert not [k for k, n in Counter(after).items() if n > 1]  # no answer twice
    report = json.loads((out / "report.json").read_text())
    assert len(after) == sum(report["metrics"][arm][s]["n"] for arm in ("base", "tuned") for s in report["metrics"][arm])
    assert integrity_ok(ws)


def test_merge_killed_after_the_weights_leaves_no_merged_folder(runner, ws, tmp_path, tiny_llama):
    run, _ = make_run(tmp_path, tiny_llama)
    cfg = {"adapter": str(run / "adapter")}
    # killed after the merged weights are written, before the tokenizer: the folder must not look merged
    rid = runner.submit("merge", cfg, extra_env=fault_env("transformers:AutoTokenizer.from_pretrained:kill:1"))
    assert_killed(runner, rid)
    run_dir = runner.run_dir(rid)
    assert not (run_dir / "merged").exists()

    status = runner.run_foreground("merge", cfg, run_dir=run_dir)
    assert status["state"] == "completed", status
    merged = run_dir / "merged"
    assert (merged / "config.json").is_file() and (merged / "tokenizer_config.json").is_file()
    assert list(merged.glob("*.safetensors")) and not list(run_dir.glob(".*partial"))
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(str(merged))  # complete and loadable
    assert integrity_ok(ws)


def test_push_staging_killed_leaves_nothing_half_staged(runner, ws, tmp_path, tiny_llama):
    run, _ = make_run(tmp_path, tiny_llama)
    cfg = {"adapter": str(run / "adapter"), "repo_id": "me/facts-adapter", "stage_only": True}
    # killed after the adapter files are copied into the temporary folder, before the card is written
    rid = runner.submit("push", cfg, extra_env=fault_env("studio.hub.staging:build_context:kill:1"))
    assert_killed(runner, rid)
    run_dir = runner.run_dir(rid)
    assert not (run_dir / "staged").exists() and list(run_dir.glob(".stage-*"))  # only the temporary copy

    status = runner.run_foreground("push", cfg, run_dir=run_dir)
    assert status["state"] == "completed", status
    staged = run_dir / "staged"
    assert {"README.md", "adapter_model.safetensors", "adapter_config.json"} <= {p.name for p in staged.iterdir()}
    assert not list(run_dir.glob(".stage-*"))  # the killed worker's temporary copy is swept
    assert integrity_ok(ws)
