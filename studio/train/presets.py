"""Presets by GPU memory, learning rate and epochs by model and data size, memory/time estimates, warnings.

Small models need a strong schedule: SmolLM2-135M learns invented facts at LR 1e-3 for 8 epochs (24 exposures per
fact; ``benchmarks/learning.py`` measures it), while 4 epochs at 3e-4 taught it nothing. 7B-class models use about
2e-4. Why: docs/ARCHITECTURE.md, "Training recipe".
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from .hardware import DeviceInfo

MIN_EXPOSURES = 12
TARGET_EXPOSURES = 24


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    memory_gb: float  # GPU memory of the card (0 for the CPU)
    batch_size: int
    grad_accum: int
    max_length: int
    tflops: float  # dense bf16/fp16 throughput used for the time estimate


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("cpu", "CPU (test mode: plain LoRA, fp32)", 0, 8, 1, 512, 0.04),
        Preset("t4", "T4 16 GB (Colab free)", 16, 4, 4, 1024, 65),
        Preset("l4", "L4 24 GB", 24, 8, 2, 2048, 120),
        Preset("a10g", "A10G 24 GB", 24, 8, 2, 2048, 125),
        Preset("a100-40", "A100 40 GB", 40, 16, 1, 2048, 312),
        Preset("a100-80", "A100 80 GB", 80, 16, 1, 4096, 312),
        Preset("h100", "H100 80 GB", 80, 16, 1, 4096, 700),
    )
}


def preset_for_device(dev: DeviceInfo) -> Preset:
    """The preset matching a detected device: by name where known, else by memory."""
    if not dev.is_cuda:
        return PRESETS["cpu"]
    name = dev.name.lower()
    if "a100" in name:
        return PRESETS["a100-80" if dev.memory_gb > 50 else "a100-40"]
    for key, needle in (("h100", "h100"), ("h100", "h200"), ("t4", "t4"), ("l4", "l4"), ("a10g", "a10")):
        if needle in name:
            return PRESETS[key]
    if dev.memory_gb >= 70:
        return PRESETS["a100-80"]
    if dev.memory_gb >= 36:
        return PRESETS["a100-40"]
    if dev.memory_gb >= 20:
        return PRESETS["l4"]
    return PRESETS["t4"]


def get_preset(key: str, dev: DeviceInfo) -> Preset:
    if not key or key == "auto":
        return preset_for_device(dev)
    if key not in PRESETS:
        from ..config import ConfigError

        raise ConfigError(f"unknown preset {key!r}; choose auto or one of {', '.join(PRESETS)}")
    return PRESETS[key]


# ---- model size ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelShape:
    params: float  # number of parameters (0 when unknown)
    hidden: int = 0
    layers: int = 0
    vocab: int = 0

    @property
    def billions(self) -> float:
        return self.params / 1e9


_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([bm])\b", re.I)


def _safetensors_params(folder: Path) -> int:
    total = 0
    for path in folder.glob("*.safetensors"):
        with open(path, "rb") as fh:
            (size,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(size))
        for name, meta in header.items():
            if name != "__metadata__":
                total += math.prod(meta.get("shape") or [1])
    return total


def model_shape(model: str) -> ModelShape:
    """Parameter count and shape from a local folder (safetensors headers, config.json) or a Hub id's name."""
    path = Path(model).expanduser()
    if path.is_dir():
        cfg = {}
        if (path / "config.json").is_file():
            cfg = json.loads((path / "config.json").read_text())
            cfg = cfg.get("text_config", cfg)
        params = _safetensors_params(path)
        return ModelShape(
            float(params), cfg.get("hidden_size", 0), cfg.get("num_hidden_layers", 0), cfg.get("vocab_size", 0)
        )
    if model.lower().startswith("bundled:smollm2"):
        return ModelShape(134.5e6, 576, 30, 49152)
    tail = model.split("/")[-1].replace("_", "-")
    for m in _SIZE_RE.finditer(tail.replace("-", " ")):
        value, unit = float(m.group(1)), m.group(2).lower()
        params = value * (1e9 if unit == "b" else 1e6)
        hidden = int(1024 * max(1.0, (params / 1e9) ** 0.5) * 2) if params >= 1e9 else 960
        layers = 32 if params >= 5e9 else 28 if params >= 1e9 else 24
        return ModelShape(params, hidden, layers, 128000)
    return ModelShape(0.0)


# ---- learning rate and epochs ------------------------------------------------------------------------------
def lr_for_size(params: float) -> float:
    """LoRA learning rate by model size: ~1e-3 under 1B (measured), ~2e-4 for 7B-class models."""
    b = params / 1e9 if params else 1.0
    if b < 1.0:
        return 1e-3
    if b < 3.0:
        return 5e-4
    if b < 15.0:
        return 2e-4
    return 1e-4


def epochs_for_data(train_phrasings_per_fact: float, n_train: int, params: float) -> int:
    """Enough epochs for ~24 exposures per fact, fewer for big data sets and big models."""
    per_fact = max(1.0, train_phrasings_per_fact or 1.0)
    epochs = math.ceil(TARGET_EXPOSURES / per_fact)
    cap = 10 if params < 1e9 else 6
    if n_train > 20000:
        cap = min(cap, 2)
    elif n_train > 5000:
        cap = min(cap, 3)
    return int(max(2, min(cap, epochs)))


def lr_warning(lr: float, params: float) -> str | None:
    preset_lr = lr_for_size(params)
    if lr > 2 * preset_lr:
        return (
            f"learning rate {lr:g} is more than twice the preset's {preset_lr:g} for a model of this size: "
            "training may diverge (loss jumping or NaN)"
        )
    return None


def exposures_per_fact(epochs: float, train_phrasings: dict[str, int]) -> dict:
    """Exposures per fact = epochs x that fact's train phrasings; a warning below 12."""
    if not train_phrasings:
        return {"min": 0, "median": 0, "below": 0, "facts": 0, "warning": None}
    values = sorted(epochs * n for n in train_phrasings.values())
    low = [v for v in values if v < MIN_EXPOSURES]
    warning = None
    if low:
        warning = (
            f"{len(low)} of {len(values)} facts get fewer than {MIN_EXPOSURES} exposures (lowest {values[0]:g}): "
            "raise epochs or add paraphrases, or the model may not learn them"
        )
    return {
        "min": round(values[0], 2),
        "median": round(values[len(values) // 2], 2),
        "below": len(low),
        "facts": len(values),
        "warning": warning,
    }


# ---- memory and time --------------------------------------------------------------------------------------
def estimate_memory_gb(shape: ModelShape, method: str, batch_size: int, max_length: int, lora_r: int = 16,
                       dtype_bytes: int = 2) -> dict:
    """Rough peak memory in GB: weights + adapter with Adam + activations (with activation checkpointing) + logits."""
    params = shape.params or 1e9
    hidden = shape.hidden or 2048
    layers = shape.layers or 24
    vocab = shape.vocab or 32000
    weight_bytes = params * (0.55 if method == "qlora" else dtype_bytes)
    lora_params = layers * 7 * 2 * hidden * lora_r  # all-linear: q,k,v,o,gate,up,down; A and B
    adapter_bytes = lora_params * (4 + 4 + 4 + 4)  # fp32 weight, grad, Adam m and v
    tokens = batch_size * max_length
    act_bytes = tokens * hidden * layers * dtype_bytes * 2 + tokens * hidden * 16 * dtype_bytes
    logits_bytes = batch_size * min(max_length, 1024) * vocab * 4  # TRL's fused head computes the logits in chunks
    overhead = 0.8e9 if method in ("qlora", "lora") and dtype_bytes == 2 else 0.2e9
    total = weight_bytes + adapter_bytes + act_bytes + logits_bytes + overhead
    gb = lambda b: round(b / 1024**3, 2)  # noqa: E731
    return {
        "total_gb": gb(total), "weights_gb": gb(weight_bytes), "adapter_gb": gb(adapter_bytes),
        "activations_gb": gb(act_bytes + logits_bytes), "overhead_gb": gb(overhead),
    }


def estimate_time_s(shape: ModelShape, tokens_total: float, preset: Preset, method: str) -> float:
    """Seconds for ``tokens_total`` trained tokens: ~4 x params FLOPs a token (no weight gradients with LoRA),
    at 30% of the card's peak (20% for 4-bit dequantization). The CPU figure matches SmolLM2-135M on 2 shared
    cores (benchmarks/results/train.json: about 23 s a step at batch 8, max length 64). A rough guess: the plan
    uses the pace measured by earlier runs on the machine when there is one (``train.speed``)."""
    params = shape.params or 1e9
    mfu = 0.2 if method == "qlora" else 0.3
    flops = 4 * params * tokens_total * (1.33)  # activation checkpointing recomputes the forward
    return float(flops / (preset.tflops * 1e12 * mfu))


def fit_warning(memory: dict, dev: DeviceInfo, preset: Preset) -> str | None:
    available = dev.memory_gb if dev.is_cuda else preset.memory_gb
    if available and memory["total_gb"] > available * 0.92:
        return (
            f"this model needs about {memory['total_gb']:.1f} GB but the GPU has {available:.0f} GB: "
            "pick a smaller model, a smaller batch size or a shorter max length"
        )
    return None


__all__ = [
    "Preset", "PRESETS", "preset_for_device", "get_preset", "ModelShape", "model_shape", "lr_for_size",
    "epochs_for_data", "lr_warning", "exposures_per_fact", "estimate_memory_gb", "estimate_time_s", "fit_warning",
    "MIN_EXPOSURES",
]
