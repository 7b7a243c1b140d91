"""The evaluation's outputs: ``report.json``, ``answers.csv``, PNG plots, and a plain-words verdict with advice.

``report.json`` keys: ``schema``, ``created_at``, ``config``, ``models`` (base, resolved path, adapter, embedder),
``dataset`` (source, path, sha256, counts), ``threshold`` (value and how it was set), ``metrics``
(``{arm: {set: {accuracy, accuracy_ci, strict_accuracy, consistency, agreement, n, ...}}}``),
``differences`` (tuned - base per set, with CI), ``retrieval_gap_recovered``, ``forgetting``, ``judge``,
``retrieval``, ``verdict`` (``learned``, ``text``, ``advice``), ``style`` (reserved for the voice score), ``files``;
for a run continued from another, ``rounds`` (facts from earlier rounds vs new facts: :mod:`.rounds`).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from ..dataset.csvsafe import escape_row
from .config import ARM_LABELS, SET_LABELS

SCHEMA = "studio.evaluate/1"
CSV_FIELDS = ["qid", "set", "group", "arm", "question", "reference", "key", "prediction", "correct", "similarity",
              "token_f1", "key_hit", "conflicts", "refusal", "reason", "judge_correct"]
MAIN_SETS = ("phrasings", "facts", "trained")


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    os.replace(tmp, path)


def write_answers_csv(path: Path, rows: list[dict]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            row = dict(r)
            if isinstance(row.get("conflicts"), list):
                row["conflicts"] = ",".join(row["conflicts"])
            w.writerow(escape_row(row))  # model output starting with = + - @ stays text in a spreadsheet
    os.replace(tmp, path)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f" (95% CI {100 * ci[0]:.0f}-{100 * ci[1]:.0f}%)"


def main_set(metrics: dict[str, dict]) -> str | None:
    present = {s for arm in metrics.values() for s in arm}
    return next((s for s in MAIN_SETS if s in present), None)


def verdict(metrics: dict, differences: dict, gap: dict | None, forgetting: dict | None) -> dict[str, Any]:
    """"learned: 7 of 10 unseen phrasings right, base 1 of 10, retrieval 8 of 10", with advice when it is not."""
    s = main_set(metrics)
    advice: list[str] = []
    if s is None:
        return {"learned": None, "set": None, "text": "No fact questions were evaluated.", "advice": advice}
    what = {"phrasings": "unseen phrasings", "facts": "questions on facts held out whole", "trained": "trained questions"}[s]

    def count(arm):
        m = metrics.get(arm, {}).get(s)
        return (m["correct"], m["n"], m) if m else None

    tuned, base, rag = count("tuned"), count("base"), count("base+rag")
    parts = []
    for arm, c in (("base", base), ("base+rag", rag), ("gold", count("gold"))):
        if c:
            parts.append(f"{ARM_LABELS[arm]} {c[0]} of {c[1]}")
    learned: bool | None = None
    if tuned:
        diff = differences.get(s) or {}
        ci = diff.get("ci")
        learned = bool(base) and ci is not None and ci[0] > 0
        head = "Learned" if learned else ("Not shown to be learned" if base else "Tuned model")
        text = f"{head}: {tuned[0]} of {tuned[1]} {what} right{_ci(tuned[2].get('accuracy_ci'))}"
        if parts:
            text += ", " + ", ".join(parts)
        text += "."
        if base and not learned:
            text += " The difference from the base model is within noise." if (diff.get("difference") or 0) > 0 else \
                " The tuned model does no better than the base model."
    else:
        text = f"Base model only: {', '.join(parts)} {what} right." if parts else "No answers."
    trained = metrics.get("tuned", {}).get("trained")
    unseen = metrics.get("tuned", {}).get("phrasings")
    if tuned and not learned:
        if trained and (trained["accuracy"] or 0) < 0.8:
            advice.append(f"Training did not reach even the trained questions ({_pct(trained['accuracy'])} right): "
                          "train more epochs or raise the learning rate (aim for 12+ exposures per fact).")
        elif trained and unseen and (trained["accuracy"] or 0) - (unseen["accuracy"] or 0) > 0.3:
            advice.append("The model memorised the trained wording but does not carry it to new wording: "
                          "generate more paraphrases per fact (5-10) and train again.")
        else:
            advice.append("Generate more paraphrases per fact and train more epochs.")
        advice.append("A larger base model learns new facts more easily.")
        if rag and rag[0] > tuned[0]:
            advice.append(f"Retrieval answers {rag[0]} of {rag[1]} here: for these facts, retrieval over your "
                          "documents may serve better than fine-tuning (or combine both).")
    if tuned and tuned[1] < 20:
        advice.append(f"Only {tuned[1]} questions: the interval is wide; more held-out questions give a firmer answer.")
    ref = metrics.get("tuned", {}).get("refusals")
    if ref and ref.get("accuracy") is not None and ref["accuracy"] < 0.5:
        advice.append(f"The tuned model declined only {_pct(ref['accuracy'])} of the questions outside the documents: "
                      "add more 'not in the documents' examples when generating.")
    if forgetting and forgetting.get("probe_change") is not None and forgetting["probe_change"] < -0.1:
        advice.append("General knowledge dropped after tuning: lower the learning rate or the epochs.")
    if gap and gap.get("defined") and gap.get("value") is not None:
        text += f" Retrieval gap recovered: {_pct(gap['value'])}."
    return {"learned": learned, "set": s, "text": text, "advice": advice}


def plot(metrics: dict, out_dir: Path) -> list[str]:
    """``accuracy.png`` (accuracy per arm and set, 95% CI bars) and ``consistency.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    arms = list(metrics)
    sets = [s for s in ("phrasings", "facts", "refusals", "trained") if any(s in metrics[a] for a in arms)]
    for name, key, ci_key, wanted in (("accuracy.png", "accuracy", "accuracy_ci", sets),
                                      ("consistency.png", "consistency", "consistency_ci",
                                       [s for s in sets if s in ("phrasings", "facts")])):
        if not wanted or not arms:
            continue
        fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(wanted) * max(1, len(arms)) / 2), 3.6), dpi=110)
        width = 0.8 / len(arms)
        for i, arm in enumerate(arms):
            xs, ys, lo, hi = [], [], [], []
            for j, s in enumerate(wanted):
                m = metrics[arm].get(s)
                if not m or m.get(key) is None:
                    continue
                v = m[key]
                ci = m.get(ci_key) or [v, v]
                xs.append(j + (i - (len(arms) - 1) / 2) * width)
                ys.append(v)
                lo.append(max(0.0, v - ci[0]))
                hi.append(max(0.0, ci[1] - v))
            if xs:
                ax.bar(xs, ys, width=width * 0.95, label=ARM_LABELS.get(arm, arm), yerr=[lo, hi], capsize=3)
        ax.set_xticks(range(len(wanted)))
        ax.set_xticklabels([SET_LABELS.get(s, s).replace(" of ", "\nof ") for s in wanted], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(key)
        ax.legend(fontsize=7, loc="upper right")
        ax.set_title(f"{key.capitalize()} per arm (95% CI)", fontsize=10)
        fig.tight_layout()
        fig.savefig(out_dir / name)
        plt.close(fig)
        files.append(name)
    return files


def summary_line(report: dict) -> dict[str, Any]:
    """The CLI's ``--json`` summary: for each arm and set accuracy, accuracy_ci, strict_accuracy, consistency, n."""
    results = {
        arm: {s: {k: m.get(k) for k in ("accuracy", "accuracy_ci", "strict_accuracy", "consistency", "n")}
              for s, m in sets.items()}
        for arm, sets in report.get("metrics", {}).items()
    }
    return {"ok": True, "out": report.get("files", {}).get("folder"), "results": results,
            "learned": report.get("verdict", {}).get("learned"), "verdict": report.get("verdict", {}).get("text"),
            "threshold": report.get("threshold", {}).get("value")}
