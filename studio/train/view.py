"""What the Train tab draws for a run, read from its folder alone (so a reloaded page redraws the same thing).

No Gradio here: :func:`run_view` turns ``events.jsonl`` into plot rows, the latest numbers, a log tail and the
checkpoint list; the tab puts them into components.
"""

from __future__ import annotations

import time
from pathlib import Path

from . import checkpoints as ck
from .plan import Plan, format_duration

MAX_POINTS = 400
LOG_TYPES = {"log", "state", "checkpoint", "stopping", "stopped", "done", "queued", "train_begin"}


def _thin(rows: list[dict], limit: int = MAX_POINTS) -> list[dict]:
    if len(rows) <= limit:
        return rows
    stride = len(rows) / limit
    picked = [rows[int(i * stride)] for i in range(limit)]
    if picked[-1] is not rows[-1]:
        picked.append(rows[-1])
    return picked


def read_all_events(run_dir: Path) -> list[dict]:
    from ..jobs.files import read_events

    events, _ = read_events(Path(run_dir))
    return events


LR_UNIT = 1e4  # the learning-rate plot reads in units of 1e-4 (its title says so): short axis labels


def run_view(run_dir: Path, events: list[dict] | None = None, log_lines: int = 14) -> dict:
    """Plot rows (``loss``: step/value/series train|val; ``lr``; ``tps``), ``latest`` numbers, ``log`` text,
    ``checkpoints`` (step, saved, path), ``plan`` (dict or None) and ``plan_text`` (the effective recipe's lines)."""
    run_dir = Path(run_dir)
    events = read_all_events(run_dir) if events is None else events
    loss, lr, tps, logs = [], [], [], []
    latest: dict = {}
    resumed_from = None
    for e in events:
        kind = e.get("type")
        if kind == "train":
            if e.get("loss") is not None:
                loss.append({"step": e["step"], "value": e["loss"], "series": "train"})
            if e.get("learning_rate") is not None:
                lr.append({"step": e["step"], "value": e["learning_rate"] * LR_UNIT, "series": "learning rate"})
            if e.get("tokens_per_s") is not None:
                tps.append({"step": e["step"], "value": e["tokens_per_s"], "series": "tokens/s"})
            latest.update({k: e.get(k) for k in ("step", "epoch", "loss", "learning_rate", "tokens_per_s", "gpu_mem_gb",
                                                 "grad_norm", "perplexity")})
        elif kind == "eval":
            loss.append({"step": e["step"], "value": e["eval_loss"], "series": "val"})
            latest.update(eval_loss=e.get("eval_loss"), eval_perplexity=e.get("perplexity"))
        elif kind == "train_begin" and e.get("resumed"):
            resumed_from = e.get("step")
        if kind in LOG_TYPES:
            logs.append(_log_line(e))
    plan = Plan.load(run_dir)
    checkpoints = [
        [c["step"], time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(c["saved_at"])) if c.get("saved_at") else "", c["path"]]
        for c in ck.list_checkpoints(run_dir)
    ]
    return {
        "loss": _thin(_dedupe(loss)), "lr": _thin(_dedupe(lr)), "tps": _thin(_dedupe(tps)), "latest": latest,
        "log": "\n".join(logs[-log_lines:]), "checkpoints": checkpoints, "plan": plan.to_dict() if plan else None,
        "plan_text": "\n".join(plan.summary_lines()) if plan else "",
        "resumed_from": resumed_from, "adapter": str(run_dir / "adapter") if (run_dir / "adapter").is_dir() else None,
    }


def _dedupe(rows: list[dict]) -> list[dict]:
    """After a resume the steps after the checkpoint are logged again: keep the newest value per (series, step)."""
    seen: dict[tuple, dict] = {}
    for r in rows:
        seen[(r["series"], r["step"])] = r
    return sorted(seen.values(), key=lambda r: (r["series"], r["step"]))


def _log_line(e: dict) -> str:
    ts = time.strftime("%H:%M:%S", time.localtime(e.get("ts", time.time())))
    kind = e.get("type")
    if kind == "log":
        return f"{ts} {e.get('level', 'info')}: {e.get('message', '')}"
    if kind == "state":
        return f"{ts} state: {e.get('state')}" + (f" ({e['error']})" if e.get("error") else "")
    if kind == "checkpoint":
        return f"{ts} checkpoint at step {e.get('step')}"
    if kind == "train_begin":
        return f"{ts} training from step {e.get('step')} of {e.get('max_steps')}"
    if kind == "queued":
        return f"{ts} waiting for the GPU (position {e.get('position')})"
    return f"{ts} {kind} at step {e.get('step', '?')}"


def latest_numbers(latest: dict) -> str:
    """The first values as text (a one-point LinePlot draws nothing in Gradio 6.31)."""
    if not latest:
        return ""
    parts = []
    if latest.get("step") is not None:
        parts.append(f"step {latest['step']}")
    for key, label, fmt in (("loss", "train loss", "{:.4f}"), ("eval_loss", "val loss", "{:.4f}"),
                            ("perplexity", "perplexity", "{:.2f}"), ("learning_rate", "lr", "{:.2e}"),
                            ("tokens_per_s", "tokens/s", "{:.0f}"), ("gpu_mem_gb", "GPU memory GB", "{:.2f}")):
        value = latest.get(key)
        if value is not None:
            parts.append(f"{label} {fmt.format(value)}")
    return " · ".join(parts)


def progress_text(status: dict) -> str:
    prog = status.get("progress") or {}
    done, total = prog.get("done"), prog.get("total")
    parts = []
    if total:
        parts.append(f"step {int(done or 0)}/{int(total)} ({100 * (done or 0) / total:.0f}%)")
    elif prog.get("message"):
        parts.append(str(prog["message"]))
    if prog.get("eta_s") is not None and status.get("state") == "running":
        parts.append(f"ETA {format_duration(prog['eta_s'])}")
    if status.get("queue_position"):
        parts.append(f"queue position {status['queue_position']}")
    return " · ".join(parts)


__all__ = ["run_view", "latest_numbers", "progress_text", "read_all_events"]
