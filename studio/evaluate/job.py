"""The ``evaluate`` job: ``run(ctx)`` evaluates and writes the report.

Where the outputs go: ``config["out"]`` when given (the CLI's ``--out``); else, for an adapter trained by the studio,
the trained run's ``eval/<this job's id>/`` (run folder: docs/ARCHITECTURE.md), so ``push`` finds the run's latest report;
else the job's own run folder. The job's result names the folder, the verdict and the summary figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class EvaluateFailed(RuntimeError):
    """Shown to the user as is (the worker reads ``user_message``)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


def output_dir(cfg, run_id: str, job_dir: Path) -> Path:
    from .questions import read_run_info

    if cfg.out:
        return Path(cfg.out).expanduser().resolve()
    info = read_run_info(cfg.adapter) if cfg.adapter else None
    if info and info.get("run_dir") and Path(info["run_dir"]).is_dir():
        return Path(info["run_dir"]) / "eval" / run_id
    return Path(job_dir)


def _workspace(ctx, cfg):
    ws = ctx.workspace()
    if ws is None and cfg.workspace:
        from ..paths import resolve_workspace_path
        from ..workspace import Workspace

        ws = Workspace.open(resolve_workspace_path(cfg.workspace))
    return ws


def run(ctx) -> dict[str, Any]:
    from ..config import ConfigError
    from .config import EvalConfig
    from .pipeline import EvaluationError, Hooks, run_evaluation
    from .questions import QuestionsError
    from .report import summary_line

    data = {k: v for k, v in (ctx.config or {}).items() if k in EvalConfig.help()}
    try:
        cfg = EvalConfig.from_dict(data)
    except ConfigError as exc:
        raise EvaluateFailed(str(exc)) from None
    out = output_dir(cfg, ctx.run_id, ctx.run_dir)
    ctx.set_result(out=str(out))
    ctx.write_status(out=str(out))
    hooks = Hooks(progress=lambda d, t, m="": ctx.progress(d, t, m), log=ctx.log, stop_requested=ctx.stop_requested)
    try:
        report = run_evaluation(cfg, out, ws=_workspace(ctx, cfg), hooks=hooks)
    except (EvaluationError, QuestionsError) as exc:
        raise EvaluateFailed(str(exc)) from None
    summary = summary_line(report)
    result = {"out": str(out), "report": str(out / "report.json"), "learned": summary["learned"],
              "verdict": summary["verdict"], "threshold": summary["threshold"], "results": summary["results"]}
    if report.get("partial"):  # Stop pressed: the job ends "stopped", with the report of what was answered
        result["stopped"] = True
    ctx.set_result(**result)
    ctx.emit("done", **{k: result[k] for k in ("out", "report", "learned", "verdict")})
    return result
