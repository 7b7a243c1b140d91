"""Forgetting: a small general-knowledge probe and perplexity on a general text, base vs tuned.

The probe and the text are bundled in ``studio/evaluate/data/`` (written for this project, CC0-1.0).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def probe_questions() -> list[dict]:
    with open(DATA / "general_probe.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def general_text() -> str:
    return (DATA / "general_text.txt").read_text(encoding="utf-8")


def measure(model, scorer, system_prompt: str = "", with_adapter: bool = True, on_step=None,
            stop_requested=None) -> dict[str, Any]:
    """Probe accuracy and perplexity for the base arm and (when an adapter is loaded) the tuned arm.

    ``on_step(n_done, message)`` after each batch of probe answers and each perplexity pass; ``stop_requested()``
    ends it early (the result then says ``stopped``)."""
    from .answers import messages_for
    from .scoring import Item

    probe = probe_questions()
    convs = [messages_for(p["question"], system_prompt) for p in probe]
    text = general_text()
    arms = ["base"] + (["tuned"] if with_adapter and model.has_adapter else [])
    out: dict[str, Any] = {"probe_size": len(probe), "text_words": len(text.split()), "arms": {}}
    steps = 0
    for arm in arms:
        if stop_requested and stop_requested():
            out["stopped"] = True
            break

        def on_batch(n: int, arm=arm) -> None:
            if on_step:
                on_step(steps + n, f"{arm} {n} of {len(probe)} questions")

        answers = model.generate(convs, adapter=(arm == "tuned"), on_batch=on_batch)
        steps += len(probe)
        scores = scorer.score_many([Item(p["question"], p["reference"], a, key=p.get("key")) for p, a in zip(probe, answers)])
        correct = sum(s.correct for s in scores)
        if on_step:
            on_step(steps, f"{arm} perplexity on a general text")
        out["arms"][arm] = {
            "probe_accuracy": round(correct / len(probe), 4),
            "probe_correct": correct,
            "perplexity": model.perplexity(text, adapter=(arm == "tuned")),
        }
        steps += 1
    if "tuned" in out["arms"]:
        b, t = out["arms"]["base"], out["arms"]["tuned"]
        out["probe_change"] = round(t["probe_accuracy"] - b["probe_accuracy"], 4)
        out["perplexity_ratio"] = round(t["perplexity"] / b["perplexity"], 4) if b["perplexity"] else None
    return out
