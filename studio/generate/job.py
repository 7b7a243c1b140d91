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
    summary: dict[str, Any] = {}
    exclude: set[int] = set()
    if cfg.mode in ("voice", "both"):
        from ..voice import job as voice_job
        from ..voice.split import heldout_chunk_ids

        ctx.config.setdefault("voice", {"author_name": cfg.author_name})
        ctx.log(f"talk like me: the author's passages become answers ({cfg.backend}:{cfg.model})")
        summary["voice"] = voice_job.run(ctx)
        exclude = heldout_chunk_ids(ws)  # held-out voice text yields no training pair of any kind
        if cfg.mode == "voice":
            ctx.set_result(**summary)
            return summary
        ctx.check_stop()
    ctx.log(f"generating with {cfg.backend}:{cfg.model} ({cfg.facts_per_chunk} facts x {cfg.phrasings_per_fact} phrasings per chunk)")
    summary.update(run_generation(ws, cfg, run_id=ctx.run_id, progress=ctx.progress, emit=ctx.emit,
                                  stop_requested=ctx.stop_requested, exclude_chunk_ids=exclude))
    ctx.set_result(**summary)
    if summary.get("error"):
        raise GenerateFailed(f"{summary['error']} (the {summary['chunks_done']} chunks done so far are kept; rerun to resume)")
    return summary
