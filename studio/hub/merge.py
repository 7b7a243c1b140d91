"""Merged weights: base + LoRA folded into one model, on an fp16/bf16 (or fp32) base, never a 4-bit one.

A QLoRA adapter was trained against a 4-bit base, but it is merged into the same base reloaded in 16 bits;
merging into 4-bit weights would round the update away. A base checkpoint that is itself quantized
(bitsandbytes 4-bit, GPTQ, AWQ) is refused with a readable message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from .runinfo import StagingError

DTYPES = ("auto", "bfloat16", "float16", "float32")
_QUANT_METHODS = {"gptq", "awq", "aqlm", "hqq", "eetq", "compressed-tensors", "fp8", "bitnet"}


def _base_config(base_path: str) -> dict:
    path = Path(base_path) / "config.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def check_mergeable(base_path: str) -> None:
    """Refuse a base checkpoint stored quantized (merging needs full or half precision weights)."""
    quant = _base_config(base_path).get("quantization_config") or {}
    method = str(quant.get("quant_method", "")).lower()
    if quant.get("load_in_4bit") or quant.get("load_in_8bit") or method in _QUANT_METHODS:
        raise StagingError(
            f"the base model {base_path} is stored quantized ({method or '4/8-bit'}): merged weights need the "
            "fp16/bf16 original; merge against that, or push the adapter alone"
        )


def pick_dtype(base_path: str, dtype: str = "auto") -> str:
    if dtype not in DTYPES:
        raise StagingError(f"merge dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if dtype != "auto":
        return dtype
    declared = str(_base_config(base_path).get("torch_dtype") or _base_config(base_path).get("dtype") or "")
    return declared if declared in ("bfloat16", "float16") else "float32"


def _weights_bytes(base_path: str) -> int:
    path = Path(base_path)
    return sum(p.stat().st_size for p in path.glob("*.safetensors")) if path.is_dir() else 0


def available_memory() -> int | None:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_estimate(base_path: str, dtype: str = "auto") -> int:
    """Bytes a merge needs in memory: about twice the weights in the merge dtype (model + saving buffers)."""
    stored = _weights_bytes(base_path)
    declared = str(_base_config(base_path).get("torch_dtype") or _base_config(base_path).get("dtype") or "float32")
    stored_width = 2 if declared in ("bfloat16", "float16") else 4
    width = 4 if pick_dtype(base_path, dtype) == "float32" else 2
    return int(stored / stored_width * width * 2)


def memory_warning(base_path: str, dtype: str = "auto") -> str | None:
    """A warning line when the merge may not fit in free memory (or always for a large model)."""
    need = memory_estimate(base_path, dtype)
    free = available_memory()
    gib = 1024 ** 3
    if need and free and need > free * 0.8:
        return (f"merging needs about {need / gib:.1f} GiB of memory and about {free / gib:.1f} GiB is free: "
                "it may fail or swap; push the adapter alone, or merge on a larger machine")
    if need > 8 * gib:
        return f"merging loads the whole base model: about {need / gib:.1f} GiB of memory and several minutes"
    return None


def merge_adapter(base_model: str, adapter_dir: str | Path, out_dir: str | Path, dtype: str = "auto",
                  on_progress: Callable[[str], None] | None = None) -> Path:
    """Write merged safetensors weights, config and tokenizer to ``out_dir``; returns it."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..models import resolve_model

    say = on_progress or (lambda _m: None)
    base_path = resolve_model(base_model)
    check_mergeable(base_path)
    name = pick_dtype(base_path, dtype)
    say(f"loading the base model in {name}")
    base = AutoModelForCausalLM.from_pretrained(base_path, dtype=getattr(torch, name), low_cpu_mem_usage=True,
                                                use_safetensors=True)
    say("applying the adapter")
    model = PeftModel.from_pretrained(base, str(adapter_dir))
    merged = model.merge_and_unload()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say("saving merged weights")
    merged.save_pretrained(out_dir, safe_serialization=True, max_shard_size="5GB")
    tok_source = str(adapter_dir) if (Path(adapter_dir) / "tokenizer_config.json").is_file() else base_path
    AutoTokenizer.from_pretrained(tok_source).save_pretrained(out_dir)
    del merged, model, base
    return out_dir


MERGED_MARKER = "studio_merged.json"


def ensure_merged(adapter_or_run: str | Path, merged_dir: str | Path | None = None, dtype: str = "auto",
                  on_progress: Callable[[str], None] | None = None) -> tuple[Path, "object"]:
    """The run's merged model folder (``RUN/merged`` unless given), merged once and reused while the adapter is
    unchanged; returns (folder, RunInfo). A folder without the studio's marker that holds weights is used as is."""
    from .runinfo import read_run

    run = read_run(adapter_or_run)
    if merged_dir is None:
        merged_dir = (run.run_dir or run.adapter_dir.parent) / "merged"
    merged_dir = Path(merged_dir).expanduser().resolve()
    weights = run.adapter_dir / "adapter_model.safetensors"
    stamp = {"adapter": str(run.adapter_dir.resolve()), "adapter_mtime": weights.stat().st_mtime_ns, "dtype": dtype}
    marker = merged_dir / MERGED_MARKER
    try:
        if json.loads(marker.read_text()) == stamp and any(merged_dir.glob("*.safetensors")):
            return merged_dir, run
    except (OSError, ValueError):
        if not marker.exists() and any(merged_dir.glob("*.safetensors")) and (merged_dir / "config.json").is_file():
            return merged_dir, run  # a merged folder the user gave: trust it
    merge_adapter(run.base_model, run.adapter_dir, merged_dir, dtype, on_progress=on_progress)
    marker.write_text(json.dumps(stamp))
    return merged_dir, run
