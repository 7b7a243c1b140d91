"""Check a GGUF file with a reader the studio did not write: transformers' GGUF loader.

The file is loaded with ``AutoModelForCausalLM.from_pretrained(folder, gguf_file=...)`` (de-quantised to fp32) and
its tokenizer is rebuilt from the file's ``tokenizer.ggml.*`` metadata; the next-token logits on a few chat
prompts are compared with the merged safetensors model's. Tolerances (max abs logit difference, top-1 agreement)
are stated in ``TOLERANCE``: F16 rounds each weight to 11 significant bits, Q8_0 to 8-bit blocks of 32.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TOLERANCE = {"f16": {"max_abs": 0.05, "top1": 1.0}, "q8_0": {"max_abs": 1.5, "top1": 0.75}}
PROMPTS = ("What is the capital of France?", "Who wrote the manual, and when?",
           "Explain in one sentence why fine-tuning needs several phrasings of a fact.", "Ciao! Come stai oggi?")


@dataclass
class GgufCheck:
    quant: str
    prompts: int
    max_abs_diff: float
    top1_agreement: float
    same_token_ids: bool
    same_chat_template: bool
    same_eos: bool

    @property
    def within_tolerance(self) -> bool:
        tol = TOLERANCE.get(self.quant, TOLERANCE["q8_0"])
        return (self.max_abs_diff <= tol["max_abs"] and self.top1_agreement >= tol["top1"] and self.same_token_ids
                and self.same_eos)

    def to_dict(self) -> dict:
        return dict(self.__dict__) | {"tolerance": TOLERANCE.get(self.quant), "within_tolerance": self.within_tolerance}


def compare_with_merged(merged_dir: str | Path, gguf_path: str | Path, quant: str,
                        prompts: tuple[str, ...] = PROMPTS) -> GgufCheck:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = Path(gguf_path)
    folder, name = str(gguf_path.parent), gguf_path.name
    ref_tok = AutoTokenizer.from_pretrained(str(merged_dir))
    ref = AutoModelForCausalLM.from_pretrained(str(merged_dir), dtype=torch.float32, use_safetensors=True).eval()
    got_tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    got = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    worst, agree, same_ids = 0.0, 0, True
    for prompt in prompts:
        messages = [{"role": "user", "content": prompt}]
        if ref_tok.chat_template:
            text = ref_tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            text = prompt
        ids = ref_tok(text, return_tensors="pt", add_special_tokens=False).input_ids
        same_ids &= got_tok(text, return_tensors="pt", add_special_tokens=False).input_ids.tolist() == ids.tolist()
        with torch.no_grad():
            a = ref(ids).logits[0, -1]
            b = got(ids).logits[0, -1]
        worst = max(worst, float((a - b).abs().max()))
        agree += int(a.argmax() == b.argmax())
    return GgufCheck(quant=quant, prompts=len(prompts), max_abs_diff=round(worst, 5),
                     top1_agreement=agree / len(prompts), same_token_ids=same_ids,
                     same_chat_template=(got_tok.chat_template or "") == (ref_tok.chat_template or ""),
                     same_eos=got_tok.eos_token == ref_tok.eos_token)
