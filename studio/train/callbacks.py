"""The TrainerCallback that streams a run into ``RUN_DIR/events.jsonl`` and turns a stop request into a checkpoint.

Events (one JSON object a line, through the job context):
``{"type": "train", "step", "epoch", "loss", "learning_rate", "grad_norm", "tokens_per_s", "gpu_mem_gb", "eta_s"}``,
``{"type": "eval", "step", "epoch", "eval_loss", "perplexity"}``, ``{"type": "checkpoint", "step", "path"}``,
``{"type": "stopping", "step"}``, plus the context's ``progress`` events (done/total/ETA).
A stop request sets ``control.should_training_stop`` **and** ``control.should_save`` (without the latter no checkpoint
is written); a checkpoint is also forced every ``checkpoint_minutes``. Only the main process writes events.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any


def _transformers_callback_base():
    from transformers import TrainerCallback

    return TrainerCallback


def gpu_memory_gb() -> float | None:
    try:
        import torch

        if torch.cuda.is_available():
            return round(torch.cuda.max_memory_allocated() / 1024**3, 3)
    except Exception:  # noqa: BLE001
        return None
    return None


def make_events_callback(ctx, checkpoint_minutes: float = 15.0, speed_key: str = "",
                         planned_s_per_step: float | None = None):
    """A TrainerCallback instance bound to a job context (built lazily: imports transformers).

    The ETA comes from the run's own step times (:class:`~studio.train.speed.StepPace`), before that from
    ``planned_s_per_step`` (a pace measured by earlier runs); at the end the run's pace is recorded under
    ``speed_key`` for the next plan."""
    from .speed import StepPace, process_age_s, record, record_setup, record_worker_start
    from .trainer import fault

    base = _transformers_callback_base()

    class StudioEventsCallback(base):
        def __init__(self):
            self.ctx = ctx
            self.checkpoint_s = checkpoint_minutes * 60.0
            self.last_save = time.time()
            self.last_log_t: float | None = None
            self.last_tokens: float | None = None
            self.stopped = False
            self.first_step: int | None = None
            self.last_eta: float | None = None
            self.slow = float(os.environ.get("STUDIO_TRAIN_STEP_DELAY", "0") or 0)
            self.pace = StepPace()
            self.created = time.monotonic()  # built just before the model loads: set-up = created -> first step
            self.age_at_creation = process_age_s()  # the worker's own start (imports, data) before that

        # ---- lifecycle ----
        def on_train_begin(self, args, state, control, **kwargs):  # noqa: ARG002
            self.first_step = state.global_step
            if speed_key and state.global_step == 0 and state.is_world_process_zero and not self.slow:
                record_setup(speed_key, time.monotonic() - self.created)  # the next plan adds it to the time
                if self.age_at_creation is not None:
                    record_worker_start(self.age_at_creation)
            self.last_log_t = time.time()
            self.pace.begin(state.global_step)
            if state.is_world_process_zero:
                self.ctx.emit("train_begin", step=state.global_step, max_steps=state.max_steps,
                              resumed=state.global_step > 0)
                self.ctx.progress(state.global_step, state.max_steps, f"step {state.global_step}/{state.max_steps}")

        def on_step_end(self, args, state, control, **kwargs):  # noqa: ARG002
            fault("step", state.global_step)
            if self.slow:
                time.sleep(self.slow)
            if _agree(self.ctx.stop_requested()) and not self.stopped:
                self.stopped = True
                control.should_training_stop = True
                control.should_save = True
                if state.is_world_process_zero:
                    self.ctx.emit("stopping", step=state.global_step)
            elif time.time() - self.last_save >= self.checkpoint_s:
                control.should_save = True
            self.pace.step(state.global_step)
            if state.is_world_process_zero:
                eta = self.pace.eta(state.global_step, state.max_steps, planned_s_per_step)
                extra = {"eta_s": round(eta, 1)} if eta is not None else {}
                prog = self.ctx.progress(state.global_step, state.max_steps, f"step {state.global_step}/{state.max_steps}",
                                         **extra)
                self.last_eta = prog.get("eta_s")
            return control

        def on_train_end(self, args, state, control, **kwargs):  # noqa: ARG002
            pace = self.pace.seconds_per_step()
            if speed_key and pace and self.pace.steps >= 3 and not self.slow and state.is_world_process_zero:
                record(speed_key, pace, self.pace.steps - 1)

        def on_save(self, args, state, control, **kwargs):  # noqa: ARG002
            self.last_save = time.time()

        def on_log(self, args, state, control, logs: dict[str, Any] | None = None, **kwargs):  # noqa: ARG002
            if not logs or not state.is_world_process_zero:
                return
            now = time.time()
            epoch = round(float(state.epoch or 0.0), 4)
            if "eval_loss" in logs:
                loss = float(logs["eval_loss"])
                self.ctx.emit("eval", step=state.global_step, epoch=epoch, eval_loss=round(loss, 5),
                              perplexity=_perplexity(loss))
            if "loss" in logs:
                tokens = logs.get("num_tokens")
                tps = None
                if tokens is not None and self.last_tokens is not None and self.last_log_t and now > self.last_log_t:
                    tps = round((float(tokens) - self.last_tokens) / (now - self.last_log_t), 1)
                elif tokens is not None and self.last_log_t and now > self.last_log_t and self.last_tokens is None:
                    tps = round(float(tokens) / (now - self.last_log_t), 1)
                if tokens is not None:
                    self.last_tokens = float(tokens)
                self.last_log_t = now
                loss = float(logs["loss"])
                self.ctx.emit(
                    "train", step=state.global_step, epoch=epoch, loss=round(loss, 5), perplexity=_perplexity(loss),
                    learning_rate=_num(logs.get("learning_rate")), grad_norm=_num(logs.get("grad_norm")),
                    tokens_per_s=tps, gpu_mem_gb=gpu_memory_gb(), eta_s=self.last_eta,
                )

    return StudioEventsCallback()


def _agree(flag: bool) -> bool:
    """Under several processes every rank must stop at the same step: true if any rank saw the stop request."""
    try:
        import torch
        import torch.distributed as dist

        if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() < 2:
            return flag
        device = torch.device("cuda", torch.cuda.current_device()) if torch.cuda.is_available() else torch.device("cpu")
        t = torch.tensor([1 if flag else 0], device=device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())
    except Exception:  # noqa: BLE001 - never let reporting break training
        return flag


def _num(value) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _perplexity(loss: float) -> float | None:
    try:
        return round(math.exp(min(loss, 50.0)), 4)
    except (OverflowError, ValueError):
        return None


__all__ = ["make_events_callback", "gpu_memory_gb"]
