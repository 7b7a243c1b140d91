"""A full disk (an injected ENOSPC in the worker) while training writes its second checkpoint, while staging a push
and while uploading: one readable line starting "the disk is full", the earlier checkpoint intact and loadable
(and resumable once space is back), the workspace database intact."""

from __future__ import annotations

import errno
import json
import time

import pytest

from studio.jobs import JobRunner
from studio.train import checkpoints as ck
from studio.train.config import TrainConfig
from tests.fixtures.faults import fault_env, integrity_ok, wait_end
from tests.fixtures.train_data import make_facts_workspace
from tests.unit.hub_helpers import make_run


@pytest.fixture
def ws(tmp_path):
    return make_facts_workspace(tmp_path / "home" / "workspaces" / "facts", n_facts=4)


@pytest.fixture
def runner(ws, tmp_path):
    return JobRunner(ws, root=tmp_path / "home")


def _one_readable_line(status: dict) -> str:
    error = status["error"] or ""
    assert status["state"] == "failed" and error.startswith("the disk is full"), status
    assert "\n" not in error and "Traceback" not in error
    return error


def test_disk_full_at_the_second_checkpoint_keeps_the_first(runner, ws, tiny_llama):
    cfg = {**TrainConfig(base_model=str(tiny_llama), max_steps=6, batch_size=4, save_steps=2).to_dict(), "resume": False}
    rid = runner.submit("train", cfg, extra_env=fault_env("studio.train.checkpoints:finalize:enospc:2"))
    status = wait_end(runner, rid)
    assert "step 4" in _one_readable_line(status)
    deadline = time.time() + 20  # the worker writes its status file first, then the workspace row
    while runner.workspace.get_run(rid)["status"] != "failed" and time.time() < deadline:
        time.sleep(0.2)
    assert runner.workspace.get_run(rid)["status"] == "failed" and integrity_ok(ws)
    run_dir = runner.run_dir(rid)
    assert [c["step"] for c in ck.list_checkpoints(run_dir)] == [2]  # the half-written one does not count

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    first = run_dir / "checkpoints" / "checkpoint-2"
    assert json.loads((first / "trainer_state.json").read_text())["global_step"] == 2
    PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(str(tiny_llama)), str(first))  # loadable

    status = runner.run_foreground("train", {**cfg, "resume": True}, run_dir=run_dir)  # space is back: resume
    assert status["state"] == "completed", status
    assert json.loads((run_dir / "adapter" / "studio_run.json").read_text())["steps"] == 6


def test_disk_full_while_staging_a_push(runner, ws, tmp_path, tiny_llama):
    run, _ = make_run(tmp_path, tiny_llama)
    cfg = {"adapter": str(run / "adapter"), "repo_id": "me/facts-adapter", "stage_only": True}
    rid = runner.submit("push", cfg, extra_env=fault_env("shutil:copy2:enospc:1"))
    _one_readable_line(wait_end(runner, rid))
    run_dir = runner.run_dir(rid)
    assert not (run_dir / "staged").exists() and not list(run_dir.glob(".stage-*"))
    assert (run / "adapter" / "adapter_model.safetensors").is_file() and integrity_ok(ws)


def test_disk_full_during_the_upload(runner, ws, tmp_path, tiny_llama, monkeypatch):
    from studio.hub import push

    class FullDiskApi:
        def whoami(self, token=None):
            return {"name": "me"}

        def create_repo(self, repo_id, **kw):
            return f"https://huggingface.co/{repo_id}"

        def repo_info(self, repo_id, **kw):
            return type("Info", (), {"private": False})()

        def update_repo_settings(self, repo_id, **kw):
            return None

        def upload_folder(self, **kw):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(push, "_make_api", lambda api=None: FullDiskApi())
    monkeypatch.setenv("HF_TOKEN", "hf_" + "x" * 30)
    run, _ = make_run(tmp_path, tiny_llama)
    status = runner.run_foreground("push", {"adapter": str(run / "adapter"), "repo_id": "me/facts-adapter"})
    error = _one_readable_line(status)
    assert "me/facts-adapter" in error and "hf_" not in error
    assert (run / "adapter" / "adapter_model.safetensors").is_file() and integrity_ok(ws)
