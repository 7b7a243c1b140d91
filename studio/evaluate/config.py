"""The evaluation's settings: which model, which adapter, which arms and question sets, how to score."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, ConfigError, check, help_field

ARMS = ("base", "tuned", "base+rag", "tuned+rag", "gold")
SETS = ("phrasings", "facts", "refusals", "trained")
RETRIEVERS = ("hybrid", "embeddings", "bm25")
ARM_LABELS = {
    "base": "base",
    "tuned": "tuned",
    "base+rag": "base + retrieval",
    "tuned+rag": "tuned + retrieval",
    "gold": "gold context",
}
SET_LABELS = {
    "phrasings": "unseen phrasings of trained facts",
    "facts": "facts held out whole",
    "refusals": "questions to refuse",
    "trained": "trained questions",
}
# Cosine similarity (all-MiniLM-L6-v2) an answer needs when no key answer decides it, used when no
# workspace can calibrate one. Measured on the 20 hand-written facts of tests/unit/test_evaluate_scoring.py:
# right rephrasings vs other facts' answers separate best (Youden) at 0.54; 5th percentile of the right ones 0.59.
DEFAULT_THRESHOLD = 0.55


@dataclass
class EvalConfig(Config):
    """One evaluation: a base model, optionally an adapter, arms x question sets."""

    base_model: str = help_field("", "base model: bundled:smollm2-135m-instruct, a Hub id or a local folder")
    adapter: str | None = help_field(None, "LoRA adapter folder (a run's adapter/ or any PEFT folder)")
    workspace: str | None = help_field(None, "workspace name or path (chunks for retrieval, outside adapters' questions)")
    arms: list[str] = help_field(["base", "tuned", "base+rag", "gold"], "arms: base, tuned, base+rag, tuned+rag, gold")
    sets: list[str] = help_field(list(SETS), "question sets: phrasings, facts, refusals, trained")
    questions: str | None = help_field(None, "your own test set (JSONL: question, reference, key, group, set)")
    max_facts: int | None = help_field(40, "facts sampled per set (every phrasing of each is asked); empty = all")
    max_new_tokens: int = help_field(64, "longest answer generated")
    batch_size: int = help_field(8, "prompts generated together")
    temperature: float = help_field(0.0, "0 = deterministic (greedy) decoding")
    seed: int = help_field(0, "seed for sampling and the bootstrap")
    system_prompt: str | None = help_field(None, "system prompt (default: the run's own)")
    top_k: int = help_field(3, "retrieved chunks per question")
    retriever: str = help_field("hybrid", "retrieval: hybrid (embeddings + BM25), embeddings or bm25")
    embedder: str | None = help_field(None, "sentence embedder for scoring and retrieval (default all-MiniLM-L6-v2)")
    threshold: float | None = help_field(None, "similarity threshold; empty = calibrated per workspace")
    bootstrap: int = help_field(1000, "bootstrap resamples for the 95% intervals")
    forgetting: bool = help_field(True, "general-knowledge probe and perplexity, base vs tuned")
    judge_model: str | None = help_field(None, "optional LLM judge (an endpoint model id); empty = no judge")
    judge_base_url: str | None = help_field(None, "OpenAI-compatible endpoint for the judge")
    device: str = help_field("auto", "auto, cpu or cuda")
    out: str | None = help_field(None, "output folder (default: the run's eval/<id>/)")

    def validate(self) -> None:
        check(bool((self.base_model or "").strip()) or bool(self.adapter),
              "no base model: pick one (or give an adapter trained by the studio, which names its base)")
        self.arms = _clean_list(self.arms, ARMS, "arm")
        self.sets = _clean_list(self.sets, SETS, "question set")
        check(bool(self.arms), "pick at least one arm (base, tuned, base+rag, tuned+rag, gold)")
        check(bool(self.sets), "pick at least one question set (phrasings, facts, refusals, trained)")
        if any(a in ("tuned", "tuned+rag") for a in self.arms):
            check(bool(self.adapter), "the tuned arms need an adapter: give --adapter DIR or drop tuned from the arms")
        check(self.max_facts is None or self.max_facts > 0, "max_facts must be positive (or empty for all)")
        check(1 <= self.max_new_tokens <= 4096, "max_new_tokens must be 1-4096")
        check(1 <= self.batch_size <= 512, "batch_size must be 1-512")
        check(0.0 <= self.temperature <= 2.0, "temperature must be 0-2")
        check(1 <= self.top_k <= 20, "top_k must be 1-20")
        check(self.retriever in RETRIEVERS, f"retriever must be one of {', '.join(RETRIEVERS)}")
        check(self.threshold is None or 0.0 < self.threshold < 1.0, "threshold must be between 0 and 1")
        check(0 <= self.bootstrap <= 100_000, "bootstrap must be 0-100000")
        check(self.device in ("auto", "cpu", "cuda"), "device must be auto, cpu or cuda")

    @property
    def needs_retrieval(self) -> bool:
        return any(a.endswith("+rag") for a in self.arms)


def _clean_list(values, allowed: tuple[str, ...], what: str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    out: list[str] = []
    for v in values or []:
        v = str(v).strip().lower().replace(" ", "")
        v = {"rag": "base+rag", "retrieval": "base+rag", "base+retrieval": "base+rag",
             "tuned+retrieval": "tuned+rag", "gold-context": "gold", "heldout": "phrasings"}.get(v, v)
        if not v:
            continue
        if v not in allowed:
            raise ConfigError(f"unknown {what} {v!r}: use {', '.join(allowed)}")
        if v not in out:
            out.append(v)
    return [a for a in allowed if a in out]
