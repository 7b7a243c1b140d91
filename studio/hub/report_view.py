"""Read an evaluation ``report.json`` into flat rows the model card can show and the metadata can carry.

The reader is deliberately tolerant: it walks the report and picks every number that sits under a known
arm (base, tuned, base+rag, tuned+rag, gold) and question set (phrasings, facts, refusals, trained),
whether the number is a bare value or ``{"value"|"mean"|"estimate": x, "ci": [lo, hi]}`` with
``<metric>_ci`` siblings. A missing or unreadable report gives ``None`` ("not evaluated"), never an error.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARM_ORDER = ("base", "tuned", "base+rag", "tuned+rag", "gold")
ARM_ALIASES = {
    "base": "base", "tuned": "tuned", "adapter": "tuned",
    "base+rag": "base+rag", "base_rag": "base+rag", "base+retrieval": "base+rag", "base_retrieval": "base+rag",
    "tuned+rag": "tuned+rag", "tuned_rag": "tuned+rag", "tuned+retrieval": "tuned+rag", "tuned_retrieval": "tuned+rag",
    "gold": "gold", "gold_context": "gold", "gold-context": "gold",
}
ARM_LABELS = {"base": "base", "tuned": "tuned (this adapter)", "base+rag": "base + retrieval",
              "tuned+rag": "tuned + retrieval", "gold": "gold context (upper bound)"}
SET_ORDER = ("phrasings", "facts", "refusals", "trained", "forgetting")
SET_LABELS = {"phrasings": "unseen phrasings of trained facts", "facts": "facts held out whole",
              "refusals": "out-of-documents questions (refusal)", "trained": "trained questions (sample)",
              "forgetting": "general knowledge probe (forgetting)"}
SET_ALIASES = {s: s for s in SET_ORDER} | {"heldout_phrasings": "phrasings", "unseen": "phrasings",
                                           "held_out_facts": "facts", "refusal": "refusals", "general": "forgetting",
                                           "probe": "forgetting"}
METRIC_ORDER = ("accuracy", "strict_accuracy", "consistency", "agreement", "refusal_accuracy",
                "probe_accuracy", "perplexity")
# numbers that are not metrics of a model's answers
SKIP_KEYS = {"n", "count", "correct", "refused", "probe_correct", "probe_size", "text_words", "seconds", "seed",
             "threshold", "n_facts", "n_questions", "version", "created_at", "elapsed_s", "ts", "time_s", "duration_s", "k", "top_k", "max_new_tokens", "temperature", "lo", "hi", "low", "high",
             "ci_low", "ci_high", "std", "stderr"}
SKIP_BRANCHES = {"config", "calibration", "models", "dataset", "questions", "answers", "per_question", "per_fact",
                 "plots", "files", "environment", "timings", "differences", "retrieval", "judge", "threshold",
                 "style", "warnings", "verdict", "retrieval_gap_recovered", "arena"}
VALUE_KEYS = ("value", "mean", "estimate", "point")


@dataclass(frozen=True)
class EvalRow:
    arm: str
    set: str
    metric: str
    value: float
    ci: tuple[float, float] | None = None
    n: int | None = None


@dataclass
class ReportView:
    path: Path | None
    rows: list[EvalRow]
    raw: dict
    plots: list[Path]
    verdict: str = ""
    gap_recovered: float | None = None
    advice: list[str] = field(default_factory=list)

    @property
    def evaluated(self) -> bool:
        return bool(self.rows)

    def arms(self) -> list[str]:
        seen = {r.arm for r in self.rows}
        return [a for a in ARM_ORDER if a in seen]

    def sets(self) -> list[str]:
        seen = {r.set for r in self.rows}
        return [s for s in SET_ORDER if s in seen]

    def get(self, arm: str, set_: str, metric: str) -> EvalRow | None:
        for row in self.rows:
            if (row.arm, row.set, row.metric) == (arm, set_, metric):
                return row
        return None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _ci(value: Any) -> tuple[float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        lo, hi = _num(value[0]), _num(value[1])
        if lo is not None and hi is not None:
            return (lo, hi)
    if isinstance(value, dict):
        for a, b in (("lo", "hi"), ("low", "high"), ("ci_low", "ci_high"), ("lower", "upper")):
            if a in value and b in value:
                return _ci([value[a], value[b]])
    return None


def _canon_arm(key: str) -> str | None:
    return ARM_ALIASES.get(str(key).strip().lower().replace(" ", ""))


def _canon_set(key: str) -> str | None:
    return SET_ALIASES.get(str(key).strip().lower())


def _collect(obj: Any, path: tuple[str, ...], out: list[tuple[tuple[str, ...], str, float, Any, Any]]) -> None:
    if isinstance(obj, dict):
        n = obj.get("n") if _num(obj.get("n")) is not None else obj.get("count")
        for key, value in obj.items():
            key = str(key)
            if key.lower() in SKIP_BRANCHES:
                continue
            number = _num(value)
            if number is not None:
                low = key.lower()
                if low in SKIP_KEYS or low.endswith("_ci") or low.startswith("n_") or low in VALUE_KEYS:
                    continue
                out.append((path, key, number, obj.get(f"{key}_ci"), n))
            elif isinstance(value, dict) and any(_num(value.get(k)) is not None for k in VALUE_KEYS):
                vk = next(k for k in VALUE_KEYS if _num(value.get(k)) is not None)
                ci = value.get("ci") or value.get("ci95") or (value if _ci(value) else None)
                out.append((path, key, _num(value[vk]), ci, value.get("n", n)))
            elif isinstance(value, (dict, list)):
                _collect(value, path + (key,), out)
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict) and ("arm" in item or "set" in item):
                tag = tuple(str(item[k]) for k in ("arm", "set") if k in item)
                _collect({k: v for k, v in item.items() if k not in ("arm", "set")}, path + tag, out)


def rows_from_report(report: dict) -> list[EvalRow]:
    found: list[tuple[tuple[str, ...], str, float, Any, Any]] = []
    _collect(report, (), found)
    rows: dict[tuple[str, str, str], EvalRow] = {}
    for path, metric, value, ci, n in found:
        arm = next((a for a in map(_canon_arm, path) if a), None)
        set_ = next((s for s in map(_canon_set, path) if s), None)
        if arm is None and set_ is None:
            continue
        if set_ is None and metric.lower() in ("probe_accuracy", "perplexity", "general_accuracy"):
            set_ = "forgetting"
        if arm is None or set_ is None:
            continue
        key = (arm, set_, metric)
        if key not in rows:
            n_int = int(n) if _num(n) is not None else None
            rows[key] = EvalRow(arm, set_, metric, value, _ci(ci), n_int)

    # refusals: "accuracy" is an alias of "refusal_accuracy" in the evaluation report
    for (arm, set_, metric) in list(rows):
        if set_ == "refusals" and metric == "accuracy" and (arm, set_, "refusal_accuracy") in rows:
            del rows[(arm, set_, metric)]

    def order(row: EvalRow) -> tuple:
        m = METRIC_ORDER.index(row.metric) if row.metric in METRIC_ORDER else len(METRIC_ORDER)
        return (SET_ORDER.index(row.set), m, row.metric, ARM_ORDER.index(row.arm))

    return sorted(rows.values(), key=order)


def _find_text(report: dict, *keys: str) -> str:
    for key in keys:
        value = report.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            for sub in ("text", "message", "summary", "en"):
                if isinstance(value.get(sub), str):
                    return value[sub]
    return ""


def _find_gap(report: dict) -> float | None:
    for key in ("retrieval_gap_recovered", "gap_recovered"):
        value = report.get(key)
        if isinstance(value, dict):
            if value.get("defined") is False:
                return None
            value = next((value[k] for k in VALUE_KEYS if k in value), None)
        if _num(value) is not None:
            return _num(value)
    return None


def load_report(path: str | Path | None) -> ReportView | None:
    """The report at ``path`` (a ``report.json`` or its folder), or None when absent or unreadable."""
    if not path:
        return None
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    plots = sorted(p for p in path.parent.glob("*.png") if p.is_file())
    verdict = raw.get("verdict") if isinstance(raw.get("verdict"), dict) else {}
    advice = [str(a) for a in verdict.get("advice") or [] if isinstance(a, str)]
    return ReportView(path=path, rows=rows_from_report(raw), raw=raw, plots=plots, advice=advice,
                      verdict=_find_text(raw, "verdict", "summary_text"), gap_recovered=_find_gap(raw))


def find_latest_report(run_dir: str | Path | None) -> Path | None:
    """The newest ``RUN_DIR/eval/<id>/report.json`` (by modification time), or None."""
    if not run_dir:
        return None
    base = Path(run_dir) / "eval"
    if not base.is_dir():
        return None
    reports = [p for p in base.glob("*/report.json") if p.is_file()]
    return max(reports, key=lambda p: p.stat().st_mtime) if reports else None
