"""Training engine units without a model: config, presets and estimates on fake GPUs, dtype by capability,
frozen data, checkpoints, the events view, the accelerate command and Hugging Face Jobs with a fake HfApi."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import create_autospec

import pytest

from studio.config import ConfigError
from studio.train import checkpoints as ck
from studio.train.config import TrainConfig, default_save_steps, planned_steps
from studio.train.data import size_max_length, split_rows
from studio.train.hardware import (
    CPU, DeviceInfo, choose_method, compute_dtype, keep_adapter_fp32, mixed_precision_flags, packing_supported,
)
from studio.train.plan import make_plan
from studio.train.presets import (
    ModelShape, estimate_memory_gb, exposures_per_fact, fit_warning, lr_for_size, lr_warning, model_shape,
    preset_for_device,
)

T4 = DeviceInfo("cuda", "Tesla T4", 15.0, (7, 5))
L4 = DeviceInfo("cuda", "NVIDIA L4", 22.5, (8, 9))
A100 = DeviceInfo("cuda", "NVIDIA A100-SXM4-40GB", 39.4, (8, 0))
H100 = DeviceInfo("cuda", "NVIDIA H100 80GB HBM3", 79.1, (9, 0))


def test_config_validation_is_readable_and_round_trips():
    cfg = TrainConfig.from_dict({"base_model": "m", "lr": "1e-3", "epochs": "8", "max_steps": ""})
    assert cfg.lr == 1e-3 and cfg.epochs == 8.0 and cfg.max_steps is None and cfg.alpha == 32
    assert TrainConfig.from_yaml(cfg.to_yaml()) == cfg
    for bad, needle in (({"lr": 0.01}, "lr must be"), ({"method": "full"}, "method must be"),
                        ({"base_model": " "}, "base_model is empty"), ({"save_total_limit": 0}, "resume needs"),
                        ({"lora_dropout": 1.5}, "lora_dropout")):
        with pytest.raises(ConfigError, match=needle):
            TrainConfig.from_dict({"base_model": "m", **bad})
    assert TrainConfig(lr=2e-3).lr == 2e-3  # LoRA LRs up to 2e-3 are accepted
    assert TrainConfig().trust_remote_code is False


def test_dtype_by_compute_capability_not_by_bf16_claims():
    assert compute_dtype(T4) == "fp16" and mixed_precision_flags(T4) == {"bf16": False, "fp16": True}
    assert keep_adapter_fp32(T4, quantized=True) and not keep_adapter_fp32(A100, quantized=True)
    assert compute_dtype(A100) == compute_dtype(H100) == "bf16"
    assert compute_dtype(CPU) == "fp32" and mixed_precision_flags(CPU) == {"bf16": False, "fp16": False}
    assert packing_supported(H100) and not packing_supported(CPU)
    assert choose_method("auto", CPU) == "lora"
    with pytest.raises(ConfigError, match="QLoRA needs a CUDA GPU"):
        choose_method("qlora", CPU)


def test_presets_by_gpu_and_memory_estimates():
    assert preset_for_device(T4).key == "t4" and preset_for_device(L4).key == "l4"
    assert preset_for_device(A100).key == "a100-40" and preset_for_device(H100).key == "h100"
    assert preset_for_device(DeviceInfo("cuda", "Some 48GB card", 47.0, (8, 6))).key == "a100-40"
    assert preset_for_device(CPU).key == "cpu"
    seven_b = model_shape("Qwen/Qwen2.5-7B-Instruct")
    assert 6e9 < seven_b.params < 8e9
    q = estimate_memory_gb(seven_b, "qlora", 4, 1024)
    full = estimate_memory_gb(seven_b, "lora", 4, 1024)
    assert 4 < q["total_gb"] < 15 < full["total_gb"]  # 4-bit 7B fits a T4, 16-bit does not
    assert estimate_memory_gb(seven_b, "qlora", 8, 2048)["total_gb"] > q["total_gb"]
    assert fit_warning(q, T4, preset_for_device(T4)) is None
    assert "needs about" in fit_warning(full, T4, preset_for_device(T4))


def test_lr_by_size_and_warnings():
    assert lr_for_size(135e6) == 1e-3 and lr_for_size(7e9) == 2e-4
    assert lr_warning(2e-3, 135e6) is None  # 2x the preset is fine
    assert lr_warning(5e-4, 7e9) and "twice" in lr_warning(5e-4, 7e9)
    few = exposures_per_fact(4, {"f1": 2, "f2": 3})
    assert few["min"] == 8 and few["below"] == 1 and "fewer than 12" in few["warning"]
    assert exposures_per_fact(8, {"f1": 3})["warning"] is None


def test_plan_on_cpu_and_fake_gpus(tmp_path):
    cfg = TrainConfig(base_model="bundled:smollm2-135m-instruct")
    groups = {f"f{i}": 3 for i in range(12)}
    cpu = make_plan(cfg, CPU, groups, 12, {"max_length": 64}, 45)
    assert (cpu.method, cpu.dtype, cpu.lr, cpu.epochs, cpu.batch_size) == ("lora", "fp32", 1e-3, 8.0, 8)
    assert cpu.max_steps == planned_steps(36, 8, 1, 8) == 40 and cpu.save_steps == default_save_steps(40) == 10
    assert cpu.exposures["min"] == 24 and any("CPU test mode" in w for w in cpu.warnings)
    t4 = make_plan(TrainConfig(base_model="mistralai/Mistral-7B-Instruct-v0.3", method="qlora"),
                   DeviceInfo("cuda", "Tesla T4", 15.0, (7, 5)), groups, 12, {"max_length": 512}, 200)
    assert (t4.preset, t4.dtype, t4.lr) == ("t4", "fp16", 2e-4)
    steps = make_plan(cfg.replace(max_steps=3), CPU, groups, 0, {}, 40)
    assert steps.max_steps == 3 and any("no val pairs" in w for w in steps.warnings)


def _pair(i, fact, split, kind="paraphrase", q=None):
    return {"id": i, "fact_id": fact, "question": q or f"question {i}", "answer": f"answer {fact}", "key_answer": fact,
            "split": split, "kind": kind}


def test_frozen_rows_prompt_completion_and_test_sets():
    pairs = [_pair(1, "a", "train"), _pair(2, "a", "train"), _pair(3, "a", "val"), _pair(4, "a", "heldout"),
             _pair(5, "b", "heldout"), _pair(6, None, "heldout", kind="refusal"),
             _pair(7, "a", "heldout", q="question 1")]  # the same question as a trained one
    rows = split_rows(pairs, system_prompt="Be brief.")
    assert rows["train"][0]["prompt"] == [{"role": "system", "content": "Be brief."},
                                          {"role": "user", "content": "question 1"}]
    assert rows["train"][0]["completion"] == [{"role": "assistant", "content": "answer a"}]
    sets = {r["id"]: r["set"] for r in rows["test"] if r["set"] != "trained"}
    assert sets == {4: "phrasings", 5: "facts", 6: "refusals"} and rows["leaks"] == 1
    trained = [r for r in rows["test"] if r["set"] == "trained"]
    assert [r["group"] for r in trained] == ["a"] and set(trained[0]) >= {"question", "reference", "key", "group", "kind"}
    assert split_rows(pairs)["train"][0]["prompt"] == [{"role": "user", "content": "question 1"}]


def test_max_length_from_longest_pair_reports_drops():
    lengths = [(10, 30), (20, 50), (70, 90)]
    auto = size_max_length(lengths, None, 512)
    assert auto["max_length"] >= 91 and auto["dropped"] == 0 and auto["truncated"] == 0
    tight = size_max_length(lengths, 40, 512)
    assert tight["dropped"] == 1 and tight["truncated"] == 1


def _fake_checkpoint(run_dir: Path, step: int, complete: bool = True) -> Path:
    staged = run_dir / "checkpoints" / ck.STAGING / f"checkpoint-{step}"
    staged.mkdir(parents=True)
    (staged / "trainer_state.json").write_text("{}")
    (staged / "adapter_model.safetensors").write_bytes(b"x")
    if complete:
        return ck.finalize(staged, run_dir / "checkpoints", step)
    return staged


def test_checkpoints_only_complete_ones_count_and_rotate(tmp_path):
    for step in (10, 20, 30):
        _fake_checkpoint(tmp_path, step)
    _fake_checkpoint(tmp_path, 40, complete=False)  # killed while saving
    (tmp_path / "checkpoints" / "checkpoint-50").mkdir()  # a folder without the marker
    assert [c["step"] for c in ck.list_checkpoints(tmp_path)] == [10, 20, 30]
    assert ck.last_checkpoint(tmp_path)["step"] == 30
    ck.rotate(tmp_path, keep=2)
    assert [c["step"] for c in ck.list_checkpoints(tmp_path)] == [20, 30]
    ck.clear_staging(tmp_path)
    assert not (tmp_path / "checkpoints" / ck.STAGING).exists()
    mirrored = ck.mirror(Path(ck.last_checkpoint(tmp_path)["path"]), tmp_path / "drive", "run1")
    assert (mirrored / ck.COMPLETE).is_file() and not list((tmp_path / "drive" / "run1" / "checkpoints").glob(".*"))


def test_view_plots_a_three_step_run_and_dedupes_after_resume(tmp_path):
    from studio.jobs.files import append_event
    from studio.train.view import latest_numbers, run_view

    for step, loss in ((1, 2.0), (2, 1.5), (3, 1.2)):
        append_event(tmp_path, {"type": "train", "step": step, "loss": loss, "learning_rate": 1e-3, "tokens_per_s": 900.0})
    append_event(tmp_path, {"type": "eval", "step": 3, "eval_loss": 1.4, "perplexity": 4.05})
    append_event(tmp_path, {"type": "train_begin", "step": 2, "max_steps": 3, "resumed": True})
    append_event(tmp_path, {"type": "train", "step": 3, "loss": 1.1, "learning_rate": 5e-4})
    view = run_view(tmp_path)
    train = [r for r in view["loss"] if r["series"] == "train"]
    assert [(r["step"], r["value"]) for r in train] == [(1, 2.0), (2, 1.5), (3, 1.1)]
    assert [r["value"] for r in view["loss"] if r["series"] == "val"] == [1.4]
    assert len(view["lr"]) == 3 and view["resumed_from"] == 2
    # the learning-rate plot reads in units of 1e-4, so its axis labels stay short ("10", "5")
    assert [round(r["value"], 6) for r in view["lr"]] == [10.0, 10.0, 5.0]
    assert "train loss 1.1000" in latest_numbers(view["latest"]) and "val loss 1.4000" in latest_numbers(view["latest"])


def test_accelerate_command_and_hf_jobs_with_fake_api(tmp_path):
    from huggingface_hub import HfApi

    from studio.train.distributed import accelerate_command, submit_hf_job

    cfg = TrainConfig(base_model="Qwen/Qwen2.5-0.5B-Instruct", max_steps=50, lr=5e-4)
    cmd = accelerate_command(cfg, "docs", tmp_path / "run", num_processes=4)
    assert cmd.startswith("accelerate launch --num_processes 4 --multi_gpu -m studio train --workspace docs")
    assert "--max-steps 50" in cmd and "--lr 0.0005" in cmd
    api = create_autospec(HfApi, instance=True)
    api.run_uv_job.return_value.id = "job-1"
    with pytest.raises(FileNotFoundError, match="prepare the run"):
        submit_hf_job(tmp_path, "hf_x", "me/data", "me/out", api=api)
    (tmp_path / "data").mkdir()
    for name in ("manifest.json", "train.jsonl"):
        (tmp_path / "data" / name).write_text("{}")
    (tmp_path / "recipe.yaml").write_text("base_model: x\n")
    out = submit_hf_job(tmp_path, "hf_secret", "me/data", "me/out", flavor="a100-large", api=api)
    assert out["job_id"] == "job-1"
    for call in api.create_repo.call_args_list:
        assert call.kwargs["private"] is True
    uploads = [c.kwargs for c in api.upload_folder.call_args_list]
    assert {"data/*", "recipe.yaml"} <= set(uploads[0]["allow_patterns"]) and uploads[1]["path_in_repo"] == "code"
    script, = api.run_uv_job.call_args.args
    kwargs = api.run_uv_job.call_args.kwargs
    assert Path(script).is_file() and kwargs["script_args"] == ["--data-repo", "me/data", "--output-repo", "me/out"]
    assert kwargs["secrets"] == {"HF_TOKEN": "hf_secret"} and "hf_secret" not in json.dumps(kwargs.get("env") or {})
    assert kwargs["flavor"] == "a100-large" and any(d.startswith("trl") for d in kwargs["dependencies"])
