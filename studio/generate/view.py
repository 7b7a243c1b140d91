"""What the Generate tab shows, computed without gradio: the estimate, counters, failures, sample, coverage."""

from __future__ import annotations

from typing import Any

from ..workspace import Workspace
from .config import GenerateConfig
from .progress_store import chunk_counts, chunks_to_do, coverage, failed_chunks

MIN_EXPOSURES = 12  # epochs x train phrasings below this rarely teaches a fact (docs/ARCHITECTURE.md)
# rough generation speeds (completion tokens per second, whole backend) used only for the estimate
SPEED = {"transformers-cpu": 12.0, "transformers-gpu": 300.0, "openai": 40.0, "replay": 5000.0}


def train_phrasings(cfg: GenerateConfig) -> int:
    n = cfg.phrasings_per_fact
    held = min(cfg.heldout_phrasings, n - 2) if n >= 3 else 0
    return n - held - (1 if n >= 5 else 0)


def estimate(ws: Workspace, cfg: GenerateConfig, epochs: int = 3, gpu: bool | None = None) -> dict[str, Any]:
    """Calls, tokens and time for the chunks still to do, and the exposures per fact training will give."""
    todo = chunks_to_do(ws, cfg.mode, cfg.retry_failed, cfg.limit_chunks)
    n = len(todo)
    avg = sum((c["tokens"] or len(c["text"].split())) for c in todo) / n if n else 0
    f, k = cfg.facts_per_chunk, cfg.paraphrases
    extra = (cfg.refusal_share + cfg.false_premise_share) * f
    calls = 2 + (1 if extra > 0 else 0) + (1 if cfg.curate else 0)
    pairs = f * (1 + k) + extra * (1 + k)
    completion = f * 35 + f * (1 + k) * 30 + f * 40 + extra * (1 + k) * 25 + (pairs * 20 if cfg.curate else 0)
    prompt = calls * (avg + 250) + f * 40
    if gpu is None:
        gpu = _cuda()
    speed = SPEED["replay"] if cfg.backend == "replay" else (
        SPEED["openai"] * cfg.concurrency if cfg.backend == "openai"
        else SPEED["transformers-gpu" if gpu else "transformers-cpu"] * min(cfg.batch_size, 8) ** 0.6)
    seconds = int(n * completion / speed)
    measured = _measured(cfg, gpu)
    if measured is not None:
        seconds = int(n * measured)
    elif _guided(cfg):  # a small local model: short prompts, ~15 tokens per question, ~7 requests per fact
        seconds = int(n * f * (2 + k + 2) * 15 / speed)
    exposures = epochs * train_phrasings(cfg)
    return {
        "chunks": n, "calls": int(n * calls * 1.1), "prompt_tokens": int(n * prompt), "completion_tokens": int(n * completion),
        "pairs": int(n * pairs), "seconds": seconds, "measured": measured is not None, "train_phrasings": train_phrasings(cfg),
        "epochs": epochs, "exposures": exposures, "low_exposures": exposures < MIN_EXPOSURES,
    }


def _guided(cfg: GenerateConfig) -> bool:
    from ..models import BUNDLED_CHAT

    return cfg.backend == "transformers" and (cfg.recipe == "guided" or (cfg.recipe == "auto" and cfg.model == BUNDLED_CHAT))


def _measured(cfg: GenerateConfig, gpu: bool) -> float | None:
    """Seconds per chunk measured by earlier runs of the same generator and settings on this machine."""
    from .speed import lookup, speed_key

    if cfg.backend == "replay":
        return None
    recipe = "guided" if _guided(cfg) else "full"
    device = "remote" if cfg.backend == "openai" else ("cuda" if gpu else "cpu")
    return lookup(speed_key(cfg.backend, cfg.model, recipe, device, cfg.facts_per_chunk, cfg.phrasings_per_fact))


def _cuda() -> bool:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return torch.cuda.is_available()


def counters(ws: Workspace, recipe: str = "knowledge") -> dict[str, int]:
    counts = chunk_counts(ws, recipe)
    row = ws.conn.execute(
        "SELECT COUNT(*), SUM(flags != ''), SUM(status = 'rejected') FROM qa_pairs "
        "WHERE generator IS NOT NULL AND kind IN ('fact','paraphrase','refusal','false_premise')").fetchone()
    total, flagged, rejected = (row[0] or 0), (row[1] or 0), (row[2] or 0)
    return {"chunks_total": counts["total"], "chunks_done": counts.get("done", 0), "chunks_failed": counts.get("failed", 0),
            "pairs_kept": total - rejected, "pairs_flagged": flagged, "pairs_rejected": rejected}


def failed_rows(ws: Workspace) -> list[list[Any]]:
    return [[r["chunk_id"], r["document"], r["ordinal"], r["reason"] or "", r["attempts"]] for r in failed_chunks(ws)]


def sample_rows(ws: Workspace, n: int = 10) -> list[list[Any]]:
    rows = ws.conn.execute(
        "SELECT kind, split, question, answer, flags FROM qa_pairs WHERE generator IS NOT NULL "
        "AND kind IN ('fact','paraphrase','refusal','false_premise') ORDER BY id DESC LIMIT ?", (n,)).fetchall()
    return [list(r) for r in rows]


def coverage_rows(ws: Workspace) -> tuple[list[list[Any]], list[list[Any]]]:
    cov = coverage(ws)
    docs = [[d["document"], d["chunks"], d["chunks_done"], d["pairs"], d["empty_chunks"]] for d in cov["documents"]]
    empty = [[c["chunk_id"], c["document"], c["ordinal"], c["status"], c["reason"]] for c in cov["empty"][:200]]
    return docs, empty
