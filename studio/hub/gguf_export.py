"""GGUF export of a merged model (F16 or Q8_0) with the ``gguf`` library, and an Ollama Modelfile beside it.

What llama.cpp's converter does for these architectures, reduced to what a merged Llama-family or Qwen2 model
needs: hyper-parameters under ``<arch>.*``, a byte-level BPE vocabulary under ``tokenizer.ggml.*`` (tokens,
token types, merges, special ids, chat template), and the tensors under GGUF names (``gguf``'s own name map).
Llama stores Q and K rotated for interleaved RoPE, so those two are permuted as llama.cpp does (Qwen2 is not).
1-D tensors (norms, biases) stay F32; 2-D ones are F16, or Q8_0 where a row splits into 32-value blocks.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Config, check, help_field
from .runinfo import StagingError

QUANTS = ("f16", "q8_0")
ARCHS = {"llama": "llama", "mistral": "llama", "qwen2": "qwen2"}  # HF model_type -> GGUF architecture
GGUF_NAME = "model.gguf"
MODELFILE = "Modelfile"

# Ollama (Go template) versions of the chat formats the studio's models use; matched on the HF template's tokens.
OLLAMA_TEMPLATES = {
    "chatml": ("<|im_start|>", ["<|im_start|>", "<|im_end|>"],
               "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
               "{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}"
               "<|im_start|>assistant\n{{ .Response }}<|im_end|>\n"),
    "llama3": ("<|start_header_id|>", ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
               "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}"
               "{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>{{ end }}"
               "<|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>"),
}


@dataclass
class GgufOptions(Config):
    quant: str = help_field("q8_0", "tensor type: f16 (exact to half precision) or q8_0 (8-bit blocks, half the size)")
    out_dir: str | None = help_field(None, "output folder (default: RUN/export/gguf-<quant>)")
    merged_dir: str | None = help_field(None, "merged model folder to convert (default: RUN/merged, merged if needed)")

    def validate(self) -> None:
        check(self.quant in QUANTS, f"quant must be one of {', '.join(QUANTS)}, not {self.quant!r}")


@dataclass
class GgufResult:
    gguf_path: Path
    modelfile: Path
    quant: str
    architecture: str
    n_tensors: int
    bytes: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"gguf": str(self.gguf_path), "modelfile": str(self.modelfile), "quant": self.quant,
                "architecture": self.architecture, "tensors": self.n_tensors, "bytes": self.bytes,
                "warnings": self.warnings}


def _permute(w, n_head: int, n_head_kv: int):
    """llama.cpp's Q/K permutation (HF rotate-half layout -> interleaved pairs)."""
    if n_head_kv != n_head:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _pre_tokenizer(arch: str, tokenizer_json: dict) -> str:
    """llama.cpp's name for the text split before BPE (transformers' GGUF loader reads it back)."""
    if arch == "qwen2":
        return "qwen2"
    text = json.dumps(tokenizer_json.get("pre_tokenizer") or {})
    if "\\\\p{N}{1,3}" in text or "p{N}{1,3}" in text:
        return "llama-bpe"
    if '"Digits"' in text:
        return "smollm"
    return "gpt-2"


def _vocab(model_dir: Path, vocab_size: int):
    """(tokens, token types) in id order, padded to the embedding's rows; byte-level BPE only."""
    import gguf
    from transformers import AutoTokenizer

    tok_json = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = tok_json.get("model") or {}
    if model.get("type") != "BPE" or "ByteLevel" not in json.dumps(tok_json.get("pre_tokenizer") or {}) + \
            json.dumps(tok_json.get("decoder") or {}):
        raise StagingError("GGUF export supports byte-level BPE tokenizers (Llama 3, Qwen2, SmolLM); this model's "
                           f"tokenizer is {model.get('type') or 'unknown'} without byte-level pieces")
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    by_id = {i: t for t, i in tokenizer.get_vocab().items()}
    added = {a["id"]: a for a in tok_json.get("added_tokens", [])}
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.CONTROL if added[i].get("special") else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.NORMAL)
    return tokens, types, tok_json, tokenizer


def _tensor(name: str, array, quant: str):
    """(data, raw_dtype) for one tensor: 1-D F32; 2-D F16 or Q8_0 (F16 when a row is not whole 32-value blocks)."""
    import gguf
    import numpy as np

    if array.ndim == 1:
        return array.astype(np.float32), None
    if quant == "q8_0" and array.shape[-1] % 32 == 0:
        qtype = gguf.GGMLQuantizationType.Q8_0
        return gguf.quants.quantize(array.astype(np.float32), qtype), qtype
    return array.astype(np.float16), None


def write_gguf(model_dir: str | Path, out_path: str | Path, quant: str = "q8_0", name: str = "",
               on_progress: Callable[[str], None] | None = None) -> tuple[str, int]:
    """Convert a merged safetensors folder into one GGUF file; returns (GGUF architecture, tensor count)."""
    import gguf
    import torch
    from safetensors import safe_open

    say = on_progress or (lambda _m: None)
    model_dir, out_path = Path(model_dir), Path(out_path)
    try:
        cfg = json.loads((model_dir / "config.json").read_text())
    except (OSError, ValueError):
        raise StagingError(f"{model_dir} is not a model folder: config.json is missing or unreadable") from None
    arch = ARCHS.get(str(cfg.get("model_type")))
    if arch is None:
        raise StagingError(f"GGUF export covers Llama-family and Qwen2 models; this one is {cfg.get('model_type')!r}")
    if not (model_dir / "tokenizer.json").is_file():
        raise StagingError(f"{model_dir} has no tokenizer.json: GGUF needs the tokenizer's vocabulary and merges")
    n_head, n_layers = int(cfg["num_attention_heads"]), int(cfg["num_hidden_layers"])
    n_kv = int(cfg.get("num_key_value_heads") or n_head)
    hidden = int(cfg["hidden_size"])
    head_dim = int(cfg.get("head_dim") or hidden // n_head)
    ftype = gguf.LlamaFileType.MOSTLY_Q8_0 if quant == "q8_0" else gguf.LlamaFileType.MOSTLY_F16

    writer = gguf.GGUFWriter(str(out_path), arch)
    writer.add_name(name or model_dir.name)
    writer.add_context_length(int(cfg.get("max_position_embeddings") or 2048))
    writer.add_embedding_length(hidden)
    writer.add_block_count(n_layers)
    writer.add_feed_forward_length(int(cfg["intermediate_size"]))
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_kv)
    writer.add_layer_norm_rms_eps(float(cfg.get("rms_norm_eps") or 1e-6))
    rope = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    writer.add_rope_freq_base(float(cfg.get("rope_theta") or rope.get("rope_theta") or 10000.0))
    if rope.get("rope_type") not in (None, "default"):
        raise StagingError(f"RoPE scaling {rope.get('rope_type')!r} is not exported yet: use the merged safetensors")
    if arch == "llama":
        writer.add_rope_dimension_count(head_dim)
        if head_dim != hidden // n_head:
            writer.add_key_length(head_dim)
            writer.add_value_length(head_dim)
    writer.add_vocab_size(int(cfg["vocab_size"]))
    writer.add_file_type(ftype)

    say("writing the vocabulary")
    tokens, types, tok_json, _tok = _vocab(model_dir, int(cfg["vocab_size"]))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(_pre_tokenizer(arch, tok_json))
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=True, n_vocab=len(tokens))
    if not special.merges:
        raise StagingError("the tokenizer has no BPE merges: cannot describe it in GGUF")
    special.add_to_gguf(writer, quiet=True)

    say(f"converting the tensors to {quant.upper()}")
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA if arch == "llama" else gguf.MODEL_ARCH.QWEN2, n_layers)
    tied = bool(cfg.get("tie_word_embeddings"))
    count = 0
    for shard in sorted(model_dir.glob("*.safetensors")):
        with safe_open(str(shard), framework="pt") as fh:
            for key in fh.keys():
                if key.endswith("rotary_emb.inv_freq") or (tied and key == "lm_head.weight"):
                    continue
                target = names.get_name(key, try_suffixes=(".weight", ".bias"))
                if target is None:
                    raise StagingError(f"no GGUF name for the tensor {key}: this architecture variant is not supported")
                array = fh.get_tensor(key).to(torch.float32).numpy()
                if arch == "llama" and key.endswith("q_proj.weight"):
                    array = _permute(array, n_head, n_head)
                elif arch == "llama" and key.endswith("k_proj.weight"):
                    array = _permute(array, n_head, n_kv)
                data, raw = _tensor(target, array, quant)
                writer.add_tensor(target, data, raw_dtype=raw)
                count += 1
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return arch, count


def modelfile_text(chat_template: str, system_prompt: str = "", gguf_name: str = GGUF_NAME) -> str:
    """An Ollama Modelfile: FROM the GGUF, TEMPLATE in the model's chat format, SYSTEM, stop tokens."""
    lines = [f"FROM ./{gguf_name}", ""]
    family = next((k for k, (marker, _s, _t) in OLLAMA_TEMPLATES.items() if marker in (chat_template or "")), None)
    if family:
        _marker, stops, template = OLLAMA_TEMPLATES[family]
        lines.append(f'TEMPLATE """{template}"""')
        lines += [f'PARAMETER stop "{s}"' for s in stops]
    else:
        lines.append("# The chat format is not one the studio knows: Ollama reads the chat template stored in the GGUF.")
    if system_prompt:
        lines += ["", 'SYSTEM """' + system_prompt.replace('"""', "'''") + '"""']
    return "\n".join(lines) + "\n"


def export_gguf(adapter_or_run: str | Path, opts: GgufOptions,
                on_progress: Callable[[str], None] | None = None) -> GgufResult:
    """Merge the run (once), convert it to GGUF, write the Modelfile; the GGUF replaces an older one atomically."""
    from .merge import ensure_merged

    opts.validate()
    say = on_progress or (lambda _m: None)
    say("merging the adapter into the base model (once per adapter)")
    merged, run = ensure_merged(adapter_or_run, opts.merged_dir, on_progress=say)
    out_dir = Path(opts.out_dir).expanduser() if opts.out_dir else \
        (run.run_dir or run.adapter_dir.parent) / "export" / f"gguf-{opts.quant}"
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{GGUF_NAME}.{os.getpid()}.part"
    try:
        arch, count = write_gguf(merged, tmp, opts.quant, name=_model_name(run), on_progress=say)
        os.replace(tmp, out_dir / GGUF_NAME)
    except OSError as exc:
        full = "the disk is full: " if exc.errno == 28 else ""
        raise StagingError(f"{full}could not write the GGUF file in {out_dir}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    template = _chat_template(merged)
    modelfile = out_dir / MODELFILE
    modelfile.write_text(modelfile_text(template, run.system_prompt), encoding="utf-8")
    warnings = [] if template else ["the model has no chat template: the Modelfile has no TEMPLATE"]
    path = out_dir / GGUF_NAME
    return GgufResult(gguf_path=path, modelfile=modelfile, quant=opts.quant, architecture=arch, n_tensors=count,
                      bytes=path.stat().st_size, warnings=warnings)


def _model_name(run) -> str:
    base = run.hub_base_model or Path(run.base_model or "model").name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{base.split('/')[-1]}-{(run.run_dir or run.adapter_dir).name}")


def _chat_template(model_dir: Path) -> str:
    jinja = model_dir / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    try:
        return str(json.loads((model_dir / "tokenizer_config.json").read_text()).get("chat_template") or "")
    except (OSError, ValueError):
        return ""
