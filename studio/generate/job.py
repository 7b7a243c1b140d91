"""Job kind ``generate``: the generation run inside the job runner (a worker process, or the CLI in the foreground)."""

from __future__ import annotations

from typing import Any

from .config import GenerateConfig


class GenerateFailed(RuntimeError):
    """The run could not go on (bad key, unknown model); the chunks saved so far stay."""


def run(ctx) -> dict[str, Any]:
    from .pipeline import run_generation

    cfg = GenerateConfig.from_dict(ctx.config, strict=False)
    ws = ctx.workspace()
    if ws is None:
        raise GenerateFailed("generation needs a workspace")
    ctx.log(f"generating with {cfg.backend}:{cfg.model} ({cfg.facts_per_chunk} facts x {cfg.phrasings_per_fact} phrasings per chunk)")
    summary = run_generation(ws, cfg, run_id=ctx.run_id, progress=ctx.progress, emit=ctx.emit,
                             stop_requested=ctx.stop_requested)
    ctx.set_result(**summary)
    if summary.get("error"):
        raise GenerateFailed(f"{summary['error']} (the {summary['chunks_done']} chunks done so far are kept; rerun to resume)")
    return summary
