"""The voice evaluation: base and tuned answer the held-out prompts; the style score says which sounds like the author.

:func:`voice_report` is the pure computation (scores, W and G with bootstrap CIs, the validity gate, the
memorisation guard, the side-by-side rows); :func:`answer` generates greedy, length-capped answers with
transformers (+ peft for an adapter), batched with left padding. The result is a plain dict that the
evaluation report and the model card embed under a ``"voice"`` key.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .config import VoiceConfig
from .metrics import gap_closure, memorisation, validity, win_rate
from .style import StyleProfile, build_profile


def voice_report(
    prompts: Sequence[str],
    passages: Sequence[str],
    base: Sequence[str],
    tuned: Sequence[str],
    train_passages: Sequence[str],
    config: VoiceConfig | None = None,
    profile: StyleProfile | None = None,
    reference_texts: Sequence[str] | None = None,
    embedding_model: str | None = None,
) -> dict:
    """Everything the report shows about the voice, from the answers already generated."""
    cfg = config or VoiceConfig()
    if not (len(prompts) == len(passages) == len(base) == len(tuned)):
        raise ValueError("prompts, passages, base and tuned answers must have the same length")
    profile = profile or build_profile(train_passages, reference_texts, cfg.style_top_k)
    s_base, s_tuned, s_author = (profile.score(list(x)) for x in (base, tuned, passages))
    w, w_lo, w_hi = win_rate(s_tuned, s_base)
    g, g_lo, g_hi = gap_closure(s_tuned, s_base, s_author)
    gate = validity(s_author, s_base, cfg.validity_threshold)
    mem = memorisation(tuned, train_passages, cfg.memorisation_ngram)
    rows = [
        {"prompt": p, "base": b, "tuned": t, "author": a, "base_score": round(float(sb), 4),
         "tuned_score": round(float(st), 4), "author_score": round(float(sa), 4), **m}
        for p, b, t, a, sb, st, sa, m in zip(prompts, base, tuned, passages, s_base, s_tuned, s_author, mem)
    ]
    report = {
        "n": len(prompts),
        "win_rate": w, "win_rate_ci": [w_lo, w_hi],
        "gap_closure": g, "gap_closure_ci": [g_lo, g_hi],
        "mean_scores": {"base": _mean(s_base), "tuned": _mean(s_tuned), "author": _mean(s_author)},
        "valid": gate["valid"], "validity": gate,
        "verdict": gate["verdict"] if not gate["valid"] else _verdict(w, w_lo),
        "memorisation": {"limit": cfg.memorisation_ngram, "flagged": sum(m["memorised"] for m in mem),
                         "max_shared_ngram": max((m["longest_shared_ngram"] for m in mem), default=0)},
        "profile": {"words": len(profile.vocabulary), "reference": profile.reference, "lang": profile.lang,
                    "author_segments": profile.author_segments, "reference_segments": profile.reference_segments},
        "rows": rows,
    }
    if embedding_model:
        report["embedding"] = embedding_win_rate(embedding_model, train_passages, base, tuned, passages)
    return report


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else float("nan")


def _verdict(w: float, lo: float) -> str:
    if lo > 0.5:
        return "the tuned model sounds more like the author than the base model"
    if w > 0.5:
        return "the tuned model leans toward the author's style, within the uncertainty"
    return "no sign that the tuned model sounds more like the author"


def embedding_win_rate(model_path: str, author_texts, base, tuned, passages) -> dict:
    """The same W with a style-embedding model from a local path (cosine to the author's mean embedding)."""
    from ..runtime import load_embedder

    model = load_embedder(model_path)
    enc = lambda xs: model.encode(list(xs), normalize_embeddings=True, convert_to_numpy=True)  # noqa: E731
    centroid = enc(author_texts).mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    s_b, s_t, s_a = (enc(x) @ centroid for x in (base, tuned, passages))
    w, lo, hi = win_rate(s_t, s_b)
    gate = validity(s_a, s_b)
    return {"model": model_path, "win_rate": w, "win_rate_ci": [lo, hi], "valid": gate["valid"]}


def answer(model_path: str, messages_list: Sequence[list[dict]], max_new_tokens: Sequence[int] | int,
           adapter: str | None = None, batch_size: int = 8) -> list[str]:
    """Greedy answers, batched with left padding; ``max_new_tokens`` per prompt (grouped by cap)."""
    from ..runtime import generate_all, load_causal_lm, render_chat

    loaded = load_causal_lm(model_path, device="cpu")
    model = loaded.model
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
        model.eval()
    prompts = [render_chat(loaded.tokenizer, m) for m in messages_list]
    return generate_all(model, loaded.tokenizer, prompts, max_new_tokens, batch_size=batch_size)


def length_caps(model_path: str, passages: Sequence[str], factor: float = 1.2, floor: int = 32) -> list[int]:
    """New-token caps near each passage's own length in the model's tokens."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_path)
    return [max(floor, int(len(tok(p, add_special_tokens=False)["input_ids"]) * factor)) for p in passages]


def evaluate_voice(base_model: str, adapter: str, heldout: Sequence[dict], train_passages: Sequence[str],
                   system_prompt: str = "", config: VoiceConfig | None = None,
                   reference_texts: Sequence[str] | None = None, embedding_model: str | None = None) -> dict:
    """Base vs tuned on held-out voice prompts (rows with ``question`` and ``answer`` = the author's passage)."""
    cfg = config or VoiceConfig()
    if not heldout:
        raise ValueError("no held-out voice prompts: generate with the voice recipe first")
    prompts = [r["question"] for r in heldout]
    passages = [r["answer"] for r in heldout]
    msgs = [([{"role": "system", "content": system_prompt}] if system_prompt else []) + [{"role": "user", "content": q}]
            for q in prompts]
    caps = length_caps(base_model, passages)
    base = answer(base_model, msgs, caps)
    tuned = answer(base_model, msgs, caps, adapter=adapter)
    return voice_report(prompts, passages, base, tuned, train_passages, cfg, reference_texts=reference_texts,
                        embedding_model=embedding_model)


def frozen_voice_rows(data_dir) -> tuple[list[dict], list[str], str]:
    """(held-out voice rows, train passages, system prompt) from a run's frozen data (``data/``)."""
    import json
    from pathlib import Path

    data_dir = Path(data_dir)
    read = lambda name: [json.loads(x) for x in (data_dir / name).read_text(encoding="utf-8").splitlines() if x.strip()] \
        if (data_dir / name).is_file() else []  # noqa: E731
    heldout = [{"question": r["question"], "answer": r["reference"]} for r in read("test.jsonl") if r.get("kind") == "voice"]
    train = [r["completion"][-1]["content"] for r in read("train.jsonl") if r.get("kind") == "voice" and r.get("completion")]
    manifest = data_dir / "manifest.json"
    system = ""
    if manifest.is_file():
        system = json.loads(manifest.read_text(encoding="utf-8")).get("system_prompt") or ""
    return heldout, train, system


def evaluate_frozen(run_dir, base_model: str, adapter: str, config: VoiceConfig | None = None, **kw) -> dict | None:
    """The voice result of a trained run (None when the run has no voice pairs): for the report's ``"voice"`` key."""
    from pathlib import Path

    heldout, train, system = frozen_voice_rows(Path(run_dir) / "data")
    if not heldout or not train:
        return None
    return evaluate_voice(base_model, adapter, heldout, train, system, config, **kw)
