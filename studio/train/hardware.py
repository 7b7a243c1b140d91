"""What the training hardware can do: CUDA or CPU, memory, compute dtype, 4-bit, packing.

Every decision is a pure function of a :class:`DeviceInfo`, so it is tested on the CPU with fake
GPUs (a T4 is ``DeviceInfo("cuda", "Tesla T4", 15.0, (7, 5))``). A T4 reports bf16 "supported" but
emulates it, so the dtype is decided by compute capability, never by ``torch.cuda.is_bf16_supported``.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "cuda" | "cpu"
    name: str = "CPU"
    memory_gb: float = 0.0  # per device
    capability: tuple[int, int] = (0, 0)
    count: int = 1
    flash_attn: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_cuda(self) -> bool:
        return self.kind == "cuda"

    def describe(self) -> str:
        if not self.is_cuda:
            return "CPU (test mode: plain LoRA in fp32, slow)"
        cap = f"{self.capability[0]}.{self.capability[1]}"
        many = f"{self.count} x " if self.count > 1 else ""
        return f"{many}{self.name} ({self.memory_gb:.0f} GB, compute capability {cap})"


CPU = DeviceInfo("cpu")


def detect() -> DeviceInfo:
    """The first CUDA GPU (and how many there are), or the CPU."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return CPU
    if not torch.cuda.is_available():
        return CPU
    props = torch.cuda.get_device_properties(0)
    capability = (props.major, props.minor)
    forced = os.environ.get("STUDIO_CUDA_CAPABILITY")  # the GPU proof runs the T4 (7.5) dtype path on a newer card
    if forced:
        major, _, minor = forced.partition(".")
        capability = (int(major), int(minor or 0))
    return DeviceInfo(
        kind="cuda",
        name=props.name,
        memory_gb=round(props.total_memory / 1024**3, 1),
        capability=capability,
        count=torch.cuda.device_count(),
        flash_attn=importlib.util.find_spec("flash_attn") is not None,
    )


def compute_dtype(dev: DeviceInfo) -> str:
    """``bf16`` on compute capability >= 8 (Ampere and later), ``fp16`` below (T4, V100), ``fp32`` on the CPU."""
    if not dev.is_cuda:
        return "fp32"
    return "bf16" if dev.capability >= (8, 0) else "fp16"


def mixed_precision_flags(dev: DeviceInfo) -> dict[str, bool]:
    """The ``bf16``/``fp16`` arguments of SFTConfig: both False on the CPU (fp32)."""
    dtype = compute_dtype(dev)
    return {"bf16": dtype == "bf16", "fp16": dtype == "fp16"}


def keep_adapter_fp32(dev: DeviceInfo, quantized: bool) -> bool:
    """SFTTrainer casts a 4-bit model's trainable weights to bf16; below capability 8 we cast them back to fp32."""
    return quantized and dev.is_cuda and compute_dtype(dev) != "bf16"


def quantization_available(dev: DeviceInfo) -> bool:
    return dev.is_cuda and importlib.util.find_spec("bitsandbytes") is not None


def choose_method(requested: str, dev: DeviceInfo) -> str:
    """``auto`` -> qlora on CUDA with bitsandbytes, else lora. An explicit qlora without CUDA is refused."""
    if requested == "auto":
        return "qlora" if quantization_available(dev) else "lora"
    if requested == "qlora" and not quantization_available(dev):
        from ..config import ConfigError

        raise ConfigError(
            "QLoRA needs a CUDA GPU with bitsandbytes; this machine has "
            f"{dev.describe()}: use --method lora (or method auto)"
        )
    return requested


def attention_implementation(dev: DeviceInfo) -> str:
    if dev.is_cuda and dev.flash_attn and dev.capability >= (8, 0):
        return "flash_attention_2"
    return "sdpa"


def packing_supported(dev: DeviceInfo) -> bool:
    """Padding-free packing needs attention that keeps packed examples apart: flash-attention, or (transformers 5)
    SDPA with the block mask built from ``position_ids``; on the CPU it only costs time, so it stays off."""
    return dev.is_cuda


__all__ = [
    "DeviceInfo", "CPU", "detect", "compute_dtype", "mixed_precision_flags", "keep_adapter_fp32",
    "quantization_available", "choose_method", "attention_implementation", "packing_supported",
]
