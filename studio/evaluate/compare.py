"""Runs compared side by side: per run (and round, where the run records one) unseen-phrasing accuracy with its 95%
interval, held-out-fact accuracy, refusal accuracy and forgetting, read from each run's ``report.json``.

A comparison is like-for-like only when every run was scored on the same held-out questions: each run's held-out
questions (the phrasings, facts and refusals sets of its ``answers.csv``, else the report's question hash) are
hashed, and differing hashes make the result say so. A RUN is a report label of the workspace (as the Evaluate tab
lists them), a run id (a training run's newest evaluation, or an evaluation run's own folder), or, from the CLI, a
folder holding ``report.json``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .view import list_reports, load_report

HELD_OUT_SETS = ("phrasings", "facts", "refusals")


class CompareError(ValueError):
    """A run that cannot be compared (readable message)."""


@dataclass
class RunReport:
    label: str
    folder: Path
    report: dict
    round: Any = None
    parent: str | None = None
    questions: dict[str, tuple[str, str]] = field(default_factory=dict)  # qid -> (set, question) held out

    @property
    def question_hash(self) -> str:
        if self.questions:
            blob = json.dumps(sorted(self.questions.values()), ensure_ascii=False)
            return hashlib.sha256(blob.encode("utf-8")).hexdigest()
        return str((self.report.get("dataset") or {}).get("sha256") or "")


def resolve(ws, ref: str, allow_paths: bool = True) -> tuple[str, Path]:
    """(label, report folder) for a report label, a run id of ``ws``, or (``allow_paths``) a folder/report.json."""
    ref = str(ref or "").strip()
    if not ref:
        raise CompareError("name a run or an evaluation report")
    if ws is not None:
        reports = dict(list_reports(ws, limit=500))
        if ref in reports:
            return ref, Path(reports[ref])
        run = ws.get_run(ref) if len(ref) <= 200 else None
        if run:
            mine = [(label, folder) for label, folder in reports.items()
                    if label == ref or label.startswith(ref + " / ")]
            if mine:  # list_reports is newest first
                return mine[0][0], Path(mine[0][1])
            raise CompareError(f"run {ref} has no evaluation report yet: evaluate it first")
    if allow_paths:
        path = Path(ref).expanduser()
        folder = path.parent if path.name == "report.json" else path
        if (folder / "report.json").is_file():
            return folder.name if folder.name not in ("", ".") else str(folder), folder
    raise CompareError(f"no evaluation report named {ref!r}" + (" in this workspace" if ws is not None else ""))


def held_out_questions(folder: Path) -> dict[str, tuple[str, str]]:
    """qid -> (set, question) of the held-out sets in ``answers.csv`` (empty when there is none)."""
    path = Path(folder) / "answers.csv"
    out: dict[str, tuple[str, str]] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("set") in HELD_OUT_SETS:
                out[row["qid"]] = (row["set"], row.get("question") or "")
    return out


def _run_meta(report: dict, ws=None, label: str = "") -> tuple[Any, str | None]:
    """(round, parent run) where the run records them (the report, the adapter's ``studio_run.json``, or the
    training run's config in the workspace); (None, None) otherwise."""
    from .questions import read_run_info

    info: dict = {}
    adapter = (report.get("models") or {}).get("adapter") or (report.get("config") or {}).get("adapter")
    try:
        info = read_run_info(adapter) or {}
    except Exception:  # noqa: BLE001 - an unreadable run record only loses the round
        info = {}
    row = ws.get_run(label.split(" / ", 1)[0]) if ws is not None and " / " in label else None
    if row:
        for field_ in ("config_json", "meta_json"):
            try:
                extra = json.loads(row.get(field_) or "{}")
            except (TypeError, ValueError):
                extra = {}
            if isinstance(extra, dict):
                info = {**{k: extra[k] for k in ("round", "parent_run", "parent") if extra.get(k) is not None}, **info}
    rnd = report.get("round", info.get("round"))
    parent = report.get("parent_run") or info.get("parent_run") or info.get("parent")
    return rnd, (str(parent) if parent else None)


def load_runs(refs: list[str], ws=None, allow_paths: bool = True) -> list[RunReport]:
    runs: list[RunReport] = []
    seen: set[Path] = set()
    for ref in refs:
        label, folder = resolve(ws, ref, allow_paths)
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        report = load_report(folder)
        if not isinstance(report, dict) or not report.get("metrics"):
            raise CompareError(f"{label}: the report has no accuracy figures to compare")
        rnd, parent = _run_meta(report, ws, label)
        runs.append(RunReport(label, folder, report, rnd, parent, held_out_questions(folder)))
    if not runs:
        raise CompareError("name at least one run to compare")
    return runs


def _metric(report: dict, set_: str) -> dict | None:
    metrics = report.get("metrics") or {}
    arm = "tuned" if set_ in (metrics.get("tuned") or {}) else "base"
    m = (metrics.get(arm) or {}).get(set_)
    if not m:
        return None
    return {"arm": arm, "accuracy": m.get("accuracy"), "ci": m.get("accuracy_ci"), "correct": m.get("correct"),
            "n": m.get("n")}


def compare_runs(refs: list[str], ws=None, allow_paths: bool = True) -> dict[str, Any]:
    """The comparison as plain data: ``runs`` (one row each), ``same_questions`` and a ``note`` saying so."""
    runs = load_runs(refs, ws, allow_paths)
    rows = []
    for r in runs:
        forgetting = r.report.get("forgetting") or {}
        rows.append({
            "run": r.label, "round": r.round, "parent": r.parent, "folder": str(r.folder),
            "unseen": _metric(r.report, "phrasings"), "facts": _metric(r.report, "facts"),
            "refusals": _metric(r.report, "refusals"),
            "forgetting": forgetting.get("probe_change"),
            "question_hash": r.question_hash[:12], "questions": len(r.questions) or None,
            "created_at": r.report.get("created_at"),
        })
    hashes = {r.question_hash for r in runs}
    same = len(hashes) == 1 and "" not in hashes
    common: set = set()
    if len(runs) == 1:
        note = "One run: nothing to compare it with."
    elif same:
        note = f"Like-for-like: all {len(runs)} runs were scored on the same held-out questions."
    else:
        common = set.intersection(*(set(r.questions.values()) for r in runs)) if all(r.questions for r in runs) else set()
        note = ("Not like-for-like: the runs were scored on different held-out questions"
                + (f" ({len(common)} in common)" if common else "") + "; differences may come from the questions.")
    return {"ok": True, "runs": rows, "same_questions": same, "common_questions": len(common) if not same else None,
            "note": note}


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _cell(m: dict | None) -> str:
    if not m or m.get("accuracy") is None:
        return "–"
    ci = m.get("ci")
    text = _pct(m["accuracy"]) + (f" [{100 * ci[0]:.0f}–{100 * ci[1]:.0f}]" if ci else "")
    return text + (" (base)" if m.get("arm") == "base" else "")


def table(result: dict) -> tuple[list[str], list[list[str]]]:
    """Headers and rows for a table (numbers and run names only: no model output)."""
    headers = ["run", "round", "unseen phrasings (95% CI)", "held-out facts", "refusals", "forgetting", "questions"]
    rows = []
    for r in result["runs"]:
        f = r.get("forgetting")
        rows.append([r["run"], "" if r.get("round") is None else str(r["round"]), _cell(r["unseen"]), _cell(r["facts"]),
                     _cell(r["refusals"]), "–" if f is None else f"{100 * f:+.0f} pts", r.get("question_hash") or "–"])
    return headers, rows


def plot(result: dict):
    """A matplotlib figure: unseen-phrasing accuracy per run with its 95% interval (the caller closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in result["runs"] if r.get("unseen") and r["unseen"].get("accuracy") is not None]
    fig, ax = plt.subplots(figsize=(max(4.5, 1.3 * len(runs) + 2), 3.4), dpi=100)
    labels, ys, lo, hi = [], [], [], []
    for r in runs:
        u = r["unseen"]
        v = u["accuracy"]
        ci = u.get("ci") or [v, v]
        labels.append(r["run"] if r.get("round") is None else f"{r['run']}\n(round {r['round']})")
        ys.append(v)
        lo.append(max(0.0, v - ci[0]))
        hi.append(max(0.0, ci[1] - v))
    ax.errorbar(range(len(ys)), ys, yerr=[lo, hi], fmt="o-", capsize=4, color="#2563eb")
    ax.set_xticks(range(len(ys)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title("Unseen-phrasing accuracy per run (95% CI)", fontsize=10)
    if not result.get("same_questions") and len(runs) > 1:
        ax.text(0.01, 0.02, "not like-for-like: different questions", transform=ax.transAxes, fontsize=7,
                color="#b45309")
    fig.tight_layout()
    return fig
