"""Answer generation for every arm: one base model loaded once, the adapter switched on and off.

Prompts use the model's chat template (and the run's system prompt); batches are left-padded and sorted by
length; decoding is greedy unless a temperature is set. ``base`` runs with the adapter disabled, ``tuned``
with it enabled; ``+rag`` and ``gold`` put retrieved chunks or the source chunk in the user message.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable, Sequence

RAG_TEMPLATE = (
    "Answer the question using the context below. If the context does not contain the answer, say so.\n\n"
    "Context:\n{context}\n\nQuestion: {question}"
)


class GenerationError(RuntimeError):
    """The model or adapter cannot be loaded or run (readable message)."""


def rag_message(question: str, passages: Sequence[str]) -> str:
    context = "\n\n".join(f"[{i + 1}] {p.strip()}" for i, p in enumerate(passages) if p and p.strip())
    return RAG_TEMPLATE.format(context=context, question=question.strip())


def messages_for(question: str, system_prompt: str = "", passages: Sequence[str] | None = None) -> list[dict]:
    msgs = [{"role": "system", "content": system_prompt}] if (system_prompt or "").strip() else []
    msgs.append({"role": "user", "content": rag_message(question, passages) if passages else question})
    return msgs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


def check_adapter_base(adapter: str | Path, base_model: str, base_path: str, run_info: dict | None) -> None:
    """Refuse an adapter trained on another base model, before loading anything."""
    from ..models import resolve_model

    named: list[str] = []
    if run_info and run_info.get("base_model"):  # the studio's own record wins over adapter_config.json
        named += [str(run_info.get(k)) for k in ("base_model", "base_model_path") if run_info.get(k)]
    cfg = Path(adapter) / "adapter_config.json"
    if not named and cfg.is_file():
        try:
            value = json.loads(cfg.read_text()).get("base_model_name_or_path")
        except (OSError, json.JSONDecodeError):
            value = None
        if value:
            named.append(str(value))
    if not named:
        return
    ours = {base_model.strip(), str(base_path)}
    for name in named:
        if name in ours:
            return
        try:
            if resolve_model(name) in ours:
                return
        except Exception:  # noqa: BLE001 - a name that cannot be resolved simply does not match
            pass
        if Path(name).name and Path(name).name == Path(str(base_path)).name:
            return
    raise GenerationError(
        f"the adapter was trained on {named[0]!r}, not on {base_model!r}: pick that base model (an adapter only "
        "works on the model it was trained on)"
    )


class AnswerModel:
    """A base model with an optional LoRA adapter; ``generate(..., adapter=True/False)``."""

    def __init__(self, base_model: str, adapter: str | None = None, device: str = "auto", batch_size: int = 8,
                 max_new_tokens: int = 64, temperature: float = 0.0, seed: int = 0, run_info: dict | None = None):
        self.base_model = base_model
        self.adapter = adapter
        self.device_pref = device
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.seed = seed
        self.run_info = run_info
        self.model = None
        self.tokenizer = None
        self.base_path = ""
        self.has_adapter = False

    def load(self) -> "AnswerModel":
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from ..models import ModelNotFound, resolve_model

        try:
            self.base_path = resolve_model(self.base_model)
        except ModelNotFound as exc:
            raise GenerationError(str(exc)) from None
        if self.adapter:
            if not Path(self.adapter).is_dir():
                raise GenerationError(f"no adapter folder at {self.adapter}")
            check_adapter_base(self.adapter, self.base_model, self.base_path, self.run_info)
        self.device = "cuda" if self.device_pref in ("auto", "cuda") and torch.cuda.is_available() else "cpu"
        dtype = torch.float32
        if self.device == "cuda":
            dtype = torch.bfloat16 if torch.cuda.get_device_capability()[0] >= 8 else torch.float16
        try:
            tok_src = self.adapter if self.adapter and (Path(self.adapter) / "tokenizer_config.json").is_file() else self.base_path
            self.tokenizer = AutoTokenizer.from_pretrained(tok_src)
            model = AutoModelForCausalLM.from_pretrained(self.base_path, dtype=dtype, use_safetensors=True)
        except Exception as exc:  # noqa: BLE001
            raise GenerationError(f"the base model {self.base_model!r} could not be loaded: {_first_line(exc)}") from None
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if not getattr(self.tokenizer, "chat_template", None):
            raise GenerationError(f"{self.base_model!r} has no chat template: use an instruct/chat model")
        if self.adapter:
            from peft import PeftModel

            try:
                model = PeftModel.from_pretrained(model, self.adapter)
            except Exception as exc:  # noqa: BLE001
                raise GenerationError(
                    f"the adapter in {self.adapter} does not fit {self.base_model!r}: {_first_line(exc)}"
                ) from None
            self.has_adapter = True
        model.to(self.device)
        model.eval()
        self.model = model
        return self

    # ---- generation ---------------------------------------------------------------------
    def _context(self, adapter: bool):
        import contextlib

        if self.has_adapter and not adapter:
            return self.model.disable_adapter()
        if adapter and not self.has_adapter:
            raise GenerationError("the tuned arm needs an adapter")
        return contextlib.nullcontext()

    def render(self, messages: list[dict]) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, conversations: Sequence[list[dict]], adapter: bool = False,
                 on_batch: Callable[[int], None] | None = None, batch_size: int | None = None) -> list[str]:
        """Answers in input order; batches sorted by prompt length; ``on_batch(n_done)`` after each batch."""
        import torch

        if self.model is None:
            self.load()
        texts = [self.render(m) for m in conversations]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[str] = [""] * len(texts)
        bs = max(1, batch_size or self.batch_size)
        gen_kwargs = dict(max_new_tokens=self.max_new_tokens, pad_token_id=self.tokenizer.pad_token_id)
        if self.temperature > 0:
            gen_kwargs.update(do_sample=True, temperature=self.temperature, top_p=1.0, top_k=0)
        else:
            gen_kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        done = 0
        with self._context(adapter), torch.inference_mode():
            for start in range(0, len(order), bs):
                idx = order[start:start + bs]
                enc = self.tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True,
                                     add_special_tokens=False).to(self.device)
                if self.temperature > 0:
                    torch.manual_seed(self.seed + start)
                gen = self.model.generate(**enc, **gen_kwargs)
                new = gen[:, enc["input_ids"].shape[1]:]
                for i, seq in zip(idx, new):
                    out[i] = self.tokenizer.decode(seq, skip_special_tokens=True).strip()
                done += len(idx)
                if on_batch:
                    on_batch(done)
        return out

    def perplexity(self, text: str, adapter: bool = False, window: int = 512) -> float:
        """Perplexity of a text (non-overlapping windows), with or without the adapter."""
        import torch

        if self.model is None:
            self.load()
        ids = self.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"][0]
        total_loss, total_tokens = 0.0, 0
        with self._context(adapter), torch.inference_mode():
            for start in range(0, len(ids) - 1, window):
                chunk = ids[start:start + window].unsqueeze(0).to(self.device)
                if chunk.shape[1] < 2:
                    break
                loss = self.model(input_ids=chunk, labels=chunk).loss
                n = chunk.shape[1] - 1
                total_loss += float(loss) * n
                total_tokens += n
        return round(math.exp(total_loss / max(1, total_tokens)), 4)

    def close(self) -> None:
        self.model = None
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001
            pass
