"""Earlier facts and new facts, apart, for a run continued from another one (``studio_run.json`` names its
parent and the facts the parent trained, see studio/train/lineage.py).

``earlier``: facts the parent trained (forgetting shows here); ``new``: facts this round added (its documents or
pairs). Per arm, accuracy on unseen phrasings with its 95% interval; when the parent has an evaluation with
answers, the parent's tuned accuracy on the same earlier-fact questions and the change (negative: forgotten).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from . import metrics as mt

SET = "phrasings"


def _parent_answers(parent: dict) -> dict[str, bool] | None:
    """question -> correct, from the parent run's newest evaluation (tuned arm, unseen phrasings)."""
    adapter = Path(str(parent.get("adapter") or ""))
    evals = sorted((adapter.parent / "eval").glob("*/answers.csv"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in evals:
        with open(path, encoding="utf-8") as fh:
            out = {r["question"]: r["correct"] == "True" for r in csv.DictReader(fh)
                   if r.get("arm") == "tuned" and r.get("set") == SET and r.get("correct") in ("True", "False")}
        if out:
            return out
    return None


def split_by_round(rows: list[dict], run_info: dict | None, n_boot: int = 1000, seed: int = 0) -> dict[str, Any] | None:
    """``{"parent", "round", "earlier": {arm: metrics}, "new": {arm: metrics}, "parent_earlier"}`` or None."""
    info = run_info or {}
    parent, groups = info.get("parent"), set(info.get("parent_groups") or [])
    if not parent or not groups:
        return None
    out: dict[str, Any] = {"parent": parent.get("run_id"), "round": info.get("round"), "earlier": {}, "new": {}}
    for arm in dict.fromkeys(r["arm"] for r in rows):
        for name, keep in (("earlier", lambda g: g in groups), ("new", lambda g: g not in groups)):
            subset = [r for r in rows if r["arm"] == arm and r["set"] == SET and keep(str(r["group"]))]
            if subset:
                m = mt.accuracy(subset, n_boot, seed)
                out[name][arm] = {k: m[k] for k in ("accuracy", "accuracy_ci", "correct", "n", "n_facts")}
    before = _parent_answers(parent)
    now = [r for r in rows if r["arm"] == "tuned" and r["set"] == SET and str(r["group"]) in groups]
    if before and now:
        same = [r for r in now if r["question"] in before]
        if same:
            was = sum(before[r["question"]] for r in same) / len(same)
            is_ = sum(bool(r["correct"]) for r in same) / len(same)
            out["parent_earlier"] = {"accuracy": round(was, 4), "accuracy_now": round(is_, 4),
                                     "change": round(is_ - was, 4), "n": len(same)}
    return out


def cards_line(rounds: dict | None) -> str | None:
    """One plain line for the Evaluate tab's cards."""
    if not rounds:
        return None

    def pct(m):
        return "–" if not m or m.get("accuracy") is None else f"{100 * m['accuracy']:.0f}% ({m['correct']}/{m['n']})"

    text = (f"Round {rounds.get('round')} (from run {rounds.get('parent')}): tuned on facts from earlier rounds "
            f"{pct(rounds['earlier'].get('tuned'))}, on new facts {pct(rounds['new'].get('tuned'))}")
    p = rounds.get("parent_earlier")
    if p:
        text += f"; earlier facts were {100 * p['accuracy']:.0f}% before this round (change {100 * p['change']:+.0f} points)"
    return text + "."
