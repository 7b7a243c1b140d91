"""The training recipe as one dataclass: the same object in the CLI, the Train tab and the worker.

``None`` in ``lr``, ``epochs``, ``batch_size``, ``grad_accum`` and ``max_length`` means "from the preset"
(:mod:`studio.train.presets` fills them in for the model, the data and the hardware before the run starts);
the resolved values are written to the run folder's ``config.yaml`` so a resume uses exactly the same recipe.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, ConfigError, check, help_field

METHODS = ("auto", "qlora", "lora")
MAX_LORA_LR = 2e-3  # LoRA learning rates up to this are accepted (a warning comes from the preset, not here)
DEFAULT_TARGETS = "all-linear"


@dataclass
class TrainConfig(Config):
    """A fine-tuning run (the recipe is explained in docs/ARCHITECTURE.md)."""

    base_model: str = help_field("bundled:smollm2-135m-instruct", "Hub id, local folder or bundled:smollm2-135m-instruct")
    method: str = help_field("auto", "qlora (4-bit, CUDA), lora (full precision adapter) or auto (qlora on a CUDA GPU)")
    preset: str = help_field("auto", "hardware preset: auto, cpu, t4, l4, a10g, a100-40, a100-80, h100")
    lora_r: int = help_field(16, "LoRA rank")
    lora_alpha: int | None = help_field(None, "LoRA alpha (default 2 x rank)")
    lora_dropout: float = help_field(0.05, "LoRA dropout")
    lora_targets: str = help_field(DEFAULT_TARGETS, "modules to adapt: all-linear or a comma-separated list")
    lr: float | None = help_field(None, "learning rate (default from the preset for the model size)")
    epochs: float | None = help_field(None, "epochs (default from the preset for the data size)")
    max_steps: int | None = help_field(None, "stop after this many optimizer steps (overrides epochs)")
    batch_size: int | None = help_field(None, "examples per device per step (default from the preset)")
    grad_accum: int | None = help_field(None, "gradient accumulation steps (default from the preset)")
    max_length: int | None = help_field(None, "longest tokenized example; default sized from the longest pair")
    packing: bool | None = help_field(None, "pack examples (padding-free); default on where the GPU attention supports it")
    eval_steps: int | None = help_field(None, "eval loss on val every N steps (default: at each checkpoint)")
    save_steps: int | None = help_field(None, "checkpoint every N steps (default max(10, planned steps / 10))")
    save_total_limit: int = help_field(2, "checkpoints kept")
    checkpoint_minutes: float = help_field(15.0, "also checkpoint at least this often (minutes)")
    early_stopping: bool = help_field(False, "stop when val loss stops improving (off for small sets)")
    early_stopping_patience: int = help_field(3, "evaluations without improvement before early stopping")
    system_prompt: str = help_field("", "system message put before every question (empty: none)")
    seed: int = help_field(42, "random seed")
    logging_steps: int = help_field(1, "log train loss every N steps")
    trust_remote_code: bool = help_field(False, "run model code from the Hub (off unless you trust the repo)")
    mirror_dir: str | None = help_field(None, "copy each completed checkpoint here (e.g. a mounted Google Drive)")
    trained_sample: int = help_field(40, "trained questions copied into the frozen test set (set 'trained')")
    init_adapter: str | None = help_field(None, "continue from this finished run's adapter folder (same base model): "
                                          "a new run, not a resume")
    replay_share: float = help_field(0.5, "continuing: the parent's pairs mixed in, as a share of the new pairs "
                                     "(rehearsal against forgetting what the parent learned)")

    def validate(self) -> None:
        check(bool((self.base_model or "").strip()), "base_model is empty: pick a model")
        check(self.method in METHODS, f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        check(1 <= self.lora_r <= 1024, f"lora_r must be 1-1024, not {self.lora_r}")
        check(self.lora_alpha is None or self.lora_alpha > 0, "lora_alpha must be positive")
        check(0.0 <= self.lora_dropout < 1.0, f"lora_dropout must be in [0, 1), not {self.lora_dropout}")
        check(bool(self.lora_targets.strip()), "lora_targets is empty: use all-linear or module names")
        if self.lr is not None:
            check(0 < self.lr <= MAX_LORA_LR, f"lr must be in (0, {MAX_LORA_LR:g}] for LoRA, not {self.lr:g}")
        if self.epochs is not None:
            check(0 < self.epochs <= 100, f"epochs must be in (0, 100], not {self.epochs}")
        if self.max_steps is not None:
            check(self.max_steps > 0, f"max_steps must be positive, not {self.max_steps}")
        for name in ("batch_size", "grad_accum", "eval_steps", "save_steps"):
            value = getattr(self, name)
            check(value is None or value >= 1, f"{name} must be at least 1, not {value}")
        if self.max_length is not None:
            check(16 <= self.max_length <= 131072, f"max_length must be 16-131072, not {self.max_length}")
        check(self.save_total_limit >= 1, "save_total_limit must be at least 1 (resume needs a checkpoint)")
        check(self.checkpoint_minutes > 0, "checkpoint_minutes must be positive")
        check(self.logging_steps >= 1, "logging_steps must be at least 1")
        check(self.trained_sample >= 0, "trained_sample cannot be negative")
        check(0.0 <= self.replay_share <= 10.0, f"replay_share must be 0-10, not {self.replay_share}")

    @property
    def alpha(self) -> int:
        return self.lora_alpha if self.lora_alpha is not None else 2 * self.lora_r

    def target_modules(self) -> str | list[str]:
        value = self.lora_targets.strip()
        if value == DEFAULT_TARGETS:
            return DEFAULT_TARGETS
        return [t.strip() for t in value.split(",") if t.strip()]


def planned_steps(n_train: int, batch_size: int, grad_accum: int, epochs: float, world_size: int = 1) -> int:
    """Optimizer steps for ``epochs`` over ``n_train`` examples (as the Trainer counts them, without packing)."""
    import math

    if n_train <= 0:
        return 0
    per_epoch = max(1, math.ceil(math.ceil(n_train / (batch_size * world_size)) / grad_accum))
    return max(1, math.ceil(per_epoch * epochs))


def default_save_steps(planned: int) -> int:
    return max(10, planned // 10)


__all__ = ["TrainConfig", "ConfigError", "METHODS", "planned_steps", "default_save_steps"]
