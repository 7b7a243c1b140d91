"""GGUF export fidelity: the bundled SmolLM2-135M-Instruct with a LoRA (r16, all linear layers, non-zero B) merged,
exported to F16 and Q8_0 by ``studio.hub.gguf_export``, loaded back by transformers' GGUF loader, next-token logits
compared with the merged safetensors model on ``studio.hub.gguf_check.PROMPTS`` (chat-formatted).

Prints and records, per tensor type: max |logit difference|, top-1 agreement, same token ids and chat template,
file size and export seconds. Run: ``.venv/bin/python benchmarks/gguf_export.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _merged_smollm2(tmp: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from studio.models import BUNDLED_CHAT, resolve_model

    base_dir = resolve_model(BUNDLED_CHAT)
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32, use_safetensors=True)
    torch.manual_seed(0)  # the LoRA A init too: the same merged model on every run
    model = get_peft_model(base, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM"))
    torch.manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.01)
    merged = model.merge_and_unload()
    out = tmp / "merged"
    merged.save_pretrained(out, safe_serialization=True)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(out)
    return out


def main() -> None:
    from benchmarks._results import write_result
    from studio.hub.gguf_check import TOLERANCE, compare_with_merged
    from studio.hub.gguf_export import write_gguf

    figures: dict = {"model": "bundled:smollm2-135m-instruct + LoRA r16 (all linear, B ~ N(0, 0.01)) merged, fp32",
                     "reader": "transformers AutoModelForCausalLM.from_pretrained(gguf_file=...)",
                     "llama_cpp_python": "not installed: no binary wheel for this platform on PyPI (not built)"}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        merged = _merged_smollm2(tmp)
        figures["merged_mb"] = round(sum(p.stat().st_size for p in merged.glob("*.safetensors")) / 1e6, 1)
        for quant in ("f16", "q8_0"):
            path = tmp / quant / "model.gguf"
            path.parent.mkdir()
            start = time.perf_counter()
            write_gguf(merged, path, quant)
            seconds = time.perf_counter() - start
            check = compare_with_merged(merged, path, quant)
            figures[quant] = {"max_abs_logit_diff": check.max_abs_diff, "top1_agreement": check.top1_agreement,
                              "prompts": check.prompts, "same_token_ids": check.same_token_ids,
                              "same_chat_template": check.same_chat_template, "tolerance": TOLERANCE[quant],
                              "within_tolerance": check.within_tolerance, "size_mb": round(path.stat().st_size / 1e6, 1),
                              "export_s": round(seconds, 2)}
            print(f"{quant}: max |logit diff| {check.max_abs_diff:g}, top-1 {check.top1_agreement:.0%}, "
                  f"{figures[quant]['size_mb']} MB, {seconds:.1f} s, within tolerance: {check.within_tolerance}")
    print(write_result("gguf_export", figures, "python benchmarks/gguf_export.py"))


if __name__ == "__main__":
    main()
