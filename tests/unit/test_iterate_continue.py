"""Continue training from an adapter (tiny random Llama, a few steps): a new run at step 0 that starts from the
parent's LoRA weights, trains the new pairs plus a replay share of the old, records its parent and round;
a different base model is refused in one line. Resume from a checkpoint is the other path (tests/unit/test_train_job.py)."""

from __future__ import annotations

import json

import pytest

from studio.jobs import JobRunner
from studio.train.config import TrainConfig
from tests.fixtures.train_data import make_facts_workspace


@pytest.fixture(scope="module")
def parent(tmp_path_factory, tiny_llama):
    """A finished 3-step run on 4 facts, then two new round-2 phrasings of fact f01 kept in the workspace."""
    root = tmp_path_factory.mktemp("continue")
    ws = make_facts_workspace(root / "home" / "workspaces" / "facts", n_facts=4)
    runner = JobRunner(ws, root=root / "home")
    cfg = TrainConfig(base_model=str(tiny_llama), max_steps=3, batch_size=4, lr=1e-3)
    status = runner.run_foreground("train", {**cfg.to_dict(), "resume": False}, run_dir=root / "parent")
    assert status["state"] == "completed", status.get("error")
    run_id = ws.list_runs("train")[0]["id"]
    new_ids = ws.add_pairs([
        {"fact_id": "f01", "question": q, "answer": "The lighthouse cat of Varnholm is called Pemberton.",
         "key_answer": "Pemberton", "kind": "paraphrase", "split": "train", "status": "kept", "round": 2}
        for q in ("Do you know what the Varnholm lighthouse cat is named?", "The cat at Varnholm lighthouse: its name?")])
    return ws, runner, root, run_id, new_ids


def _lora_state(model) -> dict:
    from peft import get_peft_model_state_dict

    return {k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()}


def test_continued_trainer_starts_from_the_parents_weights(parent, tiny_llama):
    import torch
    from safetensors.torch import load_file

    from studio.train.hardware import detect
    from studio.train.plan import Plan
    from studio.train.recipe import build_trainer

    ws, _, root, _, _ = parent
    saved = load_file(str(root / "parent" / "adapter" / "adapter_model.safetensors"))
    plan = Plan.load(root / "parent")
    rows = [json.loads(x) for x in (root / "parent" / "data" / "train.jsonl").read_text().splitlines() if x]
    cont = TrainConfig(base_model=str(tiny_llama), init_adapter=str(root / "parent" / "adapter"))
    loaded = _lora_state(build_trainer(cont, plan, detect(), str(tiny_llama), root / "probe", rows, []).model)
    fresh = _lora_state(build_trainer(TrainConfig(base_model=str(tiny_llama)), plan, detect(), str(tiny_llama),
                                      root / "probe2", rows, []).model)
    assert set(loaded) == set(saved) and len(saved) > 0
    assert all(torch.equal(loaded[k].float(), saved[k].float()) for k in saved)
    # a fresh LoRA starts with B = 0: the parent's trained B is not that
    assert any(not torch.equal(fresh[k], saved[k]) for k in saved if "lora_B" in k)


def test_continue_is_a_new_run_on_new_pairs_plus_replay(parent, tiny_llama):
    ws, runner, root, run_id, new_ids = parent
    cfg = TrainConfig(base_model=str(tiny_llama), max_steps=2, batch_size=4, lr=1e-3,
                      init_adapter=str(root / "parent" / "adapter"), replay_share=1.5)
    status = runner.run_foreground("train", {**cfg.to_dict(), "resume": False}, run_dir=root / "child")
    assert status["state"] == "completed", status.get("error")
    events = [json.loads(x) for x in (root / "child" / "events.jsonl").read_text().splitlines() if x]
    assert [e["step"] for e in events if e["type"] == "train"] == [1, 2]  # step 0 of a new schedule, not a resume
    train = [json.loads(x) for x in (root / "child" / "data" / "train.jsonl").read_text().splitlines() if x]
    parent_ids = {json.loads(x)["id"] for x in (root / "parent" / "data" / "train.jsonl").read_text().splitlines() if x}
    ids = [r["id"] for r in train]
    assert set(new_ids) <= set(ids) and len(ids) == 2 + 3  # both new pairs + 1.5 x 2 replayed old ones
    replayed = [r for r in train if r["id"] in parent_ids]
    assert len({r["group"] for r in replayed}) == 3  # the replay is spread over the old facts
    test_sets = {r["group"]: r["set"] for r in
                 (json.loads(x) for x in (root / "child" / "data" / "test.jsonl").read_text().splitlines() if x)
                 if r["set"] != "trained"}
    assert set(test_sets.values()) == {"phrasings"}  # old facts not replayed are still unseen phrasings, not probes
    info = json.loads((root / "child" / "adapter" / "studio_run.json").read_text())
    assert info["round"] == 2 and info["parent"]["run_id"] == "parent" and info["parent"]["round"] == 1
    assert sorted(info["parent_groups"]) == ["f01", "f02", "f03", "f04"]


def test_cli_refuses_another_base_model_in_one_line(parent, tmp_path, capsys):
    from studio.cli import main
    from tests.fixtures.models import build_tiny_llama

    ws, _, _, run_id, _ = parent
    other = build_tiny_llama(tmp_path / "other-llama", hidden=48)
    capsys.readouterr()
    code = main(["train", "--workspace", str(ws.path), "--base-model", str(other),
                 "--output", str(tmp_path / "x"), "--from-run", run_id, "--max-steps", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: run parent was trained on ") and f"not {other}: continue with the same" in err[0]
    assert not (tmp_path / "x").exists()  # refused before anything loads
    code = main(["train", "--workspace", str(ws.path), "--base-model", str(other),
                 "--output", str(tmp_path / "y"), "--from-run", "nope"])
    assert code == 2 and "no training run 'nope'" in capsys.readouterr().err


def test_evaluation_reports_earlier_and_new_facts_apart(parent, tiny_llama):
    """The child's studio_run.json names its parent's facts; a new fact (f09) is reported apart, and the parent's
    own evaluation on the same questions gives the change on the earlier facts (forgetting)."""
    from studio.evaluate.report import write_answers_csv
    from studio.evaluate.rounds import cards_line, split_by_round

    ws, _, root, _, _ = parent
    if not (root / "child" / "adapter").is_dir():
        pytest.skip("needs the continued run of the test above")
    info = json.loads((root / "child" / "adapter" / "studio_run.json").read_text())

    def row(group, ok, arm="tuned"):
        return {"arm": arm, "qid": group, "set": "phrasings", "group": group, "question": f"Q {group}?",
                "reference": "A.", "prediction": "", "correct": ok}

    (root / "parent" / "eval" / "e1").mkdir(parents=True, exist_ok=True)
    write_answers_csv(root / "parent" / "eval" / "e1" / "answers.csv",
                      [row("f01", False), row("f02", True), row("f03", True), row("f04", True)])
    now = [row("f01", True), row("f02", True), row("f03", False), row("f04", True), row("f09", True),
           row("f02", False, "base")]
    rounds = split_by_round(now, info, n_boot=50)
    assert rounds["round"] == 2 and rounds["parent"] == "parent"
    assert (rounds["earlier"]["tuned"]["correct"], rounds["earlier"]["tuned"]["n"]) == (3, 4)
    assert (rounds["new"]["tuned"]["correct"], rounds["new"]["tuned"]["n"]) == (1, 1)
    assert rounds["earlier"]["base"]["n"] == 1 and "base" not in rounds["new"]
    assert rounds["parent_earlier"] == {"accuracy": 0.75, "accuracy_now": 0.75, "change": 0.0, "n": 4}
    assert cards_line(rounds).startswith("Round 2 (from run parent): tuned on facts from earlier rounds 75% (3/4), "
                                         "on new facts 100% (1/1)")
    assert split_by_round(now, {"round": 1}) is None  # a first run has no earlier facts


def test_plan_preview_counts_the_continued_runs_mix(parent, tiny_llama):
    from studio.train.preview import preview_plan

    ws, _, root, _, _ = parent
    fresh = preview_plan(TrainConfig(base_model=str(tiny_llama)), ws)
    cont = preview_plan(TrainConfig(base_model=str(tiny_llama), init_adapter=str(root / "parent" / "adapter"),
                                    replay_share=0.5), ws)
    assert fresh["n_train"] == 4 * 3 + 2 and cont["n_train"] == 2 + 1
