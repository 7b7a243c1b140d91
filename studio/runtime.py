"""One model runtime for every stage: load a causal LM and its tokenizer, render chats, batch-generate with left
padding and per-row stopping, and load sentence embedders once per process.

Generation (``studio.generate.backends.local``), evaluation answers (``studio.evaluate.answers``), voice answers
(``studio.voice.evaluate``) and the near-duplicate/dedup embedders all go through here, so a fix or a speed-up
(stop tokens, dtype by compute capability, 4-bit on CUDA) lands everywhere at once. The chat tab streams token
by token and uses :func:`load_causal_lm` and :func:`prepare_tokenizer` for the same reason.
torch, transformers and sentence-transformers are imported inside the functions.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

_EMBEDDERS: dict[tuple[str, str], Any] = {}


@dataclass
class Loaded:
    model: Any
    tokenizer: Any
    device: str
    quantized: bool = False


def cuda_dtype():
    """bf16 on Ampere and newer, fp16 before (a T4 has no bf16)."""
    import torch

    return torch.bfloat16 if torch.cuda.get_device_capability(0)[0] >= 8 else torch.float16


def prepare_tokenizer(tok):
    """Left padding (decoder-only batches) and a pad token."""
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_causal_lm(path: str, device: str = "auto", load_in_4bit: bool | None = None,
                   trust_remote_code: bool = False, tokenizer_path: str | None = None) -> Loaded:
    """A safetensors model and its tokenizer; on CUDA in bf16/fp16, and in 4-bit NF4 when asked (default: yes on
    CUDA when bitsandbytes is installed). Raises the loaders' own errors; callers word them for the user."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    use_cuda = device in ("auto", "cuda") and torch.cuda.is_available()
    kwargs: dict = {"trust_remote_code": trust_remote_code, "use_safetensors": True}
    quantized = False
    if use_cuda:
        dtype = cuda_dtype()
        want_4bit = load_in_4bit if load_in_4bit is not None else True
        if want_4bit and _has_bitsandbytes():
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=dtype)
            quantized = True
        kwargs.update(dtype=dtype, device_map={"": 0})
    else:
        kwargs["dtype"] = torch.float32
        cpu_threads()
    tok = prepare_tokenizer(AutoTokenizer.from_pretrained(tokenizer_path or path, trust_remote_code=trust_remote_code))
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    model.eval()
    return Loaded(model, tok, "cuda" if use_cuda else "cpu", quantized)


def cpu_threads() -> int:
    """Threads for CPU inference: the cores left idle by the machine's load, one kept free, at least one.

    Measured on the 2-core machine while other jobs kept its load at 9: a batch of 8 short prompts took 8.5 s
    with one thread and 44-95 s with two (threads spin-waiting for cores they cannot get). ``STUDIO_CPU_THREADS``
    overrides it."""
    import torch

    cores = os.cpu_count() or 1
    want = os.environ.get("STUDIO_CPU_THREADS")
    if want and want.isdigit():
        n = int(want)
    else:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
        # one core stays free: a job that starts later (another worker, the app itself) would otherwise make every
        # thread spin-wait (seen in the browser: 0.4 tokens/s with two threads once training started beside it)
        n = min(cores - int(load), cores - 1)
    n = max(1, min(cores, n))
    torch.set_num_threads(n)
    return n


def render_chat(tok, messages: list[dict[str, str]]) -> str:
    """The chat template with the generation prompt; a template without a system role gets it merged into the
    first user turn; a tokenizer without a template gets a plain "role: text" layout."""
    if not getattr(tok, "chat_template", None):
        return "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "
    try:
        return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    except Exception:  # noqa: BLE001 - templates without a system role (Gemma) raise TemplateError
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        rest = [dict(m) for m in messages if m["role"] != "system"]
        if system and rest:
            rest[0]["content"] = system + "\n\n" + rest[0]["content"]
        return tok.apply_chat_template(rest, tokenize=False, add_generation_prompt=True)


def stop_token_ids(tok, stops: Sequence[str]) -> set[int]:
    """Token ids whose text holds one of ``stops`` (a row ends there: far cheaper than ``stop_strings``)."""
    if not stops:
        return set()
    pieces = tok.convert_ids_to_tokens(list(range(len(tok))))
    return {i for i, piece in enumerate(pieces)
            if piece and any(s in tok.convert_tokens_to_string([piece]) for s in stops)} - {tok.pad_token_id}


@dataclass
class Generated:
    text: str
    new_tokens: int
    prompt_tokens: int
    truncated: bool


def generate_batch(model, tok, prompts: Sequence[str], max_new_tokens: int, temperature: float = 0.0,
                   seed: int = 0, stop_ids: set[int] | None = None, top_p: float = 0.95, top_k: int | None = None,
                   row_caps: Sequence[int] | None = None) -> list[Generated]:
    """One left-padded batch of rendered prompts; each row ends at EOS, padding or a stop token (kept), or at its
    own cap in ``row_caps``. Where continuous batching is on (:func:`continuous_batching_wanted`) the rows go
    through :func:`generate_continuous` instead, and back to this path if that fails."""
    import torch

    rows = try_continuous(model, tok, prompts, max_new_tokens, temperature=temperature, seed=seed, stop_ids=stop_ids,
                          top_p=top_p, top_k=top_k, row_caps=row_caps)
    if rows is not None:
        return rows
    enc = tok(list(prompts), return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
    kwargs: dict = dict(max_new_tokens=int(max_new_tokens), pad_token_id=tok.pad_token_id)
    stop_ids = stop_ids or set()
    if stop_ids:
        kwargs["eos_token_id"] = sorted({tok.eos_token_id, *stop_ids} - {None})
    kwargs.update(_sampling(temperature, top_p, top_k))
    torch.manual_seed(seed)
    with torch.inference_mode():
        out = model.generate(**enc, **kwargs)
    new = out[:, enc["input_ids"].shape[1]:]
    caps = list(row_caps) if row_caps else [int(max_new_tokens)] * len(prompts)
    return [_row(tok, row.tolist(), int(mask.sum()), cap, stop_ids)
            for row, mask, cap in zip(new, enc["attention_mask"], caps)]


def _sampling(temperature: float, top_p: float, top_k: int | None) -> dict:
    if temperature > 0:
        return dict(do_sample=True, temperature=temperature, top_p=top_p, **({"top_k": top_k} if top_k else {}))
    return dict(do_sample=False, temperature=None, top_p=None, top_k=None)


def _row(tok, ids: list[int], prompt_tokens: int, cap: int, stop_ids: set[int]) -> Generated:
    """A row's text up to EOS, padding or its first stop token (kept: a question keeps its "?"), or its cap."""
    ids = ids[:cap]
    ends = {tok.pad_token_id, tok.eos_token_id}
    n = next((k for k, t in enumerate(ids) if t in ends or t in stop_ids), len(ids))
    if n < len(ids) and ids[n] in stop_ids:
        n += 1
    return Generated(tok.decode(ids[:n], skip_special_tokens=True), n, prompt_tokens, n >= cap)


def continuous_batching_wanted(model) -> bool:
    """Continuous batching (transformers' scheduler with a paged KV cache: a finished row frees its slot for the
    next prompt at once, no padding) on a CUDA GPU. ``STUDIO_CONTINUOUS_BATCHING=1`` turns it on anywhere (the
    CPU tests use it), ``=0`` off; a model it failed on once stays on the padded path."""
    flag = os.environ.get("STUDIO_CONTINUOUS_BATCHING", "auto").strip().lower()
    if flag in ("0", "off", "false", "no") or getattr(model, "_studio_continuous_failed", False):
        return False
    if not callable(getattr(model, "generate_batch", None)):
        return False
    if flag in ("1", "on", "true", "yes"):
        return True
    return _on_cuda(model)


def _on_cuda(model) -> bool:
    return getattr(getattr(model, "device", None), "type", "") == "cuda"


def try_continuous(model, tok, prompts: Sequence[str], max_new_tokens: int, **kwargs) -> list[Generated] | None:
    """:func:`generate_continuous` where continuous batching is wanted; ``None`` where it is not, or where it failed
    (logged, and remembered on the model so the rest of the process uses padded batches). Rows already passed to
    ``on_row`` before a failure stay reported: the caller generates only the others."""
    if not prompts or not continuous_batching_wanted(model):
        return None
    try:
        return generate_continuous(model, tok, prompts, max_new_tokens, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a model the scheduler cannot run still generates, padded
        import logging

        logging.getLogger(__name__).warning("continuous batching failed (%s: %s); using padded batches",
                                            type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        try:
            model._studio_continuous_failed = True
        except AttributeError:
            pass
        return None


def generate_continuous(model, tok, prompts: Sequence[str], max_new_tokens: int, temperature: float = 0.0,
                        seed: int = 0, stop_ids: set[int] | None = None, top_p: float = 0.95,
                        top_k: int | None = None, row_caps: Sequence[int] | None = None,
                        on_row: Callable[[int, Generated], None] | None = None) -> list[Generated]:
    """Every prompt through transformers' continuous-batching manager, each with its own token cap; rows come
    back in input order and ``on_row(i, row)`` hears of each as it finishes. Same row rules as
    :func:`generate_batch`. Raises when the manager reports an error or stops early."""
    import torch
    from transformers import GenerationConfig

    caps = [int(c) for c in row_caps] if row_caps else [int(max_new_tokens)] * len(prompts)
    if not prompts:
        return []
    stop_ids = stop_ids or set()
    sampling = {k: v for k, v in _sampling(temperature, top_p, top_k).items() if v is not None}
    config = GenerationConfig(max_new_tokens=max(caps), pad_token_id=tok.pad_token_id,
                              eos_token_id=sorted({tok.eos_token_id, *stop_ids} - {None}), **sampling)
    ids = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
    rows: list[Generated | None] = [None] * len(prompts)
    torch.manual_seed(seed)
    with model.continuous_batching_context_manager(generation_config=config, block=True, timeout=5,
                                                   continuous_batching_config=_cache_for(model, ids, caps)) as manager:
        index = {manager.add_request(p, max_new_tokens=cap): i for i, (p, cap) in enumerate(zip(ids, caps))}
        while index:
            result = manager.get_result(timeout=1)
            if result is None:
                if not manager.is_running():
                    raise RuntimeError(f"the scheduler stopped with {len(index)} of {len(prompts)} rows left")
                continue
            if not result.is_finished() or result.request_id not in index:
                continue
            if result.error:
                raise RuntimeError(result.error)
            i = index.pop(result.request_id)
            rows[i] = _row(tok, list(result.generated_tokens), len(ids[i]), caps[i], stop_ids)
            if on_row:
                on_row(i, rows[i])
    return rows  # type: ignore[return-value]


def _cache_for(model, ids: list[list[int]], caps: list[int]):
    """On a GPU the scheduler sizes its paged cache from free memory (None: its default). Elsewhere it would size it
    from the machine's RAM, which took 20 s to set up for five short prompts: size it for this workload instead."""
    if _on_cuda(model):
        return None
    from transformers import ContinuousBatchingConfig

    page = 256
    blocks = sum(-(-(len(p) + c) // page) for p, c in zip(ids, caps))
    return ContinuousBatchingConfig(page_size=page, num_blocks=blocks + 2, max_batch_tokens=1024)


def generate_all(model, tok, prompts: Sequence[str], max_new_tokens: int | Sequence[int], batch_size: int = 8,
                 temperature: float = 0.0, seed: int = 0, on_batch: Callable[[int], None] | None = None,
                 **sampling) -> list[str]:
    """Every prompt, in input order: batches of similar cap and length (least padding); ``on_batch(n_done)``."""
    caps = [max_new_tokens] * len(prompts) if isinstance(max_new_tokens, int) else list(max_new_tokens)
    finished = itertools.count(1)
    rows = try_continuous(model, tok, prompts, max(caps, default=0), temperature=temperature, seed=seed, row_caps=caps,
                          on_row=lambda _i, _r: on_batch(next(finished)) if on_batch else None, **sampling)
    if rows is not None:  # every prompt in one scheduler, one tick per finished row
        return [row.text.strip() for row in rows]
    order = sorted(range(len(prompts)), key=lambda i: (caps[i], len(prompts[i])))
    out = [""] * len(prompts)
    done = 0
    for start in range(0, len(order), max(1, batch_size)):
        idx = order[start:start + max(1, batch_size)]
        rows = generate_batch(model, tok, [prompts[i] for i in idx], max(caps[i] for i in idx),
                              temperature=temperature, seed=seed + start, row_caps=[caps[i] for i in idx], **sampling)
        for i, row in zip(idx, rows):
            out[i] = row.text.strip()
        done += len(idx)
        if on_batch:
            on_batch(done)
    return out


def load_embedder(path: str, device: str = "cpu"):
    """A sentence-transformers model, loaded once per process and device."""
    key = (str(path), device)
    if key not in _EMBEDDERS:
        from sentence_transformers import SentenceTransformer

        _EMBEDDERS[key] = SentenceTransformer(str(path), device=device)
    return _EMBEDDERS[key]


def _has_bitsandbytes() -> bool:
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        return False
    return True
