"""What the Evaluate tab shows, as plain data (no gradio): summary cards, the per-fact table, comparisons."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..dataset.csvsafe import unescape_cell
from .config import ARM_LABELS, SET_LABELS


def load_report(path: str | Path) -> dict | None:
    p = Path(path)
    p = p / "report.json" if p.is_dir() else p
    try:
        return json.loads(p.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def list_reports(ws, limit: int = 50) -> list[tuple[str, str]]:
    """(label, report folder) of this workspace's evaluations, newest first."""
    found: dict[str, str] = {}
    for row in ws.list_runs(limit=limit * 2):
        folders = []
        if row["kind"] == "evaluate":
            try:
                cfg = json.loads(row.get("config_json") or "{}")
            except json.JSONDecodeError:
                cfg = {}
            status = _read_json(Path(row.get("output_dir") or "") / "status.json") or {}
            folders.append((status.get("result") or {}).get("out") or status.get("out") or cfg.get("out") or row.get("output_dir"))
        elif row["kind"] == "train":
            folders += sorted((Path(row.get("output_dir") or "") / "eval").glob("*/"), reverse=True)
        for folder in folders:
            if folder and (Path(folder) / "report.json").is_file() and str(folder) not in found.values():
                label = Path(folder).name if row["kind"] == "evaluate" else f"{row['id']} / {Path(folder).name}"
                found[label] = str(folder)
    return list(found.items())[:limit]


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _ci(ci) -> str:
    return "" if not ci else f" [{100 * ci[0]:.0f}–{100 * ci[1]:.0f}]"


def cards(report: dict) -> str:
    """Markdown cards per arm (numbers and fixed words only: no model output)."""
    lines = []
    for arm, sets in report.get("metrics", {}).items():
        parts = []
        for s, m in sets.items():
            extra = f", consistency {_pct(m.get('consistency'))}" if m.get("consistency") is not None else ""
            parts.append(f"{SET_LABELS.get(s, s)}: **{_pct(m.get('accuracy'))}**{_ci(m.get('accuracy_ci'))} "
                         f"({m.get('correct', '')}/{m.get('n')}){extra}")
        lines.append(f"**{ARM_LABELS.get(arm, arm)}** — " + " · ".join(parts))
    from .rounds import cards_line

    if cards_line(report.get("rounds")):
        lines.append(cards_line(report.get("rounds")))
    th = report.get("threshold") or {}
    lines.append(f"Similarity threshold {th.get('value')} ({th.get('source')}).")
    f = report.get("forgetting") or {}
    if f.get("arms"):
        lines.append("Forgetting: " + ", ".join(
            f"{ARM_LABELS.get(a, a)} probe {_pct(v['probe_accuracy'])}, perplexity {v['perplexity']}" for a, v in f["arms"].items()))
    gap = report.get("retrieval_gap_recovered")
    if gap:
        lines.append("Retrieval gap recovered: " + (_pct(gap["value"]) + _ci(gap.get("ci")) if gap.get("defined") else gap.get("reason", "")))
    for w in report.get("warnings") or []:
        lines.append(f"⚠ {w}")
    return "\n\n".join(lines)


def fact_table(folder: str | Path, failures_only: bool = False, limit: int = 300) -> tuple[list[str], list[list[Any]]]:
    """One row per question: fact, set, question, reference, then each arm's answer and its score."""
    path = Path(folder) / "answers.csv"
    if not path.is_file():
        return ["question"], []
    with open(path, encoding="utf-8") as fh:  # cells the CSV wrote as text ('=...) shown as the model said them
        rows = [{k: unescape_cell(v) for k, v in r.items()} for r in csv.DictReader(fh)]
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    by_q: dict[str, dict] = {}
    for r in rows:
        q = by_q.setdefault(r["qid"], {"group": r["group"], "set": r["set"], "question": r["question"],
                                       "reference": r["reference"], "arms": {}})
        q["arms"][r["arm"]] = r
    headers = ["fact", "set", "question", "reference"]
    for a in arms:
        headers += [f"{ARM_LABELS.get(a, a)}: answer", f"{ARM_LABELS.get(a, a)}: score"]
    out = []
    order = sorted(by_q.values(), key=lambda q: (q["group"], q["set"] != "phrasings", q["set"]))
    for q in order:
        judged = [q["arms"][a]["correct"] == "True" for a in arms if a in q["arms"] and q["arms"][a]["correct"] != ""]
        focus = q["arms"].get("tuned") or q["arms"].get(arms[0]) if arms else None
        if failures_only and focus is not None and focus.get("correct") == "True":
            continue
        if failures_only and focus is None and all(judged):
            continue
        row = [q["group"], q["set"], q["question"], q["reference"]]
        for a in arms:
            r = q["arms"].get(a)
            if r is None:
                row += ["", ""]
                continue
            mark = "✓" if r["correct"] == "True" else ("✗" if r["correct"] == "False" else "?")
            sim = r.get("similarity") or ""
            row += [r["prediction"], f"{mark} {float(sim):.2f}" if sim else mark]
        out.append(row)
    return headers, out[:limit]


def compare(current: dict, earlier: dict) -> tuple[list[str], list[list[Any]]]:
    """Accuracy and consistency per arm and set, this evaluation beside an earlier one."""
    headers = ["arm", "set", "accuracy (this)", "accuracy (earlier)", "consistency (this)", "consistency (earlier)"]
    rows = []
    keys = []
    for rep in (current, earlier):
        for arm, sets in rep.get("metrics", {}).items():
            for s in sets:
                if (arm, s) not in keys:
                    keys.append((arm, s))
    for arm, s in keys:
        a = current.get("metrics", {}).get(arm, {}).get(s, {})
        b = earlier.get("metrics", {}).get(arm, {}).get(s, {})
        rows.append([ARM_LABELS.get(arm, arm), SET_LABELS.get(s, s), _pct(a.get("accuracy")), _pct(b.get("accuracy")),
                     _pct(a.get("consistency")), _pct(b.get("consistency"))])
    return headers, rows
