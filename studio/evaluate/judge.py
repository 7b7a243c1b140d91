"""Optional LLM judge: a generation backend reads the source chunk and says whether an answer is right.

Off by default; imported only when ``judge_model`` is set. The judge never replaces the rule-based score: its
verdict is stored beside it (``judge_correct``) and summarised as agreement with the scorer.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

PROMPT = (
    "You grade answers against a source passage.\n\nSource:\n{context}\n\nQuestion: {question}\n"
    "Reference answer: {reference}\nAnswer to grade: {answer}\n\n"
    "Is the answer to grade correct according to the source? Reply with one word: CORRECT or WRONG."
)


def make_judge(model: str, base_url: str | None = None, api_key_env: str | None = None):
    from ..generate.backends import make_backend
    from ..generate.config import GenerateConfig

    backend = "openai" if base_url else "transformers"
    cfg = GenerateConfig.from_dict({"backend": backend, "model": model, "base_url": base_url, "api_key_env": api_key_env},
                                   strict=False)
    return make_backend(cfg)


def judge_rows(rows: Sequence[dict], backend, max_rows: int = 400) -> dict[str, Any]:
    """Adds ``judge_correct`` (True/False/None) to rows that have a source; returns agreement with the scorer."""
    from ..generate.backends import GenerationRequest

    todo = [r for r in rows if r.get("context") and r.get("prediction")][:max_rows]
    reqs = [GenerationRequest(messages=[{"role": "user", "content": PROMPT.format(
        context=r["context"][:3000], question=r["question"], reference=r["reference"], answer=r["prediction"])}],
        max_new_tokens=8, temperature=0.0) for r in todo]
    results = backend.generate(reqs) if reqs else []
    agree = n = 0
    for r, res in zip(todo, results):
        verdict = None
        if res.ok:
            m = re.search(r"\b(CORRECT|WRONG)\b", res.text.upper())
            verdict = (m.group(1) == "CORRECT") if m else None
        r["judge_correct"] = verdict
        if verdict is not None:
            n += 1
            agree += verdict == bool(r["correct"])
    return {"model": getattr(backend, "model", ""), "judged": n, "agreement_with_scorer": round(agree / n, 4) if n else None}
