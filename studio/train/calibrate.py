"""A short measured calibration: time a few real training steps of the planned recipe on this machine.

``calibrate(cfg, ws)`` trains ``steps`` steps of the same model, method, batch, max length and packing on the
workspace's kept pairs in a throw-away folder, stores the pace (``train.speed``) and returns it; the next plan of
that recipe shape then states a measured time instead of a guess. On a CPU it takes about a model load plus
``steps`` steps, so it is an explicit action (``train --plan --calibrate``, the Train tab), never automatic.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

from .config import TrainConfig
from .hardware import DeviceInfo, detect


def calibrate(cfg: TrainConfig, ws, dev: DeviceInfo | None = None, steps: int = 3) -> dict:
    """Seconds per step measured over ``steps`` steps (after one warm-up step), stored for the next plans."""
    from ..models import resolve_model
    from .callbacks import _transformers_callback_base
    from .data import DataError, size_max_length, token_lengths
    from .plan import make_plan
    from .presets import get_preset
    from .preview import workspace_rows
    from .recipe import build_trainer, load_tokenizer
    from .speed import StepPace, record, record_setup

    dev = dev or detect()
    rows, _ = workspace_rows(ws, cfg.system_prompt)
    if not rows:
        raise DataError("no kept training pairs yet: keep some pairs in the Review tab first")
    model_path = resolve_model(cfg.base_model)
    tokenizer = load_tokenizer(model_path, cfg.trust_remote_code)
    lengths = token_lengths(rows, tokenizer)
    length = size_max_length(lengths, cfg.max_length, cfg.max_length or get_preset(cfg.preset, dev).max_length)
    groups: dict[str, int] = {}
    for r in rows:
        groups[r["group"]] = groups.get(r["group"], 0) + 1
    plan = make_plan(cfg, dev, groups, 0, length, sum(f for _, f in lengths) / len(lengths))
    steps = max(2, int(steps))
    short = dataclasses.replace(plan, max_steps=steps + 1, save_steps=10**9, eval_steps=10**9, epochs=float(steps + 1))
    need = plan.batch_size * plan.grad_accum * (steps + 1)
    sample = [rows[i % len(rows)] for i in range(max(need, len(rows)))]
    pace = StepPace()
    began: list[float] = []

    class Timer(_transformers_callback_base()):
        def on_train_begin(self, args, state, control, **kwargs):  # noqa: ARG002
            began.append(time.monotonic())
            pace.begin(state.global_step)

        def on_step_end(self, args, state, control, **kwargs):  # noqa: ARG002
            pace.step(state.global_step)

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="studio-calibrate-") as tmp:
        trainer = build_trainer(cfg.replace(early_stopping=False), short, dev, model_path, Path(tmp), sample, [],
                                [Timer()], tokenizer)
        trainer.train()
    seconds = pace.seconds_per_step()
    if not seconds:
        raise DataError("the calibration steps could not be timed")
    # the user asked for this measurement now: it replaces what runs under another load measured before
    record(plan.speed_key, seconds, max(1, pace.steps - 1), replace=True)
    if began:
        record_setup(plan.speed_key, began[0] - t0, replace=True)  # model load and data, before the first step
    return {"seconds_per_step": round(seconds, 3), "steps": pace.steps, "planned_steps": plan.max_steps,
            "time_s": round(seconds * plan.max_steps, 1), "speed_key": plan.speed_key}


__all__ = ["calibrate"]
