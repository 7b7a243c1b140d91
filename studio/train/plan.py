"""Resolve a :class:`TrainConfig` against the hardware and the data: the effective recipe, estimates, warnings.

The Train tab shows this before starting; the worker saves it as ``RUN_DIR/plan.json`` and a resume reuses it,
so the resumed run has the same step count, learning-rate schedule and max length.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .config import TrainConfig, default_save_steps, planned_steps
from .hardware import DeviceInfo, choose_method, compute_dtype, packing_supported
from .speed import (DEFAULT_WORKER_START_S, eval_seconds, lookup, lookup_setup, lookup_worker_start,
                    speed_key)
from .presets import (
    estimate_memory_gb, estimate_time_s, exposures_per_fact, epochs_for_data, fit_warning, get_preset, lr_for_size,
    lr_warning, model_shape,
)

PLAN_FILE = "plan.json"


@dataclass
class Plan:
    method: str
    preset: str
    device: str
    dtype: str
    lr: float
    epochs: float
    batch_size: int
    grad_accum: int
    max_length: int
    packing: bool
    max_steps: int
    save_steps: int
    eval_steps: int
    n_train: int
    n_val: int
    params: float
    exposures: dict
    memory: dict
    time_s: float
    length: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    time_source: str = "guess"  # "measured": earlier runs of this recipe shape on this machine; "guess": model size
    s_per_step: float | None = None  # the measured pace behind a "measured" time
    speed_key: str = ""  # where the run records its own pace (train.speed)
    setup_s: float | None = None  # measured seconds before the first step (model load), included in time_s
    start_s: float | None = None  # the worker process's own start (imports, data), measured or a stated default
    eval_s: float | None = None  # the val-loss passes (one before the first step, one every eval_steps)

    def to_dict(self) -> dict:
        return asdict(self)

    def save(self, run_dir: Path) -> None:
        (Path(run_dir) / PLAN_FILE).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, run_dir: Path) -> "Plan | None":
        path = Path(run_dir) / PLAN_FILE
        if not path.is_file():
            return None
        return cls(**json.loads(path.read_text()))

    def summary_lines(self) -> list[str]:
        return [
            f"method: {self.method} on {self.device} ({self.dtype})",
            f"lr {self.lr:g}, cosine, warmup 3%; epochs {self.epochs:g} = {self.max_steps} steps",
            f"batch {self.batch_size} x accumulation {self.grad_accum}; max length {self.max_length}; "
            f"packing {'on' if self.packing else 'off'}",
            f"checkpoint every {self.save_steps} steps; eval on val every {self.eval_steps} steps",
            f"exposures per fact: min {self.exposures.get('min')}, median {self.exposures.get('median')}",
            f"estimated memory {self.memory.get('total_gb')} GB, time {self.time_text()}",
        ]

    def time_text(self) -> str:
        if self.time_source == "measured" and self.s_per_step:
            parts = [f"{format_duration(x)} {what}" for x, what in (
                ((self.setup_s or 0) + (self.start_s or 0), "to start and load the model"),
                (self.eval_s, "of val loss")) if x]
            setup = f", plus {' and '.join(parts)}" if parts else ""
            return (f"about {format_duration(self.time_s)} (measured on this machine: "
                    f"{self.s_per_step:.2g} s a step{setup})")
        return (f"{format_duration(self.time_s)} (rough guess from the model size: not measured on this machine "
                "yet; the run's first steps measure it and the ETA follows)")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def make_plan(cfg: TrainConfig, dev: DeviceInfo, train_phrasings: dict[str, int], n_val: int,
              length: dict | None = None, mean_tokens: float | None = None, world_size: int = 1,
              n_test: int | None = None) -> Plan:
    """The effective recipe. ``train_phrasings``: train rows per fact; ``length``: from ``data.size_max_length``;
    ``n_test``: held-out questions (None: not known)."""
    method = choose_method(cfg.method, dev)
    preset = get_preset(cfg.preset, dev)
    shape = model_shape(cfg.base_model)
    n_train = sum(train_phrasings.values())
    per_fact = (n_train / len(train_phrasings)) if train_phrasings else 1.0
    lr = cfg.lr if cfg.lr is not None else lr_for_size(shape.params)
    epochs = cfg.epochs if cfg.epochs is not None else epochs_for_data(per_fact, n_train, shape.params)
    batch = cfg.batch_size or preset.batch_size
    accum = cfg.grad_accum or preset.grad_accum
    length = dict(length or {})
    max_length = cfg.max_length or length.get("max_length") or preset.max_length
    packing = cfg.packing if cfg.packing is not None else packing_supported(dev)
    steps = cfg.max_steps or planned_steps(n_train, batch, accum, epochs, world_size)
    if cfg.max_steps:
        per_epoch = max(1, planned_steps(n_train, batch, accum, 1.0, world_size))
        epochs = round(steps / per_epoch, 2)
    save_steps = cfg.save_steps or default_save_steps(steps)
    eval_steps = cfg.eval_steps or save_steps
    dtype = compute_dtype(dev)
    memory = estimate_memory_gb(shape, method, batch, max_length, cfg.lora_r, 4 if dtype == "fp32" else 2)
    tokens = (mean_tokens or max_length / 2) * batch * accum * steps * world_size
    time_s = estimate_time_s(shape, tokens, preset, method) / max(1, world_size)
    key = speed_key(cfg.base_model, method, dev.describe(), int(batch), int(accum), int(max_length), bool(packing))
    measured = lookup(key) if world_size == 1 else None
    setup_s = lookup_setup(key) if measured else None
    start_s = eval_s = None
    if measured:
        # the steps, the model load, the worker's own start and the val-loss passes (a short run is mostly the last
        # three: leaving them out planned 33 s for a 6-step CPU run that took 80 s)
        start_s = lookup_worker_start() or DEFAULT_WORKER_START_S
        eval_s = round(eval_seconds(measured, steps, eval_steps, n_val, batch), 1)
        time_s = measured * steps + (setup_s or 0.0) + start_s + eval_s
    exposures = exposures_per_fact(epochs, train_phrasings)
    warnings = []
    if not dev.is_cuda:
        warnings.append("no CUDA GPU: CPU test mode (plain LoRA in fp32), only for small models and short runs")
    for w in (exposures["warning"], lr_warning(lr, shape.params), fit_warning(memory, dev, preset)):
        if w:
            warnings.append(w)
    if length.get("dropped"):
        warnings.append(
            f"{length['dropped']} training examples are longer than max length {max_length} before their answer "
            "and will be dropped: raise max length"
        )
    if length.get("truncated"):
        warnings.append(f"{length['truncated']} training answers will be cut at max length {max_length}")
    if n_val == 0:
        warnings.append("no val pairs: no eval loss (move a phrasing per fact to val in the Review tab)")
    if n_test == 0:
        warnings.append(
            "nothing to evaluate on: no held-out questions, so no evaluation can show what the model learned "
            "(move a phrasing per fact to the held-out split in the Review tab, or import pairs without a split "
            "column so some are held out)"
        )
    return Plan(
        method=method, preset=preset.key, device=dev.describe(), dtype=dtype, lr=float(lr), epochs=float(epochs),
        batch_size=int(batch), grad_accum=int(accum), max_length=int(max_length), packing=bool(packing),
        max_steps=int(steps), save_steps=int(save_steps), eval_steps=int(eval_steps), n_train=n_train, n_val=n_val,
        params=float(shape.params), exposures=exposures, memory=memory, time_s=round(time_s, 1), length=length,
        warnings=warnings, time_source="measured" if measured else "guess", s_per_step=measured, speed_key=key,
        setup_s=setup_s, start_s=start_s, eval_s=eval_s,
    )


__all__ = ["Plan", "make_plan", "format_duration", "PLAN_FILE"]
