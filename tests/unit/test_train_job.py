"""Training job mechanics on the tiny random Llama (a few steps each): layout, events, CLI --json, stop, kill -9,
resume with the same step count, OOM and disk-full advice, bad input, two start clicks, status true to the worker."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from studio.jobs import JobRunner
from studio.train import checkpoints as ck
from studio.train import control
from studio.train.config import TrainConfig
from tests.fixtures.train_data import make_facts_workspace


@pytest.fixture()
def ws(tmp_path):
    return make_facts_workspace(tmp_path / "home" / "workspaces" / "facts", n_facts=4)


@pytest.fixture()
def runner(ws, tmp_path):
    return JobRunner(ws, root=tmp_path / "home")


def _events(run_dir: Path) -> list[dict]:
    path = run_dir / "events.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def _wait(predicate, timeout: float = 240.0, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _train_steps(run_dir: Path) -> list[int]:
    return [e["step"] for e in _events(run_dir) if e["type"] == "train"]


def test_cli_json_three_steps_plots_and_writes_the_run_folder(ws, tiny_llama, tmp_path, capsys):
    from studio.cli import main

    out = tmp_path / "run"
    code = main(["train", "--workspace", str(ws.path), "--base-model", str(tiny_llama), "--output", str(out),
                 "--max-steps", "3", "--batch-size", "4", "--json"])
    lines = capsys.readouterr().out.strip().splitlines()
    events = [json.loads(line) for line in lines]  # every stdout line is one JSON object
    assert code == 0 and events[-1]["type"] == "summary" and events[-1]["state"] == "completed"
    train = [e for e in events if e["type"] == "train"]
    assert [e["step"] for e in train] == [1, 2, 3]  # a 3-step run still has points to plot
    assert all(e["loss"] > 0 and "learning_rate" in e and "eta_s" in e for e in train)
    assert any(e["type"] == "eval" and e["perplexity"] for e in events)
    evals = [e["step"] for e in events if e["type"] == "eval"]
    assert evals[0] == 0 and evals[-1] == 3  # the val curve starts before any step, so even a short run draws a line
    from studio.train.view import run_view

    val = [r for r in run_view(out)["loss"] if r["series"] == "val"]
    assert len(val) >= 2
    for name in ("data/train.jsonl", "data/val.jsonl", "data/test.jsonl", "data/manifest.json", "plan.json",
                 "recipe.yaml", "adapter/adapter_model.safetensors", "adapter/tokenizer_config.json",
                 "adapter/recipe.yaml", "adapter/system_prompt.txt", "adapter/studio_run.json"):
        assert (out / name).is_file(), name
    info = json.loads((out / "adapter" / "studio_run.json").read_text())
    assert info["run_dir"] == str(out.resolve()) and info["base_model"] == str(tiny_llama) and info["steps"] == 3
    row = json.loads((out / "data" / "train.jsonl").read_text().splitlines()[0])
    assert row["prompt"][-1]["role"] == "user" and row["completion"][0]["role"] == "assistant"
    assert TrainConfig.from_yaml(out / "recipe.yaml").lr == 1e-3
    # the same folder again, without --resume: refused, nothing overwritten
    code = main(["train", "--workspace", str(ws.path), "--base-model", str(tiny_llama), "--output", str(out),
                 "--max-steps", "3", "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 1 and "already holds a run" in summary["error"]
    assert (out / "adapter" / "studio_run.json").is_file()


def test_stop_saves_a_checkpoint_then_resume_finishes_with_the_same_steps(runner, ws, tiny_llama, monkeypatch):
    monkeypatch.setenv("STUDIO_TRAIN_STEP_DELAY", "0.4")
    cfg = TrainConfig(base_model=str(tiny_llama), max_steps=10, batch_size=4, save_steps=100)
    rid = control.start(runner, cfg)
    with pytest.raises(control.RunActive) as second:  # a second click while the first run is active
        control.start(runner, cfg)
    assert second.value.run_id == rid
    run_dir = runner.run_dir(rid)
    _wait(lambda: len(_train_steps(run_dir)) >= 2, what="two logged steps")
    assert runner.status(rid)["state"] == "running"
    runner.stop(rid)
    status = _wait(lambda: (s := runner.status(rid))["state"] not in ("running", "stopping", "queued") and s,
                   what="the stop")
    assert status["state"] == "stopped", status
    stopped_at = status["result"]["step"]
    assert 2 <= stopped_at < 10
    assert ck.last_checkpoint(run_dir)["step"] == stopped_at  # the stop wrote a checkpoint (should_save)
    assert not (run_dir / "adapter").exists()
    monkeypatch.delenv("STUDIO_TRAIN_STEP_DELAY")
    assert control.resume(runner, rid) == rid
    status = _wait(lambda: (s := runner.status(rid))["state"] in ("completed", "failed") and s, what="the resume")
    assert status["state"] == "completed", status
    begins = [e for e in _events(run_dir) if e["type"] == "train_begin"]
    assert begins[-1]["resumed"] and begins[-1]["step"] == stopped_at and begins[-1]["max_steps"] == 10
    assert json.loads((run_dir / "adapter" / "studio_run.json").read_text())["steps"] == 10
    assert max(_train_steps(run_dir)) == 10


def test_kill9_is_reported_and_resume_continues_from_the_last_complete_checkpoint(runner, tiny_llama, monkeypatch):
    monkeypatch.setenv("STUDIO_TRAIN_STEP_DELAY", "0.3")
    rid = control.start(runner, TrainConfig(base_model=str(tiny_llama), max_steps=12, batch_size=4, save_steps=3))
    run_dir = runner.run_dir(rid)
    _wait(lambda: ck.last_checkpoint(run_dir) and max(_train_steps(run_dir) or [0]) >= 4, what="a checkpoint")
    pid = runner.status(rid)["pid"]
    os.killpg(os.getpgid(pid), signal.SIGKILL)  # kill -9, as the OOM killer would
    status = _wait(lambda: (s := runner.status(rid))["state"] != "running" and s, timeout=30, what="the kill")
    assert status["state"] == "killed" and "SIGKILL" in status["error"]
    assert ws_run_status(runner, rid) == "killed"  # the workspace row says the same
    last = ck.last_checkpoint(run_dir)["step"]
    partial = run_dir / "checkpoints" / ck.STAGING / "checkpoint-99"  # as if killed while saving
    partial.mkdir(parents=True, exist_ok=True)
    (partial / "trainer_state.json").write_text("{broken")
    monkeypatch.delenv("STUDIO_TRAIN_STEP_DELAY")
    control.resume(runner, rid)
    status = _wait(lambda: (s := runner.status(rid))["state"] in ("completed", "failed") and s, what="the resume")
    assert status["state"] == "completed", status
    begins = [e for e in _events(run_dir) if e["type"] == "train_begin"]
    assert begins[-1]["step"] == last and begins[-1]["max_steps"] == 12
    assert not partial.exists() and json.loads((run_dir / "adapter" / "studio_run.json").read_text())["steps"] == 12


def ws_run_status(runner, rid) -> str:
    return runner.workspace.get_run(rid)["status"]


@pytest.mark.parametrize("fault,needle", [("oom@2", "out of memory at step"), ("enospc@save", "the disk is full")])
def test_oom_and_disk_full_are_reported_as_advice(runner, tiny_llama, tmp_path, monkeypatch, fault, needle):
    monkeypatch.setenv("STUDIO_TRAIN_FAULT", fault)
    cfg = TrainConfig(base_model=str(tiny_llama), max_steps=3, batch_size=4, save_steps=2)
    status = runner.run_foreground("train", {**cfg.to_dict(), "resume": False}, run_dir=tmp_path / "run")
    assert status["state"] == "failed" and needle in status["error"], status
    assert ("batch size" in status["error"] or "resume" in status["error"]) and "Traceback" not in status["error"]
    assert ck.list_checkpoints(tmp_path / "run") == []  # nothing half-written counts as a checkpoint


def test_bad_input_gives_one_readable_line(tmp_path, tiny_llama):
    from studio.workspace import Workspace

    empty = Workspace.create(tmp_path / "home" / "workspaces" / "empty")
    runner = JobRunner(empty, root=tmp_path / "home")
    status = runner.run_foreground("train", {"base_model": str(tiny_llama), "max_steps": 2}, run_dir=tmp_path / "a")
    assert status["state"] == "failed" and "no kept training pairs" in status["error"]
    ws = make_facts_workspace(tmp_path / "home" / "workspaces" / "facts", n_facts=2)
    runner = JobRunner(ws, root=tmp_path / "home")
    status = runner.run_foreground("train", {"base_model": str(tmp_path / "missing-model"), "max_steps": 2},
                                   run_dir=tmp_path / "b")
    assert status["state"] == "failed" and "could not be loaded" in status["error"]
    status = runner.run_foreground("train", {"base_model": "bundled:nope", "max_steps": 2}, run_dir=tmp_path / "c")
    assert status["state"] == "failed" and "unknown bundled model" in status["error"]
    status = runner.run_foreground("train", {"base_model": str(tiny_llama), "lr": 0.5}, run_dir=tmp_path / "d")
    assert status["state"] == "failed" and "lr must be" in status["error"]


def test_cli_plan_and_accelerate_command(ws, tiny_llama, capsys):
    from studio.cli import main

    assert main(["train", "--workspace", str(ws.path), "--base-model", str(tiny_llama), "--output", "/tmp/x",
                 "--epochs", "2", "--plan", "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["n_train"] == 12 and preview["facts"] == 4 and preview["plan"]["epochs"] == 2.0
    assert preview["plan"]["exposures"]["min"] == 6 and any("fewer than 12" in w for w in preview["warnings"])
    assert main(["train", "--workspace", "docs", "--base-model", "m", "--output", "runs/a", "--max-steps", "9",
                 "--print-accelerate", "2"]) == 0
    assert capsys.readouterr().out.strip() == (
        "accelerate launch --num_processes 2 --multi_gpu -m studio train --workspace docs --base-model m "
        "--output " + str(Path("runs/a").resolve()) + " --max-steps 9")
    assert main(["train", "--output", "/tmp/nothing-here", "--resume"]) == 2
    assert "nothing to resume" in capsys.readouterr().err
