"""The ``train`` job: ``run(ctx)`` freezes the data, resolves the recipe, trains, checkpoints and saves the adapter.

Run folder (``ctx.run_dir``, see docs/ARCHITECTURE.md): ``config.yaml`` (the job's settings), ``recipe.yaml`` (the
resolved TrainConfig), ``plan.json`` (effective values: steps, LR, max length...), ``data/{train,val,test}.jsonl``
+ ``data/manifest.json``, ``checkpoints/checkpoint-N/`` (complete ones only), ``events.jsonl``, ``status.json``,
and at the end ``adapter/`` (adapter weights, tokenizer, ``recipe.yaml``, ``system_prompt.txt``,
``studio_run.json``). ``config["resume"] = True`` continues from the last complete checkpoint with the frozen data
and the saved plan, so the step count and schedule are the same as if the run had never stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from . import checkpoints as ck
from .config import TrainConfig
from .data import DataError, freeze, is_frozen, load_frozen, phrasings_per_group, size_max_length, token_lengths
from .hardware import detect
from .plan import Plan, make_plan

RECIPE_FILE = "recipe.yaml"
RUN_INFO = "studio_run.json"
JOB_KEYS = ("resume",)


class TrainingFailed(RuntimeError):
    """A training failure with a message a user can act on (``user_message`` is shown as is)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


def config_from_job(ctx_config: dict[str, Any]) -> tuple[TrainConfig, bool]:
    data = dict(ctx_config or {})
    resume = bool(data.pop("resume", False))
    for key in list(data):
        if key not in TrainConfig.help():
            data.pop(key)
    return TrainConfig.from_dict(data), resume


def prepare(run_dir: Path, cfg: TrainConfig, ws, tokenizer, dev, world_size: int = 1) -> tuple[dict, dict, Plan]:
    """Freeze the data (unless already frozen) and resolve the plan (unless saved): also used before
    ``accelerate launch`` so every process reads the same files."""
    data_dir = run_dir / "data"
    if not is_frozen(data_dir):
        if ws is None:
            raise DataError("this run has no frozen data and no workspace to take pairs from: pass --workspace")
        mix = None
        if cfg.init_adapter:  # a continued run: the new pairs and a replay of the parent's (studio/train/lineage.py)
            from .lineage import load_parent, mix_train

            parent = load_parent(cfg.init_adapter, cfg.base_model)
            mix = lambda train: mix_train(train, parent, cfg.replay_share, cfg.seed)  # noqa: E731
        freeze(ws, data_dir, cfg.system_prompt, getattr(tokenizer, "chat_template", None), cfg.trained_sample, cfg.seed,
               extra={"base_model": cfg.base_model}, mix=mix)
    manifest, rows = load_frozen(data_dir)
    plan = Plan.load(run_dir)
    if plan is None:
        lengths = token_lengths(rows["train"], tokenizer)
        from .presets import get_preset

        cap = cfg.max_length or get_preset(cfg.preset, dev).max_length
        length = size_max_length(lengths, cfg.max_length, cap)
        mean_tokens = sum(full for _, full in lengths) / max(1, len(lengths))
        plan = make_plan(cfg, dev, phrasings_per_group(rows["train"]), len(rows["val"]), length, mean_tokens, world_size,
                         n_test=len(rows.get("test", [])))
        plan.save(run_dir)
    resolved = cfg.replace(lr=plan.lr, epochs=plan.epochs, batch_size=plan.batch_size, grad_accum=plan.grad_accum,
                           max_length=plan.max_length, packing=plan.packing, method=plan.method)
    (run_dir / RECIPE_FILE).write_text(resolved.to_yaml())
    return manifest, rows, plan


def run(ctx) -> dict:
    cfg, resume = config_from_job(ctx.config)
    run_dir = Path(ctx.run_dir)
    if resume and (run_dir / RECIPE_FILE).is_file():
        cfg = TrainConfig.from_yaml(run_dir / RECIPE_FILE)
    done = _finished(run_dir)
    if done and resume:
        ctx.log("this run already finished; nothing to resume")
        return done
    existing = ck.last_checkpoint(run_dir)
    if existing and not resume:
        raise TrainingFailed(
            f"{run_dir} already holds a run with checkpoints: resume it, or choose a new output folder"
        )
    _check_writable(run_dir)
    ck.clear_staging(run_dir)
    dev = detect()
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    from ..models import ModelNotFound, resolve_model

    try:
        model_path = resolve_model(cfg.base_model)
    except ModelNotFound as exc:
        raise TrainingFailed(str(exc)) from None
    if cfg.init_adapter:
        from .lineage import LineageError, load_parent

        try:
            load_parent(cfg.init_adapter, cfg.base_model)
        except LineageError as exc:
            raise TrainingFailed(str(exc)) from None
    from .recipe import build_trainer, load_tokenizer

    ctx.progress(0, None, "loading the tokenizer")
    try:
        tokenizer = load_tokenizer(model_path, cfg.trust_remote_code)
    except (OSError, ValueError) as exc:
        raise TrainingFailed(f"base model {cfg.base_model!r} could not be loaded: {str(exc).splitlines()[0][:300]}") from None
    from .lineage import LineageError

    try:
        manifest, rows, plan = prepare(run_dir, cfg, ctx.workspace(), tokenizer, dev, world_size)
    except LineageError as exc:
        raise TrainingFailed(str(exc)) from None
    ctx.emit("plan", **plan.to_dict(), data=manifest.get("files"), test_sets=manifest.get("test_sets"))
    for warning in plan.warnings:
        ctx.log(warning, level="warning")
    resume_from = ck.last_checkpoint(run_dir) if resume else None
    if resume:
        ctx.log(f"resuming from step {resume_from['step']}" if resume_from else "no complete checkpoint yet: starting over")
    from .callbacks import make_events_callback

    callback = make_events_callback(ctx, cfg.checkpoint_minutes, plan.speed_key,
                                    plan.s_per_step if plan.time_source == "measured" else None)
    ctx.progress(resume_from["step"] if resume_from else 0, plan.max_steps, "loading the model")
    trainer = build_trainer(cfg, plan, dev, model_path, run_dir, rows["train"], rows["val"], [callback], tokenizer)
    trainer.studio_on_checkpoint = lambda step, path: ctx.emit("checkpoint", step=step, path=str(path))
    started = time.time()
    try:
        output = trainer.train(resume_from_checkpoint=resume_from["path"] if resume_from else None)
    except BaseException as exc:  # noqa: BLE001 - turned into advice below, re-raised otherwise
        raise _explain(exc, trainer, plan) from exc
    ck.clear_staging(run_dir)
    step = int(trainer.state.global_step)
    last = ck.last_checkpoint(run_dir)
    summary = {
        "step": step, "max_steps": plan.max_steps, "train_loss": _last_metric(trainer, "loss"),
        "eval_loss": _last_metric(trainer, "eval_loss"), "train_runtime_s": round(time.time() - started, 2),
        "checkpoint": last["path"] if last else None, "run_dir": str(run_dir),
    }
    if callback.stopped and step < plan.max_steps:
        ctx.set_result(stopped=True, **summary)
        ctx.emit("stopped", **summary)
        return {"stopped": True, **summary}
    adapter = save_adapter(trainer, tokenizer, run_dir, cfg, plan, manifest, model_path)
    summary.update(adapter=str(adapter), train_samples_per_s=(output.metrics or {}).get("train_samples_per_second"))
    ctx.set_result(**summary)
    ctx.emit("done", **summary)
    return summary


def save_adapter(trainer, tokenizer, run_dir: Path, cfg: TrainConfig, plan: Plan, manifest: dict, model_path: str) -> Path:
    """``adapter/``: weights, tokenizer, recipe, system prompt and ``studio_run.json``; written aside, then renamed."""
    final = run_dir / "adapter"
    tmp = run_dir / ".adapter.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    trainer.save_model(str(tmp))
    if not trainer.args.should_save:
        return final
    tokenizer.save_pretrained(str(tmp))
    (tmp / "training_args.bin").unlink(missing_ok=True)  # a pickle: the adapter folder holds safetensors and text only
    shutil.copyfile(run_dir / RECIPE_FILE, tmp / RECIPE_FILE)
    (tmp / "system_prompt.txt").write_text(cfg.system_prompt or "")
    info = {
        "run_dir": str(run_dir.resolve()),
        "base_model": cfg.base_model,
        "base_model_path": model_path,
        "method": plan.method,
        "steps": int(trainer.state.global_step),
        "plan": {k: getattr(plan, k) for k in ("lr", "epochs", "batch_size", "grad_accum", "max_length", "packing")},
        "system_prompt": cfg.system_prompt or "",
        "data": manifest.get("files"),
        "chat_template_sha256": manifest.get("chat_template_sha256"),
        "test_file": str((run_dir / "data" / "test.jsonl").resolve()),
        "round": int(manifest.get("round") or 1),
        "parent": (manifest.get("continue") or {}).get("parent"),
        "parent_groups": (manifest.get("continue") or {}).get("parent_groups", []),
        "finished_at": time.time(),
    }
    (tmp / RUN_INFO).write_text(json.dumps(info, indent=2))
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    return final


def _finished(run_dir: Path) -> dict | None:
    info = run_dir / "adapter" / RUN_INFO
    if info.is_file():
        data = json.loads(info.read_text())
        return {"adapter": str(run_dir / "adapter"), "step": data.get("steps"), "run_dir": str(run_dir)}
    return None


def _check_writable(run_dir: Path) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write_test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise TrainingFailed(f"the output folder {run_dir} is not writable: {exc.strerror or exc}") from None


def _last_metric(trainer, key: str) -> float | None:
    for entry in reversed(trainer.state.log_history):
        if key in entry:
            return round(float(entry[key]), 5)
    return None


def _explain(exc: BaseException, trainer, plan: Plan) -> BaseException:
    """OOM and disk-full failures as advice; anything else unchanged."""
    step = getattr(getattr(trainer, "state", None), "global_step", 0)
    text = str(exc).lower()
    if type(exc).__name__ == "OutOfMemoryError" or "out of memory" in text:
        return TrainingFailed(
            f"out of memory at step {step} (batch {plan.batch_size}, max length {plan.max_length}, {plan.method}): "
            "lower the batch size (raise gradient accumulation to keep the same effective batch), shorten max length, "
            "or pick a smaller model, and start a new run (resume keeps this run's recipe)"
        )
    if isinstance(exc, OSError) and exc.errno == 28:
        return TrainingFailed(
            f"the disk is full: it filled up while saving at step {step}; free some space (old runs or checkpoints) and resume; "
            "the last complete checkpoint is intact"
        )
    return exc


__all__ = ["run", "prepare", "save_adapter", "config_from_job", "TrainingFailed", "RECIPE_FILE", "RUN_INFO"]
